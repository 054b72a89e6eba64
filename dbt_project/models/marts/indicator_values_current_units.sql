-- On today's units: every period, 2021 included, carried to the units that exist today,
-- so that a commune of today has one comparable series (is_approximate where a split unit
-- without a written share went whole to its default successor).
{{ config(materialized='incremental', incremental_strategy='replace_periods', on_schema_change='sync_all_columns') }}
-- approval_status: the unit-period's (int_approval_status; it is no part of the figures'
-- fingerprint, computed over int_published_values), awaiting_approval where none is known.
select
    v.* exclude (unit_view),  -- noqa: RF02
    coalesce(s.approval_status, 'awaiting_approval') as approval_status
from {{ ref('int_published_values') }} as v
left join {{ ref('int_approval_status') }} as s
    on v.unit_view = s.unit_view and v.unit_code = s.unit_code and v.period = s.period
where v.unit_view = 'current_units' and {{ rebuilt_periods_only('v.period') }}
