"""Underground space: per street segment, the cables and pipes present against
the width the profile has for them (a norm in the spirit of NEN 7171).

Each lane of cables or pipes takes the norm width of its asset type; a lane is
one asset type at one offset from the street's centre line (the ``offset_m``
attribute, else the measured distance, to the decimetre). A new network of a
type fits when the profile width minus the occupied width is at least its norm
width.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import shapely

from openruimte.analysis.areas import anchor_points
from openruimte.model import Asset, Plan, StreetSegment

#: width per lane in metres, by asset type (in the spirit of NEN 7171-1 tracé widths)
DEFAULT_NORM_WIDTH_M: dict[str, float] = {
    "telecom": 0.4,
    "elektriciteit": 0.6,
    "gas": 0.6,
    "drinkwater": 0.8,
    "gemengd_riool": 1.5,
    "hemelwaterafvoer": 1.0,
    "droogweerafvoer": 0.8,
    "drainage": 0.3,
    "warmte": 1.6,
}
#: how far from a street segment's centre line an asset without a street id may lie
SNAP_M = 20.0


@dataclass
class SegmentSpace:
    street_id: str
    name: str
    profile_width_m: float
    lanes: list[tuple[str, float]]
    occupied_m: float
    required_m: float
    planned_by: list[str] = field(default_factory=list)

    @property
    def free_m(self) -> float:
        return round(self.profile_width_m - self.occupied_m, 2)

    @property
    def fits(self) -> bool:
        return self.free_m >= self.required_m

    def to_json(self) -> dict[str, Any]:
        return {
            "street_id": self.street_id,
            "name": self.name,
            "profile_width_m": self.profile_width_m,
            "occupied_m": self.occupied_m,
            "free_m": self.free_m,
            "required_m": self.required_m,
            "fits": self.fits,
            "lanes": [{"asset_type": t, "offset_m": o} for t, o in self.lanes],
            "planned_by": self.planned_by,
        }


@dataclass
class SpaceResult:
    network: str
    required_m: float
    segments: list[SegmentSpace]

    def problems(self) -> list[SegmentSpace]:
        """Segments where the network does not fit, those with a plan for it first."""
        bad = [s for s in self.segments if not s.fits]
        return sorted(bad, key=lambda s: (not s.planned_by, s.free_m, s.street_id))

    def to_json(self) -> dict[str, Any]:
        problems = self.problems()
        return {
            "network": self.network,
            "required_m": self.required_m,
            "segments_checked": len(self.segments),
            "does_not_fit": [s.to_json() for s in problems],
            "planned_does_not_fit": [s.street_id for s in problems if s.planned_by],
        }


def _lanes(
    assets: Sequence[Asset], streets: Sequence[StreetSegment], widths: Mapping[str, float]
) -> dict[str, set[tuple[str, float]]]:
    """Street id -> the (asset type, offset) lanes of cables and pipes in it."""
    by_id = {s.id: s for s in streets}
    lanes: dict[str, set[tuple[str, float]]] = defaultdict(set)
    loose: list[Asset] = []
    for a in assets:
        if a.asset_type not in widths:
            continue
        sid = a.attributes.get("street_id")
        if sid in by_id:
            offset = a.attributes.get("offset_m")
            if offset is None:
                offset = by_id[sid].geometry.distance(anchor_points([a.geometry])[0])
            lanes[sid].add((a.asset_type, round(float(offset), 1)))
        else:
            loose.append(a)
    if loose and streets:
        geoms = np.array([s.geometry for s in streets], dtype=object)
        tree = shapely.STRtree(geoms)
        points = anchor_points([a.geometry for a in loose])
        qi, si = tree.query_nearest(points, max_distance=SNAP_M, all_matches=False)
        dist = shapely.distance(points[qi], geoms[si])
        for q, s, d in zip(qi.tolist(), si.tolist(), dist.tolist(), strict=True):
            lanes[streets[s].id].add((loose[q].asset_type, round(d, 1)))
    return lanes


def underground_space(
    streets: Sequence[StreetSegment],
    assets: Sequence[Asset],
    *,
    network: str = "warmte",
    plans: Sequence[Plan] = (),
    norm_widths: Mapping[str, float] | None = None,
    required_m: float | None = None,
) -> SpaceResult:
    """Where a new ``network`` does not fit under the street; segments that a plan
    for that network crosses are listed first."""
    widths = {**DEFAULT_NORM_WIDTH_M, **(norm_widths or {})}
    required = required_m if required_m is not None else widths.get(network, 1.0)
    lanes = _lanes(assets, streets, widths)
    planned: dict[str, list[str]] = defaultdict(list)
    network_plans = [p for p in plans if network in p.asset_types]
    if network_plans and streets:
        tree = shapely.STRtree(np.array([s.geometry for s in streets], dtype=object))
        pi, si = tree.query(
            np.array([p.geometry for p in network_plans], dtype=object), predicate="dwithin", distance=1.0
        )
        for p, s in zip(pi.tolist(), si.tolist(), strict=True):
            planned[streets[s].id].append(network_plans[p].key)
    out = []
    for s in streets:
        if s.profile_width_m is None:
            continue
        present = sorted(lanes.get(s.id, ()))
        occupied = round(sum(widths[t] for t, _ in present), 2)
        out.append(
            SegmentSpace(
                s.id, s.name, s.profile_width_m, present, occupied, required, sorted(set(planned.get(s.id, [])))
            )
        )
    return SpaceResult(network=network, required_m=required, segments=out)
