"""Storage: SQLite (embedded default) or PostgreSQL + PostGIS, one schema, Alembic migrations."""

from openruimte.store.repository import PlanFilter, RowMeta, StaleVersion, Store, StoreError, WriteSummary, database_url

__all__ = ["PlanFilter", "RowMeta", "StaleVersion", "Store", "StoreError", "WriteSummary", "database_url"]
