-- One row per distinct file received (by SHA-256): where it was first seen and archived.
-- Its arrival (first_seen_at) is the portal's receipt time for a file sent through the
-- portal (docs/spec/spreadsheets.md), else when the pipeline first saw it.
with source as (
    select * from {{ source('raw', 'files') }}
),

receipts as (
    select * from {{ ref('stg_raw__receipts') }}
),

renamed as (
    select
        f.file_sha256,
        f.original_path as source_file,
        f.file_name,
        f.size_bytes,
        f.submitted_at,
        coalesce(r.received_at, f.first_seen_at) as first_seen_at,
        f.first_seen_at as pipeline_first_seen_at,
        r.sender as portal_sender,
        f.archive_path,
        f.status as file_status,
        f.sheets_read,
        f.rows_read,
        f.rows_loaded,
        f.rows_quarantined,
        f.parser_version
    from source as f
    left join receipts as r on f.file_sha256 = r.file_sha256
)

select * from renamed
