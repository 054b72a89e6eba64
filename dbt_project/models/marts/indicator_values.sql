-- As reported: every element and indicator on the units of its own period (for a period
-- that spans a change of units, those of its last day).
{{ config(materialized='incremental', incremental_strategy='replace_periods', on_schema_change='sync_all_columns') }}
-- approval_status: the unit-period's (int_approval_status; it is no part of the figures'
-- fingerprint, computed over int_published_values), awaiting_approval where none is known.
select
    v.* exclude (unit_view),  -- noqa: RF02
    coalesce(s.approval_status, 'awaiting_approval') as approval_status
from {{ ref('int_published_values') }} as v
left join {{ ref('int_approval_status') }} as s
    on v.unit_view = s.unit_view and v.unit_code = s.unit_code and v.period = s.period
where v.unit_view = 'as_reported' and {{ rebuilt_periods_only('v.period') }}
