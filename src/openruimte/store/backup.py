"""Backup and restore: every table (audit log and geometry included) in one
engine-independent archive.

The archive is a ZIP file: ``manifest.json`` (format, schema revision, row
counts) and one JSON-lines file per table; geometry as hex WKB in EPSG:28992,
dates and times as ISO 8601. Restore writes into a database at the same schema
revision, in one transaction, and rebuilds the spatial index.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import shapely
import sqlalchemy as sa

from openruimte.model.errors import OpenRuimteError
from openruimte.store import tables as t
from openruimte.store.repository import Store

FORMAT = "openruimte-backup/1"
_BATCH = 2000

Progress = Callable[[str, int], None]


class BackupError(OpenRuimteError):
    code = "backup_error"
    status = 400


def _tables() -> list[sa.Table]:
    return list(t.metadata.sorted_tables)


def _encode(column: sa.Column[Any], value: Any) -> Any:
    if value is None:
        return None
    if isinstance(column.type, t.GeometryType):
        return shapely.to_wkb(value, hex=True)
    if isinstance(value, dt.datetime):
        return (value if value.tzinfo else value.replace(tzinfo=dt.UTC)).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _decoder(column: sa.Column[Any]) -> Callable[[Any], Any]:
    kind = column.type
    if isinstance(kind, t.GeometryType):
        return lambda v: shapely.from_wkb(bytes.fromhex(v))
    if isinstance(kind, sa.DateTime):
        return dt.datetime.fromisoformat
    if isinstance(kind, sa.Date):
        return dt.date.fromisoformat
    return lambda v: v


def backup(store: Store, out: str | Path, progress: Progress | None = None) -> dict[str, int]:
    """Write every table of ``store`` to the archive ``out``; returns rows per table."""
    out = Path(out)
    counts: dict[str, int] = {}
    revision = store.migrate()
    tmp = out.with_name(out.name + ".part")
    with store.engine.connect() as conn, conn.begin(), zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
        for table in _tables():
            n = 0
            cols = list(table.c)
            query = sa.select(table).order_by(*table.primary_key.columns)
            with zf.open(f"tables/{table.name}.jsonl", "w") as raw, io.TextIOWrapper(raw, encoding="utf-8") as fh:
                for row in conn.execution_options(yield_per=_BATCH).execute(query):
                    rec = {c.name: _encode(c, row._mapping[c.name]) for c in cols}
                    fh.write(json.dumps(rec, ensure_ascii=False, separators=(",", ":")) + "\n")
                    n += 1
                    if progress and n % _BATCH == 0:
                        progress(table.name, n)
            counts[table.name] = n
        blobs = _backup_blobs(store, conn, zf)  # BIM: the original IFC files (store/bim.py)
        counts["document_files"] = _backup_documents(store, zf)  # collab: the documents' files (store/blobs.py)
        manifest = {
            "format": FORMAT,
            "revision": revision,
            "created_at": dt.datetime.now(dt.UTC).isoformat(),
            "source_dialect": store.dialect,
            "tables": counts,
            "blobs": blobs,
        }
        zf.writestr("manifest.json", json.dumps(manifest, indent=2))
    tmp.replace(out)
    return counts


def _manifest(zf: zipfile.ZipFile, name: str) -> dict[str, Any]:
    try:
        manifest = json.loads(zf.read("manifest.json"))
    except (KeyError, ValueError) as err:
        raise BackupError(f"{name} is not an OpenRuimte backup (no readable manifest.json)") from err
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{name} has format {manifest.get('format')!r}; expected {FORMAT}")
    return manifest


def _rows(zf: zipfile.ZipFile, table: sa.Table) -> Iterator[list[dict[str, Any]]]:
    decoders = {c.name: _decoder(c) for c in table.c}
    batch: list[dict[str, Any]] = []
    with zf.open(f"tables/{table.name}.jsonl") as raw, io.TextIOWrapper(raw, encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            batch.append({k: (decoders[k](v) if v is not None else None) for k, v in rec.items() if k in decoders})
            if len(batch) >= _BATCH:
                yield batch
                batch = []
    if batch:
        yield batch


def is_empty(store: Store) -> bool:
    with store.engine.connect() as conn:
        return all(conn.execute(sa.select(sa.literal(1)).select_from(tb).limit(1)).first() is None for tb in _tables())


def restore(
    store: Store, archive: str | Path, *, force: bool = False, progress: Progress | None = None
) -> dict[str, int]:
    """Restore ``archive`` into ``store`` (brought to head first). Refuses a database
    that holds data unless ``force`` (then its data is replaced). All or nothing."""
    archive = Path(archive)
    if not zipfile.is_zipfile(archive):
        raise BackupError(f"{archive} is not an OpenRuimte backup (not a ZIP archive)")
    revision = store.migrate()
    counts: dict[str, int] = {}
    with zipfile.ZipFile(archive) as zf:
        manifest = _manifest(zf, archive.name)
        if manifest["revision"] != revision:
            raise BackupError(
                f"{archive.name} is at schema revision {manifest['revision']}, the database at {revision}; "
                "restore with the OpenRuimte version that made it, or bring both to the same revision"
            )
        if not force and not is_empty(store):
            raise BackupError("the target database is not empty; restore into an empty one or pass --force")
        with store.engine.begin() as conn:
            if force:
                for table in reversed(_tables()):
                    conn.execute(sa.delete(table))
                    if table.name in t.SPATIAL_TABLES and store.dialect == "sqlite":
                        conn.execute(sa.delete(sa.table(f"{table.name}_rtree")))
            for table in _tables():
                n = 0
                for batch in _rows(zf, table):
                    conn.execute(sa.insert(table), batch)
                    if table.name in t.SPATIAL_TABLES:
                        store.spatial.index_rows(conn, table, [(r["pk"], r["geometry"]) for r in batch])
                    n += len(batch)
                    if progress:
                        progress(table.name, n)
                counts[table.name] = n
                if store.dialect == "postgresql" and "pk" in table.c and n:
                    last = sa.select(sa.func.max(table.c.pk)).scalar_subquery()
                    conn.execute(sa.select(sa.func.setval(sa.func.pg_get_serial_sequence(table.name, "pk"), last)))
            counts["document_files"] = _restore_documents(store, zf)  # collab: the documents' files
            expected = manifest.get("tables", {})
            if any(counts.get(k, 0) != v for k, v in expected.items()):  # rolls the restore back
                raise BackupError(f"restored row counts {counts} differ from the manifest {expected}")
            _restore_blobs(store, conn, zf, archive.name)  # BIM: a missing or altered file rolls the restore back
    return counts


# --------------------------------------------------------------------------- BIM model files (store/bim.py)


def _backup_blobs(store: Store, conn: sa.Connection, zf: zipfile.ZipFile) -> int:
    """Every original IFC file a model version refers to, as ``blobs/<sha256>.ifc``."""
    from openruimte.store import bim

    root = bim.blob_dir(store)
    shas = bim.all_shas(conn)
    for sha in shas:
        path = bim.blob_path(root, sha)
        if not path.is_file():
            raise BackupError(f"the model file {path} (sha256 {sha}) is missing from the BIM file directory {root}")
        zf.write(path, f"blobs/{sha}.ifc")
    return len(shas)


def _restore_blobs(store: Store, conn: sa.Connection, zf: zipfile.ZipFile, name: str) -> None:
    import hashlib
    import os

    from openruimte.store import bim

    root = bim.blob_dir(store)
    for sha in bim.all_shas(conn):
        target = bim.blob_path(root, sha)
        if target.is_file():
            continue
        try:
            member = zf.getinfo(f"blobs/{sha}.ifc")
        except KeyError:
            raise BackupError(f"{name} lacks the model file blobs/{sha}.ifc that a model version refers to") from None
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(target.name + ".part")
        digest = hashlib.sha256()
        with zf.open(member) as src, tmp.open("wb") as dst:
            while chunk := src.read(1024 * 1024):
                digest.update(chunk)
                dst.write(chunk)
        if digest.hexdigest() != sha:
            tmp.unlink()
            raise BackupError(f"{name}: blobs/{sha}.ifc does not match its sha256; the archive is damaged")
        os.replace(tmp, target)


# --------------------------------------------------------------------------- documents' files (collab)


def _backup_documents(store: Store, zf: zipfile.ZipFile) -> int:
    """Add every blob a document version names as ``documents/<sha256>`` (a missing one fails the backup)."""
    from openruimte.store.blobs import blobs_of
    from openruimte.store.collab import blob_shas

    blobs = blobs_of(store)
    n = 0
    for sha in blob_shas(store):
        path = blobs.path(sha)
        if not path.is_file():
            raise BackupError(f"the file of a document (sha256 {sha}) is missing from {blobs.root}; restore it first")
        zf.write(path, f"{_DOCUMENTS}{sha}")
        n += 1
    return n


_DOCUMENTS = "documents/"


def _restore_documents(store: Store, zf: zipfile.ZipFile) -> int:
    """Put the archive's document files into the data directory, each checked against its hash."""
    import hashlib

    from openruimte.store.blobs import blobs_of

    blobs = blobs_of(store)
    n = 0
    for name in zf.namelist():
        if not name.startswith(_DOCUMENTS):
            continue
        sha = name.removeprefix(_DOCUMENTS)
        data = zf.read(name)
        if hashlib.sha256(data).hexdigest() != sha:
            raise BackupError(f"{name} in the archive does not match its SHA-256; the archive is damaged")
        blobs.put_bytes(data)
        n += 1
    return n
