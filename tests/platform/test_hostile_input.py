"""Input as an attacker or a broken integration would send it, to capacity (and foster_care
and family_counselling) served as in production (each in its own process, on real
PostgreSQL and NATS): no answer is a 5xx, every refusal is problem+json, the connection
stays usable, and the log holds no traceback.

Every field of every request body in the OpenAPI gets every hostile value of its kind: text
PostgreSQL or UTF-8 cannot hold (NUL, lone surrogates), instants and dates at the edges of
the calendar, numbers beyond any column, wrong types; then bodies too large or too deep, and
validly signed tokens whose claims have unexpected types."""

from __future__ import annotations

import asyncio
import copy
import json
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from devstack.services import CAPACITY, FAMILY_COUNSELLING, FOSTER_CARE
from devstack.testing import ISSUER, ServedService

from .helpers import institution_body, placement_request_body

PROBLEM = "application/problem+json"

TEXT = [
    "\u0000",
    "before\u0000after",
    "\ud800",
    "a\udfffb",
    "",
    " ",
    "x" * 100_000,
    "\u202eevil",
    "😀" * 10,
    "' OR 1=1 --",
    "%00",
    "\n\t",
]
INSTANTS = [
    "0001-01-01T00:00:00+14:00",
    "0001-01-01T00:00:00Z",
    "9999-12-31T23:59:59-14:00",
    "9999-12-31T23:59:59.999999Z",
    "1899-12-31T23:59:59Z",
    "2200-01-01T00:00:00Z",
    "2024-02-30T10:00:00+01:00",
    "2024-03-31T02:30:00+01:00",
    "2024-03-01T10:00:00",
    "2024-03-01T10:00:00+25:00",
    "1970-01-01T00:00:00Z",
]
DAYS = ["0001-01-01", "9999-12-31", "2023-02-29", "1899-12-31", "2200-01-01", "2024-13-01"]
NUMBERS: list[Any] = [10**30, -(10**30), 1e308, -1, 0.5, "1e400", True, "NaN", "Infinity"]
OTHERS: list[Any] = [None, [], {}, [None], {"nested": {"deeper": [1]}}, 1, "x"]


def hostile_values(schema: dict[str, Any]) -> list[Any]:
    kinds = _kinds(schema)
    values: list[Any] = list(OTHERS)
    if "date-time" in kinds:
        values += INSTANTS + TEXT[:4]
    elif "date" in kinds:
        values += DAYS + TEXT[:4]
    elif "string" in kinds:
        values += TEXT
    if "integer" in kinds or "number" in kinds:
        values += NUMBERS
    if "array" in kinds:
        values += [["\u0000"], ["\ud800"], ["x"] * 10_000]
    return values


def _kinds(schema: dict[str, Any]) -> set[str]:
    kinds = set()
    for option in schema.get("anyOf", [schema]):
        if "format" in option:
            kinds.add(option["format"])
        kinds.add(option.get("type", "string"))
    return kinds


