"""The platform's one OpenAPI document, at the gateway's `/openapi.json`: the gateway's own
paths and every service's, as the gateway serves them (`/api/<prefix>/…`).

Each service's part comes from its own `/openapi.json`, fetched over the proxy's clients,
and is folded in so that nothing collides: its components are renamed `<service>.<Name>`
(unless identical to the gateway's own, as `Problem` is) with every `$ref` rewritten, its
tags prefixed and grouped (`x-tagGroups`), its operationIds prefixed, and its bearer scheme
is the gateway's. The merged document is kept `cache_seconds`, and each service's last good
part for as long as the gateway runs: a service that is down is served from that copy, or
left out, and the document says so (`x-unavailable-services`, `info.description`). Answering
the docs never depends on every service being up."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import orjson
from fastapi import FastAPI, Request
from fastapi.responses import Response
from starlette.routing import Route

from common.errors import PROBLEM_JSON
from reporting_gateway.proxy.router import PUBLIC_PATHS, service_name, upstreams

log = logging.getLogger(__name__)

# The docs page waits on this at worst; the proxy's own read timeout may be far longer.
FETCH_TIMEOUT_SECONDS = 5.0
HTTP_METHODS = frozenset({"get", "put", "post", "delete", "options", "head", "patch", "trace"})
COMPONENTS = "#/components/"
PATHS = "#/paths/"

Document = dict[str, Any]


@dataclass(frozen=True)
class Part:
    """A service's own document, as last fetched."""

    document: Document
    fetched_at: datetime


class PlatformOpenApi:
    """The merged document, rebuilt at most every `cache_seconds` (one rebuild at a time)."""

    def __init__(self, app: FastAPI, prefixes: Sequence[str], cache_seconds: float) -> None:
        self._app = app
        self._prefixes = list(prefixes)
        self._cache_seconds = cache_seconds
        self._parts: dict[str, Part] = {}
        self._encoded = b""
        self._expires = 0.0
        self._lock = asyncio.Lock()

    async def encoded(self) -> bytes:
        if time.monotonic() >= self._expires:
            async with self._lock:
                if time.monotonic() >= self._expires:
                    self._encoded = orjson.dumps(await self.document())
                    self._expires = time.monotonic() + self._cache_seconds
        return self._encoded

    async def document(self) -> Document:
        fetched = await asyncio.gather(*(self._fetch(prefix) for prefix in self._prefixes))
        unavailable = [prefix for prefix, ok in zip(self._prefixes, fetched, strict=True) if not ok]
        parts = {prefix: self._parts.get(prefix) for prefix in self._prefixes}
        return merge(self._app.openapi(), parts, unavailable)

    async def _fetch(self, prefix: str) -> bool:
        """Fetch a service's document into `_parts`; False (the last copy kept) when it
        cannot be had."""
        client = upstreams(self._app)[prefix]
        read = min(FETCH_TIMEOUT_SECONDS, client.timeout.read or FETCH_TIMEOUT_SECONDS)
        try:
            response = await client.get(
                "/openapi.json", timeout=httpx.Timeout(read, connect=client.timeout.connect)
            )
            response.raise_for_status()
            document = orjson.loads(response.content)
        except (httpx.HTTPError, orjson.JSONDecodeError) as exc:
            log.warning("the OpenAPI of %s cannot be fetched: %r", service_name(prefix), exc)
            return False
        if not (isinstance(document, dict) and isinstance(document.get("paths"), dict)):
            log.warning("the OpenAPI of %s is not an OpenAPI document", service_name(prefix))
            return False
        self._parts[prefix] = Part(document, datetime.now(UTC))
        return True


def serve_platform_openapi(app: FastAPI, prefixes: Sequence[str], cache_seconds: float) -> None:
    """Answer `/openapi.json` (and so `/docs` and `/redoc`) with the merged document, in
    place of FastAPI's own, which stays `app.openapi()`."""
    merged = PlatformOpenApi(app, prefixes, cache_seconds)

    async def openapi(_request: Request) -> Response:
        return Response(await merged.encoded(), media_type="application/json")

    assert app.openapi_url is not None
    routes = app.router.routes
    index = next(
        i for i, route in enumerate(routes) if getattr(route, "path", None) == app.openapi_url
    )
    routes[index] = Route(app.openapi_url, openapi, include_in_schema=False)


