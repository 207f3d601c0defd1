"""Tables: one schema for SQLite and PostgreSQL + PostGIS.

Geometry is stored in EPSG:28992: as PostGIS ``geometry(Geometry,28992)`` with a
GiST index, or on SQLite as WKB with an R*Tree index table ``<table>_rtree``
kept in the same transaction by :mod:`openruimte.store.spatial`.
"""

from __future__ import annotations

from typing import Any

import shapely
import sqlalchemy as sa
from geoalchemy2 import Geometry, WKBElement  # imported up front: it registers DDL events
from sqlalchemy.types import LargeBinary, TypeDecorator

from openruimte.model.geometry import STORAGE_SRID


class GeometryType(TypeDecorator):
    """A shapely geometry: PostGIS geometry on PostgreSQL, WKB elsewhere."""

    impl = LargeBinary
    cache_ok = True
    # GeoAlchemy2's DDL events look for these; we create spatial indexes ourselves
    spatial_index = False
    use_N_D_index = False

    def load_dialect_impl(self, dialect: Any) -> Any:
        if dialect is not None and dialect.name == "postgresql":
            return dialect.type_descriptor(Geometry("GEOMETRY", srid=STORAGE_SRID, spatial_index=False))
        return LargeBinary()

    def process_bind_param(self, value: Any, dialect: Any) -> Any:
        if value is None:
            return None
        wkb = shapely.to_wkb(value)
        if dialect.name == "postgresql":
            return WKBElement(wkb, srid=STORAGE_SRID)
        return wkb

    def process_result_value(self, value: Any, dialect: Any) -> Any:
        if value is None:
            return None
        if dialect.name == "postgresql":
            return shapely.from_wkb(bytes(value.data))
        return shapely.from_wkb(value)


metadata = sa.MetaData()

#: tables with a spatially indexed ``geometry`` column
SPATIAL_TABLES = (
    "plans",
    "assets",
    "policy_goals",
    "areas",
    "environment_features",
    "vital_elements",
    "street_segments",
    "buildings",
    "bim_model_versions",
    "rules",  # issue 15: plan rules (migration 0015)
)


def _row_columns() -> list[sa.Column[Any]]:
    """What every plan/asset-like row carries: owner, visibility, version,
    timestamps and provenance."""
    return [
        sa.Column("owner", sa.String(200), nullable=False),
        sa.Column("visibility", sa.String(16), nullable=False),
        sa.Column("version", sa.Integer, nullable=False, server_default="1"),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source", sa.String(500)),
        sa.Column("imported_at", sa.DateTime(timezone=True)),
        sa.Column("dataset_id", sa.Integer, sa.ForeignKey("datasets.pk", ondelete="SET NULL")),
    ]


organisations = sa.Table(
    "organisations",
    metadata,
    sa.Column("code", sa.String(200), primary_key=True),
    sa.Column("name", sa.String(500), nullable=False),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    #: a member of the municipality's programming table: sees what others share
    sa.Column("at_table", sa.Boolean, nullable=False, server_default=sa.true()),
)

datasets = sa.Table(
    "datasets",
    metadata,
    sa.Column("pk", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(500), nullable=False),
    sa.Column("category", sa.String(32), nullable=False),
    sa.Column("source", sa.String(1000), nullable=False),
    sa.Column("temporal", sa.String(16), nullable=False),
    sa.Column("origin", sa.String(16), nullable=False),
    sa.Column("licence", sa.String(500)),
    sa.Column("snapshot_date", sa.Date),
    sa.Column("owner", sa.String(200)),
    sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("actor", sa.String(200)),
    sa.Column("rows", sa.Integer, nullable=False),
)

