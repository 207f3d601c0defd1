"""Which area (buurt) a geometry lies in."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from openruimte.model import Area


def anchor_points(geoms: Sequence[BaseGeometry]) -> np.ndarray:
    """A point on each geometry: the middle of a line, a point inside a polygon."""
    arr = np.asarray(geoms, dtype=object)
    out = shapely.point_on_surface(arr)
    lines = np.isin(shapely.get_type_id(arr), [1, 5])  # LineString, MultiLineString
    if lines.any():
        out[lines] = shapely.line_interpolate_point(arr[lines], 0.5, normalized=True)
    return out


def assign_areas(geoms: Sequence[BaseGeometry], areas: Sequence[Area]) -> list[str | None]:
    """The code of the area that holds each geometry's anchor point (None outside all).

    Where areas overlap (a buurt inside its wijk), the smallest area wins.
    """
    if not areas or not len(geoms):
        return [None] * len(geoms)
    polys = np.array([a.geometry for a in areas], dtype=object)
    order = np.argsort(shapely.area(polys))  # smallest first
    tree = shapely.STRtree(polys)
    points = anchor_points(geoms)
    idx_geom, idx_area = tree.query(points, predicate="intersects")
    rank = np.empty(len(areas), dtype=np.int64)
    rank[order] = np.arange(len(areas))
    best: dict[int, int] = {}
    for g, a in zip(idx_geom.tolist(), idx_area.tolist(), strict=True):
        if g not in best or rank[a] < rank[best[g]]:
            best[g] = a
    return [areas[best[i]].code if i in best else None for i in range(len(geoms))]
