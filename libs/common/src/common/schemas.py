"""What every service's request and response bodies are built from.

Request bodies extend `Input`: unknown fields are refused, and no text reaches the database
that PostgreSQL or UTF-8 cannot hold (NUL, lone surrogates). Instants and dates are bounded
to the years a child welfare record can mean, so no arithmetic on them (a deadline, a
conversion to Oslo time) ever leaves what Python and PostgreSQL represent.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    StringConstraints,
    field_validator,
)
from pydantic_core import PydanticCustomError

from common.clock import OSLO, today_in_oslo

FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2199, 12, 31)
_FIRST_INSTANT = datetime(1900, 1, 1, tzinfo=UTC)
_AFTER_LAST_INSTANT = datetime(2200, 1, 1, tzinfo=UTC)
_RANGE = f"between {FIRST_DAY.isoformat()} and {LAST_DAY.isoformat()}"


_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def unstorable(text: str) -> str | None:
    """Why `text` cannot be stored, or None: PostgreSQL text holds no NUL, and a lone
    surrogate (which JSON's \\ud800 escapes allow) is not UTF-8."""
    found = _UNSTORABLE.search(text)
    if found is None:
        return None
    if found.group() == "\x00":
        return "must not contain the NUL character"
    return "must be valid Unicode (a lone surrogate is not)"


def _first_unstorable(value: Any) -> str | None:
    if isinstance(value, str):
        return unstorable(value)
    if isinstance(value, Mapping):
        value = [*value.keys(), *value.values()]
    if isinstance(value, Sequence) and not isinstance(value, bytes | bytearray):
        for item in value:
            if (problem := _first_unstorable(item)) is not None:
                return problem
    return None


class Input(BaseModel):
    """Base of every request body."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="before")
    @classmethod
    def _storable(cls, value: Any) -> Any:
        problem = _first_unstorable(value)
        if problem is not None:
            raise PydanticCustomError("unstorable_text", problem)
        return value


class Output(BaseModel):
    """Base of every answer. Codes are kept as their values once validated: an answer is
    serialized as often as it is asked for, and a code's plain string serializes at half the
    cost of the enum member (measured on a page of candidates)."""

    model_config = ConfigDict(use_enum_values=True)


def _bounded_instant(value: datetime) -> datetime:
    # Comparing aware instants never overflows; converting one near year 1 or 9999 would.
    if not _FIRST_INSTANT <= value < _AFTER_LAST_INSTANT:
        raise PydanticCustomError("instant_out_of_range", f"must be {_RANGE}")
    return value.astimezone(UTC)


def _bounded_day(value: date) -> date:
    if not FIRST_DAY <= value <= LAST_DAY:
        raise PydanticCustomError("date_out_of_range", f"must be {_RANGE}")
    return value


def _oslo_iso(value: datetime) -> str:
    return value.astimezone(OSLO).isoformat()


Instant = Annotated[
    AwareDatetime,
    AfterValidator(_bounded_instant),
    PlainSerializer(_oslo_iso, return_type=str, when_used="json"),
    Field(
        description="ISO 8601 with offset; answered in Oslo time.",
        examples=["2024-03-01T10:00:00+01:00"],
    ),
]
"""An instant, in requests and answers: with an offset, between 1900 and 2199, answered in
Oslo time."""

Day = Annotated[date, AfterValidator(_bounded_day), Field(examples=["2024-03-01"])]
"""A business date (`YYYY-MM-DD`) between 1900 and 2199."""

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
"""Free text a person wrote (a reason, a justification): never about a child in events."""


def _not_in_future(value: date) -> date:
    if value > today_in_oslo():
        raise PydanticCustomError("date_in_future", "must not be in the future")
    return value


BirthDate = Annotated[Day, AfterValidator(_not_in_future), Field(examples=["2010-05-04"])]
"""A birth date: a business date not after today in Oslo."""


def _pseudonym(value: str) -> str:
    if value.isdigit() and len(value) == 11:
        raise PydanticCustomError(
            "not_a_pseudonym", "must be a pseudonym, not a national identity number"
        )
    return value


ChildRef = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:-]+$"
    ),
    AfterValidator(_pseudonym),
    Field(
        description="The municipality's pseudonym for the child (letters, digits, . _ : -). "
        "Never a name or national identity number.",
        examples=["bergen-2024-0117"],
    ),
]
"""How a municipality's systems name a child to us: a pseudonym of its own."""
