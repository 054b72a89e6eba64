-- Reader findings of severity error or warning: info notes on skipped sheets stay in raw.
-- Their message is the one people read, in Vietnamese (raw.findings.message_vi, written by
-- the reader: the rule's title, the detail, what to do); a row written before the reader
-- kept it says the rule's title, never the English detail.
select
    f.file_sha256,
    f.source_file,
    f.sheet_name,
    f.row_number,
    f.cell,
    f.raw_text,
    f.rule,
    f.severity,
    coalesce(
        f.message_vi,
        upper(left(r.title_vi, 1)) || substr(r.title_vi, 2) || '.',
        f.message
    ) as message,
    f.unit_code,
    f.element_code,
    f.period,
    f.found_at
from {{ ref('stg_raw__findings') }} as f
left join {{ ref('stg_reference__finding_rules') }} as r on f.rule = r.rule
where f.severity != 'info'
