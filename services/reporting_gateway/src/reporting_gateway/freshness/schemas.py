from __future__ import annotations

from pydantic import Field

from common.schemas import Instant, Output


class StreamFreshness(Output):
    stream: str
    last_applied_sequence: int | None
    last_event_time: Instant | None = Field(description="When the newest applied event happened.")
    last_applied_at: Instant | None
    stream_last_sequence: int | None = Field(description="Null when NATS cannot be asked now.")
    behind: int | None = Field(description="Events in the stream not yet applied.")


class Freshness(Output):
    items: list[StreamFreshness]
