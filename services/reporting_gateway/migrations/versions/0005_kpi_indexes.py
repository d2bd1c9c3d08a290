"""Indexes the KPI queries read by: a region's stays by admission, a region's events by
the time they were recorded (the newest first, for `data_as_of`).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_capacity_stay_region_admitted_on",
        "capacity_stay",
        ["region", "admitted_on"],
        unique=False,
    )
    op.create_index(
        "ix_recorded_event_region_recorded_at",
        "recorded_event",
        ["region", "recorded_at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_recorded_event_region_recorded_at", table_name="recorded_event")
    op.drop_index("ix_capacity_stay_region_admitted_on", table_name="capacity_stay")
