-- Periods (month, quarter, half, year) with their bounds and the year they belong to.
select
    period,
    period_type,
    year,
    first_day,
    last_day,
    months_in_period
from {{ ref('int_periods') }}
