-- One step of succession: where the figures of a unit that ceased go.
-- 1. The change list (admin_unit_changes) names its successor(s): a whole unit goes whole;
--    a split unit gives each successor its written share, or, where no share is written,
--    everything to its default successor, marked approximate.
-- 2. Else a unit of the same code starting the next day (a parent change, a renaming).
-- 3. Else its parent on its last day (a district abolished: its own figures stay in the
--    province), so that nothing is ever lost.
with units as (
    select * from {{ ref('stg_reference__units') }}
),

ceased as (
    select * from units
    where valid_to < date '9999-12-31'
),

listed as (
    select
        c.unit_key as from_key,
        n.unit_key as to_key,
        ch.share,
        ch.is_default_new,
        count(*) over (partition by c.unit_key) as successors,
        count(ch.share) over (partition by c.unit_key) as shares_written
    from ceased as c
    inner join {{ ref('stg_reference__unit_changes') }} as ch
        on c.unit_code = ch.old_code and ch.effective_date = c.valid_to + 1
    inner join units as n
        on ch.new_code = n.unit_code and ch.effective_date between n.valid_from and n.valid_to
),

by_list as (
    select
        from_key,
        to_key,
        case
            when shares_written > 0 then coalesce(share, 0)
            when successors = 1 or is_default_new then 1
            else 0
        end as factor,
        shares_written = 0 and successors > 1 as is_approximate,
        'listed' as succession
    from listed
),

same_code as (
    select
        c.unit_key as from_key,
        n.unit_key as to_key,
        1.0 as factor,
        false as is_approximate,
        'same code' as succession
    from ceased as c
    inner join units as n on c.unit_code = n.unit_code and n.valid_from = c.valid_to + 1
    where c.unit_key not in (select l.from_key from listed as l)
),

to_parent as (
    select
        c.unit_key as from_key,
        p.unit_key as to_key,
        1.0 as factor,
        false as is_approximate,
        'parent' as succession
    from ceased as c
    inner join units as p on c.parent_code = p.unit_code and c.valid_to between p.valid_from and p.valid_to
    where
        c.unit_key not in (select l.from_key from listed as l)
        and c.unit_key not in (select s.from_key from same_code as s)
)

select * from by_list
where factor > 0
union all
select * from same_code
union all
select * from to_parent
