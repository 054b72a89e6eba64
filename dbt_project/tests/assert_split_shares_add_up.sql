-- Integrity (error): where the office wrote shares for a split unit, they add up to 1, so
-- that carrying its figures to its successors neither loses nor invents any.
{{ config(severity='error') }}
select
    old_code,
    effective_date,
    sum(share) as shares
from {{ ref('stg_reference__unit_changes') }}
group by old_code, effective_date
having count(share) > 0 and abs(sum(coalesce(share, 0)) - 1) > 1e-9
