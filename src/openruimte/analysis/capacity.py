"""Network capacity: the demand new housing adds to each substation, year by year.

A housing or area development plan adds ``dwellings x kw_per_dwelling`` from
the year it is completed (its ``end``, else ``latest_end``) to the substation
whose service area holds the plan's anchor point. A substation is exceeded in
the first year its load plus the added demand passes its capacity.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import shapely

from openruimte.analysis.areas import anchor_points
from openruimte.model import Plan, VitalSystem

HOUSING_TYPES = frozenset({"woningbouw", "gebiedsontwikkeling"})


@dataclass(frozen=True)
class CapacitySettings:
    kw_per_dwelling: float = 3.5
    first_year: int = 2026
    last_year: int = 2040
    network_type: str = "elektriciteit"


@dataclass
class ElementLoad:
    """One substation over the years."""

    system: str
    id: str
    name: str | None
    capacity: float
    load: float
    unit: str
    added_by_year: dict[int, float]
    plans: list[dict[str, Any]] = field(default_factory=list)

    def total(self, year: int) -> float:
        return self.load + sum(v for y, v in self.added_by_year.items() if y <= year)

    @property
    def exceeded_year(self) -> int | None:
        for year in sorted(self.added_by_year):
            if self.total(year) > self.capacity:
                return year
        return None

    def to_json(self, settings: CapacitySettings) -> dict[str, Any]:
        years = range(settings.first_year, settings.last_year + 1)
        first = settings.first_year if self.load > self.capacity else self.exceeded_year
        return {
            "system": self.system,
            "id": self.id,
            "name": self.name,
            "unit": self.unit,
            "capacity": self.capacity,
            "load": self.load,
            "exceeded_year": first,
            "margin": round(self.capacity - self.total(settings.last_year), 1),
            "by_year": {str(y): round(self.total(y), 1) for y in years},
            "plans": self.plans,
        }


@dataclass
class CapacityResult:
    settings: CapacitySettings
    elements: list[ElementLoad]
    #: housing plans that could not be counted, and why
    skipped: list[dict[str, str]]

    def exceeded(self) -> list[ElementLoad]:
        return [e for e in self.elements if e.exceeded_year is not None or e.load > e.capacity]

    def to_json(self) -> dict[str, Any]:
        return {
            "parameters": {
                "kw_per_dwelling": self.settings.kw_per_dwelling,
                "first_year": self.settings.first_year,
                "last_year": self.settings.last_year,
                "network_type": self.settings.network_type,
            },
            "elements": [e.to_json(self.settings) for e in self.elements],
            "exceeded": [e.id for e in self.exceeded()],
            "skipped": self.skipped,
        }


def completion_year(plan: Plan) -> int | None:
    if plan.end is not None:
        return plan.end.year
    if plan.latest_end is not None:
        return plan.latest_end.year
    return None


def network_capacity(
    plans: Sequence[Plan], systems: Sequence[VitalSystem], settings: CapacitySettings | None = None
) -> CapacityResult:
    """Added demand per substation and year against capacity and current load."""
    settings = settings or CapacitySettings()
    elements = [
        (s, e)
        for s in systems
        if s.network_type == settings.network_type
        for e in s.elements
        if e.service_area is not None and e.capacity is not None
    ]
    loads = [
        ElementLoad(
            system=s.id,
            id=e.id,
            name=e.name,
            capacity=float(e.capacity or 0),
            load=float(e.load or 0),
            unit=e.unit,
            added_by_year={},
        )
        for s, e in elements
    ]
    skipped: list[dict[str, str]] = []
    housing = [p for p in plans if HOUSING_TYPES & set(p.asset_types)]
    counted = []
    for p in housing:
        year = completion_year(p)
        if not p.dwellings:
            skipped.append({"plan": p.key, "reason": "no dwellings given"})
        elif year is None:
            skipped.append({"plan": p.key, "reason": "no end or latest_end: completion year unknown"})
        else:
            counted.append((p, year))
    if counted and elements:
        tree = shapely.STRtree(np.array([e.service_area for _, e in elements], dtype=object))
        points = anchor_points([p.geometry for p, _ in counted])
        qi, ei = tree.query(points, predicate="intersects")
        seen: set[int] = set()
        for q, k in zip(qi.tolist(), ei.tolist(), strict=True):
            if q in seen:
                continue  # service areas tile the town; a point on a border counts once
            seen.add(q)
            p, year = counted[q]
            kw = p.dwellings * settings.kw_per_dwelling
            target = loads[k]
            target.added_by_year[year] = target.added_by_year.get(year, 0.0) + kw
            target.plans.append({"plan": p.key, "dwellings": p.dwellings, "year": year, "added": kw})
        for q in sorted(set(range(len(counted))) - seen):
            skipped.append({"plan": counted[q][0].key, "reason": "outside every service area"})
    return CapacityResult(settings=settings, elements=loads, skipped=skipped)
