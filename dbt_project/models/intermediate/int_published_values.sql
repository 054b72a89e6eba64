-- Every data element and indicator, for every unit and period where it has a value, in
-- both views, with the unit as it stood in that view (the marts split them).
{{ config(materialized='incremental', incremental_strategy='replace_periods', on_schema_change='sync_all_columns') }}
with elements as (
    select
        unit_view,
        unit_code,
        period,
        period_type,
        element_code as indicator_code,
        value,
        null::double as numerator,
        null::double as denominator,
        is_partial,
        is_approximate,
        reporting_units
    from {{ ref('int_unit_rollup') }}
    where {{ rebuilt_periods_only('period') }}
),

indicators as (
    select
        unit_view,
        unit_code,
        period,
        period_type,
        indicator_code,
        value,
        numerator,
        denominator,
        is_partial,
        is_approximate,
        null::bigint as reporting_units
    from {{ ref('int_indicator_values') }}
    where {{ rebuilt_periods_only('period') }}
),

combined as (
    select * from elements
    union all
    select * from indicators
)

select
    c.unit_view,
    c.unit_code,
    u.unit_name,
    u.unit_level,
    u.unit_type,
    u.parent_code,
    c.indicator_code,
    i.indicator_name,
    i.kind as indicator_kind,
    c.period,
    c.period_type,
    c.value,
    c.numerator,
    c.denominator,
    i.unit_of_measure,
    c.is_partial,
    c.is_approximate,
    c.reporting_units
from combined as c
inner join {{ ref('int_units_in_period') }} as u
    on c.unit_view = u.unit_view and c.unit_code = u.unit_code and c.period = u.period
inner join {{ ref('stg_reference__indicators') }} as i on c.indicator_code = i.indicator_code
