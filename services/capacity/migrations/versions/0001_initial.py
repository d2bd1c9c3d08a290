"""Platform tables; institutions and place contracts.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from common.migrations import create_platform_tables, drop_platform_tables

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

REGIONS = ("ost", "sor", "vest", "midt", "nord")
OWNERSHIP = ("state", "ideal", "commercial", "municipal")
FUNCTIONS = (
    "acute",
    "care",
    "treatment_low_risk",
    "treatment_high_risk",
    "substance_use",
    "parent_child_centre",
    "ema_care_centre",
)
CONTRACT_TYPES = ("state", "purchase_guarantee", "framework", "single_purchase")


def enum(name: str, values: tuple[str, ...]) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=32)


def upgrade() -> None:
    create_platform_tables()
    op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    op.create_table(
        "institution",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("region", enum("region", REGIONS), nullable=False),
        sa.Column("municipality_number", sa.Text(), nullable=False),
        sa.Column("ownership", enum("ownership", OWNERSHIP), nullable=False),
        sa.Column("functions", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.PrimaryKeyConstraint("id", name="pk_institution"),
    )
    op.create_index("ix_institution_region", "institution", ["region"])
    op.create_table(
        "place_contract",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("institution_id", sa.Uuid(), nullable=False),
        sa.Column("function", enum("institution_function", FUNCTIONS), nullable=False),
        sa.Column("contract_type", enum("contract_type", CONTRACT_TYPES), nullable=False),
        sa.Column("budgeted_places", sa.Integer(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("day_price_nok", sa.Numeric(10, 2), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.CheckConstraint(
            "budgeted_places >= 0", name="ck_place_contract_budgeted_places_not_negative"
        ),
        sa.CheckConstraint(
            "valid_to IS NULL OR valid_to >= valid_from", name="ck_place_contract_valid_period"
        ),
        sa.CheckConstraint("day_price_nok >= 0", name="ck_place_contract_day_price_not_negative"),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["institution.id"],
            name="fk_place_contract_institution_id_institution",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_place_contract"),
        postgresql.ExcludeConstraint(
            ("institution_id", "="),
            ("function", "="),
            ("contract_type", "="),
            (sa.text("daterange(valid_from, valid_to, '[]')"), "&&"),
            name="place_contract_no_overlap",
            using="gist",
        ),
    )
    op.create_index("ix_place_contract_institution_id", "place_contract", ["institution_id"])


def downgrade() -> None:
    op.drop_table("place_contract")
    op.drop_table("institution")
    drop_platform_tables()
