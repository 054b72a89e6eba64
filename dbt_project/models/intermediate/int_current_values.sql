-- One current value per (unit, period, element). A value two current pieces both carry
-- (two sheets of one workbook; a commune's own report and its district's table) is taken
-- from the newest (int_value_conflicts lists the disagreement).
-- The unit is the one of that code that existed on the period's last day (unit_key): the
-- only one that may report the period, so a reused code never mixes two units.
{{ config(materialized='incremental', incremental_strategy='replace_periods', on_schema_change='sync_all_columns') }}
with candidates as (
    select
        v.unit_code,
        v.period,
        s.period_type,
        v.element_code,
        v.value,
        v.missing_reason,
        v.raw_text,
        v.submission_id,
        s.source_file,
        v.sheet_name,
        v.row_number,
        v.cell,
        s.submitted_at,
        s.first_seen_at,
        row_number() over (
            partition by v.unit_code, v.period, v.element_code
            order by s.first_seen_at desc, s.submitted_at desc, s.submission_id desc
        ) as recency
    from {{ ref('stg_raw__values') }} as v
    inner join {{ ref('int_submissions_ranked') }} as s
        on v.submission_id = s.submission_id
    where s.is_current and {{ rebuilt_periods_only('v.period') }}
)

select
    c.unit_code,
    c.period,
    c.period_type,
    c.element_code,
    c.value,
    c.missing_reason,
    c.raw_text,
    c.submission_id,
    c.source_file,
    c.sheet_name,
    c.row_number,
    c.cell,
    c.submitted_at,
    c.first_seen_at,
    u.unit_key,
    {{ period_first_day('c.period') }} as first_day,
    {{ period_last_day('c.period') }} as last_day
from candidates as c
left join {{ ref('stg_reference__units') }} as u
    on
        c.unit_code = u.unit_code
        and {{ period_last_day('c.period') }} between u.valid_from and u.valid_to
where c.recency = 1
