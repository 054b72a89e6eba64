-- The targets in force: for each year, unit and indicator, the row of the newest targets
-- workbook that names it, so the office corrects a target by sending the workbook again.
-- Newest by arrival (first seen by the pipeline), as for reports: a copy that keeps an old
-- file time is still the correction; the file time only orders one scan's arrivals, ties
-- by submission id.
select
    t.year,
    t.unit_code,
    t.indicator_code,
    t.target_kind,
    t.target_low,
    t.target_high,
    t.target_source,
    s.source_file,
    t.sheet_name,
    t.row_number
from {{ ref('stg_raw__targets') }} as t
inner join {{ ref('int_submissions') }} as s on t.submission_id = s.submission_id
qualify row_number() over (
    partition by t.year, t.unit_code, t.indicator_code
    order by s.first_seen_at desc, s.submitted_at desc, t.submission_id desc, t.row_number desc
) = 1
