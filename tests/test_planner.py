"""The programme optimiser: segments, instance rules, baselines, CP-SAT against brute force,
constraint satisfaction checked by metrics on every programme, determinism, explanations."""

from __future__ import annotations

import datetime as dt
import itertools
import json
from collections import defaultdict

import numpy as np
import pytest
import shapely

pytest.importorskip("ortools")

from openruimte.analysis.candidates import Candidate  # noqa: E402
from openruimte.model import Hardness, Phase, Plan, StreetSegment  # noqa: E402
from openruimte.planner import Settings, explain, map_segments, plan_programme  # noqa: E402
from openruimte.planner.instance import build_instance, make_item, nodig_overlap  # noqa: E402
from openruimte.planner.periods import Periods  # noqa: E402
from openruimte.planner.synthetic import synthetic  # noqa: E402

X0, Y0 = 155_000.0, 463_000.0
D = dt.date


def street(n: int = 4, length: float = 100.0, width: float | None = None) -> list[StreetSegment]:
    return [
        StreetSegment(
            id=f"s{i}",
            name=f"Kerkstraat {i}",
            geometry=shapely.LineString([(X0 + i * length, Y0), (X0 + (i + 1) * length, Y0)]),
            profile_width_m=width,
            area="BU01",
        )
        for i in range(n)
    ]


def plan(pid: str, a: int = 0, b: int = 1, *, owner: str = "gemeente-a", dy: float = 0.0, **kw) -> Plan:
    values = {
        "phase": Phase.ONTWERP,
        "hardness": Hardness.VOORGENOMEN,
        "asset_types": ("gemengd_riool",),
        "budget_eur": 100_000.0,
    }
    values.update(kw)
    geom = shapely.LineString([(X0 + 100 * a + 1, Y0 + dy), (X0 + 100 * b - 1, Y0 + dy)])
    return Plan(id=pid, name=f"Werk {pid}", owner=owner, geometry=geom, **values)


def small(**kw) -> Settings:
    base = {"from_year": 2026, "to_year": 2027, "max_shift_years": 1, "time_limit_s": 30, "relative_gap": 0.0}
    base.update(kw)
    return Settings(**base)


# --------------------------------------------------------------------------- independent checks


def quarter_end(d: D) -> D:
    q = (d.month - 1) // 3
    return D(d.year + 1, 1, 1) - dt.timedelta(days=1) if q == 3 else D(d.year, 3 * q + 4, 1) - dt.timedelta(days=1)


def feasible_by_hand(plans: list[Plan], dates: dict, segmap, settings: Settings, budgets: dict) -> bool:
    """No-dig and budget rules evaluated directly on dates (independent of the solver). No-dig as
    the solver keeps it: a dig that ends in the quarter the renewal ends in shares its opening;
    any other dig may not dig from the renewal's end until graafrust_days after that quarter."""
    by_key = {p.key: p for p in plans}
    for r in plans:
        for x in plans:
            if r is x or not r.surface_renewal or not x.excavation:
                continue
            shares = set(segmap.of_plan[r.key]) & set(segmap.of_plan[x.key])
            near = shapely.distance(r.geometry, x.geometry) <= settings.graafrust_distance_m
            if not (shares or near):
                continue
            r_end, last = dates[r.key][1].toordinal(), quarter_end(dates[r.key][1]).toordinal()
            xs, xe = (d.toordinal() for d in dates[x.key])
            if xe > last and min(xe, last + settings.graafrust_days) - max(xs, r_end + 1) + 1 > 0:
                return False
    spend: dict = defaultdict(float)
    for key, (s, e) in dates.items():
        p = by_key[key]
        dur = (e - s).days + 1
        for year in range(s.year, e.year + 1):
            lo, hi = max(s, D(year, 1, 1)), min(e, D(year, 12, 31))
            spend[(p.owner, year)] += (p.budget_eur or 0) * ((hi - lo).days + 1) / dur
    return all(v <= budgets.get(o, {}).get(y, float("inf")) + 1e-6 for (o, y), v in spend.items())


def assert_feasible(result, name: str = "programme") -> None:
    m = result.metrics[name]
    excused = {(result.instance.items[r].key, result.instance.items[x].key) for r, x, _ in result.instance.excused}
    assert m.window_violations == [], m.window_violations
    assert m.budget_overruns == [], m.budget_overruns
    assert m.crew_overruns == [], m.crew_overruns
    unexcused = [v for v in m.no_dig if (v["renewal"], v["plan"]) not in excused]
    assert unexcused == [], unexcused


