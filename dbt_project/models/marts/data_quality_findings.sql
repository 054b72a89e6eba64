-- One place for every finding: what the reader refused or quarantined, and what the
-- warehouse checks on the figures it loaded (validation rules and outliers, disagreeing
-- pieces, replaced values and elements a correction dropped, reported totals that differ
-- from their units' roll-up).
-- finding_key names a finding across nights and corrected files: the md5 of its rule, unit,
-- period and indicator, never of its file, sheet or cell, so a corrected file that still
-- shows it keeps the key the portal's answers hang on (finding_follow_up, docs/analyst.md).
with checks as (
    select
        *,
        null::integer as source_row,
        null::varchar as source_cell,
        'validation' as found_by
    from {{ ref('int_rule_violations') }}
    union all by name
    select
        *,
        'lineage' as found_by
    from {{ ref('int_value_conflicts') }}
    union all by name
    select
        *,
        'lineage' as found_by
    from {{ ref('int_dropped_elements') }}
    union all by name
    select
        *,
        'validation' as found_by
    from {{ ref('int_total_mismatches') }}
),

found as (
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
    from {{ ref('int_reader_findings') }}

    union all

    select
        rule,
        'warning' as severity,
        unit_code,
        indicator_code,
        period,
        observed::varchar as observed,
        expected::varchar as expected,
        message,
        source_file,
        source_sheet,
        source_row,
        source_cell,
        found_by
    from checks
)

select
    found.*,
    md5(concat_ws(
        '|', found.rule, coalesce(found.unit_code, ''), coalesce(found.period, ''),
        coalesce(found.indicator_code, '')
    )) as finding_key
from found
