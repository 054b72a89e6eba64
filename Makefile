# chitieu — `make run` (the nightly job once, end to end) and `make test` (everything).
SHELL := /bin/bash
.DEFAULT_GOAL := help

UV ?= $(shell command -v uv 2>/dev/null || echo $(HOME)/.local/bin/uv)
VENV := .venv
PY := $(VENV)/bin/python
# PROVINCE=CODE: any of the 34 provinces, on its generated unit list and sample
# (data/provinces/CODE); without it, Hà Tĩnh's sample with the source article's figures.
# Today's 34 province codes (ingest/sample/province.py PROVINCE_CODES, tested equal). Any other
# value is refused here, before a file is touched: the value names a folder make removes. It is
# read unexpanded ($(value ...)), so a value holding $(...) is refused, never run.
PROVINCES := 01 04 08 11 12 14 15 19 20 22 24 25 31 33 37 38 40 42 44 46 48 51 52 56 66 68 75 79 80 82 86 91 92 96
ifdef PROVINCE
ifneq ($(words $(value PROVINCE)) $(filter $(PROVINCES),$(value PROVINCE)),1 $(value PROVINCE))
$(error PROVINCE=$(value PROVINCE) is not one of today's 34 province codes ($(PROVINCES)); nothing was touched)
endif
override SAMPLE_DIR := $(CURDIR)/data/provinces/$(PROVINCE)
WAREHOUSE_DIR ?= $(CURDIR)/warehouse/province-$(PROVINCE)
export WAREHOUSE_DIR  # never a Hà Tĩnh warehouse: each province builds and publishes its own
export CHITIEU_SEEDS_DIR := $(SAMPLE_DIR)/seeds
SAMPLE_ARGS := --province $(PROVINCE)
else
override SAMPLE_DIR := $(CURDIR)/data/sample
WAREHOUSE_DIR ?= $(CURDIR)/warehouse
endif

# The office's settings are in chitieu.toml (base/settings.py); INBOX=... or WAREHOUSE_DIR=...
# on the command line override it. With no inbox named anywhere, the sample inbox is read,
# and every run's log and summary say so.
ifneq ($(origin INBOX),undefined)
export INBOX
endif
ifneq ($(origin WAREHOUSE_DIR),file)
export WAREHOUSE_DIR
endif
export CHITIEU_SAMPLE_INBOX := $(SAMPLE_DIR)/inbox
export UV
export AIRFLOW_HOME ?= $(CURDIR)/.airflow
export AIRFLOW__CORE__DAGS_FOLDER := $(CURDIR)/dags
export AIRFLOW__CORE__LOAD_EXAMPLES := False
export AIRFLOW__CORE__DEFAULT_TIMEZONE := Asia/Ho_Chi_Minh
export AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS := admin:admin
export AIRFLOW__API__PORT := 8080
export AIRFLOW__LOGGING__LOGGING_LEVEL := INFO
export DO_NOT_TRACK := 1
export DBT_SEND_ANONYMOUS_USAGE_STATS := False

.PHONY: help setup sample airflow-db run airflow superset docs test test-quick lint test-distributed env bench clean

help:
	@echo "make run    - run the nightly job once through Airflow (INBOX=..., WAREHOUSE_DIR=...)"
	@echo "make test   - lint and the whole test suite"
	@echo "make test-quick - the unit tier only (parsing, settings, DAG shape, dbt layout)"
	@echo "make airflow - Airflow's UI and scheduler on http://127.0.0.1:8080 (this machine only)"
	@echo "make docs   - dbt's documentation site (lineage, exposures) in dbt_project/target"
	@echo "make superset - Superset with the chitieu dashboard on http://127.0.0.1:8088 (after make run)"

$(UV):
	python3 -m pip install --quiet --user uv

$(VENV)/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --quiet --compile-bytecode
	touch $@

setup: $(VENV)/.synced

# The sample is regenerated whenever its generator or the reference data change.
$(SAMPLE_DIR)/.generated: $(wildcard ingest/sample/*.py) $(wildcard dbt_project/seeds/*.csv) $(wildcard templates/*.xlsx) tools/generate_admin_units.py | $(VENV)/.synced
	$(PY) -m ingest sample --replace --out '$(SAMPLE_DIR)' $(SAMPLE_ARGS)
	touch '$@'

sample: $(SAMPLE_DIR)/.generated

# Airflow's embedded SQLite metadata database and the warehouse write pool (one slot).
$(AIRFLOW_HOME)/.ready: | $(VENV)/.synced
	mkdir -p $(AIRFLOW_HOME)
	$(PY) -m chitieu airflow-db
	chmod 600 $(AIRFLOW_HOME)/airflow.db
	touch $@

airflow-db: $(AIRFLOW_HOME)/.ready

run: setup airflow-db sample
	$(PY) -m chitieu run

airflow: setup airflow-db sample
	$(PY) -m chitieu airflow

# dbt's documentation site: models, tests, the lineage graph and the exposures (the Superset
# dashboard, the review report), built against a scratch database in dbt_project/target.
docs: setup
	$(PY) -m chitieu docs

# Superset in its own locked environment (.superset-venv), on the published file, read-only.
superset: setup
	$(PY) tools/bi_superset.py --warehouse-dir $(WAREHOUSE_DIR)

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/sqlfluff lint dbt_project --disable-progress-bar
	$(VENV)/bin/lint-imports --no-cache --no-logo  # the rooms' import contract (pyproject.toml)

test: lint airflow-db
	$(VENV)/bin/pytest -q -p no:cacheprovider --ignore=tests/distributed

# The quick tier, for working on ingest and dbt: parsing, settings, the DAG's shape and the
# dbt project's layout — no warehouse build, no Airflow run (about 30 s).
test-quick: setup airflow-db
	$(VENV)/bin/pytest -q -p no:cacheprovider -m unit --ignore=tests/distributed

test-distributed: setup
	$(VENV)/bin/pytest -q -p no:cacheprovider tests/distributed

env:
	$(PY) tools/generate_env.py

bench: setup
	$(PY) bench/ingest --quick

clean:
	rm -rf warehouse .airflow data dbt_project/target dbt_project/logs .superset
