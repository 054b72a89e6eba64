-- Every data element with its aggregation rules, plus XA_COUNT, the number of xã a unit
-- covers, derived from the unit list (the NTM share's denominator). One place for the
-- models that need an element's rule.
select
    indicator_code as element_code,
    agg_over_units,
    agg_over_time,
    agg_over_units in ('sum', 'count_yes') as is_additive
from {{ ref('stg_reference__indicators') }}
where kind = 'element'
union all
select
    'XA_COUNT' as element_code,
    'sum' as agg_over_units,
    'last' as agg_over_time,
    true as is_additive
