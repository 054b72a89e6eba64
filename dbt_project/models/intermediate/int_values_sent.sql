-- Every value sent, beside the report it came in: the report's unit (a district's table
-- carries its communes' values), layout, arrival and whether it is current. What a
-- correction replaced (int_value_conflicts) or dropped (int_dropped_elements) is read here.
-- Incremental by period (macros/rebuild_periods.sql), as every data model.
{{ config(materialized='incremental', incremental_strategy='replace_periods', on_schema_change='sync_all_columns') }}
select
    v.submission_id,
    v.unit_code,
    v.period,
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
    s.is_current,
    s.first_seen_at,
    s.submitted_at
from {{ ref('stg_raw__values') }} as v
inner join {{ ref('int_submissions_ranked') }} as s on v.submission_id = s.submission_id
where {{ rebuilt_periods_only('v.period') }}
