{#- Totals vs parts (indicators.md): a figure a unit sends for an element its level does not
    report as its own part (a district's total of poor households) is a reported total. It
    is used where no unit below reported that element for the period, and superseded (kept
    aside, checked against the roll-up: int_total_mismatches) where one did, so nothing is
    ever counted twice. `relation` is a CTE of one view's own figures. -#}
{% macro flag_superseded_totals(relation) -%}
    select
        v.*,
        coalesce(not (
            list_contains(r.reported_by, u.unit_level)
            or (
                list_contains(r.reported_by, '{{ var("xa_reported_by") }}')
                and u.unit_level = 'commune' and u.unit_type = '{{ var("xa_unit_type") }}'
            )
            or coalesce(len(r.reported_by), 0) = 0
        ), false)
        and exists (
            select 1
            from {{ relation }} as below
            inner join {{ ref('int_unit_ancestors') }} as a
                on
                    a.unit_view = below.unit_view and a.unit_code = below.unit_code
                    and a.period = below.period
            where
                a.depth > 0 and a.ancestor_code = v.unit_code and below.period = v.period
                and below.element_code = v.element_code
        ) as is_superseded_total
    from {{ relation }} as v
    left join rules as r on v.element_code = r.element_code
    left join units as u on v.unit_view = u.unit_view and v.period = u.period and v.unit_code = u.unit_code
{%- endmacro %}
