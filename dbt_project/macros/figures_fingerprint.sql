{#- The fingerprint of a unit-period's figures: sha256 of its "code=value" pairs in code
    order. The portal records it with each approval (portal/office/published.py,
    FINGERPRINT_SQL, computed over marts.indicator_values); int_approval_status computes it
    over the same rows and compares, so the two must stay the same expression
    (tests/warehouse/test_approval_status.py checks they agree). An aggregate: call it in a
    select grouped by unit and period. -#}
{% macro figures_fingerprint(code_column, value_column) -%}
    sha256(string_agg({{ code_column }} || '=' || coalesce(cast({{ value_column }} as varchar), ''), ';'
        order by {{ code_column }}))
{%- endmacro %}
