"""Initial schema: organisations, datasets, the five categories, areas and the audit log.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

from openruimte.store.tables import GeometryType

# frozen here: later revisions add their own spatial tables
SPATIAL_TABLES = ("plans", "assets", "policy_goals", "areas", "environment_features", "vital_elements")

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column("pk", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("table_name", sa.String(length=64), nullable=False),
        sa.Column("record_key", sa.String(length=500), nullable=False),
        sa.Column("version", sa.Integer(), nullable=True),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.Column("dataset_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("pk"),
    )
    op.create_index("ix_audit_log_record", "audit_log", ["table_name", "record_key"], unique=False)
    op.create_table(
        "datasets",
        sa.Column("pk", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=500), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("source", sa.String(length=1000), nullable=False),
        sa.Column("temporal", sa.String(length=16), nullable=False),
        sa.Column("origin", sa.String(length=16), nullable=False),
        sa.Column("licence", sa.String(length=500), nullable=True),
        sa.Column("snapshot_date", sa.Date(), nullable=True),
        sa.Column("owner", sa.String(length=200), nullable=True),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=True),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("pk"),
    )
    op.create_table(
        "organisations",
        sa.Column("code", sa.String(length=200), nullable=False),
        sa.Column("name", sa.String(length=500), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("code"),
    )
    op.create_table(
        "areas",
        sa.Column("pk", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("code", sa.String(length=200), nullable=False),
        sa.Column("name", sa.String(length=500), nullable=False),
        sa.Column("level", sa.String(length=32), nullable=False),
        sa.Column("parent", sa.String(length=200), nullable=True),
        sa.Column("geometry", GeometryType(), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source", sa.String(length=500), nullable=True),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("dataset_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["dataset_id"], ["datasets.pk"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("pk"),
        sa.UniqueConstraint("code"),
    )
    op.create_table(
        "assets",
        sa.Column("pk", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("id", sa.String(length=200), nullable=False),
        sa.Column("asset_type", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=1000), nullable=True),
        sa.Column("imbor_type", sa.String(length=500), nullable=True),
        sa.Column("material", sa.String(length=200), nullable=True),
        sa.Column("install_year", sa.Integer(), nullable=True),
        sa.Column("expected_life_years", sa.Integer(), nullable=True),
        sa.Column("replacement_year", sa.Integer(), nullable=True),
        sa.Column("condition", sa.Integer(), nullable=True),
        sa.Column("depth_m", sa.Float(), nullable=True),
        sa.Column("diameter_mm", sa.Float(), nullable=True),
        sa.Column("area", sa.String(length=200), nullable=True),
        sa.Column("attributes", sa.JSON(), nullable=False),
        sa.Column("geometry", GeometryType(), nullable=False),
        sa.Column("owner", sa.String(length=200), nullable=False),
        sa.Column("visibility", sa.String(length=16), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source", sa.String(length=500), nullable=True),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("dataset_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["dataset_id"], ["datasets.pk"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("pk"),
        sa.UniqueConstraint("owner", "id", name="uq_assets_owner_id"),
    )
    op.create_index("ix_assets_type", "assets", ["asset_type"], unique=False)
    op.create_table(
        "environment_layers",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("unit", sa.String(length=100), nullable=True),
        sa.Column("description", sa.String(length=2000), nullable=True),
        sa.Column("higher_is_worse", sa.Boolean(), nullable=False),
        sa.Column("dataset_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["dataset_id"], ["datasets.pk"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_table(
        "plans",
        sa.Column("pk", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("id", sa.String(length=200), nullable=False),
        sa.Column("name", sa.String(length=1000), nullable=False),
        sa.Column("phase", sa.String(length=32), nullable=False),
        sa.Column("hardness", sa.String(length=32), nullable=False),
        sa.Column("asset_types", sa.JSON(), nullable=False),
        sa.Column("themes", sa.JSON(), nullable=False),
        sa.Column("programme", sa.String(length=500), nullable=True),
        sa.Column("area", sa.String(length=200), nullable=True),
        sa.Column("start", sa.Date(), nullable=True),
        sa.Column("end", sa.Date(), nullable=True),
        sa.Column("earliest_start", sa.Date(), nullable=True),
        sa.Column("latest_end", sa.Date(), nullable=True),
        sa.Column("duration_days", sa.Integer(), nullable=True),
        sa.Column("excavation", sa.Boolean(), nullable=False),
        sa.Column("surface_renewal", sa.Boolean(), nullable=False),
        sa.Column("budget_eur", sa.Float(), nullable=True),
        sa.Column("contact", sa.String(length=500), nullable=True),
        sa.Column("phase_planning", sa.JSON(), nullable=False),
        sa.Column("geometry", GeometryType(), nullable=False),
        sa.Column("owner", sa.String(length=200), nullable=False),
        sa.Column("visibility", sa.String(length=16), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source", sa.String(length=500), nullable=True),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("dataset_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["dataset_id"], ["datasets.pk"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("pk"),
        sa.UniqueConstraint("owner", "id", name="uq_plans_owner_id"),
    )
    op.create_index("ix_plans_dates", "plans", ["start", "end"], unique=False)
    op.create_index("ix_plans_phase", "plans", ["phase"], unique=False)
    op.create_table(
        "policy_goals",
        sa.Column("pk", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("id", sa.String(length=200), nullable=False),
        sa.Column("theme", sa.String(length=200), nullable=False),
        sa.Column("indicator", sa.String(length=1000), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=1000), nullable=True),
        sa.Column("area", sa.String(length=200), nullable=True),
        sa.Column("target", sa.Float(), nullable=True),
        sa.Column("norm", sa.String(length=1000), nullable=True),
        sa.Column("unit", sa.String(length=100), nullable=True),
        sa.Column("horizon_year", sa.Integer(), nullable=True),
        sa.Column("source_document", sa.String(length=1000), nullable=True),
        sa.Column("geometry", GeometryType(), nullable=True),
        sa.Column("owner", sa.String(length=200), nullable=False),
        sa.Column("visibility", sa.String(length=16), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source", sa.String(length=500), nullable=True),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("dataset_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["dataset_id"], ["datasets.pk"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("pk"),
        sa.UniqueConstraint("owner", "id", name="uq_policy_goals_owner_id"),
    )
    op.create_table(
        "vital_systems",
        sa.Column("pk", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("id", sa.String(length=200), nullable=False),
        sa.Column("name", sa.String(length=500), nullable=False),
        sa.Column("network_type", sa.String(length=32), nullable=False),
        sa.Column("owner", sa.String(length=200), nullable=False),
        sa.Column("visibility", sa.String(length=16), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source", sa.String(length=500), nullable=True),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("dataset_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["dataset_id"], ["datasets.pk"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("pk"),
        sa.UniqueConstraint("owner", "id", name="uq_vital_systems_owner_id"),
    )
    op.create_table(
        "environment_features",
        sa.Column("pk", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("layer", sa.String(length=200), nullable=False),
        sa.Column("id", sa.String(length=200), nullable=False),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("value_class", sa.String(length=200), nullable=True),
        sa.Column("attributes", sa.JSON(), nullable=False),
        sa.Column("geometry", GeometryType(), nullable=False),
        sa.ForeignKeyConstraint(["layer"], ["environment_layers.name"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("pk"),
        sa.UniqueConstraint("layer", "id", name="uq_environment_features_layer_id"),
    )
    op.create_table(
        "vital_elements",
        sa.Column("pk", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("system_pk", sa.Integer(), nullable=False),
        sa.Column("id", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=500), nullable=True),
        sa.Column("capacity", sa.Float(), nullable=True),
        sa.Column("load", sa.Float(), nullable=True),
        sa.Column("unit", sa.String(length=32), nullable=False),
        sa.Column("geometry", GeometryType(), nullable=False),
        sa.Column("service_area", GeometryType(), nullable=True),
        sa.ForeignKeyConstraint(["system_pk"], ["vital_systems.pk"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("pk"),
        sa.UniqueConstraint("system_pk", "id", name="uq_vital_elements_system_id"),
    )
    # ### end Alembic commands ###
    _spatial_indexes()


def _spatial_indexes() -> None:
    """GiST on PostGIS; an R*Tree table per spatial table on SQLite."""
    bind = op.get_bind()
    for table in SPATIAL_TABLES:
        if bind.dialect.name == "postgresql":
            op.execute(f"CREATE INDEX ix_{table}_geometry ON {table} USING GIST (geometry)")
        else:
            op.execute(f"CREATE VIRTUAL TABLE {table}_rtree USING rtree(id, minx, maxx, miny, maxy)")


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        for table in SPATIAL_TABLES:
            op.execute(f"DROP TABLE IF EXISTS {table}_rtree")
    op.drop_table("vital_elements")
    op.drop_table("environment_features")
    op.drop_table("vital_systems")
    op.drop_table("policy_goals")
    op.drop_index("ix_plans_phase", table_name="plans")
    op.drop_index("ix_plans_dates", table_name="plans")
    op.drop_table("plans")
    op.drop_table("environment_layers")
    op.drop_index("ix_assets_type", table_name="assets")
    op.drop_table("assets")
    op.drop_table("areas")
    op.drop_table("organisations")
    op.drop_table("datasets")
    op.drop_index("ix_audit_log_record", table_name="audit_log")
    op.drop_table("audit_log")
    # ### end Alembic commands ###
