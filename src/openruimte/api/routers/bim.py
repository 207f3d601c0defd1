"""BIM models of plans: upload a version, list, read, compare, footprints, download the original.

Uploads are multipart (``file``, optional ``label`` and ``at``), streamed to disk (never
held in memory whole), refused with 413 above ``OPENRUIMTE_BIM_MAX_BYTES``; only
editors and admins of the plan's owning organisation may upload. Everything else
follows the plan's visibility (services/bim.py).
"""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import FileResponse

from openruimte.api import geo
from openruimte.api.deps import PrincipalDep, SettingsDep, StoreDep
from openruimte.api.errors import ApiError
from openruimte.api.routers.plans import _may_write
from openruimte.bim.georef import parse_at
from openruimte.services import bim

router = APIRouter(prefix="/api/bim", tags=["bim"])

CHUNK = 1024 * 1024
#: a version id (database integer)
VersionId = Annotated[int, PathParam(ge=1, le=2_147_483_647, description="Id of the model version.")]


def _safe_name(name: str | None) -> str:
    base = Path(name or "model.ifc").name
    base = re.sub(r"[^A-Za-z0-9._ -]", "_", base).strip() or "model.ifc"
    return base[:200]


@router.post(
    "/plans/{owner}/{plan_id}/models",
    status_code=201,
    summary="Upload a model version (multipart: file, label, at); editors and admins of the plan's owner only",
)
async def upload(
    request: Request, store: StoreDep, principal: PrincipalDep, settings: SettingsDep, owner: str, plan_id: str
) -> dict[str, Any]:
    _may_write(principal, owner)
    limit = settings.bim_max_bytes
    folder = Path(tempfile.mkdtemp(prefix="openruimte-bim-"))
    try:
        form = await request.form(max_files=1, max_fields=10)
        upload_file = form.get("file")
        if upload_file is None or isinstance(upload_file, str):
            raise ApiError(422, "invalid_request", "send the IFC file as multipart form field 'file'")
        name = _safe_name(upload_file.filename)
        path = folder / name
        size = 0
        with path.open("wb") as out:  # from Starlette's spooled file to ours, in chunks
            while chunk := await upload_file.read(CHUNK):
                size += len(chunk)
                if size > limit:
                    raise ApiError(413, "too_large", f"{name} is larger than the limit of {limit:,} bytes")
                out.write(chunk)
        await form.close()
        label = form.get("label")
        at = form.get("at")
        import anyio.to_thread

        result = await anyio.to_thread.run_sync(
            lambda: bim.register_file(
                store,
                path,
                f"{owner}:{plan_id}",
                principal=principal,
                label=label if isinstance(label, str) and label.strip() else None,
                at=parse_at(at) if isinstance(at, str) and at.strip() else None,
                file_name=name,
                limit=limit,
            )
        )
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return result


@router.get("/plans/{owner}/{plan_id}/models", summary="The models of a plan with their versions")
def list_models(store: StoreDep, principal: PrincipalDep, owner: str, plan_id: str) -> list[dict[str, Any]]:
    return bim.list_models(store, principal, f"{owner}:{plan_id}")


@router.get("/versions/{version_id}", summary="One model version: metadata, georeferencing, footprint (EPSG:28992)")
def get_version(store: StoreDep, principal: PrincipalDep, version_id: VersionId) -> dict[str, Any]:
    row = bim.resolve_version(store, principal, f"#{version_id}")
    return bim.version_json(row)


@router.get("/versions/{version_id}/file", summary="Download the original IFC file of a version")
def download(store: StoreDep, principal: PrincipalDep, version_id: VersionId) -> FileResponse:
    row = bim.resolve_version(store, principal, f"#{version_id}")
    path = bim.model_path(store, principal, f"#{version_id}")
    name = _safe_name(row["file_name"])
    return FileResponse(
        path,
        media_type="application/x-step",
        filename=name,
        headers={"Cache-Control": "private, no-store", "Content-Security-Policy": "default-src 'none'; sandbox"},
    )


@router.get("/diff", summary="Two versions compared (elements, footprint, height, storeys; summary in Dutch)")
def diff(
    store: StoreDep,
    principal: PrincipalDep,
    old: Annotated[int, Query(ge=1, le=2_147_483_647, description="Id of the old version.")],
    new: Annotated[int, Query(ge=1, le=2_147_483_647, description="Id of the new version.")],
) -> dict[str, Any]:
    return bim.diff(store, principal, f"#{old}", f"#{new}")


@router.get("/footprints", summary="Footprints of the newest version of every visible model (GeoJSON)")
def footprints(
    store: StoreDep,
    principal: PrincipalDep,
    crs: Annotated[str | None, Query(description="Output CRS: EPSG:4326 (default) or EPSG:28992.")] = None,
    all_versions: Annotated[bool, Query(alias="all", description="Every version, not only the newest.")] = False,
) -> dict[str, Any]:
    out_crs = geo.parse_crs(crs)
    rows = bim.footprints(store, principal, all_versions=all_versions)
    records = [footprint_record(r) for r in rows]
    feats = geo.features(records, [r["geometry"] for r in rows], [str(r["id"]) for r in rows], out_crs)
    return geo.respond(geo.collection(feats))


def footprint_record(row: dict[str, Any]) -> dict[str, Any]:
    """The properties of a footprint feature (map layer, GeoJSON and OGC API Features)."""
    meta = row.get("metadata") or {}
    return {
        "key": row["ref"],
        "plan": row["plan"],
        "label": row["label"],
        "version": row["version"],
        "version_id": row["id"],
        "file_name": row["file_name"],
        "schema": row["schema"],
        "created_at": row["created_at"],
        "bottom_m": row["bottom_m"],
        "top_m": row["top_m"],
        "storeys": len(row.get("storeys") or []),
        "footprint_area_m2": meta.get("footprint_area_m2"),
        "georef_method": (row.get("georef") or {}).get("method"),
        "confidence": (row.get("georef") or {}).get("confidence"),
    }
