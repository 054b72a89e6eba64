-- Each target against the year's actual. A "change" target compares with the previous
-- year on today's units (the comparable series), so a year after a change of units is
-- measured against the same territory. Before a year is complete (a value derived from part of the year), the pace so far
-- decides: flows are projected to twelve months, stocks are taken as they stand.
with targets as (
    select * from {{ ref('int_targets') }}
),

actuals as (
    select
        unit_view,
        unit_code,
        indicator_code,
        period,
        value,
        is_partial
    from {{ ref('int_published_values') }}
    where period_type = 'year'
),

months_reported as (
    select
        unit_code,
        period,
        element_code,
        months_reported
    from {{ ref('int_values_over_time') }}
    where unit_view = 'as_reported' and period_type = 'year' and is_derived
),

joined as (
    select
        t.*,
        cur.value as current_value,
        prev.value as previous_value,
        coalesce(cur.is_partial, false) as is_partial,
        e.agg_over_time,
        m.months_reported
    from targets as t
    left join actuals as cur
        on
            cur.unit_view = case when t.target_kind = 'change' then 'current_units' else 'as_reported' end
            and t.unit_code = cur.unit_code and t.indicator_code = cur.indicator_code
            and cur.period = cast(t.year as varchar)
    left join actuals as prev
        on
            prev.unit_view = 'current_units'
            and t.unit_code = prev.unit_code and t.indicator_code = prev.indicator_code
            and prev.period = cast(t.year - 1 as varchar)
    left join {{ ref('stg_reference__indicators') }} as e on t.indicator_code = e.indicator_code
    left join months_reported as m
        on
            t.unit_code = m.unit_code and t.indicator_code = m.element_code
            and m.period = cast(t.year as varchar)
),

measured as (
    select
        *,
        case
            when target_kind = 'change' then current_value - previous_value
            when is_partial and agg_over_time = 'sum' and months_reported > 0
                then current_value * 12 / months_reported
            else current_value
        end as actual
    from joined
),

judged as (
    select
        *,
        case
            when actual is null then null
            when target_kind = 'at_least' then actual >= target_low
            when target_kind = 'at_most' then actual <= target_low
            else actual between target_low and target_high
        end as within_target
    from measured
)

select
    unit_code,
    indicator_code,
    year,
    target_kind,
    target_low,
    target_high,
    target_source,
    round(actual, 4) as actual,
    round(
        case
            when within_target then 0
            when target_kind = 'at_least' then actual - target_low
            when target_kind = 'at_most' then actual - target_low
            when actual < target_low then actual - target_low
            else actual - target_high
        end, 4
    ) as gap,
    is_partial as is_year_to_date,
    case
        when actual is null then 'no_data'
        when is_partial and within_target then 'on_track'
        when is_partial then 'at_risk'
        when within_target then 'met'
        else 'missed'
    end as status
from judged