# --------------------------------------------------------------------------- segments and instance


def test_segments_lane_counts_junction_touch_does_not() -> None:
    segs = [*street(3, width=12.0)]
    segs.append(
        StreetSegment(id="v", name="Dwarsstraat", geometry=shapely.LineString([(X0 + 100, Y0), (X0 + 100, Y0 + 100)]))
    )
    lane = plan("lane", 0, 2, dy=5.0)  # 5 m beside the centre line, inside the 12 m profile
    point = Plan(
        id="pt",
        name="Laadpaal",
        owner="gemeente-a",
        phase=Phase.IDEE,
        asset_types=("laadpunt",),
        geometry=shapely.Point(X0 + 250, Y0 + 4),
    )
    m = map_segments([lane, point], segs)
    assert m.segment_ids(lane.key) == ("s0", "s1")
    assert m.segment_ids(point.key) == ("s2",)


def test_options_follow_phase_hardness_and_window() -> None:
    periods = Periods(2026, 2027, 4)
    s = small()
    fixed = make_item(0, plan("f", phase=Phase.REALISATIE, start=D(2026, 4, 1), end=D(2026, 6, 30)), periods, s)
    decided = make_item(1, plan("d", hardness=Hardness.BESLOTEN, start=D(2026, 4, 1), end=D(2026, 6, 30)), periods, s)
    free = make_item(2, plan("m", start=D(2026, 5, 10), end=D(2026, 6, 30), latest_end=D(2027, 3, 31)), periods, s)
    open_ = make_item(
        3, plan("u", earliest_start=D(2026, 8, 15), latest_end=D(2027, 6, 30), duration_days=60), periods, s
    )
    assert not fixed.movable and fixed.reason == "fase realisatie"
    assert not decided.movable and decided.reason == "besloten"
    assert [o.bucket for o in free.options] == [0, 1, 2, 3]  # +-1 year, not past latest_end
    assert free.options[3].start == D(2026, 11, 10).toordinal()  # keeps its day within the quarter
    assert free.removed["venster"] == [4, 5]
    assert [o.bucket for o in open_.options] == [2, 3, 4, 5]
    assert open_.options[0].start == D(2026, 8, 15).toordinal()
    assert all(o.end - o.start + 1 == 60 for o in open_.options)


def test_fixed_renewal_closes_periods_for_excavation() -> None:
    renewal = plan(
        "r", phase=Phase.REALISATIE, start=D(2026, 1, 1), end=D(2026, 3, 31), surface_renewal=True, excavation=False
    )
    digger = plan("x", start=D(2026, 4, 1), end=D(2026, 5, 31))
    inst = build_instance([renewal, digger], street(), small(graafrust_days=365))
    x = inst.item(digger.key)
    assert [o.bucket for o in x.options] == [0, 5]  # dig before the new paving, or after its no-dig period
    assert x.removed[f"graafrust na {renewal.key}"] == [1, 2, 3, 4]


# --------------------------------------------------------------------------- brute force


def random_plans(seed: int) -> tuple[list[Plan], dict]:
    rng = np.random.default_rng(seed)
    owners = ["gemeente-a", "netbeheerder-b"]
    plans = []
    for n in range(int(rng.integers(3, 6))):
        a = int(rng.integers(0, 3))
        b = a + int(rng.integers(1, 3))
        kind = rng.random()
        month = int(rng.integers(1, 13))
        start = D(int(rng.integers(2026, 2028)), month, 1)
        end = start + dt.timedelta(days=int(rng.integers(40, 200)))
        kw = {"budget_eur": float(rng.integers(1, 9)) * 50_000}
        if kind < 0.25:
            kw.update(phase=Phase.REALISATIE, hardness=Hardness.BESLOTEN, start=start, end=end)
        elif kind < 0.45:
            kw.update(
                earliest_start=D(2026, 1, 1) + dt.timedelta(days=int(rng.integers(0, 300))),
                latest_end=D(2027, 12, 31),
                duration_days=int(rng.integers(30, 150)),
            )
        else:
            kw.update(start=start, end=end)
        renew = rng.random() < 0.3
        plans.append(plan(f"p{n}", a, b, owner=owners[int(rng.integers(2))], surface_renewal=renew, **kw))
    budgets = {"gemeente-a": {2026: 450_000.0, 2027: 450_000.0}} if seed % 2 else {}
    return plans, budgets


