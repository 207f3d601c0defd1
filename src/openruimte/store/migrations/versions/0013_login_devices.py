"""Login throttling without lockout: the device cookie of a login attempt; notifications for an
organisation's admins only.

Revision ID: 0013
Revises: 0007
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("login_attempts", sa.Column("device", sa.String(64), nullable=True))
    op.create_index("ix_login_attempts_device", "login_attempts", ["device", "at"], unique=False)
    op.add_column("notifications", sa.Column("audience", sa.String(16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("notifications") as batch:
        batch.drop_column("audience")
    op.drop_index("ix_login_attempts_device", table_name="login_attempts")
    with op.batch_alter_table("login_attempts") as batch:
        batch.drop_column("device")
