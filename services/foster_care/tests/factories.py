"""Builders of valid request bodies for the foster_care tests."""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta
from typing import Any

from common.clock import OSLO
from devstack import testing

_counter = itertools.count(1)

STAGES = (
    "information_meeting",
    "pre_assessment",
    "training",
    "training_completed",
    "home_study",
    "approved",
)


def national_id(birth: date) -> str:
    """A national identity number with valid check digits for `birth`."""
    return testing.national_id(birth)


def today() -> date:
    """Today in Oslo: the business date the service counts days by."""
    return datetime.now(OSLO).date()


def days_ago(days: int) -> str:
    """The Oslo date `days` days before today (negative: after)."""
    return (today() - timedelta(days=days)).isoformat()


def instant_days_ago(days: float) -> str:
    """An instant `days` days ago, in Oslo time."""
    return (datetime.now(OSLO) - timedelta(days=days)).isoformat()


def child_ref() -> str:
    return f"fc-child-{next(_counter):05d}"


def home(**overrides: Any) -> dict[str, Any]:
    body = {
        "municipality_number": "4601",
        "kind": "ordinary",
        "recruitment_source": "campaign",
        "inquiry_at": "2023-09-01T12:00:00+02:00",
    }
    body.update(overrides)
    return body


def stages_to_approval(inquiry_at: str) -> list[tuple[str, str]]:
    """Each stage after the inquiry, a day apart."""
    start = datetime.fromisoformat(inquiry_at)
    return [(stage, (start + timedelta(days=i + 1)).isoformat()) for i, stage in enumerate(STAGES)]


def request(**overrides: Any) -> dict[str, Any]:
    body = {
        "municipality_number": "4601",
        "child_ref": child_ref(),
        "birth_date": "2014-09-12",
        "desired_start_date": "2024-01-15",
        "requested_at": "2023-12-01T10:00:00+01:00",
        "needs": [],
        "child_wishes_recorded": True,
        "child_wishes_recorded_on": "2023-11-20",
        "kinship_assessed": True,
    }
    body.update(overrides)
    return body
