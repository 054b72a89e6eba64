-- Expected reports (from the reporting calendar and the unit list as it stood in the
-- period) against those received and received on time, for every unit above a commune.
with expected as (
    select
        a.ancestor_code as unit_code,
        c.period,
        u.unit_code as reporter_code,
        u.unit_name as reporter_name,
        c.due_date
    from {{ ref('reporting_calendar') }} as c
    inner join {{ ref('int_units_in_period') }} as u
        on c.period = u.period and c.unit_level = u.unit_level
    inner join {{ ref('int_unit_ancestors') }} as a
        on u.unit_code = a.unit_code and u.period = a.period
),

received as (
    select
        unit_code,
        period,
        min(submitted_at) as first_submitted_at
    from {{ ref('int_submissions_ranked') }}
    group by unit_code, period
),

joined as (
    select
        e.*,
        r.first_submitted_at
    from expected as e
    left join received as r on e.reporter_code = r.unit_code and e.period = r.period
)

select
    unit_code,
    period,
    count(*) as expected_reports,
    count(first_submitted_at) as received_reports,
    -- submitted_at is UTC; due dates are Vietnam dates (UTC+7, no daylight saving)
    count(*) filter (where first_submitted_at + interval 7 hour < due_date + interval 1 day) as on_time_reports,
    round(100.0 * count(first_submitted_at) / count(*), 2) as completeness_pct,
    coalesce(
        string_agg(reporter_name, ', ' order by reporter_code) filter (where first_submitted_at is null),
        ''
    ) as missing_units
from joined
group by unit_code, period
