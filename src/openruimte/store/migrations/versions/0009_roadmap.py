"""BIM roadmap (routekaart): versioned definitions and self-assessments kept over time.

Revision ID: 0009
Revises: 0012
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "roadmap_definitions",
        sa.Column("pk", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("owner", sa.String(length=200), nullable=True),
        sa.Column("source_file", sa.String(length=500), nullable=True),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("author", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("pk"),
        sa.UniqueConstraint("name", "version", name="uq_roadmap_definitions_name_version"),
    )
    op.create_table(
        "roadmap_assessments",
        sa.Column("pk", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("org", sa.String(length=200), nullable=False),
        sa.Column("roadmap", sa.String(length=100), nullable=False),
        sa.Column("definition_version", sa.Integer(), nullable=False),
        sa.Column("station", sa.String(length=100), nullable=False),
        sa.Column("state", sa.String(length=32), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("documents", sa.JSON(), nullable=False),
        sa.Column("assessed_on", sa.Date(), nullable=False),
        sa.Column("author", sa.String(length=200), nullable=False),
        sa.Column("visibility", sa.String(length=16), nullable=False),
        sa.Column("shared_with", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["org"], ["organisations.code"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("pk"),
    )
    op.create_index(
        "ix_roadmap_assessments_org", "roadmap_assessments", ["roadmap", "org", "station", "assessed_on"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_roadmap_assessments_org", table_name="roadmap_assessments")
    op.drop_table("roadmap_assessments")
    op.drop_table("roadmap_definitions")
