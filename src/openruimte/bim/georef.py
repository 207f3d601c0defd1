"""Where a model lies: from the model's own coordinates to RD (EPSG:28992).

The rules (README "BIM models", FIELD-NOTES "IFC placement"):

1. IFC4 ``IfcMapConversion`` with ``TargetCRS`` an ``IfcProjectedCRS``; IFC4X3
   ``IfcMapConversionScaled`` (FactorX/Y/Z) and ``IfcRigidOperation`` (offsets only).
   When several representation contexts carry an operation and they differ, the
   first 3D ``Model`` context's is used and the difference is reported (GRF001).
2. IFC2X3 (and IFC4 files that use them): property sets ``ePSet_MapConversion`` /
   ``ePSet_ProjectedCRS`` on IfcProject or IfcSite, names of sets and properties
   in any capitalisation (``ePset_``, ``EPSET_`` ...).
3. Units: the project length unit against the map unit (``MapUnit``, else the CRS's
   own axis unit). A missing ``Scale`` means the unit ratio (reported). Eastings
   and Northings are judged by magnitude against the CRS's area of use: when they
   only fit there after the unit ratio (written in millimetres), that is applied
   and reported.
4. Grid north from ``XAxisAbscissa``/``XAxisOrdinate`` with atan2 (never TrueNorth).
5. The context's WorldCoordinateSystem is taken off the model's coordinates before
   the map conversion (as ifcopenshell.util.geolocation does).
6. A CRS other than RD is transformed to EPSG:28992 with pyproj when the model lies
   within RD's area of use; outside it (e.g. Luxembourg, EPSG:9897) the placement
   is given in WGS84 only and registering is refused, saying so.
7. IfcSite RefLatitude/RefLongitude only as a labelled low-confidence fallback; a
   map conversion that contradicts them (> 1 km) is reported.
8. No georeferencing at all: :class:`NoGeoreference`, suggesting ``--at X,Y[,ROTATION]``.
"""

from __future__ import annotations

import math
import re
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pyproj
import shapely
from pyproj.exceptions import CRSError

from openruimte.bim.errors import BimError, NoGeoreference

RD = "EPSG:28992"
WGS84 = "EPSG:4326"
#: EPSG:28992's area of use (lon/lat)
RD_AREA = (3.2, 50.75, 7.22, 53.7)
#: a map conversion and IfcSite lat/lon farther apart than this contradict each other
CONTRADICTION_M = 1000.0
NAP_CODES = {5709, 7415}

AT_HELP = (
    "geef de plek op met --at X,Y[,ROTATIE] (RD-coördinaten van de oorsprong van het model, rotatie in graden "
    "tegen de klok in) / give the place with --at X,Y[,ROTATION] (RD coordinates of the model's origin, "
    "rotation in degrees counter-clockwise)"
)


