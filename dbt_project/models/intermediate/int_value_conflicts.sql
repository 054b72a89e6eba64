-- What a reviewer must see when figures disagree (spreadsheets.md): two current pieces of a
-- report giving one element different values (the newer is used), every replaced value
-- that differs from the one that replaced it (a correction), and two reports that arrived
-- at the same time with different values (nothing says which is newer: the choice by
-- content hash is only reproducible, so it is flagged), each with both cells.
{{ config(materialized='incremental', incremental_strategy='replace_periods', on_schema_change='sync_all_columns') }}
with sent as (
    select * from {{ ref('int_values_sent') }}
    where {{ rebuilt_periods_only('period') }}
),

differing as (
    select
        o.*,
        u.value as used_value,
        u.source_file as used_file,
        u.sheet_name as used_sheet,
        u.cell as used_cell,
        o.first_seen_at = u.first_seen_at and o.submitted_at = u.submitted_at as same_time
    from sent as o
    inner join {{ ref('int_current_values') }} as u
        on o.unit_code = u.unit_code and o.period = u.period and o.element_code = u.element_code
    where o.submission_id != u.submission_id and o.value is distinct from u.value
)

select
    case
        when is_current then 'conflicting_pieces'
        when same_time then 'same_time_conflict'
        else 'replaced_value'
    end as rule,
    unit_code,
    element_code as indicator_code,
    period,
    value as observed,
    used_value as expected,
    case
        when is_current
            then
                'hai phần của báo cáo hiện hành ghi khác nhau: ' || coalesce(raw_text, '(trống)')
                || ' ở đây, ' || coalesce(cast(used_value as varchar), '(trống)') || ' trong ' || used_file
                || ' › ' || used_sheet || ' › ' || used_cell || ' (phần mới hơn, được dùng)'
        when same_time
            then
                'hai báo cáo của đơn vị cho kỳ này đến cùng lúc với số liệu khác nhau: '
                || coalesce(raw_text, '(trống)') || ' ở đây, '
                || coalesce(cast(used_value as varchar), '(trống)') || ' trong ' || used_file
                || ' › ' || used_sheet || ' › ' || used_cell
                || ' (được dùng; không biết báo cáo nào mới hơn — hỏi đơn vị số nào đúng)'
        else
            'đã được báo cáo sau thay thế: ' || coalesce(raw_text, '(trống)') || ' ở đây, nay là '
            || coalesce(cast(used_value as varchar), '(trống)') || ' trong ' || used_file
            || ' › ' || used_sheet || ' › ' || used_cell
    end as message,
    source_file,
    sheet_name as source_sheet,
    row_number as source_row,
    cell as source_cell
from differing
