-- The newest submission of a (unit, period, layout) supersedes the older ones:
-- newest by the file's submission time (its modification time on arrival), ties broken by
-- submission id (content hash), so re-ingesting the same files never changes the choice.
-- Older ones stay as history.
select
    *,
    row_number() over (
        partition by unit_code, period, layout
        order by submitted_at desc, submission_id desc
    ) = 1 as is_current
from {{ ref('stg_raw__submissions') }}
where status = 'loaded'
