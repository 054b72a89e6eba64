-- Whether each unit-period's figures are approved, awaiting approval or changed after
-- approval (docs/spec/portal.md, "Sign off"): one row per unit and period of
-- indicator_values, with the approval in force and the two fingerprints it compares; the
-- rule, for units with units below them too, is int_approval_status's. Times are UTC.
{{ config(materialized='incremental', incremental_strategy='replace_periods', on_schema_change='sync_all_columns') }}
select
    unit_code,
    unit_name,
    period,
    period_type,
    approval_status,
    approved_by,
    approved_at,
    approved_fingerprint,
    current_fingerprint
from {{ ref('int_approval_status') }}
where unit_view = 'as_reported' and {{ rebuilt_periods_only('period') }}
