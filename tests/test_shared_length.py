"""Shared length (the explanation's `shared_m`, issue 12, third round): the exact round
zone, segment by segment in numpy (`analysis/near.py`), against two brute-force
oracles on random lines, areas and points (integer grids too: touching, collinear,
self-overlapping lines, lines exactly at the distance):

1. a sandwich of GEOS overlays: per segment of the measured line, its length inside
   the union of the other side's per-segment buffers with ``quad_segs=64`` at radius
   ``d`` (a polygon inside the round zone: a lower bound) and at radius
   ``d / cos(pi / 256)`` (a polygon around it: an upper bound);
2. dense sampling: points every ``h`` along each segment, their exact distance to the
   other geometry (``shapely.distance``); the in/out changes at most twice per other
   segment along a segment, so the sampled length is within ``2 * n_other * h`` per
   segment of the exact one.
"""

from __future__ import annotations

import math

import numpy as np
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from openruimte.analysis.couplings import shared_length
from openruimte.analysis.near import near_lengths

#: quad_segs of the oracle's buffers; the polygon's vertices lie on the circle, its
#: edges at most ``d (1 - cos(pi / (4 quad_segs)))`` inside it
QUAD = 64
GROW = 1 / math.cos(math.pi / (4 * QUAD))
EPS = 1e-7


def _segments(g: shapely.Geometry) -> list[shapely.LineString]:
    lines = g.boundary if g.geom_type.endswith("Polygon") else g
    out = []
    for part in shapely.get_parts(lines):
        xy = shapely.get_coordinates(part)
        out += [shapely.LineString(xy[i : i + 2]) for i in range(len(xy) - 1)]
    return out


def _zone(g: shapely.Geometry, radius: float) -> shapely.Geometry:
    """The union of each segment's own buffer (no input simplification), plus an area itself."""
    parts = [shapely.buffer(s, radius, quad_segs=QUAD) for s in _segments(g)]
    if g.geom_type.endswith("Polygon"):
        parts.append(g)
    return shapely.union_all(parts)


def oracle_bounds(line: shapely.Geometry, other: shapely.Geometry, d: float) -> tuple[float, float]:
    """(lower, upper) bound of the line's length within ``d`` of ``other``, measured per segment."""
    inner, outer = _zone(other, d), _zone(other, d * GROW)
    segs = _segments(line)
    low = sum(shapely.intersection(s, inner).length for s in segs)
    high = sum(shapely.intersection(s, outer).length for s in segs)
    return low, high


def oracle_sampled(line: shapely.Geometry, other: shapely.Geometry, d: float, h: float) -> tuple[float, float]:
    """(sampled length, its error bound): midpoints of steps of at most ``h`` along each segment."""
    n_other = max(1, len(_segments(other)))
    total, bound = 0.0, 0.0
    for s in _segments(line):
        length = s.length
        if length == 0:
            continue
        k = max(1, math.ceil(length / h))
        t = (np.arange(k) + 0.5) / k
        pts = shapely.line_interpolate_point(s, t, normalized=True)
        inside = shapely.distance(pts, other) <= d
        total += inside.sum() * length / k
        bound += 2 * n_other * length / k
    return total, bound


def _geometry(draw, grid: bool):
    coord = st.integers(0, 60).map(float) if grid else st.floats(0, 60, allow_nan=False, allow_infinity=False)
    kind = draw(st.sampled_from(["line", "line", "line", "box", "area", "point"]))
    if kind == "point":
        return shapely.Point(draw(coord), draw(coord))
    if kind == "box":
        x, y = draw(coord), draw(coord)
        return shapely.box(x, y, x + 1 + draw(coord) / 3, y + 1 + draw(coord) / 3)
    if kind == "area":  # a triangle or quadrilateral, possibly with a hole
        x, y = draw(coord), draw(coord)
        poly = shapely.convex_hull(shapely.MultiPoint([(x, y), (x + 20, y), (x + 5, y + 25), (x + 30, y + 12)]))
        return poly.difference(shapely.box(x + 8, y + 4, x + 14, y + 10)) if draw(st.booleans()) else poly
    points = draw(st.lists(st.tuples(coord, coord), min_size=2, max_size=6, unique=True))
    return shapely.LineString(points)


@st.composite
def pairs(draw):
    grid = draw(st.booleans())
    n = draw(st.integers(2, 10))
    geoms = np.array([_geometry(draw, grid) for _ in range(n)], dtype=object)
    a = np.array(draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=20)))
    b = np.array([draw(st.integers(0, n - 1).filter(lambda j, i=i: j != i)) for i in a.tolist()])
    return geoms, a, b, draw(st.sampled_from([0.5, 3.0, 10.0, 17.5]))


def _lines_and_others(geoms, a, b):
    """(measured, other) jobs: every line against every other line or area of a pair."""
    jobs = []
    for i, j in zip(a.tolist(), b.tolist(), strict=True):
        for m, o in ((i, j), (j, i)):
            if shapely.get_dimensions(geoms[m]) == 1 and shapely.get_dimensions(geoms[o]) >= 1:
                jobs.append((m, o))
    return np.array([m for m, _ in jobs], dtype=np.int64), np.array([o for _, o in jobs], dtype=np.int64)


@settings(max_examples=150, deadline=None)
@given(pairs())
def test_near_length_is_between_the_inner_and_outer_zone(case):
    geoms, a, b, d = case
    measured, other = _lines_and_others(geoms, a, b)
    got = near_lengths(geoms, measured, other, d)
    for k, (m, o) in enumerate(zip(measured.tolist(), other.tolist(), strict=True)):
        low, high = oracle_bounds(geoms[m], geoms[o], d)
        assert low - EPS <= got[k] <= high + EPS, (geoms[m].wkt, geoms[o].wkt, d, got[k], low, high)


