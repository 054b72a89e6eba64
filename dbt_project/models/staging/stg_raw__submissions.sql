-- One row per sheet read; the file it came from is joined in int_submissions.
with source as (
    select * from {{ source('raw', 'submissions') }}
),

renamed as (
    select
        submission_id,
        file_sha256,
        sheet_index,
        sheet_name,
        layout,
        unit_code,
        period,
        period_type,
        submitted_at,
        ingested_at,
        status,
        rows_read,
        rows_loaded,
        rows_quarantined
    from source
)

select * from renamed
