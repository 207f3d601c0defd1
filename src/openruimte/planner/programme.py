"""``plan_programme``: instance, baselines, CP-SAT, metrics of all four, within one deadline.

The whole run keeps to ``settings.time_limit_s`` (or a ``deadline`` the caller sets,
which then also covers what the caller does before and after): the instance and
the greedy programme (the first feasible programme, within seconds) come first,
then the baselines' metrics, which are timed; the solver gets what is left minus
the time the remaining metrics and the caller's ``reserve_s`` need."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from openruimte.analysis.candidates import Candidate
from openruimte.model import Plan
from openruimte.planner.baselines import as_programme, enforced, greedy, uncoordinated
from openruimte.planner.cpsat import PIECE_ITEMS, SolveInfo, components, nodig_repair, solve
from openruimte.planner.instance import Instance, Option, build_instance, default_duration
from openruimte.planner.lns import MODELS_PER_SECOND, improve
from openruimte.planner.metrics import Metrics, evaluate
from openruimte.planner.objective import Objective
from openruimte.planner.segments import SegmentLike, SegmentMap
from openruimte.planner.settings import Settings

NAMES = ("programme", "greedy", "uncoordinated", "enforced")
#: the baselines the programme is compared with (the target holds against both)
BASELINES = ("uncoordinated", "enforced")
#: the solver never gets less than this, even when the deadline has passed
MIN_SOLVER_S = 1.0
#: the metrics of the programme and the greedy one are given this many times what the baselines' took
METRICS_MARGIN = 1.5

#: the share of the solver's time the street search gets: this many times the share of the movable
#: works in components too large for one model (PIECE_ITEMS), at most LNS_MAX_SHARE
LNS_FACTOR, LNS_MAX_SHARE = 1.5, 0.95

Progress = Callable[[str, float | None, float | None, float | None], None]


def candidate_plan(candidate: Candidate, settings: Settings) -> Plan:
    """A replacement candidate as an unscheduled plan: its years as the window, a default duration."""
    plan = candidate.as_plan()
    return replace(plan, start=None, end=None, duration_days=default_duration(plan, settings.durations))


def lns_share(inst: Instance) -> float:
    """The share of the solver's time for the street search (:mod:`lns`): none when every
    component fits one model (the models then solve them exactly)."""
    comps = components(inst)
    movable = sum(map(len, comps))
    large = sum(len(c) for c in comps if len(c) > PIECE_ITEMS)
    return min(LNS_MAX_SHARE, LNS_FACTOR * large / movable) if movable else 0.0


def dates(programme: Mapping[str, Option]) -> dict[str, tuple[dt.date, dt.date]]:
    return {k: (dt.date.fromordinal(o.start), dt.date.fromordinal(o.end)) for k, o in programme.items()}


@dataclass
class ProgrammeResult:
    """The proposed programme, both baselines, their metrics and the solver's report."""

    instance: Instance
    objective: Objective
    assignment: list[int]
    greedy_assignment: list[int]
    greedy_failures: list[tuple[str, list[str]]]
    programmes: dict[str, dict[str, Option]]
    metrics: dict[str, Metrics]
    solver: SolveInfo
    timings: dict[str, float] = field(default_factory=dict)
    #: the enforced baseline: works pushed, pushed past their latest end, past the horizon
    enforced_pushes: dict[str, int] = field(default_factory=dict)

    def dates(self, name: str = "programme") -> dict[str, tuple[dt.date, dt.date]]:
        return dates(self.programmes[name])

    def to_json(self) -> dict[str, Any]:
        inst = self.instance
        return {
            "horizon": {"from": inst.settings.from_year, "to": inst.settings.to_year, "bucket": inst.settings.bucket},
            "settings": inst.settings.as_dict(),
            "solver": self.solver.to_json(),
            "timings_s": {k: round(v, 3) for k, v in self.timings.items()},
            "plans": [self._plan_json(it.index) for it in inst.items],
            "metrics": {name: m.to_json() for name, m in self.metrics.items()},
            "comparison": self.comparison(),
            "objective_terms": {n: self.objective.terms(a) for n, a in self._assignments().items()},
            "budgets": {
                o: {"source": inst.budget_source.get(o), "per_year": {str(y): round(b) for y, b in v.items()}}
                for o, v in inst.budgets.items()
            },
            "budget_raised": [
                {"owner": o, "year": y, "budget": round(b), "fixed_spend": round(f)}
                for o, y, b, f in inst.budget_raised
            ],
            "no_dig_beyond_unavoidable": {n: len(self.avoidable_no_dig(n)) for n in NAMES},
            "baselines": {
                "uncoordinated": "every work at its own dates (a replacement candidate in its due year)",
                "enforced": "uncoordinated, a dig that would break a no-dig period refused and pushed past it",
                "enforced_pushes": self.enforced_pushes,
            },
            "rules": {
                "street_openings": "distinct (street segment, period) pairs with excavation, the same count for "
                "the programme and every baseline: works in one segment and period share one opening",
                "no_dig": "a surface renewal closes the opening of the works that end by the end of its last "
                "period (paved last); its no-dig period starts when that opening ends and forbids later digs",
            },
            "no_dig_unavoidable": [
                {"renewal": inst.items[r].key, "plan": inst.items[x].key, "reason": why} for r, x, why in inst.excused
            ],
            "greedy_failures": [{"plan": k, "rules": v} for k, v in self.greedy_failures],
            "skipped": [{"plan": k, "reason": why} for k, why in inst.skipped],
            "not_on_street": [it.key for it in inst.items if it.excavation and not it.segments],
        }

    def avoidable_no_dig(self, name: str = "programme") -> list[dict[str, Any]]:
        """No-dig violations of a programme other than the pairs no programme can keep apart."""
        inst = self.instance
        excused = {(inst.items[r].key, inst.items[x].key) for r, x, _ in inst.excused}
        return [v for v in self.metrics[name].no_dig if (v["renewal"], v["plan"]) not in excused]

    def _assignments(self) -> dict[str, list[int]]:
        return {"programme": self.assignment, "greedy": self.greedy_assignment}

    def _plan_json(self, i: int) -> dict[str, Any]:
        it, periods = self.instance.items[i], self.instance.periods
        opt = it.options[self.assignment[i]]
        return {
            "key": it.key,
            "name": it.plan.name,
            "owner": it.owner,
            #: only one possible period (decided, or a window that leaves no choice), not "fixed by decision"
            "fixed": not it.movable,
            "reason": it.reason,
            "candidate": it.candidate,
            "start": dt.date.fromordinal(opt.start).isoformat(),
            "end": dt.date.fromordinal(opt.end).isoformat(),
            "period": periods.label(opt.bucket),
            "own_start": dt.date.fromordinal(it.own.start).isoformat(),
            "own_end": dt.date.fromordinal(it.own.end).isoformat(),
            "shift_periods": opt.bucket - it.own.bucket,
            "segments": list(self.instance.segmap.segment_ids(it.key)),
            # what the reports need without a database (digging, new paving, where, what)
            "excavation": it.plan.excavation,
            "surface_renewal": it.plan.surface_renewal,
            "area": it.plan.area,
            "asset_types": list(it.plan.asset_types),
        }

    def comparison(self) -> dict[str, dict[str, float | None]]:
        """Relative change of the programme against each baseline (negative = fewer)."""
        p = self.metrics["programme"]
        out = {}
        for name in ("uncoordinated", "enforced", "greedy"):
            b = self.metrics[name]
            out[name] = {
                "street_openings": _change(p.street_openings, b.street_openings),
                "disruption_days": _change(p.disruption_days, b.disruption_days),
                "cost_eur": _change(p.cost_eur, b.cost_eur),
                "civil_cost_eur": _change(p.civil_cost_eur, b.civil_cost_eur),
            }
        return out


