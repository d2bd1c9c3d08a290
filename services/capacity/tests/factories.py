"""Builders of valid request bodies for the capacity tests."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from typing import Any

from common.clock import OSLO

_counter = itertools.count(1)

_K1 = (3, 7, 6, 1, 8, 9, 4, 5, 2)
_K2 = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)


def national_id(birth: date, *, d_number: bool = False) -> str:
    """A national identity number with valid check digits for `birth`."""
    for individual in range(100, 1000):
        day = birth.day + (40 if d_number else 0)
        digits = [int(c) for c in f"{day:02d}{birth.month:02d}{birth.year % 100:02d}{individual}"]
        k1 = 11 - sum(d * w for d, w in zip(digits, _K1, strict=False)) % 11
        k1 = 0 if k1 == 11 else k1
        if k1 == 10:
            continue
        digits.append(k1)
        k2 = 11 - sum(d * w for d, w in zip(digits, _K2, strict=False)) % 11
        k2 = 0 if k2 == 11 else k2
        if k2 == 10:
            continue
        return "".join(map(str, digits)) + str(k2)
    raise AssertionError("no valid number")


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
