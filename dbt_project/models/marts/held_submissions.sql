-- What an approval holds, for the office to see (docs/spec/portal.md, "Sign off"): one row per
-- held sheet and unit whose approved period it reports (int_held_submissions): a sheet of the
-- unit's own, or a commune's row of its district's table (unit_code the commune's,
-- report_unit_code the district's). Its values stay out of the other marts until the
-- province's office grants an exception for that unit-period. Times are UTC.
select
    h.unit_code,
    u.unit_name,
    h.report_unit_code,
    h.period,
    h.period_type,
    h.source_file,
    h.sheet_name as source_sheet,
    h.file_sha256,
    h.submission_id,
    h.portal_sender,
    h.rows_loaded,
    h.arrived_at,
    h.approved_at
from {{ ref('int_held_submissions') }} as h
left join {{ ref('stg_reference__units') }} as u
    on
        h.unit_code = u.unit_code
        and {{ period_last_day('h.period') }} between u.valid_from and u.valid_to
