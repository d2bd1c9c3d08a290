"""Hand-written SQL for the driver connection: numbered parameters and rows as models."""

from __future__ import annotations

import enum
import uuid

import pytest
from sqlalchemy import Enum, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from common.db import columns_of, from_row, new_metadata, numbered


class Colour(enum.StrEnum):
    red = "red"
    blue = "blue"


class Base(DeclarativeBase):
    metadata = new_metadata()


class Thing(Base):
    __tablename__ = "thing"
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    colour: Mapped[Colour | None] = mapped_column(Enum(Colour, native_enum=False))
    note: Mapped[str] = mapped_column(Text)


def test_named_parameters_become_numbered_in_the_order_given():
    sql = numbered(
        "SELECT :b::text, x FROM t WHERE a = :a AND b = :b AND c::date = :ab", "a", "b", "ab"
    )
    assert sql == "SELECT $2::text, x FROM t WHERE a = $1 AND b = $2 AND c::date = $3"


def test_a_parameter_left_unnamed_is_an_error_not_a_silent_literal():
    with pytest.raises(ValueError, match="forgotten"):
        numbered("SELECT 1 WHERE a = :a AND b = :forgotten", "a")


def test_columns_are_listed_never_star():
    assert columns_of(Thing) == '"id", "colour", "note"'


def test_a_row_becomes_a_detached_model_with_its_enums_converted():
    key = uuid.uuid4()
    thing = from_row(Thing, {"id": key, "colour": "blue", "note": "n"})
    assert thing.colour is Colour.blue
    assert (thing.id, thing.note) == (key, "n")
    assert from_row(Thing, {"id": key, "colour": None, "note": "n"}).colour is None