def merge(own: Document, parts: Mapping[str, Part | None], unavailable: Sequence[str]) -> Document:
    """The gateway's document `own` with each service's part (by URL prefix; None: never
    fetched). `unavailable`: the prefixes whose document could not be fetched just now."""
    merged: Document = orjson.loads(orjson.dumps(own))  # a copy: `own` is FastAPI's cache
    paths: Document = merged.setdefault("paths", {})
    components: Document = merged.setdefault("components", {})
    bearer = _bearer_scheme(components)
    title = str(merged["info"]["title"])
    added: list[tuple[str, tuple[Document, Document, dict[str, Document]]]] = []
    notes: list[str] = []
    left_out: list[str] = []
    for prefix, part in parts.items():
        name = service_name(prefix)
        reached = prefix not in unavailable
        contribution = None
        try:
            if part is not None:
                contribution = _service_part(part.document, prefix, bearer, components)
        except Exception:  # a document this code does not understand: left out, not a 500
            log.exception("the OpenAPI of %s cannot be merged", name)
        if part is None or contribution is None:
            why = "could not be reached" if not reached else "has a document that cannot be merged"
            notes.append(
                f"**{name} {why}**: its paths are left out of this document (the gateway "
                f"still proxies `/api/{prefix}/…`)."
            )
            left_out.append(name)
            continue
        if not reached:
            notes.append(
                f"**{name} could not be reached**: its paths are its last good copy, fetched "
                f"at {part.fetched_at.isoformat(timespec='seconds')}."
            )
            left_out.append(name)
        paths.pop(f"/api/{prefix}/{{path}}", None)  # its real paths say more
        added.append((prefix, contribution))

    groups = [{"name": title, "tags": _tag_operations(merged, title)}]
    tags: dict[str, Document] = {tag["name"]: tag for tag in merged.get("tags", [])}
    for prefix, (part_paths, part_components, part_tags) in added:
        paths.update(part_paths)
        for kind, entries in part_components.items():
            components.setdefault(kind, {}).update(entries)
        tags.update(part_tags)
        groups.append({"name": service_name(prefix), "tags": list(part_tags)})
    # Swagger UI lists the tags in this order: the gateway's, then each service's.
    in_order = dict.fromkeys(tag for group in groups for tag in group["tags"])
    merged["tags"] = [tags.get(tag, {"name": tag}) for tag in in_order]
    merged["x-tagGroups"] = groups  # ReDoc shows the gateway's and each service's apart
    merged["x-unavailable-services"] = left_out
    _unique_operation_ids(merged)
    served = ", ".join(f"{service_name(prefix)} (`/api/{prefix}/…`)" for prefix, _ in added)
    info = merged["info"]
    info["description"] = "\n\n".join(
        [
            str(info.get("description") or ""),
            "This document is the whole platform's: the gateway's own paths and those of "
            f"{served or 'no service'}.",
            *notes,
        ]
    ).strip()
    return merged


def _service_part(
    document: Document, prefix: str, bearer: str, own: Document
) -> tuple[Document, Document, dict[str, Document]]:
    """A service's paths (under the gateway's prefix), components (renamed) and tags, with
    every reference rewritten and its bearer scheme the gateway's."""
    name = service_name(prefix)
    theirs: Document = document.get("components") or {}
    schemes: Document = theirs.get("securitySchemes") or {}
    folded = {key for key, scheme in schemes.items() if _is_bearer(scheme)}
    shared = _shared_components(own, theirs)
    renames = {
        (kind, key): key if (kind, key) in shared else f"{name}.{key}"
        for kind, entries in theirs.items()
        for key in entries
        if not (kind == "securitySchemes" and key in folded)
    }

    def scheme(key: str) -> str:
        return bearer if key in folded else renames.get(("securitySchemes", key), key)

    rename = _reference_renamer(renames, prefix)
    components: Document = {
        kind: {
            renames[(kind, key)]: _rewrite(value, rename)
            for key, value in entries.items()
            if (kind, key) in renames and (kind, key) not in shared
        }
        for kind, entries in theirs.items()
    }
    tags = {
        f"{name}: {tag['name']}": {**tag, "name": f"{name}: {tag['name']}"}
        for tag in document.get("tags") or []
    }
    paths: Document = {}
    for path, item in document["paths"].items():
        item = _rewrite(item, rename)
        for method, operation in item.items():
            if method not in HTTP_METHODS:
                continue
            operation["tags"] = [f"{name}: {tag}" for tag in operation.get("tags") or []] or [name]
            tags.update({tag: tags.get(tag, {"name": tag}) for tag in operation["tags"]})
            if "operationId" in operation:
                operation["operationId"] = f"{name}_{operation['operationId']}"
            requirements = operation.get("security", document.get("security"))
            if requirements:
                operation["security"] = [
                    {scheme(key): scopes for key, scopes in requirement.items()}
                    for requirement in requirements
                ]
            elif path.strip("/") not in PUBLIC_PATHS:
                # The gateway asks every caller for a token before anything reaches the
                # service, even where the service itself asks for none.
                operation["security"] = [{bearer: []}]
            answers = operation.setdefault("responses", {})
            if path.strip("/") not in PUBLIC_PATHS:
                answers.setdefault("401", _problem("Unauthorized"))
            answers.setdefault("502", _problem(f"The {name} service cannot be reached"))
            answers.setdefault("504", _problem(f"The {name} service did not answer in time"))
        paths[f"/api/{prefix}{path}"] = item
    return paths, components, tags


