"""The OGC API Features provider (as pygeoapi shapes one): the collections,
read from the store through the caller's view, kept in memory per data version,
filtered (bbox, datetime, queryables), paged, and the features of one page built
in the asked CRS.

A collection is read from the store once per data version (the audit log grows
with every write, analyses included) and kept in memory; ``bbox``, ``datetime``
and property filters and paging then work on that copy, and only the features
of the requested page are built and transformed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import math
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

import numpy as np
import shapely
from fastapi import Request

from openruimte.api import geo
from openruimte.api.errors import ApiError
from openruimte.api.params import (
    CRS_NAMES,
    bbox_area,
    parse_crs_uri,
    parse_datetime,
    parse_int,
    reject_unknown,
    single,
)
from openruimte.api.routers.plans import plan_properties
from openruimte.io.crs import CRS84_URI, WGS84, transform_geometries
from openruimte.model import STORAGE_CRS
from openruimte.store.permissions import View

TRS = "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian"
DEFAULT_LIMIT = 10
ITEM_PARAMETERS = frozenset({"f", "limit", "offset", "bbox", "bbox-crs", "datetime", "crs"})


# --------------------------------------------------------------------------- collections


@dataclass(frozen=True)
class CollectionInfo:
    """What a client is told about a collection; ``queryables`` may be used as ``?name=value``."""

    id: str
    title: str
    description: str
    queryables: tuple[str, ...]
    temporal: bool = False
    #: the one geometry type of every feature (GeoJSON name), None when they differ
    geometry_type: str | None = None


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
        geometry_type="LineString",
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

#: assets per geometry family, each collection of one geometry type (GIS clients such as
#: GDAL type a layer from its first page: a mixed collection would warn on later features)
ASSET_FAMILIES = {
    "point": ("Point", "MultiPoint", "Punten / points"),
    "line": ("LineString", "MultiLineString", "Lijnen / lines"),
    "polygon": ("Polygon", "MultiPolygon", "Vlakken / polygons"),
}
ASSETS_BY_TYPE = "assets-"


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


#: BIM models (issue 14): the footprints of the newest version of every model, linked to its plan
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


# --- plan rules (issue 15): public information, every caller sees every rule (services/rules.py)
RULES_COLLECTION = CollectionInfo(
    "rules",
    "Planregels / Plan rules",
    "Regels uit bestemmingsplannen (IMRO2012) en omgevingsplannen (STOP/TPOD): bestemmingsvlak, bouwvlak, maximum "
    "bouwhoogte, goothoogte, bouwlagen, bebouwingspercentage en andere, één waarde per regel. / Rules of zoning "
    "plans (IMRO2012) and omgevingsplannen (STOP/TPOD), one value per rule.",
    ("kind", "plan_id", "source_id", "regime", "unit"),
)


def _read_rules(view: View) -> Loaded:
    from openruimte.services.rules import feature_properties, records

    rows = records(view.store)
    return Loaded([r["id"] for r in rows], rows, feature_properties, _geoms(r["geometry"] for r in rows))


# --- end plan rules


def collection_infos(view: View, cache: CollectionCache) -> list[CollectionInfo]:
    layers = cache.get(view, "layer-list", lambda: view.layers(with_features=False))
    out = [*FIXED_COLLECTIONS, BIM_COLLECTION, RULES_COLLECTION]
    assets = next(i for i in FIXED_COLLECTIONS if i.id == "assets")
    for family, declared in _asset_families(view, cache).items():
        label = ASSET_FAMILIES[family][2]
        out.append(
            dataclasses.replace(
                assets,
                id=f"{ASSETS_BY_TYPE}{family}",
                title=f"Assets: {label}",
                description=f"{assets.description} Alleen / only {declared}.",
                geometry_type=declared,
            )
        )
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
    if collection_id.startswith(ASSETS_BY_TYPE) and collection_id.removeprefix(ASSETS_BY_TYPE) in ASSET_FAMILIES:
        return _read_family(view, cache, collection_id.removeprefix(ASSETS_BY_TYPE))
    if collection_id in ("couplings", "conflicts"):
        return _read_analysis(view, cache, collection_id)
    if collection_id == "areas":
        areas = view.areas()
        return Loaded([a.code for a in areas], areas, _record, _geoms(a.geometry for a in areas))
    if collection_id == "buildings":
        found = view.store.buildings()
        return Loaded([b.id for b in found], found, _building_record, _geoms(b.geometry for b in found))
    if collection_id == "streets":
        streets = view.streets()
        return Loaded([s.id for s in streets], streets, _record, _geoms(s.geometry for s in streets))
    if collection_id == BIM_COLLECTION.id:
        return _read_bim(view)
    if collection_id == RULES_COLLECTION.id:  # plan rules (issue 15)
        return _read_rules(view)
    name = collection_id.removeprefix(LAYER_PREFIX)
    layers = cache.get(view, "layers", lambda: view.layers())
    for layer in layers:
        if layer.name == name:
            feats = layer.features
            return Loaded([f.id for f in feats], feats, _record, _geoms(f.geometry for f in feats))
    raise ApiError(404, "not_found", f"no collection '{collection_id}'")


def _asset_families(view: View, cache: CollectionCache) -> dict[str, str]:
    """The geometry families the caller's assets have, with the one type each collection declares
    (the multi type when single and multi geometries occur together)."""

    def read() -> dict[str, str]:
        types = {g.geom_type for g in load(view, cache, "assets").geoms if g is not None}
        out = {}
        for family, (one, multi, _) in ASSET_FAMILIES.items():
            if multi in types:
                out[family] = multi
            elif one in types:
                out[family] = one
        return out

    return cache.get(view, "asset-families", read)


def _read_family(view: View, cache: CollectionCache, family: str) -> Loaded:
    """The caller's assets of one geometry family, promoted to the multi type when the family is mixed."""
    one, multi, _ = ASSET_FAMILIES[family]
    declared = _asset_families(view, cache).get(family)
    assets = load(view, cache, "assets")
    keep = [i for i, g in enumerate(assets.geoms) if g is not None and g.geom_type in (one, multi)]
    geoms = [assets.geoms[i] for i in keep]
    if declared == multi:
        geoms = [_as_multi(g) for g in geoms]
    return Loaded([assets.ids[i] for i in keep], [assets.items[i] for i in keep], _keyed_record, _geoms(geoms))


def _as_multi(geom: Any) -> Any:
    if geom.geom_type.startswith("Multi"):
        return geom
    return {"Point": shapely.MultiPoint, "LineString": shapely.MultiLineString, "Polygon": shapely.MultiPolygon}[
        geom.geom_type
    ]([geom])


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


def _building_record(item: Any) -> dict[str, Any]:
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


def parse_items_query(request: Request, info: CollectionInfo, loaded: Loaded, max_limit: int) -> ItemsQuery:
    reject_unknown(request, ITEM_PARAMETERS | set(info.queryables))
    limit = min(parse_int(single(request, "limit"), "limit", DEFAULT_LIMIT, 1), max_limit)
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
        offset=parse_int(single(request, "offset"), "offset", 0, 0),
        area=bbox_area(single(request, "bbox"), CRS_NAMES[parse_crs_uri(single(request, "bbox-crs"), "bbox-crs")]),
        period=parse_datetime(single(request, "datetime")),
        crs=parse_crs_uri(single(request, "crs")),
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
