"""Importing a file through the API: the same importer as ``openruimte import``,
with the same column mapping, for an editor of the organisation whose rows they are.

``POST /api/import/{kind}`` (multipart): ``file``, and optionally ``map`` (repeated,
``KEY=COLUMN`` as ``--map``), ``crs``, ``encoding``, ``layer``, ``dry_run``. Rows
without an owner become the caller's organisation's; rows of another owner are
refused (an editor writes only their own organisation's plans and assets). All rows
or none; a dry run answers with the first rows as they would be stored.
"""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, UploadFile

from openruimte.api.deps import PrincipalDep, StoreDep
from openruimte.api.errors import ApiError
from openruimte.api.routers.plans import _may_write
from openruimte.io.mapping import ColumnMapping
from openruimte.model import InputError
from openruimte.services.importing import import_file

router = APIRouter(prefix="/api/import", tags=["import"])

#: kinds an organisation imports for itself (reference data is the administrator's, with the CLI)
KINDS = ("plans", "assets")
_SUFFIXES = (".csv", ".xlsx", ".gpkg", ".geojson", ".json", ".jsonfg")
_CHUNK = 1 << 20


@router.post("/{kind}", summary="Import a file of the caller's organisation's plans or assets (all rows or none)")
async def import_upload(
    kind: str,
    store: StoreDep,
    principal: PrincipalDep,
    file: Annotated[UploadFile, File(description="CSV, XLSX, GeoPackage, GeoJSON or JSON-FG")],
    map_: Annotated[list[str] | None, Form(alias="map", description="KEY=COLUMN etc., as --map")] = None,
    crs: Annotated[str | None, Form()] = None,
    encoding: Annotated[str | None, Form()] = None,
    layer: Annotated[str | None, Form()] = None,
    dry_run: Annotated[bool, Form()] = False,
) -> dict[str, Any]:
    if kind not in KINDS:
        raise ApiError(404, "not_found", f"import kinds through the API: {', '.join(KINDS)}")
    if principal.org is None:
        _may_write(principal, "")  # 401 with the hint
    _may_write(principal, principal.org or "")
    name = Path(file.filename or "upload").name
    if not name.lower().endswith(_SUFFIXES):
        raise ApiError(415, "unsupported_format", f"'{name}': send {', '.join(_SUFFIXES)}")
    try:
        mapping = ColumnMapping.parse([m for m in map_ or [] if m.strip()], files=False)
    except InputError as err:
        raise ApiError(422, "invalid_mapping", str(err)) from None
    with tempfile.TemporaryDirectory(prefix="openruimte-import-") as folder:
        path = Path(folder) / name
        with path.open("wb") as out:  # streamed: the body limit (413) holds while reading
            while chunk := await file.read(_CHUNK):
                out.write(chunk)
        report = await asyncio.to_thread(
            import_file,
            store,
            kind,
            path,
            actor=principal.actor,
            owner=principal.org,
            crs=crs or None,
            encoding=encoding or None,
            layer=layer or None,
            dry_run=dry_run,
            mapping=mapping,
            principal=principal,
        )
    if report.errors:
        raise ApiError(
            422,
            "invalid_file",
            f"{len(report.errors)} error(s) in {report.source}; nothing was imported",
            [e.as_dict() for e in report.errors[:1000]],
        )
    summary = report.summary
    return {
        "kind": kind,
        "source": report.source,
        "rows": report.rows,
        "dry_run": dry_run,
        "inserted": summary.inserted if summary else 0,
        "updated": summary.updated if summary else 0,
        "unchanged": summary.unchanged if summary else 0,
        "warnings": report.warnings,
        "preview": [{k: _plain(v) for k, v in r.items()} for r in report.preview],
    }


def _plain(value: Any) -> Any:
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return str(value)
