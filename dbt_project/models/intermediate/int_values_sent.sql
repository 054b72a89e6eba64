-- Every value sent, beside the report it came in: the report's unit (a district's table
-- carries its communes' values), layout, arrival and whether it is current. What a
-- correction replaced (int_value_conflicts) or dropped (int_dropped_elements) is read here,
-- and the current values (int_current_values) are taken from here.
-- A district's table (layout B) carries one report per commune row (spreadsheets.md,
-- Resubmission): a later table of the district and period replaces the rows of the communes
-- it lists, and a commune it does not list keeps what it had. So in a table a value is
-- current when its table is the newest of the district and period that lists its commune
-- (gives it any value); a cell left empty in a table is no value sent, so an element left out
-- of a listed commune's row is dropped, as for any correction. Elsewhere the report is the
-- grain (int_submissions_ranked).
-- A commune's row of a table held by the lock of the commune's approved period
-- (int_held_submissions) is no value sent until an exception: the commune keeps what was
-- approved, the table's other rows flow.
-- Incremental by period (macros/rebuild_periods.sql), as every data model.
{{ config(materialized='incremental', incremental_strategy='replace_periods', on_schema_change='sync_all_columns') }}
with sent as (
    select
        v.submission_id,
        v.unit_code,
        v.period,
        s.period_type,
        v.element_code,
        v.value,
        v.missing_reason,
        v.raw_text,
        v.sheet_name,
        v.row_number,
        v.cell,
        s.unit_code as report_unit,
        s.layout,
        s.source_file,
        s.is_current as report_is_current,
        s.first_seen_at,
        s.submitted_at,
        s.file_sha256
    from {{ ref('stg_raw__values') }} as v
    inner join {{ ref('int_submissions_ranked') }} as s on v.submission_id = s.submission_id
    where
        not (s.layout = 'B' and v.value is null and v.missing_reason = 'not_reported')
        and {{ rebuilt_periods_only('v.period') }}
        and not exists (
            select 1 from {{ ref('int_held_submissions') }} as h
            where h.submission_id = v.submission_id and h.unit_code = v.unit_code
        )
)

select
    submission_id,
    unit_code,
    period,
    period_type,
    element_code,
    value,
    missing_reason,
    raw_text,
    sheet_name,
    row_number,
    cell,
    report_unit,
    layout,
    source_file,
    case
        when layout = 'B'
            then
                dense_rank() over (
                    partition by layout, report_unit, period, unit_code
                    order by first_seen_at desc, submitted_at desc, file_sha256 desc
                ) = 1
        else report_is_current
    end as is_current,
    first_seen_at,
    submitted_at
from sent
