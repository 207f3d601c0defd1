"""Which street segments each plan touches: the unit a street is opened in.

A segment's corridor is the band of half its profile width (``profile_width_m``,
when known) plus ``distance_m`` either side of its centre line, cut off square at
its ends. A line or area plan touches the segment when the part of the plan
inside the corridor stretches along the segment for at least ``min_overlap_m``
(or along most of a short segment): works in a cable lane beside the centre line
count, a trench merely crossing a side street at a junction does not. A point
plan belongs to the nearest segment within ``point_snap_m``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import shapely

from openruimte.model import Plan

#: a segment counts as touched when this share of it lies within the distance
SHORT_SEGMENT_SHARE = 0.8


class SegmentLike(Protocol):
    """Anything with an ``id`` and a line ``geometry`` (StreetSegment, the demo's Street)."""

    id: str
    geometry: Any


@dataclass(frozen=True)
class SegmentMap:
    """Plan key -> indices into ``ids`` of the segments it touches."""

    ids: tuple[str, ...]
    lengths: np.ndarray
    names: tuple[str, ...]
    areas: tuple[str | None, ...]
    of_plan: dict[str, tuple[int, ...]]

    def segment_ids(self, key: str) -> tuple[str, ...]:
        return tuple(self.ids[i] for i in self.of_plan.get(key, ()))


def map_segments(
    plans: Sequence[Plan],
    segments: Sequence[SegmentLike],
    *,
    distance_m: float = 3.0,
    min_overlap_m: float = 15.0,
    point_snap_m: float = 20.0,
) -> SegmentMap:
    """The segments every plan touches (pure; STRtree queries, vectorised)."""
    seg_geoms = np.array([s.geometry for s in segments], dtype=object)
    lengths = shapely.length(seg_geoms) if len(segments) else np.zeros(0)
    out: dict[str, list[int]] = {p.key: [] for p in plans}
    if len(segments) and len(plans):
        tree = shapely.STRtree(seg_geoms)
        geoms = np.array([p.geometry for p in plans], dtype=object)
        dims = shapely.get_dimensions(geoms)
        half = np.array([(getattr(s, "profile_width_m", None) or 0.0) / 2 for s in segments]) + distance_m
        corridors = shapely.buffer(seg_geoms, half, cap_style="flat")
        along = _along(geoms, np.flatnonzero(dims > 0), corridors, seg_geoms)
        for q, s, a in along:
            if a >= min_overlap_m or a >= SHORT_SEGMENT_SHARE * lengths[s]:
                out[plans[q].key].append(s)
        _add_points(out, plans, geoms, np.flatnonzero(dims == 0), tree, point_snap_m)
    return SegmentMap(
        ids=tuple(str(s.id) for s in segments),
        lengths=np.asarray(lengths, dtype=float),
        names=tuple(str(getattr(s, "name", "") or "") for s in segments),
        areas=tuple(getattr(s, "area", None) for s in segments),
        of_plan={k: tuple(sorted(set(v))) for k, v in out.items()},
    )


def _along(
    geoms: np.ndarray, rows: np.ndarray, corridors: np.ndarray, seg_geoms: np.ndarray
) -> list[tuple[int, int, float]]:
    """(plan row, segment, metres along the segment covered by the plan's part in its corridor)."""
    if not len(rows):
        return []
    qi, si = shapely.STRtree(corridors).query(geoms[rows], predicate="intersects")
    pieces = shapely.intersection(geoms[rows][qi], corridors[si])
    coords, idx = shapely.get_coordinates(pieces, return_index=True)
    pos = shapely.line_locate_point(seg_geoms[si][idx], shapely.points(coords))
    hi = np.full(len(qi), -np.inf)
    lo = np.full(len(qi), np.inf)
    np.maximum.at(hi, idx, pos)
    np.minimum.at(lo, idx, pos)
    along = np.where(np.isfinite(hi), hi - lo, 0.0)
    return list(zip(rows[qi].tolist(), si.tolist(), along.tolist(), strict=True))


def _add_points(
    out: dict[str, list[int]],
    plans: Sequence[Plan],
    geoms: np.ndarray,
    rows: np.ndarray,
    tree: shapely.STRtree,
    point_snap_m: float,
) -> None:
    if not len(rows):
        return
    qi, si = tree.query_nearest(geoms[rows], max_distance=point_snap_m, all_matches=False)
    for q, s in zip(qi.tolist(), si.tolist(), strict=True):
        out[plans[rows[q]].key].append(s)