@settings(max_examples=60, deadline=None)
@given(pairs())
def test_near_length_matches_dense_sampling(case):
    geoms, a, b, d = case
    measured, other = _lines_and_others(geoms, a, b)
    got = near_lengths(geoms, measured, other, d)
    for k, (m, o) in enumerate(zip(measured.tolist(), other.tolist(), strict=True)):
        sampled, bound = oracle_sampled(geoms[m], geoms[o], d, h=0.01)
        assert abs(got[k] - sampled) <= bound + EPS, (geoms[m].wkt, geoms[o].wkt, d, got[k], sampled, bound)


@settings(max_examples=150, deadline=None)
@given(pairs())
def test_shared_length_combines_the_near_lengths(case):
    """Lines: the smaller of the two near lengths; a line and an area: the line's; two
    areas: the side of the square of their shared area; a point: 0. Each pair's value
    does not depend on the other pairs it is computed with (Dask partitions)."""
    geoms, a, b, d = case
    got = shared_length(geoms, a, b, d)
    for k, (i, j) in enumerate(zip(a.tolist(), b.tolist(), strict=True)):
        di, dj = shapely.get_dimensions(geoms[i]), shapely.get_dimensions(geoms[j])
        one = near_lengths(geoms, np.array([i]), np.array([j]), d)[0] if di == 1 and dj >= 1 else None
        two = near_lengths(geoms, np.array([j]), np.array([i]), d)[0] if dj == 1 and di >= 1 else None
        if di == 0 or dj == 0:
            want = 0.0
        elif di == 2 and dj == 2:
            want = math.sqrt(shapely.intersection(geoms[i], geoms[j]).area)
        elif di == 1 and dj == 1:
            want = min(one, two)
        else:
            want = one if di == 1 else two
        assert got[k] == want
        assert shared_length(geoms, a[k : k + 1], b[k : k + 1], d)[0] == got[k]


def test_a_line_inside_the_other_s_zone_is_its_whole_length():
    long = shapely.LineString([(0, 0), (100, 0)])
    short = shapely.LineString([(10, 2), (30, 2), (40, 5)])
    geoms = np.array([long, short], dtype=object)
    got = shared_length(geoms, np.array([0]), np.array([1]), 10.0)
    assert math.isclose(got[0], short.length, rel_tol=1e-12)


def test_the_zone_is_round_at_the_ends():
    """A line passing the end of another at 6 m, d = 10: within 10 m along 2 * 8 m
    (the chord of the end disc), where GEOS' quad_segs=1 buffer (a diamond at the end)
    gave less."""
    end = shapely.LineString([(-50, 0), (0, 0)])
    passing = shapely.LineString([(-10, 6), (20, 6)])
    geoms = np.array([passing, end], dtype=object)
    got = near_lengths(geoms, np.array([0]), np.array([1]), 10.0)[0]
    assert math.isclose(got, 10 + 8, rel_tol=1e-12)  # x from -10 to 0 along the side, 0 to 8 by the disc


def test_a_line_crossing_an_area_counts_inside_and_near():
    area = shapely.box(0, 0, 100, 100)
    line = shapely.LineString([(-30, 50), (130, 50)])
    geoms = np.array([line, area], dtype=object)
    got = near_lengths(geoms, np.array([0]), np.array([1]), 10.0)[0]
    assert math.isclose(got, 120.0, rel_tol=1e-12)
    holed = area.difference(shapely.box(20, 20, 80, 80))  # the hole's inside more than 10 m from its ring: 40 - 20
    geoms = np.array([line, holed], dtype=object)
    got = near_lengths(geoms, np.array([0]), np.array([1]), 10.0)[0]
    assert math.isclose(got, 120.0 - (80 - 20 - 20), rel_tol=1e-12)


def test_long_lines_side_by_side_take_the_sparse_path_with_the_same_values(monkeypatch):
    """A pair with more segment pairs than a block (two long lines side by side; the
    vertex limit allows 250,000 vertices) is handled through a tree on its segments, not the
    full cross product: the same values."""
    from openruimte.analysis import near

    rng = np.random.default_rng(5)
    x = np.cumsum(rng.uniform(0.5, 3.0, 600))
    wiggle = np.cumsum(rng.normal(0, 0.8, 600))
    one = shapely.LineString(np.c_[x, wiggle])
    two = shapely.LineString(np.c_[x[::-1] + rng.uniform(-1, 1), wiggle[::-1] + 6 + rng.normal(0, 2, 600)])
    area = shapely.Point(x[300], wiggle[300]).buffer(40, quad_segs=64)
    geoms = np.array([one, two, area, shapely.LineString([(0, 0), (5, 5)])], dtype=object)
    a, b = np.array([0, 0, 1, 3]), np.array([1, 2, 2, 0])
    monkeypatch.setattr(near, "BLOCK", 10**7)  # 600 x 600 segments: the cross product
    dense = near.pair_near_lengths(geoms, a, b, 10.0)
    monkeypatch.setattr(near, "BLOCK", 1_000)  # the tree
    sparse = near.pair_near_lengths(geoms, a, b, 10.0)
    assert np.array_equal(dense[0], sparse[0]) and np.array_equal(dense[1], sparse[1])
    low, high = oracle_bounds(one, two, 10.0)
    assert low - EPS <= dense[0][0] <= high + EPS
