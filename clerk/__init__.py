"""The clerk tools: report templates, the targets workbook and `validate`, for the clerks who
fill reports and the office that sends them. They read the published warehouse (last values,
targets in force), which the reader (ingest/) never does."""
