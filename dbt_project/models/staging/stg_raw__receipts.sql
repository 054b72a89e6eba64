-- The portal's receipts (ingest/receipts.py): one per file fingerprint, the time the portal
-- received the file (UTC), who sent it, for which unit and period.
with source as (
    select * from {{ source('raw', 'receipts') }}
),

renamed as (
    select
        file_sha256,
        received_at,
        sender,
        unit_code,
        period
    from source
)

select * from renamed
