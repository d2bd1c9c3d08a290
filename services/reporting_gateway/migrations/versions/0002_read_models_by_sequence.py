"""Read models keep the stream sequence of the event that set each row (an older event never
overwrites a newer fact) and nothing that depends on when they were applied; capacity's
place contracts; the audit trail keeps denied attempts.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from common.migrations import add_audit_outcome, drop_audit_outcome

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    add_audit_outcome()
    # Rows applied before this revision are rebuilt by replay (make rebuild-reports); until
    # then any later event may overwrite them.
    op.add_column(
        "capacity_institution",
        sa.Column("source_sequence", sa.BigInteger(), server_default="0", nullable=False),
    )
    op.alter_column("capacity_institution", "source_sequence", server_default=None)
    op.drop_column("capacity_institution", "updated_at")
    op.create_table(
        "capacity_place_contract",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("institution_id", sa.Uuid(), nullable=False),
        sa.Column("region", sa.Text(), nullable=False),
        sa.Column("ownership", sa.Text(), nullable=False),
        sa.Column("function", sa.Text(), nullable=False),
        sa.Column("contract_type", sa.Text(), nullable=False),
        sa.Column("budgeted_places", sa.Integer(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("day_price_nok", sa.Numeric(10, 2), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_event_id", sa.Uuid(), nullable=False),
        sa.Column("source_sequence", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_capacity_place_contract"),
    )
    op.create_index(
        "ix_capacity_place_contract_institution_id", "capacity_place_contract", ["institution_id"]
    )
    op.create_index("ix_capacity_place_contract_region", "capacity_place_contract", ["region"])


def downgrade() -> None:
    op.drop_table("capacity_place_contract")
    op.add_column(
        "capacity_institution",
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
    )
    op.drop_column("capacity_institution", "source_sequence")
    drop_audit_outcome()
