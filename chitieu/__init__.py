"""chitieu's nightly job: ingest, build with dbt, audit, publish, report.

Each stage is a plain function so that Airflow tasks, `make run` and the tests call the
same code; the DAG files in dags/ only wire them together.
"""