@dataclass
class Placement:
    """The georeferencing used for a model: from the geometry iterator's metres to the target CRS."""

    #: IfcMapConversion, IfcMapConversionScaled, IfcRigidOperation, ePSet_MapConversion,
    #: IfcSite RefLatitude/RefLongitude, or --at
    method: str
    #: the CRS the model names (EPSG:n), RD for --at and the lat/lon fallback
    crs: str
    #: the offsets as applied, in map units of ``crs``
    eastings: float
    northings: float
    orthogonal_height: float
    #: grid north: the angle of the model's x-axis from map east, counter-clockwise, degrees
    rotation_deg: float
    #: project length unit -> map unit (as applied, unit ratio included)
    scale: float
    factors: tuple[float, float, float] = (1.0, 1.0, 1.0)
    #: where the georeferencing was found (IfcProject, IfcSite, context)
    source: str = ""
    #: high for a map conversion or --at; low for IfcSite lat/lon
    confidence: str = "high"
    #: does the model lie within RD's area of use (footprint in EPSG:28992)?
    in_rd: bool = True
    #: NAP when the model says so, else "niet opgegeven / not stated"
    height_reference: str = "niet opgegeven / not stated"
    #: metres per project length unit
    unit_scale: float = 1.0
    #: the context's WorldCoordinateSystem origin in metres (taken off first), if any
    wcs_offset_m: tuple[float, float, float] | None = None
    warnings: list[str] = field(default_factory=list)
    #: what was assumed (missing Scale, units of Eastings ...)
    assumptions: list[str] = field(default_factory=list)
    #: metres per map unit of ``crs``
    map_unit_m: float = 1.0
    _wcs_inv: Any = field(default=None, repr=False, compare=False)

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        out.pop("_wcs_inv", None)
        out["factors"] = list(self.factors)
        out["wcs_offset_m"] = list(self.wcs_offset_m) if self.wcs_offset_m else None
        return out

    # -------------------------------------------------------------- transformations

    def to_map(self, xyz_m: np.ndarray) -> np.ndarray:
        """Iterator coordinates (SI metres, n x 3) to (E, N, H) in map units of ``crs``."""
        pts = np.asarray(xyz_m, dtype=float).reshape(-1, 3) / self.unit_scale  # project units
        if self._wcs_inv is not None:
            homo = np.c_[pts, np.ones(len(pts))]
            pts = (homo @ self._wcs_inv.T)[:, :3]
        theta = math.radians(self.rotation_deg)
        c, s = math.cos(theta), math.sin(theta)
        fx, fy, fz = self.factors
        x = pts[:, 0] * self.scale * fx
        y = pts[:, 1] * self.scale * fy
        e = self.eastings + c * x - s * y
        n = self.northings + s * x + c * y
        h = self.orthogonal_height + pts[:, 2] * self.scale * fz
        return np.c_[e, n, h]

    def height_m(self, h_map: float) -> float:
        return float(h_map * self.map_unit_m)

    def map_to_rd(self, geom: Any) -> Any:
        """A geometry in ``crs`` to EPSG:28992 (metres); None when the model lies outside RD."""
        if not self.in_rd:
            return None
        if _epsg(self.crs) == 28992 and self.map_unit_m == 1.0:
            return geom
        return _transform(geom, self.crs, RD, self.map_unit_m)

    def map_to_wgs84(self, geom: Any) -> Any:
        return _transform(geom, self.crs, WGS84, self.map_unit_m)


def _transform(geom: Any, src: str, dst: str, unit_m: float) -> Any:
    src_crs = _crs(src)
    tr = pyproj.Transformer.from_crs(_horizontal(src_crs), dst, always_xy=True)
    dense = shapely.segmentize(geom, max(1.0 / unit_m, 1e-9) * 5.0)
    factor = unit_m / _axis_unit_m(_horizontal(src_crs))

    def fn(coords: np.ndarray) -> np.ndarray:
        x, y = tr.transform(coords[:, 0] * factor, coords[:, 1] * factor)
        return np.c_[x, y]

    return shapely.transform(dense, fn)


# ------------------------------------------------------------------------------ CRS helpers


def _epsg(name: str) -> int | None:
    m = re.search(r"EPSG\D{0,3}(\d{4,6})", name or "", re.IGNORECASE)
    return int(m.group(1)) if m else None


def _crs(name: str) -> pyproj.CRS:
    code = _epsg(name)
    if code is not None:
        return pyproj.CRS.from_epsg(code)
    return pyproj.CRS.from_user_input(name)


def _horizontal(crs: pyproj.CRS) -> pyproj.CRS:
    if crs.is_compound:
        for sub in crs.sub_crs_list:
            if sub.is_projected or sub.is_geographic:
                return sub
    return crs


def _axis_unit_m(crs: pyproj.CRS) -> float:
    try:
        return float(crs.axis_info[0].unit_conversion_factor or 1.0)
    except (IndexError, AttributeError):
        return 1.0


def _resolve_crs(name: str | None, file: str) -> tuple[str, pyproj.CRS, str, list[str]]:
    """The target CRS as 'EPSG:n', its pyproj CRS, and the height reference."""
    if not name or not str(name).strip():
        raise BimError(
            f"{file}: de kaartconversie noemt geen coördinatenstelsel (IfcProjectedCRS.Name is leeg) / the map "
            "conversion names no CRS; fix: set IfcProjectedCRS.Name to e.g. EPSG:28992, or " + AT_HELP
        )
    try:
        crs = _crs(str(name))
    except CRSError as err:
        raise BimError(
            f"{file}: onbekend coördinatenstelsel {name!r} in IfcProjectedCRS.Name / unknown CRS {name!r} "
            f"({err}); fix: use a valid EPSG code such as EPSG:28992, or " + AT_HELP
        ) from None
    horizontal = _horizontal(crs)
    if not horizontal.is_projected:
        raise BimError(
            f"{file}: {name} is geen geprojecteerd stelsel / is not a projected CRS (a map conversion needs one, "
            "GRF003); fix: use EPSG:28992, or " + AT_HELP
        )
    code = _epsg(str(name)) or crs.to_epsg() or 0
    height = "niet opgegeven / not stated"
    if code in NAP_CODES or (crs.is_compound and any((s.to_epsg() or 0) in NAP_CODES for s in crs.sub_crs_list)):
        height = "NAP"
    label = f"EPSG:{code}" if code else str(name)
    notes = []
    if _epsg(str(name)) is None and code:
        notes.append(
            f"IfcProjectedCRS.Name {name!r} is niet in de vorm EPSG:n; gelezen als {label} / is not of the form "
            f"EPSG:n (GRF002); read as {label}"
        )
    return label, crs, height, notes


