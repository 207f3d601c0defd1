"""The plan analysis' pairs, one row each, kept up to date on every plan write (issue 12).

Revision ID: 0014
Revises: 0011
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "analysis_pairs",
        sa.Column("pk", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("first", sa.String(length=500), nullable=False),
        sa.Column("second", sa.String(length=500), nullable=False),
        sa.Column("record", sa.JSON(), nullable=False),
        sa.Column("params", sa.String(length=500), nullable=False),
        sa.PrimaryKeyConstraint("pk"),
    )
    op.create_index("ix_analysis_pairs_first", "analysis_pairs", ["first", "kind"], unique=False)
    op.create_index("ix_analysis_pairs_second", "analysis_pairs", ["second", "kind"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_analysis_pairs_second", table_name="analysis_pairs")
    op.drop_index("ix_analysis_pairs_first", table_name="analysis_pairs")
    op.drop_table("analysis_pairs")
