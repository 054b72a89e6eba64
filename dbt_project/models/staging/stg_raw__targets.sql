-- Targets read from the planning office's targets workbooks, every version; the workbook
-- each came from is joined in int_targets.
with source as (
    select * from {{ source('raw', 'targets') }}
),

renamed as (
    select
        submission_id,
        year,
        unit_code,
        indicator_code,
        target_kind,
        target_low,
        target_high,
        source as target_source,
        sheet_name,
        row_number
    from source
)

select * from renamed
