-- The follow-up of every finding on a unit's figures (docs/spec/portal.md, "Follow up"):
-- one row per finding_key (data_quality_findings; stable across corrected files) with its
-- status as of the build and the last answer the portal recorded for it:
-- - open: no answer yet (or none since it was found);
-- - answered: the unit explained it (giai_trinh) or sent a corrected file (da_sua), and it
--   waits for a reviewer;
-- - accepted: a reviewer accepted the answer (chap_nhan);
-- - resolved: answered once, and no longer found (the corrected file removed it).
-- age_days counts from the unit's first report for the period (the earliest the finding
-- could be found) to the build's as-of date.
with found as (
    select
        finding_key,
        rule,
        unit_code,
        period,
        indicator_code,
        min(severity) as severity,  -- error before warning
        min(message) as message,
        count(*) as occurrences
    from {{ ref('data_quality_findings') }}
    where unit_code is not null and period is not null
    group by finding_key, rule, unit_code, period, indicator_code
),

answers as (
    select
        *,
        row_number() over (partition by finding_key order by answered_at desc, answer_id desc) as newest,
        count(*) over (partition by finding_key) as answer_count
    from {{ ref('stg_raw__finding_answers') }}
),

last_answers as (
    select * from answers
    where newest = 1
),

gone as (
    -- answered findings no longer found: their rule, unit, period and indicator as answered
    select
        a.finding_key,
        a.rule,
        a.unit_code,
        a.period,
        a.indicator_code,
        null::varchar as severity,
        null::varchar as message,
        0::bigint as occurrences
    from last_answers as a
    where not exists (
        select 1 from found as f
        where f.finding_key = a.finding_key
    )
),

arrivals as (
    select
        unit_code,
        period,
        min(first_seen_at) as first_found_at
    from {{ ref('int_submissions') }}
    group by unit_code, period
),

followed as (
    select
        f.*,
        true as is_found
    from found as f
    union all
    select
        g.*,
        false as is_found
    from gone as g
)

select
    f.finding_key,
    f.unit_code,
    f.period,
    f.rule,
    t.title_vi as rule_title_vi,
    f.indicator_code,
    f.severity,
    f.message,
    f.occurrences,
    f.is_found,
    case
        when not f.is_found then 'resolved'
        when a.kind is null then 'open'
        when a.kind = 'chap_nhan' then 'accepted'
        else 'answered'
    end as status,
    a.kind as last_answer_kind,
    a.answer_text as last_answer_text,
    a.answered_by as last_answered_by,
    a.corrected_file_sha256 as last_corrected_file_sha256,
    a.answered_at,
    coalesce(a.answer_count, 0) as answers,
    r.first_found_at,
    greatest(0, date_diff(
        'day',
        timezone('{{ var("local_time_zone") }}', timezone('UTC', r.first_found_at))::date,
        {{ as_of_date() }}
    )) as age_days,  -- a build as of a day before the arrival (a backfill): 0
    {{ as_of_date() }} as as_of_date
from followed as f
left join last_answers as a on f.finding_key = a.finding_key
left join arrivals as r on f.unit_code = r.unit_code and f.period = r.period
left join {{ ref('stg_reference__finding_rules') }} as t on f.rule = t.rule
