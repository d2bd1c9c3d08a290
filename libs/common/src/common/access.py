"""Access to child-level records: decided and audited in one place, granted or denied.

A record belongs to a municipality and so to a region. A token limited to another one is
answered 403 (it is told it may not, not whether anything is there), an unknown id 404; both
are written to the audit trail (its `outcome`) although the request changes nothing, so the
trail shows who tried to see what they may not. A granted access is written with the
request's change.
"""

from __future__ import annotations

from typing import NoReturn, Protocol, TypeVar
from uuid import UUID

from common.auth import Principal, ensure_may_see_record, scoped_filters
from common.errors import Forbidden, NotFound
from common.reference import Region
from common.uow import UnitOfWork


class ChildRecord(Protocol):
    @property
    def region(self) -> Region: ...

    @property
    def municipality_number(self) -> str: ...


R = TypeVar("R", bound=ChildRecord)


def check_access(
    uow: UnitOfWork,
    principal: Principal,
    record: R | None,
    *,
    resource_type: str,
    resource_id: UUID,
    action: str,
    purpose: str | None = None,
    what: str | None = None,
) -> R:
    """The record, if the caller may see it (audited); else 404 or 403 (audited as denied)."""
    what = what or resource_type.replace("_", " ")
    if record is None:
        not_found(uow, f"No {what} {resource_id}.", resource_type, resource_id, action, purpose)
    try:
        ensure_may_see_record(
            principal,
            region=record.region,
            municipality_number=record.municipality_number,
            what=what,
        )
    except Forbidden:
        uow.audit(action, resource_type, resource_id, purpose, outcome="forbidden")
        raise
    uow.audit(action, resource_type, resource_id, purpose)
    return record


def not_found(
    uow: UnitOfWork,
    detail: str,
    resource_type: str,
    resource_id: UUID,
    action: str,
    purpose: str | None = None,
) -> NoReturn:
    """404 for something asked for on a child-level record, audited as `not_found`."""
    uow.audit(action, resource_type, resource_id, purpose, outcome="not_found")
    raise NotFound(detail)


def scope_list(
    uow: UnitOfWork,
    principal: Principal,
    region: Region | None,
    municipality_number: str | None,
    *,
    resource_type: str,
    what: str,
) -> tuple[Region | None, str | None]:
    """A list's region and municipality filters narrowed to the token; asking for another
    region's or municipality's records is 403, audited as denied."""
    try:
        return scoped_filters(principal, region, municipality_number, what)
    except Forbidden:
        uow.audit("list", resource_type, None, outcome="forbidden")
        raise
