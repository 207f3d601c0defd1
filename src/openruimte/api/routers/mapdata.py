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
from openruimte.api.routers.plans import FilterDep
from openruimte.api.routers.resources import _records as area_records
from openruimte.api.routers.resources import config as map_config
from openruimte.io.crs import WGS84, transform_geometries
from openruimte.model import STORAGE_CRS
from openruimte.model.access import Forbidden
from openruimte.store.permissions import View

router = APIRouter(prefix="/api/map", tags=["map"])

#: the plan fields the map uses (styles, filters, legend, search list, timeline)
MAP_FIELDS = ("name", "owner", "phase", "hardness", "asset_types", "themes", "start", "end", "area")
#: decimals of the WGS84 coordinates (1e-6 degree is about 0.1 m in the Netherlands)
DECIMALS = 6

Q = Annotated[str | None, Query(description="Search in name, key and area.")]


def columns_collection(columns: dict[str, list[Any]], number_matched: int | None = None) -> bytes:
    """The map's plans from columns (``key``, ``geometry`` in RD and :data:`MAP_FIELDS`, as
    :meth:`View.plan_columns` reads them) as a GeoJSON FeatureCollection (bytes)."""
    keys = columns["key"]
    if not keys:
        return orjson.dumps({"type": "FeatureCollection", "features": [], "numberMatched": number_matched or 0})
    texts = _geojson(columns["geometry"])
    fields = [columns[name] for name in MAP_FIELDS]
    features = [
        {
            "type": "Feature",
            "id": key,
            "geometry": orjson.Fragment(g) if g is not None else None,
            "properties": {"key": key, **dict(zip(MAP_FIELDS, values, strict=True))},
        }
        for key, g, *values in zip(keys, texts, *fields, strict=True)
    ]
    return orjson.dumps(
        {
            "type": "FeatureCollection",
            "numberMatched": len(keys) if number_matched is None else number_matched,
            "numberReturned": len(keys),
            "features": features,
        }
    )


def _geojson(geometries: list[Any]) -> Any:
    """RD geometries as GeoJSON texts in WGS84: :func:`to_wgs84`'s 9 decimals, then :data:`DECIMALS`,
    in one vectorised pass (None stays None)."""
    geoms = np.array(transform_geometries(list(geometries), STORAGE_CRS, WGS84), dtype=object)
    coords = shapely.get_coordinates(geoms)
    geoms = shapely.set_coordinates(geoms.copy(), np.round(np.round(coords, 9), DECIMALS))
    return shapely.to_geojson(geoms)


def _plans(view: View, flt: Any, q: str | None) -> bytes:
    columns = view.plan_columns(("geometry", *MAP_FIELDS), flt)
    if q:
        needle = q.strip().lower()
        keep = [
            i
            for i, (name, key, area) in enumerate(zip(columns["name"], columns["key"], columns["area"], strict=True))
            if needle in name.lower() or needle in key.lower() or needle in (area or "").lower()
        ]
        columns = {n: [v[i] for i in keep] for n, v in columns.items()}
    return columns_collection(columns)


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
