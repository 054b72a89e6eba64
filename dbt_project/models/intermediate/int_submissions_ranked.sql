-- The newest report of a (unit, period, layout) supersedes the older ones; the older stay
-- as history. "Newest" is the order files reached the inbox (first seen by the pipeline);
-- a file's modification time only orders files first seen in the same scan, so a copy that
-- keeps an old time cannot let an old figure win; ties by content hash, so re-ingesting the
-- same files never changes the choice. A report may come in pieces (two sheets of one
-- workbook, two tables of one district): every sheet of the newest file is current.
-- A sheet held by its own unit-period's approval (int_held_submissions, unit_code the
-- sheet's) is left out: the approved report stays current until the office grants an
-- exception. A commune's held row in a district's table is left out by int_values_sent.
select
    *,
    dense_rank() over (
        partition by unit_code, period, layout
        order by first_seen_at desc, submitted_at desc, file_sha256 desc
    ) = 1 as is_current
from {{ ref('int_submissions') }} as s
where
    status = 'loaded'
    and not exists (
        select 1 from {{ ref('int_held_submissions') }} as h
        where h.submission_id = s.submission_id and h.unit_code = s.unit_code
    )
