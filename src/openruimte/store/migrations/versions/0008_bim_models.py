"""BIM models per plan and their versions (IFC files kept content-addressed beside the database).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

from openruimte.store.tables import GeometryType

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "bim_models",
        sa.Column("pk", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("owner", sa.String(length=200), nullable=False),
        sa.Column("plan_id", sa.String(length=200), nullable=False),
        sa.Column("label", sa.String(length=500), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("pk"),
        sa.UniqueConstraint("owner", "plan_id", "label", name="uq_bim_models_plan_label"),
    )
    op.create_table(
        "bim_model_versions",
        sa.Column("pk", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("model_pk", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("file_name", sa.String(length=500), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("schema", sa.String(length=32), nullable=False),
        sa.Column("metadata", sa.JSON(), nullable=False),
        sa.Column("georef", sa.JSON(), nullable=False),
        sa.Column("geometry", GeometryType(), nullable=False),
        sa.Column("bottom_m", sa.Float(), nullable=True),
        sa.Column("top_m", sa.Float(), nullable=True),
        sa.Column("storeys", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(["model_pk"], ["bim_models.pk"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("pk"),
        sa.UniqueConstraint("model_pk", "version", name="uq_bim_model_versions_version"),
    )
    op.create_index("ix_bim_model_versions_sha256", "bim_model_versions", ["sha256"], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE INDEX ix_bim_model_versions_geometry ON bim_model_versions USING GIST (geometry)")
    else:
        op.execute("CREATE VIRTUAL TABLE bim_model_versions_rtree USING rtree(id, minx, maxx, miny, maxy)")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        op.execute("DROP TABLE IF EXISTS bim_model_versions_rtree")
    op.drop_index("ix_bim_model_versions_sha256", table_name="bim_model_versions")
    op.drop_table("bim_model_versions")
    op.drop_table("bim_models")
