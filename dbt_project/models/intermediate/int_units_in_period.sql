-- The hierarchy each figure is rolled up in, per view and period:
-- as_reported: the units that exist on the period's last day (for the year 2025, the
--   units after the July reform);
-- current_units: today's units, for every period (the comparable series).
with units as (
    select * from {{ ref('stg_reference__units') }}
),

periods as (
    select * from {{ ref('int_periods') }}
)

select
    'as_reported' as unit_view,
    p.period,
    p.period_type,
    p.year,
    p.last_day as units_on,
    u.unit_key,
    u.unit_code,
    u.unit_name,
    u.unit_type,
    u.unit_level,
    u.parent_code
from periods as p
inner join units as u on p.last_day between u.valid_from and u.valid_to
union all
select
    'current_units' as unit_view,
    p.period,
    p.period_type,
    p.year,
    {{ as_of_date() }} as units_on,
    u.unit_key,
    u.unit_code,
    u.unit_name,
    u.unit_type,
    u.unit_level,
    u.parent_code
from periods as p
cross join units as u
where {{ as_of_date() }} between u.valid_from and u.valid_to