def _area_bounds(crs: pyproj.CRS) -> tuple[float, float, float, float] | None:
    """The CRS's area of use in its own coordinates (with a 10 % margin)."""
    area = crs.area_of_use
    if area is None:
        return None
    h = _horizontal(crs)
    tr = pyproj.Transformer.from_crs(WGS84, h, always_xy=True)
    x0, y0, x1, y1 = tr.transform_bounds(area.west, area.south, area.east, area.north, densify_pts=21)
    dx, dy = (x1 - x0) * 0.1, (y1 - y0) * 0.1
    return (x0 - dx, y0 - dy, x1 + dx, y1 + dy)


def _inside(bounds: tuple[float, float, float, float] | None, e: float, n: float) -> bool:
    if bounds is None:
        return True
    return bounds[0] <= e <= bounds[2] and bounds[1] <= n <= bounds[3]


def _lonlat(crs: pyproj.CRS, e: float, n: float) -> tuple[float, float]:
    tr = pyproj.Transformer.from_crs(_horizontal(crs), WGS84, always_xy=True)
    lon, lat = tr.transform(e, n)
    return float(lon), float(lat)


def in_rd_area(lon: float, lat: float) -> bool:
    return RD_AREA[0] <= lon <= RD_AREA[2] and RD_AREA[1] <= lat <= RD_AREA[3]


# ------------------------------------------------------------------------------ units


def unit_metres(unit: Any) -> float | None:
    """Metres per unit of an IfcNamedUnit, or of a label such as 'METRE', 'mm', 'MILLIMETRE'."""
    if unit is None:
        return None
    if isinstance(unit, str):
        text = unit.strip().lower().replace(" ", "")
        table = {
            "m": 1.0, "metre": 1.0, "meter": 1.0, "metres": 1.0, "meters": 1.0,
            "mm": 0.001, "millimetre": 0.001, "millimeter": 0.001, "millimetres": 0.001,
            "cm": 0.01, "centimetre": 0.01, "centimeter": 0.01, "km": 1000.0, "kilometre": 1000.0,
            "ft": 0.3048, "foot": 0.3048, "feet": 0.3048, "usfoot": 1200 / 3937,
        }  # fmt: skip
        return table.get(text)
    if unit.is_a("IfcSIUnit"):
        prefixes = {"MILLI": 1e-3, "CENTI": 1e-2, "DECI": 1e-1, "KILO": 1e3, None: 1.0}
        return prefixes.get(unit.Prefix, 1.0)
    if unit.is_a("IfcConversionBasedUnit"):
        factor = unit.ConversionFactor
        value = factor.ValueComponent.wrappedValue if factor is not None else 1.0
        base = unit_metres(factor.UnitComponent) if factor is not None else 1.0
        return float(value) * (base or 1.0)
    return None


def project_unit(f: Any) -> tuple[str, float]:
    """The project length unit's name (e.g. MILLIMETRE) and metres per unit."""
    import ifcopenshell.util.unit

    unit = ifcopenshell.util.unit.get_project_unit(f, "LENGTHUNIT")
    if unit is None:
        return "METRE", 1.0
    if unit.is_a("IfcSIUnit"):
        name = f"{unit.Prefix or ''}{unit.Name}"
    else:
        name = str(unit.Name).upper()
    return name, float(ifcopenshell.util.unit.calculate_unit_scale(f))


def _unit_label(metres: float) -> str:
    return {1.0: "m", 0.001: "mm", 0.01: "cm", 0.3048: "ft"}.get(round(metres, 6), f"{metres} m")


