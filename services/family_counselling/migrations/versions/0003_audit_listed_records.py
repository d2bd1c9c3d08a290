"""A list's answer is one audit entry naming every record it showed (platform tables,
version 3).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24
"""

from collections.abc import Sequence

from common.migrations import add_audit_listed_records, drop_audit_listed_records

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    add_audit_listed_records()


def downgrade() -> None:
    drop_audit_listed_records()
