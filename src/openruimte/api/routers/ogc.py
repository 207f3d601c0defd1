"""OGC API - Features at ``/ogc``: plans, assets, couplings, no-dig conflicts,
areas, streets and one collection per environment layer, for GDAL, QGIS and
any other OGC API client.

Standards (``/ogc/conformance``): OGC API - Features - Part 1: Core (core,
GeoJSON, HTML, OpenAPI 3.0: the definition of these endpoints is ``/ogc/api``)
and Part 2: Coordinate Reference Systems by Reference (CRS84 and EPSG:28992).

A collection is read from the store once per data version (the audit log grows
with every write, analyses included) and kept in memory; ``bbox``, ``datetime``
and property filters and paging then work on that copy, and only the features
of the requested page are built and transformed.

Errors are the OGC exception document ``{"code", "description"}`` (api/errors.py):
400 for an unknown query parameter or an invalid value, 404 for an unknown
collection or feature.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Annotated, Any
from urllib.parse import quote, urlencode

import numpy as np
import shapely
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from openruimte.api import geo, ogc_html
from openruimte.api.deps import SettingsDep, ViewDep
from openruimte.api.errors import ApiError
from openruimte.api.routers.plans import plan_properties
from openruimte.io.crs import CRS84_URI, RD_URI, WGS84, CRSError, normalise_crs, transform_geometries
from openruimte.model import STORAGE_CRS
from openruimte.store.permissions import View

router = APIRouter(prefix="/ogc", tags=["ogc"])

CONFORMANCE = (
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
)
CRS_LIST = (CRS84_URI, RD_URI)
#: CRS URI -> the name the geometry helpers use; CRS84 is longitude, latitude and RD New x, y: no axis swap
CRS_NAMES = {CRS84_URI: WGS84, RD_URI: STORAGE_CRS}
TRS = "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian"
GEOJSON = "application/geo+json"
JSON = "application/json"
HTML = "text/html"
OPENAPI_30 = "application/vnd.oai.openapi+json;version=3.0"
SCHEMA_JSON = "application/schema+json"
DEFAULT_LIMIT = 10
ITEM_PARAMETERS = frozenset({"f", "limit", "offset", "bbox", "bbox-crs", "datetime", "crs"})
#: lon/lat boxes are clipped to this before they go to EPSG:28992 (every stored geometry lies inside)
NL_LONLAT = (1.0, 49.0, 10.0, 57.0)


# --------------------------------------------------------------------------- collections


@dataclass(frozen=True)
class CollectionInfo:
    """What a client is told about a collection; ``queryables`` may be used as ``?name=value``."""

    id: str
    title: str
    description: str
    queryables: tuple[str, ...]
    temporal: bool = False


FIXED_COLLECTIONS = (
    CollectionInfo(
        "plans",
        "Plannen / Plans",
        "Plannen en projecten van alle partijen, met alle uitwisselvelden; datetime filtert op de uitvoering "
        "(start..end). / Plans and projects of every party with all exchange fields; datetime filters on the "
        "execution window (start..end).",
        (
            "id",
            "key",
            "name",
            "owner",
            "phase",
            "hardness",
            "asset_types",
            "themes",
            "programme",
            "area",
            "visibility",
            "excavation",
            "surface_renewal",
        ),
        temporal=True,
    ),
    CollectionInfo(
        "assets",
        "Assets / Beheerobjecten",
        "Beheerobjecten in de openbare ruimte (riolering, kabels, leidingen, verharding ...). / Managed objects in "
        "public space.",
        (
            "id",
            "key",
            "owner",
            "asset_type",
            "imbor_type",
            "material",
            "area",
            "visibility",
            "condition",
            "install_year",
        ),
    ),
    CollectionInfo(
        "couplings",
        "Koppelkansen / Couplings",
        "Plannen die samen uitgevoerd kunnen worden (nieuwste analyse): een lijn tussen de dichtstbijzijnde punten "
        "van de twee plannen. / Plans that can be combined (newest analysis): a line between the nearest points.",
        ("a", "b"),
    ),
    CollectionInfo(
        "conflicts",
        "Graafrustconflicten / No-dig conflicts",
        "Plannen die graven waar net nieuw is bestraat (nieuwste analyse): een lijn tussen de dichtstbijzijnde "
        "punten van vernieuwing en plan. / Plans digging where the surface was just renewed (newest analysis).",
        ("renewal", "plan"),
    ),
    CollectionInfo(
        "areas",
        "Gebieden / Areas",
        "Buurten, wijken en de gemeente. / Neighbourhoods, districts and the municipality.",
        ("code", "name", "level", "parent"),
    ),
    CollectionInfo(
        "streets",
        "Straten / Street segments",
        "Straatvakken tussen kruisingen, met profielbreedte. / Street segments between junctions.",
        ("id", "name", "kind", "area"),
    ),
    # --- 3D twin (#16): buildings (3D BAG / CityJSON); footprints with heights in m NAP as properties
    CollectionInfo(
        "buildings",
        "Gebouwen / Buildings",
        "Gebouwen (3D BAG, CityJSON): footprint met maaiveld- en dakhoogte in m NAP; het LoD 1.2-blok in 3D via "
        "/api/buildings?geometry=3d. / Buildings: footprint with ground and roof heights in m NAP; the LoD 1.2 "
        "block in 3D at /api/buildings?geometry=3d.",
        ("id", "bag_id", "construction_year"),
    ),
)
LAYER_PREFIX = "layer-"
LAYER_QUERYABLES = ("id", "value_class")


@dataclass
class Loaded:
    """One collection in memory: ids, source items, their record function and geometries (EPSG:28992)."""

    ids: list[str]
    items: Sequence[Any]
    record: Callable[[Any], dict[str, Any]]
    geoms: np.ndarray
    #: (start, end) per item for collections with a temporal extent
    periods: list[tuple[dt.date | None, dt.date | None]] | None = None
    _columns: dict[str, list[Any]] = field(default_factory=dict)
    _index: dict[str, int] | None = None
    _types: dict[str, dict[str, str]] | None = None
    _extent: dict[str, Any] | None = None
    bounds: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        raw = self.record
        self.record = lambda item: _id_not_first(raw(item))
        self.bounds = shapely.bounds(self.geoms) if len(self.geoms) else np.empty((0, 4))

    def __len__(self) -> int:
        return len(self.ids)

    def column(self, name: str) -> list[Any]:
        """Raw values of one property for every item (all columns are made at once and kept)."""
        if not self._columns and self.items:
            records = [self.record(item) for item in self.items]
            self._columns = {key: [rec.get(key) for rec in records] for key in records[0]}
        return self._columns.get(name, [None] * len(self.items))

    def position(self, feature_id: str) -> int | None:
        if self._index is None:
            self._index = {}
            for i, fid in enumerate(self.ids):
                self._index.setdefault(fid, i)
        return self._index.get(feature_id)

    def types(self) -> dict[str, dict[str, str]]:
        """JSON-schema type per property, from the first non-empty value (string when all are empty)."""
        if self._types is None:
            names = list(self.record(self.items[0])) if self.items else []
            out = {}
            for name in names:
                value = next((v for v in self.column(name) if v is not None), None)
                out[name] = json_type(value)
            self._types = out
        return self._types

    def extent(self, temporal: bool) -> dict[str, Any] | None:
        if self._extent is None:
            self._extent = _extent(self, temporal)
        return self._extent or None


def _extent(loaded: Loaded, temporal: bool) -> dict[str, Any]:
    bounds = loaded.bounds[~np.isnan(loaded.bounds).any(axis=1)] if len(loaded) else loaded.bounds
    out: dict[str, Any] = {}
    if len(bounds):
        x0, y0, x1, y1 = bounds[:, 0].min(), bounds[:, 1].min(), bounds[:, 2].max(), bounds[:, 3].max()
        # one point (or a straight line along an axis) has a flat envelope: widen it by a millimetre
        envelope = shapely.box(x0, y0, max(x1, x0 + 0.001), max(y1, y0 + 0.001))
        dense = shapely.segmentize(envelope, max(envelope.length / 400, 1.0))
        lonlat = transform_geometries([dense], STORAGE_CRS, WGS84)[0]
        x0, y0, x1, y1 = lonlat.bounds  # outwards to 7 decimals (~1 cm): the box still holds every feature
        box = [math.floor(x0 * 1e7) / 1e7, math.floor(y0 * 1e7) / 1e7]
        box += [math.ceil(x1 * 1e7) / 1e7, math.ceil(y1 * 1e7) / 1e7]
        out["spatial"] = {"bbox": [box], "crs": CRS84_URI}
    if temporal and loaded.periods is not None:
        starts = [s for s, _ in loaded.periods if s is not None]
        ends = [e for _, e in loaded.periods if e is not None]
        interval = [
            f"{min(starts).isoformat()}T00:00:00Z" if starts else None,
            f"{max(ends).isoformat()}T23:59:59Z" if ends else None,
        ]
        out["temporal"] = {"interval": [interval], "trs": TRS}
    return out


class CollectionCache:
    """Collections read from the store, valid while the store's data version stays the same; one copy per
    what-a-principal-may-see (``Principal.cache_key``), so nobody is served another's view."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._version: int | None = None
        self._entries: dict[str, Any] = {}

    def get(self, view: View, key: str, load: Callable[[], Any]) -> Any:
        version = view.data_version()
        entry = (view.principal.cache_key, key)
        with self._lock:
            if version != self._version:
                self._entries.clear()
                self._version = version
            if entry not in self._entries:
                self._entries[entry] = load()
            return self._entries[entry]