# ------------------------------------------------------------------------------ reading the model


def _value(v: Any) -> Any:
    return getattr(v, "wrappedValue", v)


def _float(v: Any) -> float | None:
    v = _value(v)
    if v is None:
        return None
    try:
        return float(str(v).replace(",", ".")) if isinstance(v, str) else float(v)
    except (TypeError, ValueError):
        return None


def _psets_ci(f: Any, wanted: str) -> list[tuple[Any, dict[str, Any]]]:
    """(object, properties with lower-case names) of property sets named ``wanted`` in any capitalisation
    on IfcProject or IfcSite (ePSet_, ePset_, EPSET_ ...)."""
    target = wanted.lower()
    out = []
    for rel in f.by_type("IfcRelDefinesByProperties"):
        pset = rel.RelatingPropertyDefinition
        if pset is None or not pset.is_a("IfcPropertySet") or (pset.Name or "").lower() != target:
            continue
        props = {}
        for prop in pset.HasProperties or ():
            if prop.is_a("IfcPropertySingleValue"):
                nominal = prop.NominalValue
                props[(prop.Name or "").lower()] = nominal.wrappedValue if nominal is not None else None
        for obj in rel.RelatedObjects or ():
            if obj.is_a("IfcProject") or obj.is_a("IfcSite"):
                out.append((obj, props))
    out.sort(key=lambda item: 0 if item[0].is_a("IfcProject") else 1)
    return out


def _contexts(f: Any) -> list[Any]:
    ctxs = [
        c for c in f.by_type("IfcGeometricRepresentationContext") if not c.is_a("IfcGeometricRepresentationSubContext")
    ]
    ctxs.sort(key=lambda c: 0 if c.ContextType == "Model" and (c.CoordinateSpaceDimension or 3) == 3 else 1)
    return ctxs


def _operation_key(op: Any) -> tuple[Any, ...]:
    values = []
    for i, v in enumerate(op):
        if i in (0,):  # SourceCRS differs per context by design
            continue
        if hasattr(v, "is_a") and v.is_a("IfcCoordinateReferenceSystem"):
            values.append(v.Name)
        else:
            values.append(repr(v))
    return (op.is_a(), *values)


def _wcs(f: Any, context: Any | None, unit_scale: float) -> tuple[Any, tuple[float, float, float] | None]:
    """The WorldCoordinateSystem as a 4x4 matrix (project units) and its offset in metres, when not identity."""
    import ifcopenshell.util.placement

    ctx = context or next(iter(_contexts(f)), None)
    if ctx is None or ctx.WorldCoordinateSystem is None:
        return None, None
    wcs = ctx.WorldCoordinateSystem
    if not wcs.is_a("IfcAxis2Placement3D") and not wcs.is_a("IfcAxis2Placement2D"):
        return None, None
    m = np.asarray(ifcopenshell.util.placement.get_axis2placement(wcs), dtype=float)
    if m.shape == (3, 3):  # 2D placement
        full = np.eye(4)
        full[:2, :2] = m[:2, :2]
        full[:2, 3] = m[:2, 2]
        m = full
    if np.allclose(m, np.eye(4)):
        return None, None
    offset = tuple(float(v) * unit_scale for v in m[:3, 3])
    return np.linalg.inv(m), offset  # type: ignore[return-value]


def site_latlon(f: Any) -> tuple[float, float] | None:
    """IfcSite RefLatitude/RefLongitude as decimal degrees (lat, lon), or None."""
    for site in f.by_type("IfcSite"):
        lat, lon = site.RefLatitude, site.RefLongitude
        if lat and lon:
            return _dd(lat), _dd(lon)
    return None


def _dd(parts: Any) -> float:
    vals = list(parts) + [0] * (4 - len(parts))
    sign = -1.0 if any(v < 0 for v in vals) else 1.0
    d, m, s, us = (abs(float(v)) for v in vals[:4])
    return sign * (d + m / 60 + s / 3600 + us / 3.6e9)


