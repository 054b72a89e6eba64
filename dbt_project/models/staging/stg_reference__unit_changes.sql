with source as (
    select * from {{ ref('admin_unit_changes') }}
),

renamed as (
    select
        old_code,
        old_name,
        new_code,
        new_name,
        is_split,
        is_default_new,
        effective_date,
        share
    from source
)

select * from renamed
