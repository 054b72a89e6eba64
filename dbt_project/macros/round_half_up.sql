{#- `value` (a double) rounded half away from zero to `decimals` places, where `decimals` is a
    column (DuckDB's round() takes only a constant precision). Rounded through DECIMAL, so the
    result is the one the review prints (Python's Decimal, ROUND_HALF_UP, on the float's
    shortest repr): 1.005 is 1.01, and -2.4000000000000004 is -2.40. Outside 0..6 places the
    value is kept as it is. -#}
{% macro round_half_up(value, decimals) -%}
    case {{ decimals }}
    {%- for d in range(7) %}
        when {{ d }} then round(({{ value }})::decimal(38, 10), {{ d }})::double
    {%- endfor %}
        else {{ value }}
    end
{%- endmacro %}
