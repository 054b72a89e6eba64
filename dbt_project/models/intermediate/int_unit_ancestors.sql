-- Each unit with itself and every unit above it, per period (commune -> district -> province,
-- or commune -> province after July 2025).
with recursive ancestors as (
    select
        period,
        unit_code,
        unit_code as ancestor_code,
        0 as depth
    from {{ ref('int_units_in_period') }}
    union all
    select
        a.period,
        a.unit_code,
        u.parent_code as ancestor_code,
        a.depth + 1 as depth
    from ancestors as a
    inner join {{ ref('int_units_in_period') }} as u
        on a.period = u.period and a.ancestor_code = u.unit_code
    where u.parent_code is not null and a.depth < 5
)

select * from ancestors
