{#- The day the warehouse is built for: the var as_of_date, or today in the office's time zone. -#}
{% macro as_of_date() -%}
    {%- if var('as_of_date') -%}
        date '{{ var("as_of_date") }}'
    {%- else -%}
        cast(timezone('{{ var("local_time_zone") }}', now()) as date)
    {%- endif -%}
{%- endmacro %}
