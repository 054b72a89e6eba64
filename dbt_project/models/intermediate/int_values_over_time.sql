-- Time roll-up: months to quarters, halves and years by each element's rule.
-- Flows ("sum") add up; stocks ("last") take the latest month reported; "none" elements
-- are never derived. A period reported directly keeps its reported value. A derived
-- period with fewer months than it spans is marked partial, not presented as complete.
with monthly as (
    select
        v.*,
        e.agg_over_time
    from {{ ref('int_current_values') }} as v
    inner join {{ ref('stg_reference__indicators') }} as e on v.element_code = e.indicator_code
    where v.period_type = 'month' and v.value is not null and e.agg_over_time in ('sum', 'last')
),

month_parents as (
    select
        m.*,
        p.period as parent_period,
        p.period_type as parent_type,
        p.months_in_period
    from monthly as m
    inner join {{ ref('int_periods') }} as p
        on
            p.period_type in ('quarter', 'half', 'year')
            and {{ period_first_day('m.period') }} between p.first_day and p.last_day
),

derived as (
    select
        unit_code,
        parent_period as period,
        parent_type as period_type,
        element_code,
        case
            when any_value(agg_over_time) = 'sum' then sum(value::decimal(38, 10))::double
            else arg_max(value, period)
        end as value,
        count(distinct period) as months_reported,
        any_value(months_in_period) as months_in_period
    from month_parents
    group by unit_code, parent_period, parent_type, element_code
),

reported as (
    select
        unit_code,
        period,
        period_type,
        element_code,
        value,
        false as is_derived,
        null::integer as months_reported,
        false as is_partial
    from {{ ref('int_current_values') }}
    where value is not null
)

select * from reported
union all
select
    d.unit_code,
    d.period,
    d.period_type,
    d.element_code,
    d.value,
    true as is_derived,
    d.months_reported,
    d.months_reported < d.months_in_period as is_partial
from derived as d
where not exists (
    select 1 from reported as r
    where r.unit_code = d.unit_code and r.period = d.period and r.element_code = d.element_code
)
