-- Every path under which a file's bytes were seen, duplicate sends included.
with source as (
    select * from {{ source('raw', 'file_sightings') }}
),

renamed as (
    select
        file_sha256,
        original_path as sighted_path,
        seen_at,
        size_bytes,
        mtime_ns
    from source
)

select * from renamed
