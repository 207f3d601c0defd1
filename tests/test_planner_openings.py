"""Issue 13: the shared-opening rule on small hand-made streets (a renewal closing an opening,
a later dig refused), candidate windows from condition and due year, hardness shifts, the
enforced baseline, the sweep specification and the scenario keys."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import shapely

pytest.importorskip("ortools")

from openruimte.analysis.candidates import Candidate  # noqa: E402
from openruimte.model import Asset, Hardness, Phase, Plan, StreetSegment  # noqa: E402
from openruimte.planner import Settings, explain, plan_programme  # noqa: E402
from openruimte.planner.instance import Option, build_instance, make_item, nodig_hit  # noqa: E402
from openruimte.planner.periods import Periods  # noqa: E402
from openruimte.planner.sweep import SweepError, parse_sweep  # noqa: E402
from openruimte.planner.windows import WindowRule, candidate_windows, parse_rules, window_of  # noqa: E402

X0, Y0 = 155_000.0, 463_000.0
D = dt.date
GR = 365  # a short no-dig period keeps the hand-made streets readable


def street(n: int = 2) -> list[StreetSegment]:
    return [
        StreetSegment(
            id=f"s{i}",
            name=f"Dorpsstraat {i}",
            geometry=shapely.LineString([(X0 + i * 100, Y0), (X0 + (i + 1) * 100, Y0)]),
            area="BU01",
        )
        for i in range(n)
    ]


def work(pid: str, start: D | None, end: D | None, *, renewal: bool = False, fixed: bool = False, **kw) -> Plan:
    values = {
        "phase": Phase.REALISATIE if fixed else Phase.ONTWERP,
        "hardness": Hardness.BESLOTEN if fixed else Hardness.INDICATIEF,
        "asset_types": ("weg",) if renewal else ("gemengd_riool",),
        "surface_renewal": renewal,
        "excavation": True,
        "budget_eur": 100_000.0,
        "start": start,
        "end": end,
    }
    owner = kw.pop("owner", "gemeente-a")
    values.update(kw)
    geom = shapely.LineString([(X0 + 1, Y0 + 1), (X0 + 99, Y0 + 1)])
    return Plan(id=pid, name=f"Werk {pid}", owner=owner, geometry=geom, **values)


def settings(**kw) -> Settings:
    base = {"from_year": 2026, "to_year": 2028, "graafrust_days": GR, "time_limit_s": 20, "relative_gap": 0.0}
    base.update(kw)
    return Settings(**base)


ROAD = work("road", D(2026, 1, 1), D(2026, 4, 30), renewal=True, fixed=True)  # ends in 2026-K2


# --------------------------------------------------------------------------- the rule itself


def test_renewal_closes_a_dig_that_ends_in_its_last_period() -> None:
    periods = Periods(2026, 2028, 4)
    r = Option(0, D(2026, 1, 1).toordinal(), D(2026, 4, 30).toordinal())
    closed = Option(0, D(2026, 1, 1).toordinal(), D(2026, 6, 15).toordinal())  # ends in 2026-K2 too
    later = Option(2, D(2026, 7, 1).toordinal(), D(2026, 9, 30).toordinal())
    spanning = Option(0, D(2026, 1, 1).toordinal(), D(2026, 7, 15).toordinal())  # runs past the period
    assert nodig_hit(r, closed, GR, periods) == 0
    assert nodig_hit(r, later, GR, periods) == 92
    assert nodig_hit(r, spanning, GR, periods) > 0


def test_shared_opening_has_no_violation_and_one_opening_per_period() -> None:
    sewer = work("sewer", D(2026, 1, 1), D(2026, 6, 15), fixed=True)
    result = plan_programme([ROAD, sewer], street(), settings())
    for name in ("programme", "uncoordinated", "enforced"):
        m = result.metrics[name]
        assert m.no_dig == [], name  # the road is laid last and closes the sewer's opening
        assert m.street_openings == 2  # one segment, 2026-K1 and K2, shared by both works
    text = explain(result, sewer.key)
    assert "gesloten door de herbestrating" in text and ROAD.key in text


def test_later_dig_is_refused_and_moved_by_the_programme() -> None:
    cable = work("cable", D(2026, 7, 1), D(2026, 8, 31), asset_types=("elektriciteit",), owner="netbeheerder-b")
    result = plan_programme([ROAD, cable], street(), settings())
    unco = result.metrics["uncoordinated"].no_dig
    assert [(v["renewal"], v["plan"]) for v in unco] == [(ROAD.key, cable.key)]
    assert result.metrics["programme"].no_dig == []
    start, end = result.dates()[cable.key]
    assert end <= D(2026, 6, 30) or start > D(2026, 4, 30) + dt.timedelta(days=GR)
    # the municipality refuses it and pushes it to the day after the no-dig period
    pushed = result.dates("enforced")[cable.key][0]
    assert pushed == D(2026, 4, 30) + dt.timedelta(days=GR + 1)
    assert result.enforced_pushes["pushed"] == 1
    assert result.metrics["enforced"].no_dig == []
    assert "graafrust" in explain(result, cable.key)


def test_no_dig_starts_when_the_shared_opening_ends() -> None:
    sewer = work("sewer", D(2026, 1, 1), D(2026, 6, 15), fixed=True)
    gap = D(2026, 4, 30) + dt.timedelta(days=GR + 10)  # after the road's own no-dig, before the opening's
    late = work("late", gap, gap + dt.timedelta(days=30), fixed=True, asset_types=("gas",))
    result = plan_programme([ROAD, sewer, late], street(), settings())
    bad = result.metrics["uncoordinated"].no_dig
    assert [(v["renewal"], v["plan"], v["both_fixed"]) for v in bad] == [(ROAD.key, late.key, True)]


def test_enforced_baseline_lays_paving_after_a_fixed_dig() -> None:
    dig = work("dig", D(2026, 3, 1), D(2026, 8, 31), fixed=True)
    road = work("road2", D(2026, 4, 1), D(2026, 5, 31), renewal=True, excavation=False)
    result = plan_programme([dig, road], street(), settings())
    assert result.dates("enforced")[road.key][0] == D(2026, 9, 1)
    assert result.metrics["enforced"].no_dig == []
    assert result.metrics["programme"].no_dig == []


# --------------------------------------------------------------------------- windows and hardness


def test_windows_follow_condition_and_due_year() -> None:
    rule = WindowRule()
    assert window_of(6, 2035, rule, 2026, 2040) == (2026, 2027, 2026, "5-6")  # now or next year
    assert window_of(4, 2030, rule, 2026, 2040) == (2028, 2032, 2030, "3-4")
    assert window_of(2, 2030, rule, 2026, 2040) == (2027, 2033, 2030, "1-2")
    assert window_of(None, 2020, rule, 2026, 2040) == (2026, 2029, 2026, "1-2")  # overdue: due now
    assert window_of(3, 2040, rule, 2026, 2040) == (2038, 2040, 2040, "3-4")  # clamped to the horizon
    assert window_of(4, 2030, rule, 2026, 2040, slack=1) == (2027, 2033, 2030, "3-4")


def test_candidate_windows_per_asset_type_from_the_assets() -> None:
    def asset(aid: str, kind: str, condition: int | None, install: int) -> Asset:
        return Asset(
            id=aid,
            owner="o",
            asset_type=kind,
            geometry=shapely.LineString([(X0, Y0), (X0 + 50, Y0)]),
            condition=condition,
            install_year=install,
            expected_life_years=50,
        )

    assets = [asset("g1", "gas", 2, 1982), asset("t1", "telecom", 2, 1982), asset("w1", "gas", 3, 1980)]
    assets.append(asset("w2", "gas", 4, 1985))

    def cand(cid: str, kind: str, ids: list[str]) -> Candidate:
        return Candidate(cid, "o", kind, "s0", "Dorpsstraat", ids, 2032, 2032, 1.0, assets[0].geometry)

    found = [cand("G", "gas", ["g1"]), cand("T", "telecom", ["t1"]), cand("W", "gas", ["w1", "w2"])]
    wins = candidate_windows(found, assets, 2026, 2040)
    assert (wins["o:G"].first_year, wins["o:G"].last_year) == (2030, 2034)  # gas: +/- 2 when in good condition
    assert (wins["o:T"].first_year, wins["o:T"].last_year) == (2028, 2036)  # telecom: low risk, +/- 4
    # the worst condition and the earliest due year of its assets decide
    assert wins["o:W"].condition_class == "3-4" and wins["o:W"].own_year == 2030
    rules = parse_rules({"telecom": {"1-2": [-1, 1]}}, "scenario.yaml: candidate_windows")
    assert rules["telecom"].good == (-1, 1) and rules["telecom"].poor == (0, 1)


def test_bad_window_rules_name_the_key() -> None:
    with pytest.raises(ValueError, match=r"candidate_windows.gas.7-8: unknown condition class"):
        parse_rules({"gas": {"7-8": [0, 1]}}, "candidate_windows")
    with pytest.raises(ValueError, match=r"candidate_windows.gas.3-4: expected \[years before, years after\]"):
        parse_rules({"gas": {"3-4": [2, -2]}}, "candidate_windows")


def test_registered_plans_move_only_within_their_hardness() -> None:
    periods, s = Periods(2026, 2030, 4), settings(to_year=2030, max_shift_years=3)
    start, end = D(2028, 1, 1), D(2028, 3, 31)
    ind = make_item(0, work("i", start, end), periods, s)
    vgn = make_item(1, work("v", start, end, hardness=Hardness.VOORGENOMEN), periods, s)
    bsl = make_item(2, work("b", start, end, phase=Phase.ONTWERP, hardness=Hardness.BESLOTEN), periods, s)
    assert [o.bucket for o in ind.options] == list(range(0, 17))  # +/- 2 years
    assert [o.bucket for o in vgn.options] == list(range(4, 13))  # +/- 1 year
    assert not bsl.movable


def test_candidate_own_year_is_its_due_year() -> None:
    plan = Plan(
        id="VC",
        name="Vervanging",
        owner="o",
        phase=Phase.IDEE,
        asset_types=("gas",),
        geometry=shapely.LineString([(X0 + 1, Y0), (X0 + 99, Y0)]),
        earliest_start=D(2026, 1, 1),
        latest_end=D(2028, 12, 31),
        duration_days=90,
    )
    inst = build_instance([plan], street(), settings(), own_starts={plan.key: D(2027, 1, 1)})
    assert inst.items[0].own.start == D(2027, 1, 1).toordinal()
    assert inst.items[0].options[0].start == D(2026, 1, 1).toordinal()


# --------------------------------------------------------------------------- sweep and scenario


def test_sweep_spec() -> None:
    assert parse_sweep("candidate_slack_years=0..3").values == (0, 1, 2, 3)
    assert parse_sweep("max_shift_years=1,2").values == (1, 2)
    with pytest.raises(SweepError, match="cannot sweep 'budget'"):
        parse_sweep("budget=1..2")
    with pytest.raises(SweepError, match="whole numbers"):
        parse_sweep("candidate_slack_years=a..b")


def test_scenario_windows_and_hardness(tmp_path: Path) -> None:
    from openruimte.analysis.weighing import WeightsError
    from openruimte.services.plan import load_scenario, make_settings

    good = tmp_path / "s.yaml"
    good.write_text(
        "candidate_windows:\n  telecom: {'1-2': [-5, 5]}\nhardness_shift_years: {voorgenomen: 0}\n", encoding="utf-8"
    )
    sc = load_scenario(good)
    assert sc.candidate_windows == {"telecom": {"1-2": [-5, 5]}}
    st = make_settings(sc, from_year=2026, to_year=2040, bucket="quarter", time_limit_s=10)
    assert st.shift_years("voorgenomen") == 0 and st.shift_years("indicatief") == 2
    bad = tmp_path / "b.yaml"
    bad.write_text("candidate_windows:\n  gas: {'3-4': [1]}\n", encoding="utf-8")
    with pytest.raises(WeightsError, match=r"b.yaml: candidate_windows.gas.3-4"):
        load_scenario(bad)


def test_sweep_writes_table_and_plot(tmp_path: Path) -> None:
    from openruimte.planner.sweep import sweep_row
    from openruimte.reports.sweep import write_plot, write_table

    later = work("cable", D(2026, 7, 1), D(2026, 8, 31), asset_types=("elektriciteit",), owner="netbeheerder-b")
    rows = []
    for years in (0, 1):
        result = plan_programme([ROAD, later], street(), settings(max_shift_years=years))
        rows.append(sweep_row("max_shift_years", years, result.to_json()))
    assert [r["max_shift_years"] for r in rows] == [0, 1]
    assert rows[1]["programme.street_openings"] == result.metrics["programme"].street_openings
    assert {"openings_vs_uncoordinated", "openings_vs_enforced", "enforced.cost_eur"} <= set(rows[0])
    csv_path = write_table(rows, tmp_path / "sweep.csv")
    assert csv_path.read_text(encoding="utf-8").splitlines()[0].startswith("max_shift_years,")
    png, svg = write_plot(rows, "max_shift_years", tmp_path / "sweep")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "<svg" in svg.read_text(encoding="utf-8")


# --------------------------------------------------------------------------- baselines and counting (session 4)


def test_own_month_spreads_owners_but_keeps_one_owners_street_together() -> None:
    from openruimte.planner.windows import own_month, own_starts

    months = {own_month(f"owner-{n}", "str-1", 2030) for n in range(40)}
    assert months == {1, 4, 7, 10}  # forty owners do not all start on 1 January
    assert own_month("gemeente", "str-1", 2030) == own_month("gemeente", "str-1", 2030)
    asset = Asset(id="a1", owner="o", asset_type="gas", geometry=shapely.Point(X0, Y0), condition=3, install_year=1980)
    cand = Candidate("c1", "o", "gas", "str-9", "Dorpsstraat", ["a1"], 2030, 2030, 1.0, asset.geometry)
    wins = candidate_windows([cand], [asset], 2026, 2040)
    start = own_starts(wins)[cand.key]
    assert start == D(wins[cand.key].own_year, own_month("o", "str-9", wins[cand.key].own_year), 1)


def test_openings_past_the_horizon_count_for_every_programme() -> None:
    from openruimte.planner.metrics import evaluate
    from openruimte.planner.segments import map_segments

    late = work("late", D(2028, 11, 1), D(2029, 4, 30), fixed=True)  # two quarters past the horizon (2026-2028)
    st = settings()
    segmap = map_segments([late], street(), distance_m=3.0, min_overlap_m=15.0, point_snap_m=20.0)
    m = evaluate([late], {late.key: (late.start, late.end)}, segmap, st)
    assert m.street_openings == 3  # 2028-K4, 2029-K1, 2029-K2
    inst = build_instance([late], segmap, st)
    from openruimte.planner.objective import Objective

    assert Objective(inst).terms([0])["openings"] == m.street_openings


def test_class_bounds_never_exceed_what_a_programme_reaches() -> None:
    from openruimte.planner.cpsat import class_bound
    from openruimte.planner.synthetic import synthetic

    plans, segs = synthetic(80, seed=2)
    result = plan_programme(plans, segs, Settings(time_limit_s=600, deterministic_time=2.0, num_workers=1))
    inst, obj = result.instance, result.objective
    total = sum(min(p) for p in obj.item_points)
    for c, coef in enumerate(obj.coef):
        bound = class_bound(inst, obj, c, result.assignment, 0.5)
        for assignment in (result.assignment, result.greedy_assignment):
            o, d, t = obj.class_terms(c, assignment)
            assert bound <= o * coef.openings + d * coef.days + t * coef.trench
        total += bound
    assert result.solver.best_bound <= result.solver.objective
    assert total <= obj.total(result.assignment)
