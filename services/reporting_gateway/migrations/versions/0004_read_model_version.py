"""Which version of a projection's handlers built its read models: the gateway rebuilds at
start what another version built (the read models 0003 introduced are rebuilt so, from
capacity's stream, on the first start after the upgrade).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "read_model_version",
        sa.Column("consumer", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("built_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("consumer", name=op.f("pk_read_model_version")),
    )


def downgrade() -> None:
    op.drop_table("read_model_version")
