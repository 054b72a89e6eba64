-- The targets in force: for each year, unit and indicator, the row of the newest targets
-- workbook that names it (newest by submission time, ties by submission id), so the office
-- corrects a target by sending the workbook again.
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
    order by s.submitted_at desc, t.submission_id desc, t.row_number desc
) = 1
