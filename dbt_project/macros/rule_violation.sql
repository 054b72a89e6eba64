{#- One validation rule as a select of its violations, in the shape of int_rule_violations. -#}
{% macro rule_violation(rule, indicator_code, observed, expected, message, relation, condition) -%}
    select
        '{{ rule }}' as rule,
        unit_code,
        '{{ indicator_code }}' as indicator_code,
        period,
        {{ observed }} as observed,
        {{ expected }} as expected,
        '{{ message }}' as message,
        source_file,
        source_sheet
    from {{ relation }}
    where {{ condition }}
{%- endmacro %}
