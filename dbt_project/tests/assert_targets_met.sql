-- Target shortfalls (warn): every missed or at-risk target with unit, indicator, year,
-- actual, target and gap. A shortfall is not a data error and never stops publication.
{{ config(severity='warn') }}
select
    unit_code,
    indicator_code,
    year,
    status,
    actual,
    target_kind,
    target_low,
    target_high,
    gap
from {{ ref('target_attainment') }}
where status in ('missed', 'at_risk')