def parse_at(text: str) -> tuple[float, float, float]:
    """``X,Y[,ROTATION]`` (RD metres, degrees counter-clockwise) as three floats; a clear error otherwise."""
    parts = [p.strip() for p in str(text).split(",")]
    try:
        if len(parts) not in (2, 3):
            raise ValueError
        x, y = float(parts[0]), float(parts[1])
        rot = float(parts[2]) if len(parts) == 3 else 0.0
    except ValueError:
        raise BimError(
            f"--at {text!r}: verwacht X,Y of X,Y,ROTATIE (RD-meters, graden) / expected X,Y or X,Y,ROTATION, "
            "e.g. --at 155000,463000,12.5"
        ) from None
    if not (-7000 <= x <= 300000 and 289000 <= y <= 629000):
        raise BimError(
            f"--at {text!r}: {x},{y} ligt buiten het RD-gebied / lies outside the RD area "
            "(x -7000..300000, y 289000..629000); give RD coordinates (EPSG:28992), not lon/lat"
        )
    return x, y, rot


# ------------------------------------------------------------------------------ the placement


def placement(f: Any, *, name: str = "model", at: tuple[float, float, float] | None = None) -> Placement:
    """The georeferencing of model ``f`` (file ``name`` for messages); ``at`` places it by hand.

    Raises :class:`NoGeoreference` when the model says nowhere where it lies, and
    :class:`BimError` for a CRS that cannot be used.
    """
    unit_name, unit_scale = project_unit(f)
    if at is not None:
        inv, offset = _wcs(f, None, unit_scale)
        p = Placement(
            method="--at",
            crs=RD,
            eastings=at[0],
            northings=at[1],
            orthogonal_height=0.0,
            rotation_deg=at[2],
            scale=unit_scale,
            source="opdrachtregel / command line",
            unit_scale=unit_scale,
            wcs_offset_m=offset,
            _wcs_inv=inv,
        )
        if _find_operation(f, name, unit_scale, quiet=True) is not None:
            p.warnings.append(
                "het model heeft een eigen georeferentie; die is genegeerd omdat --at is opgegeven / the model's "
                "own georeferencing was ignored because --at was given"
            )
        _wcs_note(p)
        return p
    found = _find_operation(f, name, unit_scale, quiet=False)
    if found is None:
        return _latlon_fallback(f, name, unit_scale)
    _check_latlon(f, found)
    _wcs_note(found)
    return found


def _wcs_note(p: Placement) -> None:
    if p.wcs_offset_m is not None:
        x, y, z = p.wcs_offset_m
        p.assumptions.append(
            f"WorldCoordinateSystem-verschuiving ({x:.3f}, {y:.3f}, {z:.3f}) m eerst verwijderd / "
            "WorldCoordinateSystem "
            "offset taken off before the map conversion"
        )


def _find_operation(f: Any, name: str, unit_scale: float, *, quiet: bool) -> Placement | None:
    warnings: list[str] = []
    ops: list[tuple[Any, Any]] = []
    if f.schema != "IFC2X3":
        contexts = _contexts(f)
        with_op = []
        for ctx in contexts:
            for op in getattr(ctx, "HasCoordinateOperation", None) or ():
                with_op.append((ctx, op))
        if with_op:
            ops = with_op
            keys = {_operation_key(op) for _, op in with_op}
            if len(keys) > 1:
                warnings.append(
                    "de representatiecontexten hebben verschillende kaartconversies; die van de 3D-modelcontext is "
                    "gebruikt / the representation contexts carry different coordinate operations (GRF001); the 3D "
                    "Model context's was used"
                )
            if len({id(c) for c, _ in with_op}) < len(contexts):
                warnings.append(
                    "niet elke representatiecontext heeft een kaartconversie / not every representation context has "
                    "a coordinate operation (GRF001)"
                )
    if ops:
        ctx, op = ops[0]
        p = _from_operation(f, name, op, ctx, unit_scale)
        p.warnings[:0] = warnings
        return p
    conv = _psets_ci(f, "epset_mapconversion")
    if conv:
        return _from_psets(f, name, conv, unit_scale)
    if not quiet and f.schema != "IFC2X3" and f.by_type("IfcProjectedCRS"):
        crs = f.by_type("IfcProjectedCRS")[0]
        raise NoGeoreference(
            f"{name}: het model noemt een coördinatenstelsel ({crs.Name}) maar geen kaartconversie "
            "(IfcMapConversion), dus niet waar het ligt / the model names a CRS but no map conversion, so not where "
            "it lies; " + AT_HELP
        )
    return None


