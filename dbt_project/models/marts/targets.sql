-- The targets in force, each with the workbook row it was read from.
select * from {{ ref('int_targets') }}
