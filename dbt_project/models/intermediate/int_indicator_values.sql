-- Computed indicators from rolled-up parts at every level: a ratio of summed numerators
-- and denominators, never an average of the children's ratios.
with indicators as (
    select * from {{ ref('stg_reference__indicators') }}
    where kind = 'indicator'
),

ratios as (
    select
        n.unit_code,
        n.period,
        n.period_type,
        i.indicator_code,
        100 * n.value / nullif(d.value, 0) as value,
        n.value as numerator,
        d.value as denominator,
        n.is_partial or d.is_partial as is_partial
    from indicators as i
    inner join {{ ref('int_unit_rollup') }} as n on i.numerator_code = n.element_code
    inner join {{ ref('int_unit_rollup') }} as d
        on i.denominator_code = d.element_code and n.unit_code = d.unit_code and n.period = d.period
),

xa_counts as (
    -- The NTM share's denominator: every xã of the unit in the unit list, reported or not.
    select
        a.ancestor_code as unit_code,
        a.period,
        count(*) as xa_total
    from {{ ref('int_unit_ancestors') }} as a
    inner join {{ ref('int_units_in_period') }} as u
        on a.unit_code = u.unit_code and a.period = u.period
    where u.unit_type = 'Xã'
    group by a.ancestor_code, a.period
),

ntm_share as (
    select
        r.unit_code,
        r.period,
        r.period_type,
        'NTM_COMMUNE_RATE' as indicator_code,
        100 * r.value / x.xa_total as value,
        r.value as numerator,
        x.xa_total as denominator,
        r.is_partial
    from {{ ref('int_unit_rollup') }} as r
    inner join xa_counts as x on r.unit_code = x.unit_code and r.period = x.period
    where r.element_code = 'NTM_STATUS'
),

ntm_districts as (
    select
        unit_code,
        period,
        period_type,
        'NTM_DISTRICT_COUNT' as indicator_code,
        value,
        value as numerator,
        null::double as denominator,
        is_partial
    from {{ ref('int_unit_rollup') }}
    where element_code = 'NTM_DISTRICT_STATUS'
)

select * from ratios
union all
select * from ntm_share
union all
select * from ntm_districts
