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

    @classmethod
    def of(cls, geoms: np.ndarray) -> Segments:
        """Segments of lines (``dimension 1``) and of the rings of areas (``2``); other
        geometries (points, empty) have none."""
        dim = shapely.get_dimensions(geoms)
        lines = geoms.copy()
        lines[dim == 2] = shapely.boundary(geoms[dim == 2])
        lines[dim < 1] = None
        parts, owner = shapely.get_parts(lines, return_index=True)
        xy, part = shapely.get_coordinates(parts, return_index=True)
        same = part[1:] == part[:-1]
        first = np.flatnonzero(same)
        seg_owner = owner[part[first]]
        counts = np.bincount(seg_owner, minlength=len(geoms))
        start = np.zeros(len(geoms) + 1, np.int64)
        np.cumsum(counts, out=start[1:])
        return cls(xy[first, 0], xy[first, 1], xy[first + 1, 0], xy[first + 1, 1], start)


def near_lengths(
    geoms: np.ndarray, measured: np.ndarray, other: np.ndarray, distance: float, segs: Segments | None = None
) -> np.ndarray:
    """Per job ``i``: the length of line ``geoms[measured[i]]`` within ``distance``
    (exact Euclidean) of ``geoms[other[i]]``, a line or an area (an area: inside it or
    within the distance of its boundary). A stretch the line runs twice counts twice
    (length along the line)."""
    n = len(measured)
    if not n:
        return np.zeros(0)
    if segs is None:  # the segments of the geometries involved only, rows renumbered
        rows = np.unique(np.concatenate([measured, other]))
        geoms, measured, other = geoms[rows], np.searchsorted(rows, measured), np.searchsorted(rows, other)
        segs = Segments.of(geoms)
    d = float(distance)
    is_area = shapely.get_dimensions(geoms[other]) == 2
    # bounding boxes of the geometries (grown by d for the other side)
    ob = shapely.bounds(geoms[other])
    mb = shapely.bounds(geoms[measured])
    # 1. per job, the measured segments whose box comes within d of the other's box,
    #    and the other's segments whose box comes within d of the measured box
    m_job, m_seg = _segments_near_box(segs, measured, ob, d)
    o_job, o_seg = _segments_near_box(segs, other, mb, d)
    m_count = np.bincount(m_job, minlength=n)
    o_count = np.bincount(o_job, minlength=n)
    o_first = np.zeros(n, np.int64)
    np.cumsum(o_count[:-1], out=o_first[1:])
    # 2. segment pairs, in blocks of jobs of at most BLOCK pairs
    cross = m_count * o_count
    m_first = np.zeros(n + 1, np.int64)
    np.cumsum(m_count, out=m_first[1:])
    covered = np.zeros(len(m_seg))  # per measured segment entry: length covered by the intervals
    gaps: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []  # (entry, lo, hi) of uncovered stretches
    ends = np.cumsum(cross)
    lo_job = 0
    while lo_job < n:
        limit = (ends[lo_job - 1] if lo_job else 0) + BLOCK
        hi_job = max(lo_job + 1, int(np.searchsorted(ends, limit, side="right")))
        e_lo, e_hi = m_first[lo_job], m_first[hi_job]
        _block(segs, d, m_job, m_seg, o_seg, o_count, o_first, is_area, e_lo, e_hi, covered, gaps)
        lo_job = hi_job
    # 3. per job: covered lengths, plus (areas) the uncovered stretches inside the area
    seg_len = np.hypot(segs.x1[m_seg] - segs.x0[m_seg], segs.y1[m_seg] - segs.y0[m_seg])
    total = covered * seg_len
    if gaps:
        entry = np.concatenate([g[0] for g in gaps])
        lo = np.concatenate([g[1] for g in gaps])
        hi = np.concatenate([g[2] for g in gaps])
        mid = (lo + hi) / 2
        s = m_seg[entry]
        x = segs.x0[s] + mid * (segs.x1[s] - segs.x0[s])
        y = segs.y0[s] + mid * (segs.y1[s] - segs.y0[s])
        inside = shapely.intersects_xy(geoms[other[m_job[entry]]], x, y)
        # in entry order, then lo: the same order for a pair however the jobs are blocked
        order = np.lexsort((lo, entry))
        entry, lo, hi, inside = entry[order], lo[order], hi[order], inside[order]
        extra = np.bincount(entry[inside], weights=(hi - lo)[inside], minlength=len(m_seg))
        total = (covered + extra) * seg_len
    # (a measured segment whose box is more than d from an area's box is outside the area: 0)
    return np.bincount(m_job, weights=total, minlength=n)


