-- Decisions on a unit's period (a reviewer's approval or return, the office's exception,
-- from the portal): the locks read them (int_held_submissions), and the change detection
-- (int_rebuild_periods), so that a new decision rebuilds its period, and the approval
-- status (int_latest_decisions: an approval's figures_sha256 is the fingerprint of the
-- figures approved, macros/figures_fingerprint.sql; null where none was recorded).
with source as (
    select * from {{ source('raw', 'decisions') }}
),

renamed as (
    select
        unit_code,
        period,
        decision,
        decided_by,
        decided_at,
        note,
        decision_id,
        nullif(figures_sha256, '') as figures_sha256
    from source
)

select * from renamed
