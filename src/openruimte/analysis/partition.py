"""Plans partitioned in space, with a halo, for an analysis over many machines (issue 12).

Each plan is *owned* by one partition: the plans are ordered along a Hilbert curve
(by the lower-left corner of their bounding box) and cut into runs of equal size,
so a partition is a compact piece of the country with about as many plans as the
others. A partition's input is what it owns plus its *halo*: every plan whose
bounding box comes within the search distance of the envelope of a block of 500
owned plans (consecutive along the curve, so the envelopes are tight). The same
kernel as on one machine (``pairs.find_couplings`` and ``find_conflicts``) runs on
that input, and a partition keeps only the pairs whose first plan it owns (the
plan with the smaller key of a coupling; the renewal of a conflict). So:

- no pair is lost: the second plan of a pair is within the distance of the first,
  so inside the first's box grown by the distance, so in the halo of the first's
  partition (a plan that crosses a partition border is in the halo of every
  partition it reaches);
- no pair is doubled: the first plan has one owner;
- the values are the same: the rules look at the two plans of a pair only, and
  the distance is computed on the same geometries.

The merge sorts the pairs by key, so the result does not depend on the order in
which partitions finish. Pure: numpy and shapely; the Dask wiring is in
``services/analyse_dask.py``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely

from openruimte.analysis.arrays import PlanColumns
from openruimte.analysis.couplings import UnitCosts
from openruimte.analysis.pairs import Conflicts, Couplings, Parameters, find_conflicts, find_couplings
from openruimte.analysis.records import conflict_records, coupling_records

#: bits per axis of the Hilbert grid
HILBERT_BITS = 16
#: plans per block whose envelope, grown by the distance, selects the halo
BLOCK = 500


def hilbert_index(x: np.ndarray, y: np.ndarray, bits: int = HILBERT_BITS) -> np.ndarray:
    """Position along the Hilbert curve of integer cells (``0 <= x, y < 2**bits``)."""
    x = x.astype(np.int64).copy()
    y = y.astype(np.int64).copy()
    d = np.zeros(len(x), dtype=np.int64)
    last = (1 << bits) - 1
    s = 1 << (bits - 1)
    while s > 0:
        rx = (x & s) > 0
        ry = (y & s) > 0
        d += s * s * ((3 * rx.astype(np.int64)) ^ ry.astype(np.int64))
        # rotate the quadrant
        flip = ~ry
        swap_x = flip & rx
        x = np.where(swap_x, last - x, x)
        y = np.where(swap_x, last - y, y)
        x, y = np.where(flip, y, x), np.where(flip, x, y)
        s >>= 1
    return d


@dataclass(frozen=True)
class Partition:
    """Rows (indices into the whole columns) of one partition: its input and which of them it owns."""

    number: int
    rows: np.ndarray  # int64, sorted: owned plus halo
    owned: np.ndarray  # bool per entry of ``rows``


def partitions(cols: PlanColumns, parts: int, reach_m: float) -> list[Partition]:
    """``parts`` partitions of about equal size along a Hilbert curve, each with its
    halo of ``reach_m`` (the largest search distance of the analysis)."""
    n = len(cols)
    if n == 0:
        return []
    parts = max(1, min(parts, n))
    bounds = shapely.bounds(cols.geoms)
    lo = bounds[:, :2].min(axis=0)
    span = max(float((bounds[:, :2].max(axis=0) - lo).max()), 1e-9)
    cells = (1 << HILBERT_BITS) - 1
    gx = np.floor((bounds[:, 0] - lo[0]) / span * cells).astype(np.int64)
    gy = np.floor((bounds[:, 1] - lo[1]) / span * cells).astype(np.int64)
    order = np.lexsort((np.arange(n), hilbert_index(gx, gy)))
    owner = np.empty(n, dtype=np.int64)
    runs = np.array_split(order, parts)
    for i, run in enumerate(runs):
        owner[run] = i
    tree = shapely.STRtree(shapely.box(bounds[:, 0], bounds[:, 1], bounds[:, 2], bounds[:, 3]))
    out = []
    reach = reach_m + 1e-6
    for i, run in enumerate(runs):
        if not len(run):
            continue
        # the halo: plans near the envelope of each block of BLOCK consecutive plans along
        # the curve (tight, unlike one envelope of the whole partition)
        envelopes = []
        for lo in range(0, len(run), BLOCK):
            b = bounds[run[lo : lo + BLOCK]]
            envelopes.append((b[:, 0].min(), b[:, 1].min(), b[:, 2].max(), b[:, 3].max()))
        e = np.array(envelopes)
        boxes = shapely.box(e[:, 0] - reach, e[:, 1] - reach, e[:, 2] + reach, e[:, 3] + reach)
        _q, near = tree.query(boxes)
        rows = np.union1d(near, run)
        out.append(Partition(number=i, rows=rows, owned=owner[rows] == i))
    return out


@dataclass(frozen=True)
class PartPairs:
    """Pairs found by one partition, as row indices into the whole columns; with
    ``records``, each pair's record (score, explanation) already encoded (orjson), in
    the same order."""

    couplings: Couplings
    conflicts: Conflicts
    coupling_json: list[bytes] | None = None
    conflict_json: list[bytes] | None = None


def pairs_of_partition(
    cols: PlanColumns,
    rows: np.ndarray,
    owned: np.ndarray,
    params: Parameters,
    *,
    records: bool = False,
    costs: UnitCosts | None = None,
) -> PartPairs:
    """The kernel on one partition's input (``cols`` holds those rows only, in the
    order of ``rows``); the pairs it owns, with indices into the whole columns (and,
    with ``records``, their records: shared length, score, explanation, encoded)."""
    c = find_couplings(cols, params)
    keep = owned[c.a]
    c = Couplings(c.a[keep], c.b[keep], c.distance_m[keep], c.gap_days[keep])
    k = find_conflicts(cols, params)
    keep_k = owned[k.renewal]
    k = Conflicts(k.renewal[keep_k], k.plan[keep_k], k.distance_m[keep_k], k.overlap_days[keep_k])
    coupling_json = conflict_json = None
    if records:
        import orjson

        coupling_json = [orjson.dumps(r) for r in coupling_records(cols, c, params, costs or UnitCosts())]
        conflict_json = [orjson.dumps(r) for r in conflict_records(cols, k, params)]
    return PartPairs(
        couplings=Couplings(rows[c.a], rows[c.b], c.distance_m, c.gap_days),
        conflicts=Conflicts(rows[k.renewal], rows[k.plan], k.distance_m, k.overlap_days),
        coupling_json=coupling_json,
        conflict_json=conflict_json,
    )


@dataclass(frozen=True)
class Merged:
    couplings: Couplings
    conflicts: Conflicts
    #: the records, encoded, in the same order (when the partitions made them)
    coupling_json: list[bytes] | None = None
    conflict_json: list[bytes] | None = None


def merge(cols: PlanColumns, found: list[PartPairs]) -> Merged:
    """The partitions' pairs as one result, in the order of the single-machine engine (by keys)."""
    if not found:
        e = np.empty(0, np.int64)
        return Merged(Couplings(e, e, np.empty(0), e), Conflicts(e, e, np.empty(0), e))
    a = np.concatenate([f.couplings.a for f in found])
    b = np.concatenate([f.couplings.b for f in found])
    dist = np.concatenate([f.couplings.distance_m for f in found])
    gap = np.concatenate([f.couplings.gap_days for f in found])
    order = np.lexsort((cols.keys[b], cols.keys[a]))
    r = np.concatenate([f.conflicts.renewal for f in found])
    x = np.concatenate([f.conflicts.plan for f in found])
    kd = np.concatenate([f.conflicts.distance_m for f in found])
    ov = np.concatenate([f.conflicts.overlap_days for f in found])
    order_k = np.lexsort((cols.keys[x], cols.keys[r]))
    coupling_json = conflict_json = None
    if all(f.coupling_json is not None and f.conflict_json is not None for f in found):
        cj = [j for f in found for j in f.coupling_json]  # type: ignore[union-attr]
        kj = [j for f in found for j in f.conflict_json]  # type: ignore[union-attr]
        coupling_json = [cj[i] for i in order.tolist()]
        conflict_json = [kj[i] for i in order_k.tolist()]
    return Merged(
        Couplings(a[order], b[order], dist[order], gap[order]),
        Conflicts(r[order_k], x[order_k], kd[order_k], ov[order_k]),
        coupling_json,
        conflict_json,
    )


def find_partitioned(cols: PlanColumns, params: Parameters, parts: int) -> tuple[Couplings, Conflicts]:
    """The whole analysis partition by partition in this process (the same as Dask does
    over workers; for tests and as a reference)."""
    reach = max(params.max_distance_m, params.graafrust_distance_m)
    found = [pairs_of_partition(cols.take(p.rows), p.rows, p.owned, params) for p in partitions(cols, parts, reach)]
    merged = merge(cols, found)
    return merged.couplings, merged.conflicts