def get_cache(request: Request) -> CollectionCache:
    cache = getattr(request.app.state, "ogc_cache", None)
    if cache is None:
        cache = request.app.state.ogc_cache = CollectionCache()
    return cache


CacheDep = Annotated[CollectionCache, Depends(get_cache)]


# --- BIM models (issue 14): one collection of footprints; movable as is into the OGC provider ---
BIM_COLLECTION = CollectionInfo(
    "bim_models",
    "BIM-modellen / BIM models",
    "Voetafdrukken van de nieuwste versie van elk BIM-model (IFC), gekoppeld aan hun plan. / Footprints of the newest "
    "version of every BIM model, linked to its plan.",
    ("key", "plan", "label", "version", "schema"),
)


def _read_bim(view: View) -> Loaded:
    from openruimte.api.routers.bim import footprint_record
    from openruimte.services.bim import footprints

    rows = footprints(view.store, view.principal)
    return Loaded([r["ref"] for r in rows], rows, footprint_record, _geoms(r["geometry"] for r in rows))


# --- end BIM models ---


def collection_infos(view: View, cache: CollectionCache) -> list[CollectionInfo]:
    layers = cache.get(view, "layer-list", lambda: view.layers(with_features=False))
    out = [*FIXED_COLLECTIONS, BIM_COLLECTION]
    for layer in layers:
        about = " ".join(x for x in (layer.description, f"eenheid / unit: {layer.unit}" if layer.unit else None) if x)
        out.append(
            CollectionInfo(
                f"{LAYER_PREFIX}{layer.name}",
                layer.title,
                about or f"Omgevingslaag / environment layer '{layer.name}'.",
                LAYER_QUERYABLES,
            )
        )
    return out