def resolve(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def encode(body: Any) -> bytes:
    # ensure_ascii: a lone surrogate travels as the escape \ud800, as an attacker sends it.
    return json.dumps(body, ensure_ascii=True, allow_nan=True).encode()


@pytest.fixture(scope="module")
async def served(environment):
    service = ServedService(CAPACITY, await environment.settings_env(CAPACITY)).start()
    yield service
    service.stop()


@pytest.fixture(scope="module")
async def ids(served, auth) -> dict[str, str]:
    """Real resources, so that a body that passes validation reaches the rules."""
    admin = auth("national-admin")
    async with httpx.AsyncClient(base_url=served.url, headers=admin) as client:

        async def post(path: str, body: dict[str, Any], status: int = 201) -> dict[str, Any]:
            response = await client.post(path, json=body)
            assert response.status_code == status, response.text
            return response.json()

        institution = await post(
            "/v1/institutions", institution_body(municipality_number="4601", functions=["acute"])
        )
        contract = await post(
            f"/v1/institutions/{institution['id']}/place-contracts",
            {
                "function": "acute",
                "contract_type": "state",
                "budgeted_places": 50,
                "valid_from": "2020-01-01",
                "valid_to": None,
                "day_price_nok": "15200.00",
            },
        )
        request = await post(
            "/v1/placement-requests",
            placement_request_body(municipality_number="4601", function="acute", urgency="acute"),
        )
        offer = await post(
            f"/v1/placement-requests/{request['id']}/offers",
            {
                "institution_id": institution["id"],
                "function": "acute",
                "contract_type": "state",
                "offered_at": datetime.now(UTC).isoformat(),
            },
        )
        stay = await post(
            "/v1/stays",
            {
                "institution_id": institution["id"],
                "child_ref": "hostile-1",
                "municipality_number": "4601",
                "birth_date": "2010-05-04",
                "function": "acute",
                "contract_type": "state",
                "admitted_at": (datetime.now(UTC) - timedelta(days=3)).isoformat(),
                "lives_alone": True,
                "day_price_nok": "15200.00",
            },
        )
        today = datetime.now(UTC).date()
        decision = await post(
            f"/v1/stays/{stay['id']}/single-child-decisions",
            {
                "decided_on": today.isoformat(),
                "justification": "Needs one-to-one staffing.",
                "valid_until": (today + timedelta(days=30)).isoformat(),
                "next_review_on": (today + timedelta(days=7)).isoformat(),
            },
        )
    return {
        "event_type": "capacity.stay.admitted.v1",
        "institution_id": institution["id"],
        "contract_id": contract["id"],
        "placement_request_id": request["id"],
        "offer_id": offer["id"],
        "stay_id": stay["id"],
        "decision_id": decision["id"],
    }


async def seed_foster_care(url: str, admin: dict[str, str]) -> dict[str, str]:
    """A home, a request with a pending proposal, a conference, and a placement."""
    async with httpx.AsyncClient(base_url=url, headers=admin) as client:

        async def post(path: str, body: dict[str, Any], status: int = 201) -> dict[str, Any]:
            response = await client.post(path, json=body)
            assert response.status_code == status, response.text
            return response.json()

        home = await post(
            "/v1/foster-homes",
            {
                "municipality_number": "4601",
                "kind": "ordinary",
                "inquiry_at": "2023-01-02T10:00:00Z",
            },
        )
        stages = ("information_meeting", "pre_assessment", "training", "training_completed")
        for day, to in enumerate((*stages, "home_study", "approved"), start=3):
            body: dict[str, Any] = {"to": to, "at": f"2023-01-{day:02d}T10:00:00Z"}
            if to == "training":
                body["training_programme"] = "SOLID"
            if to == "approved":
                body["places"] = 5
            await post(f"/v1/foster-homes/{home['id']}/transitions", body, 200)

        async def request() -> dict[str, Any]:
            return await post(
                "/v1/foster-home-requests",
                {
                    "municipality_number": "4601",
                    "child_ref": f"hostile-fc-{uuid.uuid4().hex[:8]}",
                    "birth_date": "2012-01-01",
                    "desired_start_date": "2024-01-01",
                    "requested_at": "2023-12-01T10:00:00Z",
                    "child_wishes_recorded": False,
                    "kinship_assessed": True,
                },
            )

        placed = await request()
        proposal = await post(
            f"/v1/foster-home-requests/{placed['id']}/proposals",
            {"foster_home_id": home["id"], "proposed_at": "2024-01-02T10:00:00Z"},
        )
        await post(
            f"/v1/foster-home-requests/{placed['id']}/proposals/{proposal['id']}/decision",
            {"decision": "accepted", "decided_at": "2024-01-03T10:00:00Z"},
            200,
        )
        placement = await post(
            "/v1/foster-placements",
            {"request_id": placed["id"], "foster_home_id": home["id"], "start_date": "2024-01-10"},
        )
        pending = await request()
        conference = await post(
            f"/v1/foster-home-requests/{pending['id']}/family-group-conferences",
            {"offered_on": "2024-01-05", "aims_to_recruit_home": True},
        )
        proposal = await post(
            f"/v1/foster-home-requests/{pending['id']}/proposals",
            {"foster_home_id": home["id"], "proposed_at": "2024-01-06T10:00:00Z"},
        )
    return {
        "event_type": "foster_care.foster_placement.started.v1",
        "foster_home_id": home["id"],
        "foster_home_request_id": pending["id"],
        "proposal_id": proposal["id"],
        "conference_id": conference["id"],
        "placement_id": placement["id"],
    }


async def seed_family_counselling(url: str, admin: dict[str, str]) -> dict[str, str]:
    """An office with a slot, a mediation case with an attended session, and a certificate."""
    async with httpx.AsyncClient(base_url=url, headers=admin) as client:

        async def post(path: str, body: dict[str, Any] | None, status: int = 201) -> Any:
            response = await client.post(path, json=body)
            assert response.status_code == status, response.text
            return response.json()

        office = await post(
            "/v1/offices",
            {
                "name": "Familievernkontoret",
                "municipality_number": "4601",
                "ownership": "state",
                "therapist_hours_per_week": 100,
            },
        )
        slot = await post(
            f"/v1/offices/{office['id']}/mediation-slots",
            {"starts_at": (datetime.now(UTC) + timedelta(days=30)).isoformat()},
        )
        case = await post(
            "/v1/cases",
            {
                "office_id": office["id"],
                "case_type": "mediation",
                "referral_received_at": "2024-01-02T10:00:00Z",
                "children": [{"age": 9}],
                "mediation_reason": "separation",
            },
        )
        appointment = await post(
            f"/v1/cases/{case['id']}/appointments",
            {"scheduled_at": "2024-01-10T10:00:00Z", "kind": "mediation"},
        )
        await post(
            f"/v1/appointments/{appointment['id']}/outcome",
            {"outcome": "attended", "recorded_at": "2024-01-10T11:00:00Z"},
            200,
        )
        certificate = await post(f"/v1/cases/{case['id']}/mediation-certificate", None)
        pending = await post(
            f"/v1/cases/{case['id']}/appointments",
            {"scheduled_at": "2024-01-20T10:00:00Z", "kind": "mediation"},
        )
    return {
        "event_type": "family_counselling.case.opened.v1",
        "office_id": office["id"],
        "case_id": case["id"],
        "appointment_id": pending["id"],
        "slot_id": slot["id"],
        "number": certificate["certificate_number"],
    }


SEEDERS = {FOSTER_CARE: seed_foster_care, FAMILY_COUNSELLING: seed_family_counselling}


@pytest.fixture(scope="module", params=list(SEEDERS), ids=lambda service: service.name)
async def other_service(request, environment, auth):
    """foster_care and family_counselling served, with real resources of each."""
    service = ServedService(request.param, await environment.settings_env(request.param)).start()
    ids = await SEEDERS[request.param](service.url, auth("national-admin"))
    yield service, ids
    service.stop()


def assert_answered(response: httpx.Response, what: str) -> None:
    assert response.status_code < 500, (what, response.status_code, response.text[:500])
    if response.status_code >= 400:
        assert response.headers["content-type"] == PROBLEM, (what, response.text[:200])


async def every_body_field(served: ServedService, ids: dict[str, str], admin: dict[str, str]):
    """Every field of every request body in the OpenAPI, with every hostile value."""
    async with httpx.AsyncClient(base_url=served.url, timeout=30) as client:
        spec = (await client.get("/openapi.json")).json()
        sent = 0
        for path, operations in spec["paths"].items():
            for method, operation in operations.items():
                body_spec = operation.get("requestBody")
                if not body_spec:
                    continue
                schema = resolve(spec, body_spec["content"]["application/json"]["schema"])
                example = (schema.get("examples") or [{}])[0]
                url = path.format(**ids)
                properties = {
                    name: resolve(spec, field) for name, field in schema["properties"].items()
                }
                for name, field in properties.items():
                    for value in hostile_values(field):
                        body = copy.deepcopy(example)
                        body[name] = value
                        response = await client.request(
                            method.upper(),
                            url,
                            content=encode(body),
                            headers={
                                **admin,
                                "Content-Type": "application/json",
                                "If-Match": "*",
                            },
                        )
                        assert_answered(response, f"{method} {path} {name}={value!r:.60}")
                        sent += 1
        assert sent > 500
    assert "Traceback" not in served.log_path.read_text()


async def test_no_field_of_any_body_takes_the_service_down(served, ids, auth):
    await every_body_field(served, ids, auth("national-admin"))


async def test_no_field_of_any_body_takes_another_service_down(other_service, auth):
    await every_body_field(*other_service, auth("national-admin"))


@pytest.mark.parametrize(
    "body",
    [
        b"[" * 100_000 + b"]" * 100_000,
        b'{"a": ' * 50_000 + b"1" + b"}" * 50_000,
        b"1" * 10_000,
        b'{"municipality_number": ' + b"9" * 5_000 + b"}",
        b"\xff\xfe\x00\x00",
        b'{"municipality_number": "4601", "municipality_number": "0301"}',
        b"null",
        b"",
    ],
    ids=[
        "deep-array",
        "deep-object",
        "long-number",
        "huge-int",
        "not-utf8",
        "dup",
        "null",
        "empty",
    ],
)
async def test_malformed_bodies_are_refused_clearly(served, auth, body):
    async with httpx.AsyncClient(base_url=served.url) as client:
        response = await client.post(
            "/v1/placement-requests",
            content=body,
            headers={**auth("national-admin"), "Content-Type": "application/json"},
        )
    assert_answered(response, body[:20])
    assert response.status_code in (400, 413, 422), response.text


async def test_a_huge_body_is_refused_before_it_is_read_or_any_token_checked(served):
    memory_before = _rss_kib(served)
    async with httpx.AsyncClient(base_url=served.url) as client:
        declared = await client.post(
            "/v1/placement-requests",
            content=b"{" + b" " * 5_000_000 + b"}",
            headers={"Content-Type": "application/json"},  # and no token at all
        )
    assert declared.status_code == 413
    assert declared.headers["content-type"] == PROBLEM

    # Streamed without a length: refused once the limit is passed, the rest never read.
    reader, writer = await asyncio.open_connection("127.0.0.1", served.port)
    try:
        writer.write(
            b"POST /v1/placement-requests HTTP/1.1\r\nHost: x\r\n"
            b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
        )
        chunk = b" " * 65_536
        started = time.monotonic()
        status = None
        while status is None and time.monotonic() - started < 20:
            writer.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            try:
                await writer.drain()
                head = await asyncio.wait_for(reader.read(200), timeout=0.01)
            except (TimeoutError, ConnectionError):
                continue
            if head:
                status = int(head[9:12])
    finally:
        writer.close()
    assert status == 413
    assert _rss_kib(served) - memory_before < 100_000  # not hundreds of megabytes


def _rss_kib(served: ServedService) -> int:
    assert served.process is not None
    with open(f"/proc/{served.process.pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS")


ODD_CLAIMS: list[dict[str, Any]] = [
    {"sub": 123},
    {"sub": {"nested": True}},
    {"sub": "a\u0000b"},
    {"sub": "x" * 5000},
    {"scope": 5},
    {"scope": [1, 2]},
    {"scope": {"capacity.read": True}},
    {"region": ["vest"]},
    {"region": "mars"},
    {"region": 7},
    {"municipality_number": 4601},
    {"municipality_number": ["4601"]},
    {"client_id": {"a": 1}},
    {"client_id": "\ud800"},
    {"exp": "tomorrow"},
    {"exp": 10**30},
    {"nbf": "now"},
    {"iat": []},
    {"aud": 5},
    {"aud": ["someone-else"]},
    {"iss": ["x"]},
]


@pytest.mark.parametrize("odd", ODD_CLAIMS, ids=[json.dumps(c)[:40] for c in ODD_CLAIMS])
async def test_a_validly_signed_token_with_odd_claims_is_refused(served, issuer, odd):
    now = int(time.time())
    claims = {
        "iss": ISSUER,
        "sub": "odd",
        "client_id": "odd",
        "aud": "bufetat-platform",
        "iat": now,
        "nbf": now,
        "exp": now + 600,
        "scope": "capacity.read capacity.write",
        **odd,
    }
    token = issuer.sign(claims)
    async with httpx.AsyncClient(base_url=served.url) as client:
        response = await client.get(
            "/v1/placement-requests", headers={"Authorization": f"Bearer {token}"}
        )
    assert_answered(response, odd)
    assert response.status_code in (200, 401, 403), response.text


async def test_a_refusal_keeps_the_connection_usable(served, auth):
    """After any refusal the next request on the same keep-alive connection is answered."""
    token = auth("national-admin")["Authorization"]
    reader, writer = await asyncio.open_connection("127.0.0.1", served.port)
    try:
        for body in (b'{"name": "\\u0000"}', b"{not json", b'{"child_ref": "\\ud800"}'):
            writer.write(
                b"POST /v1/placement-requests HTTP/1.1\r\nHost: x\r\n"
                b"Authorization: " + token.encode() + b"\r\n"
                b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n%s"
                % (len(body), body)
            )
            head = await reader.readuntil(b"\r\n\r\n")
            assert head[9:12] == b"422", head
            length = int(head.lower().split(b"content-length: ")[1].split(b"\r\n")[0])
            await reader.readexactly(length)
        writer.write(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        head = await reader.readuntil(b"\r\n\r\n")
        assert head[9:12] == b"200", head
    finally:
        writer.close()


QUERY_VALUES = ["\x00", "x" * 10_000, "-1", "0", "1e400", "9" * 5000, "", "%00", "[]", "é"]
# Percent-escapes that decode to no UTF-8 at all (a lone surrogate, a stray byte).
RAW_TARGETS = [
    b"/v1/placement-requests/%ED%A0%80",
    b"/v1/placement-requests?municipality_number=%FF%FE",
    b"/v1/placement-requests?cursor=%ED%A0%80",
    b"/v1/stays?institution_id=%C0%AF",
]


async def every_parameter(served: ServedService, ids: dict[str, str], admin: dict[str, str]):
    """Every query, path and header parameter in the OpenAPI, with every hostile value."""
    async with httpx.AsyncClient(base_url=served.url, timeout=30) as client:
        spec = (await client.get("/openapi.json")).json()
        for path, operations in spec["paths"].items():
            for method, operation in operations.items():
                parameters = operation.get("parameters", [])
                for parameter in parameters:
                    for value in QUERY_VALUES:
                        where = parameter["in"]
                        url = path.format(**ids)
                        params: dict[str, str] = {}
                        headers = {**admin, "If-Match": "*"}
                        if where == "query":
                            params[parameter["name"]] = value
                        elif where == "path":
                            url = path.format(**{**ids, parameter["name"]: value})
                        elif where == "header" and value.isascii() and "\x00" not in value:
                            headers[parameter["name"]] = value
                        try:
                            response = await client.request(
                                method.upper(), url, params=params, headers=headers, json={}
                            )
                        except httpx.InvalidURL:
                            continue  # not sendable as such; "%00" is, and is sent
                        assert_answered(
                            response, f"{method} {path} {parameter['name']}={value!r:.40}"
                        )
    assert "Traceback" not in served.log_path.read_text()


async def test_no_parameter_takes_another_service_down(other_service, auth):
    await every_parameter(*other_service, auth("national-admin"))


async def test_no_query_path_or_header_value_takes_the_service_down(served, ids, auth):
    admin = auth("national-admin")
    await every_parameter(served, ids, admin)
    async with httpx.AsyncClient(base_url=served.url, timeout=30) as client:
        for name, value in [
            ("traceparent", "00-zz-zz-zz"),
            ("traceparent", "x" * 4000),
            ("authorization", "Bearer " + "A" * 8000),
            ("authorization", "Bearer a.b.c"),
            ("authorization", "Basic " + "x" * 100),
            ("if-match", 'W/"x", *, "\\\\"'),
            ("content-type", "application/json; charset=utf-16"),
        ]:
            response = await client.post(
                "/v1/placement-requests",
                json=placement_request_body(),
                headers={**admin, name: value},
            )
            assert_answered(response, name)
    token = admin["Authorization"].encode()
    for target in RAW_TARGETS:
        reader, writer = await asyncio.open_connection("127.0.0.1", served.port)
        try:
            writer.write(b"GET " + target + b" HTTP/1.1\r\nHost: x\r\nAuthorization: " + token)
            writer.write(b"\r\nConnection: close\r\n\r\n")
            head = await reader.readuntil(b"\r\n\r\n")
        finally:
            writer.close()
        assert int(head[9:12]) < 500, (target, head)
    assert "Traceback" not in served.log_path.read_text()