def _shared_components(own: Document, theirs: Document) -> set[tuple[str, str]]:
    """The service's components equal to the gateway's of the same name (the platform's
    `Problem`, `FieldError`), whose references are all shared too: kept as one."""
    shared = {
        (kind, key)
        for kind, entries in theirs.items()
        if kind != "securitySchemes"
        for key, value in entries.items()
        if (own.get(kind) or {}).get(key) == value
    }
    while True:
        # Equal text names another thing when it refers to a component that is renamed.
        kept = {item for item in shared if _references(theirs[item[0]][item[1]]) <= shared}
        if kept == shared:
            return shared
        shared = kept


def _references(node: Any) -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()

    def note(ref: str) -> str:
        if ref.startswith(COMPONENTS):
            kind, _, rest = ref.removeprefix(COMPONENTS).partition("/")
            found.add((kind, rest.split("/", 1)[0]))
        return ref

    _rewrite(node, note)
    return found


def _reference_renamer(renames: Mapping[tuple[str, str], str], prefix: str) -> Callable[[str], str]:
    def rename(ref: str) -> str:
        if ref.startswith(COMPONENTS):
            kind, _, rest = ref.removeprefix(COMPONENTS).partition("/")
            key, slash, deeper = rest.partition("/")
            new = renames.get((kind, key))
            if new is not None:
                return f"{COMPONENTS}{kind}/{new}{slash}{deeper}"
        elif ref.startswith(PATHS):
            path, slash, deeper = ref.removeprefix(PATHS).partition("/")
            gateway_path = f"/api/{prefix}" + path.replace("~1", "/").replace("~0", "~")
            escaped = gateway_path.replace("~", "~0").replace("/", "~1")
            return f"{PATHS}{escaped}{slash}{deeper}"
        return ref

    return rename


def _rewrite(node: Any, rename: Callable[[str], str]) -> Any:
    """A copy of `node` with every `$ref` (and discriminator mapping) passed to `rename`."""
    if isinstance(node, list):
        return [_rewrite(value, rename) for value in node]
    if not isinstance(node, dict):
        return node
    copy: Document = {}
    for key, value in node.items():
        if key == "$ref" and isinstance(value, str):
            copy[key] = rename(value)
        elif key == "discriminator" and isinstance(value, dict) and "mapping" in value:
            mapping = {
                # A bare name in a mapping is a schema's name (OpenAPI 3.1, 4.8.25).
                tag: rename(ref if ref.startswith("#") else f"{COMPONENTS}schemas/{ref}")
                for tag, ref in value["mapping"].items()
            }
            copy[key] = {**value, "mapping": mapping}
        else:
            copy[key] = _rewrite(value, rename)
    return copy


def _is_bearer(scheme: Any) -> bool:
    return (
        isinstance(scheme, dict)
        and scheme.get("type") == "http"
        and str(scheme.get("scheme", "")).lower() == "bearer"
    )


def _bearer_scheme(components: Document) -> str:
    """The name of the gateway's bearer scheme (declared here if the gateway has none)."""
    schemes = components.setdefault("securitySchemes", {})
    for key, scheme in schemes.items():
        if _is_bearer(scheme):
            return str(key)
    schemes["HTTPBearer"] = {
        "type": "http",
        "scheme": "bearer",
        "description": "A token from POST /v1/auth/token.",
    }
    return "HTTPBearer"


def _tag_operations(document: Document, default: str) -> list[str]:
    """The tags of `document`'s operations, in order; an untagged one gets `default` (ReDoc
    shows no operation outside a tag group)."""
    tags: dict[str, None] = {}
    for item in document["paths"].values():
        for method, operation in item.items():
            if method in HTTP_METHODS:
                operation["tags"] = operation.get("tags") or [default]
                tags.update(dict.fromkeys(operation["tags"]))
    return list(tags)


def _problem(description: str) -> Document:
    return {
        "description": description,
        "content": {PROBLEM_JSON: {"schema": {"$ref": f"{COMPONENTS}schemas/Problem"}}},
    }


def _unique_operation_ids(document: Document) -> None:
    seen: set[str] = set()
    for item in document["paths"].values():
        for method, operation in item.items():
            if method not in HTTP_METHODS or "operationId" not in operation:
                continue
            base = candidate = str(operation["operationId"])
            count = 1
            while candidate in seen:
                count += 1
                candidate = f"{base}_{count}"
            operation["operationId"] = candidate
            seen.add(candidate)
