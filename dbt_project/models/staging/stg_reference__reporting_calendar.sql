with source as (
    select * from {{ ref('reporting_calendar') }}
),

renamed as (
    select
        unit_level,
        period_type,
        due_days,
        valid_from,
        valid_to
    from source
)

select * from renamed
