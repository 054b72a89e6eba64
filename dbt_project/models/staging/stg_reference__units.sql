select
    unit_code,
    unit_name,
    unit_type,
    unit_level,
    nullif(parent_code, '') as parent_code,
    province_code,
    valid_from,
    valid_to
from {{ ref('admin_units') }}
