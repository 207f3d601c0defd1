"""The query parameters of the whole API, parsed in one place: ``bbox`` and
``bbox-crs``, ``crs``, ``datetime`` and periods, whole numbers, lists, unknown
parameters. The REST API (CRS names: EPSG:4326, EPSG:28992) and OGC API
Features (CRS URIs: CRS84, EPSG:28992) share one bbox validator and one
datetime parser; a bad value is a 400 naming the parameter and the fix.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import shapely
from fastapi import Request

from openruimte.api.errors import ApiError
from openruimte.io.crs import CRS84_URI, RD_URI, WGS84, CRSError, normalise_crs, transform_geometries
from openruimte.model import STORAGE_CRS
from openruimte.model import parse as p
from openruimte.model.errors import FieldError

#: the CRS URIs of OGC API Features (Part 2)
CRS_LIST = (CRS84_URI, RD_URI)
#: CRS URI -> the name the geometry helpers use; CRS84 is longitude, latitude and RD New x, y: no axis swap
CRS_NAMES = {CRS84_URI: WGS84, RD_URI: STORAGE_CRS}
#: lon/lat boxes are clipped to this before they go to EPSG:28992 (every stored geometry lies inside)
NL_LONLAT = (1.0, 49.0, 10.0, 57.0)
#: a box in EPSG:28992 where no stored geometry lies (outside RD_BOUNDS): a bbox that misses the Netherlands
NOWHERE = (0.0, 0.0, 0.0, 0.0)


# --------------------------------------------------------------------------- CRS


def parse_crs(value: str | None, default: str = WGS84, name: str = "crs") -> str:
    """REST: a CRS name (EPSG:4326 or EPSG:28992, other spellings accepted)."""
    if not value:
        return default
    try:
        crs = normalise_crs(value)
    except CRSError as err:
        raise ApiError(400, "invalid_crs", f"{name}: {err}") from None
    if crs not in (WGS84, STORAGE_CRS):
        raise ApiError(400, "unsupported_crs", f"{name}: {value} is not supported; use EPSG:4326 (CRS84) or EPSG:28992")
    return crs


def parse_crs_uri(value: str | None, name: str = "crs") -> str:
    """OGC: a CRS URI of ``CRS_LIST`` (other spellings of the same CRS are accepted)."""
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


# --------------------------------------------------------------------------- bbox


def bbox_area(value: str | None, crs: str = WGS84) -> Any:
    """``minx,miny,maxx,maxy`` (or 6 numbers with heights) in ``crs`` (a name: EPSG:4326 or
    EPSG:28992) -> a polygon in EPSG:28992; lon/lat boxes are clipped to the Netherlands and
    densified, so the polygon is the box itself, not the box around it. None without a value."""
    if not value:
        return None
    try:
        parts = [float(v) for v in value.split(",")]
    except ValueError:
        raise ApiError(400, "invalid_bbox", f"bbox must be numbers minx,miny,maxx,maxy, got '{value}'") from None
    if len(parts) == 6:  # 3D bbox: drop the heights
        parts = [parts[0], parts[1], parts[3], parts[4]]
    if len(parts) != 4 or not all(math.isfinite(v) for v in parts):
        raise ApiError(400, "invalid_bbox", f"bbox must be 4 (or 6) finite numbers minx,miny,maxx,maxy, got '{value}'")
    minx, miny, maxx, maxy = parts
    if minx > maxx or miny > maxy:
        raise ApiError(400, "invalid_bbox", f"bbox {value}: a minimum is larger than its maximum")
    if crs == STORAGE_CRS:
        return shapely.box(minx, miny, maxx, maxy)
    if minx < -180 or maxx > 180 or miny < -90 or maxy > 90:
        raise ApiError(400, "invalid_bbox", f"bbox {value} is outside longitude -180..180, latitude -90..90 (CRS84)")
    clipped = shapely.clip_by_rect(shapely.box(minx, miny, maxx, maxy), *NL_LONLAT)
    if clipped.is_empty:
        return clipped  # nothing of the Netherlands: matches no feature
    dense = shapely.segmentize(clipped, 0.005)  # ~500 m: straight in RD within a fraction of a millimetre
    return transform_geometries([dense], WGS84, STORAGE_CRS)[0]


def parse_bbox(value: str | None, crs: str = WGS84) -> tuple[float, float, float, float] | None:
    """REST: ``minx,miny,maxx,maxy`` in ``crs`` -> the box around it in EPSG:28992
    (:data:`NOWHERE` when it misses the Netherlands)."""
    area = bbox_area(value, crs)
    if area is None:
        return None
    if area.is_empty:
        return NOWHERE
    return tuple(area.bounds)  # type: ignore[return-value]


# --------------------------------------------------------------------------- periods


def parse_period(start: str | None, end: str | None) -> tuple[dt.date, dt.date] | None:
    """A period from two dates (either may be open); YYYY or YYYY-MM allowed."""
    if not start and not end:
        return None
    try:
        lo = p.date("start", _year(start)) if start else dt.date.min
        hi = p.date("end", _year(end, last=True), end_of_period=True) if end else dt.date.max
    except FieldError as err:
        raise ApiError(400, "invalid_period", str(err)) from None
    return lo, hi


def _year(value: str, last: bool = False) -> str:
    value = value.strip()
    if len(value) == 4 and value.isdigit():
        return f"{value}-12" if last else f"{value}-01"
    return value


def parse_datetime(value: str | None) -> tuple[dt.date, dt.date] | None:
    """OGC ``datetime``: an instant or ``start/end`` with ``..`` for open ends; the start
    must not be after the end."""
    if not value:
        return None
    if "/" in value:
        s, e = value.split("/", 1)
        period = parse_period(None if s in ("", "..") else s[:10], None if e in ("", "..") else e[:10])
    else:
        period = parse_period(value[:10], value[:10])
    if period is not None and period[0] > period[1]:
        raise ApiError(400, "invalid_period", f"datetime {value}: the start is after the end")
    return period


# --------------------------------------------------------------------------- other values


def parse_list(value: str | None) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()] if value else []


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


def reject_unknown(request: Request, allowed: frozenset[str] | set[str]) -> None:
    unknown = sorted({k for k in request.query_params if k not in allowed})
    if unknown:
        raise ApiError(
            400,
            "unknown_parameter",
            f"unknown query parameter(s): {', '.join(unknown)}; this resource accepts {', '.join(sorted(allowed))}",
        )


def single(request: Request, name: str) -> str | None:
    """The one value of a query parameter (given twice: a 400)."""
    values = request.query_params.getlist(name)
    if len(values) > 1:
        raise ApiError(400, "invalid_parameter", f"{name} is given {len(values)} times; give it once")
    return values[0] if values else None
