{#- For each quarter (or half) inside a longer period, the finest complete figures and never
    a month twice: the finer parts (`finer`, keyed by `finer_key`) when they cover all
    `full_months`, else the part's own report (`reported`, keyed by `part`), else the finer
    parts there are (partial). -#}
{% macro finest_complete(finer, finer_key, reported, full_months) -%}
    select
        coalesce(f.unit_code, r.unit_code) as unit_code,
        coalesce(f.period, r.period) as period,
        coalesce(f.element_code, r.element_code) as element_code,
        coalesce(f.{{ finer_key }}, r.part) as part,
        coalesce(f.agg_over_time, r.agg_over_time) as agg_over_time,
        case when f.months = {{ full_months }} or r.part is null then f.value else r.value end as value,
        case when f.months = {{ full_months }} or r.part is null then f.months else {{ full_months }} end
            as months,
        case when f.months = {{ full_months }} or r.part is null then f.last_month else r.last_month end
            as last_month,
        case
            when f.months = {{ full_months }} or r.part is null then f.is_approximate else r.is_approximate
        end as is_approximate
    from {{ finer }} as f
    full outer join {{ reported }} as r
        on
            f.unit_code = r.unit_code and f.period = r.period and f.element_code = r.element_code
            and f.{{ finer_key }} = r.part
{%- endmacro %}
