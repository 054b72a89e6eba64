{#- Rows sharing a key: the grain a mart promises in shared/spec/marts.md. -#}
{% test unique_key(model, columns) %}
select {{ columns | join(', ') }}, count(*) as copies
from {{ model }}
group by {{ columns | join(', ') }}
having count(*) > 1
{% endtest %}
