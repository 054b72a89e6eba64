select
    file_sha256,
    source_file,
    sheet_name,
    row_number,
    cell,
    raw_text,
    rule,
    severity,
    message,
    unit_code,
    element_code,
    period,
    found_at
from {{ source('raw', 'findings') }}
where severity != 'info'
