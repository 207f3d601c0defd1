"""The model register: BIM models per plan, their versions, and the original files.

Rows live in ``bim_models`` / ``bim_model_versions`` (migration 0008); the original IFC
files are kept content-addressed (``<blob dir>/<sha[:2]>/<sha>.ifc``) in the blob
directory: ``$OPENRUIMTE_BIM_DIR``, else ``<sqlite file>.bim/`` next to a SQLite
database, else ``openruimte-bim/`` in the working directory. Writes go through
:class:`~openruimte.store.repository.Writer` (audit log in the same transaction);
reads filter on the plan's visibility in :mod:`openruimte.services.bim`.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from openruimte.store import hooks
from openruimte.store import tables as t

CHUNK = 1024 * 1024


def blob_dir(store: Any) -> Path:
    """Where the original files of ``store`` are kept."""
    from openruimte.settings import Settings

    configured = getattr(store, "bim_dir", None) or Settings().bim_dir
    if configured:
        return Path(configured)
    url = make_url(str(store.engine.url))
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        db = Path(url.database)
        return db.with_name(db.name + ".bim")
    return Path("openruimte-bim").resolve()


def blob_path(root: Path, sha256: str) -> Path:
    return root / sha256[:2] / f"{sha256}.ifc"


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            h.update(chunk)
    return h.hexdigest()


def put_blob(root: Path, sha256: str, source: Path) -> bool:
    """Copy ``source`` into the blob directory (atomically); False when it was there already."""
    target = blob_path(root, sha256)
    if target.exists():
        return False
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + f".part-{os.getpid()}")
    shutil.copyfile(source, tmp)
    os.replace(tmp, target)
    return True


# ------------------------------------------------------------------------------ writes


def add_version(writer: Any, *, owner: str, plan_id: str, label: str, values: dict[str, Any]) -> dict[str, Any]:
    """Register a version of the model ``label`` of plan ``owner:plan_id`` (the model is made when new).
    ``values``: sha256, file_name, size_bytes, schema, metadata, georef, geometry, bottom_m, top_m, storeys.
    Returns the new version row as a dict. Audit entries go along in the same transaction."""
    conn = writer.conn
    m = t.bim_models
    row = conn.execute(sa.select(m).where(m.c.owner == owner, m.c.plan_id == plan_id, m.c.label == label)).first()
    if row is None:
        model_pk = conn.execute(
            sa.insert(m).returning(m.c.pk),
            {"owner": owner, "plan_id": plan_id, "label": label, "created_at": writer.now, "created_by": writer.actor},
        ).scalar_one()
        writer.audit("insert", "bim_models", f"{owner}:{plan_id}/{label}", after={"pk": model_pk, "label": label})
    else:
        model_pk = row.pk
    v = t.bim_model_versions
    last = conn.execute(sa.select(sa.func.max(v.c.version)).where(v.c.model_pk == model_pk)).scalar() or 0
    rec = {**values, "model_pk": model_pk, "version": last + 1, "created_at": writer.now, "created_by": writer.actor}
    pk = conn.execute(sa.insert(v).returning(v.c.pk), rec).scalar_one()
    writer.spatial.index_rows(conn, v, [(pk, values["geometry"])])
    writer.audit(
        "insert",
        "bim_model_versions",
        f"{owner}:{plan_id}/{label}@{last + 1}",
        after={
            "pk": pk,
            "sha256": values["sha256"],
            "file_name": values["file_name"],
            "size_bytes": values["size_bytes"],
            "schema": values["schema"],
        },
    )
    row = {**rec, "pk": pk, "owner": owner, "plan_id": plan_id, "label": label}
    hooks.changed(writer, "bim_model_versions", [(None, row)])  # e.g. the plan-rule check of the new version
    return row


# ------------------------------------------------------------------------------ reads

_COLUMNS = (t.bim_models.c.owner, t.bim_models.c.plan_id, t.bim_models.c.label)


def _select() -> Any:
    v = t.bim_model_versions
    return sa.select(v, *_COLUMNS).join(t.bim_models, t.bim_models.c.pk == v.c.model_pk)


def versions(
    store: Any, *, plans: Iterable[tuple[str, str]] | None = None, latest_only: bool = False
) -> list[dict[str, Any]]:
    """Model versions (of the given plans, all when None), ordered by plan, label and version."""
    v = t.bim_model_versions
    query = _select().order_by(t.bim_models.c.owner, t.bim_models.c.plan_id, t.bim_models.c.label, v.c.version)
    wanted = set(plans) if plans is not None else None
    with store.engine.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(query)]
    if wanted is not None:
        rows = [r for r in rows if (r["owner"], r["plan_id"]) in wanted]
    if latest_only:
        newest: dict[int, dict[str, Any]] = {}
        for r in rows:
            newest[r["model_pk"]] = r
        rows = list(newest.values())
    return rows


def version(store: Any, *, pk: int | None = None, owner: str | None = None, plan_id: str | None = None,
            label: str | None = None, number: int | None = None) -> dict[str, Any] | None:  # fmt: skip
    """One version by its id, or by plan, label and number (the newest when ``number`` is None)."""
    v, m = t.bim_model_versions, t.bim_models
    query = _select()
    if pk is not None:
        query = query.where(v.c.pk == pk)
    else:
        query = query.where(m.c.owner == owner, m.c.plan_id == plan_id)
        if label is not None:
            query = query.where(m.c.label == label)
        if number is not None:
            query = query.where(v.c.version == number)
        query = query.order_by(v.c.version.desc(), v.c.pk.desc())
    with store.engine.connect() as conn:
        row = conn.execute(query.limit(1)).first()
    return dict(row._mapping) if row is not None else None


def all_shas(conn: sa.Connection) -> list[str]:
    v = t.bim_model_versions
    return sorted({r[0] for r in conn.execute(sa.select(v.c.sha256))})
