-- Every sheet read, with the file it came from (its path as sent and when the pipeline
-- first saw it, which orders reports in int_submissions_ranked).
select
    s.submission_id,
    s.file_sha256,
    f.source_file,
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
from {{ ref('stg_raw__submissions') }} as s
inner join {{ ref('stg_raw__files') }} as f on s.file_sha256 = f.file_sha256