def _change(new: float, old: float) -> float | None:
    return round((new - old) / old, 4) if old else None


def plan_programme(
    plans: Sequence[Plan],
    segments: Sequence[SegmentLike] | SegmentMap,
    settings: Settings | None = None,
    *,
    candidates: Sequence[Candidate] = (),
    scores: Mapping[str, float] | None = None,
    own_starts: Mapping[str, dt.date] | None = None,
    deadline: float | None = None,
    reserve_s: float = 0.0,
    progress: Progress | None = None,
) -> ProgrammeResult:
    """Synthesise a programme for ``plans`` (and replacement ``candidates``) on the street ``segments``.

    ``own_starts``: a candidate's own start (its due year) for the uncoordinated baselines.
    ``deadline`` (``time.perf_counter()`` value): when everything must be done, the caller's
    ``reserve_s`` after this function included; default now + ``settings.time_limit_s``.
    ``progress(stage, done share, objective, gap)`` is called as the run goes on."""
    settings = settings or Settings()
    t0 = time.perf_counter()
    deadline = deadline if deadline is not None else t0 + settings.time_limit_s
    tell = progress or (lambda *_a: None)
    tell("instance", None, None, None)
    extra = [candidate_plan(c, settings) for c in candidates]
    inst = build_instance(
        [*plans, *extra],
        segments,
        settings,
        scores=scores,
        candidate_keys=frozenset(p.key for p in extra),
        own_starts=own_starts,
    )
    obj = Objective(inst)
    t1 = time.perf_counter()
    tell("greedy", None, None, None)
    # one greedy round when the no-dig repair follows (the rounds that retry the failed works first
    # cost more than the repair saves; issue 13, session 5)
    start, failures = greedy(inst, obj, rounds=1 if inst.nodig else 4, until=t1 + 0.1 * (deadline - t1))
    if failures and inst.nodig:
        # the works the greedy left in a no-dig conflict moved with their chain before the solver
        # starts, so that what the solver does not reach keeps every no-dig period too
        start = nodig_repair(inst, start, obj, None)
    t2 = time.perf_counter()
    tell("baselines", None, float(obj.total(start)), None)
    kept = [it.plan for it in inst.items]
    pushed_programme, pushes = enforced(inst)
    programmes = {"uncoordinated": uncoordinated(inst), "enforced": pushed_programme}
    metrics = {
        n: evaluate(kept, dates(p), inst.segmap, settings, inst.budgets, inst.linked) for n, p in programmes.items()
    }
    t3 = time.perf_counter()
    # the two programmes still to measure take about what one baseline took each (with a margin:
    # on a shared machine the same work may take longer a minute later)
    left = deadline - t3 - reserve_s - METRICS_MARGIN * (t3 - t2)
    urgent = frozenset(inst.by_key[k] for k, _ in failures)
    seconds = max(MIN_SOLVER_S, left)
    # issue 13, session 5: the works of large components are improved street by street first
    # (the models of whole components do not finish there), the solver gets the rest for the
    # small components and the bound
    share = lns_share(inst)
    current, searched = start, None
    if share > 0:
        begun, before = time.perf_counter(), float(obj.total(start))

        def searching(gained: int, _models: int) -> None:
            tell("straten / streets", min(1.0, (time.perf_counter() - begun) / seconds), before - gained, None)

        dt_limit = settings.deterministic_time
        most = None if dt_limit is None else max(1, int(MODELS_PER_SECOND * share * dt_limit))
        current, searched = improve(inst, obj, start, begun + share * seconds, progress=searching, max_models=most)
        seconds = max(MIN_SOLVER_S, left - (time.perf_counter() - t3))
    assignment, info = solve(inst, obj, current, seconds=seconds, progress=progress, urgent=urgent)
    if searched is not None:
        info.start_objective = obj.total(start)
        info.lns = {
            "seconds": round(searched.wall_time_s, 3),
            "models": searched.models,
            "improved": searched.improved,
            "points_gained": searched.gained,
            "rings": searched.rings,
            "converged": searched.converged,
            "passes": searched.log,
        }
    t4 = time.perf_counter()
    tell("metrics", 1.0, float(info.objective), info.gap)
    programmes = {"programme": as_programme(inst, assignment), "greedy": as_programme(inst, start), **programmes}
    for n in ("programme", "greedy"):
        metrics[n] = evaluate(kept, dates(programmes[n]), inst.segmap, settings, inst.budgets, inst.linked)
    metrics = {n: metrics[n] for n in NAMES}
    timings = {
        "instance": t1 - t0,
        "greedy": t2 - t1,
        "baselines": t3 - t2,
        "solver": t4 - t3,
        "metrics": time.perf_counter() - t4,
    }
    return ProgrammeResult(inst, obj, assignment, start, failures, programmes, metrics, info, timings, pushes)
