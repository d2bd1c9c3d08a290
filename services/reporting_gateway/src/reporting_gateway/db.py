"""The reporting_gateway database's declarative base."""

from common.db import new_metadata
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    metadata = new_metadata()
