"""Tables every service database has: outbox, inbox, dead letters, idempotency keys and the
audit trail. Alembic migrations create them through `common.migrations`."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Identity,
    Index,
    Integer,
    LargeBinary,
    PrimaryKeyConstraint,
    Table,
    Text,
    Uuid,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

from common.db import new_metadata

platform_metadata = new_metadata()

outbox = Table(
    "outbox",
    platform_metadata,
    Column("id", Uuid, primary_key=True, comment="The event id; also the Nats-Msg-Id."),
    Column("subject", Text, nullable=False),
    Column("payload", LargeBinary, nullable=False, comment="The CloudEvent, JSON."),
    Column(
        "headers",
        JSONB,
        nullable=False,
        server_default=text("'{}'::jsonb"),
        comment="Trace context carried to NATS.",
    ),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("sent_at", DateTime(timezone=True)),
    Index("ix_outbox_unsent", "created_at", postgresql_where=text("sent_at IS NULL")),
    Index("ix_outbox_sent_at", "sent_at", postgresql_where=text("sent_at IS NOT NULL")),
)

inbox = Table(
    "inbox",
    platform_metadata,
    Column("consumer", Text, nullable=False),
    Column("event_id", Uuid, nullable=False),
    Column("type", Text, nullable=False),
    Column("stream", Text, nullable=False),
    Column("stream_sequence", BigInteger, nullable=False),
    Column("event_time", DateTime(timezone=True), nullable=False),
    Column("trace_id", Text),
    Column("applied_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    PrimaryKeyConstraint("consumer", "event_id"),
    Index("ix_inbox_stream_sequence", "stream", "stream_sequence"),
)

dead_letter = Table(
    "dead_letter",
    platform_metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("consumer", Text, nullable=False),
    Column("event_id", Uuid),
    Column("subject", Text, nullable=False),
    Column("stream_sequence", BigInteger),
    Column("payload", LargeBinary, nullable=False),
    Column("headers", JSONB, nullable=False, server_default=text("'{}'::jsonb")),
    Column("error", Text, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("dead_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

idempotency_key = Table(
    "idempotency_key",
    platform_metadata,
    Column("client_id", Text, nullable=False),
    Column("key", Text, nullable=False),
    Column("request_hash", LargeBinary, nullable=False),
    Column("status_code", Integer),
    Column("response_headers", JSONB),
    Column("response_body", LargeBinary),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    PrimaryKeyConstraint("client_id", "key"),
    Index("ix_idempotency_key_created_at", "created_at"),
)

audit_event = Table(
    "audit_event",
    platform_metadata,
    Column("id", Uuid, primary_key=True),
    Column("at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("client_id", Text, nullable=False),
    Column("subject", Text, nullable=False, comment="The token's `sub`: who."),
    Column("action", Text, nullable=False, comment="read, list, create, update, search"),
    Column(
        "outcome",
        Text,
        nullable=False,
        server_default=text("'granted'"),
        comment="granted, forbidden (403) or not_found (404)",
    ),
    Column("resource_type", Text, nullable=False),
    Column("resource_id", Text),
    Column("purpose", Text),
    Column("trace_id", Text),
    Column(
        "resource_ids",
        ARRAY(Text),
        comment="A list's answer: every record it showed, in one entry (who saw record X: "
        "resource_id = X or X = ANY(resource_ids))",
    ),
    Index("ix_audit_event_resource", "resource_type", "resource_id"),
    Index("ix_audit_event_at", "at"),
    # Partial: only a list's entries have them, and a GIN index keeps an entry for a null.
    Index(
        "ix_audit_event_resource_ids",
        "resource_ids",
        postgresql_using="gin",
        postgresql_where=text("resource_ids IS NOT NULL"),
    ),
)