def collection_info(view: View, cache: CollectionCache, collection_id: str) -> CollectionInfo:
    infos = collection_infos(view, cache)
    for info in infos:
        if info.id == collection_id:
            return info
    raise ApiError(
        404, "not_found", f"no collection '{collection_id}'; the collections are: {', '.join(i.id for i in infos)}"
    )


def load(view: View, cache: CollectionCache, collection_id: str) -> Loaded:
    """The collection in memory (read from the store at most once per data version)."""
    return cache.get(view, collection_id, lambda: _read(view, cache, collection_id))


def _read(view: View, cache: CollectionCache, collection_id: str) -> Loaded:
    if collection_id == "plans":
        rows = view.plan_rows()
        return Loaded(
            [p.key for p, _ in rows],
            rows,
            lambda row: plan_properties(*row),
            _geoms(p.geometry for p, _ in rows),
            periods=[(p.start, p.end) for p, _ in rows],
        )
    if collection_id == "assets":
        assets = view.assets()
        return Loaded([a.key for a in assets], assets, _keyed_record, _geoms(a.geometry for a in assets))
    if collection_id in ("couplings", "conflicts"):
        return _read_analysis(view, cache, collection_id)
    if collection_id == "areas":
        areas = view.areas()
        return Loaded([a.code for a in areas], areas, _record, _geoms(a.geometry for a in areas))
    if collection_id == "buildings":  # 3D twin (#16)
        found = view.store.buildings()
        return Loaded([b.id for b in found], found, _building_record, _geoms(b.geometry for b in found))
    if collection_id == "streets":
        streets = view.streets()
        return Loaded([s.id for s in streets], streets, _record, _geoms(s.geometry for s in streets))
    if collection_id == BIM_COLLECTION.id:  # BIM models (issue 14)
        return _read_bim(view)
    name = collection_id.removeprefix(LAYER_PREFIX)
    layers = cache.get(view, "layers", lambda: view.layers())
    for layer in layers:
        if layer.name == name:
            feats = layer.features
            return Loaded([f.id for f in feats], feats, _record, _geoms(f.geometry for f in feats))
    raise ApiError(404, "not_found", f"no collection '{collection_id}'")


def _id_not_first(rec: dict[str, Any]) -> dict[str, Any]:
    """``key`` first, and never an ``id`` property first: GDAL 3.6 reads a first ``id`` of the sample page as
    a field and then again from the schema (a duplicate field that GeoPackage refuses)."""
    keys = list(rec)
    if "key" in rec and keys[0] != "key":
        keys.remove("key")
        keys.insert(0, "key")
    elif keys and keys[0] == "id" and len(keys) > 1:
        keys[0], keys[1] = keys[1], keys[0]
    return {k: rec[k] for k in keys}


def _geoms(geoms: Any) -> np.ndarray:
    arr = np.empty(0, dtype=object)
    values = list(geoms)
    if values:
        arr = np.empty(len(values), dtype=object)
        arr[:] = values
    return arr


def _record(item: Any) -> dict[str, Any]:
    rec = item.to_record()
    rec.pop("geometry", None)
    return rec


def _building_record(item: Any) -> dict[str, Any]:  # 3D twin (#16)
    rec = _record(item)
    rec["height_m"] = item.height_m
    rec["lods"] = list(item.lods)
    return rec


def _keyed_record(item: Any) -> dict[str, Any]:
    rec = _record(item)
    rec["key"] = item.key
    return rec


def _read_analysis(view: View, cache: CollectionCache, kind: str) -> Loaded:
    saved = view.analysis("plans")
    result = saved["result"] if saved else {}
    analysed_at = saved["created_at"] if saved else None
    plans = load(view, cache, "plans")
    geom_of = dict(zip(plans.ids, plans.geoms, strict=True))
    name_of = {p.key: p.name for p, _ in plans.items}
    records: list[dict[str, Any]] = []
    pairs: list[tuple[str, str]] = []
    for entry in result.get(kind, []):
        explanation = entry.get("explanation") or {}
        if kind == "couplings":
            first, second = entry["a"], entry["b"]
            rec = {
                "a": first,
                "a_name": name_of.get(first),
                "b": second,
                "b_name": name_of.get(second),
                "distance_m": entry.get("distance_m"),
                "gap_days": entry.get("gap_days"),
                "score": entry.get("score"),
            }
        else:
            first, second = entry["renewal"], entry["plan"]
            rec = {
                "renewal": first,
                "renewal_name": name_of.get(first),
                "plan": second,
                "plan_name": name_of.get(second),
                "distance_m": entry.get("distance_m"),
                "overlap_days": entry.get("overlap_days"),
                "no_dig_from": explanation.get("no_dig_from"),
                "no_dig_to": explanation.get("no_dig_to"),
            }
        rec.update(text=explanation.get("text"), analysed_at=analysed_at)
        records.append(rec)
        pairs.append((first, second))
    lines = [shapely.shortest_line(geom_of[a], geom_of[b]) if a in geom_of and b in geom_of else None for a, b in pairs]
    return Loaded([f"{a}~{b}" for a, b in pairs], records, dict, _geoms(lines))


