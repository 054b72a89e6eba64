-- The reporting calendar applied: every report expected, for every period that has ended
-- by the as-of date, from every unit of the rule's level that exists on the period's last
-- day (69 communes for 2025 and later in Hà Tĩnh), with its due date.
{{ config(materialized='incremental', incremental_strategy='replace_periods', on_schema_change='sync_all_columns') }}
select
    u.period,
    u.period_type,
    u.unit_code as reporter_code,
    u.unit_name as reporter_name,
    u.unit_level,
    p.last_day + c.due_days as due_date
from {{ ref('stg_reference__reporting_calendar') }} as c
inner join {{ ref('int_periods') }} as p
    on c.period_type = p.period_type and p.last_day between c.valid_from and c.valid_to
inner join {{ ref('int_units_in_period') }} as u
    on
        u.unit_view = 'as_reported' and p.period = u.period
        and c.unit_level = u.unit_level
where p.last_day < {{ as_of_date() }} and {{ rebuilt_periods_only('p.period') }}
