"""What a model holds: schema, application, units, storeys, counts, footprint, heights, floor area.

The footprint is the union of every element's projection on the ground (its triangles
projected, in map coordinates), closed over hairline gaps and simplified; computed in
the map CRS of the model and then transformed once to EPSG:28992. The geometry
iterator runs with world coordinates (SI metres) on at most two threads; element
outlines are merged in batches so memory stays bounded for big files.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import shapely

from openruimte.bim.errors import BimError, NoGeoreference, TooLarge
from openruimte.bim.georef import Placement, placement, project_unit

SUPPORTED_SCHEMAS = ("IFC2X3", "IFC4", "IFC4X3")
#: element classes that are not part of the built volume
NOT_BUILT = ("IfcOpeningElement", "IfcVirtualElement", "IfcFeatureElement", "IfcSpace", "IfcAnnotation")
#: metres: hairline gaps between elements closed, and the simplification tolerance
CLOSE_M = 0.01
SIMPLIFY_M = 0.01
#: element outlines merged per batch (bounds memory on big models)
BATCH = 2000
#: above this many triangles an element's outline is its convex hull
MAX_TRIANGLES = 5000
#: CGAL for simple solids, OpenCASCADE where needed: 2-12x faster than the default on real and generated
#: models (bench/bim_place.py), the same shapes
GEOMETRY_LIBRARY = "hybrid-cgal-simple-opencascade"

Progress = Callable[[int, int], None]


@dataclass
class ElementGeom:
    """What the diff needs of an element's shape: bounds in metres (model coordinates) and volume proxy."""

    bounds: tuple[float, float, float, float, float, float]
    area2d: float


@dataclass
class ModelInfo:
    file: str
    schema: str
    application: str | None
    project_name: str | None
    length_unit: str
    unit_scale: float
    storeys: list[dict[str, Any]]
    counts: dict[str, int]
    buildings: int
    placement: Placement | None
    footprint: Any = None  # shapely, EPSG:28992
    footprint_wgs84: Any = None
    bottom_m: float | None = None
    top_m: float | None = None
    height_reference: str = "model"
    gross_floor_area_m2: float | None = None
    gross_floor_area_source: str | None = None
    warnings: list[str] = field(default_factory=list)
    elements: dict[str, ElementGeom] | None = None
    #: what a plan-rule check needs: peil, gutter height, storey levels (bim/design.py)
    design: dict[str, Any] | None = None
    roof_z: tuple[float, float] | None = None

    @property
    def georef_json(self) -> dict[str, Any] | None:
        return self.placement.to_json() if self.placement is not None else None

    def to_json(self) -> dict[str, Any]:
        """The ``bim info --json`` contract."""
        p = self.placement
        return {
            "file": self.file,
            "schema": self.schema,
            "application": self.application,
            "project_name": self.project_name,
            "length_unit": self.length_unit,
            "storeys": self.storeys,
            "counts": dict(sorted(self.counts.items())),
            "elements": sum(self.counts.values()),
            "buildings": self.buildings,
            "georeferencing": None
            if p is None
            else {
                "method": p.method,
                "crs": p.crs,
                "eastings": p.eastings,
                "northings": p.northings,
                "orthogonal_height": p.orthogonal_height,
                "rotation": p.rotation_deg,
                "scale": p.scale,
                "factors": list(p.factors),
                "source": p.source,
                "confidence": p.confidence,
                "in_rd": p.in_rd,
                "wcs_offset_m": list(p.wcs_offset_m) if p.wcs_offset_m else None,
                "assumptions": p.assumptions,
                "warnings": p.warnings,
            },
            "footprint": shapely.geometry.mapping(self.footprint) if self.footprint is not None else None,
            "footprint_crs": "EPSG:28992",
            "footprint_wgs84": shapely.geometry.mapping(self.footprint_wgs84)
            if self.footprint_wgs84 is not None
            else None,
            "footprint_area_m2": round(float(self.footprint.area), 3) if self.footprint is not None else None,
            "bottom_m": self.bottom_m,
            "top_m": self.top_m,
            "height_reference": self.height_reference,
            "gross_floor_area_m2": self.gross_floor_area_m2,
            "gross_floor_area_source": self.gross_floor_area_source,
            "warnings": self.warnings + (p.warnings if p else []),
            "design": self.design,
        }


# ------------------------------------------------------------------------------ opening


