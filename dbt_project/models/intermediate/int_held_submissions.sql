-- What an approval holds (docs/spec/portal.md, "Sign off"), one row per held sheet and unit.
-- An approved unit-period is locked: a report of it that arrived after the approval (the
-- portal's receipt, else the pipeline's first sighting: int_submissions) is read, archived
-- and listed, but its values stay out of the published marts, the approved ones staying,
-- until the province's office grants an exception for that unit-period after that approval,
-- or a reviewer returns the period after it (a return asks the clerk for a correction); then
-- its values flow as any correction's and wait to be approved again.
-- A report is a sheet of the unit's own (unit_code is the sheet's: int_submissions_ranked
-- leaves the sheet out) or, in a district's table (layout B), a commune's row that sends a
-- value (spreadsheets.md: a table carries one report per commune row; unit_code is the
-- commune's, report_unit_code the district's: int_values_sent leaves the row out, the
-- table's other rows flow). A table is also the district's own report, held whole while the
-- district's period is locked.
-- The lock in force is the latest approval before the report arrived: approving again later
-- does not release it, and an exception or a return decided before that approval does not
-- count. A return alone is no lock. The portal shows the same rule (portal/office/signoff.py,
-- lock_state). Times are UTC.
-- A lock keeps approved values: where the unit-period had no report that arrived by the
-- approval (its own sheet or its row in a table: a warehouse rebuilt without its first
-- sightings, an approval dated before every file), there is nothing approved to keep, and
-- nothing is held rather than the figures blanked.
-- A decision rebuilds its period (int_rebuild_periods), so the incremental models follow.
with approvals as (
    select
        unit_code,
        period,
        decided_at
    from {{ ref('stg_raw__decisions') }}
    where decision = 'approved'
),

approved_periods as (
    select distinct
        unit_code,
        period
    from approvals
),

releases as (
    -- what lifts a lock decided before it: the office's exception, or the reviewer's return
    select
        unit_code,
        period,
        decided_at
    from {{ ref('stg_raw__decisions') }}
    where decision in ('exception', 'returned')
),

loaded as (
    select * from {{ ref('int_submissions') }}
    where status = 'loaded'
),

reports as (
    -- every report of a unit-period: each loaded sheet for its own unit, and each row of a
    -- district's table that sends a value for its commune (an empty cell is no value sent);
    -- rows only of approved commune-periods, the only ones a lock reads
    select
        submission_id,
        unit_code,
        period,
        first_seen_at
    from loaded
    union
    select
        s.submission_id,
        v.unit_code,
        v.period,
        s.first_seen_at
    from loaded as s
    inner join {{ ref('stg_raw__values') }} as v on s.submission_id = v.submission_id
    inner join approved_periods as a on v.unit_code = a.unit_code and v.period = a.period
    where
        s.layout = 'B'
        and not (v.value is null and v.missing_reason = 'not_reported')
),

locks as (
    -- each report that arrived after an approval of its unit-period: the latest such
    select
        r.submission_id,
        r.unit_code,
        r.period,
        max(a.decided_at) as approved_at
    from reports as r
    inner join approvals as a
        on
            r.unit_code = a.unit_code
            and r.period = a.period
            and r.first_seen_at > a.decided_at
    group by r.submission_id, r.unit_code, r.period
)

select
    s.submission_id,
    s.file_sha256,
    s.source_file,
    s.sheet_name,
    l.unit_code,
    s.unit_code as report_unit_code,
    l.period,
    s.period_type,
    s.portal_sender,
    s.rows_loaded,
    s.first_seen_at as arrived_at,
    l.approved_at
from locks as l
inner join loaded as s on l.submission_id = s.submission_id
where not exists (
    select 1 from releases as e
    where
        e.unit_code = l.unit_code
        and e.period = l.period
        and e.decided_at > l.approved_at
)
and exists (
    select 1 from reports as b
    where
        b.unit_code = l.unit_code
        and b.period = l.period
        and b.first_seen_at <= l.approved_at
)
