"""The programming map's start-up in one request, and its plans as a slim GeoJSON.

``GET /api/map`` answers what the map needs for its first paint in one body: the
configuration (``/api/config``), the areas (``/api/areas``), the newest couplings and
no-dig analysis as the caller may see it (``/api/analysis/plans``) and the filtered
plans (``/api/map/plans``). ``GET /api/map/plans`` is the plans alone, for a change of
filters.

The map's plans carry only what the map styles, filters, counts, searches and puts on
its timeline (key, name, owner, phase, hardness, asset types, themes, start, end,
area); the panel reads the whole plan from ``/api/plans/{owner}/{id}``. Coordinates
are in WGS84 rounded to 6 decimals (about 0.1 m). The body is made by vectorised
shapely (transform, rounding, GeoJSON) and orjson: a third of ``/api/plans``' size and
a fraction of its time. Both answers are read through the caller's view (the one
visibility rule: a private plan never reaches a caller who may not see it; sensitive
plans masked) and cached per data version and visibility scope with an ETag
(:func:`openruimte.api.cache.cached`).
"""

from __future__ import annotations

from typing import Annotated, Any

import numpy as np
import orjson
import shapely
from fastapi import APIRouter, Query, Request, Response

from openruimte.api import geo
from openruimte.api.cache import cached
from openruimte.api.deps import SettingsDep, ViewDep
from openruimte.api.routers.plans import FilterDep, search
from openruimte.api.routers.resources import _records as area_records
from openruimte.api.routers.resources import config as map_config
from openruimte.io.crs import WGS84, to_wgs84
from openruimte.model import Plan
from openruimte.model.access import Forbidden
from openruimte.store.permissions import View

router = APIRouter(prefix="/api/map", tags=["map"])

#: the plan fields the map uses (styles, filters, legend, search list, timeline)
MAP_FIELDS = ("name", "owner", "phase", "hardness", "asset_types", "themes", "start", "end", "area")
#: decimals of the WGS84 coordinates (1e-6 degree is about 0.1 m in the Netherlands)
DECIMALS = 6

Q = Annotated[str | None, Query(description="Search in name, key and area.")]


def _map_properties(plan: Plan) -> dict[str, Any]:
    return {
        "key": plan.key,
        "name": plan.name,
        "owner": plan.owner,
        "phase": str(plan.phase),
        "hardness": str(plan.hardness),
        "asset_types": list(plan.asset_types),
        "themes": list(plan.themes),
        "start": plan.start.isoformat() if plan.start else None,
        "end": plan.end.isoformat() if plan.end else None,
        "area": plan.area,
    }


def plans_collection(plans: list[Plan], number_matched: int | None = None) -> bytes:
    """The map's plans as a GeoJSON FeatureCollection (bytes): WGS84, 6 decimals, the map's fields."""
    if not plans:
        return orjson.dumps({"type": "FeatureCollection", "features": [], "numberMatched": number_matched or 0})
    geoms = np.array(to_wgs84([p.geometry for p in plans]), dtype=object)
    coords = shapely.get_coordinates(geoms)
    geoms = shapely.set_coordinates(geoms.copy(), np.round(coords, DECIMALS))
    texts = shapely.to_geojson(geoms)
    parts = [
        orjson.dumps(
            {
                "type": "Feature",
                "id": p.key,
                "geometry": orjson.Fragment(g) if g is not None else None,
                "properties": _map_properties(p),
            }
        )
        for p, g in zip(plans, texts, strict=True)
    ]
    head = b'{"type":"FeatureCollection","numberMatched":%d,"numberReturned":%d,"features":[' % (
        len(plans) if number_matched is None else number_matched,
        len(plans),
    )
    return head + b",".join(parts) + b"]}"


def _plans(view: View, flt: Any, q: str | None) -> bytes:
    rows = search(view.plan_rows(flt), q)
    return plans_collection([p for p, _ in rows])


def _analysis(view: View) -> dict[str, Any] | None:
    try:
        saved = view.analysis("plans")
    except Forbidden:
        return None
    if saved is None:
        return None
    return {"created_at": geo.json_value(saved["created_at"]), "result": saved["result"]}


@router.get("", summary="The programming map's start-up: configuration, areas, analysis and plans in one body")
def map_start(request: Request, view: ViewDep, settings: SettingsDep, flt: FilterDep, q: Q = None) -> Response:
    """One request for the first paint of the map (the plans filtered as ``/api/map/plans``)."""

    def render() -> bytes:
        areas = geo.FeatureCollectionResponse(area_records(view.areas(), "code", WGS84)).body
        return orjson.dumps(
            {
                "config": map_config(settings, view),
                "areas": orjson.Fragment(areas),
                "analysis": _analysis(view),
                "plans": orjson.Fragment(_plans(view, flt, q)),
            },
            default=geo.json_value,
        )

    return cached(request, view, render)


@router.get("/plans", summary="The filtered plans for the map: GeoJSON with the fields the map uses, WGS84")
def map_plans(request: Request, view: ViewDep, flt: FilterDep, q: Q = None) -> Response:
    return cached(request, view, lambda: _plans(view, flt, q))
