"""The alert rules: valid PromQL, on metrics the platform exports, each with a severity and a
runbook section of the operator guide that exists."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import promql_parser
import pytest
import yaml
from prometheus_client.metrics import MetricWrapperBase

from common import metrics

ROOT = Path(__file__).resolve().parents[2]
RULES = ROOT / "deploy" / "prometheus" / "alerts.yml"
GUIDE = ROOT / "docs" / "operations.md"
FROM_PROMETHEUS = {"up"}  # recorded by Prometheus itself for every target


def rules() -> list[dict[str, Any]]:
    document = yaml.safe_load(RULES.read_text())
    return [rule for group in document["groups"] for rule in group["rules"]]


def exported() -> set[str]:
    """Every series name the platform's metrics produce (prometheus_client keeps a counter's
    name without `_total`)."""
    suffixes = {
        "counter": ("_total", "_created"),
        "gauge": ("",),
        "histogram": ("_bucket", "_count", "_sum", "_created"),
    }
    return {
        metric._name + suffix
        for metric in vars(metrics).values()
        if isinstance(metric, MetricWrapperBase)
        for suffix in suffixes[metric._type]
    }


def selected(node: Any) -> set[str]:
    """The metric names an expression selects."""
    if type(node).__name__ == "VectorSelector":
        return {node.name}
    found: set[str] = set()
    for attribute in ("lhs", "rhs", "expr", "vector_selector", "param"):
        child = getattr(node, attribute, None)
        if child is not None and not isinstance(child, str | int | float):
            found |= selected(child)
    for child in getattr(node, "args", None) or []:
        found |= selected(child)
    return found


def anchors() -> set[str]:
    """GitHub's anchors of the guide's headings."""
    headings = re.findall(r"^#+ (.+)$", GUIDE.read_text(), flags=re.MULTILINE)
    return {re.sub(r"[^\w\- ]", "", h.strip().lower()).replace(" ", "-") for h in headings}


@pytest.mark.parametrize("rule", rules(), ids=lambda rule: rule["alert"])
def test_each_rule_is_valid_promql_on_exported_metrics_with_a_runbook(rule):
    expression = promql_parser.parse(rule["expr"])
    names = selected(expression)
    assert names, rule["expr"]
    assert names <= exported() | FROM_PROMETHEUS, names - exported()
    assert rule["labels"]["severity"] in ("warning", "critical")
    assert re.fullmatch(r"\d+[smh]", rule["for"])
    assert {"summary", "description", "runbook_url"} <= set(rule["annotations"])
    path, _, anchor = rule["annotations"]["runbook_url"].partition("#")
    assert path == "docs/operations.md"
    assert anchor in anchors(), f"no section #{anchor} in the guide"


def test_the_runbook_has_a_rule_for_each_of_its_three_troubles():
    by_runbook = {rule["annotations"]["runbook_url"].partition("#")[2] for rule in rules()}
    assert {"dead-letters", "consumer-lag", "a-stuck-outbox"} <= by_runbook
    selectors = set().union(*(selected(promql_parser.parse(rule["expr"])) for rule in rules()))
    assert {"dead_letters_waiting", "consumer_lag", "outbox_oldest_unsent_age_seconds"} <= (
        selectors
    )
