-- One current value per (unit, period, element), among the values of current reports (a
-- district's table is current commune by commune: int_values_sent). A value two current
-- pieces both carry (two sheets of one workbook; a commune's own report and its district's
-- table) is taken from the newest (int_value_conflicts lists the disagreement).
-- The unit is the one of that code that existed on the period's last day (unit_key): the
-- only one that may report the period, so a reused code never mixes two units.
{{ config(materialized='incremental', incremental_strategy='replace_periods', on_schema_change='sync_all_columns') }}
with candidates as (
    select
        unit_code,
        period,
        period_type,
        element_code,
        value,
        missing_reason,
        raw_text,
        submission_id,
        source_file,
        sheet_name,
        row_number,
        cell,
        submitted_at,
        first_seen_at,
        row_number() over (
            partition by unit_code, period, element_code
            order by first_seen_at desc, submitted_at desc, submission_id desc
        ) as recency
    from {{ ref('int_values_sent') }}
    where is_current and {{ rebuilt_periods_only('period') }}
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
