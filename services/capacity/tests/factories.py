"""Builders of valid request bodies for the capacity tests."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from typing import Any

from common.clock import OSLO
from devstack import testing

_counter = itertools.count(1)


def national_id(birth: date, *, d_number: bool = False) -> str:
    """A national identity number with valid check digits for `birth`."""
    return testing.national_id(birth, d_number=d_number)


def oslo_day(instant: datetime) -> str:
    """The business date of an instant: the day in Oslo (not in UTC)."""
    return instant.astimezone(OSLO).date().isoformat()


def child_ref() -> str:
    return f"child-{next(_counter):05d}"


def institution(**overrides: Any) -> dict[str, Any]:
    body = {
        "name": f"Institusjon {next(_counter)}",
        "municipality_number": "4601",
        "ownership": "state",
        "functions": ["acute", "care"],
    }
    body.update(overrides)
    return body


def contract(**overrides: Any) -> dict[str, Any]:
    body = {
        "function": "acute",
        "contract_type": "state",
        "budgeted_places": 2,
        "valid_from": "2020-01-01",
        "valid_to": None,
        "day_price_nok": "15200.00",
    }
    body.update(overrides)
    return body


def placement_request(**overrides: Any) -> dict[str, Any]:
    need = datetime.now(UTC) - timedelta(minutes=10)
    body = {
        "municipality_number": "4601",
        "child_ref": child_ref(),
        "birth_date": "2010-05-04",
        "urgency": "acute",
        "function": "acute",
        "need_concluded_at": need.isoformat(),
        "desired_start_date": oslo_day(need),
        "child_views_recorded": True,
    }
    body.update(overrides)
    return body


def stay(institution_id: str, **overrides: Any) -> dict[str, Any]:
    body = {
        "institution_id": institution_id,
        "child_ref": child_ref(),
        "municipality_number": "4601",
        "birth_date": "2010-05-04",
        "function": "acute",
        "contract_type": "state",
        "admitted_at": (datetime.now(UTC) - timedelta(hours=1)).isoformat(),
        "lives_alone": False,
        "day_price_nok": "15200.00",
    }
    body.update(overrides)
    return body
