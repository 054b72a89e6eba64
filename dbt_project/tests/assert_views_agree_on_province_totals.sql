-- Integrity (error), eras.md "nothing lost, nothing counted twice": for every element that
-- adds up, the provinces' total for any period is the same as reported and on today's units
-- (carrying figures to successors moves them, it never drops or repeats one; summed over
-- provinces so that a merger of provinces is carried too). A night checks the periods it rebuilt
-- (macros/tested_periods.sql).
{{ config(severity='error') }}
with provinces as (
    select
        r.unit_view,
        r.period,
        r.element_code,
        sum(r.value) as value
    from {{ ref('int_unit_rollup') }} as r
    inner join {{ ref('int_units_in_period') }} as u
        on r.unit_view = u.unit_view and r.unit_code = u.unit_code and r.period = u.period
    where
        r.is_additive and u.unit_level = 'province'
        and {{ tested_periods_only('r.period') }} and {{ tested_periods_only('u.period') }}
    group by r.unit_view, r.period, r.element_code
),

as_reported as (
    select * from provinces
    where unit_view = 'as_reported'
),

current_units as (
    select * from provinces
    where unit_view = 'current_units'
)

select
    coalesce(a.period, c.period) as period,
    coalesce(a.element_code, c.element_code) as element_code,
    a.value as as_reported,
    c.value as current_units
from as_reported as a
full outer join current_units as c
    on a.period = c.period and a.element_code = c.element_code
where
    a.value is null or c.value is null
    or abs(a.value - c.value) > 1e-6 * greatest(1, abs(a.value))
