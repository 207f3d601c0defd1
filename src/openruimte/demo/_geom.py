"""Small geometry helpers: millimetre rounding, splitting lines, extending ends."""

from __future__ import annotations

import math

import numpy as np
import shapely
from shapely.geometry import LineString
from shapely.geometry.base import BaseGeometry

MM = 0.001


def rnd(geom: BaseGeometry) -> BaseGeometry:
    """Round coordinates to the millimetre."""
    return shapely.transform(geom, lambda c: np.round(c, 3))


def rnd_all(geoms: np.ndarray) -> np.ndarray:
    """Round an array of geometries to the millimetre."""
    return shapely.transform(np.asarray(geoms, dtype=object), lambda c: np.round(c, 3))


def line_parts(geom: BaseGeometry | None) -> list[LineString]:
    """The non-empty LineStrings of a (multi)line or collection."""
    if geom is None or geom.is_empty:
        return []
    if isinstance(geom, LineString):
        return [geom]
    return [g for g in shapely.get_parts(geom) if isinstance(g, LineString) and not g.is_empty]


def cumlen(coords: np.ndarray) -> np.ndarray:
    seg = np.diff(coords, axis=0)
    return np.concatenate([[0.0], np.cumsum(np.hypot(seg[:, 0], seg[:, 1]))])


def split_coords(coords: np.ndarray, n: int) -> list[np.ndarray]:
    """Split a polyline into ``n`` pieces of equal length."""
    d = cumlen(coords)
    cuts = np.linspace(0.0, d[-1], n + 1)
    pts = np.column_stack([np.interp(cuts, d, coords[:, 0]), np.interp(cuts, d, coords[:, 1])])
    out = []
    for k in range(n):
        inner = coords[(d > cuts[k]) & (d < cuts[k + 1])]
        out.append(np.vstack([pts[k : k + 1], inner, pts[k + 1 : k + 2]]))
    return out


def split_line(line: LineString, piece_m: float) -> list[LineString]:
    """Pieces of at most about ``piece_m`` metres, rounded to the millimetre."""
    n = max(1, math.ceil(line.length / piece_m))
    coords = np.asarray(line.coords)[:, :2]
    if n == 1:
        return [line]
    return [LineString(np.round(c, 3)) for c in split_coords(coords, n)]


def extend(coords: np.ndarray, start_m: float, end_m: float) -> np.ndarray:
    """Lengthen a polyline at its ends along the first and last segment."""
    c = np.array(coords, dtype=float)
    for idx, nxt, dist in ((0, 1, start_m), (-1, -2, end_m)):
        if dist <= 0:
            continue
        v = c[idx] - c[nxt]
        norm = math.hypot(v[0], v[1])
        if norm > 0:
            c[idx] = c[idx] + v / norm * dist
    return c
