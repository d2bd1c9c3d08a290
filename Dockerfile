# One image for the platform's four services; the command picks what a container runs:
#   docker run bufetat-platform capacity              (or foster_care, family_counselling,
#                                                      reporting_gateway)
#   docker run bufetat-platform migrate capacity ...  (Alembic to head, then exit)
# `make image` builds it (docker or podman) from the repository root. The dependencies are
# exactly the lockfile's (uv sync --frozen) for the four services and `common`: no devstack,
# no dev tools. BASE_IMAGE may be any Debian-like image with python3 3.11+ on PATH (and
# python3-venv): scripts/build-base-image.sh makes one from Debian's packages for machines
# that reach no container registry.
ARG BASE_IMAGE=python:3.11-slim-bookworm

# --- builder: uv, the lockfile, the virtual environment -----------------------------------
FROM ${BASE_IMAGE} AS builder

# Keep in step with the Makefile's UV_VERSION (tests/deploy/test_container.py checks it).
ARG UV_VERSION=0.13.9
# The system's certificate store, so that a proxy's authority trusted by the base is trusted
# here too; no Python downloads: the venv is built on the base's own python3.
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_CERT=/etc/ssl/certs/ca-certificates.crt \
    UV_SYSTEM_CERTS=1 \
    UV_PYTHON_DOWNLOADS=never \
    UV_FROZEN=1 \
    UV_NO_CACHE=1 \
    UV_LINK_MODE=copy \
    UV_COMPILE_BYTECODE=1 \
    UV_PROJECT_ENVIRONMENT=/app/.venv

RUN python3 -m venv /opt/uv \
    && /opt/uv/bin/pip install --no-cache-dir "uv==${UV_VERSION}" \
    && /opt/uv/bin/uv venv --python "$(command -v python3)" /app/.venv

WORKDIR /src

# Third-party dependencies first (their layer survives source changes): the workspace's
# manifests and the lockfile are all uv needs to install them.
COPY pyproject.toml uv.lock ./
COPY libs/common/pyproject.toml libs/common/
COPY libs/devstack/pyproject.toml libs/devstack/
COPY services/capacity/pyproject.toml services/capacity/
COPY services/foster_care/pyproject.toml services/foster_care/
COPY services/family_counselling/pyproject.toml services/family_counselling/
COPY services/reporting_gateway/pyproject.toml services/reporting_gateway/
RUN /opt/uv/bin/uv sync --no-dev --no-install-workspace \
    --package capacity --package foster-care --package family-counselling \
    --package reporting-gateway

# Then the platform's own packages, as wheels (not editable): only what `common` and the
# four services are, never devstack.
COPY libs/common/src libs/common/src
COPY services/capacity/src services/capacity/src
COPY services/foster_care/src services/foster_care/src
COPY services/family_counselling/src services/family_counselling/src
COPY services/reporting_gateway/src services/reporting_gateway/src
RUN /opt/uv/bin/uv sync --no-dev --no-editable \
    --package capacity --package foster-care --package family-counselling \
    --package reporting-gateway

# --- the image: the base, the environment, the migrations, a non-root user ----------------
FROM ${BASE_IMAGE}

ENV PATH=/app/.venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PORT=8000 \
    LOCAL_ISSUER_CLIENTS_FILE=/app/deploy/local/clients.toml \
    LOCAL_ISSUER_KEY_FILE=/var/lib/bufetat/auth/signing-key.pem

RUN groupadd --system --gid 10001 bufetat \
    && useradd --system --uid 10001 --gid 10001 --home-dir /app --no-create-home \
       --shell /usr/sbin/nologin bufetat \
    && mkdir -p /var/lib/bufetat \
    && chown 10001:10001 /var/lib/bufetat

WORKDIR /app

COPY --from=builder /app/.venv /app/.venv
# Each service's Alembic configuration and migrations (`migrate <service>`).
COPY services/capacity/alembic.ini services/capacity/
COPY services/capacity/migrations services/capacity/migrations
COPY services/foster_care/alembic.ini services/foster_care/
COPY services/foster_care/migrations services/foster_care/migrations
COPY services/family_counselling/alembic.ini services/family_counselling/
COPY services/family_counselling/migrations services/family_counselling/migrations
COPY services/reporting_gateway/alembic.ini services/reporting_gateway/
COPY services/reporting_gateway/migrations services/reporting_gateway/migrations
# The local issuer's clients (digests of the well-known local secrets): only for trying the
# platform with ENVIRONMENT=local; the gateway refuses the local issuer anywhere else.
COPY deploy/local/clients.toml deploy/local/clients.toml
COPY deploy/container/entrypoint.sh deploy/container/entrypoint.sh

# Fail the build, not the first start, if an app or Oslo's time zone cannot be loaded.
RUN chmod 0755 deploy/container/entrypoint.sh \
    && python -c "import zoneinfo; zoneinfo.ZoneInfo('Europe/Oslo'); \
import capacity.app, foster_care.app, family_counselling.app, reporting_gateway.app"

USER 10001:10001
EXPOSE 8000

# Ready (database and NATS reachable) on http://127.0.0.1:${PORT}/readyz, asked with Python's
# urllib (no curl in the image); any error or a status other than 2xx is unhealthy.
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/readyz' % os.environ.get('PORT', '8000'), timeout=4)"]

ENTRYPOINT ["/app/deploy/container/entrypoint.sh"]
