-- A correction is the whole report (spreadsheets.md, Resubmission): an element an older
-- report of the same unit, period and layout gave, and the current report leaves out, is no
-- longer current (int_current_values reads current reports only). Each such element is named
-- here, with the older cell it came from, so that a reviewer sees what the correction
-- dropped. A blank cell in a correction is a replacement (int_value_conflicts), not a drop,
-- except in a district's table, where an empty cell is no value sent (int_values_sent).
{{ config(materialized='incremental', incremental_strategy='replace_periods', on_schema_change='sync_all_columns') }}
with sent as (
    select * from {{ ref('int_values_sent') }}
    where {{ rebuilt_periods_only('period') }}
),

current_reports as (
    -- the current report of each unit a report carries (a district's table: per commune row)
    select
        report_unit,
        period,
        layout,
        unit_code,
        min(source_file) as current_file
    from sent
    where is_current
    group by all
),

dropped as (
    -- The latest older report that gave the element, where the current report has no row for it.
    select o.*
    from sent as o
    where
        not o.is_current
        and (o.value is not null or o.missing_reason != 'not_reported')
        and not exists (
            select 1
            from sent as c
            where
                c.is_current
                and c.report_unit = o.report_unit
                and c.period = o.period
                and c.layout = o.layout
                and c.unit_code = o.unit_code
                and c.element_code = o.element_code
        )
    qualify row_number() over (
        partition by o.report_unit, o.period, o.layout, o.unit_code, o.element_code
        order by o.first_seen_at desc, o.submitted_at desc, o.submission_id desc
    ) = 1
)

select
    'dropped_element' as rule,
    d.unit_code,
    d.element_code as indicator_code,
    d.period,
    d.value as observed,
    null::double as expected,
    d.element_code || ' bị bỏ trong báo cáo sửa ' || r.current_file || ': số '
    || coalesce(d.raw_text, '(trống)') || ' ở đây không còn được dùng' as message,
    d.source_file,
    d.sheet_name as source_sheet,
    d.row_number as source_row,
    d.cell as source_cell
from dropped as d
inner join current_reports as r
    on
        d.report_unit = r.report_unit
        and d.period = r.period
        and d.layout = r.layout
        and d.unit_code = r.unit_code
