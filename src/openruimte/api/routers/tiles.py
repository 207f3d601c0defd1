"""Vector tiles (Mapbox Vector Tile, Web Mercator z/x/y) for the large layers:
plans, assets and streets, so 100k+ features pan smoothly.

A tile's box is turned into an EPSG:28992 bbox for the store's spatial index;
geometries are moved to Web Mercator, simplified for the zoom and encoded.
Tiles are read through the caller's view (store/permissions.py) and cached in
memory per what-the-caller-may-see until the data changes (the audit log grows).
"""

from __future__ import annotations

import math
from collections import OrderedDict
from threading import Lock
from typing import Any

import numpy as np
import shapely
from fastapi import APIRouter, Response

from openruimte.api.deps import ViewDep
from openruimte.api.errors import ApiError
from openruimte.io.crs import transform_geometries
from openruimte.model import STORAGE_CRS

router = APIRouter(prefix="/tiles", tags=["tiles"])

WEB_MERCATOR = "EPSG:3857"
HALF = 20037508.342789244
EXTENT = 4096
LAYERS = ("plans", "assets", "streets")
_cache: OrderedDict[tuple[Any, ...], bytes] = OrderedDict()
_lock = Lock()
CACHE_SIZE = 2_000


def tile_bounds(z: int, x: int, y: int) -> tuple[float, float, float, float]:
    """Web Mercator bounds of a tile."""
    size = 2 * HALF / (2**z)
    minx = -HALF + x * size
    maxy = HALF - y * size
    return (minx, maxy - size, minx + size, maxy)


def _rd_bbox(bounds: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
    box = shapely.segmentize(shapely.box(*bounds), (bounds[2] - bounds[0]) / 8)
    return tuple(transform_geometries([box], WEB_MERCATOR, STORAGE_CRS)[0].bounds)  # type: ignore[return-value]


def _props(layer: str, item: Any) -> dict[str, Any]:
    if layer == "plans":
        return {
            "key": item.key,
            "name": item.name,
            "owner": item.owner,
            "phase": str(item.phase),
            "hardness": str(item.hardness),
            "asset_types": ",".join(item.asset_types),
            "start": item.start.isoformat() if item.start else "",
            "end": item.end.isoformat() if item.end else "",
        }
    if layer == "assets":
        props = {"key": item.key, "asset_type": item.asset_type, "owner": item.owner}
        for k in ("condition", "depth_m", "install_year", "material"):
            v = getattr(item, k)
            if v is not None:
                props[k] = v
        if item.due_year is not None:
            props["due_year"] = item.due_year
        for k in ("standard_depth_m", "source", "netbeheerder", "status"):
            v = item.attributes.get(k)
            if isinstance(v, (str, int, float)) and not isinstance(v, bool):
                props[k] = v
        return props
    return {"id": item.id, "name": item.name, "kind": item.kind or ""}


def _items(view: Any, layer: str, bbox: tuple[float, float, float, float]) -> list[Any]:
    from openruimte.store import PlanFilter

    if layer == "plans":
        return view.plans(PlanFilter(bbox=bbox))
    if layer == "assets":
        return view.assets(bbox=bbox)
    return view.streets(bbox=bbox)


def render_tile(view: Any, layer: str, z: int, x: int, y: int) -> bytes:
    import mapbox_vector_tile

    bounds = tile_bounds(z, x, y)
    items = _items(view, layer, _rd_bbox(bounds))
    if not items:
        return b""
    geoms = transform_geometries([i.geometry for i in items], STORAGE_CRS, WEB_MERCATOR)
    pixel = (bounds[2] - bounds[0]) / EXTENT
    geoms = shapely.simplify(np.array(geoms, dtype=object), pixel / 2)
    clip = shapely.box(*bounds).buffer(pixel * 64)
    feats = []
    for item, g in zip(items, geoms, strict=True):
        g = shapely.intersection(g, clip) if not clip.contains(g) else g
        if g.is_empty:
            continue
        feats.append({"geometry": g, "properties": _props(layer, item)})
    return mapbox_vector_tile.encode(
        [{"name": layer, "features": feats}], default_options={"quantize_bounds": bounds, "extents": EXTENT}
    )


@router.get("/{layer}/{z}/{x}/{y}.pbf", summary="A vector tile of plans, assets or streets")
def tile(view: ViewDep, layer: str, z: int, x: int, y: int) -> Response:
    if layer not in LAYERS:
        raise ApiError(404, "not_found", f"no tile layer '{layer}'; expected one of {', '.join(LAYERS)}")
    if not (0 <= z <= 22 and 0 <= x < 2**z and 0 <= y < 2**z):
        raise ApiError(
            400, "invalid_tile", f"no tile {z}/{x}/{y}: x and y must be in 0..{2**z - 1} at zoom {z} (0..22)"
        )
    key = (id(view.store), view.data_version(), view.principal.cache_key, layer, z, x, y)
    with _lock:
        data = _cache.get(key)
    if data is None:
        data = render_tile(view, layer, z, x, y)
        with _lock:
            _cache[key] = data
            while len(_cache) > CACHE_SIZE:
                _cache.popitem(last=False)
    return Response(data, media_type="application/vnd.mapbox-vector-tile", headers={"Cache-Control": "no-cache"})


def lon_lat_to_tile(lon: float, lat: float, z: int) -> tuple[int, int]:
    """The tile holding a point (for tests and the UI's first view)."""
    n = 2**z
    x = int((lon + 180.0) / 360.0 * n)
    y = int((1.0 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2.0 * n)
    return x, y
