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
	@echo "make image    the container image bufetat-platform:latest (IMAGE_TAG=...) with docker,"
	@echo "             else podman (CONTAINER_ENGINE=...; BASE_IMAGE=... another base image)"

.tools/bin/uv:
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"

install: $(UV)
	$(UV) sync --frozen

run: install
	$(RUN) python -m devstack run

# The whole year through the public APIs, checked against the 2024 figures, then served like
# `make run` until Ctrl-C; its data stays under .data/year/. About 360 000 calls, most of them
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

# One image for the four services (see Dockerfile): docker when its engine answers, else
# podman (with --format docker, which keeps the HEALTHCHECK). BASE_IMAGE: another base with
# python3 3.11 (scripts/build-base-image.sh makes one from Debian's packages);
# IMAGE_BUILD_ARGS: more options for the engine's build.
.PHONY: image
IMAGE ?= bufetat-platform
IMAGE_TAG ?= latest
CONTAINER_ENGINE ?= $(shell docker info >/dev/null 2>&1 && echo docker || echo podman)
image:
	$(CONTAINER_ENGINE) build \
	  $(if $(filter podman,$(notdir $(CONTAINER_ENGINE))),--format docker) \
	  $(if $(BASE_IMAGE),--build-arg BASE_IMAGE=$(BASE_IMAGE)) \
	  --build-arg UV_VERSION=$(UV_VERSION) $(IMAGE_BUILD_ARGS) \
	  -t $(IMAGE):$(IMAGE_TAG) -f Dockerfile .

clean:
	rm -rf .venv .tools .pytest_cache .mypy_cache .ruff_cache
