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
# The rest of Airflow's configuration (DAG folder, time zones, login, port) is set by the
# chitieu command itself (chitieu/airflow_home.py), the same from make or any shell.
# AIRFLOW_PORT=18080, SUPERSET_PORT=18088 on the command line win over chitieu.toml.
ifneq ($(origin AIRFLOW_PORT),undefined)
export AIRFLOW_PORT
endif
ifneq ($(origin SUPERSET_PORT),undefined)
export SUPERSET_PORT
endif
export DO_NOT_TRACK := 1
export DBT_SEND_ANONYMOUS_USAGE_STATS := False

# make test's parallel workers (pytest-xdist): one per core by default (auto; CI's 2 cores, 2
# workers), or a number up to 16; TEST_WORKERS= (empty) runs the suite in make's own pytest
# process. Anything else is refused before a test runs (the value reaches a command line).
TEST_WORKERS ?= auto
ifneq ($(value TEST_WORKERS),)
ifneq ($(words $(value TEST_WORKERS)) $(filter auto 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16,$(value TEST_WORKERS)),1 $(value TEST_WORKERS))
$(error TEST_WORKERS=$(value TEST_WORKERS) is neither auto nor a number of workers from 1 to 16)
endif
endif

# The office's portal (portal/): gunicorn on 127.0.0.1:PORTAL_PORT, its embedded SQLite
# database, secret key and first-time password sheet in PORTAL_DATA_DIR (gitignored).
PORTAL_PORT ?= 8700
export PORTAL_DATA_DIR ?= $(CURDIR)/.portal

.PHONY: portal help setup sample airflow-db run airflow superset docs test test-quick lint test-distributed env bench clean

help:
	@echo "make run    - run the nightly job once through Airflow (INBOX=..., WAREHOUSE_DIR=...)"
	@echo "make test   - lint and the whole test suite"
	@echo "make test-quick - the unit tier only (parsing, settings, DAG shape, dbt layout)"
	@echo "make airflow - Airflow's UI and scheduler on http://127.0.0.1:8080 (this machine only; AIRFLOW_PORT=...)"
	@echo "make docs   - dbt's documentation site (lineage, exposures) in dbt_project/target"
	@echo "make portal - the office's portal on http://127.0.0.1:$(PORTAL_PORT) (PORTAL_PORT=...)"
	@echo "make superset - Superset with the chitieu dashboard on http://127.0.0.1:8088 (after make run; SUPERSET_PORT=...)"

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
	$(VENV)/bin/pytest -q -p no:cacheprovider --ignore=tests/distributed $(if $(TEST_WORKERS),-n $(TEST_WORKERS))

# The quick tier, for working on ingest and dbt: parsing, settings, the DAG's shape and the
# dbt project's layout — no warehouse build, no Airflow run, no sample generated (under a
# minute on an idle machine: docs/developer.md, "Test tiers").
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
