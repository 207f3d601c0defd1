"""Metrics of any programme (plan key -> start and end date), computed from the
plans' own fields and the segment map only, independently of the solver, so the
tests can check every programme the optimiser or a baseline produces.

- street openings: distinct (segment, bucket) pairs with excavation, from the horizon's
  first bucket on; buckets after its end count too (a work run or pushed past the horizon
  still opens the street), the same way for every programme and baseline;
- disruption days: per segment the days with excavation (union) from the horizon's first
  day on, summed;
- cost: the works' budgets plus trench and paving per segment, once per distinct
  start bucket of the excavating works there (works starting in one bucket share
  a trench); the saving is against one trench per work;
- no-dig violations: an excavating plan digging in the no-dig period after a
  surface renewal on a shared segment or within the no-dig distance, under the
  shared-opening rule: the renewal closes the works that end by the end of its
  last period (they share its opening; it is paved last), and its no-dig
  period starts when that opening ends;
- window violations: fixed plans moved, dates outside earliest_start/latest_end,
  duration changed, shifts beyond the allowed years;
- budget use per owner-year and its overruns; crew capacity overruns.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import shapely

from openruimte.analysis.arrays import PlanColumns
from openruimte.analysis.pairs import Parameters, find_conflicts
from openruimte.model import Hardness, Phase, Plan
from openruimte.planner.periods import Periods
from openruimte.planner.segments import SegmentMap
from openruimte.planner.settings import Settings

Programme = Mapping[str, tuple[dt.date, dt.date]]
_FIXED = (Phase.REALISATIE, Phase.BEHEER)


@dataclass
class Metrics:
    street_openings: int = 0
    disruption_days: int = 0
    works_cost_eur: float = 0.0
    civil_cost_eur: float = 0.0
    civil_cost_unbundled_eur: float = 0.0
    no_dig: list[dict[str, Any]] = field(default_factory=list)
    spec_conflicts: int = 0
    window_violations: list[dict[str, str]] = field(default_factory=list)
    budget_use: dict[str, dict[int, dict[str, float]]] = field(default_factory=dict)
    budget_overruns: list[dict[str, Any]] = field(default_factory=list)
    crew_overruns: list[dict[str, Any]] = field(default_factory=list)
    moved: int = 0

    @property
    def cost_eur(self) -> float:
        return self.works_cost_eur + self.civil_cost_eur

    @property
    def bundling_saving_eur(self) -> float:
        return self.civil_cost_unbundled_eur - self.civil_cost_eur

    @property
    def no_dig_violations(self) -> int:
        return len(self.no_dig)

    @property
    def no_dig_avoidable(self) -> int:
        """Violations where at least one of the two plans could move."""
        return sum(1 for v in self.no_dig if not v["both_fixed"])

    def to_json(self) -> dict[str, Any]:
        return {
            "street_openings": self.street_openings,
            "disruption_days": self.disruption_days,
            "cost_eur": round(self.cost_eur),
            "works_cost_eur": round(self.works_cost_eur),
            "civil_cost_eur": round(self.civil_cost_eur),
            "bundling_saving_eur": round(self.bundling_saving_eur),
            "no_dig_violations": self.no_dig_violations,
            "no_dig_avoidable": self.no_dig_avoidable,
            "no_dig": self.no_dig,
            "spec_conflicts": self.spec_conflicts,
            "window_violations": self.window_violations,
            "budget_overruns": self.budget_overruns,
            "crew_overruns": self.crew_overruns,
            "moved": self.moved,
            "budget_use": {
                o: {str(y): {k: round(v) for k, v in u.items()} for y, u in per.items()}
                for o, per in self.budget_use.items()
            },
        }


def bucket_of(d: dt.date, settings: Settings) -> tuple[int, int]:
    return (d.year, (d.month - 1) // 3 if settings.bucket == "quarter" else 0)


def _buckets(start: dt.date, end: dt.date, settings: Settings) -> set[tuple[int, int]]:
    """(year, bucket in year) that [start, end] touches, from the horizon's first day on
    (periods after the horizon's end count too: a work run or pushed past it still opens the street)."""
    first = max(start, dt.date(settings.from_year, 1, 1))
    last = end
    if last < first:
        return set()
    per = 4 if settings.bucket == "quarter" else 1
    a = first.year * per + bucket_of(first, settings)[1]
    b = last.year * per + bucket_of(last, settings)[1]
    return {(n // per, n % per) for n in range(a, b + 1)}


def evaluate(
    plans: Sequence[Plan],
    programme: Programme,
    segmap: SegmentMap,
    settings: Settings,
    budgets: Mapping[str, Mapping[int, float]] | None = None,
    pairs: Mapping[tuple[str, str], str] | None = None,
) -> Metrics:
    """All metrics of the programme over ``plans`` (those without a date in it are left out).
    ``pairs``: :func:`nodig_pairs` of these plans when already known (it is the slow part)."""
    plans = [p for p in plans if p.key in programme]
    m = Metrics()
    _streets(m, plans, programme, segmap, settings)
    m.works_cost_eur = float(sum(p.budget_eur or 0.0 for p in plans))
    m.no_dig = _no_dig(plans, programme, segmap, settings, pairs)
    m.spec_conflicts = _spec_conflicts(plans, programme, settings)
    m.window_violations = [v for p in plans for v in _window(p, *programme[p.key], settings)]
    m.moved = sum(1 for p in plans if p.scheduled and (p.start, p.end) != tuple(programme[p.key]))
    _budget(m, plans, programme, settings, budgets or {})
    m.crew_overruns = _crew(plans, programme, segmap, settings)
    return m


def _streets(m: Metrics, plans: list[Plan], programme: Programme, segmap: SegmentMap, settings: Settings) -> None:
    first = dt.date(settings.from_year, 1, 1)
    opened: dict[int, set] = defaultdict(set)
    days: dict[int, list[tuple[int, int]]] = defaultdict(list)
    starts: dict[int, set] = defaultdict(set)
    works: Counter[int] = Counter()
    for p in plans:
        if not p.excavation:
            continue
        start, end = programme[p.key]
        for s in segmap.of_plan.get(p.key, ()):
            opened[s] |= _buckets(start, end, settings)
            if end >= first:
                days[s].append((max(start, first).toordinal(), end.toordinal()))
            starts[s].add(bucket_of(start, settings))
            works[s] += 1
    unit = settings.unit_costs
    per_m = unit.trench_eur_per_m + unit.paving_eur_per_m2 * unit.trench_width_m
    m.street_openings = sum(len(v) for v in opened.values())
    m.disruption_days = sum(_union_days(v) for v in days.values())
    m.civil_cost_eur = float(sum(segmap.lengths[s] * per_m * len(v) for s, v in starts.items()))
    m.civil_cost_unbundled_eur = float(sum(segmap.lengths[s] * per_m * n for s, n in works.items()))


def _union_days(intervals: list[tuple[int, int]]) -> int:
    total, reach = 0, None
    for lo, hi in sorted(intervals):
        if reach is None or lo > reach:
            total += hi - lo + 1
            reach = hi
        elif hi > reach:
            total += hi - reach
            reach = hi
    return total


def is_fixed_plan(p: Plan) -> bool:
    """Realisatie/beheer or besloten with dates: no programme moves it."""
    return _fixed(p)


def _fixed(p: Plan) -> bool:
    return p.scheduled and (p.phase in _FIXED or p.hardness == Hardness.BESLOTEN)


def nodig_pairs(plans: Sequence[Plan], segmap: SegmentMap, settings: Settings) -> dict[tuple[str, str], str]:
    """(renewal, excavation) key pairs a no-dig period links: on a shared segment or within the distance."""
    renewals = [p for p in plans if p.surface_renewal]
    diggers = [p for p in plans if p.excavation]
    pairs: dict[tuple[str, str], str] = {}
    if renewals and diggers:
        tree = shapely.STRtree(np.array([p.geometry for p in renewals], dtype=object))
        qi, ti = tree.query(
            np.array([p.geometry for p in diggers], dtype=object),
            predicate="dwithin",
            distance=settings.graafrust_distance_m,
        )
        for q, t in zip(qi.tolist(), ti.tolist(), strict=True):
            pairs[(renewals[t].key, diggers[q].key)] = "afstand"
    on_segment: dict[int, list[str]] = defaultdict(list)
    for p in diggers:
        for s in segmap.of_plan.get(p.key, ()):
            on_segment[s].append(p.key)
    for r in renewals:
        for s in segmap.of_plan.get(r.key, ()):
            for x in on_segment[s]:
                pairs.setdefault((r.key, x), "straat")
    return {k: v for k, v in pairs.items() if k[0] != k[1]}


def nodig_violations(
    pairs: Mapping[tuple[str, str], str],
    starts: Mapping[str, int],
    ends: Mapping[str, int],
    periods: Periods,
    days: int,
) -> list[tuple[str, str, int, int]]:
    """(renewal, excavation, overlap days, day the no-dig period starts) under the shared-opening rule.

    A renewal closes the opening of every linked excavation that ends after it but by the
    end of the period in which the renewal ends (dig first, pave last, in one period); its
    no-dig period starts the day after the last of them ends (or after the renewal itself)
    and lasts ``days``. A linked excavation it does not close that digs in it violates it."""
    if not pairs:
        return []
    keys = list(starts)
    index = {k: n for n, k in enumerate(keys)}
    order = sorted(pairs)
    r = np.fromiter((index[a] for a, _ in order), dtype=np.int64, count=len(order))
    x = np.fromiter((index[b] for _, b in order), dtype=np.int64, count=len(order))
    s_arr = np.fromiter((starts[k] for k in keys), dtype=np.int64, count=len(keys))
    e_arr = np.fromiter((ends[k] for k in keys), dtype=np.int64, count=len(keys))
    r_end, x_end, x_start = e_arr[r], e_arr[x], s_arr[x]
    last = periods.period_ends(r_end)
    closed = (x_end > r_end) & (x_end <= last)
    opening_end = e_arr.copy()
    np.maximum.at(opening_end, r[closed], x_end[closed])
    at = opening_end[r]
    overlap = np.minimum(x_end, at + days) - np.maximum(x_start, at + 1) + 1
    bad = np.flatnonzero((x_end > last) & (overlap > 0))
    return [(order[n][0], order[n][1], int(overlap[n]), int(at[n]) + 1) for n in bad.tolist()]


def _no_dig(
    plans: list[Plan],
    programme: Programme,
    segmap: SegmentMap,
    settings: Settings,
    known: Mapping[tuple[str, str], str] | None = None,
) -> list[dict[str, Any]]:
    """No-dig violations under the shared-opening rule (:func:`nodig_violations`), counted exactly."""
    pairs = nodig_pairs(plans, segmap, settings) if known is None else known
    by_key = {p.key: p for p in plans}
    periods = Periods(settings.from_year, settings.to_year, settings.buckets_per_year)
    starts = {k: v[0].toordinal() for k, v in programme.items()}
    ends = {k: v[1].toordinal() for k, v in programme.items()}
    return [
        {
            "renewal": r,
            "plan": x,
            "overlap_days": overlap,
            "via": pairs[(r, x)],
            "both_fixed": _fixed(by_key[r]) and _fixed(by_key[x]),
        }
        for r, x, overlap, _ in nodig_violations(pairs, starts, ends, periods, settings.graafrust_days)
    ]


def _spec_conflicts(plans: list[Plan], programme: Programme, settings: Settings) -> int:
    """The analysis module's no-dig conflicts (the spec's distance rule) on the programme's dates."""
    dated = [replace(p, start=programme[p.key][0], end=programme[p.key][1]) for p in plans]
    params = Parameters(graafrust_days=settings.graafrust_days, graafrust_distance_m=settings.graafrust_distance_m)
    return len(find_conflicts(PlanColumns.from_plans(dated), params).plan)


def _window(p: Plan, start: dt.date, end: dt.date, settings: Settings) -> list[dict[str, str]]:
    out = []

    def bad(rule: str) -> None:
        out.append({"plan": p.key, "rule": rule})

    if end < start:
        bad("eind voor start")
    if _fixed(p) and (start, end) != (p.start, p.end):
        bad("vastgelegd plan verschoven")
    if p.earliest_start and start < p.earliest_start and (start, end) != (p.start, p.end):
        bad("start voor earliest_start")
    if p.latest_end and end > p.latest_end and (start, end) != (p.start, p.end):
        bad("eind na latest_end")
    if p.scheduled and not _fixed(p) and (start, end) != (p.start, p.end):
        assert p.start is not None and p.end is not None
        if (end - start) != (p.end - p.start):
            bad("duur veranderd")
        if abs((start - p.start).days) > 366 * settings.shift_years(p.hardness):
            bad("verder verschoven dan toegestaan")
        if start < dt.date(settings.from_year, 1, 1):
            bad("start voor de horizon")
    if not p.scheduled and start < dt.date(settings.from_year, 1, 1):
        bad("start voor de horizon")
    return out


def _spend(p: Plan, start: dt.date, end: dt.date, settings: Settings) -> dict[int, float]:
    budget = p.budget_eur or 0.0
    dur = (end - start).days + 1
    out = {}
    for year in range(max(start.year, settings.from_year), min(end.year, settings.to_year) + 1):
        lo, hi = max(start, dt.date(year, 1, 1)), min(end, dt.date(year, 12, 31))
        out[year] = budget * ((hi - lo).days + 1) / dur
    return out


def _budget(
    m: Metrics, plans: list[Plan], programme: Programme, settings: Settings, budgets: Mapping[str, Mapping[int, float]]
) -> None:
    use: dict[str, dict[int, float]] = defaultdict(lambda: defaultdict(float))
    for p in plans:
        for y, v in _spend(p, *programme[p.key], settings).items():
            use[p.owner][y] += v
    for owner in sorted(use):
        per_year = budgets.get(owner, {})
        m.budget_use[owner] = {}
        for y in sorted(use[owner]):
            b = per_year.get(y)
            m.budget_use[owner][y] = {"spend": use[owner][y], **({"budget": float(b)} if b is not None else {})}
            if b is not None and use[owner][y] > b + 0.01:
                m.budget_overruns.append({"owner": owner, "year": y, "spend": round(use[owner][y]), "budget": round(b)})


def _crew(plans: list[Plan], programme: Programme, segmap: SegmentMap, settings: Settings) -> list[dict[str, Any]]:
    cap = settings.crew_capacity
    if cap is None:
        return []
    count: Counter[tuple[str, tuple[int, int]]] = Counter()
    for p in plans:
        area = p.area or _majority([segmap.areas[s] for s in segmap.of_plan.get(p.key, ())])
        if area is None:
            continue
        for b in _buckets(*programme[p.key], settings):
            count[(area, b)] += 1
    out = []
    for (area, b), n in sorted(count.items()):
        limit = cap.get(area) if isinstance(cap, Mapping) else cap
        if limit is not None and n > limit:
            out.append({"area": area, "period": f"{b[0]}-{b[1] + 1}", "works": n, "capacity": limit})
    return out


def _majority(areas: list[str | None]) -> str | None:
    counts = Counter(a for a in areas if a)
    return min(counts, key=lambda a: (-counts[a], a)) if counts else None
