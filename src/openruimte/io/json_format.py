"""GeoJSON (RFC 7946, lon/lat WGS84) and JSON-FG (``place`` in the CRS named by
``coordRefSys``, ``time.interval`` for the execution window).

Features are numbered from 1 in file order.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry import mapping, shape

from openruimte.io._table import RawRow, RawTable, json_value
from openruimte.io.crs import RD_URI, WGS84, CRSError, normalise_crs, to_wgs84
from openruimte.model.errors import InputError, RowError

JSONFG_CONFORMS = [
    "http://www.opengis.net/spec/json-fg-1/0.2/conf/core",
]


def _load(path: Path, encoding: str | None) -> Any:
    from openruimte.io.csv_format import decode

    data = path.read_bytes()
    if not data.strip():
        raise InputError("the file is empty: expected a GeoJSON FeatureCollection", path.name)
    text = decode(data, path.name, encoding)
    try:
        return json.loads(text)
    except json.JSONDecodeError as err:
        raise InputError(
            [RowError(path.name, f"not valid JSON: {err.msg} at line {err.lineno} column {err.colno}")]
        ) from None


def _features(doc: Any, source: str) -> list[Any]:
    if isinstance(doc, dict) and doc.get("type") == "FeatureCollection":
        feats = doc.get("features")
        if not isinstance(feats, list):
            raise InputError("'features' of the FeatureCollection is not a list", source)
        return feats
    if isinstance(doc, dict) and doc.get("type") == "Feature":
        return [doc]
    raise InputError("expected a GeoJSON FeatureCollection or Feature", source)


def _legacy_crs(doc: dict[str, Any], source: str) -> str | None:
    """The pre-RFC 7946 ``crs`` member that QGIS still writes for RD files."""
    crs = doc.get("crs")
    if not isinstance(crs, dict):
        return None
    name = (crs.get("properties") or {}).get("name")
    try:
        return normalise_crs(name)
    except CRSError as err:
        raise InputError(f"the 'crs' member: {err}", source) from None


def _geometry(obj: Any) -> tuple[Any, str | None]:
    if obj is None:
        return None, None
    try:
        return shape(obj), None
    except Exception as err:  # shapely raises several kinds for malformed GeoJSON
        return None, f"cannot read the geometry: {err}"


def read_table(
    path: Path, *, crs: str, encoding: str | None = None, crs_given: bool = False, jsonfg: bool = False, **_: Any
) -> RawTable:
    source = path.name
    doc = _load(path, encoding)
    feats = _features(doc, source)
    if not crs_given:
        crs = WGS84
        legacy = _legacy_crs(doc, source) if isinstance(doc, dict) else None
        if legacy:
            crs = legacy
    place_crs = None
    if isinstance(doc, dict) and doc.get("coordRefSys"):
        try:
            place_crs = normalise_crs(_crs_ref(doc["coordRefSys"]))
        except CRSError as err:
            raise InputError(f"coordRefSys: {err}", source) from None
    table = RawTable(source=source, row_label="feature", columns=[], rows=[], crs=crs)
    columns: dict[str, None] = {}
    for i, feat in enumerate(feats, start=1):
        if not isinstance(feat, dict) or feat.get("type") != "Feature":
            table.errors.append(RowError(source, "expected a GeoJSON Feature", i, row_label="feature"))
            continue
        props = feat.get("properties") or {}
        if not isinstance(props, dict):
            table.errors.append(RowError(source, "'properties' is not an object", i, row_label="feature"))
            continue
        values = dict(props)
        if "id" not in values and feat.get("id") is not None and not jsonfg:
            values["id"] = feat["id"]
        row = RawRow(number=i, values=values)
        if jsonfg or "place" in feat or "time" in feat:
            _read_jsonfg(feat, row, place_crs, source)
        if row.geometry is None and row.geometry_error is None:
            row.geometry, row.geometry_error = _geometry(feat.get("geometry"))
        columns.update(dict.fromkeys(values))
        table.rows.append(row)
    table.columns = list(columns)
    if not feats:
        table.errors.append(RowError(source, "the FeatureCollection has no features"))
    return table


def _crs_ref(ref: Any) -> str:
    if isinstance(ref, dict):  # {"href": ...} or {"type": "Reference", ...}
        return str(ref.get("href") or ref.get("uri") or "")
    return str(ref)


def _read_jsonfg(feat: dict[str, Any], row: RawRow, collection_crs: str | None, source: str) -> None:
    place = feat.get("place")
    if place is not None:
        feature_crs = collection_crs
        if feat.get("coordRefSys"):
            feature_crs = normalise_crs(_crs_ref(feat["coordRefSys"]))
        if feature_crs is None:
            row.geometry_error = "'place' is given but no coordRefSys names its CRS"
            return
        row.geometry, row.geometry_error = _geometry(place)
        row.crs = feature_crs
    time = feat.get("time")
    if isinstance(time, dict):
        interval = time.get("interval")
        if isinstance(interval, list) and len(interval) == 2:
            s, e = interval
            row.values.setdefault("start", None if s == ".." else s)
            row.values.setdefault("end", None if e == ".." else e)
        elif time.get("date"):
            row.values.setdefault("start", time["date"])
            row.values.setdefault("end", time["date"])


def _properties(rec: dict[str, Any], keys: list[str], *, wgs84: bool) -> dict[str, Any]:
    """Properties; a geometry-valued property (a service area) in the file's CRS."""
    out = {}
    for k in keys:
        v = rec.get(k)
        if isinstance(v, shapely.Geometry):
            v = mapping(to_wgs84([v])[0] if wgs84 else v)
        out[k] = json_value(v)
    return out


