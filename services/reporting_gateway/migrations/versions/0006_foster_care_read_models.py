"""foster_care read models: foster homes and their recruitment stages, requests and their
withdrawals, family group conferences, confirmed breaches, placements and their ends (the
fc.* KPIs and foster-home breaches in cap.breaches). Filled from foster_care's stream: a
first start after the upgrade marks them built and its consumer reads the stream from its
start.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _stamps(*, sequence: bool = True) -> list[sa.Column[Any]]:
    columns = [
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=False),
    ]
    if sequence:
        columns.append(sa.Column("source_sequence", sa.BigInteger(), nullable=False))
    return columns


def upgrade() -> None:
    op.create_table(
        "foster_care_home",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("region", sa.Text(), nullable=False),
        sa.Column("municipality_number", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("recruitment_source", sa.Text(), nullable=False),
        sa.Column("for_kinship", sa.Boolean(), nullable=False),
        sa.Column("inquiry_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("inquiry_on", sa.Date(), nullable=False),
        *_stamps(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_foster_care_home")),
    )
    op.create_index(
        op.f("ix_foster_care_home_inquiry_on"), "foster_care_home", ["inquiry_on"], unique=False
    )
    op.create_table(
        "foster_care_home_stage",
        sa.Column("foster_home_id", sa.Uuid(), nullable=False),
        sa.Column("source_sequence", sa.BigInteger(), nullable=False),
        sa.Column("region", sa.Text(), nullable=False),
        sa.Column("municipality_number", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("recruitment_source", sa.Text(), nullable=False),
        sa.Column("from_stage", sa.Text(), nullable=False),
        sa.Column("to_stage", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("entered_on", sa.Date(), nullable=False),
        sa.Column("training_programme", sa.Text(), nullable=True),
        sa.Column("withdrawal_reason", sa.Text(), nullable=True),
        *_stamps(sequence=False),
        sa.PrimaryKeyConstraint(
            "foster_home_id", "source_sequence", name=op.f("pk_foster_care_home_stage")
        ),
    )
    op.create_index(
        op.f("ix_foster_care_home_stage_entered_on"),
        "foster_care_home_stage",
        ["entered_on"],
        unique=False,
    )
    op.create_table(
        "foster_care_request",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("region", sa.Text(), nullable=False),
        sa.Column("municipality_number", sa.Text(), nullable=False),
        sa.Column("child_key", sa.Text(), nullable=False),
        sa.Column("age_years", sa.Integer(), nullable=False),
        sa.Column("desired_start_date", sa.Date(), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("requested_on", sa.Date(), nullable=False),
        *_stamps(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_foster_care_request")),
    )
    op.create_index(
        op.f("ix_foster_care_request_desired_start_date"),
        "foster_care_request",
        ["desired_start_date"],
        unique=False,
    )
    op.create_index(
        op.f("ix_foster_care_request_requested_on"),
        "foster_care_request",
        ["requested_on"],
        unique=False,
    )
    op.create_table(
        "foster_care_request_withdrawal",
        sa.Column("foster_home_request_id", sa.Uuid(), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("withdrawn_on", sa.Date(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        *_stamps(),
        sa.PrimaryKeyConstraint(
            "foster_home_request_id", name=op.f("pk_foster_care_request_withdrawal")
        ),
    )
    op.create_table(
        "foster_care_conference_version",
        sa.Column("conference_id", sa.Uuid(), nullable=False),
        sa.Column("source_sequence", sa.BigInteger(), nullable=False),
        sa.Column("foster_home_request_id", sa.Uuid(), nullable=False),
        sa.Column("region", sa.Text(), nullable=False),
        sa.Column("municipality_number", sa.Text(), nullable=False),
        sa.Column("child_key", sa.Text(), nullable=False),
        sa.Column("offered_on", sa.Date(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=True),
        sa.Column("aims_to_recruit_home", sa.Boolean(), nullable=False),
        *_stamps(sequence=False),
        sa.PrimaryKeyConstraint(
            "conference_id", "source_sequence", name=op.f("pk_foster_care_conference_version")
        ),
    )
    op.create_index(
        op.f("ix_foster_care_conference_version_child_key"),
        "foster_care_conference_version",
        ["child_key"],
        unique=False,
    )
    op.create_index(
        op.f("ix_foster_care_conference_version_foster_home_request_id"),
        "foster_care_conference_version",
        ["foster_home_request_id"],
        unique=False,
    )
    op.create_table(
        "foster_care_breach_confirmation",
        sa.Column("foster_home_request_id", sa.Uuid(), nullable=False),
        sa.Column("source_sequence", sa.BigInteger(), nullable=False),
        sa.Column("region", sa.Text(), nullable=False),
        sa.Column("municipality_number", sa.Text(), nullable=False),
        sa.Column("child_key", sa.Text(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=False),
        *_stamps(sequence=False),
        sa.PrimaryKeyConstraint(
            "foster_home_request_id",
            "source_sequence",
            name=op.f("pk_foster_care_breach_confirmation"),
        ),
    )
    op.create_table(
        "foster_care_placement",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("foster_home_request_id", sa.Uuid(), nullable=False),
        sa.Column("foster_home_id", sa.Uuid(), nullable=False),
        sa.Column("region", sa.Text(), nullable=False),
        sa.Column("municipality_number", sa.Text(), nullable=False),
        sa.Column("home_region", sa.Text(), nullable=False),
        sa.Column("home_municipality_number", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("child_key", sa.Text(), nullable=False),
        sa.Column("age_years", sa.Integer(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("far_from_home", sa.Boolean(), nullable=False),
        sa.Column("desired_start_date", sa.Date(), nullable=False),
        sa.Column("placement_number", sa.Integer(), nullable=False),
        *_stamps(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_foster_care_placement")),
    )
    op.create_index(
        op.f("ix_foster_care_placement_foster_home_request_id"),
        "foster_care_placement",
        ["foster_home_request_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_foster_care_placement_start_date"),
        "foster_care_placement",
        ["start_date"],
        unique=False,
    )
    op.create_table(
        "foster_care_placement_end",
        sa.Column("placement_id", sa.Uuid(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        *_stamps(),
        sa.PrimaryKeyConstraint("placement_id", name=op.f("pk_foster_care_placement_end")),
    )
    op.create_index(
        op.f("ix_foster_care_placement_end_end_date"),
        "foster_care_placement_end",
        ["end_date"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(
        op.f("ix_foster_care_placement_end_end_date"), table_name="foster_care_placement_end"
    )
    op.drop_table("foster_care_placement_end")
    op.drop_index(op.f("ix_foster_care_placement_start_date"), table_name="foster_care_placement")
    op.drop_index(
        op.f("ix_foster_care_placement_foster_home_request_id"),
        table_name="foster_care_placement",
    )
    op.drop_table("foster_care_placement")
    op.drop_table("foster_care_breach_confirmation")
    op.drop_index(
        op.f("ix_foster_care_conference_version_foster_home_request_id"),
        table_name="foster_care_conference_version",
    )
    op.drop_index(
        op.f("ix_foster_care_conference_version_child_key"),
        table_name="foster_care_conference_version",
    )
    op.drop_table("foster_care_conference_version")
    op.drop_table("foster_care_request_withdrawal")
    op.drop_index(op.f("ix_foster_care_request_requested_on"), table_name="foster_care_request")
    op.drop_index(
        op.f("ix_foster_care_request_desired_start_date"), table_name="foster_care_request"
    )
    op.drop_table("foster_care_request")
    op.drop_index(op.f("ix_foster_care_home_stage_entered_on"), table_name="foster_care_home_stage")
    op.drop_table("foster_care_home_stage")
    op.drop_index(op.f("ix_foster_care_home_inquiry_on"), table_name="foster_care_home")
    op.drop_table("foster_care_home")
