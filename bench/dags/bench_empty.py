"""Airflow DAG `bench_empty`: one task that does nothing, the baseline of bench/pipeline.

It measures what the Airflow path itself costs (`airflow dags test`: parsing, a DAG run,
one task instance), so a quiet night of `chitieu_nightly` can be compared with it.
"""

from __future__ import annotations

import pendulum
from airflow.sdk import dag, task


@dag(dag_id="bench_empty", schedule=None, start_date=pendulum.datetime(2026, 1, 1), catchup=False)
def bench_empty():
    @task
    def nothing() -> None:
        return None

    nothing()


bench_empty()
