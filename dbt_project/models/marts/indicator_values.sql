-- As reported: every element and indicator on the units of its own period (for a period
-- that spans a change of units, those of its last day).
{{ config(materialized='incremental', incremental_strategy='replace_periods', on_schema_change='sync_all_columns') }}
select * exclude (unit_view)
from {{ ref('int_published_values') }}
where unit_view = 'as_reported' and {{ rebuilt_periods_only('period') }}
