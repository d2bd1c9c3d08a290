"""ETag / If-Match for updates: a resource's ETag is its version number. A change of fields
(PATCH) must say which version it changes (`If-Match`, else 428) and a stale one is refused
(412), so concurrent edits never silently overwrite each other. A state transition (a POST
such as a discharge) may send If-Match too; without it the state machine guards it (a
second discharge is a 409)."""

from __future__ import annotations

from fastapi import Header

from common.errors import PreconditionFailed, PreconditionRequired

_DESCRIPTION = "The ETag you last read; the change is refused (412) if it is stale."


def etag_of(version: int) -> str:
    return f'"{version}"'


async def if_match_header(
    if_match: str | None = Header(
        None, alias="If-Match", max_length=200, description=_DESCRIPTION, examples=['"3"']
    ),
) -> str | None:
    return if_match


async def required_if_match(
    if_match: str | None = Header(
        None,
        alias="If-Match",
        max_length=200,
        description=_DESCRIPTION + " Required: without it the change is refused (428).",
        examples=['"3"'],
    ),
) -> str:
    if if_match is None:
        raise PreconditionRequired(
            "Send If-Match with the ETag you last read, so your change cannot overwrite "
            "one you have not seen."
        )
    return if_match


def check_if_match(if_match: str | None, current_version: int) -> None:
    if if_match is None:
        return
    candidates = {tag.strip().removeprefix("W/") for tag in if_match.split(",")}
    if "*" in candidates or etag_of(current_version) in candidates:
        return
    raise PreconditionFailed(
        f"If-Match {if_match} does not match the current ETag {etag_of(current_version)}; "
        "read the resource again and retry."
    )
