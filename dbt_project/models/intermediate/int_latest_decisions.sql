-- The decision in force on each unit-period (docs/spec/portal.md, "Sign off"): its latest
-- approval, return or exception, by when it was made (the portal's decision number breaks a
-- tie). The province's acceptance of a period is not a decision on a unit's figures and is
-- left out. Only an approval as latest decision puts an approval in force: a return sends
-- the figures back, and an exception lets new values in, which go through approval again.
-- int_approval_status compares an approval's fingerprint with the figures published now.
with ranked as (
    select
        unit_code,
        period,
        decision,
        decided_by,
        decided_at,
        figures_sha256,
        decision_id,
        row_number() over (
            partition by unit_code, period
            order by decided_at desc, decision_id desc nulls last
        ) as recency
    from {{ ref('stg_raw__decisions') }}
    where decision in ('approved', 'returned', 'exception')
)

select
    unit_code,
    period,
    decision as latest_decision,
    decided_by,
    decided_at,
    figures_sha256,
    decision_id
from ranked
where recency = 1
