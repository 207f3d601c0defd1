"""Change notifications per organisation, webhooks, their deliveries and attempts.

Revision ID: 0007
Revises: 0005
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "notifications",
        sa.Column("pk", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("recipient", sa.String(length=200), nullable=False),
        sa.Column("plan_key", sa.String(length=500), nullable=True),
        sa.Column("change", sa.String(length=100), nullable=False),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.Column("related", sa.JSON(), nullable=False),
        sa.Column("disclosed", sa.Boolean(), nullable=False),
        sa.Column("area", sa.String(length=500), nullable=True),
        sa.Column("quarter", sa.String(length=16), nullable=True),
        sa.Column("message", sa.String(length=2000), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("read", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.PrimaryKeyConstraint("pk"),
    )
    op.create_index("ix_notifications_recipient", "notifications", ["recipient", "pk"], unique=False)
    op.create_table(
        "webhooks",
        sa.Column("pk", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("org", sa.String(length=200), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("secret", sa.String(length=500), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true()),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("pk"),
    )
    op.create_index("ix_webhooks_org", "webhooks", ["org"], unique=False)
    op.create_table(
        "webhook_deliveries",
        sa.Column("pk", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("webhook_pk", sa.Integer(), nullable=False),
        sa.Column("notification_pk", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["webhook_pk"], ["webhooks.pk"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["notification_pk"], ["notifications.pk"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("pk"),
    )
    op.create_index("ix_webhook_deliveries_due", "webhook_deliveries", ["status", "next_attempt_at"], unique=False)
    op.create_table(
        "webhook_attempts",
        sa.Column("pk", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("delivery_pk", sa.Integer(), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("error", sa.String(length=2000), nullable=True),
        sa.Column("duration_ms", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(["delivery_pk"], ["webhook_deliveries.pk"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("pk"),
    )
    op.create_index("ix_webhook_attempts_delivery", "webhook_attempts", ["delivery_pk"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_webhook_attempts_delivery", table_name="webhook_attempts")
    op.drop_table("webhook_attempts")
    op.drop_index("ix_webhook_deliveries_due", table_name="webhook_deliveries")
    op.drop_table("webhook_deliveries")
    op.drop_index("ix_webhooks_org", table_name="webhooks")
    op.drop_table("webhooks")
    op.drop_index("ix_notifications_recipient", table_name="notifications")
    op.drop_table("notifications")
