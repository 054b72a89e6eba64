-- Where each unit's figures go on today's units: with value_sources, every value of
-- indicator_values_current_units traces to the submissions behind it.
select
    l.from_code as unit_code,
    l.from_name as unit_name,
    l.from_valid_from as valid_from,
    l.from_valid_to as valid_to,
    l.to_code as current_unit_code,
    l.to_name as current_unit_name,
    l.factor as share,
    l.is_approximate,
    l.is_same_unit
from {{ ref('int_unit_lineage') }} as l
where {{ as_of_date() }} between l.to_valid_from and l.to_valid_to
