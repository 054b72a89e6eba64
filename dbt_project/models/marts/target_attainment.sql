-- Each target against the year's actual (indicators.md, "Targets"; eras.md, "Calendar and
-- targets for every year").
-- The target's unit is the unit its code named in the target year (18073 in 2024 is Phường
-- Nam Hà, in 2025 Phường Thành Sen). A "change" target compares the year with the previous
-- year of the same territory: on today's units when that unit is today's (a new commune's
-- 2025 against its predecessors' 2024), else within the unit as it was, as reported (a
-- district's 2022 against its 2021; the old ward's 2024 against the old ward's 2023, never
-- the new ward that took its code). The same unit the year before is the same unit_key, or
-- the unit its code had before a change that kept the territory (a parent change or a
-- renaming: int_unit_successors' "same code"); a unit formed by a listed change has no such
-- year before as reported (no data rather than a figure of another territory). Other kinds
-- take the year as reported.
-- A year is closed once its last day has passed (as of the build's day): a closed year is
-- met, exceeded, missed or without data, judged on what was reported (is_partial says when
-- that is less than the year). Before it closes, the pace decides: flows are projected
-- from the months reported below the target's unit (a province's pace is its communes'
-- months), stocks are taken as they stand, and the status is on_track or at_risk; a change
-- target on a flow compares the projected year with the previous full year.
-- The actual is judged as published: rounded half up to the indicator's decimals, so an
-- actual on a limit meets it (-2.4000000000000004 is the -2.40 printed, inside -2.40..-2).
-- Beyond a range or a change target in the indicator's desirable direction is "exceeded"
-- (đạt và vượt), which counts as met.
with targets as (
    select * from {{ ref('int_targets') }}
),

units as (
    select * from {{ ref('stg_reference__units') }}
),

-- the unit the code named in the target year: the last of its versions within the year
target_units as (
    select
        t.year,
        t.unit_code,
        arg_max(u.unit_key, u.valid_from) as unit_key
    from targets as t
    inner join units as u
        on
            t.unit_code = u.unit_code
            and u.valid_from <= make_date(t.year, 12, 31)
            and u.valid_to >= make_date(t.year, 1, 1)
    group by t.year, t.unit_code
),

todays_units as (
    select unit_key
    from units
    where {{ as_of_date() }} between valid_from and valid_to
),

actuals as (
    select
        v.unit_view,
        u.unit_key,
        v.indicator_code,
        v.period,
        v.value,
        v.is_partial
    from {{ ref('int_published_values') }} as v
    inner join {{ ref('int_units_in_period') }} as u
        on v.unit_view = u.unit_view and v.unit_code = u.unit_code and v.period = u.period
    where v.period_type = 'year'
),

-- the unit, and the unit its code had before a parent change or a renaming: one territory
same_territory as (
    select
        unit_key as from_key,
        unit_key as to_key
    from units
    union all
    select
        from_key,
        to_key
    from {{ ref('int_unit_successors') }}
    where succession = 'same code'
),

previous_actuals as (
    select
        a.*,
        s.to_key as territory_key
    from actuals as a
    inner join same_territory as s on a.unit_key = s.from_key
),

months_reported as (
    select
        unit_view,
        unit_code,
        period,
        element_code,
        months_reported
    from {{ ref('int_unit_rollup') }}
    where period_type = 'year'
),

placed as (
    select
        t.*,
        tu.unit_key,
        case
            when t.target_kind = 'change' and today.unit_key is not null then 'current_units'
            else 'as_reported'
        end as unit_view
    from targets as t
    left join target_units as tu on t.year = tu.year and t.unit_code = tu.unit_code
    left join todays_units as today on tu.unit_key = today.unit_key
),

joined as (
    select
        t.*,
        cur.value as current_value,
        prev.value as previous_value,
        coalesce(cur.is_partial, false) as is_current_partial,
        coalesce(cur.is_partial, false) or coalesce(prev.is_partial, false) as is_partial,
        make_date(t.year, 12, 31) < {{ as_of_date() }} as is_closed,
        e.agg_over_time,
        e.decimals,
        coalesce(e.direction, 'higher') as direction,
        m.months_reported
    from placed as t
    left join actuals as cur
        on
            t.unit_view = cur.unit_view and t.unit_key = cur.unit_key
            and t.indicator_code = cur.indicator_code and cur.period = cast(t.year as varchar)
    left join previous_actuals as prev
        on
            t.unit_view = prev.unit_view and t.unit_key = prev.territory_key
            and t.indicator_code = prev.indicator_code and prev.period = cast(t.year - 1 as varchar)
    left join {{ ref('stg_reference__indicators') }} as e on t.indicator_code = e.indicator_code
    left join months_reported as m
        on
            t.unit_view = m.unit_view and t.unit_code = m.unit_code and t.indicator_code = m.element_code
            and m.period = cast(t.year as varchar)
),

projected as (
    select
        *,
        case
            when not is_closed and is_current_partial and agg_over_time = 'sum' and months_reported > 0
                then current_value * 12 / months_reported
            else current_value
        end as year_value
    from joined
),

measured as (
    select
        *,
        {{ round_half_up(
            "case when target_kind = 'change' then year_value - previous_value else year_value end",
            'decimals'
        ) }} as actual
    from projected
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
    unit_view,
    round(current_value, 4) as unit_value,
    round(previous_value, 4) as previous_unit_value,
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