def brute_force(result, plans: list[Plan], budgets: dict) -> int | None:
    """The optimum over every combination of the plans' start options (window rules only),
    feasible by :func:`feasible_by_hand`, valued by the solver's objective."""
    inst = result.instance
    raw = [make_item(i, it.plan, inst.periods, inst.settings).options for i, it in enumerate(inst.items)]
    plans_in = [it.plan for it in inst.items]
    best = None
    for combo in itertools.product(*raw):
        dates = {it.key: (D.fromordinal(o.start), D.fromordinal(o.end)) for it, o in zip(inst.items, combo)}
        if not feasible_by_hand(plans_in, dates, inst.segmap, inst.settings, inst.budgets):
            continue
        assignment = [it.options.index(o) for it, o in zip(inst.items, combo)]  # a feasible option must be kept
        value = result.objective.total(assignment)
        best = value if best is None else min(best, value)
    return best


@pytest.mark.parametrize("seed", range(8))
def test_solver_matches_brute_force(seed: int) -> None:
    plans, budgets = random_plans(seed)
    settings = small(budgets=budgets, graafrust_days=270)
    result = plan_programme(plans, street(), settings)
    if result.instance.excused:
        pytest.skip("an unavoidable no-dig pair: the brute force rules differ")
    best = brute_force(result, plans, result.instance.budgets)
    assert best is not None
    assert result.solver.objective == best
    assert result.objective.total(result.assignment) == best
    assert result.solver.best_bound <= best + 1e-6
    assert_feasible(result)


# --------------------------------------------------------------------------- programmes are feasible


@pytest.fixture(scope="module")
def medium():
    plans, segs = synthetic(150, seed=3)
    # a deterministic time limit and a wall-clock limit it never reaches: the result does not
    # depend on the machine's load (tests check correctness, bench/planner.py measures speed)
    settings = Settings(
        time_limit_s=600, crew_capacity=12, budget_factor=1.0, deterministic_time=5.0, num_workers=2, seed=0
    )
    return plans, segs, plan_programme(plans, segs, settings)


def test_every_programme_holds_windows_no_dig_budgets_and_crews(medium) -> None:
    _, _, result = medium
    assert_feasible(result, "programme")
    if not result.greedy_failures:
        assert_feasible(result, "greedy")
    unco = result.metrics["uncoordinated"]
    assert unco.window_violations == [] and unco.moved == 0


def test_programme_beats_baselines_and_reports_gap(medium) -> None:
    _, _, result = medium
    m = result.metrics
    assert m["programme"].street_openings <= m["uncoordinated"].street_openings
    assert result.solver.objective <= result.objective.total(result.greedy_assignment)
    assert result.solver.best_bound <= result.solver.objective
    assert result.solver.gap == pytest.approx(
        (result.solver.objective - result.solver.best_bound) / result.solver.objective
    )
    assert result.solver.status in ("OPTIMAL", "FEASIBLE")


def test_objective_openings_equal_metric(medium) -> None:
    _, _, result = medium
    assert result.objective.terms(result.assignment)["openings"] == result.metrics["programme"].street_openings


def test_default_budgets_hold_uncoordinated(medium) -> None:
    _, _, result = medium
    assert result.metrics["uncoordinated"].budget_overruns == []  # budget_factor 1.0: its own peak


def test_to_json_is_complete(medium) -> None:
    plans, _, result = medium
    out = json.loads(json.dumps(result.to_json()))
    assert {p["key"] for p in out["plans"]} | {s["plan"] for s in out["skipped"]} == {p.key for p in plans}
    assert set(out["metrics"]) == {"programme", "greedy", "uncoordinated", "enforced"}
    assert {"status", "objective", "best_bound", "gap"} <= set(out["solver"])
    first = out["plans"][0]
    assert D.fromisoformat(first["end"]) >= D.fromisoformat(first["start"])


def test_deterministic_with_seed_and_workers() -> None:
    plans, segs = synthetic(60, seed=5)
    settings = Settings(time_limit_s=600, deterministic_time=0.5, num_workers=2, seed=7)
    a = plan_programme(plans, segs, settings)
    b = plan_programme(plans, segs, settings)
    assert a.assignment == b.assignment
    assert a.solver.objective == b.solver.objective
    assert a.solver.best_bound == b.solver.best_bound


