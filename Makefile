# Siak Siaga 112 — developer entry points.
#
#   make demo    run the demo (builds .venv on first use)
#   make test    install missing system packages (PostGIS, Mosquitto, Chromium), then run pytest
#   make lint    ruff check, ruff format --check, mypy
#   make bench   run every bench/*_bench.py (each prints JSON figures)
#   make graph   build the demo road-graph cache from data/siak_schematic.osm.bz2
#
# Variables: PYTHON (interpreter that creates .venv, default python3), PYTEST_ARGS (e.g. -k mqtt -x),
# PYTEST_WORKERS (test processes, default 2: each file runs whole on one worker with its own PostGIS,
# Mosquitto and browser; 0 runs everything in one process).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-dev
PYTEST_ARGS ?=
PYTEST_WORKERS ?= 2
BENCH_SCRIPTS := $(sort $(wildcard bench/*_bench.py))

.DEFAULT_GOAL := help
.PHONY: help venv system-deps web-assets demo test lint bench graph

help:
	@sed -n 's/^#   make /  make /p' $(MAKEFILE_LIST)

# (Re)install the project and its dev tools whenever pyproject.toml changes.
$(STAMP): pyproject.toml
	@test -x $(BIN)/python || { echo "Creating $(VENV) with $(PYTHON)"; $(PYTHON) -m venv $(VENV); }
	@echo "Installing the project into $(VENV) (pip install -e .[dev])"
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check -e ".[dev]"
	@touch $@

venv: $(STAMP)

system-deps:
	@bash scripts/ensure-system-deps.sh

# Leaflet (console) and Swagger UI (/docs), from the npm registry into the git-ignored web_vendor/
# (no CDN at run time).
web-assets:
	@bash scripts/fetch-web-assets.sh

demo: $(STAMP) web-assets
	$(BIN)/dispatch-geo demo

# System packages first: on a fresh Debian, creating .venv itself needs python3-venv.
test: system-deps web-assets
	@$(MAKE) --no-print-directory venv
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

bench: $(STAMP)
	@set -e; for script in $(BENCH_SCRIPTS); do \
		echo "== $$script"; \
		$(BIN)/python $$script; \
	done

graph: $(STAMP)
	$(BIN)/dispatch-geo graph build --source data/siak_schematic.osm.bz2
