"""Small helpers shared by the platform tests."""

from __future__ import annotations

import os
import random
from typing import Any

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


def traceparent() -> tuple[str, str]:
    """A fresh W3C traceparent header and its trace id."""
    trace_id = os.urandom(16).hex()
    return f"00-{trace_id}-{os.urandom(8).hex()}-01", trace_id
