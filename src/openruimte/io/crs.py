"""Coordinate reference systems: names as they occur in files, and transforms to EPSG:28992."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from openruimte.model.geometry import RD_BOUNDS, STORAGE_CRS, WGS84_NL_BOUNDS

if TYPE_CHECKING:
    import pyproj

# pyproj (~0.1 s to import) is imported where it is used: reading a file in RD New or
# WGS84 (by far the most) does not need it, so `openruimte analyse --plans` starts faster

WGS84 = "EPSG:4326"
CRS84_URI = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
RD_URI = "http://www.opengis.net/def/crs/EPSG/0/28992"

#: ASCII digits only: ``\d`` and ``str.isdigit`` also take '¹' or '٣', which ``int`` refuses or misreads
_EPSG_PATTERNS = (
    re.compile(r"^epsg:([0-9]{1,9})$", re.I),
    re.compile(r"^urn:(?:x-)?ogc:def:crs:epsg:(?:[0-9.]*:)?([0-9]{1,9})$", re.I),
    re.compile(r"^https?://www\.opengis\.net/def/crs/epsg/0/([0-9]{1,9})$", re.I),
    re.compile(r"^https?://spatialreference\.org/ref/epsg/([0-9]{1,9})/?$", re.I),
)
_CODE = re.compile(r"^[0-9]{1,9}$")
#: longer names are no CRS (PROJ would try to read WKT or PROJJSON of any length)
_MAX_CRS_TEXT = 2000


class CRSError(ValueError):
    """A CRS name that cannot be understood."""


def normalise_crs(name: str | int | None) -> str:
    """``EPSG:N`` for any spelling (``urn:ogc:def:crs:EPSG::28992``,
    ``urn:x-ogc:def:crs:EPSG:28992``, OGC URIs, ``28992``); CRS84 -> EPSG:4326.

    The one reading of a CRS for every importer, API parameter and CLI option:
    a code PROJ does not know is refused here too (:class:`CRSError`)."""
    code = _spelling(name)
    if code in (STORAGE_CRS, WGS84):  # PROJ knows these
        return code
    import pyproj

    try:
        _crs(code)
    except pyproj.exceptions.CRSError:
        raise CRSError(
            f"unknown CRS code {code}: PROJ does not know it; give the CRS of the coordinates, "
            "e.g. EPSG:28992 (RD New) or EPSG:4326 (WGS84 longitude/latitude)"
        ) from None
    return code


def _spelling(name: str | int | None) -> str:
    if name is None:
        raise CRSError("no CRS given")
    raw = str(name).strip()
    if _CODE.match(raw):
        return f"EPSG:{int(raw)}"
    if not raw or len(raw) > _MAX_CRS_TEXT or not raw.isprintable():
        raise CRSError(f"unknown CRS '{raw[:40]}'; give it as EPSG:28992 or EPSG:4326")
    low = raw.lower()
    if "crs84" in low or low in ("wgs84", "wgs 84"):
        return WGS84
    for pattern in _EPSG_PATTERNS:
        match = pattern.match(raw)
        if match:
            return f"EPSG:{int(match.group(1))}"
    import pyproj

    try:
        crs = pyproj.CRS.from_user_input(raw)
    except (pyproj.exceptions.CRSError, ValueError, TypeError) as err:
        raise CRSError(f"unknown CRS '{raw}'; give it as EPSG:28992 or EPSG:4326") from err
    epsg = crs.to_epsg(min_confidence=70)
    if epsg is None:
        raise CRSError(f"CRS '{crs.name}' has no EPSG code; reproject the file to EPSG:28992 first")
    return f"EPSG:{epsg}"


@lru_cache(maxsize=32)
def area_of_use(crs: str) -> tuple[str, tuple[float, float, float, float]] | None:
    """The name and bounds (in ``crs``'s own x/y) of where ``crs`` may be used, or None."""
    import pyproj

    found = _crs(crs).area_of_use
    if found is None:
        return None
    if _crs(crs).is_geographic:
        return found.name, (found.west, found.south, found.east, found.north)
    try:
        box = _transformer(WGS84, crs).transform_bounds(
            found.west, found.south, found.east, found.north, densify_pts=21
        )
    except pyproj.exceptions.ProjError:
        return None
    if not all(np.isfinite(box)):
        return None
    return found.name, tuple(float(v) for v in box)  # type: ignore[return-value]


def is_geographic(crs: str) -> bool:
    return _crs(crs).is_geographic


@lru_cache(maxsize=32)
def _crs(name: str) -> pyproj.CRS:
    import pyproj

    return pyproj.CRS.from_user_input(name)


@lru_cache(maxsize=32)
def _transformer(source: str, target: str) -> pyproj.Transformer:
    import pyproj

    return pyproj.Transformer.from_crs(_crs(source), _crs(target), always_xy=True)


def expected_bounds(crs: str) -> tuple[float, float, float, float] | None:
    """Where coordinates in this CRS can be for the Netherlands (None: not checked)."""
    if crs == STORAGE_CRS:
        return RD_BOUNDS
    if crs == WGS84:
        return WGS84_NL_BOUNDS
    return None


def bounds_message(geom: BaseGeometry, crs: str) -> str | None:
    """Why these coordinates cannot be in ``crs`` in the Netherlands, or None: the
    Netherlands' bounds for RD New and WGS84, the CRS's area of use for any other
    (the shared check of every importer; after transforming, RD New's bounds)."""
    if geom is None or geom.is_empty:
        return None
    bounds = expected_bounds(crs)
    if bounds is None:
        return _area_message(geom, crs)
    minx, miny, maxx, maxy = geom.bounds
    bx0, by0, bx1, by1 = bounds
    if minx >= bx0 and miny >= by0 and maxx <= bx1 and maxy <= by1:
        return None
    point = f"({minx:.6g}, {miny:.6g})"
    if crs == WGS84:
        hint = ""
        if RD_BOUNDS[0] <= minx <= RD_BOUNDS[2] and RD_BOUNDS[1] <= miny <= RD_BOUNDS[3]:
            hint = "; they look like EPSG:28992 (RD New): pass --crs EPSG:28992"
        elif 50 <= minx <= 56 and 2 <= miny <= 8:
            hint = "; latitude and longitude look swapped (GeoJSON is longitude, latitude)"
        return f"coordinates {point} are not longitude/latitude in the Netherlands (EPSG:4326){hint}"
    hint = ""
    if WGS84_NL_BOUNDS[0] <= minx <= WGS84_NL_BOUNDS[2] and WGS84_NL_BOUNDS[1] <= miny <= WGS84_NL_BOUNDS[3]:
        hint = "; they look like longitude/latitude: pass --crs EPSG:4326"
    return f"coordinates {point} are outside the Netherlands in {crs} (x 0..300000, y 289000..629000){hint}"


def _area_message(geom: BaseGeometry, crs: str) -> str | None:
    import pyproj

    try:
        use = area_of_use(crs)
    except pyproj.exceptions.CRSError:
        return f"{crs} is not a CRS that PROJ knows"
    if use is None:
        return None
    name, (bx0, by0, bx1, by1) = use
    minx, miny, maxx, maxy = geom.bounds
    mx, my = (bx1 - bx0) * 0.01, (by1 - by0) * 0.01  # the published areas are rounded
    if minx >= bx0 - mx and miny >= by0 - my and maxx <= bx1 + mx and maxy <= by1 + my:
        return None
    return (
        f"coordinates ({minx:.6g}, {miny:.6g}) cannot lie in {crs}: its area of use is {name} "
        f"(x {bx0:.6g}..{bx1:.6g}, y {by0:.6g}..{by1:.6g})" + (f"; {crs_hint(geom)}" if crs_hint(geom) else "")
    )


def crs_hint(geom: BaseGeometry) -> str:
    """``they look like ...`` when the coordinates look like RD New or Dutch lon/lat, else ''."""
    minx, miny, _, _ = geom.bounds
    if RD_BOUNDS[0] <= minx <= RD_BOUNDS[2] and RD_BOUNDS[1] <= miny <= RD_BOUNDS[3]:
        return "they look like EPSG:28992 (RD New): pass --crs EPSG:28992"
    if WGS84_NL_BOUNDS[0] <= minx <= WGS84_NL_BOUNDS[2] and WGS84_NL_BOUNDS[1] <= miny <= WGS84_NL_BOUNDS[3]:
        return "they look like longitude/latitude: pass --crs EPSG:4326"
    return ""


def transform_geometries(geoms: list[BaseGeometry | None], source: str, target: str = STORAGE_CRS) -> list:
    """Transform a list of geometries (None kept) in one vectorised call.

    Into EPSG:28992 the result is refined by one fixed-point step on the forward
    transformation, because PROJ's inverse RD <-> WGS84 is off by up to ~0.8 mm:
    with the step, RD -> WGS84 (9 decimals) -> RD returns the same millimetres.
    """
    if source == target:
        return list(geoms)
    arr = np.array(geoms, dtype=object)
    mask = np.array([g is not None for g in geoms], dtype=bool)
    if mask.any():
        there = _transformer(source, target)
        back = _transformer(target, source) if target == STORAGE_CRS else None

        def fn(coords: np.ndarray) -> np.ndarray:
            x, y = there.transform(coords[:, 0], coords[:, 1])
            if back is not None:
                xr, yr = there.transform(*back.transform(x, y))
                x, y = 2 * np.asarray(x) - xr, 2 * np.asarray(y) - yr
            return np.column_stack([x, y])

        arr[mask] = shapely.transform(arr[mask], fn)
    return list(arr)


def transform(geom: BaseGeometry, source: str, target: str = STORAGE_CRS) -> BaseGeometry:
    return transform_geometries([geom], source, target)[0]


def to_wgs84(geoms: list[BaseGeometry | None], precision: int = 9) -> list:
    """From EPSG:28992 to lon/lat, rounded to ``precision`` decimals (9 keeps millimetres)."""
    out = transform_geometries(geoms, STORAGE_CRS, WGS84)
    return [None if g is None else shapely.transform(g, lambda c: np.round(c, precision)) for g in out]
