"""Coupling opportunities (koppelkansen) and no-dig conflicts (graafrust),
exactly as defined in shared/spec/exchange.md "Analysis definitions".

Strategy: space first on bounding boxes (an STRtree query of boxes grown by the
distance, in chunks, so memory stays bounded), then the time, owner and
excavation rules on the candidate pairs as vectorised numpy, then the exact
distance on what is left (the costly step, on the fewest pairs).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import shapely

from openruimte.analysis.arrays import PlanColumns
from openruimte.analysis.threads import split_call
from openruimte.model import Phase

BEHEER = list(Phase).index(Phase.BEHEER)
#: candidates are searched a hair wider; the exact test decides
_SLACK_M = 1e-6
#: rows queried against the tree at a time
CHUNK = 20_000

Progress = Callable[[int], None]


@dataclass(frozen=True)
class Parameters:
    """The four parameters of the analysis definitions (defaults from the spec)."""

    max_distance_m: float = 10.0
    max_gap_days: int = 730
    graafrust_days: int = 1095
    graafrust_distance_m: float = 5.0

    def as_dict(self) -> dict[str, float | int]:
        """As the spec writes them (whole numbers without a decimal point)."""
        return {
            "max_distance_m": _plain(self.max_distance_m),
            "max_gap_days": int(self.max_gap_days),
            "graafrust_days": int(self.graafrust_days),
            "graafrust_distance_m": _plain(self.graafrust_distance_m),
        }


def _plain(x: float) -> float | int:
    return int(x) if float(x).is_integer() else float(x)


@dataclass(frozen=True)
class Couplings:
    """Pairs (a, b) as row indices into the columns, a's key < b's key."""

    a: np.ndarray
    b: np.ndarray
    distance_m: np.ndarray
    gap_days: np.ndarray


@dataclass(frozen=True)
class Conflicts:
    renewal: np.ndarray
    plan: np.ndarray
    distance_m: np.ndarray
    overlap_days: np.ndarray


def _near_pairs(
    tree_geoms: np.ndarray, query_geoms: np.ndarray, distance: float, progress: Progress | None
) -> tuple[np.ndarray, np.ndarray]:
    """(query index, tree index) of every pair whose bounding boxes come within
    ``distance``: a superset of the pairs within that distance, found on boxes
    alone (fast); the exact distance is computed later, on fewer pairs."""
    tree = shapely.STRtree(tree_geoms)
    bounds = shapely.bounds(query_geoms)
    reach = distance + _SLACK_M
    qs, ts = [], []
    for lo in range(0, len(query_geoms), CHUNK):
        b = bounds[lo : lo + CHUNK]
        boxes = shapely.box(b[:, 0] - reach, b[:, 1] - reach, b[:, 2] + reach, b[:, 3] + reach)
        q, t = tree.query(boxes)
        qs.append(q + lo)
        ts.append(t)
        if progress:
            progress(len(b))
    if not qs:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    return np.concatenate(qs), np.concatenate(ts)


def find_couplings(
    cols: PlanColumns, params: Parameters, progress: Progress | None = None, *, between: np.ndarray | None = None
) -> Couplings:
    """Every coupling opportunity: both scheduled and not in beheer; other owner or
    disjoint asset types; at least one excavates; distance and time gap within limits.

    ``between`` (a boolean per plan) keeps only pairs with one plan on each side,
    e.g. replacement candidates against registered plans."""
    eligible = np.flatnonzero(cols.scheduled & (cols.phase != BEHEER))
    geoms = cols.geoms[eligible]
    qi, ti = _near_pairs(geoms, geoms, params.max_distance_m, progress)
    keep = qi < ti
    a, b = eligible[qi[keep]], eligible[ti[keep]]
    # owners and keys compared as integer codes (10x faster than comparing the strings)
    codes: dict[str, int] = {}  # a code per owner (equality only: no sort needed)
    owner = np.fromiter((codes.setdefault(o, len(codes)) for o in cols.owners.tolist()), np.int64, len(cols))
    other_owner = owner[a] != owner[b]
    disjoint = (cols.asset_mask[a] & cols.asset_mask[b]) == 0
    digs = cols.excavation[a] | cols.excavation[b]
    gap = np.maximum(0, np.maximum(cols.start[b] - cols.end[a], cols.start[a] - cols.end[b]))
    keep = (other_owner | disjoint) & digs & (gap <= params.max_gap_days)
    if between is not None:
        keep &= between[a] != between[b]
    a, b, gap = a[keep], b[keep], gap[keep]
    dist = split_call(shapely.distance, cols.geoms[a], cols.geoms[b])
    keep = dist <= params.max_distance_m
    a, b, gap, dist = a[keep], b[keep], gap[keep], dist[keep]
    rank = np.empty(len(cols), np.int64)
    rank[np.argsort(cols.keys, kind="stable")] = np.arange(len(cols))  # keys are unique: their order
    swap = rank[a] > rank[b]
    a, b = np.where(swap, b, a), np.where(swap, a, b)
    order = np.lexsort((rank[b], rank[a]))
    return Couplings(a=a[order], b=b[order], distance_m=dist[order], gap_days=gap[order])


def find_conflicts(cols: PlanColumns, params: Parameters, progress: Progress | None = None) -> Conflicts:
    """Every no-dig conflict: an excavating, scheduled plan X within the distance of
    a surface renewal R whose window shares a day with R's no-dig period
    ``end_R + 1 .. end_R + graafrust_days``."""
    renewals = np.flatnonzero(cols.surface_renewal & cols.scheduled)
    diggers = np.flatnonzero(cols.excavation & cols.scheduled)
    if not len(renewals) or not len(diggers):
        empty = np.empty(0, np.int64)
        return Conflicts(empty, empty, np.empty(0), empty)
    qi, ti = _near_pairs(cols.geoms[diggers], cols.geoms[renewals], params.graafrust_distance_m, progress)
    r, x = renewals[qi], diggers[ti]
    keep = r != x
    r, x = r[keep], x[keep]
    first = cols.end[r] + 1
    last = cols.end[r] + params.graafrust_days
    overlap = np.minimum(cols.end[x], last) - np.maximum(cols.start[x], first) + 1
    keep = overlap > 0
    r, x, overlap = r[keep], x[keep], overlap[keep]
    dist = shapely.distance(cols.geoms[r], cols.geoms[x])
    keep = dist <= params.graafrust_distance_m
    r, x, overlap, dist = r[keep], x[keep], overlap[keep], dist[keep]
    order = np.lexsort((cols.keys[x], cols.keys[r]))
    return Conflicts(renewal=r[order], plan=x[order], distance_m=dist[order], overlap_days=overlap[order])
