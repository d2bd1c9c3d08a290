"""Rotating PII_ENCRYPTION_KEY without downtime, end to end: foster-home requests written
under key A still read (masked), list and are found once the service runs with B current
and A previous; `python -m foster_care.rekey` re-encrypts every stored value under B beside
the running service, without touching versions (ETags) or emitting events; a second run has
nothing to do; with A retired everything still reads. A value under a key the service does
not know is reported by primary key (exit 1) and answered as a clear problem."""

from __future__ import annotations

import asyncio
from datetime import date
from functools import partial
from typing import Any

from common.pii import generate_key
from devstack import key_rotation
from devstack.key_rotation import alone, events_about
from devstack.services import FOSTER_CARE
from devstack.testing import fetch, national_id
from foster_care.models import metadata
from foster_care.rekey import COLUMNS

from .conftest import Api

A, B, C = generate_key(), generate_key(), generate_key()
REQUESTS = "/v1/foster-home-requests"


# The shared helpers, for this service.
serving = partial(key_rotation.serving, service=FOSTER_CARE)
rekey = partial(key_rotation.rekey, service=FOSTER_CARE)


async def stored(db: str, ids: list[str]) -> dict[str, dict[str, Any]]:
    return await key_rotation.stored(db, "foster_home_request", ids)


async def reads(api: Api, records: dict[str, str]) -> dict[str, str]:
    """Each request (`{id: national id}`) reads and lists with its masked id and is found by
    its national id: the ETags."""
    etags = {}
    listed = {
        item["id"]: item["national_id_masked"]
        for item in (await api.get(REQUESTS, limit=500))["items"]
    }
    for id_, number in records.items():
        masked = "*********" + number[-2:]
        answer = await api.client.get(f"{REQUESTS}/{id_}", headers=api.headers)
        assert answer.status_code == 200, answer.text
        assert answer.json()["national_id_masked"] == masked
        assert number not in answer.text
        assert listed[id_] == masked
        etags[id_] = answer.headers["ETag"]
        found = await api.post(f"{REQUESTS}/search", {"national_id": number}, 200)
        assert [item["id"] for item in found["items"]] == [id_]
    return etags


def line_of(output: str) -> str:
    return next(line for line in output.splitlines() if line.startswith("foster_home_request."))


async def test_the_encryption_key_is_rotated_while_the_service_runs(environment, admin):
    db = await environment.database(FOSTER_CARE)
    births = [date(2014, 9, day) for day in range(1, 9)]
    numbers = [national_id(birth) for birth in births]
    records: dict[str, str] = {}

    async def request(api: Api, index: int) -> str:
        born = births[index].isoformat()
        created = await api.request(national_id=numbers[index], birth_date=born)
        records[created["id"]] = numbers[index]
        return str(created["id"])

    # Written under A.
    async with serving(environment, A) as client:
        api = Api(client, admin)
        for index in range(4):
            await request(api, index)
        await api.request()  # one without a national id
    old = list(records)
    before = await stored(db, old)
    for id_, value in before.items():
        assert alone(A).decrypt(value["blob"]) == records[id_]

    # Restarted with B current and A previous: everything reads, lists and is found.
    async with serving(environment, B, A) as client:
        api = Api(client, admin)
        meanwhile = await request(api, 4)  # a new value, under B, listed beside A's
        assert alone(B).decrypt((await stored(db, [meanwhile]))[meanwhile]["blob"]) == numbers[4]
        etags = await reads(api, records)
        events = await events_about(db, old)

        # Re-encrypted while the service runs and writes.
        command = asyncio.create_task(rekey(environment, B, A))
        for index in (5, 6, 7):
            await request(api, index)
        code, out, err = await command
        assert code == 0, out + err
        assert "4 re-encrypted" in line_of(out)
        assert "0 undecryptable" in line_of(out)
        assert not [number for number in numbers if number in out + err]

        after = await stored(db, list(records))
        for id_, value in after.items():
            assert alone(B).decrypt(value["blob"]) == records[id_]  # B alone reads it
            if id_ in before:
                assert value["blob"] != before[id_]["blob"]
                assert value["row"] == before[id_]["row"]  # version and all
        assert await events_about(db, old) == events  # the value did not change: no event
        etags_after = await reads(api, records)
        assert {id_: etags_after[id_] for id_ in etags} == etags

        # A second run has nothing to do.
        code, out, err = await rekey(environment, B, A)
        assert code == 0, out + err
        assert "0 re-encrypted" in line_of(out)
        assert await stored(db, list(records)) == after

    # A retired: everything still reads, lists and is found.
    async with serving(environment, B) as client:
        await reads(Api(client, admin), records)


async def test_a_value_under_an_unknown_key_is_reported_and_answered_clearly(environment, admin):
    db = await environment.database(FOSTER_CARE)
    birth = date(2015, 2, 3)
    number = national_id(birth)
    async with serving(environment, B) as client:
        api = Api(client, admin)
        created = await api.request(national_id=number, birth_date=birth.isoformat())
        query = "SELECT national_id_encrypted AS blob FROM foster_home_request WHERE id = $1::uuid"
        [original] = await fetch(db, query, created["id"])
        change = "UPDATE foster_home_request SET national_id_encrypted = $1 WHERE id = $2::uuid"
        await fetch(db, change, alone(C).encrypt(number), created["id"])  # a key never given
        try:
            code, out, err = await rekey(environment, B)
            assert code == 1, out + err
            assert f"foster_home_request id={created['id']}" in out
            assert "1 undecryptable" in line_of(out)
            assert number not in out + err

            problem = await api.problem("GET", f"{REQUESTS}/{created['id']}", 500)
            assert problem["type"].endswith("/undecryptable-national-id")
            assert "cannot be decrypted with the service's keys" in problem["detail"]
            assert "InvalidTag" not in str(problem)

            # Given that key as a previous one, the command re-encrypts the value under B.
            code, out, err = await rekey(environment, B, C)
            assert code == 0, out + err
            [row] = await fetch(db, query, created["id"])
            assert alone(B).decrypt(row["blob"]) == number
        finally:
            await fetch(db, change, original["blob"], created["id"])


async def test_settings_that_would_break_the_rotation_are_refused_by_name(environment):
    code, out, err = await rekey(environment, B, A, B)
    assert code != 0
    assert "PII_PREVIOUS_ENCRYPTION_KEYS must not contain PII_ENCRYPTION_KEY" in err
    for key in (A, B):
        assert key not in out + err


def test_the_command_knows_every_encrypted_column():
    encrypted = {
        f"{table.name}.{column.name}"
        for table in metadata.tables.values()
        for column in table.columns
        if column.name.endswith("_encrypted")
    }
    assert encrypted == {str(column) for column in COLUMNS}
