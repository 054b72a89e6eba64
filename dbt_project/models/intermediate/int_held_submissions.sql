-- The sheets an approval holds (docs/spec/portal.md, "Sign off"). An approved unit-period is
-- locked: a sheet of it that arrived after the approval (the portal's receipt, else the
-- pipeline's first sighting: int_submissions) is read, archived and listed, but its values
-- stay out of the published marts, the approved ones staying (int_submissions_ranked leaves
-- it out), until the province's office grants an exception after that approval; then its
-- values flow as any correction's and wait to be approved again.
-- The lock in force is the latest approval before the sheet arrived: approving again later
-- does not release a held sheet, and an exception granted before that approval does not
-- count. A return neither locks nor unlocks. The portal shows the same rule to the clerk
-- (portal/office/signoff.py, lock_state). Times are UTC.
-- A lock keeps approved values: where the unit-period has no loaded sheet that arrived by
-- the approval (a warehouse rebuilt without its first sightings, an approval dated before
-- every file), there is nothing approved to keep, and nothing is held rather than the
-- figures blanked.
-- A decision rebuilds its period (int_rebuild_periods), so the incremental models follow.
with approvals as (
    select
        unit_code,
        period,
        decided_at
    from {{ ref('stg_raw__decisions') }}
    where decision = 'approved'
),

exceptions as (
    select
        unit_code,
        period,
        decided_at
    from {{ ref('stg_raw__decisions') }}
    where decision = 'exception'
),

locks as (
    -- each loaded sheet that arrived after an approval of its unit-period: the latest such
    select
        s.submission_id,
        max(a.decided_at) as approved_at
    from {{ ref('int_submissions') }} as s
    inner join approvals as a
        on
            s.unit_code = a.unit_code
            and s.period = a.period
            and s.first_seen_at > a.decided_at
    where s.status = 'loaded'
    group by s.submission_id
)

select
    s.submission_id,
    s.file_sha256,
    s.source_file,
    s.sheet_name,
    s.unit_code,
    s.period,
    s.period_type,
    s.portal_sender,
    s.rows_loaded,
    s.first_seen_at as arrived_at,
    l.approved_at
from locks as l
inner join {{ ref('int_submissions') }} as s on l.submission_id = s.submission_id
where not exists (
    select 1 from exceptions as e
    where
        e.unit_code = s.unit_code
        and e.period = s.period
        and e.decided_at > l.approved_at
)
and exists (
    select 1 from {{ ref('int_submissions') }} as b
    where
        b.unit_code = s.unit_code
        and b.period = s.period
        and b.status = 'loaded'
        and b.first_seen_at <= l.approved_at
)
