-- Lineage: each value a unit reported and the warehouse uses, with the file, sheet, row
-- and cell it came from. Rolled-up values trace through the unit hierarchy to these rows.
{{ config(materialized='incremental', incremental_strategy='replace_periods', on_schema_change='sync_all_columns') }}
select
    unit_code,
    period,
    element_code as indicator_code,
    value,
    missing_reason,
    raw_text,
    submission_id,
    source_file,
    sheet_name as source_sheet,
    row_number as source_row,
    cell as source_cell,
    submitted_at
from {{ ref('int_current_values') }}
where {{ rebuilt_periods_only('period') }}
