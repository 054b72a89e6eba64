-- Integrity (error): every unit below the province has a parent valid in the same period,
-- and every value belongs to a unit of the hierarchy of its period.
{{ config(severity='error') }}
select
    u.unit_code,
    u.period,
    'parent missing' as problem
from {{ ref('int_units_in_period') }} as u
left join {{ ref('int_units_in_period') }} as p on u.parent_code = p.unit_code and u.period = p.period
where u.parent_code is not null and p.unit_code is null
union all
select
    v.unit_code,
    v.period,
    'value for a unit outside the hierarchy' as problem
from {{ ref('int_values_over_time') }} as v
left join {{ ref('int_units_in_period') }} as u on v.unit_code = u.unit_code and v.period = u.period
where u.unit_code is null
