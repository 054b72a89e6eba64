-- The hierarchy each figure is rolled up in, per view and period: the units that exist on
-- the view's day for that period.
-- as_reported: the period's last day (for the year 2025, the units after the July reform);
-- current_units: today, for every period (the comparable series).
with views as (
    select
        'as_reported' as unit_view,
        period,
        period_type,
        year,
        last_day as units_on
    from {{ ref('int_periods') }}
    union all
    select
        'current_units' as unit_view,
        period,
        period_type,
        year,
        {{ as_of_date() }} as units_on
    from {{ ref('int_periods') }}
)

select
    v.unit_view,
    v.period,
    v.period_type,
    v.year,
    v.units_on,
    u.unit_key,
    u.unit_code,
    u.unit_name,
    u.unit_type,
    u.unit_level,
    u.parent_code
from views as v
inner join {{ ref('stg_reference__units') }} as u on v.units_on between u.valid_from and u.valid_to
