-- Reader findings of severity error or warning: info notes on skipped sheets stay in raw.
-- A view: data_quality_findings, its one reader, reads it once a night, and a table would copy
-- every finding ever made each night (docs/benchmarks.md).
{{ config(materialized='view') }}
select * from {{ ref('stg_raw__findings') }}
where severity != 'info'
