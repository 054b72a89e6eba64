with source as (
    select * from {{ ref('finding_rules') }}
),

renamed as (
    select
        rule,
        severity,
        found_by,
        scope,
        title_en,
        title_vi
    from source
)

select * from renamed