plans = sa.Table(
    "plans",
    metadata,
    sa.Column("pk", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("id", sa.String(200), nullable=False),
    sa.Column("name", sa.String(1000), nullable=False),
    sa.Column("phase", sa.String(32), nullable=False),
    sa.Column("hardness", sa.String(32), nullable=False),
    sa.Column("asset_types", sa.JSON, nullable=False),
    sa.Column("themes", sa.JSON, nullable=False),
    sa.Column("programme", sa.String(500)),
    sa.Column("area", sa.String(200)),
    sa.Column("start", sa.Date),
    sa.Column("end", sa.Date),
    sa.Column("earliest_start", sa.Date),
    sa.Column("latest_end", sa.Date),
    sa.Column("duration_days", sa.Integer),
    sa.Column("excavation", sa.Boolean, nullable=False),
    sa.Column("surface_renewal", sa.Boolean, nullable=False),
    sa.Column("budget_eur", sa.Float),
    sa.Column("contact", sa.String(500)),
    sa.Column("phase_planning", sa.JSON, nullable=False),
    sa.Column("geometry", GeometryType(), nullable=False),
    *_row_columns(),
    sa.Column("dwellings", sa.Integer),
    sa.Column("sensitive", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("goals", sa.JSON, nullable=False, server_default="[]"),
    sa.UniqueConstraint("owner", "id", name="uq_plans_owner_id"),
    sa.Index("ix_plans_phase", "phase"),
    sa.Index("ix_plans_dates", "start", "end"),
)

assets = sa.Table(
    "assets",
    metadata,
    sa.Column("pk", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("id", sa.String(200), nullable=False),
    sa.Column("asset_type", sa.String(64), nullable=False),
    sa.Column("name", sa.String(1000)),
    sa.Column("imbor_type", sa.String(500)),
    sa.Column("material", sa.String(200)),
    sa.Column("install_year", sa.Integer),
    sa.Column("expected_life_years", sa.Integer),
    sa.Column("replacement_year", sa.Integer),
    sa.Column("condition", sa.Integer),
    sa.Column("depth_m", sa.Float),
    sa.Column("diameter_mm", sa.Float),
    sa.Column("area", sa.String(200)),
    sa.Column("attributes", sa.JSON, nullable=False),
    sa.Column("geometry", GeometryType(), nullable=False),
    *_row_columns(),
    sa.UniqueConstraint("owner", "id", name="uq_assets_owner_id"),
    sa.Index("ix_assets_type", "asset_type"),
)

policy_goals = sa.Table(
    "policy_goals",
    metadata,
    sa.Column("pk", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("id", sa.String(200), nullable=False),
    sa.Column("theme", sa.String(200), nullable=False),
    sa.Column("indicator", sa.String(1000), nullable=False),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("name", sa.String(1000)),
    sa.Column("area", sa.String(200)),
    sa.Column("target", sa.Float),
    sa.Column("norm", sa.String(1000)),
    sa.Column("unit", sa.String(100)),
    sa.Column("horizon_year", sa.Integer),
    sa.Column("source_document", sa.String(1000)),
    sa.Column("geometry", GeometryType()),
    *_row_columns(),
    sa.Column("current", sa.Float),
    sa.Column("measures", sa.JSON, nullable=False, server_default="[]"),
    sa.UniqueConstraint("owner", "id", name="uq_policy_goals_owner_id"),
)

areas = sa.Table(
    "areas",
    metadata,
    sa.Column("pk", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("code", sa.String(200), nullable=False, unique=True),
    sa.Column("name", sa.String(500), nullable=False),
    sa.Column("level", sa.String(32), nullable=False),
    sa.Column("parent", sa.String(200)),
    sa.Column("geometry", GeometryType(), nullable=False),
    sa.Column("version", sa.Integer, nullable=False, server_default="1"),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("source", sa.String(500)),
    sa.Column("imported_at", sa.DateTime(timezone=True)),
    sa.Column("dataset_id", sa.Integer, sa.ForeignKey("datasets.pk", ondelete="SET NULL")),
)

street_segments = sa.Table(
    "street_segments",
    metadata,
    sa.Column("pk", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("id", sa.String(200), nullable=False, unique=True),
    sa.Column("name", sa.String(500), nullable=False),
    sa.Column("kind", sa.String(100)),
    sa.Column("profile_width_m", sa.Float),
    sa.Column("area", sa.String(200)),
    sa.Column("geometry", GeometryType(), nullable=False),
    sa.Column("version", sa.Integer, nullable=False, server_default="1"),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("source", sa.String(500)),
    sa.Column("imported_at", sa.DateTime(timezone=True)),
    sa.Column("dataset_id", sa.Integer, sa.ForeignKey("datasets.pk", ondelete="SET NULL")),
)

environment_layers = sa.Table(
    "environment_layers",
    metadata,
    sa.Column("name", sa.String(200), primary_key=True),
    sa.Column("title", sa.String(500), nullable=False),
    sa.Column("unit", sa.String(100)),
    sa.Column("description", sa.String(2000)),
    sa.Column("higher_is_worse", sa.Boolean, nullable=False),
    sa.Column("dataset_id", sa.Integer, sa.ForeignKey("datasets.pk", ondelete="SET NULL")),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
)

environment_features = sa.Table(
    "environment_features",
    metadata,
    sa.Column("pk", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("layer", sa.String(200), sa.ForeignKey("environment_layers.name", ondelete="CASCADE"), nullable=False),
    sa.Column("id", sa.String(200), nullable=False),
    sa.Column("value", sa.Float),
    sa.Column("value_class", sa.String(200)),
    sa.Column("attributes", sa.JSON, nullable=False),
    sa.Column("geometry", GeometryType(), nullable=False),
    sa.UniqueConstraint("layer", "id", name="uq_environment_features_layer_id"),
)

vital_systems = sa.Table(
    "vital_systems",
    metadata,
    sa.Column("pk", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("id", sa.String(200), nullable=False),
    sa.Column("name", sa.String(500), nullable=False),
    sa.Column("network_type", sa.String(32), nullable=False),
    *_row_columns(),
    sa.UniqueConstraint("owner", "id", name="uq_vital_systems_owner_id"),
)

vital_elements = sa.Table(
    "vital_elements",
    metadata,
    sa.Column("pk", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("system_pk", sa.Integer, sa.ForeignKey("vital_systems.pk", ondelete="CASCADE"), nullable=False),
    sa.Column("id", sa.String(200), nullable=False),
    sa.Column("kind", sa.String(100), nullable=False),
    sa.Column("name", sa.String(500)),
    sa.Column("capacity", sa.Float),
    sa.Column("load", sa.Float),
    sa.Column("unit", sa.String(32), nullable=False),
    sa.Column("geometry", GeometryType(), nullable=False),
    sa.Column("service_area", GeometryType()),
    sa.UniqueConstraint("system_pk", "id", name="uq_vital_elements_system_id"),
)

audit_log = sa.Table(
    "audit_log",
    metadata,
    sa.Column("pk", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("actor", sa.String(200), nullable=False),
    sa.Column("action", sa.String(16), nullable=False),
    sa.Column("table_name", sa.String(64), nullable=False),
    sa.Column("record_key", sa.String(500), nullable=False),
    sa.Column("version", sa.Integer),
    sa.Column("before", sa.JSON),
    sa.Column("after", sa.JSON),
    sa.Column("dataset_id", sa.Integer),
    sa.Index("ix_audit_log_record", "table_name", "record_key"),
)

analysis_results = sa.Table(
    "analysis_results",
    metadata,
    sa.Column("pk", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("kind", sa.String(64), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("actor", sa.String(200), nullable=False),
    sa.Column("parameters", sa.JSON, nullable=False),
    sa.Column("result", sa.JSON, nullable=False),
    sa.Index("ix_analysis_results_kind", "kind", "pk"),
)

#: issue 12: the pairs of the plan analysis, one row each, kept up to date on every plan
#: write (services/analyse_incremental.py); ``params`` is the analysis parameters as JSON
analysis_pairs = sa.Table(
    "analysis_pairs",
    metadata,
    sa.Column("pk", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("first", sa.String(500), nullable=False),
    sa.Column("second", sa.String(500), nullable=False),
    sa.Column("record", sa.JSON, nullable=False),
    sa.Column("params", sa.String(500), nullable=False),
    sa.Index("ix_analysis_pairs_first", "first", "kind"),
    sa.Index("ix_analysis_pairs_second", "second", "kind"),
)

buildings = sa.Table(
    "buildings",
    metadata,
    sa.Column("pk", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("id", sa.String(200), nullable=False, unique=True),
    sa.Column("bag_id", sa.String(100)),
    sa.Column("source", sa.String(500), nullable=False),
    sa.Column("ground_height_m", sa.Float),
    sa.Column("roof_height_m", sa.Float),
    sa.Column("roof_max_m", sa.Float),
    sa.Column("lods", sa.JSON, nullable=False),
    sa.Column("construction_year", sa.Integer),
    sa.Column("attributes", sa.JSON, nullable=False),
    sa.Column("geometry", GeometryType(), nullable=False),
    sa.Column("version", sa.Integer, nullable=False, server_default="1"),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("imported_at", sa.DateTime(timezone=True)),
    sa.Column("dataset_id", sa.Integer, sa.ForeignKey("datasets.pk", ondelete="SET NULL")),
)

# --------------------------------------------------------------------------- security (migration 0006)

users = sa.Table(
    "users",
    metadata,
    sa.Column("pk", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("email", sa.String(320), nullable=False),
    sa.Column("org", sa.String(200), sa.ForeignKey("organisations.code", ondelete="CASCADE"), nullable=False),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("password_hash", sa.String(500), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("last_login_at", sa.DateTime(timezone=True)),
    sa.Column("disabled", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.UniqueConstraint("email", name="uq_users_email"),
)

api_tokens = sa.Table(
    "api_tokens",
    metadata,
    sa.Column("pk", sa.Integer, primary_key=True, autoincrement=True),
    #: SHA-256 of the token (hex); the token itself is never stored
    sa.Column("token_hash", sa.String(64), nullable=False),
    #: the first characters of the token, to recognise it in a list
    sa.Column("prefix", sa.String(16), nullable=False),
    sa.Column("org", sa.String(200), sa.ForeignKey("organisations.code", ondelete="CASCADE"), nullable=False),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("label", sa.String(500)),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True)),
    sa.Column("last_used_at", sa.DateTime(timezone=True)),
    sa.Column("revoked_at", sa.DateTime(timezone=True)),
    sa.UniqueConstraint("token_hash", name="uq_api_tokens_hash"),
)

sessions = sa.Table(
    "sessions",
    metadata,
    sa.Column("pk", sa.Integer, primary_key=True, autoincrement=True),
    #: SHA-256 of the cookie value (hex)
    sa.Column("session_hash", sa.String(64), nullable=False),
    sa.Column("user_pk", sa.Integer, sa.ForeignKey("users.pk", ondelete="CASCADE"), nullable=False),
    sa.Column("csrf_token", sa.String(100), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("ip", sa.String(100)),
    sa.UniqueConstraint("session_hash", name="uq_sessions_hash"),
)

login_attempts = sa.Table(
    "login_attempts",
    metadata,
    sa.Column("pk", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("ip", sa.String(100), nullable=False),
    sa.Column("email", sa.String(320), nullable=False),
    sa.Column("success", sa.Boolean, nullable=False),
    #: the nonce of the device cookie the attempt came with (valid ones only)
    sa.Column("device", sa.String(64)),
    sa.Index("ix_login_attempts_ip", "ip", "at"),
    sa.Index("ix_login_attempts_device", "device", "at"),
    sa.Index("ix_login_attempts_email", "email", "at"),
)

server_secrets = sa.Table(
    "server_secrets",
    metadata,
    sa.Column("name", sa.String(100), primary_key=True),
    sa.Column("value", sa.String(200), nullable=False),
)

notifications = sa.Table(
    "notifications",
    metadata,
    sa.Column("pk", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("recipient", sa.String(200), nullable=False),
    #: None when the recipient may not see the changed plan (undisclosed party)
    sa.Column("plan_key", sa.String(500)),
    sa.Column("change", sa.String(100), nullable=False),
    sa.Column("before", sa.JSON),
    sa.Column("after", sa.JSON),
    sa.Column("related", sa.JSON, nullable=False),
    sa.Column("disclosed", sa.Boolean, nullable=False),
    sa.Column("area", sa.String(500)),
    sa.Column("quarter", sa.String(16)),
    sa.Column("message", sa.String(2000), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("read", sa.Boolean, nullable=False, server_default=sa.false()),
    #: None: every member of the recipient organisation; "admin": its admins only
    sa.Column("audience", sa.String(16)),
    sa.Index("ix_notifications_recipient", "recipient", "pk"),
)

webhooks = sa.Table(
    "webhooks",
    metadata,
    sa.Column("pk", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("org", sa.String(200), nullable=False),
    sa.Column("url", sa.String(2000), nullable=False),
    sa.Column("secret", sa.String(500), nullable=False),
    sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Index("ix_webhooks_org", "org"),
)

webhook_deliveries = sa.Table(
    "webhook_deliveries",
    metadata,
    sa.Column("pk", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("webhook_pk", sa.Integer, sa.ForeignKey("webhooks.pk", ondelete="CASCADE"), nullable=False),
    sa.Column("notification_pk", sa.Integer, sa.ForeignKey("notifications.pk", ondelete="CASCADE"), nullable=False),
    #: pending, delivered or failed (gave up after the last attempt)
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("delivered_at", sa.DateTime(timezone=True)),
    sa.Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
)

webhook_attempts = sa.Table(
    "webhook_attempts",
    metadata,
    sa.Column("pk", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("delivery_pk", sa.Integer, sa.ForeignKey("webhook_deliveries.pk", ondelete="CASCADE"), nullable=False),
    sa.Column("attempt", sa.Integer, nullable=False),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("status_code", sa.Integer),
    sa.Column("error", sa.String(2000)),
    sa.Column("duration_ms", sa.Float, nullable=False),
    sa.Index("ix_webhook_attempts_delivery", "delivery_pk"),
)

# --------------------------------------------------------------------------- 3D twin and participation (migration 0011)

#: the 3D attributes of a plan, kept by its owner (openruimte.twin.volumes.PlanVolume)
plan_volumes = sa.Table(
    "plan_volumes",
    metadata,
    sa.Column("pk", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("owner", sa.String(200), nullable=False),
    sa.Column("plan_id", sa.String(200), nullable=False),
    sa.Column("height_m", sa.Float),
    sa.Column("storeys", sa.Integer),
    sa.Column("storey_height_m", sa.Float),
    sa.Column("depth_m", sa.Float),
    sa.Column("width_m", sa.Float),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(["owner", "plan_id"], ["plans.owner", "plans.id"], ondelete="CASCADE"),
    sa.UniqueConstraint("owner", "plan_id", name="uq_plan_volumes_plan"),
)

#: residents' reactions on public plans; ``email`` and ``ip_hash`` are personal data, kept only
#: for the retention period (services/participation.py)
reactions = sa.Table(
    "reactions",
    metadata,
    sa.Column("pk", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("plan_owner", sa.String(200), nullable=False),
    sa.Column("plan_id", sa.String(200), nullable=False),
    sa.Column("text", sa.String(2000), nullable=False),
    sa.Column("geometry", GeometryType()),
    sa.Column("email", sa.String(320)),
    sa.Column("ip_hash", sa.String(64)),
    sa.Column("receipt_hash", sa.String(64), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("reports", sa.Integer, nullable=False, server_default="0"),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("reviewed_at", sa.DateTime(timezone=True)),
    sa.Column("reviewed_by", sa.String(200)),
    sa.ForeignKeyConstraint(["plan_owner", "plan_id"], ["plans.owner", "plans.id"], ondelete="CASCADE"),
    sa.Index("ix_reactions_plan", "plan_owner", "plan_id"),
    sa.Index("ix_reactions_ip", "ip_hash", "created_at"),
    sa.UniqueConstraint("receipt_hash", name="uq_reactions_receipt"),
)

reaction_reports = sa.Table(
    "reaction_reports",
    metadata,
    sa.Column("pk", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("reaction_pk", sa.Integer, sa.ForeignKey("reactions.pk", ondelete="CASCADE"), nullable=False),
    sa.Column("reason", sa.String(500)),
    sa.Column("ip_hash", sa.String(64)),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.UniqueConstraint("reaction_pk", "ip_hash", name="uq_reaction_reports_once"),
)

# --------------------------------------------------------------------------- BIM models (migration 0008)

bim_models = sa.Table(
    "bim_models",
    metadata,
    sa.Column("pk", sa.Integer, primary_key=True, autoincrement=True),
    #: the plan it belongs to (owner:id); visibility follows the plan
    sa.Column("owner", sa.String(200), nullable=False),
    sa.Column("plan_id", sa.String(200), nullable=False),
    sa.Column("label", sa.String(500), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("created_by", sa.String(200), nullable=False),
    sa.UniqueConstraint("owner", "plan_id", "label", name="uq_bim_models_plan_label"),
)

bim_model_versions = sa.Table(
    "bim_model_versions",
    metadata,
    sa.Column("pk", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("model_pk", sa.Integer, sa.ForeignKey("bim_models.pk", ondelete="CASCADE"), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    #: the original file, content-addressed in the blob directory
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("file_name", sa.String(500), nullable=False),
    sa.Column("size_bytes", sa.BigInteger, nullable=False),
    sa.Column("schema", sa.String(32), nullable=False),
    #: application, project name, length unit, counts, floor area, warnings ...
    sa.Column("metadata", sa.JSON, nullable=False),
    #: the georeferencing used, with its warnings and assumptions
    sa.Column("georef", sa.JSON, nullable=False),
    #: the footprint (EPSG:28992)
    sa.Column("geometry", GeometryType(), nullable=False),
    sa.Column("bottom_m", sa.Float),
    sa.Column("top_m", sa.Float),
    sa.Column("storeys", sa.JSON, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("created_by", sa.String(200), nullable=False),
    sa.UniqueConstraint("model_pk", "version", name="uq_bim_model_versions_version"),
    sa.Index("ix_bim_model_versions_sha256", "sha256"),
)


# ------------------------------------------------------------- IDS register and check results (migration 0012)

bim_ids_files = sa.Table(
    "bim_ids_files",
    metadata,
    sa.Column("pk", sa.Integer, primary_key=True, autoincrement=True),
    #: the organisation whose information requirements these are
    sa.Column("owner", sa.String(200), nullable=False),
    #: the requirement set's name; each registration under a name is a new version
    sa.Column("name", sa.String(500), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("file_name", sa.String(500), nullable=False),
    sa.Column("title", sa.String(1000), nullable=False),
    sa.Column("specifications", sa.Integer, nullable=False),
    #: pre-IDS-1.0 habits read with a warning (line, message, fix)
    sa.Column("warnings", sa.JSON, nullable=False),
    #: the file itself, base64 (IDS files are small; the size is capped on reading)
    sa.Column("content", sa.Text, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("created_by", sa.String(200), nullable=False),
    sa.UniqueConstraint("owner", "name", "version", name="uq_bim_ids_files_version"),
)

bim_check_results = sa.Table(
    "bim_check_results",
    metadata,
    sa.Column("pk", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("version_pk", sa.Integer, sa.ForeignKey("bim_model_versions.pk", ondelete="CASCADE"), nullable=False),
    #: the IDS files (bim_ids_files.pk) the version was checked against
    sa.Column("ids_pks", sa.JSON, nullable=False),
    #: pass, fail or error (the check itself could not run: ``error`` says why)
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("trigger", sa.String(16), nullable=False),
    sa.Column("summary", sa.JSON, nullable=False),
    #: the whole report (openruimte-bim-check JSON), or null on error
    sa.Column("report", sa.JSON),
    sa.Column("error", sa.Text),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("created_by", sa.String(200), nullable=False),
    sa.Index("ix_bim_check_results_version", "version_pk"),
)

# --------------------------------------------------------------------------- BIM roadmap (migration 0009)

roadmap_definitions = sa.Table(
    "roadmap_definitions",
    metadata,
    sa.Column("pk", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(100), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("title", sa.String(500), nullable=False),
    #: the organisation that loaded it (None: a definition shipped with OpenRuimte)
    sa.Column("owner", sa.String(200)),
    sa.Column("source_file", sa.String(500)),
    #: the definition as parsed (JSON) and the file as loaded (YAML or JSON text)
    sa.Column("content", sa.JSON, nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("author", sa.String(200), nullable=False),
    sa.UniqueConstraint("name", "version", name="uq_roadmap_definitions_name_version"),
)

roadmap_assessments = sa.Table(
    "roadmap_assessments",
    metadata,
    sa.Column("pk", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("org", sa.String(200), sa.ForeignKey("organisations.code", ondelete="CASCADE"), nullable=False),
    sa.Column("roadmap", sa.String(100), nullable=False),
    sa.Column("definition_version", sa.Integer, nullable=False),
    sa.Column("station", sa.String(100), nullable=False),
    sa.Column("state", sa.String(32), nullable=False),
    sa.Column("note", sa.Text),
    sa.Column("evidence", sa.JSON, nullable=False),
    sa.Column("documents", sa.JSON, nullable=False),
    sa.Column("assessed_on", sa.Date, nullable=False),
    sa.Column("author", sa.String(200), nullable=False),
    #: private (the organisation only), shared (with ``shared_with``) or public
    sa.Column("visibility", sa.String(16), nullable=False),
    sa.Column("shared_with", sa.JSON, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Index("ix_roadmap_assessments_org", "roadmap", "org", "station", "assessed_on"),
)

# --------------------------------------------------------------------------- working together (migration 0010)
# Threads, documents and contacts are about a *subject* (collab/threads.py): a plan, a pair of
# plans (coupling, conflict), an area or a model version. ``plan_owner/plan_id`` (and
# ``plan2_*`` for a pair) name the plans whose visibility decides who sees the row
# (store/collab.py); ``restricted`` (",org,org,") limits a row to some organisations.


def _subject_columns() -> list[sa.Column[Any]]:
    return [
        sa.Column("subject_kind", sa.String(16), nullable=False),
        sa.Column("subject_key", sa.String(1000), nullable=False),
        sa.Column("plan_owner", sa.String(200)),
        sa.Column("plan_id", sa.String(200)),
        sa.Column("plan2_owner", sa.String(200)),
        sa.Column("plan2_id", sa.String(200)),
        sa.Column("restricted", sa.String(2000)),
    ]


threads = sa.Table(
    "threads",
    metadata,
    sa.Column("pk", sa.Integer, primary_key=True, autoincrement=True),
    *_subject_columns(),
    sa.Column("title", sa.String(300), nullable=False),
    sa.Column("author_org", sa.String(200), nullable=False),
    sa.Column("actor", sa.String(200), nullable=False),
    sa.Column("status", sa.String(16), nullable=False, server_default="open"),
    sa.Column("conclusion", sa.Text),
    sa.Column("resolved_at", sa.DateTime(timezone=True)),
    sa.Column("resolved_by", sa.String(200)),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Index("ix_threads_plan", "plan_owner", "plan_id"),
)

posts = sa.Table(
    "posts",
    metadata,
    sa.Column("pk", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("thread_pk", sa.Integer, sa.ForeignKey("threads.pk", ondelete="CASCADE"), nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("author_org", sa.String(200), nullable=False),
    sa.Column("actor", sa.String(200), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Index("ix_posts_thread", "thread_pk", "pk"),
)

mentions = sa.Table(
    "mentions",
    metadata,
    sa.Column("pk", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("post_pk", sa.Integer, sa.ForeignKey("posts.pk", ondelete="CASCADE"), nullable=False),
    #: as written (an organisation code or a user's e-mail address), lower case
    sa.Column("token", sa.String(320), nullable=False),
    #: the organisation told; None when the token names nobody
    sa.Column("org", sa.String(200)),
    #: False when the organisation may not see the thread (then it is not told)
    sa.Column("notified", sa.Boolean, nullable=False),
    sa.Index("ix_mentions_post", "post_pk"),
)

documents = sa.Table(
    "documents",
    metadata,
    sa.Column("pk", sa.Integer, primary_key=True, autoincrement=True),
    *_subject_columns(),
    sa.Column("title", sa.String(500), nullable=False),
    sa.Column("owner_org", sa.String(200), nullable=False),
    sa.Column("current_version", sa.Integer, nullable=False),
    #: the extracted text of the current version (for search)
    sa.Column("text", sa.Text),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Index("ix_documents_plan", "plan_owner", "plan_id"),
)

document_versions = sa.Table(
    "document_versions",
    metadata,
    sa.Column("pk", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("document_pk", sa.Integer, sa.ForeignKey("documents.pk", ondelete="CASCADE"), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("filename", sa.String(200), nullable=False),
    #: the blob (store/blobs.py): content-addressed, one copy per distinct content
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("size", sa.BigInteger, nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("mime", sa.String(200), nullable=False),
    sa.Column("text_problem", sa.String(1000)),
    sa.Column("actor", sa.String(200), nullable=False),
    sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
    sa.UniqueConstraint("document_pk", "version", name="uq_document_versions_version"),
    sa.Index("ix_document_versions_sha256", "sha256"),
)

contacts = sa.Table(
    "contacts",
    metadata,
    sa.Column("pk", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("org", sa.String(200), nullable=False),
    #: the plan this person is the contact for (None: for the organisation)
    sa.Column("plan_owner", sa.String(200)),
    sa.Column("plan_id", sa.String(200)),
    sa.Column("name", sa.String(300), nullable=False),
    sa.Column("role", sa.String(100), nullable=False),
    sa.Column("email", sa.String(320)),
    sa.Column("phone", sa.String(40)),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Index("ix_contacts_plan", "plan_owner", "plan_id"),
)

meetings = sa.Table(
    "meetings",
    metadata,
    sa.Column("pk", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("held_on", sa.Date, nullable=False),
    sa.Column("title", sa.String(300), nullable=False),
    #: the agenda covered the changes since this date
    sa.Column("since", sa.Date, nullable=False),
    sa.Column("actor", sa.String(200), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)

agenda_items = sa.Table(
    "agenda_items",
    metadata,
    sa.Column("pk", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("meeting_pk", sa.Integer, sa.ForeignKey("meetings.pk", ondelete="CASCADE"), nullable=False),
    sa.Column("number", sa.Integer, nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("title", sa.String(1000), nullable=False),
    sa.Column("detail", sa.Text),
    sa.Column("plans", sa.JSON, nullable=False),
    sa.Column("thread_pk", sa.Integer, sa.ForeignKey("threads.pk", ondelete="SET NULL")),
    sa.UniqueConstraint("meeting_pk", "number", name="uq_agenda_items_number"),
)

decisions = sa.Table(
    "decisions",
    metadata,
    sa.Column("pk", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("meeting_pk", sa.Integer, sa.ForeignKey("meetings.pk", ondelete="SET NULL")),
    sa.Column("item_number", sa.Integer),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("decided_on", sa.Date, nullable=False),
    sa.Column("thread_pk", sa.Integer, sa.ForeignKey("threads.pk", ondelete="SET NULL")),
    sa.Column("actor", sa.String(200), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)

decision_plans = sa.Table(
    "decision_plans",
    metadata,
    sa.Column("decision_pk", sa.Integer, sa.ForeignKey("decisions.pk", ondelete="CASCADE"), primary_key=True),
    sa.Column("plan_owner", sa.String(200), primary_key=True),
    sa.Column("plan_id", sa.String(200), primary_key=True),
    sa.Index("ix_decision_plans_plan", "plan_owner", "plan_id"),
)

# --------------------------------------------------------------------------- plan rules (migration 0015, issue 15)

#: normalised plan rules (openruimte.rules.model.Rule) from IMRO2012 and STOP/TPOD plans; public
#: information: anyone may read them. ``owner`` is the organisation that imported them;
#: re-importing a plan (``plan_id``) replaces its rules (store/rules.py)
rules = sa.Table(
    "rules",
    metadata,
    sa.Column("pk", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("id", sa.String(1000), nullable=False, unique=True),
    sa.Column("kind", sa.String(100), nullable=False),
    sa.Column("value", sa.Float),
    sa.Column("unit", sa.String(32)),
    sa.Column("geometry", GeometryType(), nullable=False),
    sa.Column("plan_id", sa.String(500), nullable=False),
    sa.Column("source_id", sa.String(500), nullable=False),
    sa.Column("article", sa.String(500)),
    sa.Column("name", sa.String(1000), nullable=False, server_default=""),
    sa.Column("regime", sa.String(16), nullable=False),
    sa.Column("bestemming", sa.String(500)),
    sa.Column("source", sa.String(1000), nullable=False),
    sa.Column("dataset_id", sa.Integer, sa.ForeignKey("datasets.pk", ondelete="SET NULL")),
    sa.Column("owner", sa.String(200)),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("created_by", sa.String(200), nullable=False),
    sa.Index("ix_rules_kind", "kind"),
    sa.Index("ix_rules_plan_id", "plan_id"),
)

# ----------------------------------------------------------------------- plan-rule checks (migration 0016, issue 15)

#: every run of the plan-rule checks of a plan (its own volume) or of one of its model versions,
#: kept so the history shows a design going from fail to pass (store/rulechecks.py)
rule_checks = sa.Table(
    "rule_checks",
    metadata,
    sa.Column("pk", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("owner", sa.String(200), nullable=False),
    sa.Column("plan_id", sa.String(200), nullable=False),
    #: the model version checked (None: the plan's own volume)
    sa.Column("version_pk", sa.Integer, sa.ForeignKey("bim_model_versions.pk", ondelete="CASCADE")),
    #: model or plan
    sa.Column("subject", sa.String(16), nullable=False),
    #: pass, fail, cannot_check or not_applicable (rules/checks.py overall)
    sa.Column("status", sa.String(16), nullable=False),
    #: upload (a new model version), manual (CLI, API)
    sa.Column("trigger", sa.String(16), nullable=False),
    #: the design checked (footprint area, heights, peil and its source, storeys)
    sa.Column("design", sa.JSON, nullable=False),
    #: every check's result (CheckResult.to_json, the outside part in EPSG:28992)
    sa.Column("results", sa.JSON, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("created_by", sa.String(200), nullable=False),
    sa.Index("ix_rule_checks_plan", "owner", "plan_id"),
)
