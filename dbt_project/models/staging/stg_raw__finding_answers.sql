-- Answers to findings from the portal (docs/spec/portal.md, "Follow up"): a clerk's
-- explanation (giai_trinh) or correction (da_sua, naming the new file's fingerprint), a
-- reviewer's acceptance (chap_nhan). Read by finding_follow_up and by the change detection.
with source as (
    select * from {{ source('raw', 'finding_answers') }}
),

renamed as (
    select
        answer_id,
        finding_key,
        unit_code,
        period,
        rule,
        indicator_code,
        kind,
        answer_text,
        corrected_file_sha256,
        answered_by,
        answered_at
    from source
)

select * from renamed
