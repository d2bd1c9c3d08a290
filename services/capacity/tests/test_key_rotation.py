"""Rotating PII_ENCRYPTION_KEY without downtime, end to end: national ids written under key
A still read (masked) and are still found once the service runs with B current and A
previous; `python -m capacity.rekey` re-encrypts every stored value under B beside the
running service, without touching versions (ETags) or emitting events; a second run has
nothing to do; with A retired everything still reads. A value under a key the service does
not know is reported by primary key (exit 1) and answered as a clear problem."""

from __future__ import annotations

import asyncio
from datetime import date
from functools import partial

import httpx

from capacity.models import metadata
from capacity.rekey import COLUMNS
from common.pii import generate_key
from devstack import key_rotation
from devstack.key_rotation import alone, events_about, stored
from devstack.services import CAPACITY
from devstack.testing import fetch, national_id

from .conftest import Api

A, B, C = generate_key(), generate_key(), generate_key()
TABLES = ("placement_request", "stay")


# The shared helpers, for this service.
serving = partial(key_rotation.serving, service=CAPACITY)
rekey = partial(key_rotation.rekey, service=CAPACITY)


async def reads(
    client: httpx.AsyncClient, admin: dict[str, str], records: dict[str, tuple[str, str]]
) -> dict[str, str]:
    """Each record (`{id: (path, national id)}`) reads with its masked id, each placement
    request is found by its national id: the ETags."""
    etags = {}
    for id_, (path, number) in records.items():
        answer = await client.get(f"{path}/{id_}", headers=admin)
        assert answer.status_code == 200, answer.text
        assert answer.json()["national_id_masked"] == "*********" + number[-2:]
        assert number not in answer.text
        etags[id_] = answer.headers["ETag"]
        if path == "/v1/placement-requests":
            found = await client.post(f"{path}/search", headers=admin, json={"national_id": number})
            assert found.status_code == 200, found.text
            assert [item["id"] for item in found.json()["items"]] == [id_]
    return etags


def line_of(output: str, table: str) -> str:
    return next(line for line in output.splitlines() if line.startswith(f"{table}."))


async def test_the_encryption_key_is_rotated_while_the_service_runs(environment, admin):
    db = await environment.database(CAPACITY)
    births = [date(2010, 3, day) for day in range(1, 10)]
    numbers = [national_id(birth) for birth in births]
    records: dict[str, tuple[str, str]] = {}

    async def request(api: Api, index: int) -> str:
        born = births[index].isoformat()
        created = await api.placement_request(national_id=numbers[index], birth_date=born)
        records[created["id"]] = ("/v1/placement-requests", numbers[index])
        return str(created["id"])

    # Written under A.
    async with serving(environment, A) as client:
        api = Api(client, admin)
        institution = await api.institution(contracts=[{"budgeted_places": 5}])
        for index in range(3):
            await request(api, index)
        for index in (3, 4):
            born = births[index].isoformat()
            stay = await api.stay(institution["id"], national_id=numbers[index], birth_date=born)
            records[stay["id"]] = ("/v1/stays", numbers[index])
        await api.placement_request()  # one without a national id
    old = list(records)
    before = {table: await stored(db, table, old) for table in TABLES}
    for table in TABLES:
        for id_, value in before[table].items():
            assert alone(A).decrypt(value["blob"]) == records[id_][1]

    # Restarted with B current and A previous: everything reads and is found as before.
    async with serving(environment, B, A) as client:
        api = Api(client, admin)
        etags = await reads(client, admin, records)
        meanwhile = await request(api, 5)  # a new value: under B
        [row] = (await stored(db, "placement_request", [meanwhile])).values()
        assert alone(B).decrypt(row["blob"]) == numbers[5]
        events = await events_about(db, old)

        # Re-encrypted while the service runs and writes.
        command = asyncio.create_task(rekey(environment, B, A))
        for index in (6, 7, 8):
            await request(api, index)
        code, out, err = await command
        assert code == 0, out + err
        assert "3 re-encrypted" in line_of(out, "placement_request")
        assert "0 undecryptable" in line_of(out, "placement_request")
        assert "2 re-encrypted" in line_of(out, "stay")
        assert "Every value is under the current key." in out
        assert not [number for number in numbers if number in out + err]

        after = {table: await stored(db, table, list(records)) for table in TABLES}
        for table in TABLES:
            for id_, value in after[table].items():
                assert alone(B).decrypt(value["blob"]) == records[id_][1]  # B alone reads it
                if id_ in before[table]:
                    assert value["blob"] != before[table][id_]["blob"]
                    assert value["row"] == before[table][id_]["row"]  # version and all
        assert await events_about(db, old) == events  # the value did not change: no event
        etags_after = await reads(client, admin, records)
        assert {id_: etags_after[id_] for id_ in etags} == etags  # the same versions

        # A second run has nothing to do.
        code, out, err = await rekey(environment, B, A)
        assert code == 0, out + err
        assert "0 re-encrypted" in line_of(out, "placement_request")
        assert "0 re-encrypted" in line_of(out, "stay")
        assert {table: await stored(db, table, list(records)) for table in TABLES} == after
        code, out, err = await rekey(environment, B, A, args=("--check",))
        assert code == 0, out + err

    # A retired: everything still reads and is found.
    async with serving(environment, B) as client:
        assert (await reads(client, admin, records)).keys() == records.keys()