# --------------------------------------------------------------------------- values


def flat(value: Any) -> Any:
    """A property value GDAL can type: lists comma-joined, dates ISO, objects as JSON text."""
    if isinstance(value, Enum):
        return str(value.value)
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else value
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, (list, tuple, set)):
        return ",".join(str(flat(v)) for v in value) if value else None
    if isinstance(value, dict):
        return json.dumps(geo.json_value(value), ensure_ascii=False, sort_keys=True) if value else None
    return str(value)


def json_type(value: Any) -> dict[str, str]:
    if isinstance(value, bool):
        return {"type": "boolean"}
    if isinstance(value, int):
        return {"type": "integer"}
    if isinstance(value, float):
        return {"type": "number"}
    if isinstance(value, dt.datetime):
        return {"type": "string", "format": "date-time"}
    if isinstance(value, dt.date):
        return {"type": "string", "format": "date"}
    return {"type": "string"}


def _equals(raw: Any, wanted: str) -> bool:
    if raw is None:
        return False
    if isinstance(raw, bool):
        return wanted.lower() == str(raw).lower()
    if isinstance(raw, (int, float)):
        return float(wanted) == raw
    if isinstance(raw, (list, tuple, set)):
        return wanted in {str(flat(v)) for v in raw}
    return str(flat(raw)) == wanted


# --------------------------------------------------------------------------- query parameters


@dataclass(frozen=True)
class ItemsQuery:
    limit: int = DEFAULT_LIMIT
    offset: int = 0
    #: the bbox as a polygon in EPSG:28992
    area: Any = None
    period: tuple[dt.date, dt.date] | None = None
    crs: str = CRS84_URI
    filters: tuple[tuple[str, tuple[str, ...]], ...] = ()


def reject_unknown(request: Request, allowed: frozenset[str] | set[str]) -> None:
    unknown = sorted({k for k in request.query_params if k not in allowed})
    if unknown:
        raise ApiError(
            400,
            "unknown_parameter",
            f"unknown query parameter(s): {', '.join(unknown)}; this resource accepts {', '.join(sorted(allowed))}",
        )


def _single(request: Request, name: str) -> str | None:
    values = request.query_params.getlist(name)
    if len(values) > 1:
        raise ApiError(400, "invalid_parameter", f"{name} is given {len(values)} times; give it once")
    return values[0] if values else None


def parse_crs_uri(value: str | None, name: str = "crs") -> str:
    """A CRS URI of ``CRS_LIST`` (other spellings of the same CRS are accepted)."""
    if value is None or value == "":
        return CRS84_URI
    if value in CRS_LIST:
        return value
    hint = f"use {CRS84_URI} (longitude, latitude) or {RD_URI}"
    try:
        code = normalise_crs(value)
    except CRSError:
        raise ApiError(400, "invalid_crs", f"{name}: unknown CRS '{value}'; {hint}") from None
    if "crs84" in value.lower():
        return CRS84_URI
    if code == STORAGE_CRS:
        return RD_URI
    if code == WGS84:
        raise ApiError(400, "unsupported_crs", f"{name}: {value} has latitude before longitude, not supported; {hint}")
    raise ApiError(400, "unsupported_crs", f"{name}: {value} is not supported; {hint}")


def parse_bbox(value: str | None, crs_uri: str) -> Any:
    """``minx,miny,maxx,maxy`` (or 6 numbers with heights) in ``crs_uri`` -> a polygon in EPSG:28992."""
    if not value:
        return None
    try:
        parts = [float(v) for v in value.split(",")]
    except ValueError:
        raise ApiError(400, "invalid_bbox", f"bbox must be numbers minx,miny,maxx,maxy, got '{value}'") from None
    if len(parts) == 6:
        parts = [parts[0], parts[1], parts[3], parts[4]]
    if len(parts) != 4 or not all(math.isfinite(v) for v in parts):
        raise ApiError(400, "invalid_bbox", f"bbox must be 4 (or 6) finite numbers minx,miny,maxx,maxy, got '{value}'")
    minx, miny, maxx, maxy = parts
    if minx > maxx or miny > maxy:
        raise ApiError(400, "invalid_bbox", f"bbox {value}: a minimum is larger than its maximum")
    if crs_uri == RD_URI:
        return shapely.box(minx, miny, maxx, maxy)
    if minx < -180 or maxx > 180 or miny < -90 or maxy > 90:
        raise ApiError(400, "invalid_bbox", f"bbox {value} is outside longitude -180..180, latitude -90..90 (CRS84)")
    clipped = shapely.clip_by_rect(shapely.box(minx, miny, maxx, maxy), *NL_LONLAT)
    if clipped.is_empty:
        return clipped  # nothing of the Netherlands: matches no feature
    dense = shapely.segmentize(clipped, 0.005)  # ~500 m: straight in RD within a fraction of a millimetre
    return transform_geometries([dense], WGS84, STORAGE_CRS)[0]


