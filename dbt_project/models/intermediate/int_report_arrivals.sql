-- When each expected report arrived (indicators.md, "Completeness and timeliness"): figures
-- covering the unit and period, in any form: its own report, its row in its district's
-- table (layout B), or shorter periods that make up the period (four quarters, two halves,
-- the months, or any mix, make its year). Arrival is the portal's receipt time for a file
-- sent through it, else when the pipeline first saw the file (int_submissions, UTC), never
-- the file's own modification time; the first
-- arrival counts, so a later correction does not make a report late. A period made of
-- parts arrived when its last missing month was first covered.
-- A rebuilt period reads the pieces of its year (macros/rebuild_periods.sql).
{{ config(materialized='incremental', incremental_strategy='replace_periods', on_schema_change='sync_all_columns') }}
with pieces as (
    -- every loaded sheet covers its own unit; a district's table covers each commune it
    -- sends a value for (int_values_sent: a cell left empty in a table is no value sent, so
    -- a commune's row left wholly empty is no report for it and its arrival is not one)
    select
        unit_code,
        period,
        first_seen_at
    from {{ ref('int_submissions_ranked') }}
    where {{ rebuilt_years_only('period') }}
    union all
    select distinct
        unit_code,
        period,
        first_seen_at
    from {{ ref('int_values_sent') }}
    where {{ rebuilt_years_only('period') }}
),

first_arrivals as (
    select
        p.unit_code,
        p.period,
        d.first_day,
        d.last_day,
        min(p.first_seen_at) as first_seen_at
    from pieces as p
    inner join {{ ref('int_periods') }} as d on p.period = d.period
    group by p.unit_code, p.period, d.first_day, d.last_day
),

expected as (
    select distinct
        e.reporter_code,
        e.period,
        p.first_day,
        p.last_day
    from {{ ref('int_expected_reports') }} as e
    inner join {{ ref('int_periods') }} as p on e.period = p.period
    where {{ rebuilt_periods_only('e.period') }}
),

months_covered as (
    -- each month of an expected period: when a figure for the period or a part of it
    -- covering that month first arrived (null while none has)
    select
        e.reporter_code,
        e.period,
        m.period as month,
        min(a.first_seen_at) as first_seen_at
    from expected as e
    inner join {{ ref('int_periods') }} as m
        on m.period_type = 'month' and m.first_day between e.first_day and e.last_day
    left join first_arrivals as a
        on
            e.reporter_code = a.unit_code
            and e.first_day <= a.first_day and e.last_day >= a.last_day
            and m.first_day >= a.first_day and m.last_day <= a.last_day
    group by e.reporter_code, e.period, m.period
)

select
    reporter_code,
    period,
    -- null unless every month is covered
    case when count(first_seen_at) = count(*) then max(first_seen_at) end as arrived_at
from months_covered
group by reporter_code, period
