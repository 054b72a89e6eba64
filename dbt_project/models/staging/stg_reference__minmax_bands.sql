with source as (
    select * from {{ ref('minmax_bands') }}
),

renamed as (
    select
        unit_code,
        element_code,
        min_value,
        max_value
    from source
)

select * from renamed
