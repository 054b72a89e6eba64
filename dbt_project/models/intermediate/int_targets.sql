-- The targets in force: for each year, unit and indicator, the row of the newest targets
-- workbook that names it (newest by submission time, ties by submission id), so the office
-- corrects a target by sending the workbook again.
select
    year,
    unit_code,
    indicator_code,
    target_kind,
    target_low,
    target_high,
    target_source,
    source_file,
    sheet_name,
    row_number
from {{ ref('stg_raw__targets') }}
qualify row_number() over (
    partition by year, unit_code, indicator_code
    order by submitted_at desc, submission_id desc, row_number desc
) = 1