def check_file(path: Path, *, max_bytes: int | None = None) -> str:
    """Refuse what is not a readable IFC before parsing it; returns the schema named in the header."""
    name = path.name
    if not path.is_file():
        raise BimError(f"{path}: bestand niet gevonden / file not found")
    size = path.stat().st_size
    if max_bytes is not None and size > max_bytes:
        raise TooLarge(
            f"{name}: {size:,} bytes is groter dan de grens van {max_bytes:,} bytes / is larger than the limit; "
            "fix: split the model, or raise OPENRUIMTE_BIM_MAX_BYTES"
        )
    if size == 0:
        raise BimError(f"{name}: het bestand is leeg / the file is empty")
    with path.open("rb") as fh:
        head = fh.read(4096)
        fh.seek(max(0, size - 4096))
        tail = fh.read()
    if head[:2] == b"PK":
        raise BimError(f"{name}: een ZIP-bestand (ifcZIP?) / a ZIP file; fix: unzip it and give the .ifc inside")
    text = head.lstrip(b"\xef\xbb\xbf \r\n\t").decode("latin-1")
    if not text.startswith("ISO-10303-21"):
        what = "XML (ifcXML?)" if text.startswith("<") else "geen STEP-kop / no STEP header"
        raise BimError(
            f"{name}: geen IFC-bestand ({what}); een IFC begint met ISO-10303-21; / not an IFC file (IFC-SPF starts "
            "with ISO-10303-21;); fix: export the model as IFC (.ifc)"
        )
    if b"END-ISO-10303-21" not in tail:
        raise BimError(
            f"{name}: het bestand is afgebroken (geen END-ISO-10303-21; aan het eind) / the file is truncated "
            "(no END-ISO-10303-21; at its end); fix: upload or export it again"
        )
    m = re.search(r"FILE_SCHEMA\s*\(\s*\(\s*'([^']*)'", text, re.IGNORECASE)
    schema = (m.group(1) if m else "").upper()
    if not any(schema == s or schema.startswith(s + "_") for s in SUPPORTED_SCHEMAS):
        raise BimError(
            f"{name}: schema {schema or '(geen / none)'} wordt niet ondersteund / is not supported; supported: "
            f"{', '.join(SUPPORTED_SCHEMAS)}; fix: export as IFC4 or IFC2X3"
        )
    return schema


def open_model(path: str | Path, *, max_bytes: int | None = None) -> Any:
    """The model as an ifcopenshell file, after :func:`check_file`; errors name the file."""
    import ifcopenshell

    path = Path(path)
    check_file(path, max_bytes=max_bytes)
    try:
        f = ifcopenshell.open(str(path))
    except Exception as err:  # ifcopenshell raises plain errors for unparsable files
        raise BimError(f"{path.name}: het IFC-bestand is niet te lezen / cannot be parsed: {err}") from None
    if not f.by_type("IfcProject"):
        raise BimError(f"{path.name}: geen IfcProject in het model / no IfcProject in the model")
    return f


# ------------------------------------------------------------------------------ facts


def _application(f: Any) -> str | None:
    apps = f.by_type("IfcApplication")
    if apps:
        app = apps[0]
        return " ".join(x for x in (app.ApplicationFullName, app.Version) if x) or None
    try:
        system = f.header.file_name.originating_system
    except Exception:  # noqa: BLE001 - header fields are optional
        return None
    return system or None


def _storeys(f: Any, unit_scale: float) -> list[dict[str, Any]]:
    out = []
    for st in f.by_type("IfcBuildingStorey"):
        n = sum(len(rel.RelatedElements or ()) for rel in getattr(st, "ContainsElements", None) or ())
        elevation = st.Elevation
        out.append(
            {
                "name": st.Name,
                "global_id": st.GlobalId,
                "elevation_m": round(float(elevation) * unit_scale, 4) if elevation is not None else None,
                "elements": n,
            }
        )
    out.sort(key=lambda s: (s["elevation_m"] is None, s["elevation_m"] or 0.0, s["name"] or ""))
    return out


def _counts(f: Any) -> dict[str, int]:
    return dict(Counter(e.is_a() for e in f.by_type("IfcElement") if not _not_built(e)))


def _not_built(entity: Any) -> bool:
    return any(entity.is_a(c) for c in NOT_BUILT)


def _settings() -> Any:
    import ifcopenshell.geom

    s = ifcopenshell.geom.settings()
    s.set("use-world-coords", True)
    return s


def _threads() -> int:
    return max(1, min(2, os.cpu_count() or 1))


# ------------------------------------------------------------------------------ geometry


