"""The unit of work against a real PostgreSQL: a constraint marked as a conflict answers 409
wherever the database notices it (the one-statement write, a flush, the commit), and a
repository's entity is written with the unit, defaults filled in, or not at all."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any
from uuid import UUID

import httpx
import pytest
from fastapi import APIRouter, Depends
from pydantic import BaseModel
from sqlalchemy import DateTime, Integer, Text, UniqueConstraint, func, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from common import clock
from common.app import create_service_app
from common.db import CONFLICT, conflict_details, create_engine, new_metadata
from common.errors import Conflict
from common.ids import new_id
from common.platform_tables import platform_metadata
from common.repository import Repository
from common.routing import UnitOfWorkRoute, get_uow
from common.settings import ServiceSettings
from common.uow import UnitOfWork
from devstack.databases import database_url, drop_database, ensure_database
from devstack.testing import running

DUPLICATE = "A note with this title exists already."


class Base(DeclarativeBase):
    metadata = new_metadata()


class Note(Base):
    __tablename__ = "note"
    __table_args__ = (UniqueConstraint("title", info={CONFLICT: DUPLICATE}),)

    id: Mapped[UUID] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=clock.now, server_default=func.now()
    )


class NoteRepository(Repository[Note]):
    model = Note


class NoteIn(BaseModel):
    title: str


router = APIRouter(route_class=UnitOfWorkRoute)


@router.post("/notes", status_code=201)
async def create_note(body: NoteIn, uow: UnitOfWork = Depends(get_uow)) -> dict[str, Any]:
    """Nothing read first: the note, its audit entry, one statement at commit."""
    note = NoteRepository(uow).add(Note(id=new_id(), title=body.title))
    uow.audit("create", "note", note.id)
    return {"id": str(note.id), "version": note.version, "created_at": note.created_at}


@router.post("/notes/{note_id}/copies", status_code=201)
async def copy_note(note_id: UUID, uow: UnitOfWork = Depends(get_uow)) -> dict[str, Any]:
    """A read first: the copy is written in the session's transaction, at commit."""
    original = await NoteRepository(uow).get(note_id, for_update=True)
    assert original is not None
    copy = NoteRepository(uow).add(Note(id=new_id(), title=original.title))
    return {"id": str(copy.id)}


@pytest.fixture(scope="module")
async def database(database_server) -> AsyncIterator[str]:
    name = f"uow_{uuid.uuid4().hex[:10]}"
    await ensure_database(database_server, name)
    url = database_url(database_server, name)
    engine = create_engine(url)
    async with engine.begin() as connection:
        await connection.run_sync(platform_metadata.create_all)
        await connection.run_sync(Base.metadata.create_all)
    await engine.dispose()
    yield url
    await drop_database(database_server, name)


@pytest.fixture(scope="module")
async def notes(database, nats_url) -> AsyncIterator[httpx.AsyncClient]:
    settings = ServiceSettings(
        service_name="notes",
        database_url=database,
        nats_url=nats_url,
        environment="test",
        log_level="WARNING",
    )
    app = create_service_app(
        settings,
        title="notes",
        description="A test service.",
        routers=[router],
        metadata=Base.metadata,
    )
    async with running(app) as client:
        client.app = app  # type: ignore[attr-defined]
        yield client


def test_the_conflicts_are_read_off_the_constraints():
    assert conflict_details(Base.metadata) == {"uq_note_title": DUPLICATE}


async def test_a_conflict_noticed_by_the_one_statement_write_is_a_409(notes, database):
    created = await notes.post("/notes", json={"title": "first"})
    assert created.status_code == 201, created.text
    assert created.json()["version"] == 1  # defaults filled in before the write
    again = await notes.post("/notes", json={"title": "first"})
    assert again.status_code == 409
    assert again.headers["content-type"] == "application/problem+json"
    assert again.json()["detail"] == DUPLICATE
    rows = await _fetch(database, "SELECT count(*) AS n FROM note WHERE title = 'first'")
    assert rows[0]["n"] == 1
    audit = await _fetch(database, "SELECT count(*) AS n FROM audit_event")
    assert audit[0]["n"] == 1  # the failed write left no audit entry behind


async def test_a_conflict_noticed_at_commit_is_a_409(notes):
    created = (await notes.post("/notes", json={"title": "second"})).json()
    copied = await notes.post(f"/notes/{created['id']}/copies")
    assert copied.status_code == 409, copied.text
    assert copied.json()["detail"] == DUPLICATE


async def test_an_entity_alone_is_written_in_one_statement(notes):
    platform = notes.app.state.platform  # type: ignore[attr-defined]
    async with platform.unit_of_work() as uow:
        NoteRepository(uow).add(Note(id=new_id(), title="third"))
        await uow.commit()
        assert uow._session is None  # no session, no transaction: one INSERT statement
    async with platform.unit_of_work() as uow:
        NoteRepository(uow).add(Note(id=new_id(), title="third"))
        with pytest.raises(Conflict):
            await uow.commit()
    async with platform.unit_of_work(read_only=True) as uow:
        titles = (await uow.session.scalars(select(Note.title))).all()
    assert sorted(titles).count("third") == 1


async def _fetch(url: str, query: str) -> list[Any]:
    from devstack.testing import fetch

    return await fetch(url, query)
