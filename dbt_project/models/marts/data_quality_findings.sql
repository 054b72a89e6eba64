-- One place for every finding: what the reader refused or quarantined, and the validation
-- rules the warehouse checks on the figures it loaded.
select
    rule,
    case severity when 'error' then 'error' else 'warning' end as severity,
    unit_code,
    element_code as indicator_code,
    period,
    raw_text as observed,
    null as expected,
    message,
    source_file,
    sheet_name as source_sheet,
    row_number as source_row,
    cell as source_cell,
    'ingest' as found_by
from {{ ref('stg_raw__findings') }}

union all

select
    rule,
    'warning' as severity,
    unit_code,
    indicator_code,
    period,
    cast(observed as varchar) as observed,
    cast(expected as varchar) as expected,
    message,
    source_file,
    source_sheet,
    null as source_row,
    null as source_cell,
    'validation' as found_by
from {{ ref('int_rule_violations') }}

union all

select
    rule,
    'warning' as severity,
    unit_code,
    indicator_code,
    period,
    cast(observed as varchar) as observed,
    cast(expected as varchar) as expected,
    message,
    source_file,
    source_sheet,
    source_row,
    source_cell,
    'lineage' as found_by
from {{ ref('int_value_conflicts') }}

union all

select
    rule,
    'warning' as severity,
    unit_code,
    indicator_code,
    period,
    cast(observed as varchar) as observed,
    cast(expected as varchar) as expected,
    message,
    source_file,
    source_sheet,
    source_row,
    source_cell,
    'validation' as found_by
from {{ ref('int_total_mismatches') }}
