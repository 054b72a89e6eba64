-- Each unit with itself and every unit above it, per view and period (commune -> district
-- -> province before July 2025, commune -> province after).
with recursive ancestors as (
    select
        unit_view,
        period,
        unit_code,
        unit_code as ancestor_code,
        0 as depth
    from {{ ref('int_units_in_period') }}
    union all
    select
        a.unit_view,
        a.period,
        a.unit_code,
        u.parent_code as ancestor_code,
        a.depth + 1 as depth
    from ancestors as a
    inner join {{ ref('int_units_in_period') }} as u
        on a.unit_view = u.unit_view and a.period = u.period and a.ancestor_code = u.unit_code
    where u.parent_code is not null and a.depth < 5
)

select * from ancestors
