"""Plan rules (issue 15) over REST: ``GET /api/rules`` (GeoJSON) and ``GET /api/rules/plans``.

Rules are public information (a plan's rules are published by law): anyone may read them,
logged in or not. Importing goes through ``openruimte import rules`` (services/rules.py).
"""

from __future__ import annotations

import math
from typing import Annotated, Any

import shapely
from fastapi import APIRouter, Query

from openruimte.api import geo, params
from openruimte.api.deps import StoreDep
from openruimte.api.errors import ApiError
from openruimte.io.crs import transform
from openruimte.model import STORAGE_CRS
from openruimte.services import rules

router = APIRouter(prefix="/api/rules", tags=["rules"])

BBox = Annotated[str | None, Query(description="minx,miny,maxx,maxy in bbox-crs (default lon/lat WGS84).")]
BBoxCrs = Annotated[str | None, Query(alias="bbox-crs", description="EPSG:4326 (default) or EPSG:28992.")]
Crs = Annotated[str | None, Query(description="Output CRS: EPSG:4326 (default) or EPSG:28992.")]
Listed = Annotated[str | None, Query(description="One value or several, comma separated.")]
PointQ = Annotated[str | None, Query(description="x,y in bbox-crs: only the rules that apply at this point.")]


@router.get("", summary="Plan rules (bestemmingsvlak, bouwvlak, maximum heights ...) as GeoJSON; public")
def list_rules(
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
def list_plans(store: StoreDep) -> list[dict[str, Any]]:
    return [{**p, "imported_at": geo.json_value(p["imported_at"])} for p in rules.plans(store)]


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
