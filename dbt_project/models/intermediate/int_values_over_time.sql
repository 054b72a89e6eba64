-- depends_on: {{ ref('int_unit_ancestors') }}
-- Each unit's own figures for every period, in both views (eras.md):
-- as_reported: a value reported for a period stays on the unit that reported it; every
--   shorter period rolls into every longer one that contains it by each element's rule
--   (flows add up, stocks take the latest part, "none" elements are never derived), taking
--   for each part the finest complete figures and never counting a month twice (four
--   quarterly reports make a year; a half-year report and the other half's months too),
--   on the unit that holds the part's territory on the longer period's last day: the year 2025 of a commune
--   formed on 1 July is its own months from July plus its predecessors' months before,
--   carried through admin_unit_changes (only elements that add up are carried). A period
--   reported directly keeps its reported value; a derived period from fewer months than it
--   spans is partial.
-- current_units: every as-reported figure carried to today's units (whole, by share, or to
--   the default successor marked approximate), so a commune of today has one series.
-- XA_COUNT (1 for every xã of the unit list) is carried and rolled up like any count.
-- Incremental: a rebuilt period reads the figures of its year, the periods it is made of
-- or overlaps (macros/rebuild_periods.sql).
{{ config(materialized='incremental', incremental_strategy='replace_periods', on_schema_change='sync_all_columns') }}
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
        v.last_day,
        r.agg_over_time,
        r.is_additive
    from {{ ref('int_current_values') }} as v
    inner join rules as r on v.element_code = r.element_code
    where v.value is not null and v.unit_key is not null and {{ rebuilt_years_only('v.period') }}
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
        '{{ var("xa_count_element") }}' as element_code,
        1.0 as value
    from units
    where
        unit_view = 'as_reported' and unit_type = '{{ var("xa_unit_type") }}'
        and {{ rebuilt_periods_only('period') }}
),

months_below as (
    -- The months the units below each unit reported each element for (as reported).
    select distinct
        a.ancestor_code as unit_code,
        v.element_code,
        v.first_day,
        v.last_day
    from current_values as v
    inner join {{ ref('int_unit_ancestors') }} as a
        on a.unit_view = 'as_reported' and v.unit_code = a.unit_code and v.period = a.period
    where a.depth > 0
),

own_parts as (
    -- The figures a unit's longer periods are made of: its own, less a reported total
    -- whose months a unit below also reported (those units stand for those months, and the
    -- total is checked against them). A district's first half, where no commune sent any
    -- month of it, and its communes' later months make its year (indicators.md,
    -- "Completeness and timeliness").
    select m.*
    from current_values as m
    left join units as u
        on u.unit_view = 'as_reported' and m.period = u.period and m.unit_code = u.unit_code
    left join rules as r on m.element_code = r.element_code
    where not (
        {{ is_reported_total('r', 'u') }}
        and exists (
            select 1 from months_below as b
            where
                b.unit_code = m.unit_code and b.element_code = m.element_code
                and b.first_day <= m.last_day and b.last_day >= m.first_day
        )
    )
),

parts as (
    -- Every reported period inside a longer one (months, quarters, halves), carried to the
    -- unit that holds its territory on the longer period's last day.
    select
        l.to_code as unit_code,
        p.period,
        p.period_type,
        p.months_in_period,
        m.element_code,
        m.agg_over_time,
        m.period as part,
        m.period_type as part_type,
        year(m.last_day) * 12 + month(m.last_day) as last_month,
        date_diff('month', m.first_day, m.last_day) + 1 as months,
        m.value * l.factor as value,
        l.is_approximate
    from own_parts as m
    inner join {{ ref('int_periods') }} as p
        on
            p.period_type != 'month' and m.period != p.period
            and m.first_day >= p.first_day and m.last_day <= p.last_day
    inner join lineage as l
        on m.unit_key = l.from_key and p.last_day between l.to_valid_from and l.to_valid_to
    where
        -- a unit that still exists on the longer period's last day holds its own parts (a
        -- district's, never also the province it went to when districts were abolished)
        (l.is_same_unit or l.from_valid_to < p.last_day)
        and m.period_type != 'year'
        and m.agg_over_time in ('sum', 'last')
        and (l.is_same_unit or m.is_additive)
),

