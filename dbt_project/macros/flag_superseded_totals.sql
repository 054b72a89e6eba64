{#- Totals vs parts (indicators.md): a figure a unit sends for an element its level does not
    report as its own part (a district's total of poor households) is a reported total. It
    is used where no unit below reported that element for the period, and superseded (kept
    aside, checked against the roll-up: int_total_mismatches) where one did, so nothing is
    ever counted twice. `relation` is a CTE of one view's own figures. A flow's figure
    derived from a unit's own parts is never superseded: int_values_over_time builds it only
    from the reported totals no unit below overlaps in time, so it holds months no unit
    below reported (a district's first half beside its communes' later months). -#}
{% macro flag_superseded_totals(relation) -%}
    select
        v.*,
        {{ is_reported_total('r', 'u') }}
        and not (v.is_derived and r.agg_over_time = 'sum')
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

{#- Whether unit `units` reporting element `rules` sends a reported total rather than its own
    part: its level is not among the element's "reported by" levels (a xã reports the
    xã-only elements). `rules` and `units` are aliases of int_element_rules and
    int_units_in_period rows. -#}
{% macro is_reported_total(rules, units) -%}
    coalesce(not (
        list_contains({{ rules }}.reported_by, {{ units }}.unit_level)
        or (
            list_contains({{ rules }}.reported_by, '{{ var("xa_reported_by") }}')
            and {{ units }}.unit_level = 'commune' and {{ units }}.unit_type = '{{ var("xa_unit_type") }}'
        )
        or coalesce(len({{ rules }}.reported_by), 0) = 0
    ), false)
{%- endmacro %}
