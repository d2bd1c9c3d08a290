#!/usr/bin/env bash
# The container image, really built and started (run by .ci/run after `make test`):
#   1. podman, runc and debootstrap from Debian's packages (scripts/install-container-tools.sh)
#   2. a Debian bookworm base image from Debian's packages (scripts/build-base-image.sh): these
#      machines reach no container registry, so not the Dockerfile's default python image
#   3. `make image` with podman on that base
#   4. PostgreSQL and NATS JetStream from the project's venv (python -m devstack.infra)
#   5. `migrate` of all four databases in the image, then the gateway's container on a free
#      port (never 8000-8003), until its /readyz answers 200, a local token is issued, and the
#      image's own HEALTHCHECK says healthy
# Everything it started is removed at the end, failure or not.
#
# podman here: rootful, runc (crun fails on hybrid cgroups), cgroupfs and file events (no
# systemd), the host's network, and explicit nofile/nproc limits (the container may not
# raise its own): all in a containers.conf this script writes under .tools/, never in $HOME.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
started=$SECONDS

IMAGE=${IMAGE:-bufetat-platform}
IMAGE_TAG=${IMAGE_TAG:-smoke}
BASE_IMAGE=${BASE_IMAGE:-localhost/bufetat-base:bookworm}
PYTHON=$ROOT/.venv/bin/python

say() { echo "image-smoke: $*"; }

bash scripts/install-container-tools.sh

mkdir -p .tools/podman
cat >.tools/podman/containers.conf <<'EOF'
# Written by scripts/image-smoke.sh: podman as this machine can run it.
[containers]
netns = "host"
default_ulimits = ["nofile=16384:16384", "nproc=8192:8192"]

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
EOF
export CONTAINERS_CONF=$ROOT/.tools/podman/containers.conf

WORK=$(mktemp -d /tmp/bufetat-image-smoke.XXXXXX)
CONTAINERS=()
INFRA_PID=
cleanup() {
  status=$?
  for container in "${CONTAINERS[@]}"; do
    if [ "$status" -ne 0 ]; then
      echo "--- logs of $container (last 60 lines)"
      podman logs --tail 60 "$container" 2>&1 || true
    fi
    podman rm -f "$container" >/dev/null 2>&1 || true
  done
  if [ -n "$INFRA_PID" ] && kill -0 "$INFRA_PID" 2>/dev/null; then
    kill -TERM "$INFRA_PID" 2>/dev/null || true
    wait "$INFRA_PID" 2>/dev/null || true
  fi
  if [ "$status" -ne 0 ] && [ -f "$WORK/infra.log" ]; then
    echo "--- PostgreSQL and NATS"
    tail -20 "$WORK/infra.log"
  fi
  rm -rf "$WORK"
  if [ "$status" -eq 0 ]; then
    say "passed in $((SECONDS - started)) s"
  else
    say "FAILED (exit $status) after $((SECONDS - started)) s"
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ "$BASE_IMAGE" = localhost/bufetat-base:bookworm ]; then
  bash scripts/build-base-image.sh "$BASE_IMAGE"
fi

say "building $IMAGE:$IMAGE_TAG on $BASE_IMAGE"
build_started=$SECONDS
if ! make --no-print-directory image CONTAINER_ENGINE=podman BASE_IMAGE="$BASE_IMAGE" \
  IMAGE="$IMAGE" IMAGE_TAG="$IMAGE_TAG" IMAGE_BUILD_ARGS="--network=host" \
  >"$WORK/build.log" 2>&1; then
  tail -40 "$WORK/build.log"
  exit 1
fi
size=$(podman image inspect "$IMAGE:$IMAGE_TAG" --format '{{.Size}}')
say "built in $((SECONDS - build_started)) s: $((size / 1000000)) MB"

make --no-print-directory install >"$WORK/install.log" 2>&1 || {
  cat "$WORK/install.log"
  exit 1
}
"$PYTHON" -m devstack.infra --data-dir "$WORK/infra" --env-file "$WORK/infra.env" --throwaway \
  --database capacity --database foster_care --database family_counselling \
  --database reporting_gateway >"$WORK/infra.log" 2>&1 &
