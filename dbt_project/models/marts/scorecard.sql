-- The "9 of 17 targets met" line, per unit and year.
select
    unit_code,
    year,
    count(*) as targets_total,
    count(*) filter (where status in ('met', 'exceeded')) as targets_met,
    count(*) filter (where status = 'exceeded') as targets_exceeded,
    count(*) filter (where status = 'missed') as targets_missed,
    count(*) filter (where status = 'at_risk') as targets_at_risk,
    count(*) filter (where status = 'on_track') as targets_on_track,
    count(*) filter (where status = 'no_data') as targets_no_data
from {{ ref('target_attainment') }}
group by unit_code, year
