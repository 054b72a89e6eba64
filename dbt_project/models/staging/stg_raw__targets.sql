select
    t.submission_id,
    t.year,
    t.unit_code,
    t.indicator_code,
    t.target_kind,
    t.target_low,
    t.target_high,
    t.source as target_source,
    t.sheet_name,
    t.row_number,
    s.source_file,
    s.submitted_at
from {{ source('raw', 'targets') }} as t
inner join {{ ref('stg_raw__submissions') }} as s on t.submission_id = s.submission_id
