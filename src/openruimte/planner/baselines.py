"""The baselines every programme is compared with.

- uncoordinated: every plan at its own dates (its start; a replacement candidate
  at its due year; else its earliest start), each party planning alone as today;
- uncoordinated, no-dig enforced: the same, with the no-dig rule enforced the way
  a municipality enforces it today: a dig that would break a no-dig period is
  refused and pushed past it (to the day after the period ends); a renewal that
  would be laid while a dig in its street goes on is laid after that dig. Plans
  that cannot move (realisatie/beheer, besloten) are never pushed; the other side
  of such a pair is, and a pair of two fixed plans stays as it is (unavoidable);
- greedy bundling: items that cannot move first, then the others from the least
  to the most flexible (fewest options first), each in the feasible start bucket
  that shares the most (segment, bucket) pairs with excavation already placed,
  ties broken by the objective's other terms; feasible means no no-dig conflict
  with placed items, every owner's budget and the crew capacity held.
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass, field

from openruimte.planner.instance import Instance, Option, active_buckets, nodig_hit, spend_units
from openruimte.planner.metrics import is_fixed_plan, nodig_violations
from openruimte.planner.objective import Objective

#: rounds of pushing in the enforced baseline (each push goes later; a chain longer than this is left)
ENFORCE_ROUNDS = 200


def uncoordinated(inst: Instance) -> dict[str, Option]:
    """Every item at its own dates."""
    return {it.key: it.own for it in inst.items}


def enforced(inst: Instance) -> tuple[dict[str, Option], dict[str, int]]:
    """The uncoordinated programme with the no-dig rule enforced by refusal (see the module
    docstring), and counts: works pushed, pushed past their latest end, pushed past the horizon."""
    pairs = inst.linked
    starts = {it.key: it.own.start for it in inst.items}
    ends = {it.key: it.own.end for it in inst.items}
    fixed = {it.key for it in inst.items if is_fixed_plan(it.plan)}
    days = inst.settings.graafrust_days
    pushed: set[str] = set()
    for _ in range(ENFORCE_ROUNDS):
        moved = False
        for r, x, _overlap, opens in nodig_violations(pairs, starts, ends, inst.periods, days):
            if x not in fixed:
                new = opens + days  # the dig is refused until the no-dig period has passed
                target = x
            elif r not in fixed:
                new = ends[x] + 1  # the paving waits until the dig is done
                target = r
            else:
                continue
            if new > starts[target]:
                ends[target] += new - starts[target]
                starts[target] = new
                pushed.add(target)
                moved = True
        if not moved:
            break
    out = {}
    late = beyond = 0
    for it in inst.items:
        s, e = starts[it.key], ends[it.key]
        out[it.key] = Option(inst.periods.of(s), s, e)
        if it.key in pushed:
            late += bool(it.plan.latest_end and e > it.plan.latest_end.toordinal())
            beyond += s > inst.periods.last_day
    return out, {"pushed": len(pushed), "past_latest_end": late, "past_horizon": beyond}


def as_programme(inst: Instance, assignment: list[int]) -> dict[str, Option]:
    return {it.key: it.options[assignment[it.index]] for it in inst.items}


@dataclass
class Placement:
    """What is placed so far: per class, per owner-year, per area-bucket."""

    inst: Instance
    obj: Objective
    assignment: list[int | None]
    opened: list[set[int]] = field(default_factory=list)
    starts: list[set[int]] = field(default_factory=list)
    best: list[dict[int, int]] = field(default_factory=list)
    spend: dict[tuple[str, int], int] = field(default_factory=lambda: defaultdict(int))
    crew: dict[tuple[str, int], int] = field(default_factory=lambda: defaultdict(int))

    @classmethod
    def empty(cls, inst: Instance, obj: Objective) -> Placement:
        n = len(inst.classes)
        return cls(
            inst,
            obj,
            [None] * len(inst.items),
            [set() for _ in range(n)],
            [set() for _ in range(n)],
            [{} for _ in range(n)],
        )

    def place(self, i: int, k: int) -> None:
        inst, it = self.inst, self.inst.items[i]
        opt = it.options[k]
        self.assignment[i] = k
        for c in inst.classes_of[i]:
            self.starts[c].add(opt.bucket)
            for b in active_buckets(inst.periods, opt):
                self.opened[c].add(b)
                self.best[c][b] = max(self.best[c].get(b, 0), self.obj.day_value(c, b, opt))
        for y, u in spend_units(it, opt, inst.periods).items():
            self.spend[(it.owner, y)] += u
        if it.area in inst.crew:
            for b in active_buckets(inst.periods, opt):
                self.crew[(it.area, b)] += 1

    def shared_and_cost(self, i: int, k: int) -> tuple[int, int]:
        """(segment-buckets shared with placed excavation, objective points added)."""
        inst, obj = self.inst, self.obj
        opt = inst.items[i].options[k]
        shared, points = 0, obj.item_points[i][k]
        for c in inst.classes_of[i]:
            coef, n_seg = obj.coef[c], len(inst.classes[c].segments)
            buckets = active_buckets(inst.periods, opt)
            reused = sum(1 for b in buckets if b in self.opened[c])
            shared += reused * n_seg
            points += coef.openings * (len(buckets) - reused)
            points += coef.trench * (opt.bucket not in self.starts[c])
            for b in buckets:
                before = self.best[c].get(b, 0)
                points += coef.days * max(0, obj.day_value(c, b, opt) - before)
        return shared, points

    def violations(self, i: int, k: int) -> list[str]:
        """Rules the option would break against what is placed."""
        inst, it = self.inst, self.inst.items[i]
        opt, out = it.options[k], []
        for y, u in spend_units(it, opt, inst.periods).items():
            cap = inst.caps.get((it.owner, y))
            if cap is not None and self.spend[(it.owner, y)] + u > cap:
                out.append(f"budget {it.owner} {y}")
        if it.area in inst.crew:
            for b in active_buckets(inst.periods, opt):
                if self.crew[(it.area, b)] + 1 > inst.crew_caps[(it.area, b)]:
                    out.append(f"ploegen {it.area} {inst.periods.label(b)}")
        for j, is_renewal in inst.partners[i]:
            kj = self.assignment[j]
            if kj is None:
                continue
            other = inst.items[j].options[kj]
            hit = (
                nodig_hit(opt, other, inst.settings.graafrust_days, inst.periods)
                if is_renewal
                else nodig_hit(other, opt, inst.settings.graafrust_days, inst.periods)
            )
            if hit:
                out.append(f"graafrust {inst.items[j].key}")
        return out


def greedy(
    inst: Instance, obj: Objective | None = None, rounds: int = 4, until: float | None = None
) -> tuple[list[int], list[tuple[str, list[str]]]]:
    """Greedy bundling: the assignment (option per item) and the items it could not place feasibly.

    When some items find no feasible bucket, it starts again with those items first
    (at most ``rounds`` times, none after ``until``) and keeps the run with the fewest failures."""
    obj = obj or Objective(inst)
    first: list[int] = []
    best: tuple[list[int], list[tuple[str, list[str]]]] | None = None
    for _ in range(rounds):
        assignment, failures = _greedy_once(inst, obj, first)
        if best is None or len(failures) < len(best[1]):
            best = (assignment, failures)
        if not failures or (until is not None and time.perf_counter() > until):
            break
        failed = [inst.by_key[k] for k, _ in failures]
        first = [*failed, *(i for i in first if i not in set(failed))]
    assert best is not None
    return best


def _greedy_once(inst: Instance, obj: Objective, first: list[int]) -> tuple[list[int], list[tuple[str, list[str]]]]:
    state = Placement.empty(inst, obj)
    failures: list[tuple[str, list[str]]] = []
    rank = {i: n for n, i in enumerate(first)}
    order = sorted(
        range(len(inst.items)),
        key=lambda i: (inst.items[i].movable, rank.get(i, len(rank)), len(inst.items[i].options), i),
    )
    for i in order:
        it = inst.items[i]
        if not it.movable:
            state.place(i, 0)
            continue
        scored = []
        for k in range(len(it.options)):
            broken = state.violations(i, k)
            shared, points = state.shared_and_cost(i, k)
            scored.append((len(broken), -shared, points, k, broken))
        best = min(scored, key=lambda t: t[:4])
        if best[0]:
            failures.append((it.key, best[4]))
        state.place(i, best[3])
    return [k if k is not None else 0 for k in state.assignment], failures
