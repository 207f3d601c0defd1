"""The plan analysis kept up to date on each write, from a plan's neighbours only (issue 12).

Every rule of a coupling or a no-dig conflict looks at the two plans of the pair
and nothing else, so a write changes only the pairs that involve a changed plan:

    new pairs = saved pairs - pairs touching a changed key
                + the pairs between the changed plans (as they are now) and the others

and the second term needs only the plans *within reach* of a changed plan: whose
bounding box comes within the search distance of the changed plan's box
(:func:`reach_box`); a plan further away cannot pair with it. Pure: the caller
fetches those neighbours (the store does it with its spatial index) and saves what
:func:`pairs_touching` returns.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import shapely

from openruimte.analysis.arrays import PlanColumns
from openruimte.analysis.couplings import UnitCosts
from openruimte.analysis.pairs import Conflicts, Couplings, Parameters, find_conflicts, find_couplings
from openruimte.analysis.records import conflict_records, coupling_records

#: pair kinds as saved
COUPLING, CONFLICT = "coupling", "conflict"


def reach(params: Parameters) -> float:
    """How far a pair can reach: the larger search distance (with the kernel's slack)."""
    return max(params.max_distance_m, params.graafrust_distance_m) + 1e-6


def reach_box(geoms: Iterable[shapely.Geometry], params: Parameters) -> tuple[float, float, float, float] | None:
    """The box in which every possible partner of these geometries lies (None for none)."""
    b = shapely.bounds(np.asarray(list(geoms), dtype=object))
    if not len(b):
        return None
    r = reach(params)
    return (float(b[:, 0].min() - r), float(b[:, 1].min() - r), float(b[:, 2].max() + r), float(b[:, 3].max() + r))


def near_rows(cols: PlanColumns, changed: np.ndarray, params: Parameters) -> np.ndarray:
    """Rows of ``cols`` within reach of a changed row (changed rows included): what the
    kernel needs; the box above is only the query that fetches a superset of them."""
    if not changed.any():
        return np.flatnonzero(changed)
    b = shapely.bounds(cols.geoms)
    r = reach(params)
    mine = b[changed]
    grown = shapely.box(mine[:, 0] - r, mine[:, 1] - r, mine[:, 2] + r, mine[:, 3] + r)
    tree = shapely.STRtree(shapely.box(b[:, 0], b[:, 1], b[:, 2], b[:, 3]))
    _q, rows = tree.query(grown)
    return np.union1d(rows, np.flatnonzero(changed))


@dataclass(frozen=True)
class SavedPair:
    """One saved pair: kind, first key (a / renewal), second key (b / plan) and its record
    (the spec's encoding with score and explanation)."""

    kind: str
    first: str
    second: str
    record: dict


def pairs_touching(
    cols: PlanColumns, changed_keys: Iterable[str], params: Parameters, costs: UnitCosts | None = None
) -> list[SavedPair]:
    """Every pair that involves a changed plan, among the plans of ``cols`` (the changed
    plans as they are now plus at least their neighbours within reach)."""
    keys = set(changed_keys)
    changed = np.isin(cols.keys, list(keys)) if keys else np.zeros(len(cols), dtype=bool)
    if not changed.any():
        return []
    rows = near_rows(cols, changed, params)
    sub = cols.take(rows)
    mine = changed[rows]
    c = find_couplings(sub, params)
    keep = mine[c.a] | mine[c.b]
    c = Couplings(c.a[keep], c.b[keep], c.distance_m[keep], c.gap_days[keep])
    k = find_conflicts(sub, params)
    keep = mine[k.renewal] | mine[k.plan]
    k = Conflicts(k.renewal[keep], k.plan[keep], k.distance_m[keep], k.overlap_days[keep])
    out = [SavedPair(COUPLING, r["a"], r["b"], r) for r in coupling_records(sub, c, params, costs or UnitCosts())]
    out += [SavedPair(CONFLICT, r["renewal"], r["plan"], r) for r in conflict_records(sub, k, params)]
    return out


def all_pairs(cols: PlanColumns, params: Parameters, costs: UnitCosts | None = None) -> list[SavedPair]:
    """Every pair of ``cols`` (the full analysis, as saved pairs)."""
    c, k = find_couplings(cols, params), find_conflicts(cols, params)
    out = [SavedPair(COUPLING, r["a"], r["b"], r) for r in coupling_records(cols, c, params, costs or UnitCosts())]
    out += [SavedPair(CONFLICT, r["renewal"], r["plan"], r) for r in conflict_records(cols, k, params)]
    return out


def apply_change(saved: Iterable[SavedPair], changed_keys: Iterable[str], new: Iterable[SavedPair]) -> list[SavedPair]:
    """The saved pairs after a change: those not touching a changed key, plus the new ones."""
    keys = set(changed_keys)
    kept = [p for p in saved if p.first not in keys and p.second not in keys]
    return sorted([*kept, *new], key=lambda p: (p.kind, p.first, p.second))
