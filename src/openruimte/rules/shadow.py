"""Sun and shadow: the sun's position, the shadow of a volume on flat ground, sun hours on points.

Solar position
    from pvlib (``pvlib.solarposition.get_solarposition``, NREL's Solar Position Algorithm,
    maintained on PyPI): azimuth in degrees clockwise from true north, apparent elevation
    (with atmospheric refraction) above the horizon. Times are local (Europe/Amsterdam unless
    said otherwise), positions WGS84 latitude/longitude (RD New converted with pyproj).
Grid azimuth
    RD New's grid north differs from true north by the meridian convergence (up to about 1.6
    degree at the edges of the Netherlands); :func:`grid_convergence` gives it and shadows are
    drawn along ``azimuth - convergence`` in the grid.
Shadow on flat ground
    a volume is an extruded footprint (flat roof, ``height`` m above the ground). Its shadow is
    the footprint swept along the shadow vector ``height / tan(elevation)`` pointing away from the
    sun (azimuth + 180 degrees): the union of the footprint, its translated copy and, per edge,
    the quadrilateral between the edge and its translated copy (convex hull) - the exact swept
    polygon, courtyards included. Terrain is not modelled (the ground is flat and level), nor
    are trees unless given as volumes.
Sun hours
    the day is walked in steps (5 minutes by default, each step's midpoint); a point is in the
    sun at a step when the sun is above the horizon, in front of the facade (where a facade normal
    is given: the sun's horizontal direction makes an angle under 90 degrees with the normal), and
    the ray towards the sun is not blocked by a volume: 2.5D, the ray rises ``tan(elevation)`` per
    metre, and it enters a volume's footprint at distance ``d`` below the roof when
    ``height - z > d * tan(elevation)`` (the ray rises, so its entry point is its lowest).

Pure: imports numpy, shapely, pandas/pvlib and pyproj; no store, no files.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import numpy as np
import shapely
from shapely import affinity
from shapely.geometry import Point, Polygon
from shapely.geometry.base import BaseGeometry
from shapely.geometry.polygon import orient

TIMEZONE = "Europe/Amsterdam"
#: how far (m) a ray is followed: a 300 m tower's shadow at 9 degrees of elevation is ~1.9 km
MAX_RAY_M = 2000.0
#: a facade point is moved this far out along its normal before its ray starts (off its own wall)
FACADE_OFFSET_M = 0.05


@dataclass(frozen=True, slots=True)
class Volume:
    """An extruded footprint (EPSG:28992) with a flat roof ``height_m`` above flat ground."""

    key: str
    footprint: BaseGeometry
    height_m: float
    label: str = ""
    source: str = ""


@dataclass(frozen=True, slots=True)
class SunPosition:
    when: dt.datetime
    azimuth_deg: float
    elevation_deg: float
    zenith_deg: float


def local_time(value: str | dt.datetime | dt.date, tz: str = TIMEZONE) -> dt.datetime:
    """A naive date/time (or ISO text) read as local time in ``tz``; an aware one is kept."""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    elif isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        value = dt.datetime.combine(value, dt.time(12))
    return value if value.tzinfo is not None else value.replace(tzinfo=ZoneInfo(tz))


def solar_positions(
    times: Sequence[dt.datetime], latitude: float, longitude: float, altitude_m: float = 0.0, **kwargs: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Azimuth, apparent elevation and apparent zenith (degrees) at aware ``times`` (pvlib, NREL SPA).
    Extra keyword arguments (``pressure`` in Pa, ``temperature`` in degrees C) go to pvlib."""
    import pandas as pd
    from pvlib import solarposition

    index = pd.DatetimeIndex(list(times))
    pos = solarposition.get_solarposition(index, latitude, longitude, altitude=altitude_m, **kwargs)
    return (
        pos["azimuth"].to_numpy(dtype=float),
        pos["apparent_elevation"].to_numpy(dtype=float),
        pos["apparent_zenith"].to_numpy(dtype=float),
    )


def solar_position(when: dt.datetime, latitude: float, longitude: float, **kwargs: float) -> SunPosition:
    az, el, zen = solar_positions([when], latitude, longitude, **kwargs)
    return SunPosition(when, float(az[0]), float(el[0]), float(zen[0]))


def rd_to_wgs84(x: float, y: float) -> tuple[float, float]:
    """(latitude, longitude) of an RD New point."""
    from pyproj import Transformer

    lon, lat = Transformer.from_crs(28992, 4326, always_xy=True).transform(x, y)
    return float(lat), float(lon)