def parse_period(value: str | None) -> tuple[dt.date, dt.date] | None:
    period = geo.parse_datetime(value)
    if period is not None and period[0] > period[1]:
        raise ApiError(400, "invalid_period", f"datetime {value}: the start is after the end")
    return period


def parse_int(value: str | None, name: str, default: int, minimum: int) -> int:
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise ApiError(400, "invalid_parameter", f"{name} must be a whole number, got '{value}'") from None
    if number < minimum:
        raise ApiError(400, "invalid_parameter", f"{name} must be at least {minimum}, got {number}")
    return number


def parse_items_query(request: Request, info: CollectionInfo, loaded: Loaded, max_limit: int) -> ItemsQuery:
    reject_unknown(request, ITEM_PARAMETERS | set(info.queryables))
    limit = min(parse_int(_single(request, "limit"), "limit", DEFAULT_LIMIT, 1), max_limit)
    filters = []
    types = loaded.types()
    for name in info.queryables:
        wanted = tuple(request.query_params.getlist(name))
        if not wanted:
            continue
        kind = types.get(name, {}).get("type")
        for w in wanted:
            if kind == "boolean" and w.lower() not in ("true", "false"):
                raise ApiError(400, "invalid_parameter", f"{name} is true or false, got '{w}'")
            if kind in ("integer", "number"):
                try:
                    float(w)
                except ValueError:
                    raise ApiError(400, "invalid_parameter", f"{name} is a number, got '{w}'") from None
        filters.append((name, wanted))
    return ItemsQuery(
        limit=limit,
        offset=parse_int(_single(request, "offset"), "offset", 0, 0),
        area=parse_bbox(_single(request, "bbox"), parse_crs_uri(_single(request, "bbox-crs"), "bbox-crs")),
        period=parse_period(_single(request, "datetime")),
        crs=parse_crs_uri(_single(request, "crs")),
        filters=tuple(filters),
    )


def select(loaded: Loaded, query: ItemsQuery, temporal: bool) -> np.ndarray:
    """Positions of the items that match the bbox, datetime and property filters, in store order."""
    mask = np.ones(len(loaded), dtype=bool)
    if query.area is not None:
        mask &= _in_area(loaded, query.area)
    if query.period is not None and temporal and loaded.periods is not None:
        lo, hi = query.period
        # features without a temporal extent (unscheduled plans) match too: /req/core/fc-time-response C
        mask &= np.array([s is None or e is None or (s <= hi and e >= lo) for s, e in loaded.periods], dtype=bool)
    for name, wanted in query.filters:
        column = loaded.column(name)
        mask &= np.array([any(_equals(v, w) for w in wanted) for v in column], dtype=bool)
    return np.flatnonzero(mask)


def _in_area(loaded: Loaded, area: Any) -> np.ndarray:
    hit = np.zeros(len(loaded), dtype=bool)
    if area.is_empty or not len(loaded):
        return hit
    minx, miny, maxx, maxy = area.bounds
    b = loaded.bounds
    with np.errstate(invalid="ignore"):
        candidates = np.flatnonzero((b[:, 0] <= maxx) & (b[:, 2] >= minx) & (b[:, 1] <= maxy) & (b[:, 3] >= miny))
    shapely.prepare(area)
    hit[candidates[shapely.intersects(area, loaded.geoms[candidates])]] = True
    return hit


def build_features(loaded: Loaded, positions: Sequence[int], crs_uri: str) -> list[dict[str, Any]]:
    """GeoJSON features of the given items only; geometries moved to ``crs_uri`` in one call."""
    records = [{k: flat(v) for k, v in loaded.record(loaded.items[i]).items()} for i in positions]
    geoms = [loaded.geoms[i] for i in positions]
    return geo.features(records, geoms, [loaded.ids[i] for i in positions], CRS_NAMES[crs_uri])


# --------------------------------------------------------------------------- responses


def wants_html(request: Request) -> bool:
    """``f=html|json`` decides; without it the Accept header (text/html preferred over JSON)."""
    f = request.query_params.get("f")
    if f:
        if f.lower() == "html":
            return True
        if f.lower() in ("json", "geojson"):
            return False
        raise ApiError(400, "invalid_format", f"f must be json or html, got '{f}'")
    html_q = json_q = 0.0
    for part in request.headers.get("accept", "").split(","):
        media, *params = [p.strip() for p in part.split(";")]
        q = 1.0
        for p in params:
            if p.startswith("q="):
                try:
                    q = float(p[2:])
                except ValueError:
                    q = 0.0
        if media in ("text/html", "application/xhtml+xml"):
            html_q = max(html_q, q)
        elif media in (JSON, GEOJSON, "*/*", "application/*"):
            json_q = max(json_q, q)
    return html_q > json_q


def _respond(
    request: Request,
    doc: dict[str, Any],
    page: ogc_html.Page,
    media_type: str = JSON,
    headers: dict[str, str] | None = None,
) -> Response:
    headers = {"Vary": "Accept", **(headers or {})}
    if wants_html(request):
        return HTMLResponse(page(doc, url(request, "")), headers=headers)
    return JSONResponse(doc, media_type=media_type, headers=headers)


