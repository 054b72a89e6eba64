-- Whether each unit-period's published figures are approved (docs/spec/portal.md, "Sign
-- off"), in both views; marts.approval_status and the approval_status column of the
-- indicator_values marts read it.
-- as_reported, a unit's own status: its figures as marts.indicator_values publishes them
-- (int_published_values) have a fingerprint (macros/figures_fingerprint.sql, the portal's
-- own); with an approval in force (the latest decision, int_latest_decisions) they are
-- approved when the fingerprints agree, changed_after_approval when they differ (an approval
-- recorded without a fingerprint cannot be matched, as on the portal); with none (no
-- decision, a return, an exception) they are awaiting_approval. A held file's values are not
-- published (int_held_submissions), so it changes nothing.
-- as_reported, with the units below it (a district, the province: figures rolled up):
-- changed_after_approval if it or any unit below it with figures in the period is; else
-- approved if it is itself, or if each reporting unit below it (one with no unit below it
-- reporting) is covered by an approval in force on it or on a unit between; else
-- awaiting_approval. A period derived from shorter ones (a year from months) is its own
-- unit-period: its months' approvals do not approve it.
-- current_units (a unit of today carrying the figures of the units before it): combined over
-- every as-reported unit-period carried into it or into a unit below it today: changed if
-- any is, approved if all are, else awaiting.
-- Incremental by period: a status depends on its period's figures and decisions alone, and
-- a decision rebuilds its period (int_rebuild_periods).
{{ config(materialized='incremental', incremental_strategy='replace_periods', on_schema_change='sync_all_columns') }}
with figures as (
    select
        unit_code,
        period,
        any_value(unit_name) as unit_name,
        any_value(period_type) as period_type,
        {{ figures_fingerprint('indicator_code', 'value') }} as current_fingerprint
    from {{ ref('int_published_values') }}
    where unit_view = 'as_reported' and {{ rebuilt_periods_only('period') }}
    group by unit_code, period
),

own as (
    select
        f.unit_code,
        f.unit_name,
        f.period,
        f.period_type,
        f.current_fingerprint,
        d.decided_by as approved_by,
        d.decided_at as approved_at,
        d.figures_sha256 as approved_fingerprint,
        case
            when d.latest_decision is null then 'awaiting_approval'
            when d.figures_sha256 = f.current_fingerprint then 'approved'
            else 'changed_after_approval'
        end as own_status
    from figures as f
    left join {{ ref('int_latest_decisions') }} as d
        on f.unit_code = d.unit_code and f.period = d.period and d.latest_decision = 'approved'
),

members as (
    -- each unit-period with itself and every unit below it with figures in the period
    select
        a.ancestor_code as unit_code,
        a.period,
        a.unit_code as member_code,
        a.depth,
        o.own_status
    from {{ ref('int_unit_ancestors') }} as a
    inner join own as o on a.unit_code = o.unit_code and a.period = o.period
    where a.unit_view = 'as_reported'
),

reporting as (
    -- the members with no member below them: whose figures the others roll up
    select
        m.unit_code,
        m.period,
        exists(
            select 1
            from {{ ref('int_unit_ancestors') }} as c
            inner join own as o on c.ancestor_code = o.unit_code and c.period = o.period
            where
                c.unit_view = 'as_reported' and c.unit_code = m.member_code and c.period = m.period
                and c.depth <= m.depth and o.own_status = 'approved'
        ) as is_covered
    from members as m
    where not exists (
        select 1 from members as b
        where b.unit_code = m.member_code and b.period = m.period and b.depth > 0
    )
),

as_reported as (
    select
        o.unit_code,
        o.unit_name,
        o.period,
        o.period_type,
        case
            when exists (
                select 1 from members as m
                where m.unit_code = o.unit_code and m.period = o.period and m.own_status = 'changed_after_approval'
            ) then 'changed_after_approval'
            when o.own_status = 'approved' then 'approved'
            when not exists (
                select 1 from reporting as r
                where r.unit_code = o.unit_code and r.period = o.period and not r.is_covered
            ) then 'approved'
            else 'awaiting_approval'
        end as approval_status,
        o.approved_by,
        o.approved_at,
        o.approved_fingerprint,
        o.current_fingerprint
    from own as o
),

carried as (
    -- each as-reported unit-period on the units of today its figures reach, and those above
    select
        t.ancestor_code as unit_code,
        s.period,
        s.period_type,
        s.approval_status
    from as_reported as s
    inner join {{ ref('int_units_in_period') }} as u
        on u.unit_view = 'as_reported' and s.period = u.period and s.unit_code = u.unit_code
    inner join {{ ref('int_unit_lineage') }} as l
        on u.unit_key = l.from_key and {{ as_of_date() }} between l.to_valid_from and l.to_valid_to
    inner join {{ ref('int_unit_ancestors') }} as t
        on t.unit_view = 'current_units' and s.period = t.period and l.to_code = t.unit_code
)

select
    'as_reported' as unit_view,
    unit_code,
    unit_name,
    period,
    period_type,
    approval_status,
    approved_by,
    approved_at,
    approved_fingerprint,
    current_fingerprint
from as_reported
union all
select
    'current_units' as unit_view,
    c.unit_code,
    null::varchar as unit_name,
    c.period,
    any_value(c.period_type) as period_type,
    case
        when bool_or(c.approval_status = 'changed_after_approval') then 'changed_after_approval'
        when bool_and(c.approval_status = 'approved') then 'approved'
        else 'awaiting_approval'
    end as approval_status,
    null::varchar as approved_by,
    null::timestamp as approved_at,
    null::varchar as approved_fingerprint,
    null::varchar as current_fingerprint
from carried as c
group by c.unit_code, c.period
