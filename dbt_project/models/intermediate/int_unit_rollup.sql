-- Unit roll-up, per view: a unit's value is its own figure plus its descendants', by each
-- element's rule over units. "sum" adds; "count_yes" counts yes answers (own answers are
-- 1 or 0, carried ones already counts); "average" is the mean over all reporting units
-- below (not a mean of district means); "none" is never derived.
{{ config(materialized='incremental', incremental_strategy='replace_periods', on_schema_change='sync_all_columns') }}
with contributions as (
    select
        v.unit_view,
        a.ancestor_code as unit_code,
        v.period,
        v.period_type,
        v.element_code,
        v.agg_over_units,
        v.is_additive,
        a.depth,
        v.value,
        v.is_partial,
        v.is_approximate,
        v.months_reported
    from {{ ref('int_values_with_rules') }} as v
    inner join {{ ref('int_unit_ancestors') }} as a
        on v.unit_view = a.unit_view and v.unit_code = a.unit_code and v.period = a.period
    where (v.agg_over_units != 'none' or a.depth = 0) and {{ rebuilt_periods_only('v.period') }}
)

select
    unit_view,
    unit_code,
    period,
    any_value(period_type) as period_type,
    element_code,
    -- Sums in DECIMAL: exact, so the result never depends on the order DuckDB's parallel
    -- aggregation adds the parts in, and a rebuild reproduces the marts bit for bit.
    case any_value(agg_over_units)
        when 'sum' then sum(value::decimal(38, 10))::double
        when 'count_yes' then sum(value::decimal(38, 10))::double
        when 'average' then (sum(value::decimal(38, 10)) / count(value))::double
        else max(value)
    end as value,
    count(*) as reporting_units,
    bool_or(is_partial) as is_partial,
    bool_or(is_approximate) as is_approximate,
    -- the furthest month reported below: a province's pace is its communes' months
    max(months_reported) as months_reported,
    any_value(is_additive) as is_additive
from contributions
group by unit_view, unit_code, period, element_code