def url(request: Request, path: str, params: Sequence[tuple[str, Any]] = ()) -> str:
    base = str(request.base_url).rstrip("/") + router.prefix + path
    return f"{base}?{urlencode(list(params))}" if params else base


def link(href: str, rel: str, media_type: str, title: str) -> dict[str, str]:
    return {"href": href, "rel": rel, "type": media_type, "title": title}


def doc_links(request: Request, path: str, media_type: str = JSON) -> list[dict[str, str]]:
    """self and alternate: the JSON and the HTML version of a resource."""
    html = wants_html(request)
    as_json = link(url(request, path, [("f", "json")]), "alternate", media_type, "Als JSON / as JSON")
    as_html = link(url(request, path, [("f", "html")]), "alternate", HTML, "Als HTML / as HTML")
    (as_html if html else as_json)["rel"] = "self"
    (as_html if html else as_json)["title"] = "Dit document / this document"
    return [as_html, as_json] if html else [as_json, as_html]


def landing_doc(request: Request) -> dict[str, Any]:
    return {
        "title": "OpenRuimte - OGC API Features",
        "description": (
            "Plannen, assets, koppelkansen en omgevingslagen van het programmeren van de openbare ruimte. / "
            "Plans, assets, couplings and environment layers for integral programming of public space."
        ),
        "links": [
            *doc_links(request, ""),
            link(url(request, "/api"), "service-desc", OPENAPI_30, "API-definitie (OpenAPI 3.0) / API definition"),
            link(
                str(request.base_url) + "openapi.json",
                "service-desc",
                "application/vnd.oai.openapi+json;version=3.1",
                "Hele OpenRuimte-API (OpenAPI 3.1) / the whole OpenRuimte API",
            ),
            link(str(request.base_url) + "docs", "service-doc", HTML, "API-documentatie / API documentation"),
            link(
                url(request, "/conformance", [("f", "json")]),
                "conformance",
                JSON,
                "Ondersteunde standaarden / conformance classes",
            ),
            link(url(request, "/collections", [("f", "json")]), "data", JSON, "Collecties / collections"),
        ],
    }


def collection_doc(request: Request, info: CollectionInfo, loaded: Loaded) -> dict[str, Any]:
    path = f"/collections/{info.id}"
    doc: dict[str, Any] = {
        "id": info.id,
        "title": info.title,
        "description": info.description,
        "links": [
            *doc_links(request, path),
            link(url(request, path + "/items", [("f", "json")]), "items", GEOJSON, "Features als GeoJSON"),
            link(url(request, path + "/items", [("f", "html")]), "items", HTML, "Features als HTML"),
            # relation types compare case-insensitively (RFC 8288); GDAL 3.6 looks for exactly "describedBy"
            link(url(request, path + "/schema"), "describedBy", SCHEMA_JSON, "Schema van de features / feature schema"),
        ],
        "itemType": "feature",
        "crs": list(CRS_LIST),
        "storageCrs": RD_URI,
        "numberMatched": len(loaded),
        "queryables": list(info.queryables),
    }
    extent = loaded.extent(info.temporal)
    if extent:
        doc["extent"] = extent
    return doc


def items_doc(
    request: Request, info: CollectionInfo, query: ItemsQuery, matched: int, features: list[dict[str, Any]]
) -> dict[str, Any]:
    path = f"/collections/{info.id}/items"
    html = wants_html(request)
    kept = [(k, v) for k, v in request.query_params.multi_items() if k not in ("f", "offset", "limit")]

    def page(offset: int, fmt: str) -> str:
        return url(request, path, [*kept, ("limit", query.limit), ("offset", offset), ("f", fmt)])

    here, there = ("html", "json") if html else ("json", "html")
    here_type, there_type = (HTML, GEOJSON) if html else (GEOJSON, HTML)
    links = [
        link(page(query.offset, here), "self", here_type, "Deze pagina / this page"),
        link(page(query.offset, there), "alternate", there_type, "Deze pagina als " + there.upper()),
        link(
            url(request, f"/collections/{info.id}", [("f", here)]), "collection", JSON if not html else HTML, info.title
        ),
    ]
    if query.offset + len(features) < matched:
        links.append(link(page(query.offset + query.limit, here), "next", here_type, "Volgende / next"))
    if query.offset > 0:
        links.append(link(page(max(query.offset - query.limit, 0), here), "prev", here_type, "Vorige / previous"))
    return {
        "type": "FeatureCollection",
        "timeStamp": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z"),
        "numberMatched": matched,
        "numberReturned": len(features),
        "links": links,
        "features": features,
    }