def _from_operation(f: Any, name: str, op: Any, ctx: Any, unit_scale: float) -> Placement:
    target = op.TargetCRS
    if target is None or not target.is_a("IfcProjectedCRS"):
        kind = target.is_a() if target is not None else "geen / none"
        raise BimError(
            f"{name}: {op.is_a()} #{op.id()} heeft als doel {kind}, geen IfcProjectedCRS / targets {kind}, not an "
            "IfcProjectedCRS (GRF003); fix: give it an IfcProjectedCRS such as EPSG:28992, or " + AT_HELP
        )
    crs_label, crs, height_ref, notes = _resolve_crs(target.Name, name)
    if target.VerticalDatum and "nap" in str(target.VerticalDatum).lower():
        height_ref = "NAP"
    map_unit_m = unit_metres(target.MapUnit) or _axis_unit_m(_horizontal(crs))
    if op.is_a("IfcRigidOperation"):
        first, second = op.FirstCoordinate, op.SecondCoordinate
        if not (first.is_a("IfcLengthMeasure") and second.is_a("IfcLengthMeasure")):
            raise BimError(
                f"{name}: IfcRigidOperation #{op.id()} geeft hoeken, geen lengtes / gives angles, not lengths; only "
                "projected offsets are supported; fix: use an IfcMapConversion, or " + AT_HELP
            )
        e, n, h = float(first.wrappedValue), float(second.wrappedValue), float(op.Height or 0.0)
        abscissa, ordinate, scale, factors = 1.0, 0.0, None, (1.0, 1.0, 1.0)
    else:
        e, n, h = float(op.Eastings), float(op.Northings), float(op.OrthogonalHeight or 0.0)
        abscissa, ordinate, scale = op.XAxisAbscissa, op.XAxisOrdinate, op.Scale
        factors = (1.0, 1.0, 1.0)
        if op.is_a("IfcMapConversionScaled"):
            factors = (float(op.FactorX), float(op.FactorY), float(op.FactorZ))
    p = _build(
        name,
        method=op.is_a(),
        source=f"{op.is_a()} #{op.id()} (context #{ctx.id()})",
        crs_label=crs_label,
        crs=crs,
        height_ref=height_ref,
        e=e,
        n=n,
        h=h,
        abscissa=abscissa,
        ordinate=ordinate,
        scale=scale,
        factors=factors,
        unit_scale=unit_scale,
        map_unit_m=map_unit_m,
        notes=notes,
    )
    p._wcs_inv, p.wcs_offset_m = _wcs(f, ctx, unit_scale)
    return p


def _from_psets(f: Any, name: str, conv: list[tuple[Any, dict[str, Any]]], unit_scale: float) -> Placement:
    obj, props = conv[0]
    warnings = []
    if len(conv) > 1 and any(p != props for _, p in conv[1:]):
        warnings.append(
            f"ePSet_MapConversion staat op meer objecten met verschillende waarden; die op {obj.is_a()} is gebruikt / "
            f"several differing ePSet_MapConversion sets; the one on {obj.is_a()} was used"
        )
    crs_sets = _psets_ci(f, "epset_projectedcrs")
    crs_props = next((p for o, p in crs_sets if o == obj), crs_sets[0][1] if crs_sets else {})
    crs_name = crs_props.get("name")
    if not crs_name:
        raise BimError(
            f"{name}: ePSet_MapConversion op {obj.is_a()} zonder ePSet_ProjectedCRS.Name / without "
            "ePSet_ProjectedCRS.Name, so the CRS is unknown; fix: add ePSet_ProjectedCRS with Name EPSG:28992, or "
            + AT_HELP
        )
    crs_label, crs, height_ref, notes = _resolve_crs(crs_name, name)
    if "nap" in str(crs_props.get("verticaldatum") or "").lower():
        height_ref = "NAP"
    map_unit_m = unit_metres(crs_props.get("mapunit")) or _axis_unit_m(_horizontal(crs))
    e, n = _float(props.get("eastings")), _float(props.get("northings"))
    if e is None or n is None:
        raise BimError(
            f"{name}: ePSet_MapConversion op {obj.is_a()} mist Eastings of Northings / lacks Eastings or Northings; "
            "fix: fill both, or " + AT_HELP
        )
    set_name = "ePSet_MapConversion"
    p = _build(
        name,
        method=set_name,
        source=f"{set_name} op / on {obj.is_a()} #{obj.id()}",
        crs_label=crs_label,
        crs=crs,
        height_ref=height_ref,
        e=e,
        n=n,
        h=_float(props.get("orthogonalheight")) or 0.0,
        abscissa=_float(props.get("xaxisabscissa")),
        ordinate=_float(props.get("xaxisordinate")),
        scale=_float(props.get("scale")),
        factors=(1.0, 1.0, 1.0),
        unit_scale=unit_scale,
        map_unit_m=map_unit_m,
        notes=notes,
    )
    p.warnings[:0] = warnings
    p._wcs_inv, p.wcs_offset_m = _wcs(f, None, unit_scale)
    return p


