-- Integrity (error): in both views, an element that adds up, at any unit, equals its own
-- figure plus its children's rolled-up values. Fails if the unit roll-up ever double
-- counts or drops a part. Each period is checked on its own: a night checks the periods it
-- rebuilt (macros/tested_periods.sql).
{{ config(severity='error') }}
with rollup as (
    select * from {{ ref('int_unit_rollup') }}
    where is_additive and {{ tested_periods_only('period') }}
),

own as (
    select
        unit_view,
        unit_code,
        period,
        element_code,
        sum(value) as value
    from {{ ref('int_values_with_rules') }}
    where is_additive and {{ tested_periods_only('period') }}
    group by all
),

children as (
    select
        r.unit_view,
        u.parent_code as unit_code,
        r.period,
        r.element_code,
        sum(r.value) as value
    from rollup as r
    inner join {{ ref('int_units_in_period') }} as u
        on r.unit_view = u.unit_view and r.unit_code = u.unit_code and r.period = u.period
    where u.parent_code is not null and {{ tested_periods_only('u.period') }}
    group by all
)

select
    r.unit_view,
    r.unit_code,
    r.period,
    r.element_code,
    r.value,
    o.value as own_value,
    c.value as children_value
from rollup as r
left join own as o
    on
        r.unit_view = o.unit_view and r.unit_code = o.unit_code and r.period = o.period
        and r.element_code = o.element_code
left join children as c
    on
        r.unit_view = c.unit_view and r.unit_code = c.unit_code and r.period = c.period
        and r.element_code = c.element_code
where abs(r.value - coalesce(o.value, 0) - coalesce(c.value, 0)) > 1e-6 * greatest(1, abs(r.value))