def test_binding_budget_is_repaired() -> None:
    segs = street()
    fixed = plan("f", phase=Phase.REALISATIE, start=D(2026, 4, 1), end=D(2026, 9, 30), budget_eur=50_000.0)
    mover = plan("m", start=D(2027, 4, 1), end=D(2027, 9, 30), budget_eur=200_000.0)
    result = plan_programme([fixed, mover], segs, small(budgets={"gemeente-a": 220_000.0}))
    assert result.solver.caps_binding  # bundling in 2026 would break the 2026 budget
    assert_feasible(result)
    start = result.dates()[mover.key][0]
    assert start.year == 2027


def test_impossible_budget_is_reported_not_hidden() -> None:
    segs = street()
    fixed = plan("f", phase=Phase.REALISATIE, start=D(2026, 4, 1), end=D(2026, 9, 30), budget_eur=50_000.0)
    mover = plan("m", start=D(2027, 4, 1), end=D(2027, 9, 30), budget_eur=500_000.0)
    result = plan_programme([fixed, mover], segs, small(budgets={"gemeente-a": 100_000.0}))
    assert result.solver.status == "LIMITS_BROKEN"
    assert result.metrics["programme"].budget_overruns  # no period fits: the overrun is shown
    assert result.to_json()["solver"]["caps_broken"]


# --------------------------------------------------------------------------- explanations


def test_explain_names_bundle_streets_and_weights() -> None:
    segs = street()
    a = plan("a", 0, 2, phase=Phase.REALISATIE, start=D(2026, 7, 1), end=D(2026, 9, 30))
    b = plan("b", 0, 2, owner="netbeheerder-b", asset_types=("elektriciteit",), start=D(2027, 1, 1), end=D(2027, 3, 31))
    result = plan_programme([a, b], segs, small())
    assert result.dates()[b.key][0] == D(2026, 7, 1)
    text = explain(result, b.key)
    assert "Gebundeld met" in text and a.key in text and "Kerkstraat 0" in text
    assert "2 kwartalen eerder" in text and "straatopeningen" in text and "Gewichten" in text
    assert "ligt vast" in explain(result, a.key)


def test_explain_names_no_dig_and_budget() -> None:
    segs = street()
    renewal = plan("r", 2, 3, phase=Phase.REALISATIE, start=D(2026, 1, 1), end=D(2026, 3, 31), surface_renewal=True)
    digger = plan("x", 2, 3, start=D(2026, 4, 1), end=D(2026, 5, 31))
    partner = plan("p", 0, 1, phase=Phase.REALISATIE, start=D(2026, 7, 1), end=D(2026, 9, 30), budget_eur=50_000.0)
    mover = plan("m", 0, 1, start=D(2027, 4, 1), end=D(2027, 9, 30), budget_eur=200_000.0)
    result = plan_programme(
        [renewal, digger, partner, mover], segs, small(graafrust_days=365, budgets={"gemeente-a": 260_000.0})
    )
    text = explain(result, digger.key)
    assert "graafrust" in text and renewal.key in text
    text = explain(result, mover.key)
    assert "budget van gemeente-a in 2026" in text


def test_explain_skipped_plan() -> None:
    old = plan("old", phase=Phase.BEHEER, start=D(2010, 1, 1), end=D(2010, 6, 30))
    result = plan_programme([old, plan("n", start=D(2026, 4, 1), end=D(2026, 6, 30))], street(), small())
    assert "niet meegenomen" in explain(result, old.key)


def test_candidates_become_windowed_plans() -> None:
    segs = street()
    cand = Candidate(
        id="VC-gas-s1",
        owner="netbeheerder-b",
        asset_type="gas",
        street_id="s1",
        street_name="Kerkstraat 1",
        asset_ids=["g1"],
        first_year=2026,
        last_year=2027,
        cost_eur=40_000.0,
        geometry=shapely.LineString([(X0 + 101, Y0), (X0 + 199, Y0)]),
    )
    fixed = plan("f", 1, 2, phase=Phase.REALISATIE, start=D(2027, 1, 1), end=D(2027, 4, 30))
    result = plan_programme([fixed], segs, small(), candidates=[cand])
    item = result.instance.item(cand.key)
    assert item.candidate and item.movable
    assert result.dates()[cand.key][0].year == 2027  # bundled with the fixed works in the same street


def test_nodig_overlap_counts_days_after_the_renewal() -> None:
    from openruimte.planner.instance import Option

    r = Option(0, 100, 200)
    assert nodig_overlap(r, Option(0, 150, 210), 30) == 10
    assert nodig_overlap(r, Option(0, 231, 240), 30) == 0
