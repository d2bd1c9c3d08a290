"""The README's flows (capacity, foster care, family counselling) work, exactly as written,
against running services."""

from __future__ import annotations

import re
import subprocess

from devstack.services import REPO_ROOT

README = REPO_ROOT / "README.md"


def readme_block(name: str) -> str:
    text = README.read_text()
    block = re.search(
        rf"<!-- {name}:start -->\s*```bash\n(.*?)```\s*<!-- {name}:end -->", text, re.DOTALL
    )
    assert block, f"README has no {name} block"
    return block.group(1)


def run_blocks(served_platform, scratch_dir, *names: str) -> list[str]:
    """The README's blocks, run in one shell in order against the platform: their output lines."""
    result = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", "".join(readme_block(name) for name in names)],
        env={"BASE": served_platform.url, "PATH": "/usr/bin:/bin"},
        cwd=scratch_dir,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout.strip().splitlines()


def test_the_municipality_flow_in_the_readme_works(served_platform, issuer, scratch_dir):
    lines = run_blocks(served_platform, scratch_dir, "flow", "figures")
    assert lines[1].startswith("Step 1: state place in your own region (vest)")
    assert lines[2] == "accepted"
    assert "'under_13_at_admission': False" in lines[3]
    # The figures of that admission, at the gateway.
    assert lines[4] == "state acute ≥ 80 % (S 1.1.1)"
    assert lines[5:9] == ["<5", "1", "0", "capacity.stay.admitted.v1"]
    assert lines[9] in ("Microsoft Excel 2007+", "xlsx written")
    assert lines[10] == "national-admin"


def test_the_foster_care_flow_in_the_readme_works(served_platform, issuer, scratch_dir):
    lines = run_blocks(served_platform, scratch_dir, "flow", "fc-flow")[4:]  # after capacity's flow
    assert lines == [
        "[(49, True)]",
        "Own region (vest); approved ordinary home trained in SOLID, 1 free place; "
        "meets 2 of 2 needs (siblings together, close to school).",
        "accepted",
        "False",
        "False",  # not waiting as of the day the child moved in
        "True",  # still waiting the day before
    ]


def test_the_family_counselling_flow_in_the_readme_works(served_platform, issuer, scratch_dir):
    # After capacity's and foster care's flows:
    lines = run_blocks(served_platform, scratch_dir, "flow", "fc-flow", "fv-flow")[10:]
    assert lines == [
        "Mandatory mediation (separation); 2 children living at home; track B; waiting 10 days.",
        "9",
        "heard",
        "valid",
    ]


def test_every_setting_is_in_the_readme():
    from capacity.settings import CapacitySettings
    from common.serve import ServerSettings
    from family_counselling.settings import FamilyCounsellingSettings
    from foster_care.settings import FosterCareSettings
    from reporting_gateway.settings import GatewaySettings

    text = README.read_text()
    for settings in (
        ServerSettings,
        CapacitySettings,
        GatewaySettings,
        FosterCareSettings,
        FamilyCounsellingSettings,
    ):
        for name in settings.model_fields:
            assert f"`{name.upper()}`" in text, f"{name.upper()} is not in the README"
