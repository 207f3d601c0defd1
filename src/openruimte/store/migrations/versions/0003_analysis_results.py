"""Saved analysis results (couplings, conflicts, candidates ...) for the map.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "analysis_results",
        sa.Column("pk", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("parameters", sa.JSON(), nullable=False),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("pk"),
    )
    op.create_index("ix_analysis_results_kind", "analysis_results", ["kind", "pk"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_analysis_results_kind", table_name="analysis_results")
    op.drop_table("analysis_results")
