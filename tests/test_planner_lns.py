"""Issue 13, session 5: the street-by-street search (planner/lns.py) on small hand-made
streets whose optimum is known (by enumerating every programme), and its place in
plan_programme."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
import shapely

pytest.importorskip("ortools")

from openruimte.model import Hardness, Phase, Plan, StreetSegment  # noqa: E402
from openruimte.planner import Settings, plan_programme  # noqa: E402
from openruimte.planner import programme as programme_module  # noqa: E402
from openruimte.planner.cpsat import caps_held  # noqa: E402
from openruimte.planner.instance import build_instance, nodig_hit  # noqa: E402
from openruimte.planner.lns import improve, neighbourhood  # noqa: E402
from openruimte.planner.objective import Objective  # noqa: E402
from openruimte.planner.synthetic import synthetic  # noqa: E402

X0, Y0 = 155_000.0, 463_000.0
D = dt.date


def street(n: int) -> list[StreetSegment]:
    return [
        StreetSegment(
            id=f"s{i}",
            name="Dorpsstraat",
            geometry=shapely.LineString([(X0 + i * 100, Y0), (X0 + (i + 1) * 100, Y0)]),
            area="BU01",
        )
        for i in range(n)
    ]


def work(pid: str, seg: int, *, renewal: bool = False, owner: str = "gemeente-a", **kw) -> Plan:
    """An unscheduled work on segment ``seg`` in the window the keywords give (2026-2027 by default)."""
    values = {
        "phase": Phase.ONTWERP,
        "hardness": Hardness.INDICATIEF,
        "asset_types": ("weg",) if renewal else ("gemengd_riool",),
        "surface_renewal": renewal,
        "excavation": True,
        "budget_eur": 100_000.0,
        "earliest_start": D(2026, 1, 1),
        "latest_end": D(2027, 12, 31),
        "duration_days": 60,
    }
    values.update(kw)
    geom = shapely.LineString([(X0 + seg * 100 + 1, Y0 + 1), (X0 + seg * 100 + 99, Y0 + 1)])
    return Plan(id=pid, name=f"Werk {pid}", owner=owner, geometry=geom, **values)


def settings(**kw) -> Settings:
    base = {"from_year": 2026, "to_year": 2028, "graafrust_days": 365, "time_limit_s": 20, "num_workers": 1}
    base.update(kw)
    return Settings(**base)


def conflicts(inst, assignment: list[int]) -> int:
    days, items = inst.settings.graafrust_days, inst.items
    return sum(
        bool(nodig_hit(items[r].options[assignment[r]], items[x].options[assignment[x]], days, inst.periods))
        for r, x in inst.nodig
    )


def optimum(inst, obj) -> int:
    """The best objective over every programme that keeps every no-dig period and budget."""
    best = None
    for combo in itertools.product(*(range(len(it.options)) for it in inst.items)):
        a = list(combo)
        if conflicts(inst, a) or caps_held(inst, a):
            continue
        value = obj.total(a)
        best = value if best is None else min(best, value)
    assert best is not None
    return best


def spread(inst) -> list[int]:
    """A poor but feasible start: every work as far from the others as its window allows."""
    a = [0] * len(inst.items)
    for n, it in enumerate(inst.items):
        a[it.index] = (n * 3) % len(it.options)
    return a


def test_one_street_reaches_the_enumerated_optimum() -> None:
    plans = [
        work("sewer", 0, duration_days=150),
        work("cable", 0, asset_types=("elektriciteit",), owner="netbeheerder-b"),
        work("water", 0, asset_types=("drinkwater",), owner="waterbedrijf-c", earliest_start=D(2026, 7, 1)),
    ]
    inst = build_instance(plans, street(1), settings())
    obj = Objective(inst)
    start = spread(inst)
    assert not conflicts(inst, start)
    result, info = improve(inst, obj, start, 1e18)
    assert info.converged and info.improved >= 1
    assert obj.total(result) == optimum(inst, obj) < obj.total(start)
    assert obj.terms(result)["openings"] == 2  # one opening: the sewer's two quarters, the others inside it


def test_a_renewal_next_door_moves_with_the_street() -> None:
    """A renewal on the next segment (within the no-dig distance) forbids the digs of the first
    segment after it: the class's own model cannot bundle them, the next ring (the renewal too) can."""
    plans = [
        work("sewer", 0),
        work("cable", 0, asset_types=("elektriciteit",), owner="netbeheerder-b"),
        work("road", 1, renewal=True),
        work("gas", 1, asset_types=("gas",), owner="netbeheerder-b"),
    ]
    inst = build_instance(plans, street(2), settings())
    obj = Objective(inst)
    assert inst.nodig  # the road's no-dig period reaches the first segment
    road, sewer = inst.by_key[plans[2].key], inst.by_key[plans[0].key]
    assert road in neighbourhood(inst, inst.classes_of[sewer][0], 1)
    start = spread(inst)
    if conflicts(inst, start):
        start = [0] * len(inst.items)
    assert not conflicts(inst, start)
    result, info = improve(inst, obj, start, 1e18)
    assert not conflicts(inst, result) and not caps_held(inst, result)
    assert obj.total(result) == optimum(inst, obj)


def test_budgets_and_no_dig_are_kept_and_nothing_gets_worse() -> None:
    plans, segs = synthetic(120, seed=5)
    st = Settings(time_limit_s=600, budget_factor=1.0, deterministic_time=2.0, num_workers=2, seed=0)
    inst = build_instance(plans, segs, st)
    obj = Objective(inst)
    from openruimte.planner.baselines import greedy

    start, _ = greedy(inst, obj)
    before_caps, before_conflicts = caps_held(inst, start), conflicts(inst, start)
    result, info = improve(inst, obj, start, 1e18, workers=2)
    assert obj.total(result) <= obj.total(start)
    assert obj.total(result) == obj.total(start) - info.gained
    assert conflicts(inst, result) <= before_conflicts
    assert len(caps_held(inst, result)) <= len(before_caps)
    assert all(0 <= k < len(inst.items[i].options) for i, k in enumerate(result))


def test_plan_programme_searches_streets_when_components_are_too_large(monkeypatch) -> None:
    plans, segs = synthetic(80, seed=2)
    st = Settings(time_limit_s=600, deterministic_time=2.0, num_workers=1, seed=0)
    plain = plan_programme(plans, segs, st)
    assert plain.solver.lns == {}  # every component fits one model: no street search
    monkeypatch.setattr(programme_module, "PIECE_ITEMS", 3)
    searched = plan_programme(plans, segs, st)
    assert searched.solver.lns["models"] > 0
    assert searched.solver.start_objective == searched.objective.total(searched.greedy_assignment)
    assert searched.objective.total(searched.assignment) <= searched.solver.start_objective
    assert searched.solver.best_bound <= searched.solver.objective
    assert searched.metrics["programme"].budget_overruns == []
    assert searched.avoidable_no_dig() == []
    assert searched.to_json()["solver"]["lns"]["models"] == searched.solver.lns["models"]


def test_street_search_is_identical_with_a_deterministic_time_limit(monkeypatch) -> None:
    plans, segs = synthetic(60, seed=4)
    st = Settings(time_limit_s=600, deterministic_time=1.0, num_workers=2, seed=0)
    monkeypatch.setattr(programme_module, "PIECE_ITEMS", 3)
    first = plan_programme(plans, segs, st)
    second = plan_programme(plans, segs, st)
    assert first.solver.lns["models"] == second.solver.lns["models"] > 0
    assert first.assignment == second.assignment
