"""Alembic helpers shared by the services: the async `env.py` body, and the platform tables
(outbox with its NOTIFY trigger, inbox, dead_letter, idempotency_key, audit_event)."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import context, op
from sqlalchemy import MetaData, pool
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import async_engine_from_config

from common.db import asyncpg_url
from common.platform_tables import platform_metadata


def run_migrations(service_metadata: MetaData) -> None:
    """The whole of a service's `migrations/env.py`."""
    config = context.config
    url = config.get_main_option("sqlalchemy.url") or os.environ.get("DATABASE_URL")
    if not url:
        raise RuntimeError("set DATABASE_URL (or sqlalchemy.url) to migrate")
    target: Sequence[MetaData] = [service_metadata, platform_metadata]

    if context.is_offline_mode():
        context.configure(url=asyncpg_url(url), target_metadata=target, literal_binds=True)
        with context.begin_transaction():
            context.run_migrations()
        return

    def migrate(connection: Connection) -> None:
        context.configure(
            connection=connection,
            target_metadata=target,
            compare_type=True,
            transaction_per_migration=True,
        )
        with context.begin_transaction():
            context.run_migrations()

    async def run() -> None:
        engine = async_engine_from_config(
            {"sqlalchemy.url": asyncpg_url(url)}, prefix="sqlalchemy.", poolclass=pool.NullPool
        )
        async with engine.connect() as connection:
            await connection.run_sync(migrate)
        await engine.dispose()

    asyncio.run(run())


def _ts(name: str, *, nullable: bool = False, default_now: bool = False) -> sa.Column[Any]:
    return sa.Column(
        name,
        sa.DateTime(timezone=True),
        nullable=nullable,
        server_default=sa.func.now() if default_now else None,
    )


def create_platform_tables() -> None:
    """Version 1 of the platform tables; call from a service's first migration."""
    op.create_table(
        "outbox",
        sa.Column("id", sa.Uuid(), nullable=False, comment="The event id; also the Nats-Msg-Id."),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("payload", sa.LargeBinary(), nullable=False, comment="The CloudEvent, JSON."),
        sa.Column(
            "headers",
            postgresql.JSONB(),
            nullable=False,
            server_default=sa.text("'{}'::jsonb"),
            comment="Trace context carried to NATS.",
        ),
        _ts("created_at", default_now=True),
        _ts("sent_at", nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_outbox"),
    )
    op.create_index(
        "ix_outbox_unsent", "outbox", ["created_at"], postgresql_where=sa.text("sent_at IS NULL")
    )
    op.create_index(
        "ix_outbox_sent_at", "outbox", ["sent_at"], postgresql_where=sa.text("sent_at IS NOT NULL")
    )
    # One NOTIFY per inserting statement wakes the relay; it polls as well.
    op.execute("""
        CREATE FUNCTION outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN PERFORM pg_notify('outbox', ''); RETURN NULL; END $$
    """)
    op.execute("""
        CREATE TRIGGER outbox_notify AFTER INSERT ON outbox
        FOR EACH STATEMENT EXECUTE FUNCTION outbox_notify()
    """)

    op.create_table(
        "inbox",
        sa.Column("consumer", sa.Text(), nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("type", sa.Text(), nullable=False),
        sa.Column("stream", sa.Text(), nullable=False),
        sa.Column("stream_sequence", sa.BigInteger(), nullable=False),
        _ts("event_time"),
        sa.Column("trace_id", sa.Text(), nullable=True),
        _ts("applied_at", default_now=True),
        sa.PrimaryKeyConstraint("consumer", "event_id", name="pk_inbox"),
    )
    op.create_index("ix_inbox_stream_sequence", "inbox", ["stream", "stream_sequence"])

    op.create_table(
        "dead_letter",
        sa.Column("id", sa.BigInteger(), sa.Identity(), nullable=False),
        sa.Column("consumer", sa.Text(), nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=True),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("stream_sequence", sa.BigInteger(), nullable=True),
        sa.Column("payload", sa.LargeBinary(), nullable=False),
        sa.Column(
            "headers", postgresql.JSONB(), nullable=False, server_default=sa.text("'{}'::jsonb")
        ),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        _ts("dead_at", default_now=True),
        sa.PrimaryKeyConstraint("id", name="pk_dead_letter"),
    )

    op.create_table(
        "idempotency_key",
        sa.Column("client_id", sa.Text(), nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("request_hash", sa.LargeBinary(), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("response_headers", postgresql.JSONB(), nullable=True),
        sa.Column("response_body", sa.LargeBinary(), nullable=True),
        _ts("created_at", default_now=True),
        sa.PrimaryKeyConstraint("client_id", "key", name="pk_idempotency_key"),
    )
    op.create_index("ix_idempotency_key_created_at", "idempotency_key", ["created_at"])

    op.create_table(
        "audit_event",
        sa.Column("id", sa.Uuid(), nullable=False),
        _ts("at", default_now=True),
        sa.Column("client_id", sa.Text(), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False, comment="The token's `sub`: who."),
        sa.Column(
            "action", sa.Text(), nullable=False, comment="read, list, create, update, search"
        ),
        sa.Column("resource_type", sa.Text(), nullable=False),
        sa.Column("resource_id", sa.Text(), nullable=True),
        sa.Column("purpose", sa.Text(), nullable=True),
        sa.Column("trace_id", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_audit_event"),
    )
    op.create_index("ix_audit_event_resource", "audit_event", ["resource_type", "resource_id"])
    op.create_index("ix_audit_event_at", "audit_event", ["at"])


def add_audit_outcome() -> None:
    """Version 2 of the platform tables: the audit trail also keeps denied attempts."""
    op.add_column(
        "audit_event",
        sa.Column(
            "outcome",
            sa.Text(),
            nullable=False,
            server_default=sa.text("'granted'"),
            comment="granted, forbidden (403) or not_found (404)",
        ),
    )


def drop_audit_outcome() -> None:
    op.drop_column("audit_event", "outcome")


def add_audit_listed_records() -> None:
    """Version 3 of the platform tables: a list's answer is one audit entry naming every
    record it showed (fifty rows per page cost a page's answer two-thirds of its time)."""
    op.add_column(
        "audit_event",
        sa.Column(
            "resource_ids",
            postgresql.ARRAY(sa.Text()),
            nullable=True,
            comment="A list's answer: every record it showed, in one entry (who saw record X: "
            "resource_id = X or X = ANY(resource_ids))",
        ),
    )
    op.create_index(
        "ix_audit_event_resource_ids",
        "audit_event",
        ["resource_ids"],
        postgresql_using="gin",
        postgresql_where=sa.text("resource_ids IS NOT NULL"),
    )


def drop_audit_listed_records() -> None:
    op.drop_index("ix_audit_event_resource_ids", table_name="audit_event")
    op.drop_column("audit_event", "resource_ids")


def drop_platform_tables() -> None:
    for table in ("audit_event", "idempotency_key", "dead_letter", "inbox"):
        op.drop_table(table)
    op.execute("DROP TRIGGER IF EXISTS outbox_notify ON outbox")
    op.drop_table("outbox")
    op.execute("DROP FUNCTION IF EXISTS outbox_notify()")