def _build(
    name: str,
    *,
    method: str,
    source: str,
    crs_label: str,
    crs: pyproj.CRS,
    height_ref: str,
    e: float,
    n: float,
    h: float,
    abscissa: float | None,
    ordinate: float | None,
    scale: float | None,
    factors: tuple[float, float, float],
    unit_scale: float,
    map_unit_m: float,
    notes: list[str],
) -> Placement:
    warnings: list[str] = list(notes)
    assumptions: list[str] = []
    ratio = unit_scale / map_unit_m  # project units -> map units
    proj_label, map_label = _unit_label(unit_scale), _unit_label(map_unit_m)
    if scale is None or scale == 0:
        scale = ratio
        if not math.isclose(ratio, 1.0):
            assumptions.append(
                f"Scale ontbreekt; de eenheidsverhouding {proj_label} -> {map_label} ({ratio:g}) is toegepast / Scale "
                f"is missing; the unit ratio {proj_label} -> {map_label} ({ratio:g}) was applied"
            )
        else:
            assumptions.append("Scale ontbreekt; 1 aangenomen (zelfde eenheden) / Scale is missing; 1 assumed")
    elif not math.isclose(scale, ratio, rel_tol=0.01) and math.isclose(scale, 1.0):
        warnings.append(
            f"Scale is 1, maar het project rekent in {proj_label} en de kaart in {map_label}: het model zou "
            f"{1 / ratio:g}x te groot zijn; gebruikt zoals opgegeven / Scale is 1 but the project unit is {proj_label} "
            f"and the map unit {map_label}: used as given (the model may be {1 / ratio:g} times too large)"
        )
    # Eastings/Northings: map units by the standard; some exporters write project units
    bounds = _area_bounds(crs)
    if not _inside(
        bounds, e * map_unit_m / _axis_unit_m(_horizontal(crs)), n * map_unit_m / _axis_unit_m(_horizontal(crs))
    ):
        if not math.isclose(ratio, 1.0) and _inside(bounds, e * ratio, n * ratio):
            assumptions.append(
                f"Eastings/Northings ({e:g}, {n:g}) liggen alleen in het gebruiksgebied van {crs_label} als ze in "
                f"{proj_label} staan; omgerekend naar {e * ratio:.3f}, {n * ratio:.3f} {map_label} / Eastings/"
                f"Northings only fit the CRS's area of use in {proj_label}; converted"
            )
            e, n, h = e * ratio, n * ratio, h * ratio
        else:
            raise BimError(
                f"{name}: Eastings/Northings ({e:g}, {n:g}) liggen buiten het gebruiksgebied van {crs_label} / lie "
                f"outside the area of use of {crs_label}; fix: check the map conversion, or " + AT_HELP
            )
    if abscissa is None and ordinate is None:
        abscissa, ordinate = 1.0, 0.0
        assumptions.append("XAxisAbscissa/XAxisOrdinate ontbreken; geen rotatie / missing; no rotation")
    abscissa, ordinate = float(abscissa or 0.0), float(ordinate or 0.0)
    if abscissa == 0.0 and ordinate == 0.0:
        abscissa = 1.0
        warnings.append("XAxisAbscissa en XAxisOrdinate zijn beide 0; geen rotatie / both are 0; no rotation")
    rotation = math.degrees(math.atan2(ordinate, abscissa))
    x_m = e * map_unit_m / _axis_unit_m(_horizontal(crs))
    y_m = n * map_unit_m / _axis_unit_m(_horizontal(crs))
    lon, lat = _lonlat(crs, x_m, y_m)
    in_rd = in_rd_area(lon, lat)
    if not in_rd:
        warnings.append(
            f"het model ligt buiten het RD-gebied ({lat:.5f} N, {lon:.5f} E, {crs_label}): alleen in WGS84 geplaatst, "
            "niet op de RD-kaart / the model lies outside the RD area of use: placed in WGS84 only, not registered "
            "on the RD map"
        )
    elif _epsg(crs_label) != 28992:
        assumptions.append(f"{crs_label} met pyproj omgerekend naar EPSG:28992 / transformed to EPSG:28992 with pyproj")
    return Placement(
        method=method,
        crs=crs_label,
        eastings=e,
        northings=n,
        orthogonal_height=h,
        rotation_deg=rotation,
        scale=float(scale),
        factors=factors,
        source=source,
        in_rd=in_rd,
        height_reference=height_ref,
        unit_scale=unit_scale,
        warnings=warnings,
        assumptions=assumptions,
        map_unit_m=map_unit_m,
    )


