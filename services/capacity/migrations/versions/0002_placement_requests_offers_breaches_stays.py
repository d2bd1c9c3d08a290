"""placement requests, offers, breaches, stays

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "placement_request",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("municipality_number", sa.Text(), nullable=False),
        sa.Column(
            "region",
            sa.Enum(
                "ost",
                "sor",
                "vest",
                "midt",
                "nord",
                name="region",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("child_ref", sa.Text(), nullable=False, comment="The municipality's pseudonym."),
        sa.Column(
            "child_key", sa.Text(), nullable=False, comment="Keyed hash; the id events carry."
        ),
        sa.Column("birth_date", sa.Date(), nullable=False),
        sa.Column("national_id_encrypted", sa.LargeBinary(), nullable=True),
        sa.Column("national_id_hash", sa.LargeBinary(), nullable=True),
        sa.Column(
            "urgency",
            sa.Enum(
                "acute",
                "planned",
                name="urgency",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "function",
            sa.Enum(
                "acute",
                "care",
                "treatment_low_risk",
                "treatment_high_risk",
                "substance_use",
                "parent_child_centre",
                "ema_care_centre",
                name="institution_function",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("need_concluded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("desired_start_date", sa.Date(), nullable=False),
        sa.Column("child_views_recorded", sa.Boolean(), nullable=False),
        sa.Column("age_years", sa.Integer(), nullable=False, comment="On the desired start date."),
        sa.Column("deadline_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "open",
                "offered",
                "accepted",
                "breached",
                "closed",
                name="placement_request_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("breached_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "breach_cause",
            sa.Enum(
                "no_offer_by_deadline",
                "offer_declined_after_deadline",
                name="breach_cause",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("close_reason", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_placement_request")),
    )
    op.create_index(
        op.f("ix_placement_request_municipality_number"),
        "placement_request",
        ["municipality_number"],
        unique=False,
    )
    op.create_index(
        "ix_placement_request_national_id_hash",
        "placement_request",
        ["national_id_hash"],
        unique=False,
        postgresql_where=sa.text("national_id_hash IS NOT NULL"),
    )
    op.create_index(
        "ix_placement_request_open_deadline",
        "placement_request",
        ["deadline_at"],
        unique=False,
        postgresql_where=sa.text("status = 'open' AND deadline_at IS NOT NULL"),
    )
    op.create_index(
        op.f("ix_placement_request_region"), "placement_request", ["region"], unique=False
    )
    op.create_index(
        op.f("ix_placement_request_status"), "placement_request", ["status"], unique=False
    )
    op.create_table(
        "breach_confirmation",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("placement_request_id", sa.Uuid(), nullable=False),
        sa.Column(
            "source",
            sa.Enum(
                "county_governor",
                "self_assessed",
                name="breach_source",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["placement_request_id"],
            ["placement_request.id"],
            name=op.f("fk_breach_confirmation_placement_request_id_placement_request"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_breach_confirmation")),
        sa.UniqueConstraint(
            "placement_request_id",
            "source",
            name=op.f("uq_breach_confirmation_placement_request_id_source"),
        ),
    )
    op.create_index(
        op.f("ix_breach_confirmation_placement_request_id"),
        "breach_confirmation",
        ["placement_request_id"],
        unique=False,
    )
    op.create_table(
        "offer",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("placement_request_id", sa.Uuid(), nullable=False),
        sa.Column("institution_id", sa.Uuid(), nullable=False),
        sa.Column(
            "function",
            sa.Enum(
                "acute",
                "care",
                "treatment_low_risk",
                "treatment_high_risk",
                "substance_use",
                "parent_child_centre",
                "ema_care_centre",
                name="institution_function",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "contract_type",
            sa.Enum(
                "state",
                "purchase_guarantee",
                "framework",
                "single_purchase",
                name="contract_type",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "ownership",
            sa.Enum(
                "state",
                "ideal",
                "commercial",
                "municipal",
                name="ownership",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("rung", sa.Integer(), nullable=False),
        sa.Column("best_available_rung", sa.Integer(), nullable=True),
        sa.Column("justification", sa.Text(), nullable=True),
        sa.Column("offered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("within_deadline", sa.Boolean(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "accepted",
                "declined",
                name="offer_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_reason", sa.Text(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["institution_id"], ["institution.id"], name=op.f("fk_offer_institution_id_institution")
        ),
        sa.ForeignKeyConstraint(
            ["placement_request_id"],
            ["placement_request.id"],
            name=op.f("fk_offer_placement_request_id_placement_request"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_offer")),
    )
    op.create_index(
        op.f("ix_offer_placement_request_id"), "offer", ["placement_request_id"], unique=False
    )
    op.create_index(
        "uq_offer_one_pending",
        "offer",
        ["placement_request_id"],
        unique=True,
        postgresql_where=sa.text("status = 'pending'"),
    )
    op.create_table(
        "stay",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("institution_id", sa.Uuid(), nullable=False),
        sa.Column(
            "region",
            sa.Enum(
                "ost",
                "sor",
                "vest",
                "midt",
                "nord",
                name="region",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
            comment="The institution's region.",
        ),
        sa.Column("municipality_number", sa.Text(), nullable=False),
        sa.Column("placement_request_id", sa.Uuid(), nullable=True),
        sa.Column("child_ref", sa.Text(), nullable=False),
        sa.Column("child_key", sa.Text(), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=False),
        sa.Column("national_id_encrypted", sa.LargeBinary(), nullable=True),
        sa.Column("national_id_hash", sa.LargeBinary(), nullable=True),
        sa.Column(
            "function",
            sa.Enum(
                "acute",
                "care",
                "treatment_low_risk",
                "treatment_high_risk",
                "substance_use",
                "parent_child_centre",
                "ema_care_centre",
                name="institution_function",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "contract_type",
            sa.Enum(
                "state",
                "purchase_guarantee",
                "framework",
                "single_purchase",
                name="contract_type",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "ownership",
            sa.Enum(
                "state",
                "ideal",
                "commercial",
                "municipal",
                name="ownership",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("admitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("admitted_on", sa.Date(), nullable=False),
        sa.Column("age_at_admission", sa.Integer(), nullable=False),
        sa.Column("lives_alone", sa.Boolean(), nullable=False),
        sa.Column("day_price_nok", sa.Numeric(precision=10, scale=2), nullable=False),
        sa.Column("discharged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("discharged_on", sa.Date(), nullable=True),
        sa.Column(
            "end_reason",
            sa.Enum(
                "planned",
                "unintended",
                "moved",
                "other",
                name="end_reason",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "discharged_at IS NULL OR discharged_at >= admitted_at",
            name=op.f("ck_stay_discharge_after_admission"),
        ),
        sa.ForeignKeyConstraint(
            ["institution_id"], ["institution.id"], name=op.f("fk_stay_institution_id_institution")
        ),
        sa.ForeignKeyConstraint(
            ["placement_request_id"],
            ["placement_request.id"],
            name=op.f("fk_stay_placement_request_id_placement_request"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stay")),
    )
    op.create_index(
        op.f("ix_stay_municipality_number"), "stay", ["municipality_number"], unique=False
    )
    op.create_index(
        "ix_stay_occupancy",
        "stay",
        ["function", "institution_id", "contract_type", "admitted_on"],
        unique=False,
    )
    op.create_index(
        "ix_stay_open",
        "stay",
        ["institution_id"],
        unique=False,
        postgresql_where=sa.text("discharged_at IS NULL"),
    )
    op.create_index(
        op.f("ix_stay_placement_request_id"), "stay", ["placement_request_id"], unique=False
    )
    op.create_index(op.f("ix_stay_region"), "stay", ["region"], unique=False)
    op.create_table(
        "single_child_decision",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("stay_id", sa.Uuid(), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("justification", sa.Text(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=False, comment="The time horizon."),
        sa.Column("next_review_on", sa.Date(), nullable=False),
        sa.Column("last_reviewed_on", sa.Date(), nullable=True),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "valid_until >= decided_on", name=op.f("ck_single_child_decision_valid_after_decision")
        ),
        sa.ForeignKeyConstraint(
            ["stay_id"], ["stay.id"], name=op.f("fk_single_child_decision_stay_id_stay")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_single_child_decision")),
    )
    op.create_index(
        op.f("ix_single_child_decision_stay_id"), "single_child_decision", ["stay_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_single_child_decision_stay_id"), table_name="single_child_decision")
    op.drop_table("single_child_decision")
    op.drop_index(op.f("ix_stay_region"), table_name="stay")
    op.drop_index(op.f("ix_stay_placement_request_id"), table_name="stay")
    op.drop_index(
        "ix_stay_open", table_name="stay", postgresql_where=sa.text("discharged_at IS NULL")
    )
    op.drop_index("ix_stay_occupancy", table_name="stay")
    op.drop_index(op.f("ix_stay_municipality_number"), table_name="stay")
    op.drop_table("stay")
    op.drop_index(
        "uq_offer_one_pending", table_name="offer", postgresql_where=sa.text("status = 'pending'")
    )
    op.drop_index(op.f("ix_offer_placement_request_id"), table_name="offer")
    op.drop_table("offer")
    op.drop_index(
        op.f("ix_breach_confirmation_placement_request_id"), table_name="breach_confirmation"
    )
    op.drop_table("breach_confirmation")
    op.drop_index(op.f("ix_placement_request_status"), table_name="placement_request")
    op.drop_index(op.f("ix_placement_request_region"), table_name="placement_request")
    op.drop_index(
        "ix_placement_request_open_deadline",
        table_name="placement_request",
        postgresql_where=sa.text("status = 'open' AND deadline_at IS NOT NULL"),
    )
    op.drop_index(
        "ix_placement_request_national_id_hash",
        table_name="placement_request",
        postgresql_where=sa.text("national_id_hash IS NOT NULL"),
    )
    op.drop_index(op.f("ix_placement_request_municipality_number"), table_name="placement_request")
    op.drop_table("placement_request")
