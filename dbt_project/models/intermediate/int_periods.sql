-- Every month, quarter, half and year from the first year the warehouse holds to the
-- current year (reported or not: completeness needs the periods nothing arrived for), and
-- any other year a report or a target names. The years of the current reports' values are
-- read from raw (int_current_values holds the same, but is built from the periods this
-- list's change detection chooses: int_rebuild_periods).
with named_years as (
    select cast(left(v.period, 4) as integer) as year
    from {{ ref('stg_raw__values') }} as v
    inner join {{ ref('int_submissions_ranked') }} as s on v.submission_id = s.submission_id
    where s.is_current
    union
    select year from {{ ref('int_targets') }}
    union
    select year({{ as_of_date() }}) as year
    union
    select {{ var('first_year') }} as year
),

years as (
    select unnest(range(min(year), max(year) + 1)) as year
    from named_years
),

periods as (
    select cast(year as varchar) as period from years
    union all
    select cast(y.year as varchar) || '-H' || cast(h.n as varchar) as period
    from years as y cross join range(1, 3) as h (n)
    union all
    select cast(y.year as varchar) || '-Q' || cast(q.n as varchar) as period
    from years as y cross join range(1, 5) as q (n)
    union all
    select cast(y.year as varchar) || '-' || lpad(cast(m.n as varchar), 2, '0') as period
    from years as y cross join range(1, 13) as m (n)
)

select
    period,
    case
        when length(period) = 4 then 'year'
        when period like '%-Q%' then 'quarter'
        when period like '%-H%' then 'half'
        else 'month'
    end as period_type,
    cast(left(period, 4) as integer) as year,
    {{ period_first_day('period') }} as first_day,
    {{ period_last_day('period') }} as last_day,
    date_diff('month', {{ period_first_day('period') }}, {{ period_last_day('period') }}) + 1 as months_in_period
from periods
