"""Plan rules (issue 15) over REST: ``GET /api/rules`` (GeoJSON), ``GET /api/rules/plans`` and
``POST /api/rules/import`` (an IMRO2012 GML or a STOP/TPOD .zip, for an editor: the rules are
recorded as imported by the caller's organisation).

Rules are public information (a plan's rules are published by law): anyone may read them,
logged in or not. The same import as ``openruimte import rules`` (services/rules.py).
"""

from __future__ import annotations

import asyncio
import math
import tempfile
from pathlib import Path
from typing import Annotated, Any

import shapely
from fastapi import APIRouter, File, Form, Query, Request, UploadFile

from openruimte.api import geo, params
from openruimte.api.deps import PrincipalDep, StoreDep
from openruimte.api.errors import ApiError
from openruimte.api.routers.plans import _may_write
from openruimte.io.crs import transform
from openruimte.model import STORAGE_CRS
from openruimte.model.errors import InputError
from openruimte.services import rules

router = APIRouter(prefix="/api/rules", tags=["rules"])

BBox = Annotated[str | None, Query(description="minx,miny,maxx,maxy in bbox-crs (default lon/lat WGS84).")]
BBoxCrs = Annotated[str | None, Query(alias="bbox-crs", description="EPSG:4326 (default) or EPSG:28992.")]
Crs = Annotated[str | None, Query(description="Output CRS: EPSG:4326 (default) or EPSG:28992.")]
Listed = Annotated[str | None, Query(description="One value or several, comma separated.")]
LIST_PARAMETERS = frozenset({"bbox", "bbox-crs", "point", "kind", "plan_id", "crs", "limit", "offset"})
PointQ = Annotated[str | None, Query(description="x,y in bbox-crs: only the rules that apply at this point.")]


@router.get("", summary="Plan rules (bestemmingsvlak, bouwvlak, maximum heights ...) as GeoJSON; public")
def list_rules(
    request: Request,
    store: StoreDep,
    bbox: BBox = None,
    bbox_crs: BBoxCrs = None,
    point: PointQ = None,
    kind: Listed = None,
    plan_id: Listed = None,
    crs: Crs = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> dict[str, Any]:
    params.reject_unknown(request, LIST_PARAMETERS)
    out_crs = params.parse_crs(crs)
    in_crs = params.parse_crs(bbox_crs, name="bbox-crs")
    box = params.parse_bbox(bbox, in_crs)
    at = _point(point, in_crs)
    kinds = params.parse_list(kind) or None
    plan_ids = params.parse_list(plan_id) or None
    found = rules.records(store, bbox=box, point=at, kinds=kinds, plan_ids=plan_ids)
    page = found[offset : offset + limit]
    return geo.respond(
        geo.collection(rules.features(page, out_crs), numberMatched=len(found), numberReturned=len(page))
    )


@router.get("/plans", summary="The plans whose rules are imported, with the number of rules per kind; public")
def list_plans(request: Request, store: StoreDep) -> list[dict[str, Any]]:
    params.reject_unknown(request, set())
    return [{**p, "imported_at": geo.json_value(p["imported_at"])} for p in rules.plans(store)]


_SUFFIXES = (".gml", ".xml", ".zip")
_CHUNK = 1 << 20


@router.post("/import", summary="Import a plan's rules (IMRO2012 .gml/.xml, STOP/TPOD .zip); all or nothing")
async def import_upload(
    store: StoreDep,
    principal: PrincipalDep,
    file: Annotated[UploadFile, File(description="IMRO2012 GML, or a STOP/TPOD delivery as .zip")],
    dry_run: Annotated[bool, Form()] = False,
) -> dict[str, Any]:
    if principal.org is None:
        _may_write(principal, "")  # 401 with the hint
    _may_write(principal, principal.org or "")
    name = Path(file.filename or "upload").name
    if not name.lower().endswith(_SUFFIXES):
        raise ApiError(415, "unsupported_format", f"'{name}': send {', '.join(_SUFFIXES)}")
    with tempfile.TemporaryDirectory(prefix="openruimte-rules-") as folder:
        path = Path(folder) / name
        with path.open("wb") as out:  # streamed: the body limit (413) holds while reading
            while chunk := await file.read(_CHUNK):
                out.write(chunk)
        try:
            result = await asyncio.to_thread(
                rules.import_rules, store, path, owner=principal.org, actor=principal.actor, principal=principal,
                dry_run=dry_run,
            )  # fmt: skip
        except InputError as err:
            raise ApiError(
                422, "invalid_file", f"{len(err.errors)} error(s) in {name}; nothing was imported",
                [e.as_dict() for e in err.errors[:1000]],
            ) from None  # fmt: skip
    return result.to_json()


def _point(value: str | None, crs: str) -> tuple[float, float] | None:
    if not value:
        return None
    try:
        x, y = (float(v) for v in value.split(","))
    except ValueError:
        raise ApiError(400, "invalid_point", f"point must be two numbers x,y, got '{value}'") from None
    if not (math.isfinite(x) and math.isfinite(y)):
        raise ApiError(400, "invalid_point", f"point must be finite numbers, got '{value}'")
    if crs == STORAGE_CRS:
        return (x, y)
    moved = transform(shapely.Point(x, y), crs)
    return (moved.x, moved.y)
