-- Decisions on a unit's period (a reviewer's approval, from the portal): read today only by
-- the change detection (int_rebuild_periods), so that a new decision rebuilds its period.
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
