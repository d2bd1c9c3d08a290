"""kpi read models

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 08:24:02.477485
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "capacity_breach",
        sa.Column("placement_request_id", sa.Uuid(), nullable=False),
        sa.Column("deadline_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("breached_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("cause", sa.Text(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("source_sequence", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("placement_request_id", name=op.f("pk_capacity_breach")),
    )
    op.create_table(
        "capacity_breach_confirmation",
        sa.Column("placement_request_id", sa.Uuid(), nullable=False),
        sa.Column("source_sequence", sa.BigInteger(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint(
            "placement_request_id", "source_sequence", name=op.f("pk_capacity_breach_confirmation")
        ),
    )
    op.create_table(
        "capacity_offer",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("placement_request_id", sa.Uuid(), nullable=False),
        sa.Column("institution_id", sa.Uuid(), nullable=False),
        sa.Column("institution_region", sa.Text(), nullable=False),
        sa.Column("contract_type", sa.Text(), nullable=False),
        sa.Column("ownership", sa.Text(), nullable=False),
        sa.Column("rung", sa.Integer(), nullable=False),
        sa.Column("justified", sa.Boolean(), nullable=False),
        sa.Column("offered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("source_sequence", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_capacity_offer")),
    )
    op.create_index(
        op.f("ix_capacity_offer_placement_request_id"),
        "capacity_offer",
        ["placement_request_id"],
        unique=False,
    )
    op.create_table(
        "capacity_offer_decision",
        sa.Column("offer_id", sa.Uuid(), nullable=False),
        sa.Column("placement_request_id", sa.Uuid(), nullable=False),
        sa.Column("decision", sa.Text(), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("source_sequence", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("offer_id", name=op.f("pk_capacity_offer_decision")),
    )
    op.create_index(
        op.f("ix_capacity_offer_decision_placement_request_id"),
        "capacity_offer_decision",
        ["placement_request_id"],
        unique=False,
    )
    op.create_table(
        "capacity_place_contract_version",
        sa.Column("contract_id", sa.Uuid(), nullable=False),
        sa.Column("source_sequence", sa.BigInteger(), nullable=False),
        sa.Column("institution_id", sa.Uuid(), nullable=False),
        sa.Column("region", sa.Text(), nullable=False),
        sa.Column("ownership", sa.Text(), nullable=False),
        sa.Column("function", sa.Text(), nullable=False),
        sa.Column("contract_type", sa.Text(), nullable=False),
        sa.Column("budgeted_places", sa.Integer(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("day_price_nok", sa.Numeric(precision=10, scale=2), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint(
            "contract_id", "source_sequence", name=op.f("pk_capacity_place_contract_version")
        ),
    )
    op.create_index(
        op.f("ix_capacity_place_contract_version_institution_id"),
        "capacity_place_contract_version",
        ["institution_id"],
        unique=False,
    )
    op.create_index(
        "ix_capacity_place_contract_version_valid",
        "capacity_place_contract_version",
        ["valid_from", "valid_to"],
        unique=False,
    )
    op.create_table(
        "capacity_placement_request",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("region", sa.Text(), nullable=False),
        sa.Column("municipality_number", sa.Text(), nullable=False),
        sa.Column("urgency", sa.Text(), nullable=False),
        sa.Column("function", sa.Text(), nullable=False),
        sa.Column("child_key", sa.Text(), nullable=False),
        sa.Column("age_years", sa.Integer(), nullable=False),
        sa.Column("need_concluded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("desired_start_date", sa.Date(), nullable=False),
        sa.Column("deadline_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("duty_to_assist", sa.Boolean(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("source_sequence", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_capacity_placement_request")),
    )
    op.create_index(
        op.f("ix_capacity_placement_request_deadline_at"),
        "capacity_placement_request",
        ["deadline_at"],
        unique=False,
    )
    op.create_index(
        op.f("ix_capacity_placement_request_need_concluded_at"),
        "capacity_placement_request",
        ["need_concluded_at"],
        unique=False,
    )
    op.create_table(
        "capacity_placement_request_closure",
        sa.Column("placement_request_id", sa.Uuid(), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("source_sequence", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(
            "placement_request_id", name=op.f("pk_capacity_placement_request_closure")
        ),
    )
    op.create_table(
        "capacity_single_child_decision_version",
        sa.Column("decision_id", sa.Uuid(), nullable=False),
        sa.Column("source_sequence", sa.BigInteger(), nullable=False),
        sa.Column("stay_id", sa.Uuid(), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=False),
        sa.Column("next_review_on", sa.Date(), nullable=False),
        sa.Column("reviewed_on", sa.Date(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint(
            "decision_id", "source_sequence", name=op.f("pk_capacity_single_child_decision_version")
        ),
    )
    op.create_index(
        op.f("ix_capacity_single_child_decision_version_stay_id"),
        "capacity_single_child_decision_version",
        ["stay_id"],
        unique=False,
    )
    op.create_table(
        "capacity_stay",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("institution_id", sa.Uuid(), nullable=False),
        sa.Column("region", sa.Text(), nullable=False),
        sa.Column("municipality_number", sa.Text(), nullable=False),
        sa.Column("placement_request_id", sa.Uuid(), nullable=True),
        sa.Column("child_key", sa.Text(), nullable=False),
        sa.Column("age_years", sa.Integer(), nullable=False),
        sa.Column("function", sa.Text(), nullable=False),
        sa.Column("contract_type", sa.Text(), nullable=False),
        sa.Column("ownership", sa.Text(), nullable=False),
        sa.Column("admitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("admitted_on", sa.Date(), nullable=False),
        sa.Column("lives_alone", sa.Boolean(), nullable=False),
        sa.Column("day_price_nok", sa.Numeric(precision=10, scale=2), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("source_sequence", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_capacity_stay")),
    )
    op.create_index("ix_capacity_stay_admitted_on", "capacity_stay", ["admitted_on"], unique=False)
    op.create_index(
        op.f("ix_capacity_stay_institution_id"), "capacity_stay", ["institution_id"], unique=False
    )
    op.create_table(
        "capacity_stay_discharge",
        sa.Column("stay_id", sa.Uuid(), nullable=False),
        sa.Column("discharged_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("discharged_on", sa.Date(), nullable=False),
        sa.Column("end_reason", sa.Text(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("source_sequence", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("stay_id", name=op.f("pk_capacity_stay_discharge")),
    )
    op.create_index(
        op.f("ix_capacity_stay_discharge_discharged_on"),
        "capacity_stay_discharge",
        ["discharged_on"],
        unique=False,
    )
    op.create_table(
        "day_price_budget",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("region", sa.Text(), nullable=False),
        sa.Column("day_price_nok", sa.Numeric(precision=10, scale=2), nullable=False),
        sa.Column(
            "recorded_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("recorded_by", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_day_price_budget")),
    )
    op.create_index(
        "ix_day_price_budget_year_region",
        "day_price_budget",
        ["year", "region", "recorded_at"],
        unique=False,
    )
    op.create_table(
        "deviation",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("kpi", sa.Text(), nullable=False),
        sa.Column("period", sa.Text(), nullable=False),
        sa.Column("region", sa.Text(), nullable=False),
        sa.Column("category", sa.Text(), nullable=True),
        sa.Column("justification", sa.Text(), nullable=False),
        sa.Column("measures", sa.Text(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deviation")),
    )
    op.create_index(
        "ix_deviation_kpi_period_region", "deviation", ["kpi", "period", "region"], unique=False
    )
    op.create_table(
        "recorded_event",
        sa.Column("stream", sa.Text(), nullable=False),
        sa.Column("source_sequence", sa.BigInteger(), nullable=False),
        sa.Column("type", sa.Text(), nullable=False),
        sa.Column("region", sa.Text(), nullable=True),
        sa.Column("first_day", sa.Date(), nullable=True),
        sa.Column("last_day", sa.Date(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("stream", "source_sequence", name=op.f("pk_recorded_event")),
    )
    op.create_index(
        "ix_recorded_event_recorded_at", "recorded_event", ["recorded_at"], unique=False
    )
    op.create_table(
        "report_submission",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("period", sa.Text(), nullable=False),
        sa.Column("region", sa.Text(), nullable=True),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("submitted_by", sa.Text(), nullable=False),
        sa.Column("report", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_submission")),
    )
    op.create_index(
        "ix_report_submission_kind_period",
        "report_submission",
        ["kind", "period", "region"],
        unique=False,
    )
    op.execute(
        "INSERT INTO capacity_place_contract_version (contract_id, source_sequence, "
        "institution_id, region, ownership, function, contract_type, budgeted_places, "
        "valid_from, valid_to, day_price_nok, recorded_at, event_id) SELECT id, "
        "source_sequence, institution_id, region, ownership, function, contract_type, "
        "budgeted_places, valid_from, valid_to, day_price_nok, changed_at, last_event_id "
        "FROM capacity_place_contract"
    )
    op.drop_index(
        op.f("ix_capacity_place_contract_institution_id"), table_name="capacity_place_contract"
    )
    op.drop_index(op.f("ix_capacity_place_contract_region"), table_name="capacity_place_contract")
    op.drop_table("capacity_place_contract")
    op.alter_column("capacity_institution", "registered_at", new_column_name="recorded_at")
    op.alter_column("capacity_institution", "last_event_id", new_column_name="event_id")


def downgrade() -> None:
    op.alter_column("capacity_institution", "recorded_at", new_column_name="registered_at")
    op.alter_column("capacity_institution", "event_id", new_column_name="last_event_id")
    op.create_table(
        "capacity_place_contract",
        sa.Column("id", sa.UUID(), autoincrement=False, nullable=False),
        sa.Column("institution_id", sa.UUID(), autoincrement=False, nullable=False),
        sa.Column("region", sa.TEXT(), autoincrement=False, nullable=False),
        sa.Column("ownership", sa.TEXT(), autoincrement=False, nullable=False),
        sa.Column("function", sa.TEXT(), autoincrement=False, nullable=False),
        sa.Column("contract_type", sa.TEXT(), autoincrement=False, nullable=False),
        sa.Column("budgeted_places", sa.INTEGER(), autoincrement=False, nullable=False),
        sa.Column("valid_from", sa.DATE(), autoincrement=False, nullable=False),
        sa.Column("valid_to", sa.DATE(), autoincrement=False, nullable=True),
        sa.Column(
            "day_price_nok", sa.NUMERIC(precision=10, scale=2), autoincrement=False, nullable=False
        ),
        sa.Column(
            "changed_at", postgresql.TIMESTAMP(timezone=True), autoincrement=False, nullable=False
        ),
        sa.Column("last_event_id", sa.UUID(), autoincrement=False, nullable=False),
        sa.Column("source_sequence", sa.BIGINT(), autoincrement=False, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_capacity_place_contract")),
    )
    op.create_index(
        op.f("ix_capacity_place_contract_region"),
        "capacity_place_contract",
        ["region"],
        unique=False,
    )
    op.create_index(
        op.f("ix_capacity_place_contract_institution_id"),
        "capacity_place_contract",
        ["institution_id"],
        unique=False,
    )
    op.execute(
        "INSERT INTO capacity_place_contract (id, institution_id, region, ownership, function, "
        "contract_type, budgeted_places, valid_from, valid_to, day_price_nok, changed_at, "
        "last_event_id, source_sequence) SELECT DISTINCT ON (contract_id) contract_id, "
        "institution_id, region, ownership, function, contract_type, budgeted_places, "
        "valid_from, valid_to, day_price_nok, recorded_at, event_id, source_sequence "
        "FROM capacity_place_contract_version ORDER BY contract_id, source_sequence DESC"
    )
    op.drop_index("ix_report_submission_kind_period", table_name="report_submission")
    op.drop_table("report_submission")
    op.drop_index("ix_recorded_event_recorded_at", table_name="recorded_event")
    op.drop_table("recorded_event")
    op.drop_index("ix_deviation_kpi_period_region", table_name="deviation")
    op.drop_table("deviation")
    op.drop_index("ix_day_price_budget_year_region", table_name="day_price_budget")
    op.drop_table("day_price_budget")
    op.drop_index(
        op.f("ix_capacity_stay_discharge_discharged_on"), table_name="capacity_stay_discharge"
    )
    op.drop_table("capacity_stay_discharge")
    op.drop_index(op.f("ix_capacity_stay_institution_id"), table_name="capacity_stay")
    op.drop_index("ix_capacity_stay_admitted_on", table_name="capacity_stay")
    op.drop_table("capacity_stay")
    op.drop_index(
        op.f("ix_capacity_single_child_decision_version_stay_id"),
        table_name="capacity_single_child_decision_version",
    )
    op.drop_table("capacity_single_child_decision_version")
    op.drop_table("capacity_placement_request_closure")
    op.drop_index(
        op.f("ix_capacity_placement_request_need_concluded_at"),
        table_name="capacity_placement_request",
    )
    op.drop_index(
        op.f("ix_capacity_placement_request_deadline_at"), table_name="capacity_placement_request"
    )
    op.drop_table("capacity_placement_request")
    op.drop_index(
        "ix_capacity_place_contract_version_valid", table_name="capacity_place_contract_version"
    )
    op.drop_index(
        op.f("ix_capacity_place_contract_version_institution_id"),
        table_name="capacity_place_contract_version",
    )
    op.drop_table("capacity_place_contract_version")
    op.drop_index(
        op.f("ix_capacity_offer_decision_placement_request_id"),
        table_name="capacity_offer_decision",
    )
    op.drop_table("capacity_offer_decision")
    op.drop_index(op.f("ix_capacity_offer_placement_request_id"), table_name="capacity_offer")
    op.drop_table("capacity_offer")
    op.drop_table("capacity_breach_confirmation")
    op.drop_table("capacity_breach")
