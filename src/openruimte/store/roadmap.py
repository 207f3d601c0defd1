"""Roadmap definitions (versioned) and self-assessments (kept over time, never overwritten).

Writes go through :class:`openruimte.store.repository.Writer` (one transaction, an
audit-log entry per row); reads of assessments go through the visibility rule
:func:`openruimte.store.permissions.may_see_assessment`. Rows are plain dicts:
the use case (services/roadmap.py) turns them into roadmap objects.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from openruimte.model.access import Forbidden, Principal, may_see_assessment
from openruimte.model.errors import OpenRuimteError
from openruimte.store import tables as t
from openruimte.store.permissions import assessment_clause

VISIBILITIES = ("private", "shared", "public")


class RoadmapStoreError(OpenRuimteError):
    code = "roadmap_error"
    status = 400


def save_definition(
    store: Any,
    *,
    name: str,
    version: int,
    title: str,
    content: dict[str, Any],
    text: str,
    principal: Principal,
    owner: str | None = None,
    source_file: str | None = None,
) -> int:
    """Store one version of a definition. A version once stored is never changed: a different
    text under a stored version is refused (raise the version); the same text again is a no-op."""
    if owner is not None and not principal.may_write(owner):
        raise Forbidden(f"only an editor or admin of {owner} may load a roadmap definition for it")
    d = t.roadmap_definitions
    with store.writer(principal.actor) as w:
        old = w.conn.execute(sa.select(d).where(d.c.name == name, d.c.version == version)).first()
        if old is not None:
            if old.content == content:
                return int(old.pk)
            newest = w.conn.execute(sa.select(sa.func.max(d.c.version)).where(d.c.name == name)).scalar()
            raise RoadmapStoreError(
                f"roadmap {name} version {version} is already stored with other content; "
                f"give the changed definition 'version: {int(newest) + 1}'"
            )
        values = {
            "name": name,
            "version": version,
            "title": title,
            "owner": owner,
            "source_file": source_file,
            "content": content,
            "text": text,
            "created_at": w.now,
            "author": principal.actor,
        }
        pk = w.conn.execute(sa.insert(d).returning(d.c.pk), values).scalar_one()
        w.audit("insert", "roadmap_definitions", f"{name}:{version}", after={**values, "text": None, "content": None})
    return int(pk)


def definitions(store: Any) -> list[dict[str, Any]]:
    """Every stored definition version (without the text), by name and version."""
    d = t.roadmap_definitions
    cols = [d.c.pk, d.c.name, d.c.version, d.c.title, d.c.owner, d.c.source_file, d.c.created_at, d.c.author]
    with store.engine.connect() as conn:
        rows = conn.execute(sa.select(*cols).order_by(d.c.name, d.c.version)).all()
    return [dict(r._mapping) for r in rows]


def definition(store: Any, name: str, version: int | None = None) -> dict[str, Any] | None:
    """One stored definition (the newest version unless ``version``), or None."""
    d = t.roadmap_definitions
    query = sa.select(d).where(d.c.name == name)
    query = query.where(d.c.version == version) if version is not None else query.order_by(d.c.version.desc())
    with store.engine.connect() as conn:
        row = conn.execute(query.limit(1)).first()
    return dict(row._mapping) if row is not None else None


def add_assessments(store: Any, rows: Sequence[dict[str, Any]], principal: Principal) -> list[int]:
    """Record assessments (all or none), each by an editor or admin of its organisation."""
    a = t.roadmap_assessments
    for row in rows:
        if not principal.may_write(row["org"]):
            raise Forbidden(f"only an editor or admin of {row['org']} may record its roadmap assessments")
        if row.get("visibility", "private") not in VISIBILITIES:
            raise RoadmapStoreError(f"visibility {row.get('visibility')!r}; use one of: {', '.join(VISIBILITIES)}")
    orgs = {r["org"] for r in rows}
    pks: list[int] = []
    with store.writer(principal.actor) as w:
        known = {
            c for (c,) in w.conn.execute(sa.select(t.organisations.c.code).where(t.organisations.c.code.in_(orgs)))
        }
        missing = sorted(orgs - known)
        if missing:
            raise RoadmapStoreError(
                f"unknown organisation {', '.join(missing)}; add it first: openruimte org add CODE --name NAME"
            )
        for row in rows:
            values = {
                "org": row["org"],
                "roadmap": row["roadmap"],
                "definition_version": row["definition_version"],
                "station": row["station"],
                "state": row["state"],
                "note": row.get("note"),
                "evidence": list(row.get("evidence") or []),
                "documents": list(row.get("documents") or []),
                "assessed_on": row["assessed_on"],
                "author": row.get("author") or principal.actor,
                "visibility": row.get("visibility", "private"),
                "shared_with": sorted(set(row.get("shared_with") or [])),
                "created_at": w.now,
            }
            pk = int(w.conn.execute(sa.insert(a).returning(a.c.pk), values).scalar_one())
            w.audit(
                "insert", "roadmap_assessments", f"{row['org']}:{row['roadmap']}:{row['station']}:{pk}", after=values
            )
            pks.append(pk)
    return pks


def assessments(
    store: Any,
    principal: Principal,
    *,
    roadmap: str | None = None,
    org: str | None = None,
    until: dt.date | None = None,
) -> list[dict[str, Any]]:
    """The assessments ``principal`` may see, oldest first."""
    a = t.roadmap_assessments
    query = sa.select(a).order_by(a.c.assessed_on, a.c.pk)
    clause = assessment_clause(principal, a)
    if clause is not None:
        query = query.where(clause)
    if roadmap is not None:
        query = query.where(a.c.roadmap == roadmap)
    if org is not None:
        query = query.where(a.c.org == org)
    if until is not None:
        query = query.where(a.c.assessed_on <= until)
    with store.engine.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(query)]
    return [r for r in rows if may_see_assessment(principal, r["org"], r["visibility"], r["shared_with"] or ())]


def organisation_names(store: Any) -> dict[str, str]:
    with store.engine.connect() as conn:
        return {c: n for c, n in conn.execute(sa.select(t.organisations.c.code, t.organisations.c.name))}