def _segments_near_box(segs: Segments, rows: np.ndarray, box: np.ndarray, d: float) -> tuple[np.ndarray, np.ndarray]:
    """(job, segment) for every segment of ``geoms[rows[job]]`` whose box comes within
    ``d`` of ``box[job]`` (in segment order per job)."""
    count = segs.start[rows + 1] - segs.start[rows]
    job = np.repeat(np.arange(len(rows)), count)
    first = np.repeat(segs.start[rows] - np.concatenate([[0], np.cumsum(count)[:-1]]), count)
    seg = first + np.arange(len(job))
    x0, y0, x1, y1 = segs.x0[seg], segs.y0[seg], segs.x1[seg], segs.y1[seg]
    b = box[job]
    keep = (
        (np.minimum(x0, x1) <= b[:, 2] + d)
        & (np.maximum(x0, x1) >= b[:, 0] - d)
        & (np.minimum(y0, y1) <= b[:, 3] + d)
        & (np.maximum(y0, y1) >= b[:, 1] - d)
    )
    return job[keep], seg[keep]


def _block(
    segs: Segments,
    d: float,
    m_job: np.ndarray,
    m_seg: np.ndarray,
    o_seg: np.ndarray,
    o_count: np.ndarray,
    o_first: np.ndarray,
    is_area: np.ndarray,
    e_lo: int,
    e_hi: int,
    covered: np.ndarray,
    gaps: list[tuple[np.ndarray, np.ndarray, np.ndarray]],
) -> None:
    """Intervals of the measured segment entries ``e_lo:e_hi`` against the other side's
    segments of their job; adds the covered length (as a parameter fraction) to
    ``covered`` and, for jobs against an area, the uncovered stretches to ``gaps``."""
    entries = np.arange(e_lo, e_hi)
    jobs = m_job[entries]
    rep = o_count[jobs]
    entry = np.repeat(entries, rep)
    within = np.arange(len(entry)) - np.repeat(np.cumsum(rep) - rep, rep)
    t = o_seg[o_first[jobs].repeat(rep) + within]
    s = m_seg[entry]
    # segment boxes within d (cheap; most pairs of segments of two nearby lines are not)
    px0, py0, px1, py1 = segs.x0[s], segs.y0[s], segs.x1[s], segs.y1[s]
    qx0, qy0, qx1, qy1 = segs.x0[t], segs.y0[t], segs.x1[t], segs.y1[t]
    keep = (
        (np.minimum(px0, px1) <= np.maximum(qx0, qx1) + d)
        & (np.maximum(px0, px1) >= np.minimum(qx0, qx1) - d)
        & (np.minimum(py0, py1) <= np.maximum(qy0, qy1) + d)
        & (np.maximum(py0, py1) >= np.minimum(qy0, qy1) - d)
    )
    entry = entry[keep]
    px0, py0, px1, py1 = px0[keep], py0[keep], px1[keep], py1[keep]
    qx0, qy0, qx1, qy1 = qx0[keep], qy0[keep], qx1[keep], qy1[keep]
    lo, hi = capsule_interval(px0, py0, px1, py1, qx0, qy0, qx1, qy1, d)
    hit = lo < hi
    entry, lo, hi = entry[hit], lo[hit], hi[hit]
    # merge per measured segment entry: sorted by (entry, lo), running maximum of hi
    order = np.lexsort((lo, entry))
    entry, lo, hi = entry[order], lo[order], hi[order]
    same = np.zeros(len(entry), bool)
    same[1:] = entry[1:] == entry[:-1]
    run = _running_max(hi, entry, same)
    prev = np.where(same, np.concatenate([[0.0], run[:-1]]), -np.inf)
    gain = np.maximum(0.0, hi - np.maximum(lo, prev))
    covered += np.bincount(entry, weights=gain, minlength=len(covered))
    # uncovered stretches, only where the other side is an area
    on_area = is_area[m_job[entry]]
    block_area = is_area[jobs]
    if not block_area.any():
        return
    first = ~same
    last = np.ones(len(entry), bool)
    last[:-1] = ~same[1:]
    start_gap = np.where(first, 0.0, prev)
    g = on_area & (lo > start_gap)
    parts = [(entry[g], start_gap[g], lo[g])]
    g = on_area & last & (run < 1.0)
    parts.append((entry[g], run[g], np.ones(int(g.sum()))))
    # measured segments against an area that no interval touches: wholly in or out
    untouched = entries[block_area]
    untouched = untouched[~np.isin(untouched, entry)]
    parts.append((untouched, np.zeros(len(untouched)), np.ones(len(untouched))))
    gaps.extend(parts)


def _running_max(values: np.ndarray, group: np.ndarray, same: np.ndarray) -> np.ndarray:
    """Running maximum of ``values`` within runs of equal ``group`` (``same``: the row
    continues the run before it); exact (no offsets added to the values), in log2 of
    the longest run passes."""
    run = values.copy()
    if not len(run):
        return run
    k = 1
    longest = int(np.max(np.diff(np.append(np.flatnonzero(~same), len(same)))))
    while k < longest:
        same = group[k:] == group[:-k]
        run[k:] = np.where(same, np.maximum(run[k:], run[:-k]), run[k:])
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
    with np.errstate(divide="ignore", invalid="ignore"):
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
