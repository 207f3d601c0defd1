"""Street segments (the unit a street is opened in) and dwellings of a plan.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

from openruimte.store.tables import GeometryType

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("plans", sa.Column("dwellings", sa.Integer(), nullable=True))
    op.create_table(
        "street_segments",
        sa.Column("pk", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("id", sa.String(length=200), nullable=False),
        sa.Column("name", sa.String(length=500), nullable=False),
        sa.Column("kind", sa.String(length=100), nullable=True),
        sa.Column("profile_width_m", sa.Float(), nullable=True),
        sa.Column("area", sa.String(length=200), nullable=True),
        sa.Column("geometry", GeometryType(), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source", sa.String(length=500), nullable=True),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("dataset_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["dataset_id"], ["datasets.pk"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("pk"),
        sa.UniqueConstraint("id"),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE INDEX ix_street_segments_geometry ON street_segments USING GIST (geometry)")
    else:
        op.execute("CREATE VIRTUAL TABLE street_segments_rtree USING rtree(id, minx, maxx, miny, maxy)")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        op.execute("DROP TABLE IF EXISTS street_segments_rtree")
    op.drop_table("street_segments")
    with op.batch_alter_table("plans") as batch:
        batch.drop_column("dwellings")
