"""ETag / If-Match for updates: a resource's ETag is its version number; an update with a
stale `If-Match` is refused with 412 so concurrent edits never silently overwrite."""

from __future__ import annotations

from fastapi import Header

from common.errors import PreconditionFailed


def etag_of(version: int) -> str:
    return f'"{version}"'


async def if_match_header(
    if_match: str | None = Header(
        None,
        alias="If-Match",
        max_length=200,
        description="The ETag you last read; the change is refused (412) if it is stale.",
        examples=['"3"'],
    ),
) -> str | None:
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
