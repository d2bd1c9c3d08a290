"""Schemathesis hooks (SCHEMATHESIS_HOOKS): the fuzzer also sends what an attacker would,
beyond what the OpenAPI's types suggest: instants and dates at the edges of the calendar,
and text PostgreSQL cannot hold (NUL) in any string field."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import schemathesis
from hypothesis import strategies as st

_ZONES = st.sampled_from([UTC, timezone(timedelta(hours=14)), timezone(timedelta(hours=-14))])
_INSTANTS = st.one_of(
    st.sampled_from(
        [
            "0001-01-01T00:00:00+14:00",
            "0001-01-01T00:00:00Z",
            "9999-12-31T23:59:59-14:00",
            "9999-12-31T23:59:59.999999Z",
        ]
    ),
    # Hypothesis takes naive bounds and puts the zones on itself.
    st.datetimes(
        min_value=datetime(1, 1, 1),  # noqa: DTZ001
        max_value=datetime(9999, 12, 31),  # noqa: DTZ001
        timezones=_ZONES,
    ).map(lambda instant: instant.isoformat()),
)
_DAYS = st.one_of(
    st.sampled_from(["0001-01-01", "9999-12-31", "2024-02-29"]),
    st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)).map(date.isoformat),
)
# Lone surrogates are left to tests/platform/test_hostile_input.py: schemathesis's own
# validation of a generated case cannot encode them.
_UNSTORABLE = st.sampled_from(["\x00", "a\x00b", "\x00" * 3])

schemathesis.openapi.format("date-time", _INSTANTS)
schemathesis.openapi.format("date", _DAYS)


@schemathesis.hook
def flatmap_body(context: Any, body: Any) -> st.SearchStrategy[Any]:
    """The generated body, or it with one of its text fields made unstorable."""
    if not isinstance(body, dict):
        return st.just(body)
    texts = [name for name, value in body.items() if isinstance(value, str)]
    if not texts:
        return st.just(body)
    spoiled = st.tuples(st.sampled_from(texts), _UNSTORABLE).map(
        lambda choice: {**body, choice[0]: choice[1]}
    )
    return st.one_of(st.just(body), spoiled)