async def test_a_value_under_an_unknown_key_is_reported_and_answered_clearly(environment, admin):
    db = await environment.database(CAPACITY)
    birth = date(2011, 6, 7)
    number = national_id(birth)
    async with serving(environment, B) as client:
        api = Api(client, admin)
        institution = await api.institution(contracts=[{"budgeted_places": 1}])
        stay = await api.stay(institution["id"], national_id=number, birth_date=birth.isoformat())
        [original] = await fetch(
            db, "SELECT national_id_encrypted AS blob FROM stay WHERE id = $1::uuid", stay["id"]
        )
        # Its value under a key this service was never given.
        foreign = alone(C).encrypt(number)
        await fetch(
            db,
            "UPDATE stay SET national_id_encrypted = $1 WHERE id = $2::uuid",
            foreign,
            stay["id"],
        )
        try:
            code, out, err = await rekey(environment, B)
            assert code == 1, out + err
            assert f"undecryptable under every configured key: stay id={stay['id']}" in out
            assert "1 undecryptable" in line_of(out, "stay")
            assert number not in out + err

            answer = await client.get(f"/v1/stays/{stay['id']}", headers=admin)
            assert answer.status_code == 500
            assert answer.headers["content-type"] == "application/problem+json"
            problem = answer.json()
            assert problem["type"].endswith("/undecryptable-national-id")
            assert "cannot be decrypted with the service's keys" in problem["detail"]
            assert "InvalidTag" not in answer.text
            assert number not in answer.text

            # Given that key as a previous one, the command re-encrypts the value under B.
            code, out, err = await rekey(environment, B, C)
            assert code == 0, out + err
            assert "1 re-encrypted" in line_of(out, "stay")
            [row] = await fetch(
                db, "SELECT national_id_encrypted AS blob FROM stay WHERE id = $1::uuid", stay["id"]
            )
            assert alone(B).decrypt(row["blob"]) == number
        finally:
            await fetch(
                db,
                "UPDATE stay SET national_id_encrypted = $1 WHERE id = $2::uuid",
                original["blob"],
                stay["id"],
            )


async def test_settings_that_would_break_the_rotation_are_refused_by_name(environment):
    code, out, err = await rekey(environment, B, A, B)
    assert code != 0
    assert "PII_PREVIOUS_ENCRYPTION_KEYS must not contain PII_ENCRYPTION_KEY" in err
    code, out, err = await rekey(environment, B, "bm90LWEta2V5")
    assert code != 0
    assert "PII_PREVIOUS_ENCRYPTION_KEYS: key 1 of 1 must be 32 bytes" in err
    for key in (A, B, "bm90LWEta2V5"):
        assert key not in out + err


def test_the_command_knows_every_encrypted_column():
    encrypted = {
        f"{table.name}.{column.name}"
        for table in metadata.tables.values()
        for column in table.columns
        if column.name.endswith("_encrypted")
    }
    assert encrypted == {str(column) for column in COLUMNS}
