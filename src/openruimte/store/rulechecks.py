"""Plan-rule checks in the store: every run kept (table ``rule_checks``, migration 0016), and the
reads a check needs inside any transaction (rules, buildings and a plan's volume near a footprint).

A run belongs to a plan (``owner``, ``plan_id``) and, for a model, to one model version
(``version_pk``; removed with it). Who may read or run one is decided in
:mod:`openruimte.services.rulecheck` (a run is seen by whoever sees its plan).
"""

from __future__ import annotations

from typing import Any

import shapely
import sqlalchemy as sa

from openruimte.store import tables as t


def add_run(writer: Any, values: dict[str, Any]) -> dict[str, Any]:
    """Keep one check run. ``values``: owner, plan_id, version_pk (or None), subject, status,
    trigger, design, results. Audited in the writer's transaction."""
    rc = t.rule_checks
    rec = {**values, "created_at": writer.now, "created_by": writer.actor}
    pk = writer.conn.execute(sa.insert(rc).returning(rc.c.pk), rec).scalar_one()
    writer.audit(
        "insert",
        "rule_checks",
        f"{values['owner']}:{values['plan_id']}#{pk}",
        after={"pk": pk, "subject": values["subject"], "version_pk": values.get("version_pk"),
               "status": values["status"]},
    )  # fmt: skip
    return {**rec, "pk": pk}


def runs(store: Any, owner: str, plan_id: str, *, limit: int | None = None) -> list[dict[str, Any]]:
    """The plan's check runs, newest first."""
    rc = t.rule_checks
    query = (
        sa.select(rc)
        .where(rc.c.owner == owner, rc.c.plan_id == plan_id)
        .order_by(rc.c.created_at.desc(), rc.c.pk.desc())
        .limit(limit)
    )
    with store.engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(query)]


def run(store: Any, pk: int) -> dict[str, Any] | None:
    rc = t.rule_checks
    with store.engine.connect() as conn:
        row = conn.execute(sa.select(rc).where(rc.c.pk == pk)).first()
    return dict(row._mapping) if row is not None else None


def latest_per_plan(store: Any) -> list[dict[str, Any]]:
    """The newest run of every plan that has one (for the map)."""
    rc = t.rule_checks
    newest = sa.select(sa.func.max(rc.c.pk).label("pk")).group_by(rc.c.owner, rc.c.plan_id).subquery()
    query = sa.select(rc).where(rc.c.pk.in_(sa.select(newest.c.pk))).order_by(rc.c.owner, rc.c.plan_id)
    with store.engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(query)]


# ------------------------------------------------------------------------------ reads for a check


def rules_near(conn: sa.Connection, spatial: Any, geometry: Any, margin_m: float = 0.0) -> list[dict[str, Any]]:
    """Rule rows (dicts of every column) whose geometry intersects ``geometry`` grown by ``margin_m``."""
    table = t.rules
    area = geometry.buffer(margin_m) if margin_m else geometry
    query = sa.select(table).where(spatial.bbox_filter(table, area.bounds)).order_by(table.c.pk)
    return [dict(r._mapping) for r in conn.execute(query) if r.geometry is not None and r.geometry.intersects(area)]


def buildings_near(conn: sa.Connection, spatial: Any, geometry: Any, margin_m: float) -> list[dict[str, Any]]:
    """Existing buildings (id, geometry, ground_height_m) within ``margin_m`` of ``geometry``."""
    b = t.buildings
    area = geometry.buffer(margin_m)
    query = sa.select(b.c.id, b.c.geometry, b.c.ground_height_m).where(spatial.bbox_filter(b, area.bounds))
    return [dict(r._mapping) for r in conn.execute(query) if shapely.intersects(r.geometry, area)]


def plan_volume(conn: sa.Connection, owner: str, plan_id: str) -> dict[str, Any] | None:
    v = t.plan_volumes
    row = conn.execute(sa.select(v).where(v.c.owner == owner, v.c.plan_id == plan_id)).first()
    return dict(row._mapping) if row is not None else None


def plan_geometry(conn: sa.Connection, owner: str, plan_id: str) -> Any:
    p = t.plans
    row = conn.execute(sa.select(p.c.geometry).where(p.c.owner == owner, p.c.id == plan_id)).first()
    return row.geometry if row is not None else None
