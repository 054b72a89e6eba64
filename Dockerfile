# chitieu's Airflow image: the locked dependency set (uv.lock) on Python 3.11.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    UV_LINK_MODE=copy \
    UV_PROJECT_ENVIRONMENT=/opt/venv \
    PATH=/opt/venv/bin:$PATH \
    AIRFLOW_HOME=/opt/airflow \
    AIRFLOW__CORE__DAGS_FOLDER=/opt/chitieu/dags \
    AIRFLOW__CORE__LOAD_EXAMPLES=False \
    DO_NOT_TRACK=1

RUN apt-get update && apt-get install -y --no-install-recommends curl tini \
    && rm -rf /var/lib/apt/lists/* \
    && pip install --no-cache-dir uv \
    && useradd --create-home --uid 50000 --gid 0 airflow \
    && mkdir -p /opt/airflow /data/inbox /data/archive /data/warehouse /data/reports \
    && chown -R airflow:0 /opt/airflow /data

WORKDIR /opt/chitieu
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev --no-install-project --compile-bytecode
COPY --chown=airflow:0 base ./base
COPY --chown=airflow:0 chitieu ./chitieu
COPY --chown=airflow:0 clerk ./clerk
COPY --chown=airflow:0 ingest ./ingest
COPY --chown=airflow:0 dags ./dags
COPY --chown=airflow:0 dbt_project ./dbt_project
COPY README.md ./
# The project itself, installed (editable) like on a developer's machine: `chitieu` and
# `chitieu-ingest` on PATH, the packages importable without PYTHONPATH.
RUN uv sync --frozen --no-dev --compile-bytecode

USER airflow
ENTRYPOINT ["/usr/bin/tini", "--", "airflow"]
CMD ["version"]
