-- Data elements and computed indicators of the catalogue, with their aggregation rules.
select
    indicator_code,
    kind,
    indicator_name,
    indicator_name_en,
    unit_of_measure,
    value_type,
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
from {{ ref('stg_reference__indicators') }}