parts_on_unit as (
    -- Sums in DECIMAL: exact, so a rebuild reproduces the marts bit for bit whatever order
    -- DuckDB's parallel aggregation adds the parts in.
    select
        unit_code,
        period,
        period_type,
        element_code,
        part,
        part_type,
        last_month,
        months,
        -- the quarter a month falls in (last_month is year * 12 + month)
        left(part, 4) || '-Q' || ((last_month - 1) % 12 // 3 + 1)::varchar as quarter,
        any_value(months_in_period) as months_in_period,
        any_value(agg_over_time) as agg_over_time,
        sum(value::decimal(38, 10)) as value,
        bool_or(is_approximate) as is_approximate
    from parts
    group by unit_code, period, period_type, element_code, part, part_type, last_month, months
),

quarter_reports as (
    select * from parts_on_unit
    where part_type = 'quarter' and period_type in ('half', 'year')
),

half_reports as (
    select * from parts_on_unit
    where part_type = 'half' and period_type = 'year'
),

quarter_from_months as (
    -- Within a half or a year: each quarter from its months.
    select
        unit_code,
        period,
        element_code,
        quarter,
        any_value(agg_over_time) as agg_over_time,
        {{ combine_parts() }}
    from parts_on_unit
    where part_type = 'month' and period_type in ('half', 'year')
    group by unit_code, period, element_code, quarter
),

quarter_best as (
    -- Each quarter inside a half or a year: its three months, else its own report.
    {{ finest_complete('quarter_from_months', 'quarter', 'quarter_reports', 3) }}
),

half_from_quarters as (
    -- Within a year: each half from its quarters.
    select
        unit_code,
        period,
        element_code,
        left(part, 4) || '-H' || ((right(part, 1)::integer + 1) // 2)::varchar as half,
        any_value(agg_over_time) as agg_over_time,
        {{ combine_parts() }}
    from quarter_best
    where length(period) = 4
    group by unit_code, period, element_code, half
),

half_best as (
    -- Each half inside a year: its two quarters, else its own report.
    {{ finest_complete('half_from_quarters', 'half', 'half_reports', 6) }}
),

blocks as (
    -- The parts each longer period is made of: a quarter's months, a half's quarters, a
    -- year's halves.
    select
        unit_code,
        period,
        element_code,
        agg_over_time,
        value,
        months,
        last_month,
        is_approximate
    from parts_on_unit
    where period_type = 'quarter'
    union all by name
    select * exclude (part) from quarter_best
    where period like '%-H%'
    union all by name
    select * exclude (part) from half_best
),

derived as (
    select
        b.unit_code,
        b.period,
        p.period_type,
        b.element_code,
        {{ combine_parts() }},
        any_value(p.months_in_period) as months_in_period
    from blocks as b
    inner join {{ ref('int_periods') }} as p on b.period = p.period
    group by b.unit_code, b.period, p.period_type, b.element_code
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
        d.value::double as value,
        true as is_derived,
        d.months as months_reported,
        d.months < d.months_in_period as is_partial,
        d.is_approximate
    from derived as d
    where not exists (
        select 1 from reported as r
        where r.unit_code = d.unit_code and r.period = d.period and r.element_code = d.element_code
    )
),

as_reported_flagged as (
    {{ flag_superseded_totals('as_reported') }}
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
    from as_reported_flagged as a
    inner join units as u
        on u.unit_view = 'as_reported' and a.period = u.period and a.unit_code = u.unit_code
    inner join rules as r on a.element_code = r.element_code
    inner join lineage as l
        on u.unit_key = l.from_key and {{ as_of_date() }} between l.to_valid_from and l.to_valid_to
    where (l.is_same_unit or r.is_additive) and not a.is_superseded_total
    group by l.to_code, a.period, a.period_type, a.element_code
),

current_units_flagged as (
    -- Never flagged again on today's units: a reported total superseded in its own period's
    -- hierarchy is already left out above, and every figure carried here covers territory
    -- no other figure covers, so it reaches the levels above as it does as reported (a
    -- district's own total, carried to the province when districts were abolished, is not
    -- superseded by another district's communes: eras.md, "What must never happen").
    select
        *,
        false as is_superseded_total
    from current_units
)

select * from as_reported_flagged
where {{ rebuilt_periods_only('period') }}
union all
select * from current_units_flagged
where {{ rebuilt_periods_only('period') }}
