select
    s.submission_id,
    s.file_sha256,
    f.original_path as source_file,
    s.sheet_name,
    s.layout,
    s.unit_code,
    s.period,
    s.period_type,
    s.submitted_at,
    f.first_seen_at,
    s.ingested_at,
    s.status,
    s.rows_read,
    s.rows_loaded,
    s.rows_quarantined
from {{ source('raw', 'submissions') }} as s
inner join {{ source('raw', 'files') }} as f on s.file_sha256 = f.file_sha256
