{#- A night tests what it rebuilt (docs/engineer.md, "What a night rebuilds"). A data model
    incremental by period (replace_periods) keeps the rows of the periods it did not rebuild,
    and they passed the tests of the build that wrote them; so on an incremental night an
    error-severity test of such a model reads only the periods this build rebuilt
    (meta.int_rebuild_periods). A full refresh tests every row, and so does any build after a
    change of the project's code (macros and tests included): it changes every period's
    fingerprint, so every period is rebuilt. Warn-severity tests are never narrowed: what they
    report (validation flags, target shortfalls) stands in every night's summary. A build that
    fails an error test records nothing (macros/rebuild_periods.sql), so those periods are
    rebuilt and tested again the next night. -#}

{#- The generic tests whose failing rows each lie in one period of the row that fails, given
    their arguments: only these are narrowed. A uniqueness test is when its key holds period
    (rows of two periods never share such a key). -#}
{% macro is_test_within_a_period(test) -%}
    {%- set name = test.name -%}
    {%- set kwargs = test.kwargs or {} -%}
    {%- if name in ['not_null', 'accepted_values', 'relationships', 'value_between'] -%}
        {{ return(true) }}
    {%- elif name == 'unique' -%}
        {{ return(kwargs.get('column_name') == 'period') }}
    {%- elif name == 'unique_key' -%}
        {{ return('period' in (kwargs.get('columns') or [])) }}
    {%- endif -%}
    {{ return(false) }}
{%- endmacro %}

{#- Whether this test is narrowed to the rebuilt periods at all: an incremental build (not a
    full refresh), the test of error severity. -#}
{% macro tests_rebuilt_periods_only() -%}
    {%- if not execute or flags.FULL_REFRESH -%}{{ return(false) }}{%- endif -%}
    {{ return((config.get('severity') or 'error') | lower == 'error') }}
{%- endmacro %}

{#- The periods this build rebuilt, as a subquery (`later`: with the later periods of the same
    type, for a model configured rebuild_with_later). Read by name, not ref(): a test gains no
    dependency on int_rebuild_periods (its model already has one). -#}
{% macro rebuilt_periods_subquery(later=false) -%}
    {%- set node = graph.nodes.get('model.' ~ project_name ~ '.int_rebuild_periods') -%}
    (select period from {{ node.relation_name }} where {{ 'is_rebuilt_with_later' if later else 'is_rebuilt' }})
{%- endmacro %}

{#- For a singular test of the data models: `column` is a period this build rebuilt, or true
    where the test reads everything (a full refresh, a warn-severity test). -#}
{% macro tested_periods_only(column) -%}
    {%- if tests_rebuilt_periods_only() -%}
        {{ column }} in {{ rebuilt_periods_subquery(later=false) }}
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}

{#- dbt's generic tests read their model through this macro (dbt's own applies the `where`
    config): here it also narrows an error test of a model incremental by period to the
    periods this build rebuilt, and of a model configured test_rebuilt_periods_only (one whose
    rows of a period change only when that period is rebuilt: a reference model built from
    inputs that are in every period's fingerprint). -#}
{% macro get_where_subquery(relation) -%}
    {%- set conditions = [] -%}
    {%- set where = config.get('where') -%}
    {%- if where -%}{%- do conditions.append('(' ~ where ~ ')') -%}{%- endif -%}
    {%- if tests_rebuilt_periods_only() and model.attached_node -%}
        {%- set tested = graph.nodes.get(model.attached_node) -%}
        {%- if tested and tested.resource_type == 'model'
            and ((tested.config.materialized == 'incremental'
                  and tested.config.incremental_strategy == 'replace_periods')
                 or tested.config.get('test_rebuilt_periods_only', false))
            and tested.relation_name == relation.render()
            and is_test_within_a_period(model.test_metadata) -%}
            {%- do conditions.append('period in ' ~ rebuilt_periods_subquery(
                later=tested.config.get('rebuild_with_later', false))) -%}
        {%- endif -%}
    {%- endif -%}
    {%- if conditions -%}
        {%- do return('(select * from ' ~ relation ~ ' where ' ~ conditions | join(' and ') ~ ') dbt_subquery') -%}
    {%- endif -%}
    {%- do return(relation) -%}
{%- endmacro %}
