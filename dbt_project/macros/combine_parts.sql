{#- Aggregates that combine consecutive parts of a period into one figure, by the element's
    rule over time: flows ("sum") add up, stocks ("last") take the latest part. Each part
    carries value, months (months it covers), last_month (its last month as year*12+month)
    and is_approximate. Used at every step of the time roll-up (months -> quarters ->
    halves -> years), so the rule is written once. -#}
{% macro combine_parts() -%}
    case
        when any_value(agg_over_time) = 'sum' then sum(value)
        else arg_max(value, last_month)
    end as value,
    sum(months) as months,
    max(last_month) as last_month,
    case
        when any_value(agg_over_time) = 'sum' then bool_or(is_approximate)
        else arg_max(is_approximate, last_month)
    end as is_approximate
{%- endmacro %}