def _outline(xy: np.ndarray, faces: np.ndarray) -> Any:
    """The projection of one element's triangles on the ground (a polygon or multipolygon).

    A closed, consistently oriented surface projects exactly onto its downward-facing triangles
    (every vertical line through it leaves through one), so only those are merged: half the
    triangles. They are merged as a coverage (linear time) when they do not overlap -- checked:
    the merged area must equal the triangles' summed area and be valid -- and by a full union
    otherwise (overhangs, open or inconsistently oriented surfaces)."""
    tri = xy[faces.reshape(-1, 3)]
    if len(tri) > MAX_TRIANGLES:
        return shapely.convex_hull(shapely.multipoints(xy))
    a, b, c = tri[:, 0], tri[:, 1], tri[:, 2]
    area2 = (b[:, 0] - a[:, 0]) * (c[:, 1] - a[:, 1]) - (b[:, 1] - a[:, 1]) * (c[:, 0] - a[:, 0])
    down, up = area2 < -1e-10, area2 > 1e-10
    sum_down, sum_up = -float(area2[down].sum()), float(area2[up].sum())
    if not (sum_down or sum_up):
        return None
    closed = abs(sum_down - sum_up) <= 1e-6 * max(sum_down, sum_up)
    keep = (down if sum_down >= sum_up else up) if closed else (down | up)
    tri = tri[keep]
    polys = shapely.polygons(np.concatenate([tri, tri[:, :1]], axis=1))
    if closed:
        try:
            merged = shapely.coverage_union_all(polys)
        except shapely.errors.GEOSException:  # not a clean coverage (T-junctions): the full union below
            merged = None
        total = float(np.abs(area2[keep]).sum()) / 2
        if merged is not None and merged.is_valid and abs(merged.area - total) <= 1e-9 * max(total, 1.0) + 1e-12:
            return merged
    return shapely.union_all(polys)


def extract(
    source: str | Path | Any,
    *,
    name: str | None = None,
    at: tuple[float, float, float] | None = None,
    progress: Progress | None = None,
    max_bytes: int | None = None,
    require_building: bool = False,
    require_placement: bool = False,
    with_elements: bool = False,
) -> ModelInfo:
    """Everything OpenRuimte keeps of a model. ``source`` is a path or an open ifcopenshell file.

    ``require_building`` / ``require_placement``: refuse a model without an IfcBuilding
    (or IfcFacility) or without georeferencing (registering needs both); ``bim info``
    reports what it can instead.
    """
    if isinstance(source, (str, Path)):
        name = name or Path(source).name
        f = open_model(source, max_bytes=max_bytes)
    else:
        f = source
        name = name or "model"
    unit_name, unit_scale = project_unit(f)
    warnings: list[str] = []
    buildings = len(f.by_type("IfcFacility" if f.schema.startswith("IFC4X3") else "IfcBuilding"))
    if buildings == 0:
        msg = (
            f"{name}: het model bevat geen gebouw (IfcBuilding) / the model has no building (IfcBuilding); fix: "
            "export the model with its building and storeys"
        )
        if require_building:
            raise BimError(msg)
        warnings.append(msg)
    place: Placement | None
    try:
        place = placement(f, name=name, at=at)
    except NoGeoreference as err:
        if require_placement:
            raise
        place = None
        warnings.append(str(err))
    info = ModelInfo(
        file=name,
        schema=f.schema_identifier if hasattr(f, "schema_identifier") else f.schema,
        application=_application(f),
        project_name=(f.by_type("IfcProject")[0].Name or f.by_type("IfcProject")[0].LongName),
        length_unit=unit_name,
        unit_scale=unit_scale,
        storeys=_storeys(f, unit_scale),
        counts=_counts(f),
        buildings=buildings,
        placement=place,
        warnings=warnings,
    )
    if require_placement and place is not None and not place.in_rd:
        raise BimError(
            f"{name}: het model ligt buiten het RD-gebied ({place.crs}); OpenRuimte registreert modellen op de "
            "RD-kaart (EPSG:28992). `openruimte bim info` toont de plek in WGS84 / the model lies outside the RD area "
            "of use and cannot be registered on the RD map; if it does belong in the Netherlands, "
            "give --at X,Y[,ROTATION]"
        )
    _geometry(f, info, progress, with_elements)
    if place is not None and place.height_reference == "NAP":
        info.height_reference = "NAP"
    elif place is not None:
        info.height_reference = "OrthogonalHeight + model z (hoogtestelsel niet opgegeven / height datum not stated)"
    _floor_area(f, info)
    from openruimte.bim.design import facts

    info.design = facts(f, place, unit_scale, info.roof_z)
    return info


