"""Settings of the programme optimiser: horizon, rules, weights, solver limits."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from openruimte.analysis.couplings import UnitCosts

Bucket = Literal["quarter", "year"]

#: execution length in days when a plan gives neither start/end nor duration_days (by asset type)
DEFAULT_DURATIONS: dict[str, int] = {
    "gemengd_riool": 180,
    "hemelwaterafvoer": 150,
    "droogweerafvoer": 150,
    "drainage": 90,
    "drinkwater": 120,
    "gas": 120,
    "elektriciteit": 90,
    "warmte": 180,
    "telecom": 60,
    "openbare_verlichting": 60,
    "verkeersregeling": 60,
    "weg": 120,
    "fietspad": 90,
    "voetpad": 90,
    "bomen": 60,
    "groen": 60,
}
DEFAULT_DURATION = 90


@dataclass(frozen=True)
class Weights:
    """Objective weights, in points per unit (the solver minimises the weighted sum).

    openings: per (street segment, period) with excavation; disruption_days: per
    segment-day with excavation; cost_keur: per € 1,000 of trench and paving work;
    earliness: per period of delay from the earliest allowed start, times the plan's
    score; deviation: per period a plan moves away from its own planning."""

    openings: float = 100.0
    disruption_days: float = 1.0
    cost_keur: float = 1.0
    earliness: float = 10.0
    deviation: float = 2.0

    def as_dict(self) -> dict[str, float]:
        return asdict(self)


@dataclass(frozen=True)
class Settings:
    """Everything the optimiser needs besides plans and streets."""

    from_year: int = 2026
    to_year: int = 2040
    bucket: Bucket = "quarter"
    #: registered plans with dates move at most this many years either way ...
    max_shift_years: int = 2
    #: ... and at most this many by hardness (besloten, and phase realisatie/beheer, never move)
    hardness_shift_years: Mapping[str, int] = field(default_factory=lambda: {"indicatief": 2, "voorgenomen": 1})
    graafrust_days: int = 1095
    graafrust_distance_m: float = 5.0
    #: a plan touches a segment when it runs within half the profile width plus this distance ...
    segment_distance_m: float = 3.0
    #: ... along at least this length (or most of a short segment)
    min_overlap_m: float = 15.0
    #: a point plan belongs to the nearest segment within this distance
    point_snap_m: float = 20.0
    #: owner -> yearly budget, or owner -> {year: budget}; others get budget_factor x their uncoordinated peak
    budgets: Mapping[str, float | Mapping[int, float]] = field(default_factory=dict)
    #: None: no budget constraints for owners without a given budget
    budget_factor: float | None = 1.25
    #: works at once per area per period: one number for every area, or per area code
    crew_capacity: int | Mapping[str, int] | None = None
    weights: Weights = field(default_factory=Weights)
    unit_costs: UnitCosts = field(default_factory=UnitCosts)
    durations: Mapping[str, int] = field(default_factory=lambda: dict(DEFAULT_DURATIONS))
    time_limit_s: float = 60.0
    #: a limit in deterministic time (machine-independent); None: only the wall-clock limit
    deterministic_time: float | None = None
    num_workers: int = 2
    seed: int = 0
    #: interleaved search: the same search for the same input, whatever the thread timing. A run cut
    #: off by the wall clock still depends on machine load: set deterministic_time for identical results
    deterministic: bool = True
    relative_gap: float = 0.001
    #: when budgets or crews bind and the targeted repair fails: one joint model up to this many
    #: movable plans, else components packed into models of max_plans_per_model
    decompose_above: int = 3000
    max_plans_per_model: int = 1500

    def shift_years(self, hardness: str | None) -> int:
        """Years a movable registered plan of this hardness may move either way."""
        return min(self.max_shift_years, int(self.hardness_shift_years.get(str(hardness), self.max_shift_years)))

    @property
    def buckets_per_year(self) -> int:
        return 4 if self.bucket == "quarter" else 1

    def as_dict(self) -> dict[str, Any]:
        """Plain values for the JSON report."""
        out = asdict(self)
        out["budgets"] = {k: (dict(v) if isinstance(v, Mapping) else v) for k, v in self.budgets.items()}
        cap = self.crew_capacity
        out["crew_capacity"] = dict(cap) if isinstance(cap, Mapping) else cap
        out["durations"] = dict(self.durations)
        out["hardness_shift_years"] = dict(self.hardness_shift_years)
        return out
