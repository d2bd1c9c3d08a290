"""family_counselling read models: offices, case episodes (opened and reopened), appointment
outcomes and closings (the fv.* KPIs). Filled from family_counselling's stream: a first
start after the upgrade marks them built and its consumer reads the stream from its start.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _stamps() -> list[sa.Column[Any]]:
    return [
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("source_sequence", sa.BigInteger(), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "family_counselling_office",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("region", sa.Text(), nullable=False),
        sa.Column("municipality_number", sa.Text(), nullable=False),
        sa.Column("ownership", sa.Text(), nullable=False),
        *_stamps(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_family_counselling_office")),
    )
    op.create_table(
        "family_counselling_episode",
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("episode", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Uuid(), nullable=False),
        sa.Column("region", sa.Text(), nullable=False),
        sa.Column("municipality_number", sa.Text(), nullable=False),
        sa.Column("case_type", sa.Text(), nullable=False),
        sa.Column("referral_received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("referral_on", sa.Date(), nullable=False),
        sa.Column("reopened_at", sa.DateTime(timezone=True), nullable=True),
        *_stamps(),
        sa.PrimaryKeyConstraint("case_id", "episode", name=op.f("pk_family_counselling_episode")),
    )
    op.create_index(
        op.f("ix_family_counselling_episode_referral_on"),
        "family_counselling_episode",
        ["referral_on"],
        unique=False,
    )
    op.create_table(
        "family_counselling_outcome",
        sa.Column("appointment_id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("office_id", sa.Uuid(), nullable=False),
        sa.Column("region", sa.Text(), nullable=False),
        sa.Column("case_type", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("scheduled_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("scheduled_on", sa.Date(), nullable=False),
        sa.Column("outcome", sa.Text(), nullable=False),
        sa.Column("outcome_recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("referral_received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("first_attended", sa.Boolean(), nullable=False),
        *_stamps(),
        sa.PrimaryKeyConstraint("appointment_id", name=op.f("pk_family_counselling_outcome")),
    )
    op.create_index(
        "ix_family_counselling_outcome_case_referral",
        "family_counselling_outcome",
        ["case_id", "referral_received_at"],
        unique=False,
    )
    op.create_index(
        op.f("ix_family_counselling_outcome_scheduled_on"),
        "family_counselling_outcome",
        ["scheduled_on"],
        unique=False,
    )
    op.create_table(
        "family_counselling_closure",
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("referral_received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("office_id", sa.Uuid(), nullable=False),
        sa.Column("region", sa.Text(), nullable=False),
        sa.Column("municipality_number", sa.Text(), nullable=False),
        sa.Column("case_type", sa.Text(), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_on", sa.Date(), nullable=False),
        sa.Column("track", sa.Text(), nullable=True),
        sa.Column("violence_registered", sa.Boolean(), nullable=False),
        sa.Column("agreement_reached", sa.Boolean(), nullable=True),
        sa.Column("child_heard", sa.Text(), nullable=True),
        sa.Column("concern_report_sent", sa.Boolean(), nullable=False),
        sa.Column("has_child_over_7", sa.Boolean(), nullable=False),
        *_stamps(),
        sa.PrimaryKeyConstraint(
            "case_id", "referral_received_at", name=op.f("pk_family_counselling_closure")
        ),
    )
    op.create_index(
        op.f("ix_family_counselling_closure_closed_on"),
        "family_counselling_closure",
        ["closed_on"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(
        op.f("ix_family_counselling_closure_closed_on"), table_name="family_counselling_closure"
    )
    op.drop_table("family_counselling_closure")
    op.drop_index(
        op.f("ix_family_counselling_outcome_scheduled_on"), table_name="family_counselling_outcome"
    )
    op.drop_index(
        "ix_family_counselling_outcome_case_referral", table_name="family_counselling_outcome"
    )
    op.drop_table("family_counselling_outcome")
    op.drop_index(
        op.f("ix_family_counselling_episode_referral_on"), table_name="family_counselling_episode"
    )
    op.drop_table("family_counselling_episode")
    op.drop_table("family_counselling_office")
