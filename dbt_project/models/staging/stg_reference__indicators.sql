with source as (
    select * from {{ ref('indicators') }}
),

renamed as (
    select
        indicator_code,
        kind,
        name_vi as indicator_name,
        name_en as indicator_name_en,
        unit_of_measure,
        value_type,
        reported_by,
        agg_over_units,
        agg_over_time,
        min_value,
        max_value,
        numerator_code,
        denominator_code,
        formula,
        direction,
        decimals,
        valid_from,
        valid_to
    from source
)

select * from renamed
