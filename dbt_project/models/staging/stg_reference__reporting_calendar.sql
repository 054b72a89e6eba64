select
    unit_level,
    period_type,
    due_days,
    valid_from,
    valid_to
from {{ ref('reporting_calendar') }}
