"""Geometry rules of the model: EPSG:28992 (RD New, metres), valid, in the Netherlands.

Coordinates are kept to the millimetre, so that a trip through WGS84 and back
(GeoJSON) returns exactly the same geometry.
"""

from __future__ import annotations

import os
from contextvars import ContextVar

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from openruimte.model.errors import FieldError

#: The storage and analysis CRS.
STORAGE_SRID = 28992
STORAGE_CRS = "EPSG:28992"

#: Where RD New coordinates can be (exchange.md "Coordinates").
RD_BOUNDS = (0.0, 289_000.0, 300_000.0, 629_000.0)
#: Where lon/lat coordinates of the Netherlands can be, with margin.
WGS84_NL_BOUNDS = (2.0, 50.0, 8.0, 56.0)

#: Largest number of vertices a single feature may have (default; see :func:`max_vertices`).
MAX_VERTICES = 250_000
#: environment variable that sets the limit for every reader and the API
MAX_VERTICES_ENV = "OPENRUIMTE_MAX_VERTICES"


#: a limit set for the current context (the API sets the server's per request)
VERTEX_LIMIT: ContextVar[int | None] = ContextVar("openruimte_vertex_limit", default=None)


def max_vertices() -> int:
    """The vertex limit per feature: the context's (:data:`VERTEX_LIMIT`), else
    ``$OPENRUIMTE_MAX_VERTICES``, else :data:`MAX_VERTICES`."""
    given = VERTEX_LIMIT.get()
    if given is not None:
        return given
    value = os.environ.get(MAX_VERTICES_ENV, "").strip()
    if not value:
        return MAX_VERTICES
    if not (value.isascii() and value.isdigit()) or int(value) < 4:
        raise ValueError(f"{MAX_VERTICES_ENV}={value!r} must be a whole number of at least 4")
    return int(value)


PLAN_GEOMETRY_TYPES = ("LineString", "MultiLineString", "Polygon", "MultiPolygon", "Point")
AREA_GEOMETRY_TYPES = ("Polygon", "MultiPolygon")
ANY_GEOMETRY_TYPES = (
    "Point",
    "MultiPoint",
    "LineString",
    "MultiLineString",
    "Polygon",
    "MultiPolygon",
)


def quantize(geom: BaseGeometry) -> BaseGeometry:
    """Round coordinates to the millimetre (keeps Z if present)."""
    return shapely.transform(geom, lambda c: np.round(c, 3), include_z=geom.has_z)


def quantize_all(geoms: list[BaseGeometry | None]) -> list[BaseGeometry | None]:
    """:func:`quantize` for many 2D geometries in one call (None kept)."""
    arr = np.array(geoms, dtype=object)
    mask = np.array([g is not None for g in geoms], dtype=bool)
    if mask.any():
        arr[mask] = shapely.transform(arr[mask], lambda c: np.round(c, 3))
    return list(arr)


def outside_bounds(geom: BaseGeometry, bounds: tuple[float, float, float, float]) -> bool:
    minx, miny, maxx, maxy = geom.bounds
    bx0, by0, bx1, by1 = bounds
    return minx < bx0 or miny < by0 or maxx > bx1 or maxy > by1


def describe_point(geom: BaseGeometry) -> str:
    x, y = geom.bounds[0], geom.bounds[1]
    return f"({x:.6g}, {y:.6g})"


def check_geometry(
    field: str,
    geom: BaseGeometry | None,
    *,
    allowed: tuple[str, ...] = ANY_GEOMETRY_TYPES,
    make_valid: bool = False,
    required: bool = True,
) -> BaseGeometry | None:
    """A geometry in EPSG:28992 fit to store, or a :class:`FieldError` that says why not.

    ``make_valid`` repairs self-intersections instead of refusing them.
    """
    if geom is None or geom.is_empty:
        if required:
            raise FieldError(field, "a geometry is required", None)
        return None
    if geom.geom_type not in allowed:
        raise FieldError(
            field, f"geometry type {geom.geom_type} is not allowed here; expected {', '.join(allowed)}", geom.geom_type
        )
    n = shapely.get_num_coordinates(geom)
    limit = max_vertices()
    if n > limit:
        raise FieldError(
            field,
            f"geometry has {n} vertices, more than the limit of {limit} ({MAX_VERTICES_ENV}); simplify it first",
            n,
        )
    coords = shapely.get_coordinates(geom, include_z=geom.has_z)
    if not np.isfinite(coords).all():
        raise FieldError(field, "geometry has coordinates that are not finite numbers", None)
    if outside_bounds(geom, RD_BOUNDS):
        raise FieldError(
            field,
            f"coordinates {describe_point(geom)} are outside the Netherlands in EPSG:28992 "
            f"(x 0..300000, y 289000..629000); is the CRS right? Pass --crs to name the file's CRS",
            describe_point(geom),
        )
    if not np.array_equal(np.round(coords, 3), coords):
        geom = quantize(geom)
    if not geom.is_valid:
        reason = shapely.is_valid_reason(geom)
        if not make_valid:
            raise FieldError(field, f"invalid geometry: {reason}; repair it or import with --make-valid", reason)
        geom = _repair(geom, allowed)
        if geom is None:
            raise FieldError(
                field, f"invalid geometry that cannot be repaired into {', '.join(allowed)}: {reason}", reason
            )
    return geom


def _repair(geom: BaseGeometry, allowed: tuple[str, ...]) -> BaseGeometry | None:
    fixed = shapely.make_valid(geom)
    if fixed.geom_type in allowed:
        return quantize(fixed)
    if fixed.geom_type == "GeometryCollection":
        # keep the parts of the original dimension (a polygon repaired into polygons and stray lines)
        dim = shapely.get_dimensions(geom)
        parts = [p for p in fixed.geoms if shapely.get_dimensions(p) == dim]
        if parts:
            merged = shapely.union_all(parts)
            if merged.geom_type in allowed and merged.is_valid:
                return quantize(merged)
    return None
