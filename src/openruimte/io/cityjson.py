"""CityJSON 1.1 / 2.0 (``.city.json``) and CityJSONSeq (``.jsonl``) as buildings.

Each ``Building`` becomes a :class:`~openruimte.model.Building`, its
``BuildingPart`` children merged into it; other city objects are counted in
``ReadResult.summary`` and named in a warning.

- Footprint (EPSG:28992): per object, its lowest LoD; of a surface geometry (LoD 0)
  all surfaces, of a solid the faces of the outer shell, in both cases only the
  ``GroundSurface`` faces when the semantics name them; the 2D projections are
  unioned (vertical walls project to nothing and drop out).
- Heights (m, NAP): the 3D BAG attributes ``b3_h_maaiveld`` (ground),
  ``b3_h_dak_50p`` (roof, median) and ``b3_h_dak_max`` (also without the ``b3_``
  prefix, as in older 3D BAG files); else from the vertices: lowest z as ground,
  highest z as roof. ``attributes['height_source']`` says which.
- CRS: ``metadata.referenceSystem``; EPSG:7415 (RD New + NAP) is RD horizontally. A
  file without one is refused unless ``crs`` is given: it is never guessed.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pyproj
import shapely
from shapely.geometry import Polygon
from shapely.geometry.base import BaseGeometry

from openruimte.io import _xml
from openruimte.io.crs import CRSError, bounds_message, crs_hint, normalise_crs, transform_geometries
from openruimte.io.exchange import ReadResult
from openruimte.model import Building, InputError, RowError
from openruimte.model.errors import FieldError
from openruimte.model.geometry import AREA_GEOMETRY_TYPES, STORAGE_CRS, check_geometry

SUPPORTED_VERSIONS = ("1.1", "2.0")
BUILDING_TYPES = ("Building", "BuildingPart")

_GROUND_KEYS = ("b3_h_maaiveld", "h_maaiveld")
_ROOF_KEYS = ("b3_h_dak_50p", "h_dak_50p")
_ROOF_MAX_KEYS = ("b3_h_dak_max", "h_dak_max")
_YEAR_KEYS = ("oorspronkelijkbouwjaar", "oorspronkelijk_bouwjaar")
_BAG_ID = re.compile(r"^(?:NL\.IMBAG\.Pand\.)?(\d{16})$")
_MIN_FACE_AREA = 1e-6
_PROGRESS_EVERY = 1000


def read_cityjson(path: str | Path, *, crs: str | None = None, progress: _xml.Progress | None = None) -> ReadResult:
    """The buildings of a CityJSON or CityJSONSeq file.

    ``crs`` names the CRS of a file whose metadata has none. Raises
    :class:`InputError` for a file that is not CityJSON 1.1/2.0 or has no CRS.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(f"no such file: {path}", path.name)
    result = ReadResult(kind="buildings", source=path.name, crs=STORAGE_CRS)
    summary: Counter[str] = Counter()
    chunks = _sequence(path) if _is_sequence(path) else _document(path)
    header = next(chunks)
    source_crs = _source_crs(header, crs, path.name)
    for chunk in chunks:
        summary.update(o.get("type", "?") for o in chunk["CityObjects"].values())
        vertices = _vertices(chunk, header, source_crs, path.name)
        for key in _roots(chunk["CityObjects"]):
            _add_building(key, chunk["CityObjects"], vertices, source_crs, header, result)
            if progress is not None and len(result.items) % _PROGRESS_EVERY == 0:
                progress(len(result.items))
    if progress is not None:
        progress(len(result.items))
    result.summary = dict(summary)
    result.rows = sum(summary.values())
    _report_others(summary, result)
    return result


# --------------------------------------------------------------------------- input


def _is_sequence(path: Path) -> bool:
    return path.name.lower().endswith((".jsonl", ".city.jsonl"))


