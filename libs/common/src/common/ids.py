"""Server-chosen ids: UUIDv7, so ids sort by creation time (keyset pagination, index locality)."""

from uuid import UUID

import uuid_utils.compat


def new_id() -> UUID:
    return uuid_utils.compat.uuid7()
