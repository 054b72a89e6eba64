-- A reported total (a district's own figure for an element its communes report) that the
-- units below also reported: not counted, and where it differs from their roll-up, a
-- finding with the total's cell.
{{ config(materialized='incremental', incremental_strategy='replace_periods', on_schema_change='sync_all_columns') }}
select
    'total_mismatch' as rule,
    t.unit_code,
    t.element_code as indicator_code,
    t.period,
    t.value as observed,
    r.value as expected,
    'số tổng báo cáo khác tổng của các đơn vị trực thuộc ('
    || cast(r.value as varchar) || '); dùng số của các đơn vị trực thuộc' as message,
    c.source_file,
    c.sheet_name as source_sheet,
    c.row_number as source_row,
    c.cell as source_cell
from {{ ref('int_values_over_time') }} as t
inner join {{ ref('int_unit_rollup') }} as r
    on
        t.unit_view = r.unit_view and t.unit_code = r.unit_code and t.period = r.period
        and t.element_code = r.element_code
left join {{ ref('int_current_values') }} as c
    on t.unit_code = c.unit_code and t.period = c.period and t.element_code = c.element_code
where
    t.unit_view = 'as_reported' and t.is_superseded_total and not t.is_derived
    and {{ rebuilt_periods_only('t.period') }}
    and abs(t.value - r.value) > 1e-9 * greatest(1, abs(r.value))
