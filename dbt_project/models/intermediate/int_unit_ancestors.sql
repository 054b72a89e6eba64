-- sqlfluff:indentation:template_blocks_indent:false
-- Each unit with itself and every unit above it, per view and period (commune -> district
-- -> province before July 2025, commune -> province after).
-- Rebuilt only when int_units_in_period was (its key) or this model changed.
{{ config(materialized='incremental', incremental_strategy='replace_when_changed',
          on_schema_change='sync_all_columns') }}
{%- set key = inputs_key(["select inputs_key from " ~ ref('int_units_in_period') ~ " limit 1"]) %}
{%- if inputs_unchanged(key) %}
select * from {{ this }}
where false
{%- else %}
with recursive ancestors as (
    select
        unit_view,
        period,
        unit_code,
        unit_code as ancestor_code,
        0 as depth
    from {{ ref('int_units_in_period') }}
    union all
    select
        a.unit_view,
        a.period,
        a.unit_code,
        u.parent_code as ancestor_code,
        a.depth + 1 as depth
    from ancestors as a
    inner join {{ ref('int_units_in_period') }} as u
        on a.unit_view = u.unit_view and a.period = u.period and a.ancestor_code = u.unit_code
    where u.parent_code is not null and a.depth < 5
)

select
    *,
    '{{ key }}' as inputs_key
from ancestors
{%- endif %}
