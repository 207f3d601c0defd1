"""Commercially sensitive plans, plans linked to policy goals, measures and the
current value of a policy indicator.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("plans", sa.Column("sensitive", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.add_column("plans", sa.Column("goals", sa.JSON(), nullable=False, server_default="[]"))
    op.add_column("policy_goals", sa.Column("current", sa.Float(), nullable=True))
    op.add_column("policy_goals", sa.Column("measures", sa.JSON(), nullable=False, server_default="[]"))


def downgrade() -> None:
    with op.batch_alter_table("policy_goals") as batch:
        batch.drop_column("measures")
        batch.drop_column("current")
    with op.batch_alter_table("plans") as batch:
        batch.drop_column("goals")
        batch.drop_column("sensitive")
