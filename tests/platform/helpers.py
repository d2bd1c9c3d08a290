"""Small helpers shared by the platform tests."""

from __future__ import annotations

import os
import random
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

MUNICIPALITIES = ["4601", "0301", "5001", "1103", "1804", "3301", "4204", "5501"]


def institution_body(**overrides: Any) -> dict[str, Any]:
    body = {
        "name": f"Institusjon {random.randint(1, 10**6)}",
        "municipality_number": random.choice(MUNICIPALITIES),
        "ownership": "state",
        "functions": ["acute", "care"],
    }
    body.update(overrides)
    return body


def placement_request_body(**overrides: Any) -> dict[str, Any]:
    """A planned request from Kristiansand for a 15-year-old, needed today (Oslo time)."""
    need = datetime.now(UTC) - timedelta(minutes=10)
    body = {
        "municipality_number": "4204",
        "child_ref": f"ref-{random.randint(1, 10**9)}",
        "birth_date": "2011-05-04",
        "urgency": "planned",
        "function": "care",
        "need_concluded_at": need.isoformat(),
        "desired_start_date": need.astimezone(ZoneInfo("Europe/Oslo")).date().isoformat(),
        "child_views_recorded": True,
    }
    body.update(overrides)
    return body


def traceparent() -> tuple[str, str]:
    """A fresh W3C traceparent header and its trace id."""
    trace_id = os.urandom(16).hex()
    return f"00-{trace_id}-{os.urandom(8).hex()}-01", trace_id
