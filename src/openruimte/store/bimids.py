"""The IDS register: information-requirement files per organisation (versioned) and the
results of checking model versions against them (migration 0012).

Writes go through :class:`~openruimte.store.repository.Writer` (audit log in the same
transaction); who may write or read is decided in :mod:`openruimte.services.bimids`.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from openruimte.store import tables as t


def add_ids(writer: Any, *, owner: str, name: str, values: dict[str, Any]) -> dict[str, Any]:
    """Register the next version of requirement set ``name`` of ``owner``.
    ``values``: sha256, file_name, title, specifications, warnings, content (base64)."""
    f = t.bim_ids_files
    last = (
        writer.conn.execute(sa.select(sa.func.max(f.c.version)).where(f.c.owner == owner, f.c.name == name)).scalar()
        or 0
    )
    rec = {**values, "owner": owner, "name": name, "version": last + 1, "created_at": writer.now,
           "created_by": writer.actor}  # fmt: skip
    pk = writer.conn.execute(sa.insert(f).returning(f.c.pk), rec).scalar_one()
    writer.audit(
        "insert",
        "bim_ids_files",
        f"{owner}/{name}@{last + 1}",
        after={"pk": pk, "sha256": values["sha256"], "file_name": values["file_name"], "title": values["title"]},
    )
    return {**rec, "pk": pk}


def ids_files(store: Any, *, owner: str | None = None, latest_only: bool = True) -> list[dict[str, Any]]:
    """Registered IDS files (of one organisation, all when None), by owner, name and version."""
    f = t.bim_ids_files
    query = sa.select(f).order_by(f.c.owner, f.c.name, f.c.version)
    if owner is not None:
        query = query.where(f.c.owner == owner)
    with store.engine.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(query)]
    if latest_only:
        newest: dict[tuple[str, str], dict[str, Any]] = {}
        for r in rows:
            newest[(r["owner"], r["name"])] = r
        rows = list(newest.values())
    return rows


def newest_ids(store: Any, *, owner: str, name: str) -> dict[str, Any] | None:
    f = t.bim_ids_files
    query = sa.select(f).where(f.c.owner == owner, f.c.name == name).order_by(f.c.version.desc()).limit(1)
    with store.engine.connect() as conn:
        row = conn.execute(query).first()
    return dict(row._mapping) if row is not None else None


def add_result(writer: Any, *, version_pk: int, ref: str, values: dict[str, Any]) -> dict[str, Any]:
    """Store the result of checking model version ``version_pk`` (``ref`` names it in the audit log).
    ``values``: ids_pks, status, trigger, summary, report, error."""
    r = t.bim_check_results
    rec = {**values, "version_pk": version_pk, "created_at": writer.now, "created_by": writer.actor}
    pk = writer.conn.execute(sa.insert(r).returning(r.c.pk), rec).scalar_one()
    writer.audit(
        "insert",
        "bim_check_results",
        ref,
        after={"pk": pk, "status": values["status"], "ids_pks": values["ids_pks"], "summary": values["summary"]},
    )
    return {**rec, "pk": pk}


def results(store: Any, *, version_pk: int) -> list[dict[str, Any]]:
    """The check results of a version, oldest first (without the full reports)."""
    r = t.bim_check_results
    cols = [c for c in r.c if c.name != "report"]
    query = sa.select(*cols).where(r.c.version_pk == version_pk).order_by(r.c.pk)
    with store.engine.connect() as conn:
        return [dict(row._mapping) for row in conn.execute(query)]


def result(store: Any, pk: int) -> dict[str, Any] | None:
    r = t.bim_check_results
    with store.engine.connect() as conn:
        row = conn.execute(sa.select(r).where(r.c.pk == pk)).first()
    return dict(row._mapping) if row is not None else None