def grid_convergence(x: float, y: float) -> float:
    """Meridian convergence (degrees) of RD New at a point: grid azimuth = true azimuth - convergence."""
    from pyproj import CRS, Proj

    lat, lon = rd_to_wgs84(x, y)
    factors = Proj(CRS.from_epsg(28992)).get_factors(lon, lat)
    return float(factors.meridian_convergence)


def shadow_vector(height_m: float, azimuth_deg: float, elevation_deg: float) -> tuple[float, float] | None:
    """(dx, dy) in metres of the top of a vertical edge ``height_m`` tall on flat ground, pointing away
    from the sun (``azimuth_deg`` in the grid's frame); None when the sun is at or below the horizon."""
    if elevation_deg <= 0 or height_m <= 0:
        return None
    length = height_m / math.tan(math.radians(elevation_deg))
    direction = math.radians(azimuth_deg + 180.0)
    return length * math.sin(direction), length * math.cos(direction)


def shadow_polygon(footprint: BaseGeometry, height_m: float, azimuth_deg: float, elevation_deg: float) -> BaseGeometry:
    """The exact shadow of an extruded footprint on flat ground, the footprint included (empty at night)."""
    vec = shadow_vector(height_m, azimuth_deg, elevation_deg)
    if vec is None or footprint.is_empty:
        return Polygon()
    dx, dy = vec
    parts: list[BaseGeometry] = [footprint, affinity.translate(footprint, dx, dy)]
    rings = shapely.get_rings(shapely.get_parts(footprint))
    for ring in rings:
        xy = np.asarray(ring.coords)[:, :2]
        if len(xy) < 2:
            continue
        a, b = xy[:-1], xy[1:]
        quads = np.stack([a, b, b + (dx, dy), a + (dx, dy)], axis=1)
        polys = shapely.polygons(quads)
        parts.extend(shapely.convex_hull(polys).tolist())
    return shapely.make_valid(shapely.union_all(parts, grid_size=None))


def shadows(volumes: Sequence[Volume], azimuth_deg: float, elevation_deg: float) -> list[BaseGeometry]:
    """The shadow of each volume (the footprint included)."""
    return [shadow_polygon(v.footprint, v.height_m, azimuth_deg, elevation_deg) for v in volumes]


@dataclass(frozen=True, slots=True)
class SunPoint:
    """A point (EPSG:28992) ``height_m`` above the ground, on a facade when ``normal_deg`` (the facade's
    outward direction, degrees clockwise from grid north) is given."""

    key: str
    x: float
    y: float
    height_m: float = 0.0
    normal_deg: float | None = None


def day_times(day: dt.date, step_minutes: float = 5.0, tz: str = TIMEZONE) -> list[dt.datetime]:
    """The midpoints of the steps of one local day (DST days have 23 or 25 hours)."""
    zone = ZoneInfo(tz)
    start = dt.datetime.combine(day, dt.time(0), tzinfo=zone).astimezone(dt.UTC)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=zone).astimezone(dt.UTC)
    step = dt.timedelta(minutes=step_minutes)
    out = []
    t = start + step / 2
    while t < end:
        out.append(t.astimezone(zone))
        t += step
    return out


