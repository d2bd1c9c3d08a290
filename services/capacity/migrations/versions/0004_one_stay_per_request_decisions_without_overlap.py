"""A placement request is admitted once; a stay's single-child decisions do not overlap; the
audit trail keeps denied attempts (platform tables, version 2).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from common.migrations import add_audit_outcome, drop_audit_outcome

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    add_audit_outcome()
    op.drop_index("ix_stay_placement_request_id", table_name="stay")
    op.create_index(
        "uq_stay_placement_request_id",
        "stay",
        ["placement_request_id"],
        unique=True,
        postgresql_where=sa.text("placement_request_id IS NOT NULL"),
    )
    op.execute("""
        ALTER TABLE single_child_decision ADD CONSTRAINT single_child_decision_no_overlap
        EXCLUDE USING gist (stay_id WITH =, daterange(decided_on, valid_until, '[]') WITH &&)
    """)


def downgrade() -> None:
    op.drop_constraint("single_child_decision_no_overlap", "single_child_decision")
    op.drop_index(
        "uq_stay_placement_request_id",
        table_name="stay",
        postgresql_where=sa.text("placement_request_id IS NOT NULL"),
    )
    op.create_index("ix_stay_placement_request_id", "stay", ["placement_request_id"])
    drop_audit_outcome()
