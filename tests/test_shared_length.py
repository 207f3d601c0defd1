"""Shared length (the explanation's `shared_m`, issue 12): the fast path gives the values of
the definition it replaced, one GEOS intersection per pair side, on random lines, areas and
points, including lines that touch, run along or lie inside the other's zone."""

from __future__ import annotations

import numpy as np
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from openruimte.analysis.couplings import shared_length


def reference(geoms: np.ndarray, a: np.ndarray, b: np.ndarray, distance: float) -> np.ndarray:
    """The definition, pair by pair, as first written (a buffer and an intersection per side)."""
    out = []
    for i, j in zip(a.tolist(), b.tolist(), strict=True):
        ga, gb = geoms[i], geoms[j]
        da, db = shapely.get_dimensions(ga), shapely.get_dimensions(gb)
        if da == 0 or db == 0:
            out.append(0.0)
        elif da == 2 and db == 2:
            out.append(float(np.sqrt(shapely.intersection(ga, gb).area)))
        else:
            near_a = shapely.intersection(ga, shapely.buffer(gb, distance, quad_segs=1)).length if da == 1 else 0.0
            near_b = shapely.intersection(gb, shapely.buffer(ga, distance, quad_segs=1)).length if db == 1 else 0.0
            out.append(near_a if db == 2 else near_b if da == 2 else min(near_a, near_b))
    return np.array(out)


def _geometry(draw, grid: bool):
    coord = st.integers(0, 60).map(float) if grid else st.floats(0, 60, allow_nan=False, allow_infinity=False)
    kind = draw(st.sampled_from(["line", "line", "line", "box", "point"]))
    if kind == "point":
        return shapely.Point(draw(coord), draw(coord))
    if kind == "box":
        x, y = draw(coord), draw(coord)
        return shapely.box(x, y, x + 1 + draw(coord) / 3, y + 1 + draw(coord) / 3)
    points = draw(st.lists(st.tuples(coord, coord), min_size=2, max_size=6, unique=True))
    return shapely.LineString(points)


@st.composite
def pairs(draw):
    grid = draw(st.booleans())
    n = draw(st.integers(2, 12))
    geoms = np.array([_geometry(draw, grid) for _ in range(n)], dtype=object)
    a = np.array(draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=30)))
    b = np.array([draw(st.integers(0, n - 1).filter(lambda j, i=i: j != i)) for i in a.tolist()])
    return geoms, a, b, draw(st.sampled_from([0.5, 3.0, 10.0, 17.5]))


@settings(max_examples=200, deadline=None)
@given(pairs())
def test_shared_length_equals_the_definition(case):
    geoms, a, b, distance = case
    assert np.array_equal(shared_length(geoms, a, b, distance), reference(geoms, a, b, distance))


def test_a_line_inside_the_other_s_zone_is_its_whole_length():
    long = shapely.LineString([(0, 0), (100, 0)])
    short = shapely.LineString([(10, 2), (30, 2), (40, 5)])
    geoms = np.array([long, short], dtype=object)
    got = shared_length(geoms, np.array([0]), np.array([1]), 10.0)
    assert got[0] == short.length
