"""How current the read models are: per stream read, the last event applied and how far
behind it is."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field
from sqlalchemy import text

from common.auth import Principal, require_scopes
from common.errors import problem_responses
from common.routing import UnitOfWorkRoute, get_uow
from common.schemas import Instant
from common.uow import UnitOfWork
from reporting_gateway.projections import PROJECTIONS

log = logging.getLogger(__name__)

router = APIRouter(
    prefix="/v1/freshness",
    tags=["freshness"],
    route_class=UnitOfWorkRoute,
    responses=problem_responses(401, 403),
)


class StreamFreshness(BaseModel):
    stream: str
    last_applied_sequence: int | None
    last_event_time: Instant | None = Field(description="When the newest applied event happened.")
    last_applied_at: Instant | None
    stream_last_sequence: int | None = Field(description="Null when NATS cannot be asked now.")
    behind: int | None = Field(description="Events in the stream not yet applied.")


class Freshness(BaseModel):
    items: list[StreamFreshness]


_LAST_APPLIED = text("""
    SELECT stream_sequence, event_time, applied_at FROM inbox
     WHERE stream = :stream ORDER BY stream_sequence DESC LIMIT 1
""")


@router.get("", summary="How far behind each stream the read models are")
async def freshness(
    request: Request,
    _principal: Principal = Depends(require_scopes("reports.read")),
    uow: UnitOfWork = Depends(get_uow),
) -> Freshness:
    platform = request.app.state.platform
    messaging = platform.messaging
    items = []
    for projection in PROJECTIONS:
        spec = projection.stream.namespaced(platform.settings.nats_namespace)
        row = (await uow.session.execute(_LAST_APPLIED, {"stream": spec.name})).first()
        stream_last: int | None = None
        if messaging.is_connected:
            try:
                info = await (await messaging.jetstream()).stream_info(spec.name)
                stream_last = info.state.last_seq
            except Exception as exc:  # a stream nobody has published to yet
                log.debug("stream_info %s: %s", spec.name, exc)
                stream_last = 0
        applied = row.stream_sequence if row else None
        items.append(
            StreamFreshness(
                stream=spec.name,
                last_applied_sequence=applied,
                last_event_time=row.event_time if row else None,
                last_applied_at=row.applied_at if row else None,
                stream_last_sequence=stream_last,
                behind=None if stream_last is None else max(stream_last - (applied or 0), 0),
            )
        )
    return Freshness(items=items)
