"""The plan analysis as the spec encodes it: couplings with a score and an
explanation, no-dig conflicts, the unscheduled plans.

``analyse_plans`` is pure (plans in, :class:`PlanAnalysis` out); ``to_json`` gives
the "Result encoding" of shared/spec/exchange.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import shapely

from openruimte.analysis.arrays import PlanColumns, date_of
from openruimte.analysis.pairs import Conflicts, Couplings, Parameters, Progress, find_conflicts, find_couplings
from openruimte.model import Plan


@dataclass(frozen=True)
class UnitCosts:
    """Unit costs for what bundling saves (configurable; defaults are typical Dutch street works)."""

    trench_eur_per_m: float = 350.0  #: opening and closing one trench, per metre
    paving_eur_per_m2: float = 65.0  #: taking up and relaying paving, per m²
    trench_width_m: float = 1.2  #: paving width disturbed per metre of trench

    def saving(self, shared_m: np.ndarray) -> np.ndarray:
        """One trench instead of two along ``shared_m`` metres."""
        return shared_m * (self.trench_eur_per_m + self.paving_eur_per_m2 * self.trench_width_m)


@dataclass
class PlanAnalysis:
    """Results over one set of plans."""

    parameters: Parameters
    plans: int
    unscheduled: list[str]
    couplings: list[dict[str, Any]] = field(default_factory=list)
    conflicts: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The spec's result encoding (couplings carry score and explanation besides the pair)."""
        return {
            "parameters": self.parameters.as_dict(),
            "plans": self.plans,
            "unscheduled": self.unscheduled,
            "couplings": self.couplings,
            "conflicts": self.conflicts,
        }


def shared_length(geoms: np.ndarray, a: np.ndarray, b: np.ndarray, distance: float) -> np.ndarray:
    """Metres of works that could share one opening, per pair (rows ``a[i]``, ``b[i]``
    of ``geoms``): for two lines the smaller of each one's length within ``distance``
    of the other; a line against an area, the line's length inside the area or within
    ``distance`` of it; two areas, the side of the square of their shared area; 0 for
    points.

    "Within" is the exact Euclidean distance (a round zone), computed segment by
    segment in numpy (:mod:`openruimte.analysis.near`). Until issue 12's third round
    it was the length inside GEOS' coarse ``quad_segs=1`` buffer (square-ish corners,
    input lines simplified), one GEOS overlay per pair side: the values changed
    slightly (the coarse buffer cut corners off the zone) and became 3-5x cheaper.
    The shared length ranks; the spec's contract is the pairs, ``distance_m``,
    ``gap_days`` and ``overlap_days``."""
    from openruimte.analysis.near import pair_near_lengths

    if not len(a):
        return np.zeros(0)
    ga, gb = geoms[a], geoms[b]
    dim_a, dim_b = shapely.get_dimensions(ga), shapely.get_dimensions(gb)
    out = np.zeros(len(a))
    # a line's near part: line-line both sides (the smaller counts), line-area the line's
    near_a, near_b = pair_near_lengths(geoms, a, b, distance)
    line_line = (dim_a == 1) & (dim_b == 1)
    out[line_line] = np.minimum(near_a[line_line], near_b[line_line])
    line_area = (dim_a == 1) & (dim_b == 2)
    out[line_area] = near_a[line_area]
    area_line = (dim_a == 2) & (dim_b == 1)
    out[area_line] = near_b[area_line]
    both_areas = (dim_a == 2) & (dim_b == 2)
    if both_areas.any():
        out[both_areas] = np.sqrt(shapely.area(shapely.intersection(ga[both_areas], gb[both_areas])))
    return out


def score(distance: np.ndarray, gap: np.ndarray, shared_m: np.ndarray, params: Parameters) -> np.ndarray:
    """A ranking in (0, 1]: closer, sooner and longer shared works rank higher."""
    near = 1.0 - distance / params.max_distance_m if params.max_distance_m > 0 else np.ones_like(distance)
    soon = 1.0 - gap / params.max_gap_days if params.max_gap_days > 0 else np.ones_like(distance)
    sharing = np.minimum(1.0, shared_m / 100.0)
    return np.round(0.05 + 0.95 * (0.25 * near + 0.35 * soon + 0.40 * sharing), 3)


