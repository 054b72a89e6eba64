-- One row per distinct file received (by SHA-256): where it was first seen and archived.
with source as (
    select * from {{ source('raw', 'files') }}
),

renamed as (
    select
        file_sha256,
        original_path as source_file,
        file_name,
        size_bytes,
        submitted_at,
        first_seen_at,
        archive_path,
        status as file_status,
        sheets_read,
        rows_read,
        rows_loaded,
        rows_quarantined,
        parser_version
    from source
)

select * from renamed
