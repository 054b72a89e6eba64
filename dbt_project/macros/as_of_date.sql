{#- The day the warehouse is built for: the environment's CHITIEU_AS_OF_DATE, which every
    night sets (chitieu.build), or the var as_of_date (dbt's unit tests), else today in the
    office's time zone. It decides today's units, which periods have ended, and which years
    are closed. A night never passes it as a var: dbt re-parses the whole project when its
    vars change, and this one would change every night. -#}
{% macro as_of_date() -%}
    {%- set day = var('as_of_date') or env_var('CHITIEU_AS_OF_DATE', '') -%}
    {%- if day -%}
        date '{{ day }}'
    {%- else -%}
        cast(timezone('{{ var("local_time_zone") }}', now()) as date)
    {%- endif -%}
{%- endmacro %}
