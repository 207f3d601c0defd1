"""Plan rules: bouwvlak, bestemmingsvlak, maximum heights ... from IMRO2012 and STOP/TPOD (issue 15).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

from openruimte.store.tables import GeometryType

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rules",
        sa.Column("pk", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("id", sa.String(length=1000), nullable=False),
        sa.Column("kind", sa.String(length=100), nullable=False),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("unit", sa.String(length=32), nullable=True),
        sa.Column("geometry", GeometryType(), nullable=False),
        sa.Column("plan_id", sa.String(length=500), nullable=False),
        sa.Column("source_id", sa.String(length=500), nullable=False),
        sa.Column("article", sa.String(length=500), nullable=True),
        sa.Column("name", sa.String(length=1000), server_default="", nullable=False),
        sa.Column("regime", sa.String(length=16), nullable=False),
        sa.Column("bestemming", sa.String(length=500), nullable=True),
        sa.Column("source", sa.String(length=1000), nullable=False),
        sa.Column("dataset_id", sa.Integer(), nullable=True),
        sa.Column("owner", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(["dataset_id"], ["datasets.pk"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("pk"),
        sa.UniqueConstraint("id"),
    )
    op.create_index("ix_rules_kind", "rules", ["kind"], unique=False)
    op.create_index("ix_rules_plan_id", "rules", ["plan_id"], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE INDEX ix_rules_geometry ON rules USING GIST (geometry)")
    else:
        op.execute("CREATE VIRTUAL TABLE rules_rtree USING rtree(id, minx, maxx, miny, maxy)")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        op.execute("DROP TABLE IF EXISTS rules_rtree")
    op.drop_index("ix_rules_plan_id", table_name="rules")
    op.drop_index("ix_rules_kind", table_name="rules")
    op.drop_table("rules")
