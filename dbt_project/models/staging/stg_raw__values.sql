with source as (
    select * from {{ source('raw', 'values') }}
),

renamed as (
    select
        submission_id,
        unit_code,
        period,
        element_code,
        value,
        missing_reason,
        raw_text,
        sheet_name,
        row_number,
        cell
    from source
)

select * from renamed
