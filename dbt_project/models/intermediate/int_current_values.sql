-- One current value per (unit, period, element). A value two current submissions both
-- carry (a commune's own report and its district's table) is taken from the newest.
with candidates as (
    select
        v.unit_code,
        v.period,
        s.period_type,
        v.element_code,
        v.value,
        v.missing_reason,
        v.raw_text,
        v.submission_id,
        s.source_file,
        v.sheet_name,
        v.row_number,
        v.cell,
        s.submitted_at,
        row_number() over (
            partition by v.unit_code, v.period, v.element_code
            order by s.submitted_at desc, s.submission_id desc
        ) as recency
    from {{ ref('stg_raw__values') }} as v
    inner join {{ ref('int_submissions_ranked') }} as s
        on v.submission_id = s.submission_id
    where s.is_current
)

select * exclude (recency)
from candidates
where recency = 1
