"""How current the read models are: per stream read, the last event applied and how far
behind the stream it is."""

from __future__ import annotations

import logging

from common.messaging import Messaging
from common.projection import Projection
from common.uow import UnitOfWork
from reporting_gateway.freshness.repository import InboxRepository
from reporting_gateway.freshness.schemas import Freshness, StreamFreshness

log = logging.getLogger(__name__)


async def get_freshness(
    uow: UnitOfWork, messaging: Messaging, projections: tuple[Projection, ...], namespace: str
) -> Freshness:
    items = []
    for projection in projections:
        stream = projection.stream.namespaced(namespace).name
        applied = await InboxRepository(uow).get_last_applied(stream)
        stream_last: int | None = None
        if messaging.is_connected:
            try:
                info = await (await messaging.jetstream()).stream_info(stream)
                stream_last = info.state.last_seq
            except Exception as exc:  # a stream nobody has published to yet
                log.debug("stream_info %s: %s", stream, exc)
                stream_last = 0
        last = applied.stream_sequence if applied else None
        items.append(
            StreamFreshness(
                stream=stream,
                last_applied_sequence=last,
                last_event_time=applied.event_time if applied else None,
                last_applied_at=applied.applied_at if applied else None,
                stream_last_sequence=stream_last,
                behind=None if stream_last is None else max(stream_last - (last or 0), 0),
            )
        )
    return Freshness(items=items)
