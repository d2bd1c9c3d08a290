"""foster homes requests placements

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24
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
        "foster_home_request",
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
        sa.Column("age_years", sa.Integer(), nullable=False, comment="On the desired start date."),
        sa.Column("desired_start_date", sa.Date(), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("requested_on", sa.Date(), nullable=False, comment="requested_at's Oslo date."),
        sa.Column("needs", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("child_wishes_recorded", sa.Boolean(), nullable=False),
        sa.Column("child_wishes_recorded_on", sa.Date(), nullable=True),
        sa.Column("kinship_assessed", sa.Boolean(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "open",
                "proposed",
                "placed",
                "withdrawn",
                name="foster_home_request_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("placed_on", sa.Date(), nullable=True),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("withdrawn_on", sa.Date(), nullable=True),
        sa.Column(
            "withdrawal_reason",
            sa.Enum(
                "other_measure",
                "returned_home",
                "kinship_solution",
                "other",
                name="request_withdrawal_reason",
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
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_foster_home_request")),
    )
    op.create_index(
        op.f("ix_foster_home_request_municipality_number"),
        "foster_home_request",
        ["municipality_number"],
        unique=False,
    )
    op.create_index(
        "ix_foster_home_request_national_id_hash",
        "foster_home_request",
        ["national_id_hash"],
        unique=False,
        postgresql_where=sa.text("national_id_hash IS NOT NULL"),
    )
    op.create_index(
        op.f("ix_foster_home_request_status"), "foster_home_request", ["status"], unique=False
    )
    op.create_index(
        "ix_foster_home_request_waiting",
        "foster_home_request",
        ["region", "desired_start_date"],
        unique=False,
    )
    op.create_table(
        "breach_confirmation",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("foster_home_request_id", sa.Uuid(), nullable=False),
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
            ["foster_home_request_id"],
            ["foster_home_request.id"],
            name=op.f("fk_breach_confirmation_foster_home_request_id_foster_home_request"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_breach_confirmation")),
        sa.UniqueConstraint(
            "foster_home_request_id",
            "source",
            name=op.f("uq_breach_confirmation_foster_home_request_id_source"),
        ),
    )
    op.create_index(
        op.f("ix_breach_confirmation_foster_home_request_id"),
        "breach_confirmation",
        ["foster_home_request_id"],
        unique=False,
    )
    op.create_table(
        "child_conversation",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("foster_home_request_id", sa.Uuid(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column(
            "method",
            sa.Enum(
                "in_person",
                "video",
                "phone",
                name="conversation_method",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("view_recorded", sa.Boolean(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["foster_home_request_id"],
            ["foster_home_request.id"],
            name=op.f("fk_child_conversation_foster_home_request_id_foster_home_request"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_child_conversation")),
    )
    op.create_index(
        op.f("ix_child_conversation_foster_home_request_id"),
        "child_conversation",
        ["foster_home_request_id"],
        unique=False,
    )
    op.create_table(
        "family_group_conference",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("foster_home_request_id", sa.Uuid(), nullable=False),
        sa.Column("offered_on", sa.Date(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=True),
        sa.Column(
            "aims_to_recruit_home",
            sa.Boolean(),
            nullable=False,
            comment="Its aim was recruiting a foster home in the family's network.",
        ),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "held_on IS NULL OR held_on >= offered_on",
            name=op.f("ck_family_group_conference_held_after_offer"),
        ),
        sa.ForeignKeyConstraint(
            ["foster_home_request_id"],
            ["foster_home_request.id"],
            name=op.f("fk_family_group_conference_foster_home_request_id_foster_home_request"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_family_group_conference")),
    )
    op.create_index(
        op.f("ix_family_group_conference_foster_home_request_id"),
        "family_group_conference",
        ["foster_home_request_id"],
        unique=False,
    )
    op.create_table(
        "foster_home",
        sa.Column("id", sa.Uuid(), nullable=False),
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
            "kind",
            sa.Enum(
                "ordinary",
                "reinforced",
                "kinship",
                "emergency",
                "specialised",
                "family_home",
                name="foster_home_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "recruitment_source",
            sa.Enum(
                "campaign",
                "local_association",
                "child_network",
                "other",
                name="recruitment_source",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("kinship_request_id", sa.Uuid(), nullable=True),
        sa.Column(
            "stage",
            sa.Enum(
                "inquiry",
                "information_meeting",
                "pre_assessment",
                "training",
                "training_completed",
                "home_study",
                "approved",
                "withdrawn",
                name="stage",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("inquiry_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "training_programme",
            sa.Enum(
                "PRIDE",
                "SOLID",
                name="training_programme",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("training_completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "withdrawal_reason",
            sa.Enum(
                "family_withdrew",
                "assessed_unsuitable",
                "request_ended",
                "other",
                name="withdrawal_reason",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column(
            "places",
            sa.Integer(),
            server_default=sa.text("0"),
            nullable=False,
            comment="Children it can take; 0 until approved.",
        ),
        sa.Column(
            "suited_for",
            postgresql.ARRAY(sa.Text()),
            server_default=sa.text("'{}'"),
            nullable=False,
            comment="Needs it can meet.",
        ),
        sa.Column("paused_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "pause_reason",
            sa.Enum(
                "family_circumstances",
                "respite",
                "under_review",
                "other",
                name="pause_reason",
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
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "(kind = 'kinship') = (kinship_request_id IS NOT NULL)",
            name=op.f("ck_foster_home_kinship_has_request"),
        ),
        sa.CheckConstraint("places >= 0", name=op.f("ck_foster_home_places_not_negative")),
        sa.ForeignKeyConstraint(
            ["kinship_request_id"],
            ["foster_home_request.id"],
            name=op.f("fk_foster_home_kinship_request_id_foster_home_request"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_foster_home")),
    )
    op.create_index(
        op.f("ix_foster_home_kinship_request_id"),
        "foster_home",
        ["kinship_request_id"],
        unique=False,
    )
    op.create_index(
        "ix_foster_home_matchable",
        "foster_home",
        ["region"],
        unique=False,
        postgresql_where=sa.text("stage = 'approved' AND paused_at IS NULL AND places > 0"),
    )
    op.create_index(op.f("ix_foster_home_region"), "foster_home", ["region"], unique=False)
    op.create_index(op.f("ix_foster_home_stage"), "foster_home", ["stage"], unique=False)
    op.create_table(
        "waiting_reason",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("foster_home_request_id", sa.Uuid(), nullable=False),
        sa.Column(
            "reason",
            sa.Enum(
                "no_suitable_home",
                "recruited_home_withdrew",
                "municipality_declined",
                "other",
                name="waiting_reason",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("from_date", sa.Date(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["foster_home_request_id"],
            ["foster_home_request.id"],
            name=op.f("fk_waiting_reason_foster_home_request_id_foster_home_request"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_waiting_reason")),
    )
    op.create_index(
        "ix_waiting_reason_request",
        "waiting_reason",
        ["foster_home_request_id", "from_date"],
        unique=False,
    )
    op.create_table(
        "proposal",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("foster_home_request_id", sa.Uuid(), nullable=False),
        sa.Column("foster_home_id", sa.Uuid(), nullable=False),
        sa.Column("proposed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "accepted",
                "declined",
                name="proposal_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "decline_reason",
            sa.Enum(
                "no_suitable_match",
                "home_withdrew",
                "municipality_declined",
                "child_declined",
                "other",
                name="decline_reason",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["foster_home_id"],
            ["foster_home.id"],
            name=op.f("fk_proposal_foster_home_id_foster_home"),
        ),
        sa.ForeignKeyConstraint(
            ["foster_home_request_id"],
            ["foster_home_request.id"],
            name=op.f("fk_proposal_foster_home_request_id_foster_home_request"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proposal")),
    )
    op.create_index(
        op.f("ix_proposal_foster_home_id"), "proposal", ["foster_home_id"], unique=False
    )
    op.create_index(
        op.f("ix_proposal_foster_home_request_id"),
        "proposal",
        ["foster_home_request_id"],
        unique=False,
    )
    op.create_index(
        "uq_proposal_one_live",
        "proposal",
        ["foster_home_request_id"],
        unique=True,
        postgresql_where=sa.text("status = 'pending'"),
    )
    op.create_table(
        "stage_transition",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("foster_home_id", sa.Uuid(), nullable=False),
        sa.Column(
            "from_stage",
            sa.Enum(
                "inquiry",
                "information_meeting",
                "pre_assessment",
                "training",
                "training_completed",
                "home_study",
                "approved",
                "withdrawn",
                name="from_stage",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column(
            "to_stage",
            sa.Enum(
                "inquiry",
                "information_meeting",
                "pre_assessment",
                "training",
                "training_completed",
                "home_study",
                "approved",
                "withdrawn",
                name="stage",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "training_programme",
            sa.Enum(
                "PRIDE",
                "SOLID",
                name="training_programme",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column(
            "reason",
            sa.Enum(
                "family_withdrew",
                "assessed_unsuitable",
                "request_ended",
                "other",
                name="withdrawal_reason",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["foster_home_id"],
            ["foster_home.id"],
            name=op.f("fk_stage_transition_foster_home_id_foster_home"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stage_transition")),
    )
    op.create_index(
        op.f("ix_stage_transition_foster_home_id"),
        "stage_transition",
        ["foster_home_id"],
        unique=False,
    )
    op.create_table(
        "foster_placement",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("foster_home_request_id", sa.Uuid(), nullable=False),
        sa.Column("foster_home_id", sa.Uuid(), nullable=False),
        sa.Column("proposal_id", sa.Uuid(), nullable=False),
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
            "home_region",
            sa.Enum(
                "ost",
                "sor",
                "vest",
                "midt",
                "nord",
                name="home_region",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("home_municipality_number", sa.Text(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "ordinary",
                "reinforced",
                "kinship",
                "emergency",
                "specialised",
                "family_home",
                name="foster_home_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("child_key", sa.Text(), nullable=False),
        sa.Column("age_years", sa.Integer(), nullable=False, comment="On the start date."),
        sa.Column(
            "far_from_home",
            sa.Boolean(),
            nullable=False,
            comment="The home lies outside the placing municipality's region.",
        ),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column(
            "end_reason",
            sa.Enum(
                "planned",
                "breakdown",
                "moved",
                "other",
                name="placement_end_reason",
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
            "end_date IS NULL OR end_date >= start_date",
            name=op.f("ck_foster_placement_end_after_start"),
        ),
        sa.ForeignKeyConstraint(
            ["foster_home_id"],
            ["foster_home.id"],
            name=op.f("fk_foster_placement_foster_home_id_foster_home"),
        ),
        sa.ForeignKeyConstraint(
            ["foster_home_request_id"],
            ["foster_home_request.id"],
            name=op.f("fk_foster_placement_foster_home_request_id_foster_home_request"),
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"], ["proposal.id"], name=op.f("fk_foster_placement_proposal_id_proposal")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_foster_placement")),
    )
    op.create_index(
        op.f("ix_foster_placement_child_key"), "foster_placement", ["child_key"], unique=False
    )
    op.create_index(
        "ix_foster_placement_current",
        "foster_placement",
        ["foster_home_id"],
        unique=False,
        postgresql_where=sa.text("end_date IS NULL"),
    )
    op.create_index(
        op.f("ix_foster_placement_foster_home_id"),
        "foster_placement",
        ["foster_home_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_foster_placement_municipality_number"),
        "foster_placement",
        ["municipality_number"],
        unique=False,
    )
    op.create_index(
        op.f("ix_foster_placement_region"), "foster_placement", ["region"], unique=False
    )
    op.create_index(
        "uq_foster_placement_request", "foster_placement", ["foster_home_request_id"], unique=True
    )


def downgrade() -> None:
    op.drop_index("uq_foster_placement_request", table_name="foster_placement")
    op.drop_index(op.f("ix_foster_placement_region"), table_name="foster_placement")
    op.drop_index(op.f("ix_foster_placement_municipality_number"), table_name="foster_placement")
    op.drop_index(op.f("ix_foster_placement_foster_home_id"), table_name="foster_placement")
    op.drop_index(
        "ix_foster_placement_current",
        table_name="foster_placement",
        postgresql_where=sa.text("end_date IS NULL"),
    )
    op.drop_index(op.f("ix_foster_placement_child_key"), table_name="foster_placement")
    op.drop_table("foster_placement")
    op.drop_index(op.f("ix_stage_transition_foster_home_id"), table_name="stage_transition")
    op.drop_table("stage_transition")
    op.drop_index(
        "uq_proposal_one_live",
        table_name="proposal",
        postgresql_where=sa.text("status = 'pending'"),
    )
    op.drop_index(op.f("ix_proposal_foster_home_request_id"), table_name="proposal")
    op.drop_index(op.f("ix_proposal_foster_home_id"), table_name="proposal")
    op.drop_table("proposal")
    op.drop_index("ix_waiting_reason_request", table_name="waiting_reason")
    op.drop_table("waiting_reason")
    op.drop_index(op.f("ix_foster_home_stage"), table_name="foster_home")
    op.drop_index(op.f("ix_foster_home_region"), table_name="foster_home")
    op.drop_index(
        "ix_foster_home_matchable",
        table_name="foster_home",
        postgresql_where=sa.text("stage = 'approved' AND paused_at IS NULL AND places > 0"),
    )
    op.drop_index(op.f("ix_foster_home_kinship_request_id"), table_name="foster_home")
    op.drop_table("foster_home")
    op.drop_index(
        op.f("ix_family_group_conference_foster_home_request_id"),
        table_name="family_group_conference",
    )
    op.drop_table("family_group_conference")
    op.drop_index(
        op.f("ix_child_conversation_foster_home_request_id"), table_name="child_conversation"
    )
    op.drop_table("child_conversation")
    op.drop_index(
        op.f("ix_breach_confirmation_foster_home_request_id"), table_name="breach_confirmation"
    )
    op.drop_table("breach_confirmation")
    op.drop_index("ix_foster_home_request_waiting", table_name="foster_home_request")
    op.drop_index(op.f("ix_foster_home_request_status"), table_name="foster_home_request")
    op.drop_index(
        "ix_foster_home_request_national_id_hash",
        table_name="foster_home_request",
        postgresql_where=sa.text("national_id_hash IS NOT NULL"),
    )
    op.drop_index(
        op.f("ix_foster_home_request_municipality_number"), table_name="foster_home_request"
    )
    op.drop_table("foster_home_request")
