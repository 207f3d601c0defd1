"""Large-neighbourhood search over streets (issue 13, session 5).

Streets are nearly independent: most works touch one segment class, and what couples
classes is a work that spans several, a no-dig pair across a crossing or between adjacent
segments, and the owners' yearly budgets. The search therefore improves a feasible
programme one street at a time: the movable works of a segment class (its neighbourhood)
in a small CP-SAT model (:class:`cpsat.GroupModel`, the same objective, exactly) with
every other work held at its current option, budgets per owner-year and crews kept
strictly. Classes are taken in order of how far they are above the floor of their own
terms; when a pass over them gains nothing more, the neighbourhood grows by one ring of
works linked by a shared class or a no-dig pair (the works a street's optimum needs to
move too).

Two threads share the work (CP-SAT releases the GIL while it solves). A model is built
from a snapshot; its answer is checked again under the lock against the programme as it
is then (no-dig pairs with every held partner, budgets, crews, the objective's true change
over the classes and works it touches) and kept only when that is still strictly better and
breaks no rule that the current programme keeps. So the programme stays feasible and
never gets worse, whatever the timing.
"""

from __future__ import annotations

import heapq
import math
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from openruimte.planner.instance import Instance, active_buckets, nodig_hit, spend_units
from openruimte.planner.objective import Objective

#: rings of linked works added around a class, pass by pass (0: the class's own works)
RINGS = (0, 1, 2, 3)
#: a neighbourhood holds at most this many works (nearest rings first)
MAX_ITEMS = 160
#: models of more works than this are presolved
PRESOLVE_ABOVE = 60
#: models per second of search time when a deterministic time limit asks for identical results
MODELS_PER_SECOND = 60
#: wall seconds for one model at most (a small model is proven optimal in milliseconds)
MODEL_SECONDS = 0.4


@dataclass
class LnsInfo:
    """What the search did."""

    models: int = 0
    improved: int = 0
    gained: int = 0
    rings: int = 0
    wall_time_s: float = 0.0
    #: classes still above their floor when it stopped
    open_classes: int = 0
    converged: bool = False
    log: list[str] = field(default_factory=list)
    #: per model: (ring, points gained)
    trace: list[tuple[int, int]] = field(default_factory=list, repr=False)


def class_value(obj: Objective, c: int, assignment: list[int]) -> int:
    """The points of class ``c``'s terms under ``assignment``."""
    coef = obj.coef[c]
    o, d, t = obj.class_terms(c, assignment)
    return o * coef.openings + d * coef.days + t * coef.trench


def class_floor(inst: Instance, obj: Objective, c: int) -> int:
    """A floor under class ``c``'s terms without a model (:func:`cpsat.cheap_bound` uses it):
    its fixed works' openings and days, the longest shortest run of a work, one trench."""
    from openruimte.planner.cpsat import _class_floor

    return int(_class_floor(inst, obj, c)[1])


def neighbourhood(inst: Instance, c: int, rings: int, limit: int = MAX_ITEMS) -> list[int]:
    """The movable works of class ``c`` and ``rings`` rings of works linked to them (by a
    shared class or a no-dig pair), nearest ring first, at most ``limit``."""
    items = inst.items
    seen = [i for i in inst.classes[c].items if items[i].movable]
    known = set(seen)
    frontier = list(seen)
    for _ in range(rings):
        nxt: list[int] = []
        for i in frontier:
            linked = [j for j, _ in inst.partners[i]]
            for c2 in inst.classes_of[i]:
                linked.extend(inst.classes[c2].items)
            for j in linked:
                if j not in known and items[j].movable:
                    if len(seen) >= limit:
                        return sorted(seen)
                    known.add(j)
                    seen.append(j)
                    nxt.append(j)
        if not nxt:
            break
        frontier = nxt
    return sorted(seen)


