# The platform's commands. Needs only python3 (3.11+) and make: uv and everything else is
# installed into .tools/ and .venv/ on first use.
SHELL := /bin/bash
PYTHON ?= python3
UV_VERSION := 0.13.9
UV := $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
RUN := $(UV) run --frozen

.PHONY: help install run demo test lint format migrate rebuild-reports bench schemas clean

help:
	@echo "make run      start the whole platform (embedded PostgreSQL + NATS under .data/);"
	@echo "             the first start loads the demo slice (DEMO=none: nothing)"
	@echo "make demo     the platform with the whole demo year 2024 (under .data/year/), its"
	@echo "             KPIs checked against the 2024 figures"
	@echo "make test     run every test against real PostgreSQL and NATS"
	@echo "make lint     ruff and mypy"
	@echo "make bench    the benchmarks (ratios against a bare endpoint)"
	@echo "make migrate  apply every service's migrations (DATABASE_URL or .data/)"
	@echo "make rebuild-reports  replay every stream into the gateway's read models"
	@echo "make schemas  write the event JSON Schemas to docs/events/"

.tools/bin/uv:
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"

install: $(UV)
	$(UV) sync --frozen

run: install
	$(RUN) python -m devstack run

# The whole year through the public APIs, checked against the 2024 figures, then served like
# `make run` until Ctrl-C; its data stays under .data/year/. About 570 000 calls, most of them
# family counselling's appointments: about an hour on 2 cores.
# The year's load keeps 24 calls in flight: each service's pool holds that many connections.
demo: install
	DEMO=year DEMO_STRICT=1 DATABASE_POOL_SIZE=$${DATABASE_POOL_SIZE:-24} DEVSTACK_DATA_DIR=$(CURDIR)/.data/year $(RUN) python -m devstack run

test: install
	$(RUN) pytest -n 2 --dist loadfile $(PYTEST_ARGS)

lint: install
	$(RUN) ruff check .
	$(RUN) ruff format --check .
	$(RUN) mypy

format: install
	$(RUN) ruff format .
	$(RUN) ruff check --fix .

migrate: install
	$(RUN) python -m devstack migrate

rebuild-reports: install
	$(RUN) python -m devstack rebuild-reports

bench: install
	$(RUN) python -m benchmarks $(BENCH_ARGS)

schemas: install
	$(RUN) python -m devstack schemas

clean:
	rm -rf .venv .tools .pytest_cache .mypy_cache .ruff_cache
