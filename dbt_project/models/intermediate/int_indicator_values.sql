-- Computed indicators from rolled-up parts at every level and in both views: a ratio of
-- summed numerators and denominators, never an average of the children's ratios, or a count
-- (a numerator without a denominator). The NTM share's denominator is XA_COUNT (the var
-- xa_count_element), every xã of the unit in the unit list, reported or not.
{{ config(materialized='incremental', incremental_strategy='replace_periods', on_schema_change='sync_all_columns') }}
with indicators as (
    select * from {{ ref('stg_reference__indicators') }}
    where kind = 'indicator'
),

ratios as (
    select
        n.unit_view,
        n.unit_code,
        n.period,
        n.period_type,
        i.indicator_code,
        100 * n.value / nullif(d.value, 0) as value,
        n.value as numerator,
        d.value as denominator,
        n.is_partial or d.is_partial as is_partial,
        n.is_approximate or d.is_approximate as is_approximate
    from indicators as i
    inner join {{ ref('int_unit_rollup') }} as n on i.numerator_code = n.element_code
    inner join {{ ref('int_unit_rollup') }} as d
        on
            i.denominator_code = d.element_code and n.unit_view = d.unit_view
            and n.unit_code = d.unit_code and n.period = d.period
    where {{ rebuilt_periods_only('n.period') }}
),

counts as (
    -- An indicator with a numerator and no denominator in the catalogue is a count: its
    -- numerator rolled up (NTM_DISTRICT_COUNT, the districts with NTM_DISTRICT_STATUS yes).
    select
        n.unit_view,
        n.unit_code,
        n.period,
        n.period_type,
        i.indicator_code,
        n.value,
        n.value as numerator,
        null::double as denominator,
        n.is_partial,
        n.is_approximate
    from indicators as i
    inner join {{ ref('int_unit_rollup') }} as n on i.numerator_code = n.element_code
    where i.denominator_code is null and {{ rebuilt_periods_only('n.period') }}
)

select * from ratios
union all
select * from counts