class _State:
    """The programme being improved, its budget and crew use, under one lock."""

    def __init__(self, inst: Instance, obj: Objective, assignment: list[int]) -> None:
        self.inst, self.obj = inst, obj
        self.cur = list(assignment)
        self.lock = threading.Lock()
        self.use: dict[tuple[str, int], int] = defaultdict(int)
        self.crew: dict[tuple[str, int], int] = defaultdict(int)
        #: per item: how many times it moved (a neighbourhood unchanged since its last model is skipped)
        self.version = [0] * len(inst.items)
        for i in range(len(inst.items)):
            self._account(i, self.cur[i], 1)

    def _account(self, i: int, k: int, sign: int) -> None:
        inst, it = self.inst, self.inst.items[i]
        opt = it.options[k]
        for y, u in spend_units(it, opt, inst.periods).items():
            self.use[(it.owner, y)] += sign * u
        if it.area in inst.crew:
            for b in active_buckets(inst.periods, opt):
                self.crew[(it.area, b)] += sign

    def _conflicts(self, group: set[int], assignment: dict[int, int]) -> int:
        """No-dig conflicts of the group's works (with each other and with held partners)."""
        inst, items = self.inst, self.inst.items
        days, periods = inst.settings.graafrust_days, inst.periods
        n = 0
        for i in group:
            opt = items[i].options[assignment.get(i, self.cur[i])]
            for j, is_r in inst.partners[i]:
                if j in group and not is_r:
                    continue  # a pair inside the group is counted once, from its renewal
                other = items[j].options[assignment.get(j, self.cur[j])]
                n += bool(nodig_hit(opt, other, days, periods) if is_r else nodig_hit(other, opt, days, periods))
        return n

    def _delta(self, group: set[int], chosen: dict[int, int]) -> int:
        """The objective's true change if ``chosen`` replaced the group's options."""
        obj, inst = self.obj, self.inst
        classes = sorted({c for i in group for c in inst.classes_of[i]})
        before = sum(class_value(obj, c, self.cur) for c in classes)
        before += sum(obj.item_points[i][self.cur[i]] for i in group)
        old = {i: self.cur[i] for i in group}
        for i, k in chosen.items():
            self.cur[i] = k
        after = sum(class_value(obj, c, self.cur) for c in classes)
        after += sum(obj.item_points[i][self.cur[i]] for i in group)
        for i, k in old.items():
            self.cur[i] = k
        return after - before

    def _caps_ok(self, group: set[int]) -> bool:
        inst, items = self.inst, self.inst.items
        for i in group:
            it = items[i]
            for y in spend_units(it, it.options[self.cur[i]], inst.periods):
                cap = inst.caps.get((it.owner, y))
                if cap is not None and self.use[(it.owner, y)] > cap:
                    return False
            if it.area in inst.crew:
                for b in active_buckets(inst.periods, it.options[self.cur[i]]):
                    if self.crew[(it.area, b)] > inst.crew_caps[(it.area, b)]:
                        return False
        return True

    def apply(self, group: list[int], chosen: dict[int, int]) -> int:
        """Keep ``chosen`` when it is still strictly better and keeps every rule the current
        programme keeps (call with the lock held). The points gained (0: not kept)."""
        changed = {i: k for i, k in chosen.items() if k != self.cur[i]}
        if not changed:
            return 0
        members = set(group)
        delta = self._delta(members, changed)
        if delta >= 0:
            return 0
        if self._conflicts(members, changed) > self._conflicts(members, {}):
            return 0
        old = {i: self.cur[i] for i in changed}
        for i, k in changed.items():
            self._account(i, self.cur[i], -1)
            self._account(i, k, 1)
            self.cur[i] = k
        if not self._caps_ok(set(changed)):
            for i, k in old.items():
                self._account(i, self.cur[i], -1)
                self._account(i, k, 1)
                self.cur[i] = k
            return 0
        for i in changed:
            self.version[i] += 1
        return -delta


