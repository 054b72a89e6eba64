{#- Reference models (the unit hierarchy per period) depend on the seeds, the period list and
    today's units, not on the night's files: they are rebuilt only when those change. Each
    such model is incremental with the strategy below, stores the key of what it was built
    from in a column inputs_key, and compiles to an empty select when the key is unchanged
    (a night that brings files then costs nothing here); a changed key rebuilds it whole. -#}

{#- The key of a model's inputs: an md5 over each query's rows (in a fixed order) and the
    model's own code, so that a changed seed, period list, unit of today or model rebuilds. -#}
{% macro inputs_key(queries) -%}
    {%- if not execute -%}{{ return('') }}{%- endif -%}
    {%- set parts = [] -%}
    {%- for query in queries -%}
        {%- do parts.append(
            "(select coalesce(string_agg(h, ',' order by h), '') from (select md5(t::varchar) as h from ("
            ~ query ~ ") as t))") -%}
    {%- endfor -%}
    {%- set sql = "select md5(concat_ws('|', " ~ parts | join(', ') ~ ", '"
        ~ model.checksum.checksum ~ "'))" -%}
    {{ return(run_query(sql).columns[0].values()[0]) }}
{%- endmacro %}

{#- True when the model exists, is built incrementally and holds rows of this very key (a
    table built before it had a key, by an older release, is rebuilt). -#}
{% macro inputs_unchanged(key) -%}
    {%- if not execute or not is_incremental() -%}{{ return(false) }}{%- endif -%}
    {%- set columns = adapter.get_columns_in_relation(this) | map(attribute='name') | list -%}
    {%- if 'inputs_key' not in columns -%}{{ return(false) }}{%- endif -%}
    {%- set stored = run_query("select inputs_key from " ~ this ~ " limit 1") -%}
    {{ return(stored.rows | length > 0 and stored.columns[0].values()[0] == key) }}
{%- endmacro %}

{#- The incremental strategy of those models: the select is empty when nothing changed (the
    table stays), else it holds the whole new table, which replaces the old rows. -#}
{% macro get_incremental_replace_when_changed_sql(arg_dict) -%}
    {%- set columns = arg_dict['dest_columns'] | map(attribute='quoted') | join(', ') -%}
    delete from {{ arg_dict['target_relation'] }}
    where exists (select 1 from {{ arg_dict['temp_relation'] }});
    insert into {{ arg_dict['target_relation'] }} ({{ columns }})
    select {{ columns }} from {{ arg_dict['temp_relation'] }}
{%- endmacro %}
