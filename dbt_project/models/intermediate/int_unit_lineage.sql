-- Each unit with every unit its figures reach through successive changes (itself at step
-- 0), and the fraction that reaches it. Two paths to one unit add up.
with recursive paths as (
    select
        unit_key as from_key,
        unit_key as to_key,
        1.0::double as factor,
        false as is_approximate,
        0 as steps
    from {{ ref('stg_reference__units') }}
    union all
    select
        p.from_key,
        s.to_key,
        p.factor * s.factor as factor,
        p.is_approximate or s.is_approximate as is_approximate,
        p.steps + 1 as steps
    from paths as p
    inner join {{ ref('int_unit_successors') }} as s on p.to_key = s.from_key
    where p.steps < 20
),

lineage as (
    select
        from_key,
        to_key,
        sum(factor) as factor,
        bool_or(is_approximate) as is_approximate,
        min(steps) as steps
    from paths
    group by from_key, to_key
)

select
    l.from_key,
    f.unit_code as from_code,
    f.unit_name as from_name,
    f.valid_from as from_valid_from,
    f.valid_to as from_valid_to,
    l.to_key,
    t.unit_code as to_code,
    t.unit_name as to_name,
    t.valid_from as to_valid_from,
    t.valid_to as to_valid_to,
    l.factor,
    l.is_approximate,
    l.from_key = l.to_key as is_same_unit
from lineage as l
inner join {{ ref('stg_reference__units') }} as f on l.from_key = f.unit_key
inner join {{ ref('stg_reference__units') }} as t on l.to_key = t.unit_key
