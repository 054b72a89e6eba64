-- Each unit's own figures for every period, in both views (eras.md):
-- as_reported: a value reported for a period stays on the unit that reported it; months
--   roll up into quarters, halves and years by each element's rule (flows add up, stocks
--   take the latest month, "none" elements are never derived), on the unit that holds
--   the month's territory on the longer period's last day: the year 2025 of a commune
--   formed on 1 July is its own months from July plus its predecessors' months before,
--   carried through admin_unit_changes (only elements that add up are carried). A period
--   reported directly keeps its reported value; a derived period from fewer months than it
--   spans is partial.
-- current_units: every as-reported figure carried to today's units (whole, by share, or to
--   the default successor marked approximate), so a commune of today has one series.
-- XA_COUNT (1 for every xã of the unit list) is carried and rolled up like any count.
with rules as (
    select * from {{ ref('int_element_rules') }}
),

units as (
    select * from {{ ref('int_units_in_period') }}
),

lineage as (
    select * from {{ ref('int_unit_lineage') }}
),

current_values as (
    select
        v.unit_key,
        v.unit_code,
        v.period,
        v.period_type,
        v.element_code,
        v.value,
        v.first_day,
        r.agg_over_time,
        r.is_additive
    from {{ ref('int_current_values') }} as v
    inner join rules as r on v.element_code = r.element_code
    where v.value is not null and v.unit_key is not null
),

reported as (
    select
        unit_code,
        period,
        period_type,
        element_code,
        value
    from current_values
    union all
    select
        unit_code,
        period,
        period_type,
        'XA_COUNT' as element_code,
        1.0 as value
    from units
    where unit_view = 'as_reported' and unit_type = 'Xã'
),

month_parts as (
    select
        l.to_code as unit_code,
        p.period,
        p.period_type,
        p.months_in_period,
        m.element_code,
        m.agg_over_time,
        m.period as month,
        m.value * l.factor as value,
        l.is_approximate
    from current_values as m
    inner join {{ ref('int_periods') }} as p
        on p.period_type != 'month' and m.first_day between p.first_day and p.last_day
    inner join lineage as l
        on m.unit_key = l.from_key and p.last_day between l.to_valid_from and l.to_valid_to
    where
        m.period_type = 'month'
        and m.agg_over_time in ('sum', 'last')
        and (l.is_same_unit or m.is_additive)
),

months_on_unit as (
    -- Sums in DECIMAL: exact, so a rebuild reproduces the marts bit for bit whatever order
    -- DuckDB's parallel aggregation adds the parts in.
    select
        unit_code,
        period,
        period_type,
        element_code,
        month,
        any_value(months_in_period) as months_in_period,
        any_value(agg_over_time) as agg_over_time,
        sum(value::decimal(38, 10)) as value,
        bool_or(is_approximate) as is_approximate
    from month_parts
    group by unit_code, period, period_type, element_code, month
),

derived as (
    select
        unit_code,
        period,
        period_type,
        element_code,
        case
            when any_value(agg_over_time) = 'sum' then sum(value)
            else arg_max(value, month)
        end::double as value,
        count(*) as months_reported,
        any_value(months_in_period) as months_in_period,
        case
            when any_value(agg_over_time) = 'sum' then bool_or(is_approximate)
            else arg_max(is_approximate, month)
        end as is_approximate
    from months_on_unit
    group by unit_code, period, period_type, element_code
),

as_reported as (
    select
        'as_reported' as unit_view,
        unit_code,
        period,
        period_type,
        element_code,
        value,
        false as is_derived,
        null::bigint as months_reported,
        false as is_partial,
        false as is_approximate
    from reported
    union all
    select
        'as_reported' as unit_view,
        d.unit_code,
        d.period,
        d.period_type,
        d.element_code,
        d.value,
        true as is_derived,
        d.months_reported,
        d.months_reported < d.months_in_period as is_partial,
        d.is_approximate
    from derived as d
    where not exists (
        select 1 from reported as r
        where r.unit_code = d.unit_code and r.period = d.period and r.element_code = d.element_code
    )
),

current_units as (
    select
        'current_units' as unit_view,
        l.to_code as unit_code,
        a.period,
        a.period_type,
        a.element_code,
        sum((a.value * l.factor)::decimal(38, 10))::double as value,
        bool_or(a.is_derived) as is_derived,
        max(a.months_reported) as months_reported,
        bool_or(a.is_partial) as is_partial,
        bool_or(a.is_approximate or l.is_approximate) as is_approximate
    from as_reported as a
    inner join units as u
        on u.unit_view = 'as_reported' and a.period = u.period and a.unit_code = u.unit_code
    inner join rules as r on a.element_code = r.element_code
    inner join lineage as l
        on u.unit_key = l.from_key and {{ as_of_date() }} between l.to_valid_from and l.to_valid_to
    where l.is_same_unit or r.is_additive
    group by l.to_code, a.period, a.period_type, a.element_code
)

select * from as_reported
union all
select * from current_units
