"""The capacity database's declarative base and column helpers."""

from enum import Enum as PyEnum

from sqlalchemy import Enum
from sqlalchemy.orm import DeclarativeBase

from common.db import new_metadata


class Base(DeclarativeBase):
    metadata = new_metadata()


def enum_column(enum: type[PyEnum], name: str) -> Enum:
    """Enums are stored as text with a CHECK, so adding a value is a plain migration."""
    return Enum(
        enum,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda members: [member.value for member in members],
    )
