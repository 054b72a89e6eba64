-- The spec's validation rules over each unit's own reported figures. A violation is a
-- clerk's figure to review, flagged as a warning; it does not hold back publication.
-- Incremental: a rebuilt period, and every later period of its type (a value is judged
-- against the unit's earlier ones), is judged again (macros/rebuild_periods.sql).
{{ config(materialized='incremental', incremental_strategy='replace_periods', rebuild_with_later=true,
          on_schema_change='sync_all_columns') }}
with v as (
    select * from {{ ref('int_current_values') }}
    where value is not null
),

judged as (
    select * from v
    where {{ rebuilt_periods_only('period', later=true) }}
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
    from judged
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
    from judged
    where period_type = 'year' and element_code like 'COVID_%'
    group by unit_code, period
),

violations as (
    {{ rule_violation('households_composition', 'HH_POOR', 'hh_poor + coalesce(hh_near_poor, 0)', 'hh_total',
        'số hộ nghèo và cận nghèo nhiều hơn tổng số hộ', 'wide',
        'hh_poor + coalesce(hh_near_poor, 0) > hh_total') }}
    union all
    {{ rule_violation('vax18_dose_order', 'VAX18_DOSE2', 'vax18_2', 'vax18_1',
        'số người từ 18 tuổi trở lên tiêm đủ 2 mũi nhiều hơn số đã tiêm mũi 1', 'wide', 'vax18_2 > vax18_1') }}
    union all
    {{ rule_violation('vax18_dose_order', 'VAX18_DOSE1', 'vax18_1', 'pop18',
        'số người từ 18 tuổi trở lên đã tiêm nhiều hơn dân số từ 18 tuổi trở lên', 'wide', 'vax18_1 > pop18') }}
    union all
    {{ rule_violation('vax12_dose_order', 'VAX12_DOSE2', 'vax12_2', 'vax12_1',
        'số trẻ 12–17 tuổi tiêm đủ 2 mũi nhiều hơn số đã tiêm mũi 1', 'wide', 'vax12_2 > vax12_1') }}
    union all
    {{ rule_violation('vax12_dose_order', 'VAX12_DOSE1', 'vax12_1', 'pop12',
        'số trẻ 12–17 tuổi đã tiêm nhiều hơn dân số 12–17 tuổi', 'wide', 'vax12_1 > pop12') }}
    union all
    {{ rule_violation('ntm_hierarchy', 'NTM_MODEL', 'ntm_model', 'ntm_adv',
        'xã NTM kiểu mẫu nhưng chưa đạt NTM nâng cao', 'wide', 'ntm_model = 1 and coalesce(ntm_adv, 0) = 0') }}
    union all
    {{ rule_violation('ntm_hierarchy', 'NTM_ADVANCED', 'ntm_adv', 'ntm',
        'xã NTM nâng cao nhưng chưa đạt chuẩn NTM', 'wide', 'ntm_adv = 1 and coalesce(ntm, 0) = 0') }}
    union all
    {{ rule_violation('covid_outcomes', 'COVID_RECOVERED', 'outcomes', 'cases',
        'số tử vong và khỏi bệnh nhiều hơn số ca mắc từ đầu năm đến nay', 'covid_ytd', 'outcomes > cases') }}
    union all
    {{ rule_violation('covid_outcomes', 'COVID_RECOVERED', 'outcomes', 'cases',
        'số tử vong và khỏi bệnh nhiều hơn số ca mắc trong năm', 'covid_year', 'outcomes > cases') }}
),

history as (
    -- Outliers as DHIS2 finds them: the modified z-score of a value against the median and
    -- the median absolute deviation of the unit's own earlier values of that element and
    -- period type (at least outlier_min_history of them).
    select
        v.unit_key,
        v.unit_code,
        v.element_code,
        v.period,
        v.period_type,
        v.value,
        v.source_file,
        v.sheet_name,
        median(h.value) as history_median,
        count(h.value) as history_values
    from judged as v
    left join v as h
        on
            v.unit_key = h.unit_key and v.element_code = h.element_code
            and v.period_type = h.period_type and v.period > h.period
    group by all
),

deviations as (
    select
        x.unit_key,
        x.element_code,
        x.period,
        median(abs(h.value - x.history_median)) as history_mad
    from history as x
    inner join v as h
        on
            x.unit_key = h.unit_key and x.element_code = h.element_code
            and x.period_type = h.period_type and x.period > h.period
    where x.history_values >= {{ var('outlier_min_history') }}
    group by all
),

scored as (
    select
        x.*,
        d.history_mad,
        {{ var('outlier_mad_factor') }} * (x.value - x.history_median) / nullif(d.history_mad, 0) as modified_z,
        e.agg_over_time
    from history as x
    inner join deviations as d
        on x.unit_key = d.unit_key and x.element_code = d.element_code and x.period = d.period
    inner join {{ ref('int_element_rules') }} as e on x.element_code = e.element_code
),

outliers as (
    -- Small counts (value and usual level under outlier_small_count), a flow falling to 0,
    -- and a move of less than outlier_min_relative_change of the usual level (a stock that
    -- grows steadily has a tiny deviation) are not outliers by themselves.
    select
        'outlier' as rule,
        unit_code,
        element_code as indicator_code,
        period,
        value as observed,
        history_median as expected,
        'khác thường so với các kỳ trước của đơn vị: điểm z hiệu chỉnh ' || round(modified_z, 1)
        || ' (trung vị ' || history_median || ', ' || history_values || ' kỳ trước)' as message,
        source_file,
        sheet_name as source_sheet
    from scored
    where
        abs(modified_z) > {{ var('outlier_z_threshold') }}
        and not (value < {{ var('outlier_small_count') }} and history_median < {{ var('outlier_small_count') }})
        and not (agg_over_time = 'sum' and value = 0)
        and abs(value - history_median) > {{ var('outlier_min_relative_change') }} * abs(history_median)
),

out_of_band as (
    -- Beyond the min-max band the office set for a unit and element (seeds/minmax_bands.csv).
    select
        'outside_minmax_band' as rule,
        v.unit_code,
        v.element_code as indicator_code,
        v.period,
        v.value as observed,
        case when v.value < b.min_value then b.min_value else b.max_value end as expected,
        'ngoài ngưỡng ' || coalesce(cast(b.min_value as varchar), '') || '..'
        || coalesce(cast(b.max_value as varchar), '') || ' đã đặt cho đơn vị này' as message,
        v.source_file,
        v.sheet_name as source_sheet
    from judged as v
    inner join {{ ref('stg_reference__minmax_bands') }} as b
        on v.unit_code = b.unit_code and v.element_code = b.element_code
    where v.value < b.min_value or v.value > b.max_value
),

province_values as (
    select v.*
    from v
    inner join {{ ref('stg_reference__units') }} as u
        on v.unit_key = u.unit_key and u.unit_level = 'province'
),

fractions as (
    -- A percentage typed as a fraction (0.0502 for 5.02 %): under 1 where the unit's own
    -- earlier values (their median) are above 1 or, without them, the province's; and a
    -- hundred times over nearer to that level (0.9 % growth after 5.02 % is a real figure).
    -- validate says the same beside the last published value (clerk/file_checks.py).
    select
        x.unit_code,
        x.element_code,
        x.period,
        x.value,
        x.source_file,
        x.sheet_name,
        coalesce(x.history_median, median(p.value)) as usual
    from history as x
    inner join {{ ref('stg_reference__indicators') }} as i
        on x.element_code = i.indicator_code and i.value_type = 'percent'
    left join province_values as p
        on
            x.element_code = p.element_code and x.period_type = p.period_type
            and x.period > p.period
    where abs(x.value) > 0 and abs(x.value) < 1
    group by
        x.unit_code, x.element_code, x.period, x.value, x.source_file, x.sheet_name, x.history_median
),

percent_as_fraction as (
    select
        'percent_as_fraction' as rule,
        unit_code,
        element_code as indicator_code,
        period,
        value as observed,
        usual as expected,
        element_code || ' ' || value || ' giống một phân số: mức thường thấy là ' || round(usual, 2)
        || ' %; có phải ' || round(value * 100, 2) || '?' as message,
        source_file,
        sheet_name as source_sheet
    from fractions
    where usual > 1 and abs(value * 100 - usual) < abs(value - usual)
),

rates_out_of_range as (
    -- A computed indicator outside its valid range (a rate over 100 %), where it is published.
    select
        'indicator_out_of_range' as rule,
        p.unit_code,
        p.indicator_code,
        p.period,
        p.value as observed,
        case when p.value < i.min_value then i.min_value else i.max_value end as expected,
        p.indicator_code || ' = ' || round(p.value, 2) || ' ngoài khoảng hợp lệ '
        || coalesce(cast(i.min_value as varchar), '') || '..' || coalesce(cast(i.max_value as varchar), '')
        || ' (' || p.numerator || ' / ' || p.denominator || ')' as message,
        null as source_file,
        null as source_sheet
    from {{ ref('int_published_values') }} as p
    inner join {{ ref('stg_reference__indicators') }} as i on p.indicator_code = i.indicator_code
    where
        p.unit_view = 'as_reported' and i.kind = 'indicator'
        and (p.value < i.min_value or p.value > i.max_value)
        and {{ rebuilt_periods_only('p.period', later=true) }}
)

select * from violations
where {{ rebuilt_periods_only('period', later=true) }}
union all
select * from outliers
union all
select * from out_of_band
union all
select * from percent_as_fraction
union all
select * from rates_out_of_range
