"""Core statements compiled once for the driver: parameters by name, values converted both
ways by the columns' own types (as SQLAlchemy would), against a real PostgreSQL."""

from __future__ import annotations

import enum
import uuid

import pytest
from sqlalchemy import Enum, Text, bindparam, select
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from common.db import DriverStatement, create_engine, driver_connection, enum_column, new_metadata


class Colour(enum.StrEnum):
    red = "red"
    blue = "blue"


class Base(DeclarativeBase):
    metadata = new_metadata()


class Thing(Base):
    __tablename__ = "thing"
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    colour: Mapped[Colour | None] = mapped_column(enum_column(Colour, "colour"))
    note: Mapped[str] = mapped_column(Text)


def test_parameters_are_named_and_each_is_given_once():
    table = Thing.__table__
    statement = DriverStatement(
        select(table.c.id).where(
            table.c.note == bindparam("note"),
            table.c.colour == bindparam("colour", type_=table.c.colour.type),
            table.c.note != bindparam("note"),
        )
    )
    assert statement.sql.count("$1") == 2
    assert "$3" not in statement.sql
    assert statement.arguments({"note": "n", "colour": Colour.blue}) == ["n", "blue"]
    with pytest.raises(TypeError, match="colour"):
        statement.arguments({"note": "n"})


def test_an_expanding_in_list_is_refused_not_sent_half_compiled():
    with pytest.raises(ValueError, match="in_"):
        DriverStatement(select(Thing.id).where(Thing.note.in_(["a", "b"])))


def test_constants_of_the_statement_travel_with_it():
    statement = DriverStatement(select(Thing.id).where(Thing.colour == Colour.red))
    assert statement.arguments({}) == ["red"]


async def test_rows_come_back_converted_by_the_column_types(database_server):
    engine = create_engine(database_server)
    try:
        async with driver_connection(engine) as connection:  # as the unit of work has it
            record = await connection.fetchrow(
                "SELECT $1::uuid AS id, 'blue'::text AS colour, NULL::text AS note, "
                "'{\"a\": 1}'::jsonb AS data",
                uuid.uuid4(),
            )
    finally:
        await engine.dispose()
    data = JSONB()
    statement = DriverStatement(
        select(Thing.id, Thing.colour, Thing.note, bindparam("data", type_=data).label("data"))
    )
    values = statement.values(record)
    assert values["colour"] is Colour.blue
    assert values["note"] is None
    assert values["data"] == {"a": 1}
    assert set(values) == {"id", "colour", "note", "data"}


def test_enum_columns_are_text_with_a_check():
    column = Thing.__table__.c.colour
    assert isinstance(column.type, Enum)
    assert column.type.native_enum is False
