-- Validation rules (warn): a clerk's inconsistent figures, listed for review in
-- marts.data_quality_findings. They never hold back publication.
{{ config(severity='warn') }}
select * from {{ ref('int_rule_violations') }}
