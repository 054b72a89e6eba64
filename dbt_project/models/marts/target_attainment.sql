-- Each target against the year's actual (indicators.md, "Targets"). A "change" target
-- compares with the previous year on today's units (the comparable series), so a year
-- after a change of units is measured against the same territory.
-- A year is closed once its last day has passed (as of the build's day): a closed year is
-- met, exceeded, missed or without data, judged on what was reported (is_partial says when
-- that is less than the year). Before it closes, the pace decides: flows are projected
-- from the months reported below the target's unit (a province's pace is its communes'
-- months), stocks are taken as they stand, and the status is on_track or at_risk.
-- Beyond a range or a change target in the indicator's desirable direction is "exceeded"
-- (đạt và vượt), which counts as met.
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
    from {{ ref('int_unit_rollup') }}
    where unit_view = 'as_reported' and period_type = 'year'
),

joined as (
    select
        t.*,
        cur.value as current_value,
        prev.value as previous_value,
        coalesce(cur.is_partial, false) or coalesce(prev.is_partial, false) as is_partial,
        make_date(t.year, 12, 31) < {{ as_of_date() }} as is_closed,
        e.agg_over_time,
        coalesce(e.direction, 'higher') as direction,
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
            when not is_closed and is_partial and agg_over_time = 'sum' and months_reported > 0
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
        end as within_target,
        target_kind in ('range', 'change') and (
            (direction = 'higher' and actual > target_high)
            or (direction = 'lower' and actual < target_low)
        ) as beyond_in_good_direction
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
    direction,
    round(actual, 4) as actual,
    round(
        case
            when within_target or beyond_in_good_direction then 0
            when target_kind in ('at_least', 'at_most') then actual - target_low
            when actual < target_low then actual - target_low
            else actual - target_high
        end, 4
    ) as gap,
    is_partial,
    not is_closed as is_year_to_date,
    case
        when actual is null then 'no_data'
        when not is_closed and (within_target or beyond_in_good_direction) then 'on_track'
        when not is_closed then 'at_risk'
        when within_target then 'met'
        when beyond_in_good_direction then 'exceeded'
        else 'missed'
    end as status
from judged
