-- Everything the reader refused, quarantined, flagged or noted (info included; the marts'
-- selection is int_reader_findings).
with source as (
    select * from {{ source('raw', 'findings') }}
),

renamed as (
    select
        file_sha256,
        source_file,
        sheet_name,
        row_number,
        cell,
        raw_text,
        rule,
        severity,
        message,
        message_vi,
        unit_code,
        element_code,
        period,
        found_at
    from source
)

select * from renamed
