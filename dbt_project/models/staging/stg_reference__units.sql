-- A unit is its code plus its validity: 18073 is Phường Nam Hà until 2025-06-30 and
-- Phường Thành Sen from 2025-07-01, two units with one code. unit_key tells them apart.
with source as (
    select * from {{ ref('admin_units') }}
),

renamed as (
    select
        unit_code || '@' || strftime(valid_from, '%Y-%m-%d') as unit_key,
        unit_code,
        unit_name,
        unit_type,
        unit_level,
        nullif(parent_code, '') as parent_code,
        province_code,
        valid_from,
        valid_to
    from source
)

select * from renamed
