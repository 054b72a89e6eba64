-- Every period reported, and every quarter, half and year a reported month belongs to.
with reported as (
    select distinct period from {{ ref('int_current_values') }}
    union
    select distinct cast(year as varchar) from {{ ref('stg_reference__targets') }}
    union
    select distinct cast(year - 1 as varchar) from {{ ref('stg_reference__targets') }}
),

months as (
    select period from reported
    where length(period) = 7 and period not like '%-Q%' and period not like '%-H%'
),

with_parents as (
    select period from reported
    union
    select left(period, 4) || '-Q' || cast((cast(right(period, 2) as integer) + 2) // 3 as varchar) from months
    union
    select left(period, 4) || '-H' || cast((cast(right(period, 2) as integer) + 5) // 6 as varchar) from months
    union
    select left(period, 4) from months
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
from with_parents
