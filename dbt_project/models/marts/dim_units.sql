-- Administrative units with their validity dates: a unit is its code plus its validity.
select
    unit_code,
    unit_name,
    unit_type,
    unit_level,
    parent_code,
    province_code,
    valid_from,
    valid_to
from {{ ref('stg_reference__units') }}
