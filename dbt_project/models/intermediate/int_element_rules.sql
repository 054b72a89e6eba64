-- Every data element with its aggregation rules and the levels that report it as their own
-- part, plus XA_COUNT, the number of xã a unit covers, derived from the unit list (the NTM
-- share's denominator). One place for the models that need an element's rule.
select
    indicator_code as element_code,
    agg_over_units,
    agg_over_time,
    agg_over_units in ('sum', 'count_yes') as is_additive,
    string_split(nullif(reported_by, ''), ';') as reported_by
from {{ ref('stg_reference__indicators') }}
where kind = 'element'
union all
select
    '{{ var("xa_count_element") }}' as element_code,
    'sum' as agg_over_units,
    'last' as agg_over_time,
    true as is_additive,
    ['{{ var("xa_reported_by") }}'] as reported_by
