-- sqlfluff:indentation:template_blocks_indent:false
-- Which periods this build rebuilds (macros/rebuild_periods.sql; docs/engineer.md, "What a
-- night rebuilds"). Each period has a fingerprint of every raw row a data model reads for
-- it (its sheets with their file's name and arrival, receipts included, its values, its
-- decisions and the answers to its findings) and of the
-- reference inputs (every seed, today's units, the project's code — every model, macro and
-- test, CHITIEU_DBT_CODE_KEY set by chitieu/build.py — and the settings in vars).
-- A period is rebuilt when
-- - its fingerprint differs from the last successful build's (meta.built_periods): files
--   or decisions changed it, or a seed, today's units or a model did, which changes every
--   period's; and then every period it overlaps too (a month's year, a year's months: a
--   period is derived from the periods inside it, and a unit's own total is set aside
--   where a unit below reported an overlapping period);
-- - the trigger asked for it (var rebuild_periods), with the periods it overlaps;
-- - it ended since the last build's as-of date: its reports became expected (completeness
--   and timeliness change with the date alone), and a year that ends is judged closed.
-- is_rebuilt_with_later adds every later period of the same type, for the checks that
-- judge a value against the unit's earlier ones (int_rule_violations).
-- A full refresh, or a database without a successful build, rebuilds every period.
{{ config(schema='meta', post_hook="{{ forget_rebuilt_periods() }}") }}
{%- set built = built_periods_if_any() %}
{%- set rebuild_all = 'true' if full_refresh_asked() or built is none else 'false' %}
{%- set settings = [var('xa_unit_type'), var('xa_reported_by'), var('xa_count_element'),
    var('local_time_zone'), var('first_year'), var('outlier_z_threshold'), var('outlier_mad_factor'),
    var('outlier_min_history'), var('outlier_small_count'), var('outlier_min_relative_change'),
    project_code_key()] %}
{%- set key = inputs_key([
    "select * from " ~ ref('stg_reference__units'),
    "select * from " ~ ref('stg_reference__unit_changes'),
    "select * from " ~ ref('stg_reference__indicators'),
    "select * from " ~ ref('stg_reference__reporting_calendar'),
    "select * from " ~ ref('stg_reference__minmax_bands'),
    "select * from " ~ ref('stg_reference__finding_rules'),
    "select unit_key from " ~ ref('stg_reference__units')
        ~ " where " ~ as_of_date() ~ " between valid_from and valid_to",
    "select '" ~ ((project_checksums() + settings) | join(',') | replace("'", "''")) ~ "' as code",
]) %}
with raw_rows as (
    -- every raw row a data model reads, hashed, under the period it belongs to
    -- each sheet with its file's name and arrival (the portal's receipt, else the first
    -- sighting: a receipt read later moves it)
    select
        s.period,
        hash(s) as h  -- noqa: RF02
    from {{ ref('int_submissions') }} as s
    union all
    select
        v.period,
        hash(v) as h
    from {{ ref('stg_raw__values') }} as v
    union all
    select
        d.period,
        hash(d) as h
    from {{ ref('stg_raw__decisions') }} as d
    union all
    select
        a.period,
        hash(a) as h
    from {{ ref('stg_raw__finding_answers') }} as a
),

fingerprints as (
    select
        period,
        md5(concat_ws(':', count(*), sum(h::hugeint), '{{ key }}')) as data_fingerprint
    from raw_rows
    where period is not null
    group by period
),

current_periods as (
    select
        coalesce(p.period, f.period) as period,
        coalesce(f.data_fingerprint, md5('no rows:{{ key }}')) as data_fingerprint,
        p.last_day < {{ as_of_date() }} as is_ended,
        p.period_type,
        p.first_day,
        p.last_day
    from {{ ref('int_periods') }} as p
    full outer join fingerprints as f on p.period = f.period
),

compared as (
    -- a period built before and gone now (its only report re-read and refused) is rebuilt
    -- too: its rows go
    select
        coalesce(c.period, b.period) as period,
        c.data_fingerprint,
        c.is_ended,
        c.period_type,
        c.first_day,
        c.last_day,
        (
            {{ rebuild_all }}
            or (c.data_fingerprint is distinct from b.data_fingerprint)
            or list_contains({{ asked_periods() }}, coalesce(c.period, b.period))
        ) as data_changed,
        ({{ rebuild_all }} or (c.is_ended is distinct from b.is_ended)) as ended_changed
    from current_periods as c
    full outer join {{ built or '(select null::varchar as period, null::varchar as data_fingerprint, '
        ~ 'null::boolean as is_ended)' }} as b
        on c.period = b.period
),

rebuilt as (
    select
        c.*,
        c.ended_changed or exists (
            select 1 from compared as t
            where
                t.data_changed
                and (t.period = c.period or (t.first_day <= c.last_day and t.last_day >= c.first_day))
        ) as is_rebuilt
    from compared as c
)

select
    x.period,
    x.period_type,
    x.data_fingerprint,
    x.is_ended,
    x.is_rebuilt,
    exists(
        select 1 from rebuilt as r
        where r.is_rebuilt and (r.period = x.period or (r.period_type = x.period_type and x.period > r.period))
    ) as is_rebuilt_with_later,
    {{ as_of_date() }} as as_of_date
from rebuilt as x