def write_geojson(path: Path, keys: list[str], records: list[dict[str, Any]], *, name: str) -> None:
    geoms = to_wgs84([rec.get("geometry") for rec in records])
    features = []
    for rec, geom in zip(records, geoms, strict=True):
        feat: dict[str, Any] = {"type": "Feature", "properties": _properties(rec, keys, wgs84=True)}
        if rec.get("_fid") is not None:
            feat["id"] = rec["_fid"]
        feat["geometry"] = mapping(geom) if geom is not None else None
        features.append(feat)
    doc = {"type": "FeatureCollection", "name": name, "features": features}
    _dump(path, doc)


def write_jsonfg(path: Path, keys: list[str], records: list[dict[str, Any]], *, name: str, feature_type: str) -> None:
    """JSON-FG: ``place`` in EPSG:28992, ``geometry`` in WGS84 for GeoJSON readers,
    ``time.interval`` from start/end (which then leave the properties)."""
    geoms = to_wgs84([rec.get("geometry") for rec in records])
    has_time = "start" in keys and "end" in keys
    prop_keys = [k for k in keys if not (has_time and k in ("start", "end"))]
    features = []
    for rec, geom in zip(records, geoms, strict=True):
        feat: dict[str, Any] = {"type": "Feature", "featureType": feature_type}
        if rec.get("_fid") is not None:
            feat["id"] = rec["_fid"]
        if has_time:
            s, e = rec.get("start"), rec.get("end")
            feat["time"] = {"interval": [json_value(s), json_value(e)]} if s is not None and e is not None else None
        place = rec.get("geometry")
        feat["place"] = mapping(place) if place is not None else None
        feat["geometry"] = mapping(geom) if geom is not None else None
        feat["properties"] = _properties(rec, prop_keys, wgs84=False)
        features.append(feat)
    doc = {
        "type": "FeatureCollection",
        "conformsTo": JSONFG_CONFORMS,
        "name": name,
        "coordRefSys": RD_URI,
        "features": features,
    }
    _dump(path, doc)


def _dump(path: Path, doc: dict[str, Any]) -> None:
    with path.open("w", encoding="utf-8") as fh:
        json.dump(doc, fh, ensure_ascii=False, default=_default)


def _default(value: Any) -> Any:
    if isinstance(value, shapely.Geometry):
        return mapping(value)
    return json_value(value) if not isinstance(value, (set, frozenset)) else sorted(value)
