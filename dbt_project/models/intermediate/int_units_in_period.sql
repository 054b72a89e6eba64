-- The hierarchy as it stood in each period: units valid for the whole period.
select
    p.period,
    p.period_type,
    p.year,
    u.unit_code,
    u.unit_name,
    u.unit_type,
    u.unit_level,
    u.parent_code
from {{ ref('int_periods') }} as p
inner join {{ ref('stg_reference__units') }} as u
    on p.first_day >= u.valid_from and p.last_day <= u.valid_to
