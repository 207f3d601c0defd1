"""3D twin and participation: plans' 3D attributes, residents' reactions and their reports.

Revision ID: 0011
Revises: 0008 (0007 before merging bim-place)
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

from openruimte.store.tables import GeometryType

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "plan_volumes",
        sa.Column("pk", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("owner", sa.String(length=200), nullable=False),
        sa.Column("plan_id", sa.String(length=200), nullable=False),
        sa.Column("height_m", sa.Float(), nullable=True),
        sa.Column("storeys", sa.Integer(), nullable=True),
        sa.Column("storey_height_m", sa.Float(), nullable=True),
        sa.Column("depth_m", sa.Float(), nullable=True),
        sa.Column("width_m", sa.Float(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["owner", "plan_id"], ["plans.owner", "plans.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("pk"),
        sa.UniqueConstraint("owner", "plan_id", name="uq_plan_volumes_plan"),
    )
    op.create_table(
        "reactions",
        sa.Column("pk", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("plan_owner", sa.String(length=200), nullable=False),
        sa.Column("plan_id", sa.String(length=200), nullable=False),
        sa.Column("text", sa.String(length=2000), nullable=False),
        sa.Column("geometry", GeometryType(), nullable=True),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("ip_hash", sa.String(length=64), nullable=True),
        sa.Column("receipt_hash", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reports", sa.Integer(), server_default="0", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reviewed_by", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(["plan_owner", "plan_id"], ["plans.owner", "plans.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("pk"),
        sa.UniqueConstraint("receipt_hash", name="uq_reactions_receipt"),
    )
    op.create_index("ix_reactions_plan", "reactions", ["plan_owner", "plan_id"], unique=False)
    op.create_index("ix_reactions_ip", "reactions", ["ip_hash", "created_at"], unique=False)
    op.create_table(
        "reaction_reports",
        sa.Column("pk", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("reaction_pk", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.Column("ip_hash", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["reaction_pk"], ["reactions.pk"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("pk"),
        sa.UniqueConstraint("reaction_pk", "ip_hash", name="uq_reaction_reports_once"),
    )


def downgrade() -> None:
    op.drop_table("reaction_reports")
    op.drop_index("ix_reactions_ip", table_name="reactions")
    op.drop_index("ix_reactions_plan", table_name="reactions")
    op.drop_table("reactions")
    op.drop_table("plan_volumes")