def sun_hours(
    points: Sequence[SunPoint],
    volumes: Sequence[Volume],
    day: dt.date,
    latitude: float,
    longitude: float,
    *,
    step_minutes: float = 5.0,
    convergence_deg: float = 0.0,
    tz: str = TIMEZONE,
) -> dict[str, object]:
    """Hours of sun per point on ``day``, and the intervals (local times) each point is in the sun.

    Returns ``{"hours": array, "in_sun": bool array (points x steps), "times": [...], "daylight_hours": h}``.
    """
    times = day_times(day, step_minutes, tz)
    az, el, _ = solar_positions(times, latitude, longitude)
    grid_az = az - convergence_deg
    up = el > 0
    n_points, n_times = len(points), len(times)
    in_sun = np.zeros((n_points, n_times), dtype=bool)
    step_h = step_minutes / 60.0
    if n_points == 0:
        return {"hours": np.zeros(0), "in_sun": in_sun, "times": times, "daylight_hours": float(up.sum() * step_h)}
    px = np.array([p.x for p in points])
    py = np.array([p.y for p in points])
    pz = np.array([p.height_m for p in points])
    normals = np.array([np.nan if p.normal_deg is None else p.normal_deg for p in points])
    facade = ~np.isnan(normals)
    # facade points start just outside their own wall
    nx = np.where(facade, np.sin(np.radians(np.nan_to_num(normals))), 0.0)
    ny = np.where(facade, np.cos(np.radians(np.nan_to_num(normals))), 0.0)
    px = px + nx * FACADE_OFFSET_M
    py = py + ny * FACADE_OFFSET_M
    t_idx = np.flatnonzero(up)
    sun_x = np.sin(np.radians(grid_az[t_idx]))
    sun_y = np.cos(np.radians(grid_az[t_idx]))
    tan_el = np.tan(np.radians(el[t_idx]))
    # candidate (point, step) pairs: sun up and in front of the facade
    front = np.ones((n_points, len(t_idx)), dtype=bool)
    if facade.any():
        dot = nx[:, None] * sun_x[None, :] + ny[:, None] * sun_y[None, :]
        front = np.where(facade[:, None], dot > 1e-9, True)
    pi, ti = np.nonzero(front)
    lit = np.ones(len(pi), dtype=bool)
    if volumes and len(pi):
        heights = np.array([v.height_m for v in volumes])
        fps = np.array([v.footprint for v in volumes], dtype=object)
        top = float(heights.max())
        reach = np.minimum(np.maximum(top - pz[pi], 0.0) / np.maximum(tan_el[ti], 1e-6), MAX_RAY_M)
        x0, y0 = px[pi], py[pi]
        x1, y1 = x0 + sun_x[ti] * reach, y0 + sun_y[ti] * reach
        rays = shapely.linestrings(np.stack([np.stack([x0, y0], axis=1), np.stack([x1, y1], axis=1)], axis=1))
        index = shapely.STRtree(fps)
        r_idx, v_idx = index.query(rays, predicate="intersects")
        if len(r_idx):
            crossing = shapely.intersection(rays[r_idx], fps[v_idx])
            origins = shapely.points(x0[r_idx], y0[r_idx])
            entry = shapely.distance(origins, crossing)
            ray_z = pz[pi[r_idx]] + entry * tan_el[ti[r_idx]]
            blocked = heights[v_idx] > ray_z + 1e-9
            lit[np.unique(r_idx[blocked])] = False
    in_sun[pi, t_idx[ti]] = lit
    return {
        "hours": in_sun.sum(axis=1) * step_h,
        "in_sun": in_sun,
        "times": times,
        "daylight_hours": float(up.sum() * step_h),
    }


def sun_intervals(in_sun: np.ndarray, times: Sequence[dt.datetime], step_minutes: float) -> list[list[tuple[str, str]]]:
    """Per point the local (start, end) times of each stretch in the sun, HH:MM."""
    half = dt.timedelta(minutes=step_minutes / 2)
    out = []
    for row in in_sun:
        spans: list[tuple[str, str]] = []
        start = None
        for k, on in enumerate(row.tolist() + [False]):
            if on and start is None:
                start = k
            elif not on and start is not None:
                spans.append(((times[start] - half).strftime("%H:%M"), (times[k - 1] + half).strftime("%H:%M")))
                start = None
        out.append(spans)
    return out


def facade_points(
    footprint: BaseGeometry, spacing_m: float = 5.0, height_m: float = 1.5, key: str = "f"
) -> list[SunPoint]:
    """Points along a footprint's outer walls every ``spacing_m`` with their outward normal."""
    out: list[SunPoint] = []
    for n, poly in enumerate(shapely.get_parts(footprint)):
        ring = orient(poly, sign=1.0).exterior  # counter-clockwise: outward is to the right
        xy = np.asarray(ring.coords)[:, :2]
        for e, (a, b) in enumerate(zip(xy[:-1], xy[1:], strict=True)):
            length = float(np.hypot(*(b - a)))
            if length < 1e-6:
                continue
            normal = math.degrees(math.atan2(b[1] - a[1], -(b[0] - a[0]))) % 360.0  # right of a->b, from north
            count = max(1, int(length // spacing_m))
            for k in range(count):
                f = (k + 0.5) / count
                p = a + (b - a) * f
                out.append(SunPoint(f"{key}{n}.{e}.{k}", float(p[0]), float(p[1]), height_m, normal))
    return out


def point_of(geom: BaseGeometry) -> Point:
    return geom if geom.geom_type == "Point" else geom.representative_point()


__all__ = [
    "SunPoint",
    "SunPosition",
    "Volume",
    "day_times",
    "facade_points",
    "grid_convergence",
    "local_time",
    "rd_to_wgs84",
    "shadow_polygon",
    "shadow_vector",
    "shadows",
    "solar_position",
    "solar_positions",
    "sun_hours",
    "sun_intervals",
]