def origin_lonlat(p: Placement) -> tuple[float, float]:
    """Where the model's origin lies (lon, lat)."""
    crs = _crs(p.crs)
    factor = p.map_unit_m / _axis_unit_m(_horizontal(crs))
    return _lonlat(crs, p.eastings * factor, p.northings * factor)


def _check_latlon(f: Any, p: Placement) -> None:
    ll = site_latlon(f)
    if ll is None:
        return
    lat, lon = ll
    olon, olat = origin_lonlat(p)
    _, _, dist = pyproj.Geod(ellps="WGS84").inv(olon, olat, lon, lat)
    if dist > CONTRADICTION_M:
        p.warnings.append(
            f"IfcSite RefLatitude/RefLongitude ({lat:.5f}, {lon:.5f}) ligt {dist / 1000:,.1f} km van de plek volgens "
            f"de kaartconversie ({olat:.5f}, {olon:.5f}); de kaartconversie is gebruikt (lat/lon is vaak een "
            f"standaardwaarde) / IfcSite lat/lon lie {dist / 1000:,.1f} km from the map conversion's place; the map "
            "conversion was used"
        )


def _latlon_fallback(f: Any, name: str, unit_scale: float) -> Placement:
    ll = site_latlon(f)
    if ll is None:
        raise NoGeoreference(
            f"{name}: het model is niet gegeorefereerd (geen IfcMapConversion, geen ePSet_MapConversion, geen IfcSite "
            "RefLatitude/RefLongitude) / the model has no georeferencing; " + AT_HELP
        )
    lat, lon = ll
    if not in_rd_area(lon, lat):
        raise NoGeoreference(
            f"{name}: alleen IfcSite RefLatitude/RefLongitude ({lat:.5f}, {lon:.5f}), en die liggen buiten Nederland "
            "(vaak een standaardwaarde, bv. Revit: Boston) / only IfcSite lat/lon, outside the Netherlands (often a "
            "default); " + AT_HELP
        )
    tr = pyproj.Transformer.from_crs(WGS84, RD, always_xy=True)
    e, n = tr.transform(lon, lat)
    inv, offset = _wcs(f, None, unit_scale)
    site_xy = _site_offset(f, unit_scale)
    p = Placement(
        method="IfcSite RefLatitude/RefLongitude",
        crs=RD,
        eastings=float(e) - site_xy[0],
        northings=float(n) - site_xy[1],
        orthogonal_height=0.0,
        rotation_deg=0.0,
        scale=unit_scale,
        source="IfcSite",
        confidence="low",
        unit_scale=unit_scale,
        wcs_offset_m=offset,
        _wcs_inv=inv,
        warnings=[
            "lage betrouwbaarheid: alleen IfcSite RefLatitude/RefLongitude, zonder rotatie (ware noord "
            "genegeerd) / low "
            "confidence: placed from IfcSite lat/lon only, no rotation; check the place or give --at X,Y[,ROTATION]"
        ],
    )
    _wcs_note(p)
    return p


def _site_offset(f: Any, unit_scale: float) -> tuple[float, float]:
    """The IfcSite placement's origin in metres (lat/lon refer to it)."""
    import ifcopenshell.util.placement

    for site in f.by_type("IfcSite"):
        if site.ObjectPlacement is not None:
            m = ifcopenshell.util.placement.get_local_placement(site.ObjectPlacement)
            return float(m[0, 3]) * unit_scale, float(m[1, 3]) * unit_scale
    return 0.0, 0.0