def schema_doc(request: Request, info: CollectionInfo, loaded: Loaded) -> dict[str, Any]:
    """A JSON schema of the GeoJSON features (GDAL reads the field types from it)."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": url(request, f"/collections/{info.id}/schema"),
        "title": info.title,
        "type": "object",
        "required": ["type", "geometry", "properties"],
        "properties": {
            "type": {"type": "string", "enum": ["Feature"]},
            "id": {"type": "string"},
            "geometry": {"type": "object"},
            "properties": {"type": "object", "properties": loaded.types()},
        },
    }


def openapi_doc(request: Request, infos: list[CollectionInfo], types: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """An OpenAPI 3.0 definition of the OGC endpoints (paths relative to /ogc), with every queryable."""

    def ref(name: str) -> dict[str, str]:
        return {"$ref": f"#/components/parameters/{name}"}

    def ok(description: str, *media: str) -> dict[str, Any]:
        return {
            "200": {"description": description, "content": {m: {"schema": {"type": "object"}} for m in media}},
            "400": {
                "description": "Ongeldige parameter / invalid parameter",
                "content": {JSON: {"schema": {"$ref": "#/components/schemas/exception"}}},
            },
        }

    paths: dict[str, Any] = {
        "/": {
            "get": {
                "summary": "Landing page",
                "operationId": "getLandingPage",
                "parameters": [ref("f")],
                "responses": ok("Landing page", JSON, HTML),
            }
        },
        "/conformance": {
            "get": {
                "summary": "Conformance classes",
                "operationId": "getConformance",
                "parameters": [ref("f")],
                "responses": ok("Conformance", JSON, HTML),
            }
        },
        "/api": {
            "get": {
                "summary": "This API definition",
                "operationId": "getAPI",
                "responses": ok("OpenAPI 3.0", OPENAPI_30),
            }
        },
        "/collections": {
            "get": {
                "summary": "Collections",
                "operationId": "getCollections",
                "parameters": [ref("f")],
                "responses": ok("Collections", JSON, HTML),
            }
        },
        "/collections/{collectionId}": {
            "get": {
                "summary": "One collection",
                "operationId": "describeCollection",
                "parameters": [ref("collectionId"), ref("f")],
                "responses": ok("Collection", JSON, HTML),
            }
        },
    }
    for info in infos:
        queryables = [
            {
                "name": q,
                "in": "query",
                "required": False,
                "style": "form",
                "explode": True,
                "description": f"Gelijk aan / equal to (property '{q}'; a list property matches when it contains it)",
                "schema": {"type": types.get(info.id, {}).get(q, {}).get("type", "string")},
            }
            for q in info.queryables
        ]
        paths[f"/collections/{info.id}/items"] = {
            "get": {
                "summary": f"Features: {info.title}",
                "operationId": f"getFeatures-{info.id}",
                "tags": [info.id],
                "parameters": [ref(p) for p in ("limit", "offset", "bbox", "bbox-crs", "datetime", "crs", "f")]
                + queryables,
                "responses": ok("GeoJSON FeatureCollection", GEOJSON, HTML),
            }
        }
        paths[f"/collections/{info.id}/items/{{featureId}}"] = {
            "get": {
                "summary": f"One feature: {info.title}",
                "operationId": f"getFeature-{info.id}",
                "tags": [info.id],
                "parameters": [ref("featureId"), ref("crs"), ref("f")],
                "responses": ok("GeoJSON Feature", GEOJSON, HTML),
            }
        }
        paths[f"/collections/{info.id}/schema"] = {
            "get": {
                "summary": f"Schema: {info.title}",
                "operationId": f"getSchema-{info.id}",
                "tags": [info.id],
                "responses": ok("JSON schema", SCHEMA_JSON),
            }
        }

    def query(name: str, schema: dict[str, Any], description: str, explode: bool = True) -> dict[str, Any]:
        return {
            "name": name,
            "in": "query",
            "required": False,
            "style": "form",
            "explode": explode,
            "schema": schema,
            "description": description,
        }

    return {
        "openapi": "3.0.3",
        "info": {
            "title": "OpenRuimte - OGC API Features",
            "version": "1.0.0",
            "description": "OGC API - Features Part 1 and Part 2 (CRS84, EPSG:28992).",
        },
        "servers": [{"url": url(request, "")}],
        "paths": paths,
        "components": {
            "parameters": {
                "f": query("f", {"type": "string", "enum": ["json", "html"]}, "Formaat / format"),
                "limit": query(
                    "limit",
                    {"type": "integer", "minimum": 1, "maximum": 10000, "default": DEFAULT_LIMIT},
                    "Features per pagina (meer dan het maximum: het maximum) / page size",
                ),
                "offset": query("offset", {"type": "integer", "minimum": 0, "default": 0}, "Start bij / skip"),
                "bbox": query(
                    "bbox",
                    {"type": "array", "minItems": 4, "maxItems": 6, "items": {"type": "number"}},
                    "minx,miny,maxx,maxy in bbox-crs",
                    explode=False,
                ),
                "bbox-crs": query(
                    "bbox-crs",
                    {"type": "string", "format": "uri", "enum": list(CRS_LIST), "default": CRS84_URI},
                    "CRS van bbox / CRS of bbox",
                ),
                "datetime": query(
                    "datetime", {"type": "string"}, "Moment of interval (start/end, '..' open) / instant or interval"
                ),
                "crs": query(
                    "crs",
                    {"type": "string", "format": "uri", "enum": list(CRS_LIST), "default": CRS84_URI},
                    "CRS van de geometrie / output CRS",
                ),
                "collectionId": {
                    "name": "collectionId",
                    "in": "path",
                    "required": True,
                    "schema": {"type": "string", "enum": [i.id for i in infos]},
                },
                "featureId": {"name": "featureId", "in": "path", "required": True, "schema": {"type": "string"}},
            },
            "schemas": {
                "exception": {
                    "type": "object",
                    "required": ["code"],
                    "properties": {"code": {"type": "string"}, "description": {"type": "string"}},
                }
            },
        },
    }


# --------------------------------------------------------------------------- routes

Fmt = Annotated[str | None, Query(description="json or html (default: by the Accept header)")]


@router.get("", summary="OGC API Features: landing page")
def landing(request: Request, f: Fmt = None) -> Response:
    reject_unknown(request, {"f"})
    return _respond(request, landing_doc(request), ogc_html.landing)


@router.get("/conformance", summary="OGC API Features: conformance classes")
def conformance(request: Request, f: Fmt = None) -> Response:
    reject_unknown(request, {"f"})
    return _respond(
        request, {"links": doc_links(request, "/conformance"), "conformsTo": list(CONFORMANCE)}, ogc_html.conformance
    )


@router.get("/api", summary="OGC API Features: OpenAPI 3.0 definition of /ogc")
def api_definition(request: Request, view: ViewDep, cache: CacheDep, f: Fmt = None) -> Response:
    reject_unknown(request, {"f"})
    infos = collection_infos(view, cache)
    types = {i.id: load(view, cache, i.id).types() for i in infos}
    return JSONResponse(openapi_doc(request, infos, types), media_type=OPENAPI_30)


@router.get("/collections", summary="OGC API Features: the collections")
def collections(request: Request, view: ViewDep, cache: CacheDep, f: Fmt = None) -> Response:
    reject_unknown(request, {"f"})
    docs = [collection_doc(request, i, load(view, cache, i.id)) for i in collection_infos(view, cache)]
    doc = {"links": doc_links(request, "/collections"), "crs": list(CRS_LIST), "collections": docs}
    return _respond(request, doc, ogc_html.collections)


@router.get("/collections/{collection_id}", summary="OGC API Features: one collection")
def collection(request: Request, collection_id: str, view: ViewDep, cache: CacheDep, f: Fmt = None) -> Response:
    reject_unknown(request, {"f"})
    info = collection_info(view, cache, collection_id)
    return _respond(request, collection_doc(request, info, load(view, cache, info.id)), ogc_html.collection)


@router.get("/collections/{collection_id}/schema", summary="OGC API Features: JSON schema of the features")
def schema(request: Request, collection_id: str, view: ViewDep, cache: CacheDep) -> Response:
    reject_unknown(request, set())
    info = collection_info(view, cache, collection_id)
    return JSONResponse(schema_doc(request, info, load(view, cache, info.id)), media_type=SCHEMA_JSON)


@router.get("/collections/{collection_id}/items", summary="OGC API Features: features, filtered and paged")
def items(
    request: Request,
    collection_id: str,
    view: ViewDep,
    settings: SettingsDep,
    cache: CacheDep,
    limit: Annotated[str | None, Query(description="Page size (1..10000, default 10; larger is capped)")] = None,
    offset: Annotated[str | None, Query(description="Features to skip")] = None,
    bbox: Annotated[str | None, Query(description="minx,miny,maxx,maxy in bbox-crs")] = None,
    bbox_crs: Annotated[str | None, Query(alias="bbox-crs", description="CRS84 (default) or EPSG:28992 URI")] = None,
    datetime: Annotated[str | None, Query(description="Instant or interval start/end ('..' open)")] = None,
    crs: Annotated[str | None, Query(description="Output CRS: CRS84 (default) or EPSG:28992 URI")] = None,
    f: Fmt = None,
) -> Response:
    info = collection_info(view, cache, collection_id)
    loaded = load(view, cache, info.id)
    query = parse_items_query(request, info, loaded, settings.page_limit)
    positions = select(loaded, query, info.temporal)
    features = build_features(loaded, positions[query.offset : query.offset + query.limit], query.crs)
    doc = items_doc(request, info, query, len(positions), features)
    page = ogc_html.items_page(info.title, info.id)
    return _respond(request, doc, page, GEOJSON, {"Content-Crs": f"<{query.crs}>"})


@router.get("/collections/{collection_id}/items/{feature_id:path}", summary="OGC API Features: one feature")
def feature(
    request: Request,
    collection_id: str,
    feature_id: str,
    view: ViewDep,
    cache: CacheDep,
    crs: Annotated[str | None, Query(description="Output CRS: CRS84 (default) or EPSG:28992 URI")] = None,
    f: Fmt = None,
) -> Response:
    reject_unknown(request, {"f", "crs"})
    crs_uri = parse_crs_uri(crs)
    info = collection_info(view, cache, collection_id)
    loaded = load(view, cache, info.id)
    position = loaded.position(feature_id)
    if position is None:
        raise ApiError(404, "not_found", f"no feature '{feature_id}' in collection '{info.id}'")
    doc = build_features(loaded, [position], crs_uri)[0]
    path = f"/collections/{info.id}/items/{quote(feature_id, safe=':~@')}"
    doc["links"] = [
        *doc_links(request, path, GEOJSON),
        link(url(request, f"/collections/{info.id}", [("f", "json")]), "collection", JSON, info.title),
    ]
    return _respond(request, doc, ogc_html.feature_page(info.title, info.id), GEOJSON, {"Content-Crs": f"<{crs_uri}>"})
