"""Reading and writing the exchange format (shared/spec/exchange.md) in every encoding.

``read(path, kind)`` turns a file into model objects and a list of row errors
(it never stops at the first); ``write(path, kind, items)`` writes them. The
format comes from the file extension unless given.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import shapely

from openruimte.io import csv_format, gpkg_format, json_format, registry, xlsx_format
from openruimte.io._table import RawTable
from openruimte.io.columns import KINDS, Kind, map_columns
from openruimte.io.crs import WGS84, CRSError, bounds_message, normalise_crs, transform_geometries
from openruimte.model import (
    Area,
    Asset,
    EnvironmentFeature,
    EnvironmentLayer,
    InputError,
    Plan,
    PolicyGoal,
    RecordInvalid,
    RowError,
    StreetSegment,
    VitalElement,
    VitalSystem,
)
from openruimte.model.errors import FieldError
from openruimte.model.geometry import STORAGE_CRS, quantize_all
from openruimte.model.vocab import AreaLevel

#: extension -> encoding, and the encodings: from the reader registry (:mod:`openruimte.io.registry`)
FORMATS: dict[str, str] = registry.extensions()
FORMAT_NAMES = registry.exchange_formats()

_MODELS = {
    "plans": Plan,
    "assets": Asset,
    "policy": PolicyGoal,
    "areas": Area,
    "layer": EnvironmentFeature,
    "streets": StreetSegment,
}


@dataclass
class ReadResult:
    """What a file held: model objects, or the errors that keep it out."""

    kind: str
    source: str
    crs: str
    items: list[Any] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    rows: int = 0
    #: features read per type (national-standard readers: IMKL, BGT, CityJSON)
    summary: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors

    def raise_if_errors(self) -> None:
        if self.errors:
            raise InputError(self.errors, self.source)


def _one_extension_each() -> str:
    """``.geojson, .jsonfg, .gpkg, .csv or .xlsx``: the first extension of each encoding."""
    first = [registry.READERS[name].extensions[0] for name in FORMAT_NAMES]
    return f"{', '.join(first[:-1])} or {first[-1]}"


def format_of(path: Path, fmt: str | None = None) -> str:
    """The encoding named, or the one the extension says."""
    if fmt:
        fmt = fmt.lower()
        if fmt not in FORMAT_NAMES:
            raise InputError(f"unknown format '{fmt}'; expected one of {', '.join(FORMAT_NAMES)}", path.name)
        return fmt
    name = path.name.lower()
    for ext, found in sorted(FORMATS.items(), key=lambda kv: -len(kv[0])):
        if name.endswith(ext):
            return found
    raise InputError(
        f"cannot tell the format from the extension '{path.suffix}'; use {_one_extension_each()}, or pass --format",
        path.name,
    )


def read(
    path: str | Path,
    kind: str,
    *,
    fmt: str | None = None,
    crs: str | None = None,
    encoding: str | None = None,
    owner: str | None = None,
    layer: str | None = None,
    make_valid: bool = False,
    level: str | None = None,
    layer_name: str | None = None,
) -> ReadResult:
    """Read ``kind`` (plans, assets, policy, areas, layer, vital) from a file (the vertex
    limit per feature from :mod:`openruimte.settings` unless the context set one)."""
    from openruimte.settings import vertex_limit

    with vertex_limit():
        return _read(
            path, kind, fmt=fmt, crs=crs, encoding=encoding, owner=owner, layer=layer,
            make_valid=make_valid, level=level, layer_name=layer_name,
        )  # fmt: skip


def _read(
    path: str | Path,
    kind: str,
    *,
    fmt: str | None,
    crs: str | None,
    encoding: str | None,
    owner: str | None,
    layer: str | None,
    make_valid: bool,
    level: str | None,
    layer_name: str | None,
) -> ReadResult:
    path = Path(path)
    spec = KINDS.get(kind)
    if spec is None:
        raise InputError(f"unknown kind '{kind}'; expected one of {', '.join(KINDS)}", path.name)
    if not path.exists():
        raise InputError(f"no such file: {path}", path.name)
    fmt = format_of(path, fmt)
    try:
        default_crs = normalise_crs(crs) if crs else (WGS84 if fmt in ("geojson", "jsonfg") else STORAGE_CRS)
    except CRSError as err:
        raise InputError(f"--crs: {err}", path.name) from None
    reader = registry.READERS[fmt].load()
    try:
        table = reader(
            path,
            crs=default_crs,
            crs_given=crs is not None,
            encoding=encoding,
            layer=layer,
            kind_name=spec.name,
            jsonfg=fmt == "jsonfg",
        )
    except InputError as err:
        return ReadResult(kind=kind, source=path.name, crs=default_crs, errors=err.errors)
    result = ReadResult(kind=kind, source=table.source, crs=table.crs, errors=list(table.errors), rows=len(table.rows))
    result.warnings.extend(table.warnings)
    if table.rows:
        _build(table, spec, result, owner=owner, make_valid=make_valid, level=level, layer_name=layer_name or path.stem)
    return result


def _build(
    table: RawTable,
    spec: Kind,
    result: ReadResult,
    *,
    owner: str | None,
    make_valid: bool,
    level: str | None,
    layer_name: str,
) -> None:
    mapping, extra, col_errors = map_columns(table.columns, spec, table.source)
    result.errors.extend(col_errors)
    if extra and not spec.keeps_attributes:
        result.warnings.append(f"{table.source}: columns not in the exchange format were ignored: {', '.join(extra)}")
    names = {key: col for col, key in mapping.items()}
    geoms = _geometries_in_rd(table, result)
    bad_geometry = {e.row for e in result.errors if e.field == "geometry"}
    seen: dict[tuple[Any, ...], int] = {}
    records: list[tuple[int, dict[str, Any]]] = []
    for row, geom in zip(table.rows, geoms, strict=True):
        record: dict[str, Any] = {key: row.values.get(col) for col, key in mapping.items()}
        if spec.keeps_attributes:
            attrs = _attributes(record.get("attributes"), table, row.number, result)
            attrs.update(
                {col: row.values[col] for col in extra if col in row.values and row.values[col] not in (None, "")}
            )
            record["attributes"] = attrs
        if owner is not None and "owner" in spec.keys:
            given = record.get("owner")
            if given in (None, ""):
                record["owner"] = owner
            elif str(given).strip() != owner:
                result.errors.append(
                    RowError(
                        table.source,
                        f"owner '{given}' differs from --owner {owner}",
                        row.number,
                        names.get("owner", "owner"),
                        given,
                        table.row_label,
                    )
                )
                continue
        if spec.name == "areas" and level and not record.get("level"):
            record["level"] = level
        record["geometry"] = geom
        if spec.name == "vital":
            area = record.get("service_area")
            record["service_area"] = (
                _service_area(area, row.crs or table.crs, table, row.number, result) if area else None
            )
        records.append((row.number, record))
    for number, record in records:
        key = tuple(str(record.get(k) or "").strip() for k in spec.id_keys)
        if all(key):
            if key in seen:
                shown = ":".join(key)
                id_field = names.get(spec.id_keys[-1], spec.id_keys[-1])
                result.errors.append(
                    RowError(
                        table.source,
                        f"duplicate id '{shown}' (first at {table.row_label} {seen[key]})",
                        number,
                        id_field,
                        shown,
                        table.row_label,
                    )
                )
                continue
            seen[key] = number
        item = _model(spec, record, make_valid, table, number, names, result, skip_geometry=number in bad_geometry)
        if item is not None:
            result.items.append(item)
    result.errors.sort(key=lambda e: -1 if e.row is None else e.row)
    if spec.name == "layer":
        result.items = [EnvironmentLayer(name=layer_name, title=layer_name, features=result.items)]
    elif spec.name == "vital":
        result.items = _group_vital(result.items, table, result)


def _geometries_in_rd(table: RawTable, result: ReadResult) -> list[Any]:
    """Each row's geometry in EPSG:28992, or None with a row error for a geometry
    that cannot be read or cannot be in its CRS."""
    by_crs: dict[str, list[int]] = defaultdict(list)
    out: list[Any] = [None] * len(table.rows)
    for i, row in enumerate(table.rows):
        if row.geometry_error:
            result.errors.append(
                RowError(table.source, row.geometry_error, row.number, "geometry", None, table.row_label)
            )
            continue
        if row.geometry is None or row.geometry.is_empty:
            continue  # the model says whether a geometry is required
        crs = row.crs or table.crs
        problem = bounds_message(row.geometry, crs)
        if problem:
            result.errors.append(RowError(table.source, problem, row.number, "geometry", None, table.row_label))
            continue
        by_crs[crs].append(i)
    for crs, idx in by_crs.items():
        try:
            moved = transform_geometries([table.rows[i].geometry for i in idx], crs)
        except Exception as err:  # pyproj raises ProjError for impossible transforms
            result.errors.append(RowError(table.source, f"cannot transform from {crs} to {STORAGE_CRS}: {err}"))
            continue
        moved = quantize_all([shapely.force_2d(g) if g is not None else None for g in moved])
        for i, g in zip(idx, moved, strict=True):
            out[i] = g
    return out


def _attributes(value: Any, table: RawTable, number: int, result: ReadResult) -> dict[str, Any]:
    if value in (None, ""):
        return {}
    if isinstance(value, dict):
        return dict(value)
    try:
        parsed = json.loads(str(value))
    except json.JSONDecodeError:
        parsed = None
    if not isinstance(parsed, dict):
        result.errors.append(
            RowError(table.source, "expected a JSON object of attributes", number, "attributes", value, table.row_label)
        )
        return {}
    return parsed


def _service_area(value: Any, crs: str, table: RawTable, number: int, result: ReadResult) -> Any:
    try:
        geom = shapely.from_wkt(str(value)) if not isinstance(value, dict) else shapely.geometry.shape(value)
    except Exception as err:  # malformed WKT or GeoJSON
        result.errors.append(
            RowError(
                table.source, f"cannot read the service area: {err}", number, "service_area", None, table.row_label
            )
        )
        return None
    return transform_geometries([geom], crs)[0]


def _model(
    spec: Kind,
    record: dict[str, Any],
    make_valid: bool,
    table: RawTable,
    number: int,
    names: dict[str, str],
    result: ReadResult,
    *,
    skip_geometry: bool = False,
) -> Any:
    """The model object of one record, or None with its errors added (a geometry
    already refused while reading is not reported twice)."""
    try:
        if spec.name == "vital":
            element = VitalElement.from_record(record, make_valid=make_valid)
            return (record, element)
        if spec.name == "areas" and not record.get("level"):
            record["level"] = _guess_level(names)
        return _MODELS[spec.name].from_record(record, make_valid=make_valid)
    except RecordInvalid as err:
        for fe in err.errors:
            if skip_geometry and fe.field == "geometry":
                continue
            result.errors.append(
                RowError(table.source, fe.message, number, names.get(fe.field, fe.field), fe.value, table.row_label)
            )
    except FieldError as fe:
        result.errors.append(
            RowError(table.source, fe.message, number, names.get(fe.field, fe.field), fe.value, table.row_label)
        )
    return None


def _guess_level(names: dict[str, str]) -> str:
    code_col = names.get("code", "").lower()
    if code_col.startswith("wk") or code_col.startswith("wijk"):
        return str(AreaLevel.WIJK)
    return str(AreaLevel.BUURT)


def _group_vital(
    items: list[tuple[dict[str, Any], VitalElement]], table: RawTable, result: ReadResult
) -> list[VitalSystem]:
    systems: dict[str, VitalSystem] = {}
    for record, element in items:
        sid = element.system
        if sid not in systems:
            try:
                systems[sid] = VitalSystem.from_record(
                    {
                        "id": sid,
                        "owner": record.get("owner"),
                        "name": record.get("system_name") or sid,
                        "network_type": record.get("network_type"),
                    }
                )
            except RecordInvalid as err:
                for fe in err.errors:
                    result.errors.append(
                        RowError(table.source, f"system {sid}: {fe.message}", None, fe.field, fe.value)
                    )
                continue
        systems[sid].elements.append(element)
    return list(systems.values())


# --------------------------------------------------------------------------- writing


def records(kind: str, items: Sequence[Any]) -> list[dict[str, Any]]:
    """Exchange records (keys of the kind + ``geometry`` in EPSG:28992)."""
    out: list[dict[str, Any]] = []
    if kind == "layer":
        for layer in items:
            for feat in layer.features:
                rec = feat.to_record()
                out.append(rec)
        return out
    if kind == "vital":
        for system in items:
            for el in system.elements:
                rec = el.to_record()
                rec.update(
                    system=system.id, system_name=system.name, network_type=system.network_type, owner=system.owner
                )
                out.append(rec)
        return out
    for item in items:
        rec = item.to_record()
        if kind == "areas":
            rec["level"] = str(item.level)
        out.append(rec)
    return out


def write(path: str | Path, kind: str, items: Sequence[Any], *, fmt: str | None = None) -> int:
    """Write items of ``kind``; returns the number of features written."""
    path = Path(path)
    spec = KINDS[kind]
    fmt = format_of(path, fmt)
    recs = records(kind, items)
    keys = list(spec.keys)
    if fmt == "csv":
        csv_format.write_table(path, keys, recs)
    elif fmt == "xlsx":
        xlsx_format.write_table(path, keys, recs, sheet=spec.name)
    elif fmt == "gpkg":
        layer = items[0].name if kind == "layer" and items else spec.name
        gpkg_format.write_table(
            path,
            keys,
            recs,
            layer=layer,
            date_keys=spec.date_keys,
            bool_keys=spec.bool_keys,
            number_keys=spec.int_keys + spec.float_keys,
        )
    elif fmt == "geojson":
        json_format.write_geojson(path, keys, recs, name=spec.name)
    else:
        json_format.write_jsonfg(path, keys, recs, name=spec.name, feature_type=spec.name)
    return len(recs)
