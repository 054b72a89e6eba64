-- Every sheet read, with the file it came from (its path as sent and when it arrived, which
-- orders reports in int_submissions_ranked and judges timeliness). A file sent through the
-- office's portal arrived at its receipt's time (docs/spec/spreadsheets.md); any other file
-- when the pipeline first saw it.
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
    coalesce(r.received_at, f.first_seen_at) as first_seen_at,
    f.first_seen_at as pipeline_first_seen_at,
    r.sender as portal_sender,
    s.ingested_at,
    s.status,
    s.rows_read,
    s.rows_loaded,
    s.rows_quarantined
from {{ ref('stg_raw__submissions') }} as s
inner join {{ ref('stg_raw__files') }} as f on s.file_sha256 = f.file_sha256
left join {{ ref('stg_raw__receipts') }} as r on s.file_sha256 = r.file_sha256
