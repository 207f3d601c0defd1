"""Plan rules in the store: table ``rules`` (migration 0015, issue 15).

A rule row is one normalised plan rule (:class:`openruimte.rules.model.Rule`, as a
dict here: the store does not import the pure packages). Rules are public
information: every reader may read every rule, so reads take no principal.

Writes go through :class:`~openruimte.store.repository.Writer`: one transaction, the
spatial index and the audit log go along. Importing a plan again (the same
``plan_id``) replaces all of that plan's rules; the writer's principal must be
allowed to write the rows it replaces (their ``owner``) and the new ones.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

import shapely
import sqlalchemy as sa

from openruimte.model.geometry import STORAGE_SRID
from openruimte.store import tables as t
from openruimte.store.spatial import BBox

#: the columns a rule dict carries (besides the row's bookkeeping)
RULE_FIELDS = ("kind", "value", "unit", "geometry", "plan_id", "source_id", "article", "name", "regime", "bestemming")
_CHUNK = 500


def rule_id(plan_id: str, source_id: str, kind: str) -> str:
    """The stable identifier of a rule: ``PLAN/SOURCE/KIND`` (a suffix ``~N`` when a source repeats a kind)."""
    return f"{plan_id}/{source_id}/{kind}"


def replace_plans(
    writer: Any,
    rules: Sequence[dict[str, Any]],
    *,
    source: str,
    owner: str | None,
    dataset_name: str,
    licence: str | None = None,
) -> dict[str, Any]:
    """Store ``rules`` (dicts with :data:`RULE_FIELDS`), replacing every rule of the plans they belong to.

    Records one ``datasets`` row (category ``rules``). Returns ``{"dataset_id", "plans":
    {plan_id: {"removed": n, "inserted": n}}, "inserted": n, "removed": n}``.
    """
    conn = writer.conn
    plan_ids = sorted({r["plan_id"] for r in rules})
    old = _rows_of_plans(conn, plan_ids)
    writer._may_write([owner, *(r.owner for r in old)])  # the store's one permission check of a write
    dataset_id = conn.execute(
        sa.insert(t.datasets).returning(t.datasets.c.pk),
        {
            "name": dataset_name,
            "category": "rules",
            "source": source,
            "temporal": "current",
            "origin": "external",
            "licence": licence,
            "snapshot_date": None,
            "owner": owner,
            "imported_at": writer.now,
            "actor": writer.actor,
            "rows": len(rules),
        },
    ).scalar_one()
    writer.audit("import", "datasets", str(dataset_id), after={"name": dataset_name, "category": "rules",
                                                               "source": source, "rows": len(rules)})  # fmt: skip
    removed: Counter[str] = Counter(r.plan_id for r in old)
    if old:
        pks = [r.pk for r in old]
        for i in range(0, len(pks), _CHUNK):
            conn.execute(sa.delete(t.rules).where(t.rules.c.pk.in_(pks[i : i + _CHUNK])))
        writer.spatial.unindex_rows(conn, t.rules, pks)
        for plan_id in sorted(removed):
            kinds = Counter(r.kind for r in old if r.plan_id == plan_id)
            writer.audit("delete", "rules", plan_id, before={"rules": removed[plan_id], "kinds": dict(kinds)})
    seen: Counter[str] = Counter()
    values = []
    for r in rules:
        base = rule_id(r["plan_id"], r["source_id"], r["kind"])
        seen[base] += 1
        values.append(
            {
                **{f: r.get(f) for f in RULE_FIELDS},
                "name": r.get("name") or "",
                "id": base if seen[base] == 1 else f"{base}~{seen[base]}",
                "source": source,
                "dataset_id": dataset_id,
                "owner": owner,
                "created_at": writer.now,
                "created_by": writer.actor,
            }
        )
    inserted: Counter[str] = Counter()
    for i in range(0, len(values), _CHUNK):
        chunk = values[i : i + _CHUNK]
        pks = conn.execute(sa.insert(t.rules).returning(t.rules.c.pk, t.rules.c.id), chunk).all()
        by_id = {row.id: row.pk for row in pks}
        writer.spatial.index_rows(conn, t.rules, [(by_id[v["id"]], v["geometry"]) for v in chunk])
        audit = [
            writer._audit("insert", "rules", v["id"], None, None,
                          {"kind": v["kind"], "value": v["value"], "unit": v["unit"], "plan_id": v["plan_id"],
                           "source_id": v["source_id"], "article": v["article"], "owner": owner},
                          dataset_id)
            for v in chunk
        ]  # fmt: skip
        writer._append_audit(audit)
        inserted.update(v["plan_id"] for v in chunk)
    return {
        "dataset_id": int(dataset_id),
        "plans": {p: {"removed": removed[p], "inserted": inserted[p]} for p in plan_ids},
        "inserted": sum(inserted.values()),
        "removed": sum(removed.values()),
    }


def delete_plan(writer: Any, plan_id: str) -> int:
    """Remove every rule of ``plan_id``; returns how many."""
    old = _rows_of_plans(writer.conn, [plan_id])
    writer._may_write([r.owner for r in old])
    pks = [r.pk for r in old]
    for i in range(0, len(pks), _CHUNK):
        writer.conn.execute(sa.delete(t.rules).where(t.rules.c.pk.in_(pks[i : i + _CHUNK])))
    writer.spatial.unindex_rows(writer.conn, t.rules, pks)
    if pks:
        writer.audit("delete", "rules", plan_id, before={"rules": len(pks)})
    return len(pks)


def _rows_of_plans(conn: sa.Connection, plan_ids: Sequence[str]) -> list[Any]:
    c = t.rules.c
    out: list[Any] = []
    for i in range(0, len(plan_ids), _CHUNK):
        query = sa.select(c.pk, c.plan_id, c.kind, c.owner).where(c.plan_id.in_(plan_ids[i : i + _CHUNK]))
        out.extend(conn.execute(query).all())
    return out


# ------------------------------------------------------------------------------ reads


def rows(
    store: Any,
    *,
    bbox: BBox | None = None,
    point: tuple[float, float] | None = None,
    kinds: Iterable[str] | None = None,
    plan_ids: Iterable[str] | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[dict[str, Any]]:
    """Rule rows (dicts of every column), ordered by ``pk``.

    ``bbox`` keeps rules whose geometry intersects the box, ``point`` those that cover
    the point (its boundary included); ``kinds`` / ``plan_ids`` filter on those columns.
    """
    table = t.rules
    query = sa.select(table).order_by(table.c.pk)
    if bbox is not None:
        query = query.where(store.spatial.bbox_filter(table, bbox))
    if point is not None and store.dialect == "postgresql":
        at = sa.func.ST_SetSRID(sa.func.ST_MakePoint(float(point[0]), float(point[1])), STORAGE_SRID)
        query = query.where(table.c.geometry.op("&&")(at), sa.func.ST_Intersects(table.c.geometry, at))
    elif point is not None:
        query = query.where(store.spatial.bbox_filter(table, (point[0], point[1], point[0], point[1])))
    if kinds is not None:
        query = query.where(table.c.kind.in_(sorted(set(kinds))))
    if plan_ids is not None:
        query = query.where(table.c.plan_id.in_(sorted(set(plan_ids))))
    exact = point is not None or (bbox is not None and store.dialect != "postgresql")
    if not exact:
        query = query.offset(offset or None).limit(limit)
    with store.engine.connect() as conn:
        found = [dict(r._mapping) for r in conn.execute(query)]
    if exact:
        if bbox is not None:
            box = shapely.box(*bbox)
            found = [r for r in found if r["geometry"].intersects(box)]
        if point is not None:
            at = shapely.Point(point)
            found = [r for r in found if r["geometry"].covers(at)]
        found = found[offset : offset + limit if limit is not None else None]
    return found


def count(store: Any, *, kinds: Iterable[str] | None = None, plan_ids: Iterable[str] | None = None) -> int:
    table = t.rules
    query = sa.select(sa.func.count()).select_from(table)
    if kinds is not None:
        query = query.where(table.c.kind.in_(sorted(set(kinds))))
    if plan_ids is not None:
        query = query.where(table.c.plan_id.in_(sorted(set(plan_ids))))
    with store.engine.connect() as conn:
        return int(conn.execute(query).scalar_one())


def plans(store: Any) -> list[dict[str, Any]]:
    """Per plan: its regime, owner, source, import time and the number of rules per kind."""
    c = t.rules.c
    query = sa.select(c.plan_id, c.regime, c.owner, c.source, c.dataset_id, c.created_at, c.kind,
                      sa.func.count().label("n")).group_by(
        c.plan_id, c.regime, c.owner, c.source, c.dataset_id, c.created_at, c.kind
    ).order_by(c.plan_id, c.kind)  # fmt: skip
    out: dict[str, dict[str, Any]] = {}
    kinds: dict[str, dict[str, int]] = defaultdict(dict)
    with store.engine.connect() as conn:
        for r in conn.execute(query):
            out.setdefault(
                r.plan_id,
                {"plan_id": r.plan_id, "regime": r.regime, "owner": r.owner, "source": r.source,
                 "dataset_id": r.dataset_id, "imported_at": r.created_at},
            )  # fmt: skip
            kinds[r.plan_id][r.kind] = kinds[r.plan_id].get(r.kind, 0) + int(r.n)
    return [{**p, "kinds": kinds[p["plan_id"]], "rules": sum(kinds[p["plan_id"]].values())} for p in out.values()]


def bounds(store: Any) -> tuple[float, float, float, float] | None:
    """The extent of every rule (EPSG:28992), or None when there are none."""
    g = t.rules.c.geometry
    if store.dialect == "postgresql":
        query = sa.select(sa.func.ST_XMin(sa.func.ST_Extent(g)), sa.func.ST_YMin(sa.func.ST_Extent(g)),
                          sa.func.ST_XMax(sa.func.ST_Extent(g)), sa.func.ST_YMax(sa.func.ST_Extent(g)))  # fmt: skip
    else:
        rt = sa.table("rules_rtree", sa.column("minx"), sa.column("miny"), sa.column("maxx"), sa.column("maxy"))
        query = sa.select(sa.func.min(rt.c.minx), sa.func.min(rt.c.miny), sa.func.max(rt.c.maxx),
                          sa.func.max(rt.c.maxy))  # fmt: skip
    with store.engine.connect() as conn:
        row = conn.execute(query).one()
    if row[0] is None:
        return None
    return (float(row[0]), float(row[1]), float(row[2]), float(row[3]))
