"""offices cases appointments certificates

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "office",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
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
        sa.Column("municipality_number", sa.Text(), nullable=False),
        sa.Column(
            "ownership",
            sa.Enum(
                "state",
                "church",
                name="office_ownership",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "therapist_hours_per_week",
            sa.Integer(),
            nullable=False,
            comment="Opening capacity: what waiting is read against.",
        ),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "therapist_hours_per_week >= 0", name=op.f("ck_office_hours_not_negative")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_office")),
    )
    op.create_index(op.f("ix_office_region"), "office", ["region"], unique=False)
    op.create_table(
        "counselling_case",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("office_id", sa.Uuid(), nullable=False),
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
        sa.Column("municipality_number", sa.Text(), nullable=False, comment="The office's."),
        sa.Column(
            "case_type",
            sa.Enum(
                "clinical",
                "mediation",
                "supervised_contact",
                "court_case",
                name="case_type",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "mediation_reason",
            sa.Enum(
                "separation",
                "court",
                "voluntary",
                name="mediation_reason",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column(
            "children",
            postgresql.JSONB(astext_type=sa.Text()),
            nullable=False,
            comment="[{age, lives_at_home}]: ages in years only.",
        ),
        sa.Column("referral_received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "track",
            sa.Enum(
                "A",
                "B",
                "C",
                "C!",
                name="track",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("violence_between_adults", sa.Boolean(), nullable=False),
        sa.Column("violence_towards_children", sa.Boolean(), nullable=False),
        sa.Column("separate_mediation", sa.Boolean(), nullable=False),
        sa.Column("one_parent_absent", sa.Boolean(), nullable=False),
        sa.Column(
            "priority_group",
            sa.Integer(),
            nullable=False,
            comment="1: mandatory mediation or children living at home; else 2.",
        ),
        sa.Column(
            "severity",
            sa.Integer(),
            nullable=False,
            comment="Conflict track and violence: higher goes first within a group.",
        ),
        sa.Column(
            "status",
            sa.Enum(
                "open",
                "closed",
                name="case_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("first_attended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "first_mediation_on",
            sa.Date(),
            nullable=True,
            comment="The first attended mediation session (the certificate runs from it).",
        ),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("violence_registered", sa.Boolean(), nullable=True),
        sa.Column("agreement_reached", sa.Boolean(), nullable=True),
        sa.Column(
            "child_heard",
            sa.Enum(
                "heard",
                "not_heard",
                "not_applicable",
                name="child_heard",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("concern_report_sent", sa.Boolean(), nullable=True),
        sa.Column(
            "episode",
            sa.Integer(),
            server_default=sa.text("1"),
            nullable=False,
            comment="1 + times reopened.",
        ),
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
        sa.ForeignKeyConstraint(
            ["office_id"], ["office.id"], name=op.f("fk_counselling_case_office_id_office")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_counselling_case")),
    )
    op.create_index(
        op.f("ix_counselling_case_office_id"), "counselling_case", ["office_id"], unique=False
    )
    op.create_index(
        "ix_counselling_case_queue",
        "counselling_case",
        ["office_id", "priority_group", sa.literal_column("severity DESC"), "referral_received_at"],
        unique=False,
        postgresql_where=sa.text("status = 'open' AND first_attended_at IS NULL"),
    )
    op.create_index(
        op.f("ix_counselling_case_region"), "counselling_case", ["region"], unique=False
    )
    op.create_index(
        op.f("ix_counselling_case_status"), "counselling_case", ["status"], unique=False
    )
    op.create_table(
        "mediation_certificate",
        sa.Column("number", sa.Text(), nullable=False, comment="Random: not guessable."),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("first_mediation_on", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["counselling_case.id"],
            name=op.f("fk_mediation_certificate_case_id_counselling_case"),
        ),
        sa.PrimaryKeyConstraint("number", name=op.f("pk_mediation_certificate")),
    )
    op.create_index(
        "uq_mediation_certificate_case", "mediation_certificate", ["case_id"], unique=True
    )
    op.create_table(
        "mediation_slot",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("office_id", sa.Uuid(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("booked_case_id", sa.Uuid(), nullable=True),
        sa.Column("booked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["booked_case_id"],
            ["counselling_case.id"],
            name=op.f("fk_mediation_slot_booked_case_id_counselling_case"),
        ),
        sa.ForeignKeyConstraint(
            ["office_id"], ["office.id"], name=op.f("fk_mediation_slot_office_id_office")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mediation_slot")),
    )
    op.create_index(
        "ix_mediation_slot_free",
        "mediation_slot",
        ["office_id", "starts_at"],
        unique=False,
        postgresql_where=sa.text("booked_case_id IS NULL"),
    )
    op.create_index(
        op.f("ix_mediation_slot_office_id"), "mediation_slot", ["office_id"], unique=False
    )
    op.create_table(
        "appointment",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("office_id", sa.Uuid(), nullable=False),
        sa.Column("slot_id", sa.Uuid(), nullable=True),
        sa.Column("scheduled_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "intake",
                "mediation",
                "therapy",
                "child_conversation",
                "supervised_contact",
                name="appointment_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "outcome",
            sa.Enum(
                "attended",
                "no_show",
                "rescheduled_by_client",
                "rescheduled_by_office",
                name="outcome",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("outcome_recorded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["counselling_case.id"],
            name=op.f("fk_appointment_case_id_counselling_case"),
        ),
        sa.ForeignKeyConstraint(
            ["office_id"], ["office.id"], name=op.f("fk_appointment_office_id_office")
        ),
        sa.ForeignKeyConstraint(
            ["slot_id"], ["mediation_slot.id"], name=op.f("fk_appointment_slot_id_mediation_slot")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appointment")),
    )
    op.create_index(op.f("ix_appointment_case_id"), "appointment", ["case_id"], unique=False)
    op.create_index(
        "uq_appointment_slot",
        "appointment",
        ["slot_id"],
        unique=True,
        postgresql_where=sa.text(
            "slot_id IS NOT NULL AND (outcome IS NULL OR outcome IN ('attended', 'no_show'))"
        ),
    )


def downgrade() -> None:
    op.drop_index(
        "uq_appointment_slot",
        table_name="appointment",
        postgresql_where=sa.text(
            "slot_id IS NOT NULL AND (outcome IS NULL OR outcome IN ('attended', 'no_show'))"
        ),
    )
    op.drop_index(op.f("ix_appointment_case_id"), table_name="appointment")
    op.drop_table("appointment")
    op.drop_index(op.f("ix_mediation_slot_office_id"), table_name="mediation_slot")
    op.drop_index(
        "ix_mediation_slot_free",
        table_name="mediation_slot",
        postgresql_where=sa.text("booked_case_id IS NULL"),
    )
    op.drop_table("mediation_slot")
    op.drop_index("uq_mediation_certificate_case", table_name="mediation_certificate")
    op.drop_table("mediation_certificate")
    op.drop_index(op.f("ix_counselling_case_status"), table_name="counselling_case")
    op.drop_index(op.f("ix_counselling_case_region"), table_name="counselling_case")
    op.drop_index(
        "ix_counselling_case_queue",
        table_name="counselling_case",
        postgresql_where=sa.text("status = 'open' AND first_attended_at IS NULL"),
    )
    op.drop_index(op.f("ix_counselling_case_office_id"), table_name="counselling_case")
    op.drop_table("counselling_case")
    op.drop_index(op.f("ix_office_region"), table_name="office")
    op.drop_table("office")
