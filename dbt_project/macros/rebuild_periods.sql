{#- A night costs what it changes (docs/engineer.md, "What a night rebuilds"). The data
    models are incremental by period: meta.int_rebuild_periods lists every period with a
    fingerprint of what it is built from, compares it with the fingerprint of the last
    successful build (meta.built_periods) and says which periods this build rebuilds. Each
    data model then selects only those periods (rebuilt_periods_only) and its strategy,
    replace_periods, deletes their old rows and inserts the new ones; the other periods'
    rows are kept. A full refresh, a first build or a model that does not exist yet builds
    everything. -#}

{#- A filter for a model's input or output: `column` is one of the periods this build
    rebuilds (`later`: or a later period of the same type, for the models that judge a value
    against the unit's earlier ones). True on a full build. -#}
{% macro rebuilt_periods_only(column, later=false) -%}
    {#- a dependency of the model, recorded while parsing; read only when incremental, so that
        a unit test (never incremental) needs no fixture of it -#}
    {%- if not execute -%}{%- do ref('int_rebuild_periods') -%}{%- endif -%}
    {%- if this is not none and is_incremental() -%}  {#- no `this` in a unit test -#}
        {{ column }} in (
            select period from {{ ref('int_rebuild_periods') }}
            where {{ 'is_rebuilt_with_later' if later else 'is_rebuilt' }}
        )
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}

{#- An input filter for the models that derive a period from the periods inside it or
    overlapping it (a year from its months, a quarter's completeness from its months):
    periods of the years being rebuilt. Every period a rebuilt period overlaps lies in its
    year (periods never cross a year). -#}
{% macro rebuilt_years_only(column) -%}
    {%- if not execute -%}{%- do ref('int_rebuild_periods') -%}{%- endif -%}
    {%- if this is not none and is_incremental() -%}  {#- no `this` in a unit test -#}
        left({{ column }}, 4) in (
            select distinct left(period, 4) from {{ ref('int_rebuild_periods') }}
            where is_rebuilt
        )
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}

{#- The strategy of the data models: the rows of the rebuilt periods are replaced by the
    new select's rows (a period that lost every row loses them here too). The model's config
    `rebuild_with_later` names the wider set of rebuilt_periods_only(later=true). -#}
{% macro get_incremental_replace_periods_sql(arg_dict) -%}
    {%- set columns = arg_dict['dest_columns'] | map(attribute='quoted') | join(', ') -%}
    {%- set flag = 'is_rebuilt_with_later' if config.get('rebuild_with_later', false) else 'is_rebuilt' -%}
    delete from {{ arg_dict['target_relation'] }}
    where period in (select period from {{ ref('int_rebuild_periods') }} where {{ flag }});
    insert into {{ arg_dict['target_relation'] }} ({{ columns }})
    select {{ columns }} from {{ arg_dict['temp_relation'] }}
{%- endmacro %}

{#- The last successful build's fingerprints (none before one). -#}
{% macro built_periods_if_any() -%}
    {%- if not execute -%}{{ return(none) }}{%- endif -%}
    {{ return(adapter.get_relation(database=target.database, schema='meta', identifier='built_periods')) }}
{%- endmacro %}

{#- The periods the trigger asked to rebuild (var rebuild_periods), as a SQL list. -#}
{% macro asked_periods() -%}
    {%- set quoted = [] -%}
    {%- for period in (var('rebuild_periods') if execute else []) -%}
        {%- do quoted.append("'" ~ (period | replace("'", "''")) ~ "'") -%}
    {%- endfor -%}
    [{{ quoted | join(', ') }}]::varchar []
{%- endmacro %}

{#- Whether this build was asked to rebuild everything (dbt build --full-refresh). -#}
{% macro full_refresh_asked() -%}
    {%- if not execute -%}{{ return(false) }}{%- endif -%}
    {{ return(flags.FULL_REFRESH) }}
{%- endmacro %}

{#- The checksum of every model and seed of the project, in a fixed order: a changed model
    (an upgrade) changes every period's fingerprint. -#}
{% macro project_checksums() -%}
    {%- if not execute -%}{{ return([]) }}{%- endif -%}
    {%- set code = [] -%}
    {%- for node in graph.nodes.values() | sort(attribute='unique_id') -%}
        {%- if node.resource_type in ['model', 'seed'] -%}
            {%- do code.append(node.unique_id ~ '=' ~ node.checksum.checksum) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(code) }}
{%- endmacro %}

{#- The hash of the project's code (models, macros, tests, their YAML, dbt_project.yml) that
    chitieu/build.py computes: part of every period's fingerprint, so that editing a macro or
    a test rebuilds and tests every period. dbt run by hand, without it, rebuilds every
    period the first time. -#}
{% macro project_code_key() -%}
    {%- if not execute -%}{{ return('') }}{%- endif -%}
    {{ return(env_var('CHITIEU_DBT_CODE_KEY', 'unknown: dbt run by hand')) }}
{%- endmacro %}

{#- The relation of the last successful build's fingerprints: written by the on-run-end
    hook, never by a model, so a build that fails half-way leaves it as it was. -#}
{% macro built_periods_relation() -%}
    {{ return(api.Relation.create(database=target.database, schema='meta', identifier='built_periods')) }}
{%- endmacro %}

{#- int_rebuild_periods' post-hook: the periods this build rebuilds are forgotten in
    meta.built_periods before any data model touches them, so that if the build stops
    half-way they are rebuilt next time whatever the raw layer then holds. -#}
{% macro forget_rebuilt_periods() -%}
    create schema if not exists {{ built_periods_relation().without_identifier() }};
    create table if not exists {{ built_periods_relation() }} (
        period varchar, data_fingerprint varchar, is_ended boolean, as_of_date date
    );
    delete from {{ built_periods_relation() }}
    where period in (select period from {{ this }} where is_rebuilt)
{%- endmacro %}

{#- on-run-end: when every model of the project was built, remember each period's
    fingerprint (and the as-of date) as built. A run of some models only (--select) or with
    a failed model records nothing. The models chitieu/build.py left out because nothing
    they are made of changed since the last build (chitieu/kept_nodes.py: views and the
    reference subgraph; CHITIEU_DBT_KEPT_MODELS) count as built. -#}
{% macro record_built_periods(results) -%}
    {%- if not execute -%}{{ return('') }}{%- endif -%}
    {%- set kept = env_var('CHITIEU_DBT_KEPT_MODELS', '').split(',') -%}
    {%- set built = [] -%}
    {%- set source = [] -%}
    {%- for result in results -%}
        {%- if result.node.resource_type == 'model' and result.status == 'success' -%}
            {%- do built.append(result.node.unique_id) -%}
            {%- if result.node.name == 'int_rebuild_periods' -%}
                {%- do source.append(result.node.relation_name) -%}
            {%- endif -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set missing = [] -%}
    {%- for node in graph.nodes.values() if node.resource_type == 'model' -%}
        {%- if node.unique_id not in built and node.unique_id not in kept -%}
            {%- do missing.append(node.unique_id) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if source and not missing -%}
        create or replace table {{ built_periods_relation() }} as
        select period, data_fingerprint, is_ended, as_of_date from {{ source[0] }}
    {%- endif -%}
{%- endmacro %}
