"""What every room shares: reference data (units, calendar, periods, rules), the office's
settings, text and number formats, the warehouse's writer lock. Imports none of the other rooms
(pyproject.toml, [tool.importlinter])."""
