"""Buildings of the 3D city model (3D BAG / CityJSON): footprint and heights.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

from openruimte.store.tables import GeometryType

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "buildings",
        sa.Column("pk", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("id", sa.String(length=200), nullable=False),
        sa.Column("bag_id", sa.String(length=100), nullable=True),
        sa.Column("source", sa.String(length=500), nullable=False),
        sa.Column("ground_height_m", sa.Float(), nullable=True),
        sa.Column("roof_height_m", sa.Float(), nullable=True),
        sa.Column("roof_max_m", sa.Float(), nullable=True),
        sa.Column("lods", sa.JSON(), nullable=False),
        sa.Column("construction_year", sa.Integer(), nullable=True),
        sa.Column("attributes", sa.JSON(), nullable=False),
        sa.Column("geometry", GeometryType(), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("dataset_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["dataset_id"], ["datasets.pk"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("pk"),
        sa.UniqueConstraint("id"),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE INDEX ix_buildings_geometry ON buildings USING GIST (geometry)")
    else:
        op.execute("CREATE VIRTUAL TABLE buildings_rtree USING rtree(id, minx, maxx, miny, maxy)")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        op.execute("DROP TABLE IF EXISTS buildings_rtree")
    op.drop_table("buildings")
