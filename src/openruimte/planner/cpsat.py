"""The programme as a CP-SAT model (OR-Tools).

Variables: one boolean per (movable item, option) with exactly one true; per
segment class shared by two or more free items a boolean per bucket it may be
opened in, an integer of days dug per bucket, and a boolean per trench (start
bucket). A class with one free item folds its terms into that item's option
coefficients. Constraints: no-dig pairs (an option of a renewal forbids the
options of the excavation that dig in its no-dig period), budget per owner-year,
crew capacity per area-bucket. The objective is :mod:`objective`'s, exactly.

Large instances are cut into groups (connected components of shared classes
and no-dig pairs, packed or split to ``max_plans_per_model``); each group is
solved with the others held at their current options, starting from the greedy
solution, so every intermediate programme stays feasible.
"""

from __future__ import annotations

import math
import threading
import time
from collections import defaultdict, deque
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
from ortools.sat.python import cp_model

from openruimte.planner.instance import Instance, active_buckets, hit_matrix, nodig_hit, spend_units
from openruimte.planner.objective import Objective


@dataclass
class SolveInfo:
    """What the solver reports, on the full objective (points)."""

    status: str = "NO_FREEDOM"
    objective: int = 0
    best_bound: float = 0.0
    gap: float = 0.0
    #: the gap on the part of the objective the free items can change
    gap_movable: float = 0.0
    #: the bound holds for the whole problem: components solved with budgets and crews relaxed
    bound_kind: str = "relaxation"
    start_objective: int = 0
    wall_time_s: float = 0.0
    first_solution_s: float | None = None
    solutions: int = 0
    groups: int = 0
    largest_group: int = 0
    relative_gap_limit: float = 0.0
    #: components without a solution in time (kept at the greedy choice)
    unsolved: int = 0
    #: budgets or crews the relaxed solution broke (then solved again with them)
    caps_binding: list[str] = field(default_factory=list)
    #: budgets or crews the returned programme still breaks (no programme found that keeps them)
    caps_broken: list[str] = field(default_factory=list)
    variables: int = 0
    constraints: int = 0
    group_status: dict[str, int] = field(default_factory=dict)
    #: the street search before the models (issue 13, session 5): seconds, models, points gained
    lns: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["gap"] = round(self.gap, 6)
        out["gap_movable"] = round(self.gap_movable, 6)
        out["best_bound"] = round(self.best_bound, 1)
        out["wall_time_s"] = round(self.wall_time_s, 3)
        if self.first_solution_s is not None:
            out["first_solution_s"] = round(self.first_solution_s, 3)
        return out


class _Progress(cp_model.CpSolverSolutionCallback):
    def __init__(self) -> None:
        super().__init__()
        self.first: float | None = None
        self.count = 0

    def on_solution_callback(self) -> None:
        if self.first is None:
            self.first = self.wall_time
        self.count += 1


# --------------------------------------------------------------------------- groups


def _find(parent: dict[int, int], i: int) -> int:
    while parent[i] != i:
        parent[i] = parent[parent[i]]
        i = parent[i]
    return i


def components(inst: Instance) -> list[list[int]]:
    """Movable items connected by a shared segment class or a no-dig pair, smallest index first."""
    movable = [it.index for it in inst.items if it.movable]
    parent = {i: i for i in movable}
    links = [[i for i in c.items if inst.items[i].movable] for c in inst.classes]
    links += [[r, x] for r, x in inst.nodig if inst.items[r].movable and inst.items[x].movable]
    for members in links:
        for j in members[1:]:
            parent[_find(parent, j)] = _find(parent, members[0])
    comps: dict[int, list[int]] = defaultdict(list)
    for i in movable:
        comps[_find(parent, i)].append(i)
    return sorted(comps.values(), key=lambda c: c[0])


def groups(inst: Instance) -> list[list[int]]:
    """Movable items in groups solved one model each when budgets or crews bind:
    all together up to ``decompose_above``, else components packed (or cut) to ``max_plans_per_model``."""
    comps = components(inst)
    s = inst.settings
    if sum(map(len, comps)) <= s.decompose_above:
        return [sorted(i for c in comps for i in c)] if comps else []
    return _pack(inst, comps, s.max_plans_per_model)


def _pack(inst: Instance, comps: list[list[int]], size: int) -> list[list[int]]:
    """Small components packed together, large ones cut west to east."""
    out: list[list[int]] = []
    current: list[int] = []
    for comp in comps:
        if len(comp) > size:
            ordered = sorted(comp, key=lambda i: (inst.items[i].plan.geometry.centroid.x, i))
            out.extend(ordered[k : k + size] for k in range(0, len(ordered), size))
            continue
        if len(current) + len(comp) > size:
            out.append(current)
            current = []
        current.extend(comp)
    if current:
        out.append(current)
    return [sorted(g) for g in out]


# --------------------------------------------------------------------------- model


class LeanModel(cp_model.CpModel):
    """A CpModel without the camelCase aliases OR-Tools sets on every new model (a walk over
    all its methods: more than the build of a street's small model itself)."""

    def _add_pre_pep8_methods(self) -> None:
        return None