def _geometry(f: Any, info: ModelInfo, progress: Progress | None, with_elements: bool) -> None:
    import ifcopenshell.geom

    place = info.placement
    elements = [e for e in f.by_type("IfcElement") if not _not_built(e) and e.Representation is not None]
    total = len(elements)
    if not total:
        info.warnings.append(f"{info.file}: geen elementen met geometrie / no elements with geometry")
        return
    it = ifcopenshell.geom.iterator(_settings(), f, _threads(), include=elements, geometry_library=GEOMETRY_LIBRARY)
    per_element: dict[str, ElementGeom] | None = {} if with_elements else None
    from openruimte.bim.design import roof_guids

    roofs = roof_guids(f)
    roof_lo, roof_hi = np.inf, -np.inf
    batch: list[Any] = []
    merged: list[Any] = []
    zmin, zmax = np.inf, -np.inf
    done = 0
    if it.initialize():
        while True:
            shape = it.get()
            verts = np.asarray(shape.geometry.verts, dtype=float).reshape(-1, 3)
            faces = np.asarray(shape.geometry.faces, dtype=np.int64)
            if len(verts) and len(faces):
                if per_element is not None:
                    lo, hi = verts.min(axis=0), verts.max(axis=0)
                    per_element[shape.guid] = ElementGeom(tuple(np.r_[lo, hi].round(4).tolist()), 0.0)  # type: ignore[arg-type]
                mapped = place.to_map(verts) if place is not None else verts
                zmin, zmax = min(zmin, float(mapped[:, 2].min())), max(zmax, float(mapped[:, 2].max()))
                if shape.guid in roofs:
                    roof_lo, roof_hi = min(roof_lo, float(mapped[:, 2].min())), max(roof_hi, float(mapped[:, 2].max()))
                if place is not None:
                    outline = _outline(mapped[:, :2], faces)
                    if outline is not None and not outline.is_empty:
                        batch.append(outline)
                        if per_element is not None:
                            per_element[shape.guid].area2d = round(float(outline.area), 4)
                if len(batch) >= BATCH:
                    merged.append(shapely.union_all(batch))
                    batch = []
            done += 1
            if progress is not None and done % 50 == 0:
                progress(done, total)
            if not it.next():
                break
    if progress is not None:
        progress(total, total)
    info.elements = per_element
    if np.isfinite(roof_lo):
        info.roof_z = (roof_lo, roof_hi)
    if np.isfinite(zmin):
        unit = place.map_unit_m if place is not None else 1.0
        info.bottom_m, info.top_m = round(zmin * unit, 3), round(zmax * unit, 3)
    if place is None:
        return
    if batch:
        merged.append(shapely.union_all(batch))
    if not merged:
        info.warnings.append(
            f"{info.file}: geen geometrie om een voetafdruk van te maken / no geometry for a footprint"
        )
        return
    footprint = shapely.union_all(merged)
    step = CLOSE_M / place.map_unit_m
    footprint = footprint.buffer(step, join_style="mitre").buffer(-step, join_style="mitre")
    footprint = footprint.simplify(SIMPLIFY_M / place.map_unit_m, preserve_topology=True)
    footprint = _polygons(footprint)
    if footprint is None:
        return
    info.footprint_wgs84 = place.map_to_wgs84(footprint)
    rd = place.map_to_rd(footprint)
    info.footprint = _round(rd) if rd is not None else None


def _polygons(geom: Any) -> Any:
    parts = [g for g in shapely.get_parts(geom) if g.geom_type == "Polygon" and not g.is_empty]
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else shapely.MultiPolygon(parts)


def _round(geom: Any) -> Any:
    """Millimetres are enough in RD; keeps stored footprints small and stable."""
    return shapely.set_precision(geom, 0.001)


def _floor_area(f: Any, info: ModelInfo) -> None:
    """Gross floor area from the spaces' GrossFloorArea quantities, else from their projected geometry."""
    import ifcopenshell.geom
    import ifcopenshell.util.element

    spaces = f.by_type("IfcSpace")
    if not spaces:
        return
    total, missing = 0.0, []
    for sp in spaces:
        qtos = ifcopenshell.util.element.get_psets(sp, qtos_only=True)
        value = None
        for qto in qtos.values():
            for key in ("GrossFloorArea", "NetFloorArea"):
                if isinstance(qto.get(key), (int, float)):
                    value = float(qto[key])
                    break
            if value is not None:
                break
        if value is None:
            missing.append(sp)
        else:
            total += value
    source = "ruimten: GrossFloorArea / spaces' quantities"
    if missing:
        with_geom = [s for s in missing if s.Representation is not None]
        if len(with_geom) < len(missing):
            info.warnings.append(
                f"{len(missing) - len(with_geom)} ruimten zonder oppervlakte of geometrie; bruto vloeroppervlak "
                "onvolledig / spaces without area or geometry; gross floor area incomplete"
            )
        if with_geom:
            it = ifcopenshell.geom.iterator(
                _settings(), f, _threads(), include=with_geom, geometry_library=GEOMETRY_LIBRARY
            )
            if it.initialize():
                while True:
                    shape = it.get()
                    verts = np.asarray(shape.geometry.verts, dtype=float).reshape(-1, 3)
                    faces = np.asarray(shape.geometry.faces, dtype=np.int64)
                    outline = _outline(verts[:, :2], faces) if len(faces) else None
                    if outline is not None:
                        total += float(outline.area)
                    if not it.next():
                        break
            source = "ruimten: geometrie / spaces' geometry" if len(missing) == len(spaces) else source + " + geometry"
    info.gross_floor_area_m2 = round(total, 2)
    info.gross_floor_area_source = source