INFRA_PID=$!
for _ in $(seq 240); do
  [ -f "$WORK/infra.env" ] && break
  kill -0 "$INFRA_PID" 2>/dev/null || {
    cat "$WORK/infra.log"
    exit 1
  }
  sleep 0.5
done
[ -f "$WORK/infra.env" ] || {
  say "PostgreSQL and NATS did not start"
  exit 1
}
SERVER_URL=$(sed -n 's/^DATABASE_URL=//p' "$WORK/infra.env")
NATS_URL=$(sed -n 's/^NATS_URL=//p' "$WORK/infra.env")
say "PostgreSQL $SERVER_URL, NATS $NATS_URL"

run() {
  # A container of the image on the host's network (the servers listen on loopback).
  podman run --network=host --ulimit nofile=16384:16384 --ulimit nproc=8192:8192 "$@"
}

say "migrate capacity foster_care family_counselling reporting_gateway"
# Several services: each migrates the database named after it beside DATABASE_URL's.
MIGRATE=bufetat-smoke-migrate-$$
CONTAINERS+=("$MIGRATE")
run --name "$MIGRATE" -e DATABASE_URL="$SERVER_URL" "$IMAGE:$IMAGE_TAG" \
  migrate capacity foster_care family_counselling reporting_gateway 2>&1 | tail -4

PORT=$("$PYTHON" -c 'from devstack.ports import free_port; print(free_port())')
GATEWAY=bufetat-smoke-gateway-$$
BASE_URL=http://127.0.0.1:$PORT
say "reporting_gateway on $BASE_URL"
CONTAINERS+=("$GATEWAY")
# Podman without systemd runs no health timers (it says so on stderr): the smoke test runs
# the image's HEALTHCHECK itself below.
run -d --name "$GATEWAY" \
  -e PORT="$PORT" \
  -e DATABASE_URL="${SERVER_URL%/*}/reporting_gateway" \
  -e NATS_URL="$NATS_URL" \
  -e ENVIRONMENT=local \
  -e LOCAL_ISSUER_ENABLED=true \
  -e AUTH_ISSUER="$BASE_URL" \
  -e CAPACITY_URL=http://127.0.0.1:9 \
  -e FOSTER_CARE_URL=http://127.0.0.1:9 \
  -e FAMILY_COUNSELLING_URL=http://127.0.0.1:9 \
  "$IMAGE:$IMAGE_TAG" reporting_gateway >/dev/null 2>"$WORK/run.err" || {
  cat "$WORK/run.err"
  exit 1
}

ready=
for _ in $(seq 120); do
  if [ "$(podman inspect "$GATEWAY" --format '{{.State.Running}}')" != true ]; then
    say "the gateway's container stopped"
    exit 1
  fi
  code=$(curl -s -o "$WORK/readyz.json" -w '%{http_code}' "$BASE_URL/readyz" || true)
  if [ "$code" = 200 ]; then
    ready=yes
    break
  fi
  sleep 1
done
[ -n "$ready" ] || {
  say "/readyz did not answer 200 (last: ${code:-none})"
  exit 1
}
say "/readyz 200: $(cat "$WORK/readyz.json")"

token=$(curl -sf -X POST "$BASE_URL/v1/auth/token" -d grant_type=client_credentials \
  -d client_id=national-admin -d client_secret=national-admin-local |
  "$PYTHON" -c 'import json, sys; print(json.load(sys.stdin)["token_type"])')
[ "$token" = Bearer ] || {
  say "no token from the local issuer"
  exit 1
}
say "a token from the local issuer"

user=$(podman exec "$GATEWAY" id -u)
[ "$user" = 10001 ] || {
  say "the service runs as uid $user, not 10001"
  exit 1
}
say "runs as uid $user"

podman healthcheck run "$GATEWAY" >/dev/null 2>&1 || {
  say "the image's HEALTHCHECK failed"
  exit 1
}
health=$(podman inspect "$GATEWAY" --format '{{.State.Health.Status}}' 2>/dev/null ||
  podman inspect "$GATEWAY" --format '{{.State.Healthcheck.Status}}')
[ "$health" = healthy ] || {
  say "the HEALTHCHECK reports '$health'"
  exit 1
}
say "HEALTHCHECK: $health"
