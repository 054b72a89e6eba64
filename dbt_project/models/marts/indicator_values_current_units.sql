-- On today's units: every period, 2021 included, carried to the units that exist today,
-- so that a commune of today has one comparable series (is_approximate where a split unit
-- without a written share went whole to its default successor).
{{ config(materialized='incremental', incremental_strategy='replace_periods', on_schema_change='sync_all_columns') }}
select * exclude (unit_view)
from {{ ref('int_published_values') }}
where unit_view = 'current_units' and {{ rebuilt_periods_only('period') }}
