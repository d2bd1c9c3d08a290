"""The OpenAPI documents every endpoint, with examples, and every error as problem+json."""

from __future__ import annotations


async def test_every_operation_is_documented_with_examples(capacity):
    spec = (await capacity.get("/openapi.json")).json()
    schemas = spec["components"]["schemas"]
    missing = []
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            name = f"{method.upper()} {path}"
            if not operation.get("summary"):
                missing.append(f"{name}: summary")
            body = operation.get("requestBody")
            if body:
                content = next(iter(body["content"].values()))
                ref = content["schema"].get("$ref", "")
                schema = schemas.get(ref.rsplit("/", 1)[-1], content["schema"])
                if not (schema.get("examples") or content.get("examples")):
                    missing.append(f"{name}: request example")
            for status, response in operation["responses"].items():
                if status.isdigit() and int(status) >= 400:
                    assert list(response["content"]) == ["application/problem+json"], name
            if path.startswith("/v1/"):
                assert operation.get("security"), f"{name} is not behind a bearer token"
    assert missing == []
