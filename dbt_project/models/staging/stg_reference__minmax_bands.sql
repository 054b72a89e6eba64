select
    unit_code,
    element_code,
    min_value,
    max_value
from {{ ref('minmax_bands') }}
