"""chitieu ingest: read the spreadsheets communes and districts send into DuckDB's raw layer."""
