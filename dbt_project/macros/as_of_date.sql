{#- The day the warehouse is built for: the var as_of_date (or the environment's
    CHITIEU_AS_OF_DATE, which backfills and tests set), else today in the office's time zone.
    It decides today's units, which periods have ended, and which years are closed. -#}
{% macro as_of_date() -%}
    {%- set day = var('as_of_date') or env_var('CHITIEU_AS_OF_DATE', '') -%}
    {%- if day -%}
        date '{{ day }}'
    {%- else -%}
        cast(timezone('{{ var("local_time_zone") }}', now()) as date)
    {%- endif -%}
{%- endmacro %}