class GroupModel:
    """The CP-SAT model of one group, the other items held at ``current``."""

    def __init__(
        self,
        inst: Instance,
        obj: Objective,
        group: list[int],
        current: list[int],
        *,
        relax: bool = False,
        strict: bool = False,
        use: Mapping[tuple[str, int], int] | None = None,
    ) -> None:
        self.inst, self.obj, self.current, self.strict = inst, obj, current, strict
        #: budget units per (owner, year) of ``current`` when the caller keeps them (saves a pass over all works)
        self.use = use
        self.free = set(group)
        self.model = LeanModel()
        self.x = {i: [self.model.new_bool_var(f"x{i}_{k}") for k in range(len(inst.items[i].options))] for i in group}
        for i in group:
            self.model.add_exactly_one(self.x[i])
        self.lin = {i: list(obj.item_points[i]) for i in group}
        self.terms: list[tuple[int, Any]] = []
        self.hints: list[tuple[Any, int]] = []
        self.zero: set[int] = set()
        self.floor: dict[int, int] = {}
        for c in sorted({c for i in group for c in inst.classes_of[i]}):
            self._class(c)
        self._nodig()
        if not relax:
            self._budgets()
            self._crew()
        self._objective()

    # ---- classes

    def _held(self, c: int) -> tuple[list[int], set[int], set[int], dict[int, int]]:
        """Free items, opened buckets, starts and day floors fixed by the items that do not move here."""
        base, obj, items, periods = self.obj.base[c], self.obj, self.inst.items, self.inst.periods
        free = [i for i in base.movable if i in self.free]
        opened, starts = set(base.opened), set(base.starts)
        floor = {b: sum(hi - lo + 1 for lo, hi in v) for b, v in base.fixed_days.items()}
        for j in base.movable:
            if j in self.free:
                continue
            opt = items[j].options[self.current[j]]
            starts.add(opt.bucket)
            for b in active_buckets(periods, opt):
                opened.add(b)
                floor[b] = max(floor.get(b, 0), obj.day_value(c, b, opt))
        return free, opened, starts, floor

    def _class(self, c: int) -> None:
        free, opened, starts, floor = self._held(c)
        if len(free) == 1:
            self._single(c, free[0], opened, starts, floor)
        else:
            self._shared(c, free, opened, starts, floor)

    def _single(self, c: int, i: int, opened: set[int], starts: set[int], floor: dict[int, int]) -> None:
        coef, periods = self.obj.coef[c], self.inst.periods
        for k, opt in enumerate(self.inst.items[i].options):
            pts = coef.trench * (opt.bucket not in starts)
            for b in active_buckets(periods, opt):
                pts += coef.openings * (b not in opened)
                pts += coef.days * max(0, self.obj.day_value(c, b, opt) - floor.get(b, 0))
            self.lin[i][k] += pts

    def _shared(self, c: int, free: list[int], opened: set[int], starts: set[int], floor: dict[int, int]) -> None:
        coef, periods, items = self.obj.coef[c], self.inst.periods, self.inst.items
        act: dict[int, dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
        begin: dict[int, dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
        for i in free:
            for k, opt in enumerate(items[i].options):
                begin[opt.bucket][i].append(k)
                for b in active_buckets(periods, opt):
                    act[b][i].append(k)
        for b in sorted(act):
            if b not in opened:
                self._cover(coef.openings, act[b])
            self._days(c, b, coef.days, act[b], floor.get(b, 0))
        for t in sorted(begin):
            if t not in starts:
                self._cover(coef.trench, begin[t])

    def _cover(self, weight: int, by_item: dict[int, list[int]]) -> None:
        """A boolean that is 1 when any listed option is chosen, costing ``weight``."""
        var = self.model.new_bool_var("")
        for i, ks in sorted(by_item.items()):
            if len(ks) == 1:
                self.model.add_implication(self.x[i][ks[0]], var)
            else:
                self.model.add(var >= cp_model.LinearExpr.sum([self.x[i][k] for k in ks]))
        self.terms.append((weight, var))
        self.hints.append((var, int(any(self.current[i] in ks for i, ks in by_item.items()))))

    def _days(self, c: int, b: int, weight: int, by_item: dict[int, list[int]], floor: int) -> None:
        items, values = self.inst.items, {}
        for i, ks in by_item.items():
            values[i] = {k: self.obj.day_value(c, b, items[i].options[k]) for k in ks}
        top = max(max(v.values()) for v in values.values())
        if top <= floor:
            return
        var = self.model.new_int_var(floor, top, "")
        self.floor[id(var)] = floor
        for i, v in sorted(values.items()):
            above = [(k, d) for k, d in sorted(v.items()) if d > floor]
            if above:
                xs = [self.x[i][k] for k, _ in above]
                self.model.add(var >= cp_model.LinearExpr.weighted_sum(xs, [d for _, d in above]))
        self.terms.append((weight, var))
        now = [v[self.current[i]] for i, v in values.items() if self.current[i] in v]
        self.hints.append((var, max([floor, *now])))

    # ---- constraints

    def _nodig(self) -> None:
        inst, days = self.inst, self.inst.settings.graafrust_days
        mine = sorted({(i, j) if is_r else (j, i) for i in self.free for j, is_r in inst.partners[i]})
        for r, x in mine:
            hits = hit_matrix(inst.arrays(r), inst.arrays(x), days)
            if r in self.free and x in self.free:
                for kr in np.flatnonzero(hits.any(axis=1)).tolist():
                    hit = np.flatnonzero(hits[kr]).tolist()
                    if len(hit) == hits.shape[1]:
                        self.model.add(self.x[r][kr] == 0)
                    else:
                        self.model.add_bool_and([~self.x[x][k] for k in hit]).only_enforce_if(self.x[r][kr])
            elif r in self.free:
                self._forbid(r, np.flatnonzero(hits[:, self.current[x]]).tolist())
            else:
                self._forbid(x, np.flatnonzero(hits[self.current[r]]).tolist())

    def _forbid(self, i: int, ks: list[int]) -> None:
        if len(ks) < len(self.x[i]):
            for k in ks:
                self.model.add(self.x[i][k] == 0)
                self.zero.add(k)

    def _budgets(self) -> None:
        inst = self.inst
        held: dict[tuple[str, int], int] = defaultdict(int)
        rows: dict[tuple[str, int], list[tuple[int, int, int]]] = defaultdict(list)
        if self.use is not None:  # held = all of current less the free works' part
            held.update(self.use)
            for i in sorted(self.free):
                it = inst.items[i]
                for y, u in spend_units(it, it.options[self.current[i]], inst.periods).items():
                    held[(it.owner, y)] -= u
                for k, opt in enumerate(it.options):
                    for y, u in spend_units(it, opt, inst.periods).items():
                        rows[(it.owner, y)].append((i, k, u))
        for it in inst.items if self.use is None else ():
            if it.index in self.free:
                for k, opt in enumerate(it.options):
                    for y, u in spend_units(it, opt, inst.periods).items():
                        rows[(it.owner, y)].append((it.index, k, u))
            else:
                for y, u in spend_units(it, it.options[self.current[it.index]], inst.periods).items():
                    held[(it.owner, y)] += u
        for key in sorted(rows):
            if key in inst.caps:
                self._capacity(rows[key], inst.caps[key] - held[key])

    def _crew(self) -> None:
        inst = self.inst
        if not inst.crew:
            return
        held: dict[tuple[str, int], int] = defaultdict(int)
        rows: dict[tuple[str, int], list[tuple[int, int, int]]] = defaultdict(list)
        for it in inst.items:
            if it.area not in inst.crew:
                continue
            if it.index in self.free:
                for k, opt in enumerate(it.options):
                    for b in active_buckets(inst.periods, opt):
                        rows[(it.area, b)].append((it.index, k, 1))
            else:
                for b in active_buckets(inst.periods, it.options[self.current[it.index]]):
                    held[(it.area, b)] += 1
        for key in sorted(rows):
            self._capacity(rows[key], inst.crew_caps[key] - held[key])

    def _capacity(self, row: list[tuple[int, int, int]], room: int) -> None:
        """sum(use x) <= room (unless strict, never tighter than the current choice); skipped when it cannot bind."""
        most: dict[int, int] = defaultdict(int)
        now = 0
        for i, k, u in row:
            most[i] = max(most[i], u)
            now += u * (self.current[i] == k)
        room = room if self.strict else max(room, now)
        if sum(most.values()) > room:
            self.model.add(sum(u * self.x[i][k] for i, k, u in row) <= room)

    def _objective(self) -> None:
        # built in one go (Python's sum over CP-SAT terms and one add_hint per variable cost
        # more than the small models of the street search take to solve)
        variables, coefficients = [], []
        for i in sorted(self.lin):
            for p, v in zip(self.lin[i], self.x[i], strict=True):
                if p:
                    variables.append(v)
                    coefficients.append(p)
        for w, v in self.terms:
            if w:
                variables.append(v)
                coefficients.append(w)
        self.model.minimize(cp_model.LinearExpr.weighted_sum(variables, coefficients))
        index, value = [], []
        for i in sorted(self.x):
            for k, v in enumerate(self.x[i]):
                index.append(v.index)
                value.append(int(k == self.current[i]))
        for v, hinted in self.hints:
            index.append(v.index)
            value.append(int(hinted))
        hint = self.model.proto.solution_hint
        hint.vars.extend(index)
        hint.values.extend(value)

    def hint_objective(self) -> float:
        """The model's objective at the hint (the current choice)."""
        total = sum(self.lin[i][self.current[i]] for i in self.lin)
        value = dict(self.hints)
        return total + sum(w * value.get(v, 0) for w, v in self.terms)

    def simple_bound(self) -> float:
        """A valid lower bound without solving: every item at its cheapest option, shared terms at their floor."""
        total = sum(min(v) for v in self.lin.values())
        return total + sum(w * self.floor.get(id(v), 0) for w, v in self.terms)

    def best_single(self) -> tuple[int, int]:
        """A one-item group without shared terms: (best option, its points), no solver needed."""
        (i,) = self.x
        allowed = [k for k in range(len(self.x[i])) if k not in self.zero]
        k = min(allowed, key=lambda k: (self.lin[i][k], k))
        return k, self.lin[i][k]

    def chosen(self, solver: cp_model.CpSolver) -> dict[int, int]:
        return {i: next(k for k, v in enumerate(vs) if solver.boolean_value(v)) for i, vs in self.x.items()}


# --------------------------------------------------------------------------- solving


def _parameters(solver: cp_model.CpSolver, inst: Instance, seconds: float, share: float, workers: int) -> None:
    s, p = inst.settings, solver.parameters
    p.num_workers = workers
    p.random_seed = s.seed
    p.interleave_search = s.deterministic
    p.max_time_in_seconds = max(0.05, seconds)
    p.relative_gap_limit = s.relative_gap
    if s.deterministic_time is not None:
        p.max_deterministic_time = max(0.01, s.deterministic_time * share)


@dataclass
class _Outcome:
    status: str
    chosen: dict[int, int]
    objective: float
    bound: float
    solutions: int
    first: float | None
    variables: int
    constraints: int
    #: the model's objective at the programme it started from
    hint: float = 0.0
    #: wall seconds to build the model
    build_s: float = 0.0


def _single(inst: Instance, obj: Objective, i: int, current: list[int]) -> _Outcome:
    """A one-item group with budgets and crews relaxed, without a model: its best allowed option."""
    t0 = time.perf_counter()
    it, periods, days = inst.items[i], inst.periods, inst.settings.graafrust_days
    lin = list(obj.item_points[i])
    held = GroupModel.__new__(GroupModel)
    held.inst, held.obj, held.current, held.free = inst, obj, current, {i}
    for c in inst.classes_of[i]:
        _free, opened, starts, floor = held._held(c)
        coef = obj.coef[c]
        for k, opt in enumerate(it.options):
            pts = coef.trench * (opt.bucket not in starts)
            for b in active_buckets(periods, opt):
                pts += coef.openings * (b not in opened)
                pts += coef.days * max(0, obj.day_value(c, b, opt) - floor.get(b, 0))
            lin[k] += pts
    allowed = []
    for k, opt in enumerate(it.options):
        ok = True
        for j, is_r in inst.partners[i]:
            other = inst.items[j].options[current[j]]
            if nodig_hit(opt, other, days, periods) if is_r else nodig_hit(other, opt, days, periods):
                ok = False
                break
        if ok:
            allowed.append(k)
    allowed = allowed or list(range(len(it.options)))
    k = min(allowed, key=lambda k: (lin[k], k))
    return _Outcome("OPTIMAL", {i: k}, lin[k], lin[k], 0, None, 0, 0, lin[current[i]], time.perf_counter() - t0)


def _solve_model(
    inst: Instance,
    obj: Objective,
    group: list[int],
    current: list[int],
    seconds: float,
    share: float,
    workers: int,
    relax: bool,
    strict: bool = False,
    use: Mapping[tuple[str, int], int] | None = None,
    quick: bool = False,
) -> _Outcome:
    """Build and solve one group's model (thread-safe for disjoint relaxed groups). ``use``: the
    budget units of ``current`` per owner-year when known; ``quick``: a repair, stopped within
    ``REPAIR_GAP`` of its own bound."""
    if len(group) == 1 and relax:
        return _single(inst, obj, group[0], current)
    t_build = time.perf_counter()
    built = GroupModel(inst, obj, group, current, relax=relax, strict=strict, use=use)
    t_build = time.perf_counter() - t_build
    if len(group) == 1 and relax:
        k, points = built.best_single()
        return _Outcome("OPTIMAL", {group[0]: k}, points, points, 0, None, 0, 0, built.hint_objective(), t_build)
    seconds -= t_build  # the build counts against the model's time
    solver = cp_model.CpSolver()
    _parameters(solver, inst, seconds, share, workers)
    if quick:  # a repair: near its own bound is enough, on a deterministic time limit
        solver.parameters.relative_gap_limit = max(solver.parameters.relative_gap_limit, REPAIR_GAP)
        solver.parameters.max_deterministic_time = max(0.01, seconds)
        solver.parameters.max_time_in_seconds = WALL_FACTOR * max(0.05, seconds)
    progress = _Progress()
    started = time.perf_counter()
    status = solver.solve(built.model, progress)
    proto = built.model.proto
    first = None if progress.first is None else started + progress.first
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        chosen, value = built.chosen(solver), solver.objective_value
    else:
        chosen, value = {}, built.hint_objective()
    bound = built.simple_bound()
    if status != cp_model.INFEASIBLE and math.isfinite(solver.best_objective_bound):
        bound = min(value, max(bound, solver.best_objective_bound))
    return _Outcome(
        solver.status_name(status),
        chosen,
        value,
        bound,
        progress.count,
        first,
        len(proto.variables),
        len(proto.constraints),
        built.hint_objective(),
        t_build,
    )


#: (works, wall seconds at most) of the no-dig repair models, tried in turn while the pair stays in conflict
REPAIR_SIZES = ((12, 0.5), (40, 0.5), (120, 0.5))
#: a conflict the objective models leave: its whole chain (up to this many works) made free of
#: no-dig conflicts with as few works moved as possible, within this many wall seconds
CHAIN_ITEMS, CHAIN_SECONDS = 2000, 5.0
#: a repair model stops within this gap to its own bound
REPAIR_GAP = 0.02
#: repair models run on deterministic time; their wall-clock limit is this many times it (a safety net)
WALL_FACTOR = 20.0
#: a component left with less time than this is not modelled at all (it keeps the greedy choice)
SKIP_BELOW_S = 0.05
#: a component larger than this is solved in geographic pieces of this size (each with its
#: neighbours held), as a large-neighbourhood search; its bound then comes from cheap_bound
PIECE_ITEMS = 400


def cheap_bound(
    inst: Instance,
    obj: Objective,
    group: list[int],
    current: list[int],
    known: Mapping[int, float] | None = None,
) -> tuple[float, float]:
    """(value, lower bound) of the part of the objective a component can change, without a
    model: the bound takes every item at its cheapest own points and every class it shares
    at what its fixed works alone open (each term of the objective is non-negative), or at
    its own optimum where ``known`` has it (:func:`class_bound`)."""
    known = known or {}
    value = bound = 0.0
    for i in group:
        value += obj.item_points[i][current[i]]
        bound += min(obj.item_points[i])
    for c in sorted({c for i in group for c in inst.classes_of[i]}):
        coef = obj.coef[c]
        o, d, t = obj.class_terms(c, current)
        value += o * coef.openings + d * coef.days + t * coef.trench
        bound += max(_class_floor(inst, obj, c)[1], known.get(c, 0.0))
    return value, bound


def class_bound(inst: Instance, obj: Objective, c: int, current: list[int], seconds: float) -> float:
    """A lower bound on class ``c``'s terms (openings, days, trenches in points) over every
    choice of its movable works, the rest of the problem relaxed (other classes, no-dig periods,
    budgets, crews): its own small model, solved to optimality or cut off at its best bound.
    The sum over classes plus every work's cheapest own points bounds the whole objective."""
    base, coef = obj.base[c], obj.coef[c]
    const = len(base.opened) * coef.openings + len(base.starts) * coef.trench
    const += coef.days * sum(hi - lo + 1 for v in base.fixed_days.values() for lo, hi in v)
    if not base.movable:
        return float(const)
    m = GroupModel.__new__(GroupModel)
    m.inst, m.obj, m.current, m.strict, m.use = inst, obj, current, False, None
    m.free = set(base.movable)
    m.model = LeanModel()
    m.x = {i: [m.model.new_bool_var("") for _ in inst.items[i].options] for i in base.movable}
    for i in base.movable:
        m.model.add_exactly_one(m.x[i])
    m.lin = {i: [0] * len(inst.items[i].options) for i in base.movable}
    m.terms, m.hints, m.zero, m.floor = [], [], set(), {}
    m._class(c)
    # the model's days terms count the fixed days below their variables again: take them off
    counted = sum(w * m.floor.get(id(v), 0) for w, v in m.terms)
    if len(base.movable) == 1:
        (i,) = base.movable
        return float(const + min(m.lin[i]))
    m._objective()
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    if inst.settings.deterministic_time is not None:
        solver.parameters.max_deterministic_time = max(0.01, seconds)
    else:
        solver.parameters.max_time_in_seconds = max(0.01, seconds)
    status = solver.solve(m.model)
    if status == cp_model.OPTIMAL:
        value = solver.objective_value
    elif status == cp_model.FEASIBLE and math.isfinite(solver.best_objective_bound):
        value = solver.best_objective_bound
    else:
        value = counted  # every term at its floor
    return float(const + value - counted)


#: a model's fixed cost (build, presolve) counted as this many items when sharing out time
OVERHEAD_ITEMS = 5
#: a budget repair closed over all owners involved is solved jointly up to this many items
CLOSED_REPAIR_MAX = 200
#: no model gets less wall-clock time than this (an easy one gives the rest back)
MIN_SECONDS = 0.5


@dataclass
class _Run:
    """Bookkeeping over the models of one solve."""

    inst: Instance
    obj: Objective
    info: SolveInfo
    t0: float
    limit: float = 60.0
    progress: Any = None
    slack: float = 0.0
    movable_part: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)
    #: for the progress bar: objective gained over the start, slack of the models solved
    gained: float = 0.0
    solved_slack: float = 0.0
    #: wall seconds per item to build a model, as measured so far (to skip what cannot finish)
    build_rate: float = 0.0

    def left(self) -> float:
        return self.limit - (time.perf_counter() - self.t0)

    def tell(self) -> None:
        if self.progress is None:
            return
        now = self.info.start_objective - self.gained
        share = min(1.0, (time.perf_counter() - self.t0) / max(1e-9, self.limit))
        self.progress("solver", share, now, self.solved_slack / max(1.0, abs(now)))

    def record(self, out: _Outcome, current: list[int], count_slack: bool = True) -> bool:
        """Apply an outcome; False when it brought no solution."""
        with self.lock:
            info = self.info
            info.group_status[out.status] = info.group_status.get(out.status, 0) + 1
            info.solutions += out.solutions
            info.variables += out.variables
            info.constraints += out.constraints
            if out.first is not None:
                first = out.first - self.t0
                info.first_solution_s = first if info.first_solution_s is None else min(info.first_solution_s, first)
            for i, k in out.chosen.items():
                current[i] = k
            if out.chosen:
                self.gained += out.hint - out.objective
                self.solved_slack += max(0.0, out.objective - out.bound)
            self.tell()
            if count_slack:
                self.slack += out.objective - out.bound
                self.movable_part += abs(out.objective)
            return bool(out.chosen)

    def relaxed(
        self, comps: list[list[int]], current: list[int], budget_s: float, urgent: frozenset[int] = frozenset()
    ) -> dict[int, _Outcome]:
        """Every component on its own, budgets and crews relaxed, those holding an ``urgent``
        item (one the greedy programme could not place within the rules) first, then smallest first, on
        ``num_workers`` threads of one CP-SAT worker each; each takes its share of the
        time left, so time unused by easy ones passes on. Outcome per component."""
        order = sorted(
            range(len(comps)), key=lambda c: (not any(i in urgent for i in comps[c]), len(comps[c]), comps[c][0])
        )
        end = time.perf_counter() + budget_s
        workers = max(1, self.inst.settings.num_workers)
        total = sum(map(len, comps))
        pending = {"size": sum(len(g) + OVERHEAD_ITEMS for g in comps)}
        queue = list(reversed(order))
        outcomes: dict[int, _Outcome] = {}

        def work() -> None:
            while True:
                with self.lock:
                    if not queue:
                        return
                    c = queue.pop()
                    g = comps[c]
                    left = end - time.perf_counter()
                    weight = len(g) + OVERHEAD_ITEMS
                    seconds = min(left, max(MIN_SECONDS, left * workers * weight / max(1, pending["size"])))
                    pending["size"] -= weight
                if len(g) > 1 and left <= SKIP_BELOW_S + 1.5 * self.build_rate * len(g):
                    # out of time: keep the current choice, its bound from the fixed part alone
                    value, bound = cheap_bound(self.inst, self.obj, g, current)
                    out = _Outcome("NOT_STARTED", {}, value, bound, 0, None, 0, 0, value)
                else:
                    out = _solve_model(self.inst, self.obj, g, current, seconds, len(g) / max(1, total), 1, True)
                    if len(g) >= 20:
                        with self.lock:
                            self.build_rate = max(self.build_rate, out.build_s / len(g))
                self.record(out, current, count_slack=False)
                with self.lock:
                    outcomes[c] = out

        threads = [threading.Thread(target=work) for _ in range(workers)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return outcomes

    def again(self, comps: list[list[int]], outcomes: dict[int, _Outcome], current: list[int], budget_s: float) -> None:
        """A second round for the components not proven optimal, with the time left."""
        todo = [c for c in sorted(outcomes) if outcomes[c].status != "OPTIMAL"]
        if not todo or budget_s < 1.0:
            return
        more = self.relaxed([comps[c] for c in todo], current, budget_s)
        for n, c in enumerate(todo):
            new = more[n]
            if new.chosen and (not outcomes[c].chosen or new.objective <= outcomes[c].objective):
                outcomes[c] = _Outcome(
                    new.status, new.chosen, new.objective, max(new.bound, outcomes[c].bound), 0, None, 0, 0
                )
            elif new.bound > outcomes[c].bound:
                old = outcomes[c]
                outcomes[c] = _Outcome(old.status, old.chosen, old.objective, new.bound, 0, None, 0, 0)
        for c in todo:
            for i, k in outcomes[c].chosen.items():
                current[i] = k

    def constrained(self, parts: list[list[int]], current: list[int], budget_s: float, strict: bool) -> bool:
        """The parts in turn with budgets and crews (the others held at ``current``)."""
        end = time.perf_counter() + budget_s
        total, ok = sum(map(len, parts)), True
        for g in parts:
            seconds = (end - time.perf_counter()) * len(g) / max(1, total)
            share = len(g) / max(1, total)
            total -= len(g)
            out = _solve_model(
                self.inst, self.obj, g, current, seconds, share, self.inst.settings.num_workers, False, strict
            )
            ok &= self.record(out, current)
        return ok


def caps_held(inst: Instance, assignment: list[int]) -> list[tuple[str, str, int]]:
    """(kind, owner or area, year or bucket) over budget or crew capacity under ``assignment``."""
    use: dict[tuple[str, int], int] = defaultdict(int)
    crew: dict[tuple[str, int], int] = defaultdict(int)
    for it in inst.items:
        opt = it.options[assignment[it.index]]
        for y, u in spend_units(it, opt, inst.periods).items():
            use[(it.owner, y)] += u
        if it.area in inst.crew:
            for b in active_buckets(inst.periods, opt):
                crew[(it.area, b)] += 1
    over = [("budget", o, y) for (o, y), u in sorted(use.items()) if u > inst.caps.get((o, y), u)]
    return over + [("ploegen", a, b) for (a, b), n in sorted(crew.items()) if n > inst.crew_caps[(a, b)]]


def _repair_group(inst: Instance, comps: list[list[int]], over: list[tuple[str, str, int]]) -> tuple[list[int], bool]:
    """Components to solve again with budgets and crews: those of the owners and areas over
    their limits, closed over every owner and area they hold (then the joint model is exact)
    unless that grows past ``CLOSED_REPAIR_MAX`` items. (component indices, closed)"""
    owners = {who for kind, who, _ in over if kind == "budget"}
    areas = {who for kind, who, _ in over if kind == "ploegen"}

    def touching(owners: set[str], areas: set[str]) -> list[int]:
        return [
            n
            for n, c in enumerate(comps)
            if any(inst.items[i].owner in owners or inst.items[i].area in areas for i in c)
        ]

    first = touching(owners, areas)
    hit = first
    while True:
        owners |= {inst.items[i].owner for n in hit for i in comps[n] if inst.items[i].owner in inst.budgets}
        areas |= {inst.items[i].area for n in hit for i in comps[n] if inst.items[i].area in inst.crew}
        more = touching(owners, areas)
        if len(more) == len(hit):
            break
        hit = more
    if sum(len(comps[n]) for n in hit) <= min(CLOSED_REPAIR_MAX, inst.settings.max_plans_per_model):
        return hit, True
    return first, False


def _repair(
    run: _Run,
    comps: list[list[int]],
    outcomes: dict[int, _Outcome],
    result: list[int],
    over: list[tuple[str, str, int]],
    start: list[int],
) -> list[int]:
    """Solve the components concerned again with budgets and crews; failing that, everything from ``start``."""
    inst, obj, info = run.inst, run.obj, run.info
    hit, closed = _repair_group(inst, comps, over)
    repaired = list(result)
    group = sorted(i for n in hit for i in comps[n])
    out = _solve_model(inst, obj, group, repaired, max(0.5, run.left()), 1.0, inst.settings.num_workers, False, True)
    run.record(out, repaired, count_slack=False)
    if out.chosen and not caps_held(inst, repaired):
        if closed:
            slack = sum(o.objective - o.bound for n, o in outcomes.items() if n not in set(hit))
            slack += out.objective - out.bound
            info.best_bound = max(info.best_bound, obj.total(repaired) - slack)
            info.bound_kind = "relaxation + joint model with budgets"
        return repaired
    fallback = list(start)
    run.constrained(groups(inst), fallback, max(0.5, run.left()), strict=False)
    return fallback if not caps_held(inst, fallback) or caps_held(inst, start) else list(start)


def solve(
    inst: Instance,
    obj: Objective,
    start: list[int],
    seconds: float | None = None,
    progress: Any = None,
    urgent: frozenset[int] = frozenset(),
) -> tuple[list[int], SolveInfo]:
    """The best programme found from ``start`` (the greedy assignment) and a global lower bound,
    within ``seconds`` (default ``settings.time_limit_s``); ``progress(stage, share, objective, gap)``;
    the components of ``urgent`` items (the greedy could not place them within the rules) go first.

    1. Every component alone, budgets and crews relaxed: the sum of their bounds
       bounds the whole problem (``best_bound``).
    2. If that breaks a budget or crew capacity, the components of the owners and
       areas concerned are solved again together with those limits, the rest held.
    3. If that fails too, all groups with the limits, from ``start``.
    """
    t0 = time.perf_counter()
    info = SolveInfo(start_objective=obj.total(start))
    comps = components(inst)
    info.groups, info.largest_group = len(comps), max(map(len, comps), default=0)
    limit = inst.settings.time_limit_s if seconds is None else seconds
    run = _Run(inst, obj, info, t0, limit, progress)
    result = list(start)
    comps, pieces_of = _pieces(inst, comps)
    outcomes = run.relaxed(comps, result, 0.6 * limit, urgent)
    over = caps_held(inst, result)
    if not over and inst.settings.deterministic_time is None:
        run.again(comps, outcomes, result, run.left() - 0.5 - BOUND_SHARE * limit)
    known = _class_bounds(inst, obj, comps, pieces_of, outcomes, result, t0 + limit - 0.3)
    _piece_bounds(inst, obj, comps, pieces_of, outcomes, result, known)
    _tighten(inst, obj, comps, pieces_of, outcomes, result, known)
    slack = sum(o.objective - o.bound for o in outcomes.values())
    info.best_bound = obj.total(result) - slack
    info.gap_movable = slack / max(1.0, sum(abs(o.objective) for o in outcomes.values()))
    info.unsolved = sum(1 for o in outcomes.values() if not o.chosen)
    info.group_status = {}
    for o in outcomes.values():
        info.group_status[o.status] = info.group_status.get(o.status, 0) + 1
    info.caps_binding = [f"{k} {w} {p}" for k, w, p in over[:20]]
    if over:
        result = _repair(run, comps, outcomes, result, over, start)
    if not urgent and obj.total(result) > info.start_objective and not caps_held(inst, start):
        result = list(start)  # a repair cut short by the deadline: the greedy programme keeps every rule
    if inst.nodig:  # every conflict tried: keeping the no-dig periods comes before the time limit
        result = nodig_repair(inst, result, obj, None)
    info.objective = obj.total(result)
    info.gap = (info.objective - info.best_bound) / max(1.0, abs(info.objective))
    info.relative_gap_limit = inst.settings.relative_gap
    info.caps_broken = [f"{k} {w} {p}" for k, w, p in caps_held(inst, result)]
    info.status = "LIMITS_BROKEN" if info.caps_broken else _overall(info, bool(over))
    info.wall_time_s = time.perf_counter() - t0
    return result, info


def nodig_repair(
    inst: Instance, assignment: list[int], obj: Objective | None = None, until: float | None = 0.0
) -> list[int]:
    """Works left in a no-dig conflict with a movable partner (components the solver did not
    reach keep the greedy choice, which may have failed) moved to the nearest start period
    that clears every partner; a move that would break a budget or crew limit is undone.
    Then the chains, in models (only with ``obj``) until ``until`` (perf_counter), or, with
    ``until=None``, until every conflict is tried, each model on a deterministic time limit
    (the same result whatever the machine's load)."""
    days, periods, items = inst.settings.graafrust_days, inst.periods, inst.items
    out = list(assignment)

    def clashes(i: int, k: int) -> int:
        opt, n = items[i].options[k], 0
        for j, is_r in inst.partners[i]:
            other = items[j].options[out[j]]
            n += bool(nodig_hit(opt, other, days, periods) if is_r else nodig_hit(other, opt, days, periods))
        return n

    use: dict[tuple[str, int], int] = defaultdict(int)
    crew: dict[tuple[str, int], int] = defaultdict(int)

    def account(i: int, k: int, sign: int) -> None:
        it, opt = items[i], items[i].options[k]
        for y, u in spend_units(it, opt, periods).items():
            use[(it.owner, y)] += sign * u
        if it.area in inst.crew:
            for b in active_buckets(periods, opt):
                crew[(it.area, b)] += sign

    for i in range(len(items)):
        account(i, out[i], 1)

    def over(i: int, k: int) -> bool:
        it, opt = items[i], items[i].options[k]
        if any(
            use[(it.owner, y)] > inst.caps.get((it.owner, y), use[(it.owner, y)]) for y in spend_units(it, opt, periods)
        ):
            return True
        return it.area in inst.crew and any(
            crew[(it.area, b)] > inst.crew_caps[(it.area, b)] for b in active_buckets(periods, opt)
        )

    for r, x in inst.nodig:
        if not nodig_hit(items[r].options[out[r]], items[x].options[out[x]], days, periods):
            continue
        for i in (x, r):
            now = items[i].options[out[i]].bucket
            clean = [k for k in range(len(items[i].options)) if not clashes(i, k)]
            if not clean:
                continue
            k = min(clean, key=lambda k: (abs(items[i].options[k].bucket - now), k))
            old = out[i]
            account(i, old, -1)
            account(i, k, 1)
            out[i] = k
            if over(i, k):
                account(i, k, -1)
                account(i, old, 1)
                out[i] = old
                continue
            break
    # chains (a renewal beside a renewal beside a dig ...): the pair and the works linked to it by
    # no-dig periods, nearest first, in one small model with everything else held; a neighbourhood
    # that cannot clear the pair grows (the works at its edge then move too)
    for r, x in inst.nodig:
        if obj is None or (until is not None and time.perf_counter() > until):
            break
        for size, most in REPAIR_SIZES:
            if not nodig_hit(items[r].options[out[r]], items[x].options[out[x]], days, periods):
                break
            left = math.inf if until is None else until - time.perf_counter()
            if left <= 0:
                break
            group = _nodig_neighbourhood(inst, (r, x), size)
            outcome = _solve_model(inst, obj, group, out, min(most, left), 1.0, 1, False, True, use=use, quick=True)
            if outcome.chosen:
                for i in group:
                    account(i, out[i], -1)
                for i, k in outcome.chosen.items():
                    out[i] = k
                for i in group:
                    account(i, out[i], 1)
            if len(group) < size:  # the whole chain was in the model: growing it cannot help
                break
    for r, x in inst.nodig:
        left = math.inf if until is None else until - time.perf_counter()
        if obj is None or left <= 0:
            break
        if not nodig_hit(items[r].options[out[r]], items[x].options[out[x]], days, periods):
            continue
        group = _nodig_neighbourhood(inst, (r, x), CHAIN_ITEMS)
        chosen = _fewest_moves(inst, group, out, min(CHAIN_SECONDS, left))
        old = {i: out[i] for i in chosen}
        for i, k in chosen.items():
            account(i, out[i], -1)
            account(i, k, 1)
            out[i] = k
        if any(over(i, k) for i, k in chosen.items()):  # a budget or crew broken: keep the conflict
            for i, k in old.items():
                account(i, out[i], -1)
                account(i, k, 1)
                out[i] = k
    return out


def _fewest_moves(inst: Instance, group: list[int], current: list[int], seconds: float) -> dict[int, int]:
    """Options for ``group`` that break no no-dig period among themselves nor with the works held
    outside it (where an option is left that does not), moving as few works as possible; {} if none."""
    days, periods, items = inst.settings.graafrust_days, inst.periods, inst.items
    free = set(group)
    model = LeanModel()
    x = {i: [model.new_bool_var("") for _ in items[i].options] for i in group}
    for i in group:
        model.add_exactly_one(x[i])
        model.add_hint(x[i][current[i]], 1)
    for i in group:
        for j, is_r in inst.partners[i]:
            if j in free:
                if not is_r:
                    continue
                hits = hit_matrix(inst.arrays(i), inst.arrays(j), days)
                for kr in np.flatnonzero(hits.any(axis=1)).tolist():
                    bad = np.flatnonzero(hits[kr]).tolist()
                    model.add_bool_and([~x[j][k] for k in bad]).only_enforce_if(x[i][kr])
                continue
            held = items[j].options[current[j]]
            bad = [
                k
                for k, o in enumerate(items[i].options)
                if (nodig_hit(o, held, days, periods) if is_r else nodig_hit(held, o, days, periods))
            ]
            if len(bad) < len(x[i]):
                for k in bad:
                    model.add(x[i][k] == 0)
    model.minimize(sum(1 - x[i][current[i]] for i in group))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_deterministic_time = max(0.05, seconds)
    solver.parameters.max_time_in_seconds = WALL_FACTOR * max(0.05, seconds)
    solver.parameters.random_seed = inst.settings.seed
    if solver.solve(model) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return {}
    chosen = {i: next(k for k, v in enumerate(x[i]) if solver.boolean_value(v)) for i in group}
    return {i: k for i, k in chosen.items() if k != current[i]}


def _nodig_neighbourhood(inst: Instance, seeds: tuple[int, ...], size: int) -> list[int]:
    """Up to ``size`` movable works linked to ``seeds`` by no-dig pairs, breadth first (nearest first)."""
    seen = [i for i in seeds if inst.items[i].movable]
    known = set(seen)
    queue = deque(seen)
    while queue and len(seen) < size:
        i = queue.popleft()
        for j, _ in inst.partners[i]:
            if j not in known and inst.items[j].movable:
                known.add(j)
                seen.append(j)
                queue.append(j)
                if len(seen) >= size:
                    break
    return sorted(seen)


def _pieces(inst: Instance, comps: list[list[int]]) -> tuple[list[list[int]], list[list[int]]]:
    """Components, the large ones cut into pieces of ``PIECE_ITEMS`` (west to east); and,
    per large component, the indices of its pieces."""
    out: list[list[int]] = []
    pieces_of: list[list[int]] = []
    for comp in comps:
        if len(comp) <= PIECE_ITEMS:
            out.append(comp)
            continue
        first = len(out)
        out.extend(_pack(inst, [comp], PIECE_ITEMS))
        pieces_of.append(list(range(first, len(out))))
    return out, pieces_of


def _piece_bounds(
    inst: Instance,
    obj: Objective,
    parts: list[list[int]],
    pieces_of: list[list[int]],
    outcomes: dict[int, _Outcome],
    current: list[int],
    known: Mapping[int, float] | None = None,
) -> None:
    """A piece's own bound holds only with its neighbours held: per large component, the
    pieces' outcomes are replaced by its value and cheap bound (on the first piece)."""
    for pieces in pieces_of:
        group = sorted(i for n in pieces for i in parts[n])
        value, bound = cheap_bound(inst, obj, group, current, known)
        for k, n in enumerate(pieces):
            old = outcomes.get(n) or _Outcome("NOT_STARTED", {}, 0.0, 0.0, 0, None, 0, 0)
            v, b = (value, min(bound, value)) if k == 0 else (0.0, 0.0)
            status = old.status if old.status != "OPTIMAL" else "FEASIBLE"
            outcomes[n] = _Outcome(status, old.chosen, v, b, 0, None, 0, 0, v)


#: share of the solver's time kept for the class bounds of the components not solved to optimality
BOUND_SHARE = 0.15


def _unproven(parts: list[list[int]], pieces_of: list[list[int]], outcomes: dict[int, _Outcome]) -> list[int]:
    """Indices of the parts whose bound is not their own optimum: pieces, and parts not OPTIMAL."""
    pieces = {n for ps in pieces_of for n in ps}
    return [n for n in range(len(parts)) if n in pieces or outcomes.get(n) is None or outcomes[n].status != "OPTIMAL"]


def _class_bounds(
    inst: Instance,
    obj: Objective,
    parts: list[list[int]],
    pieces_of: list[list[int]],
    outcomes: dict[int, _Outcome],
    current: list[int],
    until: float,
) -> dict[int, float]:
    """:func:`class_bound` of the classes of the parts not solved to optimality, until ``until``
    (every one of them with a deterministic time limit instead when ``deterministic_time`` is set);
    a class already at the floor :func:`cheap_bound` gives it needs no model."""
    known: dict[int, float] = {}
    deterministic = inst.settings.deterministic_time is not None
    todo = sorted({c for n in _unproven(parts, pieces_of, outcomes) for i in parts[n] for c in inst.classes_of[i]})
    for c in todo:
        left = until - time.perf_counter()
        if left <= 0 and not deterministic:
            break
        coef = obj.coef[c]
        o, d, t = obj.class_terms(c, current)
        value = o * coef.openings + d * coef.days + t * coef.trench
        _, floor = _class_floor(inst, obj, c)
        if value <= floor:
            known[c] = float(value)
            continue
        known[c] = max(floor, class_bound(inst, obj, c, current, 0.05 if deterministic else min(0.5, left)))
    return known


def _class_floor(inst: Instance, obj: Objective, c: int) -> tuple[int, float]:
    """(class, the floor :func:`cheap_bound` gives its terms)."""
    coef, base = obj.coef[c], obj.base[c]
    days = sum(hi - lo + 1 for v in base.fixed_days.values() for lo, hi in v)
    longest = max(
        len(active_buckets(inst.periods, min(inst.items[i].options, key=lambda o: o.end - o.start)))
        for i in inst.classes[c].items
    )
    floor = max(len(base.opened), longest) * coef.openings + days * coef.days
    return c, float(floor + max(1, len(base.starts)) * coef.trench)


def _tighten(
    inst: Instance,
    obj: Objective,
    parts: list[list[int]],
    pieces_of: list[list[int]],
    outcomes: dict[int, _Outcome],
    current: list[int],
    known: Mapping[int, float],
) -> None:
    """Raise the bounds of the whole parts not solved to optimality with the class bounds (a part
    not started has its value and bound in whole-objective terms, a model's are offset by a constant)."""
    pieces = {n for ps in pieces_of for n in ps}
    for n in _unproven(parts, pieces_of, outcomes):
        out = outcomes.get(n)
        if n in pieces or out is None:
            continue
        value, bound = cheap_bound(inst, obj, parts[n], current, known)
        if out.status == "NOT_STARTED":
            out.objective, out.bound = value, min(value, max(out.bound, bound))
        else:
            offset = value - out.objective
            out.bound = min(out.objective, max(out.bound, bound - offset))


def _overall(info: SolveInfo, binding: bool) -> str:
    """OPTIMAL when the gap to the global bound is within ``relative_gap`` (as CP-SAT itself reports it)."""
    if not info.groups:
        return "NO_FREEDOM"
    if info.unsolved:
        return "FEASIBLE"
    return "OPTIMAL" if info.gap <= info.relative_gap_limit else "FEASIBLE"
