"""IDS files registered per organisation (versioned) and IDS check results per model version.

Revision ID: 0012
Revises: 0008
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "bim_ids_files",
        sa.Column("pk", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("owner", sa.String(length=200), nullable=False),
        sa.Column("name", sa.String(length=500), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("file_name", sa.String(length=500), nullable=False),
        sa.Column("title", sa.String(length=1000), nullable=False),
        sa.Column("specifications", sa.Integer(), nullable=False),
        sa.Column("warnings", sa.JSON(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("pk"),
        sa.UniqueConstraint("owner", "name", "version", name="uq_bim_ids_files_version"),
    )
    op.create_table(
        "bim_check_results",
        sa.Column("pk", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("version_pk", sa.Integer(), nullable=False),
        sa.Column("ids_pks", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("trigger", sa.String(length=16), nullable=False),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.Column("report", sa.JSON(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(["version_pk"], ["bim_model_versions.pk"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("pk"),
    )
    op.create_index("ix_bim_check_results_version", "bim_check_results", ["version_pk"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_bim_check_results_version", table_name="bim_check_results")
    op.drop_table("bim_check_results")
    op.drop_table("bim_ids_files")
