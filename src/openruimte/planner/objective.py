"""The objective as integer points, shared by the CP-SAT model, the greedy
baseline, the explanation and the tests (which enumerate it by brute force).

Per segment class (segments touched by the same excavating items):

- openings: the class's segment count x the buckets in which any of its items digs;
- disruption days: the segment count x, per bucket, the days dug. Days of items
  that cannot move are united exactly; a movable item adds the union of its days
  with those, and of several movable items the largest counts (a lower bound of
  the true union; exact when their days nest, as they do at a bucket's start);
- trenches: the class's length x the unit cost of trench and paving, once per
  distinct start bucket (works that start in one bucket share one trench).

Per item: earliness (its score x buckets after its earliest option) and
deviation (buckets away from its own planning; for a replacement candidate,
from the first bucket of its own year: the quarter the uncoordinated baseline
gives it within that year is an assumption about the owner, not a plan). Every coefficient is the weight
x ``POINTS``, rounded.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from openruimte.planner.instance import Instance, Option, active_buckets
from openruimte.planner.periods import Periods

#: objective points per unit of the weighted sum (one decimal of precision)
POINTS = 10

Interval = tuple[int, int]


occupied = active_buckets


def days_in(periods: Periods, opt: Option, b: int) -> Interval | None:
    """The option's days inside bucket ``b`` as an interval, or None."""
    lo, hi = max(opt.start, periods.start_day(b)), min(opt.end, periods.end_day(b))
    return (lo, hi) if hi >= lo else None


def merge(intervals: Sequence[Interval]) -> list[Interval]:
    out: list[Interval] = []
    for lo, hi in sorted(intervals):
        if out and lo <= out[-1][1] + 1:
            out[-1] = (out[-1][0], max(out[-1][1], hi))
        else:
            out.append((lo, hi))
    return out


def length(intervals: Sequence[Interval]) -> int:
    return sum(hi - lo + 1 for lo, hi in intervals)


def union_with(fixed: Sequence[Interval], d: Interval) -> int:
    """Days of the union of merged intervals and one more."""
    shared = sum(max(0, min(hi, d[1]) - max(lo, d[0]) + 1) for lo, hi in fixed)
    return length(fixed) + d[1] - d[0] + 1 - shared


@dataclass(frozen=True)
class Coefficients:
    """Points per opened bucket, per day dug and per trench of one class."""

    openings: int
    days: int
    trench: int


@dataclass
class ClassBase:
    """What the items of a class that cannot move already fix."""

    opened: set[int]
    starts: set[int]
    fixed_days: dict[int, list[Interval]]
    movable: list[int]


class Objective:
    """Coefficients and the constant part of every class, computed once per instance."""

    def __init__(self, inst: Instance) -> None:
        self.inst = inst
        self._days: dict[tuple[int, int, int, int], int] = {}
        w, s = inst.settings.weights, inst.settings
        unit = s.unit_costs.trench_eur_per_m + s.unit_costs.paving_eur_per_m2 * s.unit_costs.trench_width_m
        self.coef = [
            Coefficients(
                openings=round(POINTS * w.openings * len(c.segments)),
                days=round(POINTS * w.disruption_days * len(c.segments)),
                trench=round(POINTS * w.cost_keur * c.length_m * unit / 1000),
            )
            for c in inst.classes
        ]
        self.base = [self._base(c) for c in range(len(inst.classes))]
        self.item_points = [self._item_points(i) for i in range(len(inst.items))]

    def _base(self, c: int) -> ClassBase:
        items, periods = self.inst.items, self.inst.periods
        base = ClassBase(set(), set(), {}, [])
        per_bucket: dict[int, list[Interval]] = {}
        for i in self.inst.classes[c].items:
            if items[i].movable:
                base.movable.append(i)
                continue
            opt = items[i].options[0]
            base.starts.add(opt.bucket)
            for b in occupied(periods, opt):
                base.opened.add(b)
                per_bucket.setdefault(b, []).append(days_in(periods, opt, b))  # type: ignore[arg-type]
        base.fixed_days = {b: merge(v) for b, v in per_bucket.items()}
        return base

    def _item_points(self, i: int) -> list[int]:
        it, w = self.inst.items[i], self.inst.settings.weights
        score = self.inst.scores.get(it.key, 0.0)
        first = it.options[0].bucket
        own = it.own.bucket
        if it.candidate:  # its quarter within its own year is only the baseline's assumption
            own -= own % self.inst.periods.per_year
        return [
            round(POINTS * (w.earliness * score * (o.bucket - first) + w.deviation * abs(o.bucket - own)))
            for o in it.options
        ]

    def day_value(self, c: int, b: int, opt: Option) -> int:
        """Days dug in bucket ``b`` of class ``c`` with this option and the fixed items."""
        key = (c, b, opt.start, opt.end)
        value = self._days.get(key)
        if value is None:
            fixed = self.base[c].fixed_days.get(b, [])
            d = days_in(self.inst.periods, opt, b)
            value = self._days[key] = union_with(fixed, d) if d else length(fixed)
        return value

    def class_terms(self, c: int, assignment: Sequence[int]) -> tuple[int, int, int]:
        """(opened buckets, days, trenches) of class ``c``."""
        base, items, periods = self.base[c], self.inst.items, self.inst.periods
        opened, starts = set(base.opened), set(base.starts)
        best = {b: length(v) for b, v in base.fixed_days.items()}
        for i in base.movable:
            opt = items[i].options[assignment[i]]
            starts.add(opt.bucket)
            for b in occupied(periods, opt):
                opened.add(b)
                best[b] = max(best.get(b, 0), self.day_value(c, b, opt))
        return len(opened), sum(best.values()), len(starts)

    def terms(self, assignment: Sequence[int]) -> dict[str, int]:
        """Every term in its own unit and in points, and the total."""
        out = dict.fromkeys(("openings", "days", "trenches", "openings_pts", "days_pts", "cost_pts"), 0)
        for c, coef in enumerate(self.coef):
            n_seg = len(self.inst.classes[c].segments)
            o, d, t = self.class_terms(c, assignment)
            out["openings"] += o * n_seg
            out["days"] += d * n_seg
            out["trenches"] += t * n_seg
            out["openings_pts"] += o * coef.openings
            out["days_pts"] += d * coef.days
            out["cost_pts"] += t * coef.trench
        out["item_pts"] = sum(p[assignment[i]] for i, p in enumerate(self.item_points))
        out["total"] = out["openings_pts"] + out["days_pts"] + out["cost_pts"] + out["item_pts"]
        return out

    def total(self, assignment: Sequence[int]) -> int:
        return self.terms(assignment)["total"]
