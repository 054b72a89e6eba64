-- Integrity (error), as eras.md describes each period's hierarchy: in each view and period
-- every unit below the province has its parent among the units of that view and period;
-- every value belongs to a unit of that hierarchy (a ceased unit's months reach a longer
-- period through its successors, so they never fall outside it); and every loaded value
-- has the unit of its code that existed on its period's last day. A night checks the periods
-- it rebuilt (macros/tested_periods.sql).
{{ config(severity='error') }}
select
    u.unit_view,
    u.unit_code,
    u.period,
    'parent missing' as problem
from {{ ref('int_units_in_period') }} as u
left join {{ ref('int_units_in_period') }} as p
    on
        u.unit_view = p.unit_view and u.period = p.period and u.parent_code = p.unit_code
        and {{ tested_periods_only('p.period') }}
where u.parent_code is not null and p.unit_code is null and {{ tested_periods_only('u.period') }}
union all
select
    v.unit_view,
    v.unit_code,
    v.period,
    'value for a unit outside the hierarchy' as problem
from {{ ref('int_values_over_time') }} as v
left join {{ ref('int_units_in_period') }} as u
    on
        v.unit_view = u.unit_view and v.unit_code = u.unit_code and v.period = u.period
        and {{ tested_periods_only('u.period') }}
where u.unit_code is null and {{ tested_periods_only('v.period') }}
union all
select
    'loaded' as unit_view,
    unit_code,
    period,
    'value of a unit that did not exist on the period''s last day' as problem
from {{ ref('int_current_values') }}
where unit_key is null and {{ tested_periods_only('period') }}