def _load_json(text: str, name: str, where: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as err:
        raise InputError(
            f"{where}: not valid JSON ({err.msg} at line {err.lineno}, column {err.colno})", name
        ) from None
    if not isinstance(value, dict):
        raise InputError(f"{where}: expected a JSON object, got {type(value).__name__}", name)
    return value


def _document(path: Path) -> Iterator[dict[str, Any]]:
    """A CityJSON file: the header, then the whole file as one chunk."""
    data = _load_json(path.read_text(encoding="utf-8"), path.name, "the file")
    _check_header(data, "CityJSON", path.name)
    yield data
    yield data


def _sequence(path: Path) -> Iterator[dict[str, Any]]:
    """A CityJSONSeq file: the header line, then one chunk per CityJSONFeature line."""
    with path.open(encoding="utf-8") as lines:
        header: dict[str, Any] | None = None
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            data = _load_json(line, path.name, f"line {number}")
            if header is None:
                header = data
                _check_header(header, "CityJSON", path.name)
                yield header
                continue
            if data.get("type") != "CityJSONFeature":
                raise InputError(f"line {number}: expected a CityJSONFeature, got {data.get('type')!r}", path.name)
            yield data
    if header is None:
        raise InputError("the file is empty; expected a CityJSON header line", path.name)


def _check_header(data: dict[str, Any], expected: str, name: str) -> None:
    version = str(data.get("version", ""))
    if data.get("type") != expected or version not in SUPPORTED_VERSIONS:
        raise InputError(
            f"expected CityJSON {' or '.join(SUPPORTED_VERSIONS)} (type '{expected}'), got type "
            f"{data.get('type')!r} version {version or '(none)'}; upgrade older files with 'cjio FILE upgrade'",
            name,
        )
    if "transform" not in data:
        raise InputError("CityJSON 1.1 and 2.0 need 'transform' (scale, translate) for the vertices", name)


def _source_crs(header: dict[str, Any], given: str | None, name: str) -> str:
    """The horizontal CRS of the vertices: from the metadata, else ``given``."""
    in_file = (header.get("metadata") or {}).get("referenceSystem")
    if not in_file and not given:
        raise InputError(
            "the file names no CRS (metadata.referenceSystem is missing) and it is not guessed; "
            "pass --crs with the CRS of the coordinates, e.g. --crs EPSG:28992 for RD New (the 3D BAG)",
            name,
        )
    try:
        found = _horizontal(in_file) if in_file else None
        wanted = _horizontal(given) if given else None
    except CRSError as err:
        raise InputError(f"CRS: {err}", name) from None
    if found and wanted and found != wanted:
        raise InputError(
            f"the file says its CRS is {in_file} ({found} horizontally) but --crs {given} was given; "
            "leave out --crs or reproject the file",
            name,
        )
    return found or wanted or STORAGE_CRS


def _horizontal(name: str) -> str:
    """``EPSG:N`` of the horizontal part of a CRS (EPSG:7415 RD + NAP -> EPSG:28992)."""
    code = normalise_crs(name)
    crs = pyproj.CRS.from_user_input(code)
    if crs.is_compound:
        epsg = crs.sub_crs_list[0].to_epsg()
        if epsg is None:
            raise CRSError(f"the horizontal part of {code} has no EPSG code")
        return f"EPSG:{epsg}"
    return code


def _vertices(chunk: dict[str, Any], header: dict[str, Any], crs: str, name: str) -> np.ndarray:
    """Real-world coordinates (n x 3) of the chunk's integer vertices."""
    raw = np.asarray(chunk.get("vertices") or [], dtype=float).reshape(-1, 3)
    transform = header["transform"]
    out = raw * np.asarray(transform["scale"], dtype=float) + np.asarray(transform["translate"], dtype=float)
    if not len(out):
        return out
    points = shapely.multipoints(out[:, :2])
    problem = bounds_message(points, crs)  # the shared check: can these coordinates be in the CRS?
    if problem:
        raise InputError(f"the vertices: {problem}; is {crs} the CRS of the file?", name)
    if crs != STORAGE_CRS:
        try:
            moved = transform_geometries([points], crs)[0]
        except Exception as err:  # pyproj raises several error types for impossible transforms
            raise InputError(f"cannot transform the vertices from {crs} to {STORAGE_CRS}: {err}", name) from None
        problem = bounds_message(moved, STORAGE_CRS)
        if problem:
            before = f"before transforming {crs_hint(points)}" if crs_hint(points) else f"is {crs} the CRS of the file?"
            raise InputError(f"the vertices transformed from {crs}: {problem}; {before}", name)
        out[:, :2] = shapely.get_coordinates(moved)
    return out


# --------------------------------------------------------------------------- buildings


def _roots(objects: dict[str, Any]) -> list[str]:
    """Buildings that are not a part of another object."""
    return [k for k, o in objects.items() if o.get("type") == "Building" and not o.get("parents")]


def _parts(key: str, objects: dict[str, Any]) -> list[str]:
    """The object and its BuildingPart descendants."""
    out, todo = [], [key]
    while todo:
        current = todo.pop()
        out.append(current)
        todo.extend(
            c for c in objects.get(current, {}).get("children", []) if objects.get(c, {}).get("type") == "BuildingPart"
        )
    return out


def _add_building(
    key: str, objects: dict[str, Any], vertices: np.ndarray, crs: str, header: dict[str, Any], result: ReadResult
) -> None:
    members = [objects[k] for k in _parts(key, objects) if k in objects]
    geometries = [g for o in members for g in o.get("geometry") or []]
    attributes = objects[key].get("attributes") or {}
    row = len(result.items) + len(result.errors) + 1
    try:
        footprint = _footprint(members, vertices)
        geometry = check_geometry("geometry", footprint, allowed=AREA_GEOMETRY_TYPES, make_valid=True)
    except FieldError as err:
        message = f"building {key}: {err.message}"
        result.errors.append(RowError(result.source, message, row, "geometry", err.value, "building"))
        return
    except shapely.errors.GEOSException as err:  # e.g. a ring that does not close
        message = f"building {key}: cannot build its footprint: {err}"
        result.errors.append(RowError(result.source, message, row, "geometry", None, "building"))
        return
    ground, roof, roof_max, source = _heights(attributes, geometries, vertices)
    result.items.append(
        Building(
            id=key,
            geometry=geometry,
            source=result.source,
            bag_id=_bag_id(key, attributes),
            ground_height_m=ground,
            roof_height_m=roof,
            roof_max_m=roof_max,
            lods=tuple(sorted({str(g.get("lod")) for g in geometries if g.get("lod") is not None})),
            construction_year=_year(attributes),
            attributes=_attributes(attributes, len(members) - 1, source, header, crs),
        )
    )


def _footprint(members: list[dict[str, Any]], vertices: np.ndarray) -> BaseGeometry | None:
    faces: list[Polygon] = []
    for member in members:
        geometries = [g for g in member.get("geometry") or [] if g.get("lod") is not None]
        if not geometries:
            continue
        lowest = min(float(g["lod"]) for g in geometries)
        for geometry in geometries:
            if float(geometry["lod"]) == lowest:
                faces.extend(_faces(geometry, vertices))
    if not faces:
        return None
    return shapely.union_all(faces)


def _faces(geometry: dict[str, Any], vertices: np.ndarray) -> list[Polygon]:
    """2D projections of the ground faces (or all outer faces) of one geometry."""
    surfaces, values = _outer_surfaces(geometry)
    ground = _ground_indexes(geometry)
    if ground and values is not None:
        surfaces = [s for s, v in zip(surfaces, values, strict=False) if v in ground]
    out = []
    for surface in surfaces:
        polygon = _projected(surface, vertices)
        if polygon is not None:
            out.append(polygon)
    return out


def _outer_surfaces(geometry: dict[str, Any]) -> tuple[list[Any], list[Any] | None]:
    """The surfaces (lists of rings) of the outer shells, with their semantic values."""
    kind, boundaries = geometry.get("type"), geometry.get("boundaries") or []
    values = (geometry.get("semantics") or {}).get("values")
    if kind in ("MultiSurface", "CompositeSurface"):
        return boundaries, values
    if kind == "Solid":
        return (boundaries[0] if boundaries else []), (values[0] if values else None)
    if kind in ("MultiSolid", "CompositeSolid"):
        surfaces = [s for solid in boundaries if solid for s in solid[0]]
        flat = [v for solid in values for v in solid[0]] if values else None
        return surfaces, flat
    return [], None


def _ground_indexes(geometry: dict[str, Any]) -> set[int]:
    surfaces = (geometry.get("semantics") or {}).get("surfaces") or []
    return {i for i, s in enumerate(surfaces) if s.get("type") == "GroundSurface"}


def _projected(surface: list[list[int]], vertices: np.ndarray) -> Polygon | None:
    rings = [vertices[np.asarray(ring, dtype=int), :2] for ring in surface if len(ring) >= 3]
    if not rings:
        return None
    polygon = Polygon(rings[0], rings[1:])
    if polygon.area < _MIN_FACE_AREA:
        return None
    return polygon if polygon.is_valid else shapely.make_valid(polygon)


def _heights(
    attributes: dict[str, Any], geometries: list[dict[str, Any]], vertices: np.ndarray
) -> tuple[float | None, float | None, float | None, str]:
    ground, roof, roof_max = (_first_number(attributes, keys) for keys in (_GROUND_KEYS, _ROOF_KEYS, _ROOF_MAX_KEYS))
    if ground is not None and roof is not None:
        return ground, roof, roof_max, "attributes"
    z = _z_values(geometries, vertices)
    if z.size == 0:
        return ground, roof, roof_max, "attributes"
    low, high = round(float(z.min()), 3), round(float(z.max()), 3)
    source = "vertices" if ground is None and roof is None and roof_max is None else "attributes and vertices"
    ground = low if ground is None else ground
    return ground, (high if roof is None else roof), (high if roof_max is None else roof_max), source


def _z_values(geometries: list[dict[str, Any]], vertices: np.ndarray) -> np.ndarray:
    indexes: list[int] = []
    for geometry in geometries:
        _collect(geometry.get("boundaries") or [], indexes)
    return vertices[np.unique(np.asarray(indexes, dtype=int)), 2] if indexes else np.empty(0)


def _collect(nested: Any, out: list[int]) -> None:
    for item in nested:
        if isinstance(item, list):
            _collect(item, out)
        else:
            out.append(item)


def _first_number(attributes: dict[str, Any], keys: tuple[str, ...]) -> float | None:
    for key in keys:
        value = attributes.get(key)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
    return None


def _bag_id(key: str, attributes: dict[str, Any]) -> str | None:
    """'NL.IMBAG.Pand.<16 digits>' from ``identificatie`` or the object key."""
    for candidate in (attributes.get("identificatie"), key):
        match = _BAG_ID.match(str(candidate or ""))
        if match:
            return f"NL.IMBAG.Pand.{match.group(1)}"
    return None


def _year(attributes: dict[str, Any]) -> int | None:
    for key in _YEAR_KEYS:
        value = attributes.get(key)
        if isinstance(value, int) and not isinstance(value, bool) and 1000 <= value <= 2200:
            return value
    return None


def _attributes(
    attributes: dict[str, Any], parts: int, height_source: str, header: dict[str, Any], crs: str
) -> dict[str, Any]:
    kept = {k: v for k, v in attributes.items() if isinstance(v, (str, int, float, bool)) and v is not None}
    kept.update(
        {
            "cityjson_version": str(header.get("version")),
            "source_crs": crs,
            "height_source": height_source,
            "parts": parts,
        }
    )
    return kept


def _report_others(summary: Counter[str], result: ReadResult) -> None:
    others = {k: n for k, n in summary.items() if k not in BUILDING_TYPES}
    if others:
        shown = ", ".join(f"{k} {n}" for k, n in sorted(others.items()))
        result.warnings.append(f"{result.source}: city objects that are not buildings, not imported: {shown}")


# --------------------------------------------------------------------------- writing

#: the keys of a building in the table formats (GeoJSON, GeoPackage, CSV, XLSX)
BUILDING_KEYS = (
    "id",
    "bag_id",
    "ground_height_m",
    "roof_height_m",
    "roof_max_m",
    "height_m",
    "lods",
    "construction_year",
    "source",
)


def building_records(buildings: list[Building]) -> list[dict[str, Any]]:
    """Buildings as flat records (footprint as ``geometry``), for the table formats."""
    return [
        {
            "id": b.id,
            "bag_id": b.bag_id,
            "ground_height_m": b.ground_height_m,
            "roof_height_m": b.roof_height_m,
            "roof_max_m": b.roof_max_m,
            "height_m": round(b.height_m, 3) if b.height_m is not None else None,
            "lods": ";".join(b.lods) if b.lods else None,
            "construction_year": b.construction_year,
            "source": b.source,
            "geometry": b.geometry,
        }
        for b in buildings
    ]


def write_buildings(path: str | Path, buildings: list[Building], fmt: str | None = None) -> int:
    """Buildings to CityJSON (``.city.json``, ``.cityjson`` or ``fmt='cityjson'``)
    or, with their footprints, to GeoJSON, JSON-FG, GeoPackage, CSV or XLSX."""
    from openruimte.io import csv_format, gpkg_format, json_format, xlsx_format
    from openruimte.io.exchange import format_of

    path = Path(path)
    name = path.name.lower()
    if fmt == "cityjson" or (fmt is None and name.endswith((".city.json", ".cityjson"))):
        return write_cityjson(path, buildings)
    fmt = format_of(path, fmt)
    keys, recs = list(BUILDING_KEYS), building_records(buildings)
    if fmt == "csv":
        csv_format.write_table(path, keys, recs)
    elif fmt == "xlsx":
        xlsx_format.write_table(path, keys, recs, sheet="buildings")
    elif fmt == "gpkg":
        numbers = ("ground_height_m", "roof_height_m", "roof_max_m", "height_m", "construction_year")
        gpkg_format.write_table(path, keys, recs, layer="buildings", date_keys=(), bool_keys=(), number_keys=numbers)
    elif fmt == "geojson":
        json_format.write_geojson(path, keys, recs, name="buildings")
    else:
        json_format.write_jsonfg(path, keys, recs, name="buildings", feature_type="buildings")
    return len(recs)


def write_cityjson(path: str | Path, buildings: list[Building], *, title: str | None = None) -> int:
    """Buildings as a CityJSON 2.0 file in EPSG:7415 (RD New + NAP), each an LoD 1.2 ``Solid``:
    floor at ``ground_height_m``, a flat roof at ``roof_height_m``, one wall per footprint edge, with
    ``GroundSurface``/``RoofSurface``/``WallSurface`` semantics and the 3D BAG height attributes
    (``b3_h_maaiveld``, ``b3_h_dak_50p``, ``b3_h_dak_max``) so :func:`read_cityjson` reads them back."""
    scale = 0.001
    vertices: dict[tuple[int, int, int], int] = {}

    def vertex(x: float, y: float, z: float) -> int:
        key = (round(x / scale), round(y / scale), round(z / scale))
        return vertices.setdefault(key, len(vertices))

    objects: dict[str, Any] = {}
    for b in buildings:
        ground = b.ground_height_m if b.ground_height_m is not None else 0.0
        roof = b.roof_height_m if b.roof_height_m is not None else ground
        surfaces: list[list[list[int]]] = []
        values: list[int] = []
        for poly in shapely.get_parts(b.geometry):
            poly = shapely.geometry.polygon.orient(poly, 1.0)
            rings = [list(poly.exterior.coords)[:-1], *[list(r.coords)[:-1] for r in poly.interiors]]
            surfaces.append([[vertex(x, y, ground) for x, y, *_ in reversed(r)] for r in rings])  # floor faces down
            values.append(0)
            surfaces.append([[vertex(x, y, roof) for x, y, *_ in r] for r in rings])
            values.append(1)
            for ring in rings:
                for (x0, y0, *_), (x1, y1, *_) in zip(ring, ring[1:] + ring[:1], strict=True):
                    surfaces.append(
                        [[vertex(x0, y0, ground), vertex(x1, y1, ground), vertex(x1, y1, roof), vertex(x0, y0, roof)]]
                    )
                    values.append(2)
        attributes = {
            **({"identificatie": b.bag_id} if b.bag_id else {}),
            "b3_h_maaiveld": ground,
            "b3_h_dak_50p": roof,
            "b3_h_dak_max": b.roof_max_m if b.roof_max_m is not None else roof,
            **({"oorspronkelijkbouwjaar": b.construction_year} if b.construction_year else {}),
            **{
                k: v
                for k, v in b.attributes.items()
                if isinstance(v, (str, int, float, bool)) and k not in _SET_BY_THE_READER
            },
        }
        objects[b.id] = {
            "type": "Building",
            "attributes": attributes,
            "geometry": [
                {
                    "type": "Solid",
                    "lod": "1.2",
                    "boundaries": [surfaces],
                    "semantics": {
                        "surfaces": [{"type": "GroundSurface"}, {"type": "RoofSurface"}, {"type": "WallSurface"}],
                        "values": [values],
                    },
                }
            ],
        }
    coords = np.asarray(list(vertices), dtype=np.int64).reshape(-1, 3)
    low = coords.min(axis=0) if len(coords) else np.zeros(3, dtype=np.int64)
    doc = {
        "type": "CityJSON",
        "version": "2.0",
        "transform": {"scale": [scale, scale, scale], "translate": (low * scale).round(3).tolist()},
        "metadata": {
            "referenceSystem": "https://www.opengis.net/def/crs/EPSG/0/7415",
            **({"title": title} if title else {}),
        },
        "CityObjects": objects,
        "vertices": (coords - low).tolist(),
    }
    Path(path).write_text(json.dumps(doc, separators=(",", ":")), encoding="utf-8")
    return len(objects)


#: attributes :func:`read_cityjson` sets itself (they describe the file read, not the building)
_SET_BY_THE_READER = {"cityjson_version", "source_crs", "height_source", "parts"}
