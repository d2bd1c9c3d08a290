"""family_counselling offices keep their name, so the fv.* KPIs broken down by office name
their rows (the dashboard shows them to readers who may not call family_counselling). The
projection's version 2 fills it: the first start after the upgrade rebuilds the read models
from family_counselling's stream.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("family_counselling_office", sa.Column("name", sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column("family_counselling_office", "name")
