"""The audit trail keeps denied attempts (platform tables, version 2).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

from collections.abc import Sequence

from common.migrations import add_audit_outcome, drop_audit_outcome

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    add_audit_outcome()


def downgrade() -> None:
    drop_audit_outcome()
