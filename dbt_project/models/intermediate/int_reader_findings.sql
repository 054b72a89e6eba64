-- Reader findings of severity error or warning: info notes on skipped sheets stay in raw.
select * from {{ ref('stg_raw__findings') }}
where severity != 'info'
