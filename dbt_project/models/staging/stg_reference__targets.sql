select
    year,
    unit_code,
    indicator_code,
    target_kind,
    target_low,
    target_high,
    source as target_source
from {{ ref('targets') }}
