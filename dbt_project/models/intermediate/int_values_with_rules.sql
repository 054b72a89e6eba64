-- The figures that roll up over units: each unit's own figures (int_values_over_time)
-- with their element's aggregation rules, reported totals superseded by the units below
-- left out (they are checked in int_total_mismatches, never counted). The one place the
-- unit roll-up and its reconciliation test read values with their rules.
{{ config(materialized='incremental', incremental_strategy='replace_periods', on_schema_change='sync_all_columns') }}
select
    v.unit_view,
    v.unit_code,
    v.period,
    v.period_type,
    v.element_code,
    v.value,
    v.is_derived,
    v.months_reported,
    v.is_partial,
    v.is_approximate,
    r.agg_over_units,
    r.agg_over_time,
    r.is_additive
from {{ ref('int_values_over_time') }} as v
inner join {{ ref('int_element_rules') }} as r on v.element_code = r.element_code
where not v.is_superseded_total and {{ rebuilt_periods_only('v.period') }}