def analyse_plans(
    plans: Sequence[Plan],
    params: Parameters | None = None,
    *,
    costs: UnitCosts | None = None,
    progress: Progress | None = None,
    between: np.ndarray | None = None,
) -> PlanAnalysis:
    """Couplings and no-dig conflicts among ``plans``, with the unscheduled listed
    (``between``: see :func:`find_couplings`)."""
    params = params or Parameters()
    costs = costs or UnitCosts()
    cols = PlanColumns.from_plans(plans)
    couplings = find_couplings(cols, params, progress, between=between)
    conflicts = find_conflicts(cols, params, progress)
    unscheduled = sorted(cols.keys[~cols.scheduled].tolist())
    result = PlanAnalysis(parameters=params, plans=len(plans), unscheduled=unscheduled)
    result.couplings = _coupling_records(plans, cols, couplings, params, costs)
    result.conflicts = _conflict_records(plans, cols, conflicts, params)
    return result


def _coupling_records(
    plans: Sequence[Plan], cols: PlanColumns, c: Couplings, params: Parameters, costs: UnitCosts
) -> list[dict[str, Any]]:
    shared = shared_length(cols.geoms, c.a, c.b, params.max_distance_m)
    overlap = np.maximum(0, np.minimum(cols.end[c.a], cols.end[c.b]) - np.maximum(cols.start[c.a], cols.start[c.b]) + 1)
    saving = costs.saving(shared)
    scores = score(c.distance_m, c.gap_days, shared, params)
    out = []
    for i in range(len(c.a)):
        pa, pb = plans[c.a[i]], plans[c.b[i]]
        explanation = {
            "shared_m": round(float(shared[i]), 1),
            "overlap_days": int(overlap[i]),
            "parties": sorted({pa.owner, pb.owner}),
            "asset_types": sorted(set(pa.asset_types) | set(pb.asset_types)),
            "saving_eur": round(float(saving[i]), -2),
        }
        explanation["text"] = coupling_text(pa, pb, float(c.distance_m[i]), int(c.gap_days[i]), explanation)
        out.append(
            {
                "a": cols.keys[c.a[i]],
                "b": cols.keys[c.b[i]],
                "distance_m": round(float(c.distance_m[i]), 3),
                "gap_days": int(c.gap_days[i]),
                "score": float(scores[i]),
                "explanation": explanation,
            }
        )
    return out


def _eur(x: float) -> str:
    return f"€ {x:,.0f}".replace(",", ".")


def coupling_text(a: Plan, b: Plan, distance: float, gap: int, e: dict[str, Any]) -> str:
    """Why this pair is worth bundling, in Dutch (the working language of the programming table)."""
    who = f"{a.owner} ({', '.join(a.asset_types)}) en {b.owner} ({', '.join(b.asset_types)})"
    where = "op dezelfde plek" if distance == 0 else f"op {distance:.1f} m van elkaar".replace(".", ",")
    when = f"de uitvoering overlapt {e['overlap_days']} dagen" if gap == 0 else f"{gap} dagen na elkaar"
    text = f"{who} werken {where}; {when}."
    if e["shared_m"] > 0:
        text += (
            f" Samen één sleuf over ca. {e['shared_m']:.0f} m bespaart ongeveer {_eur(e['saving_eur'])}"
            " aan graaf- en straatwerk."
        )
    return text


def _conflict_records(
    plans: Sequence[Plan], cols: PlanColumns, k: Conflicts, params: Parameters
) -> list[dict[str, Any]]:
    out = []
    for i in range(len(k.renewal)):
        r, x = plans[k.renewal[i]], plans[k.plan[i]]
        first = date_of(cols.end[k.renewal[i]] + 1)
        last = date_of(cols.end[k.renewal[i]] + params.graafrust_days)
        out.append(
            {
                "renewal": cols.keys[k.renewal[i]],
                "plan": cols.keys[k.plan[i]],
                "distance_m": round(float(k.distance_m[i]), 3),
                "overlap_days": int(k.overlap_days[i]),
                "explanation": {
                    "no_dig_from": first.isoformat(),
                    "no_dig_to": last.isoformat(),
                    "text": (
                        f"{x.owner} graaft ({x.start} t/m {x.end}) waar {r.owner} net nieuw bestraat heeft; "
                        f"graafrust van {first} t/m {last}: {int(k.overlap_days[i])} dagen overlap."
                    ),
                },
            }
        )
    return out
