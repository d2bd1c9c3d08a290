"""`deploy/k8s/deploy.sh`, the one command that deploys an overlay: the migration Job of the
release first, the Deployments only after it completed, nothing more if it failed."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "deploy" / "k8s" / "deploy.sh"


@pytest.fixture
def overlay(tmp_path: Path) -> Path:
    """A copy of deploy/k8s with the production overlay's env files written."""
    tree = tmp_path / "k8s"
    shutil.copytree(ROOT / "deploy" / "k8s", tree)
    production = tree / "overlays" / "production"
    for example in production.glob("*.env.example"):
        shutil.copy(example, production / example.name.removesuffix(".example"))
    return production


def fake_kubectl(tmp_path: Path, wait_status: int = 0) -> tuple[Path, Path]:
    """A kubectl that writes down its arguments (and fails `wait` when told)."""
    calls = tmp_path / "calls"
    kubectl = tmp_path / "kubectl"
    kubectl.write_text(
        f'#!/bin/sh\necho "$*" >> {calls}\ncase " $* " in *" wait "*) exit {wait_status} ;; esac\n'
    )
    kubectl.chmod(0o755)
    return kubectl, calls


def deploy(overlay: Path, kubectl: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["sh", str(overlay.parents[1] / "deploy.sh"), str(overlay)],
        env={"PATH": "/usr/bin:/bin", "KUBECTL": str(kubectl)},
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_migrations_go_first_and_the_rest_after_they_completed(overlay, tmp_path):
    kubectl, calls = fake_kubectl(tmp_path)
    done = deploy(overlay, kubectl)
    assert done.returncode == 0, done.stderr
    ns = "-n bufetat-production"
    first = "app.kubernetes.io/component in (namespace,config,network,migration)"
    assert calls.read_text().splitlines() == [
        f"{ns} delete job migrate --ignore-not-found",
        f"apply -k {overlay} -l {first}",
        f"{ns} wait --for=condition=complete --timeout=30m job/migrate",
        f"apply -k {overlay}",
    ]


def test_a_failed_migration_deploys_nothing_more(overlay, tmp_path):
    kubectl, calls = fake_kubectl(tmp_path, wait_status=1)
    assert deploy(overlay, kubectl).returncode != 0
    assert not any(line == f"apply -k {overlay}" for line in calls.read_text().splitlines())


def test_missing_secrets_are_named_before_anything_is_applied(overlay, tmp_path):
    (overlay / "pii.env").unlink()
    kubectl, calls = fake_kubectl(tmp_path)
    refused = deploy(overlay, kubectl)
    assert refused.returncode == 2
    assert "pii.env" in refused.stderr
    assert not calls.exists()


def test_the_script_is_what_the_guide_and_readme_say():
    assert SCRIPT.stat().st_mode & 0o111
    for document in ("README.md", "docs/operations.md", "deploy/k8s/README.md"):
        assert "deploy/k8s/deploy.sh production" in (ROOT / document).read_text(), document
