-- sqlfluff:indentation:template_blocks_indent:false
-- The hierarchy each figure is rolled up in, per view and period: the units that exist on
-- the view's day for that period.
-- as_reported: the period's last day (for the year 2025, the units after the July reform);
-- current_units: today, for every period (the comparable series).
-- Rebuilt only when the periods, the unit list or today's units change (macros/inputs_key.sql).
-- A period's rows change only when that period is rebuilt (the unit list and today's units are
-- in every period's fingerprint, a new period is rebuilt), so a night tests only those
-- (test_rebuilt_periods_only, macros/tested_periods.sql).
{{ config(materialized='incremental', incremental_strategy='replace_when_changed',
          on_schema_change='sync_all_columns', test_rebuilt_periods_only=true) }}
{%- set key = inputs_key([
    "select * from " ~ ref('int_periods'),
    "select * from " ~ ref('stg_reference__units'),
    "select unit_key from " ~ ref('stg_reference__units')
        ~ " where " ~ as_of_date() ~ " between valid_from and valid_to",
]) %}
{%- if inputs_unchanged(key) %}
select * from {{ this }}
where false
{%- else %}
with views as (
    select
        'as_reported' as unit_view,
        period,
        period_type,
        year,
        last_day as units_on
    from {{ ref('int_periods') }}
    union all
    select
        'current_units' as unit_view,
        period,
        period_type,
        year,
        {{ as_of_date() }} as units_on
    from {{ ref('int_periods') }}
)

select
    v.unit_view,
    v.period,
    v.period_type,
    v.year,
    u.unit_key,
    u.unit_code,
    u.unit_name,
    u.unit_type,
    u.unit_level,
    u.parent_code,
    '{{ key }}' as inputs_key
from views as v
inner join {{ ref('stg_reference__units') }} as u on v.units_on between u.valid_from and u.valid_to
{%- endif %}
