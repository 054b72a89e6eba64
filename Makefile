# chitieu — `make run` (the nightly job once, end to end) and `make test` (everything).
SHELL := /bin/bash
.DEFAULT_GOAL := help

UV ?= $(shell command -v uv 2>/dev/null || echo $(HOME)/.local/bin/uv)
VENV := .venv
PY := $(VENV)/bin/python
# PROVINCE=CODE: any of the 34 provinces, on its generated unit list and sample
# (data/provinces/CODE); without it, Hà Tĩnh's sample with the source article's figures.
ifdef PROVINCE
SAMPLE_DIR := $(CURDIR)/data/provinces/$(PROVINCE)
WAREHOUSE_DIR ?= $(CURDIR)/warehouse/province-$(PROVINCE)
export WAREHOUSE_DIR  # never a Hà Tĩnh warehouse: each province builds and publishes its own
export CHITIEU_SEEDS_DIR := $(SAMPLE_DIR)/seeds
SAMPLE_ARGS := --province $(PROVINCE)
else
SAMPLE_DIR := $(CURDIR)/data/sample
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

# The office's portal (portal/): gunicorn on 127.0.0.1:PORTAL_PORT, its embedded SQLite
# database, secret key and first-time password sheet in PORTAL_DATA_DIR (gitignored).
PORTAL_PORT ?= 8700
export PORTAL_DATA_DIR ?= $(CURDIR)/.portal

.PHONY: portal help setup sample airflow-db run airflow superset docs test test-quick lint test-distributed env bench clean

help:
	@echo "make run    - run the nightly job once through Airflow (INBOX=..., WAREHOUSE_DIR=...)"
	@echo "make test   - lint and the whole test suite"
	@echo "make test-quick - the unit tier only (parsing, settings, DAG shape, dbt layout)"
	@echo "make airflow - Airflow's UI and scheduler on http://127.0.0.1:8080 (this machine only)"
	@echo "make docs   - dbt's documentation site (lineage, exposures) in dbt_project/target"
	@echo "make portal - the office's portal on http://127.0.0.1:$(PORTAL_PORT) (PORTAL_PORT=...)"
	@echo "make superset - Superset with the chitieu dashboard on http://127.0.0.1:8088 (after make run)"

$(UV):
	python3 -m pip install --quiet --user uv

$(VENV)/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --quiet --compile-bytecode
	touch $@

# The review's PDF is set in Liberation Serif 2.x, which has every Vietnamese letter (Debian's
# fonts-liberation2; 1.07 has none): say so on a machine without it (docs/engineer.md).
setup: $(VENV)/.synced
	@fc-list "Liberation Serif:charset=1ebf" file 2>/dev/null | grep -q . || echo "note: no \
	Liberation Serif with Vietnamese letters: apt-get install fonts-liberation2 (docs/engineer.md)"

# The sample is regenerated whenever its generator or the reference data change.
$(SAMPLE_DIR)/.generated: $(wildcard ingest/sample/*.py) $(wildcard dbt_project/seeds/*.csv) $(wildcard templates/*.xlsx) tools/generate_admin_units.py | $(VENV)/.synced
	rm -rf $(SAMPLE_DIR)
	$(PY) -m ingest sample --out $(SAMPLE_DIR) $(SAMPLE_ARGS)
	touch $@

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

# The portal on its embedded default: migrate, the sample province's accounts (first-time
# passwords printed to $(PORTAL_DATA_DIR)/mat-khau-lan-dau.txt, mode 0600), then gunicorn.
portal: setup
	$(PY) -m portal migrate --noinput
	$(PY) -m portal create_accounts --sheet $(PORTAL_DATA_DIR)/mat-khau-lan-dau.txt
	$(VENV)/bin/gunicorn portal.wsgi --bind 127.0.0.1:$(PORTAL_PORT) --workers 2 --timeout 120 \
		--access-logfile - --chdir $(CURDIR) --no-control-socket

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
