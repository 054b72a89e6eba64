-- The spec's validation rules over each unit's own reported figures. A violation is a
-- clerk's figure to review, flagged as a warning; it does not hold back publication.
with v as (
    select * from {{ ref('int_current_values') }}
    where value is not null
),

wide as (
    select
        unit_code,
        period,
        any_value(period_type) as period_type,
        max(value) filter (where element_code = 'HH_TOTAL') as hh_total,
        max(value) filter (where element_code = 'HH_POOR') as hh_poor,
        max(value) filter (where element_code = 'HH_NEAR_POOR') as hh_near_poor,
        max(value) filter (where element_code = 'POP_18PLUS') as pop18,
        max(value) filter (where element_code = 'VAX18_DOSE1') as vax18_1,
        max(value) filter (where element_code = 'VAX18_DOSE2') as vax18_2,
        max(value) filter (where element_code = 'POP_12_17') as pop12,
        max(value) filter (where element_code = 'VAX12_DOSE1') as vax12_1,
        max(value) filter (where element_code = 'VAX12_DOSE2') as vax12_2,
        max(value) filter (where element_code = 'NTM_STATUS') as ntm,
        max(value) filter (where element_code = 'NTM_ADVANCED') as ntm_adv,
        max(value) filter (where element_code = 'NTM_MODEL') as ntm_model,
        min(source_file) as source_file,
        min(sheet_name) as source_sheet
    from v
    group by unit_code, period
),

covid_ytd as (
    -- Year to date: deaths and recoveries may follow cases reported in earlier months.
    select
        unit_code,
        period,
        min(source_file) as source_file,
        min(sheet_name) as source_sheet,
        sum(sum(value) filter (where element_code = 'COVID_CASES')) over ytd as cases,
        sum(sum(value) filter (where element_code in ('COVID_DEATHS', 'COVID_RECOVERED'))) over ytd
            as outcomes
    from v
    where element_code like 'COVID_%' and period_type = 'month'
    group by unit_code, period
    window ytd as (partition by unit_code, left(period, 4) order by period)
),

covid_year as (
    select
        unit_code,
        period,
        min(source_file) as source_file,
        min(sheet_name) as source_sheet,
        max(value) filter (where element_code = 'COVID_CASES') as cases,
        coalesce(max(value) filter (where element_code = 'COVID_DEATHS'), 0)
        + coalesce(max(value) filter (where element_code = 'COVID_RECOVERED'), 0) as outcomes
    from v
    where period_type = 'year' and element_code like 'COVID_%'
    group by unit_code, period
),

violations as (
    {{ rule_violation('households_composition', 'HH_POOR', 'hh_poor + coalesce(hh_near_poor, 0)', 'hh_total',
        'poor + near-poor households exceed all households', 'wide',
        'hh_poor + coalesce(hh_near_poor, 0) > hh_total') }}
    union all
    {{ rule_violation('vax18_dose_order', 'VAX18_DOSE2', 'vax18_2', 'vax18_1',
        'adults with two doses exceed adults with one dose', 'wide', 'vax18_2 > vax18_1') }}
    union all
    {{ rule_violation('vax18_dose_order', 'VAX18_DOSE1', 'vax18_1', 'pop18',
        'adults with a dose exceed the adult population', 'wide', 'vax18_1 > pop18') }}
    union all
    {{ rule_violation('vax12_dose_order', 'VAX12_DOSE2', 'vax12_2', 'vax12_1',
        'children with two doses exceed children with one dose', 'wide', 'vax12_2 > vax12_1') }}
    union all
    {{ rule_violation('vax12_dose_order', 'VAX12_DOSE1', 'vax12_1', 'pop12',
        'children with a dose exceed the population aged 12-17', 'wide', 'vax12_1 > pop12') }}
    union all
    {{ rule_violation('ntm_hierarchy', 'NTM_MODEL', 'ntm_model', 'ntm_adv',
        'model NTM commune is not advanced NTM', 'wide', 'ntm_model = 1 and coalesce(ntm_adv, 0) = 0') }}
    union all
    {{ rule_violation('ntm_hierarchy', 'NTM_ADVANCED', 'ntm_adv', 'ntm',
        'advanced NTM commune does not meet the NTM standard', 'wide', 'ntm_adv = 1 and coalesce(ntm, 0) = 0') }}
    union all
    {{ rule_violation('covid_outcomes', 'COVID_RECOVERED', 'outcomes', 'cases',
        'deaths + recoveries exceed cases reported so far this year', 'covid_ytd', 'outcomes > cases') }}
    union all
    {{ rule_violation('covid_outcomes', 'COVID_RECOVERED', 'outcomes', 'cases',
        'deaths + recoveries exceed cases in the year', 'covid_year', 'outcomes > cases') }}
),

history as (
    -- Outliers: more than a factor away from the unit's previous value of the same kind.
    select
        unit_code,
        element_code,
        period,
        value,
        source_file,
        sheet_name,
        lag(value) over (partition by unit_key, element_code, period_type order by period) as previous
    from v
),

outliers as (
    select
        'outlier' as rule,
        unit_code,
        element_code as indicator_code,
        period,
        value as observed,
        previous as expected,
        'more than ' || {{ var('outlier_factor', 10) }} || 'x away from the previous value' as message,
        source_file,
        sheet_name as source_sheet
    from history
    where previous > 0 and (
        value > previous * {{ var('outlier_factor', 10) }}
        or value < previous / {{ var('outlier_factor', 10) }}
    )
)

select * from violations
union all
select * from outliers
