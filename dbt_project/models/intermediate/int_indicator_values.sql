-- Computed indicators from rolled-up parts at every level and in both views: a ratio of
-- summed numerators and denominators, never an average of the children's ratios. The NTM
-- share's denominator is XA_COUNT, every xã of the unit in the unit list, reported or not.
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
),

ntm_districts as (
    select
        unit_view,
        unit_code,
        period,
        period_type,
        'NTM_DISTRICT_COUNT' as indicator_code,
        value,
        value as numerator,
        null::double as denominator,
        is_partial,
        is_approximate
    from {{ ref('int_unit_rollup') }}
    where element_code = 'NTM_DISTRICT_STATUS'
)

select * from ratios
union all
select * from ntm_districts
