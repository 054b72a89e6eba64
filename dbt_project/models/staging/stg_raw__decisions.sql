-- Decisions on a unit's period (a reviewer's approval or return, the office's exception,
-- from the portal): the locks read them (int_held_submissions), and the change detection
-- (int_rebuild_periods), so that a new decision rebuilds its period.
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
        note
    from source
)

select * from renamed
