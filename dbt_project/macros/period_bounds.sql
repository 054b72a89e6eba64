{#- First and last day of a period code: 2021, 2021-H1, 2021-Q4, 2021-12. -#}
{% macro period_first_day(period) -%}
    case
        when length({{ period }}) = 4 then make_date(cast({{ period }} as integer), 1, 1)
        when {{ period }} like '%-Q%' then make_date(
            cast(left({{ period }}, 4) as integer), 3 * cast(right({{ period }}, 1) as integer) - 2, 1
        )
        when {{ period }} like '%-H%' then make_date(
            cast(left({{ period }}, 4) as integer), 6 * cast(right({{ period }}, 1) as integer) - 5, 1
        )
        else make_date(cast(left({{ period }}, 4) as integer), cast(right({{ period }}, 2) as integer), 1)
    end
{%- endmacro %}

{% macro period_last_day(period) -%}
    case
        when length({{ period }}) = 4 then make_date(cast({{ period }} as integer), 12, 31)
        when {{ period }} like '%-Q%' then last_day(make_date(
            cast(left({{ period }}, 4) as integer), 3 * cast(right({{ period }}, 1) as integer), 1
        ))
        when {{ period }} like '%-H%' then last_day(make_date(
            cast(left({{ period }}, 4) as integer), 6 * cast(right({{ period }}, 1) as integer), 1
        ))
        else last_day(make_date(cast(left({{ period }}, 4) as integer), cast(right({{ period }}, 2) as integer), 1))
    end
{%- endmacro %}
