-- Expected reports (the calendar's rules and the unit list on the period's last day)
-- against those received and received on time, for every unit and every period that has
-- ended: a period nothing arrived for shows 0 % with every expected unit missing.
-- Completeness and timeliness (indicators.md): a unit has reported a period when figures
-- covering it arrived in any form (int_report_arrivals), on time when they arrived (first
-- seen by the pipeline, in the office's time zone) on or before the due day.
{{ config(materialized='incremental', incremental_strategy='replace_periods', on_schema_change='sync_all_columns') }}
with expected as (
    select
        a.ancestor_code as unit_code,
        e.period,
        e.reporter_code,
        e.reporter_name,
        e.due_date
    from {{ ref('int_expected_reports') }} as e
    inner join {{ ref('int_unit_ancestors') }} as a
        on a.unit_view = 'as_reported' and e.reporter_code = a.unit_code and e.period = a.period
    where {{ rebuilt_periods_only('e.period') }}
),

joined as (
    select
        e.*,
        r.arrived_at
    from expected as e
    left join {{ ref('int_report_arrivals') }} as r
        on e.reporter_code = r.reporter_code and e.period = r.period
)

select
    unit_code,
    period,
    count(*) as expected_reports,
    count(arrived_at) as received_reports,
    -- arrived_at is UTC; due dates are days in the office's time zone
    count(*) filter (
        where timezone('{{ var("local_time_zone") }}', timezone('UTC', arrived_at))::date <= due_date
    ) as on_time_reports,
    round(100.0 * count(arrived_at) / count(*), 2) as completeness_pct,
    coalesce(
        string_agg(reporter_name, ', ' order by reporter_code) filter (where arrived_at is null),
        ''
    ) as missing_units
from joined
group by unit_code, period