def _solve(
    inst: Instance, obj: Objective, group: list[int], current: list[int], use: dict, seconds: float
) -> tuple[dict[int, int], bool]:
    """One neighbourhood's model, the rest held at ``current``: (its best options, proven optimal)."""
    from openruimte.planner.cpsat import GroupModel  # cpsat imports this module's improve lazily

    built = GroupModel(inst, obj, group, current, strict=True, use=use)
    solver = cp_model.CpSolver()
    p = solver.parameters
    p.num_workers = 1
    p.random_seed = inst.settings.seed
    if inst.settings.deterministic_time is not None:  # the same search whatever the machine's load
        p.max_deterministic_time = MODEL_SECONDS
    else:
        p.max_time_in_seconds = max(0.02, seconds)
    p.relative_gap_limit = inst.settings.relative_gap
    # small models: presolve, probing and symmetry detection cost more than they save (a class's
    # model is proven optimal in about 4 ms without them, 9-14 ms with them)
    p.cp_model_probing_level = 0
    p.symmetry_level = 0
    p.cp_model_presolve = len(group) > PRESOLVE_ABOVE
    status = solver.solve(built.model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return {}, False
    return built.chosen(solver), status == cp_model.OPTIMAL


def improve(
    inst: Instance,
    obj: Objective,
    assignment: list[int],
    until: float,
    *,
    workers: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    rings: tuple[int, ...] = RINGS,
    max_models: int | None = None,
) -> tuple[list[int], LnsInfo]:
    """A better programme than ``assignment`` (feasible: it keeps every rule ``assignment`` keeps),
    by street neighbourhoods until ``until`` (``time.perf_counter()``) or until a pass over every
    class with its largest neighbourhood gains nothing. ``progress(gained points, models)``.
    With ``settings.deterministic_time`` the search is the same on every machine: one thread,
    ``max_models`` models (default: MODELS_PER_SECOND per second until ``until``), no clock."""
    t0 = time.perf_counter()
    info = LnsInfo()
    budget: float = math.inf
    state = _State(inst, obj, assignment)
    floors = {c: class_floor(inst, obj, c) for c, cls in enumerate(inst.classes) if obj.base[c].movable}
    workers = max(1, inst.settings.num_workers if workers is None else workers)
    if inst.crew:  # crews are counted over every work at once: one model at a time keeps them exact
        workers = 1
    if inst.settings.deterministic_time is not None:
        # identical results: one thread, models on deterministic time, and a number of models
        # instead of the clock (MODELS_PER_SECOND per second of the share ``until`` gives it)
        workers = 1
        budget = max_models if max_models is not None else max(1, int(MODELS_PER_SECOND * max(0.0, until - t0)))
        until = math.inf
    #: neighbourhood -> versions of its works when a model last proved it could not do better
    tried: dict[tuple[int, ...], tuple[int, ...]] = {}
    for ring_no, ring in enumerate(rings):
        last = ring_no == len(rings) - 1
        while time.perf_counter() < until and info.models < budget:
            with state.lock:
                above = [(floors[c] - class_value(obj, c, state.cur), c) for c in floors]
            queue = [(gap, c) for gap, c in above if gap < 0]
            heapq.heapify(queue)
            gained_pass = [0]
            lock = threading.Lock()

            def work(ring: int = ring, queue: list = queue, gained_pass: list = gained_pass, lock=lock) -> None:
                while time.perf_counter() < until and info.models < budget:
                    with lock:
                        if not queue:
                            return
                        _gap, c = heapq.heappop(queue)
                    group = neighbourhood(inst, c, ring)
                    if not group:
                        continue
                    with state.lock:
                        if class_value(obj, c, state.cur) <= floors[c]:
                            continue
                        stamp = tuple(state.version[i] for i in group)
                        if tried.get(tuple(group)) == stamp:
                            continue
                        snapshot = list(state.cur)
                        use = dict(state.use)
                    seconds = min(MODEL_SECONDS, until - time.perf_counter())
                    if seconds <= 0.02:
                        return
                    chosen, optimal = _solve(inst, obj, group, snapshot, use, seconds)
                    with state.lock:
                        info.models += 1
                        gain = state.apply(group, chosen) if chosen else 0
                        info.trace.append((ring, gain))
                        if gain:
                            info.improved += 1
                            info.gained += gain
                            gained_pass[0] += gain
                            if progress is not None:
                                progress(info.gained, info.models)
                        elif optimal:
                            tried[tuple(group)] = tuple(state.version[i] for i in group)

            threads = [threading.Thread(target=work) for _ in range(workers - 1)]
            for t in threads:
                t.start()
            work()
            for t in threads:
                t.join()
            info.rings = ring + 1
            took = time.perf_counter() - t0
            info.log.append(f"ring {ring}: {gained_pass[0]} points, {info.models} models, t={took:.1f}")
            if gained_pass[0] == 0 and last and time.perf_counter() < until and info.models < budget:
                info.converged = True
            if gained_pass[0] == 0 or not last:
                break  # the smaller rings are worth one pass each; the largest is repeated while it gains
        if time.perf_counter() >= until or info.models >= budget:
            break
    with state.lock:
        info.open_classes = sum(1 for c in floors if class_value(obj, c, state.cur) > floors[c])
        result = list(state.cur)
    info.wall_time_s = time.perf_counter() - t0
    return result, info
