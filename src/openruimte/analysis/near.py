"""The exact near length of a line (issue 12, third round): how much of a line lies
within a distance of another line or of an area, with the exact Euclidean distance
(a round zone), computed segment by segment in numpy, without a GEOS overlay.

For a segment ``s`` of the measured line and a segment ``t`` of the other geometry,
the points of ``s`` within ``d`` of ``t`` are ``s`` inside the capsule around ``t``
(the rectangle along ``t`` and the two end discs). The capsule is convex, so that
part is one interval of ``s``'s parameter, the hull of the three pieces' intervals,
each in closed form (a linear inequality or a quadratic). Per segment of the
measured line the intervals are merged (sorted, running maximum) and their lengths
summed. Against an area the other segments are its rings, and a stretch of the line
that no capsule covers is either wholly inside the area or wholly outside (it
cannot cross the boundary without coming within ``d`` of it): one point-in-area
test per such stretch decides.

Each pair's value depends on that pair alone (the same sums in the same order
however the pairs are chunked or partitioned), so the Dask engine and this process
give the same values.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely

#: segment pairs handled at a time (bounds memory for long lines with many vertices)
BLOCK = 1_000_000


@dataclass(frozen=True)
class Segments:
    """The straight segments of some geometries (a line's parts, an area's rings),
    grouped per geometry: those of geometry ``i`` are rows ``start[i]:start[i+1]``."""

    x0: np.ndarray
    y0: np.ndarray
    x1: np.ndarray
    y1: np.ndarray
    start: np.ndarray  # int64, len(geoms) + 1
    #: each segment's box (the smaller and larger x and y)
    xmin: np.ndarray
    xmax: np.ndarray
    ymin: np.ndarray
    ymax: np.ndarray

    @classmethod
    def of(cls, geoms: np.ndarray) -> Segments:
        """Segments of lines (``dimension 1``) and of the rings of areas (``2``); other
        geometries (points, empty) have none."""
        dim = shapely.get_dimensions(geoms)
        lines = geoms.copy()
        lines[dim == 2] = shapely.boundary(geoms[dim == 2])
        lines[dim < 1] = None
        if np.isin(shapely.get_type_id(lines), (5, 7)).any():  # multi-part lines (or areas with holes)
            parts, owner = shapely.get_parts(lines, return_index=True)
        else:  # one part each: no need to split
            parts, owner = lines, np.arange(len(lines))
        xy, part = shapely.get_coordinates(parts, return_index=True)
        same = part[1:] == part[:-1]
        first = np.flatnonzero(same)
        seg_owner = owner[part[first]]
        counts = np.bincount(seg_owner, minlength=len(geoms))
        start = np.zeros(len(geoms) + 1, np.int64)
        np.cumsum(counts, out=start[1:])
        x0, y0, x1, y1 = xy[first, 0], xy[first, 1], xy[first + 1, 0], xy[first + 1, 1]
        return cls(
            x0, y0, x1, y1, start, np.minimum(x0, x1), np.maximum(x0, x1), np.minimum(y0, y1), np.maximum(y0, y1)
        )


def near_lengths(geoms: np.ndarray, measured: np.ndarray, other: np.ndarray, distance: float) -> np.ndarray:
    """Per job ``i``: the length of line ``geoms[measured[i]]`` within ``distance``
    (exact Euclidean) of ``geoms[other[i]]``, a line or an area (an area: inside it or
    within the distance of its boundary). A stretch the line runs twice counts twice
    (length along the line)."""
    return pair_near_lengths(geoms, measured, other, distance)[0]


def pair_near_lengths(
    geoms: np.ndarray, a: np.ndarray, b: np.ndarray, distance: float
) -> tuple[np.ndarray, np.ndarray]:
    """Per pair ``i``: (the length of ``geoms[a[i]]`` within ``distance`` of
    ``geoms[b[i]]``, the length of ``geoms[b[i]]`` within it of ``geoms[a[i]]``), each
    where that side is a line and the other a line or an area (0 otherwise). Both
    come from one set of segment pairs."""
    n = len(a)
    if not n:
        return np.zeros(0), np.zeros(0)
    rows = np.unique(np.concatenate([a, b]))  # the geometries involved only, renumbered
    geoms, a, b = geoms[rows], np.searchsorted(rows, a), np.searchsorted(rows, b)
    dim = shapely.get_dimensions(geoms)
    dim_a, dim_b = dim[a], dim[b]
    want_a = (dim_a == 1) & (dim_b >= 1)  # a measured against b
    want_b = (dim_b == 1) & (dim_a >= 1)
    use = np.flatnonzero(want_a | want_b)
    segs = Segments.of(geoms)
    d = float(distance)
    box = shapely.bounds(geoms)
    # 1. per pair, a's segments whose box comes within d of b's box, and b's near a's box
    a_pair, a_seg = _segments_near_box(segs, a, use, box[b], d)
    b_pair, b_seg = _segments_near_box(segs, b, use, box[a], d)
    a_count = np.bincount(a_pair, minlength=n)
    b_count = np.bincount(b_pair, minlength=n)
    a_first = np.zeros(n + 1, np.int64)
    np.cumsum(a_count, out=a_first[1:])
    b_first = np.zeros(n + 1, np.int64)
    np.cumsum(b_count, out=b_first[1:])
    side_a = _Side(a_pair, a_seg, want_a, dim_b == 2, b)
    side_b = _Side(b_pair, b_seg, want_b, dim_a == 2, a)
    # 2. segment pairs, in blocks of pairs of at most BLOCK segment pairs
    ends = np.cumsum(a_count * b_count)
    lo_pair = 0
    while lo_pair < n:
        limit = (ends[lo_pair - 1] if lo_pair else 0) + BLOCK
        hi_pair = int(np.searchsorted(ends, limit, side="right"))
        if hi_pair <= lo_pair:  # one pair of long lines: only its segments that come near each other
            _sparse_pair(segs, d, side_a, side_b, a_first, b_first, lo_pair)
            hi_pair = lo_pair + 1
        else:
            _block(segs, d, side_a, side_b, a_first, b_first, b_count, lo_pair, hi_pair)
        lo_pair = hi_pair
    return side_a.lengths(geoms, segs, n), side_b.lengths(geoms, segs, n)


class _Side:
    """One side of the pairs: its segment entries (pair, segment), whether it is measured,
    whether the other side is an area (and which), and what the blocks found."""

    def __init__(self, pair: np.ndarray, seg: np.ndarray, wanted: np.ndarray, on_area: np.ndarray, other: np.ndarray):
        self.pair, self.seg, self.wanted, self.on_area, self.other = pair, seg, wanted, on_area, other
        self.covered = np.zeros(len(seg))  # per entry: parameter length covered by the intervals
        self.gaps: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []  # (entry, lo, hi) uncovered, on areas

    def lengths(self, geoms: np.ndarray, segs: Segments, n: int) -> np.ndarray:
        """Per pair: covered lengths, plus (against an area) the uncovered stretches inside it."""
        seg = self.seg
        seg_len = np.hypot(segs.x1[seg] - segs.x0[seg], segs.y1[seg] - segs.y0[seg])
        total = self.covered
        if self.gaps:
            entry = np.concatenate([g[0] for g in self.gaps])
            lo = np.concatenate([g[1] for g in self.gaps])
            hi = np.concatenate([g[2] for g in self.gaps])
            mid = (lo + hi) / 2
            s = seg[entry]
            x = segs.x0[s] + mid * (segs.x1[s] - segs.x0[s])
            y = segs.y0[s] + mid * (segs.y1[s] - segs.y0[s])
            inside = shapely.intersects_xy(geoms[self.other[self.pair[entry]]], x, y)
            # in entry order, then lo: the same order for a pair however the pairs are blocked
            order = np.lexsort((lo, entry))
            entry, lo, hi, inside = entry[order], lo[order], hi[order], inside[order]
            total = total + np.bincount(entry[inside], weights=(hi - lo)[inside], minlength=len(seg))
        # (a segment whose box is more than d from an area's box is outside the area: 0)
        return np.bincount(self.pair, weights=total * seg_len, minlength=n)

    def merge(self, entry: np.ndarray, lo: np.ndarray, hi: np.ndarray, block_entries: np.ndarray) -> None:
        """Add the intervals (``lo < hi``) of the entries to ``covered``; against an area,
        the stretches of ``block_entries`` they leave uncovered to ``gaps``."""
        order = np.lexsort((lo, entry))
        entry, lo, hi = entry[order], lo[order], hi[order]
        same = np.zeros(len(entry), bool)
        same[1:] = entry[1:] == entry[:-1]
        run = _running_max(hi, same)
        prev = np.where(same, np.concatenate([[0.0], run[:-1]]), -np.inf)
        gain = np.maximum(0.0, hi - np.maximum(lo, prev))
        self.covered += np.bincount(entry, weights=gain, minlength=len(self.covered))
        on_area = self.on_area[self.pair[entry]]
        block_area = block_entries[self.on_area[self.pair[block_entries]]]
        if not len(block_area):
            return
        last = np.ones(len(entry), bool)
        last[:-1] = ~same[1:]
        start_gap = np.where(same, prev, 0.0)
        g = on_area & (lo > start_gap)
        self.gaps.append((entry[g], start_gap[g], lo[g]))
        g = on_area & last & (run < 1.0)
        self.gaps.append((entry[g], run[g], np.ones(int(g.sum()))))
        # segments against an area that no interval touches: wholly in or out
        untouched = block_area[~np.isin(block_area, entry)]
        self.gaps.append((untouched, np.zeros(len(untouched)), np.ones(len(untouched))))


def _segments_near_box(
    segs: Segments, rows: np.ndarray, use: np.ndarray, box: np.ndarray, d: float
) -> tuple[np.ndarray, np.ndarray]:
    """(pair, segment) for every segment of ``geoms[rows[pair]]``, ``pair`` in ``use``,
    whose box comes within ``d`` of ``box[pair]`` (in pair, then segment order)."""
    r = rows[use]
    count = segs.start[r + 1] - segs.start[r]
    pair = np.repeat(use, count)
    seg = np.repeat(segs.start[r] - np.concatenate([[0], np.cumsum(count)[:-1]]), count) + np.arange(len(pair))
    grown = box[use] + (-d, -d, d, d)
    keep = (
        (segs.xmin[seg] <= np.repeat(grown[:, 2], count))
        & (segs.xmax[seg] >= np.repeat(grown[:, 0], count))
        & (segs.ymin[seg] <= np.repeat(grown[:, 3], count))
        & (segs.ymax[seg] >= np.repeat(grown[:, 1], count))
    )
    return pair[keep], seg[keep]


def _block(
    segs: Segments,
    d: float,
    side_a: _Side,
    side_b: _Side,
    a_first: np.ndarray,
    b_first: np.ndarray,
    b_count: np.ndarray,
    lo_pair: int,
    hi_pair: int,
) -> None:
    """The segment pairs of pairs ``lo_pair:hi_pair`` (each of a's entries with each of
    b's), their boxes within d; the intervals of each measured side."""
    a_entries = np.arange(a_first[lo_pair], a_first[hi_pair])
    b_entries = np.arange(b_first[lo_pair], b_first[hi_pair])
    pairs = side_a.pair[a_entries]
    rep = b_count[pairs]
    ea = np.repeat(a_entries, rep)
    eb = np.arange(len(ea)) - np.repeat(np.cumsum(rep) - rep, rep) + np.repeat(b_first[pairs], rep)
    _intervals(segs, d, side_a, side_b, ea, eb, a_entries, b_entries)


def _sparse_pair(
    segs: Segments, d: float, side_a: _Side, side_b: _Side, a_first: np.ndarray, b_first: np.ndarray, pair: int
) -> None:
    """:func:`_block` for one pair with more than BLOCK segment pairs (two long lines side
    by side): its segment pairs whose boxes come within d found with a tree on b's segment
    boxes, in the same order as :func:`_block` would give them (so the same values)."""
    a_entries = np.arange(a_first[pair], a_first[pair + 1])
    b_entries = np.arange(b_first[pair], b_first[pair + 1])
    sa, sb = side_a.seg[a_entries], side_b.seg[b_entries]
    tree = shapely.STRtree(shapely.box(segs.xmin[sb], segs.ymin[sb], segs.xmax[sb], segs.ymax[sb]))
    qa, qb = tree.query(shapely.box(segs.xmin[sa] - d, segs.ymin[sa] - d, segs.xmax[sa] + d, segs.ymax[sa] + d))
    order = np.lexsort((qb, qa))
    _intervals(segs, d, side_a, side_b, a_entries[qa[order]], b_entries[qb[order]], a_entries, b_entries)


def _intervals(
    segs: Segments,
    d: float,
    side_a: _Side,
    side_b: _Side,
    ea: np.ndarray,
    eb: np.ndarray,
    a_entries: np.ndarray,
    b_entries: np.ndarray,
) -> None:
    """The segment pairs (``ea[k]``, ``eb[k]``) whose boxes come within d; the intervals
    of each measured side, merged per segment (``a_entries``, ``b_entries``: every entry
    of the pairs handled, for the stretches no interval touches)."""
    s, t = side_a.seg[ea], side_b.seg[eb]
    keep = np.flatnonzero(
        (segs.xmin[s] <= segs.xmax[t] + d)
        & (segs.xmax[s] >= segs.xmin[t] - d)
        & (segs.ymin[s] <= segs.ymax[t] + d)
        & (segs.ymax[s] >= segs.ymin[t] - d)
    )
    ea, eb, s, t = ea[keep], eb[keep], s[keep], t[keep]
    px0, py0, px1, py1 = segs.x0[s], segs.y0[s], segs.x1[s], segs.y1[s]
    qx0, qy0, qx1, qy1 = segs.x0[t], segs.y0[t], segs.x1[t], segs.y1[t]
    pair = side_a.pair[ea]
    for side, entry, p, q, entries in (  # a measured against b's segments, and b against a's
        (side_a, ea, (px0, py0, px1, py1), (qx0, qy0, qx1, qy1), a_entries),
        (side_b, eb, (qx0, qy0, qx1, qy1), (px0, py0, px1, py1), b_entries),
    ):
        wanted = side.wanted[pair]
        if not wanted.all():
            entry, p, q = entry[wanted], tuple(c[wanted] for c in p), tuple(c[wanted] for c in q)
        lo, hi = capsule_interval(*p, *q, d)
        hit = lo < hi
        side.merge(entry[hit], lo[hit], hi[hit], entries[side.wanted[side.pair[entries]]])


def _running_max(values: np.ndarray, same: np.ndarray) -> np.ndarray:
    """Running maximum of ``values`` within runs (``same``: the row continues the run of
    the row before it); exact (no offsets added to the values), in log2 of the longest
    run passes."""
    run = values.copy()
    if not len(run):
        return run
    starts = np.flatnonzero(~same)
    longest = int(np.max(np.diff(np.append(starts, len(same)))))
    group = np.cumsum(~same)
    k = 1
    while k < longest:
        within = group[k:] == group[:-k]
        run[k:] = np.where(within, np.maximum(run[k:], run[:-k]), run[k:])
        k *= 2
    return run


def capsule_interval(
    px0: np.ndarray,
    py0: np.ndarray,
    px1: np.ndarray,
    py1: np.ndarray,
    qx0: np.ndarray,
    qy0: np.ndarray,
    qx1: np.ndarray,
    qy1: np.ndarray,
    d: float,
) -> tuple[np.ndarray, np.ndarray]:
    """(lo, hi): the parameters ``t`` in [0, 1] of the points ``P0 + t (P1 - P0)`` within
    ``d`` of the segment ``Q0 Q1``; empty where ``lo >= hi``. The capsule is the union
    of the rectangle along ``Q0 Q1`` and the discs at its ends; convex, so its
    intersection with the line is the hull of the three pieces' intervals."""
    ux, uy = px1 - px0, py1 - py0
    a = ux * ux + uy * uy
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        lo = np.full(len(ux), np.inf)
        hi = np.full(len(ux), -np.inf)
        for cx, cy in ((qx0, qy0), (qx1, qy1)):
            wx, wy = px0 - cx, py0 - cy
            b = ux * wx + uy * wy
            c = wx * wx + wy * wy - d * d
            disc = b * b - a * c
            ok = (disc >= 0) & (a > 0)
            root = np.sqrt(np.where(ok, disc, 0.0))
            lo = np.where(ok, np.minimum(lo, (-b - root) / a), lo)
            hi = np.where(ok, np.maximum(hi, (-b + root) / a), hi)
        # the rectangle: 0 <= (P - Q0).v <= v.v and |cross(v, P - Q0)| <= d |v|
        vx, vy = qx1 - qx0, qy1 - qy0
        vv = vx * vx + vy * vy
        wx, wy = px0 - qx0, py0 - qy0
        r_lo, r_hi = _linear(wx * vx + wy * vy, ux * vx + uy * vy, 0.0, vv)
        reach = d * np.sqrt(vv)
        s_lo, s_hi = _linear(vx * wy - vy * wx, vx * uy - vy * ux, -reach, reach)
        rl, rh = np.maximum(r_lo, s_lo), np.minimum(r_hi, s_hi)
        ok = (vv > 0) & (rl <= rh)
        lo = np.where(ok, np.minimum(lo, rl), lo)
        hi = np.where(ok, np.maximum(hi, rh), hi)
    return np.maximum(lo, 0.0), np.minimum(hi, 1.0)


def _linear(alpha: np.ndarray, beta: np.ndarray, low: float | np.ndarray, high: float | np.ndarray):
    """The ``t`` with ``low <= alpha + beta t <= high``, as (lo, hi) (all t: -inf, inf;
    none: inf, -inf)."""
    t1 = (low - alpha) / beta
    t2 = (high - alpha) / beta
    flat = beta == 0
    inside = (alpha >= low) & (alpha <= high)
    lo = np.where(flat, np.where(inside, -np.inf, np.inf), np.minimum(t1, t2))
    hi = np.where(flat, np.where(inside, np.inf, -np.inf), np.maximum(t1, t2))
    return lo, hi
