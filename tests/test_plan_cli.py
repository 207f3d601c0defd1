"""``openruimte plan`` end to end on a small store: the programme it writes is checked
against windows, no-dig periods and budgets independently of the solver."""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict

import pytest
from typer.testing import CliRunner

from openruimte.cli import app
from openruimte.model import Plan, StreetSegment
from openruimte.services.plan import load_scenario
from openruimte.services.weigh import WeightsError
from tests.factories import asset, line, plan

runner = CliRunner()
GRAAFRUST = 1095

SCENARIO = """\
name: krap
budgets:
  netbeheerder-y: {2026: 0, 2027: 0, 2028: 150000, 2029: 150000, 2030: 150000}
  gemeente-voorbeeldstad: 900000
crew_capacity: 3
planner_weights:
  openings: 120
settings:
  seed: 1
  num_workers: 1
  deterministic_time: 5
  max_shift_years: 2
weights:
  preset: assetgericht
"""


def plans() -> list[Plan]:
    return [
        plan(
            id="road",
            asset_types="weg",
            themes="vervanging",
            phase="realisatie",
            hardness="besloten",
            excavation="nee",
            surface_renewal="ja",
            start="2027-01-01",
            end="2027-06-30",
            budget_eur=300_000,
        ),
        plan(
            id="sewer",
            asset_types="gemengd_riool",
            hardness="indicatief",
            start="2028-01-01",
            end="2028-06-30",
            budget_eur=400_000,
            geometry=line(dy=1),
        ),
        plan(
            id="cable",
            owner="netbeheerder-y",
            asset_types="elektriciteit",
            start=None,
            end=None,
            earliest_start="2026-01-01",
            latest_end="2030-12-31",
            duration_days=60,
            budget_eur=100_000,
            geometry=line(dy=2),
        ),
        plan(
            id="water",
            owner="waterbedrijf-z",
            asset_types="drinkwater",
            hardness="voorgenomen",
            start="2026-04-01",
            end="2026-06-30",
            budget_eur=200_000,
            geometry=line(dy=-2),
        ),
        plan(
            id="fibre",
            owner="telecom-q",
            asset_types="telecom",
            start=None,
            end=None,
            earliest_start="2027-01-01",
            latest_end="2029-12-31",
            geometry=line(dy=100),
        ),
    ]


def streets() -> list[StreetSegment]:
    return [
        StreetSegment(id="str-1", name="Kerkstraat", profile_width_m=8.0, geometry=line(length=100)),
        StreetSegment(id="str-2", name="Molenweg", profile_width_m=8.0, geometry=line(dy=100, length=100)),
    ]


def fill(store) -> None:
    with store.writer("test") as w:
        w.upsert("streets", streets())
        w.upsert("plans", plans())
        # a due drinking-water main under the Molenweg: a replacement candidate
        w.upsert(
            "assets",
            [asset(id="dw1", owner="waterbedrijf-z", asset_type="drinkwater", condition=5, geometry=line(dy=101))],
        )


def run(db_url, tmp_path, *extra: str, name: str = "programme.json") -> tuple[dict, str]:
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text(SCENARIO)
    out = tmp_path / name
    args = ["plan", "--db", db_url, "--from", "2026", "--to", "2030", "--scenario", str(scenario)]
    result = runner.invoke(app, [*args, "--time-limit", "20", "--out", str(out), *extra])
    assert result.exit_code == 0, result.output
    return json.loads(out.read_text()), result.output


def _d(s: str) -> dt.date:
    return dt.date.fromisoformat(s)


def check_programme(data: dict, originals: list[Plan], budgets: dict[str, dict[int, float]]) -> None:
    """Windows, fixed plans, no-dig and budgets, from programme.json and the plans alone."""
    by_key = {p.key: p for p in originals}
    rows = {r["key"]: r for r in data["plans"]}
    for key, r in rows.items():
        start, end = _d(r["start"]), _d(r["end"])
        p = by_key.get(key)
        if p is None:  # a replacement candidate: its window is the horizon
            assert r["candidate"] and dt.date(2026, 1, 1) <= start and end <= dt.date(2030, 12, 31)
            continue
        if p.earliest_start:
            assert start >= p.earliest_start, key
        if p.latest_end:
            assert end <= p.latest_end, key
        if p.scheduled:
            assert (end - start) == (p.end - p.start), key
            assert abs((start - p.start).days) <= 2 * 366 + 31, key
        decided = p.phase in ("realisatie", "beheer") or p.hardness == "besloten"
        if decided and p.scheduled:  # fixed at its own dates
            assert (start, end) == (p.start, p.end), key
    excused = {(x["renewal"], x["plan"]) for x in data["no_dig_unavoidable"]}
    for rk, r in rows.items():
        rp = by_key.get(rk)
        if rp is None or not rp.surface_renewal:
            continue
        for xk, x in rows.items():
            xp = by_key.get(xk)
            excavates = xp.excavation if xp is not None else True
            near = set(r["segments"]) & set(x["segments"])
            if xk == rk or not excavates or not near or (rk, xk) in excused:
                continue
            lo, hi = _d(r["end"]) + dt.timedelta(days=1), _d(r["end"]) + dt.timedelta(days=GRAAFRUST)
            assert _d(x["end"]) < lo or _d(x["start"]) > hi, (rk, xk)
    spend: dict[tuple[str, int], float] = defaultdict(float)
    for key, r in rows.items():
        p = by_key.get(key)
        if p is None or not p.budget_eur:
            continue
        start, end = _d(r["start"]), _d(r["end"])
        days = (end - start).days + 1
        for year in range(start.year, end.year + 1):
            a, b = max(start, dt.date(year, 1, 1)), min(end, dt.date(year, 12, 31))
            spend[(p.owner, year)] += p.budget_eur * ((b - a).days + 1) / days
    for (owner, year), eur in spend.items():
        if owner in budgets and year in budgets[owner]:
            assert eur <= budgets[owner][year] + 100, (owner, year, eur)


def test_plan_cli_end_to_end(store, db_url, tmp_path):
    fill(store)
    data, output = run(db_url, tmp_path, "--explain", "sewer")
    # the comparison table and the explanation with the score's criteria
    assert "programme vs baselines" in output and "straat" in output, output
    assert "Gewichten:" in output and "afwegingskader (assetgericht)" in output
    assert "urgentie assets" in output
    keys = {r["key"] for r in data["plans"]}
    assert {p.key for p in plans()} <= keys
    assert data["candidates"] == 1 and any(r["candidate"] for r in data["plans"])
    assert data["weighing"]["preset"] == "assetgericht" and data["weighing"]["planner_weights"]["openings"] == 120
    assert data["scenario"] == "krap"
    assert set(data["metrics"]) == {"programme", "greedy", "uncoordinated", "enforced"}
    assert "gap" in data["solver"]
    for r in data["plans"]:
        assert 0 <= r["score"] <= 1 and set(r["score_breakdown"]) >= {"asset_urgency", "feasibility"}
    budgets = {
        "netbeheerder-y": {2026: 0, 2027: 0, 2028: 150_000, 2029: 150_000, 2030: 150_000},
        "gemeente-voorbeeldstad": dict.fromkeys(range(2026, 2031), 900_000),
    }
    check_programme(data, plans(), budgets)
    rows = {r["key"]: r for r in data["plans"]}
    assert _d(rows["netbeheerder-y:cable"]["start"]).year >= 2028  # no budget before
    sewer = rows["gemeente-voorbeeldstad:sewer"]  # its own period lies in the no-dig period after the road
    assert _d(sewer["end"]) < dt.date(2027, 7, 1) or _d(sewer["start"]) > dt.date(2030, 6, 30)
    assert data["metrics"]["programme"]["no_dig_violations"] == 0
    assert data["metrics"]["uncoordinated"]["no_dig_violations"] >= 1
    saved = store.latest_analysis("programme")
    assert saved is not None and saved["result"]["plans"] == data["plans"]


def test_plan_is_deterministic_with_fixed_seed_and_workers(store, db_url, tmp_path):
    fill(store)
    first, _ = run(db_url, tmp_path, name="a.json")
    second, _ = run(db_url, tmp_path, name="b.json")
    assert [(r["key"], r["start"]) for r in first["plans"]] == [(r["key"], r["start"]) for r in second["plans"]]
    assert first["metrics"]["programme"] == second["metrics"]["programme"]


def test_plan_without_candidates_and_with_a_preset(tmp_path):
    from openruimte.store import Store

    db = f"sqlite:///{tmp_path / 'p.db'}"
    with Store.open(db) as store:
        fill(store)
    out = tmp_path / "p.json"
    result = runner.invoke(
        app,
        ["plan", "--db", db, "--no-candidates", "--preset", "gebiedsgericht", "--bucket", "year"]
        + ["--from", "2026", "--to", "2030", "--time-limit", "5", "--out", str(out)],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text())
    assert data["candidates"] == 0 and not any(r["candidate"] for r in data["plans"])
    assert data["horizon"]["bucket"] == "year" and data["weighing"]["preset"] == "gebiedsgericht"
    check_programme(data, plans(), {})
    result = runner.invoke(app, ["plan", "--db", db, "--time-limit", "5", "--explain", "nobody"])
    assert result.exit_code == 1 and "no plan 'nobody'" in result.output
    result = runner.invoke(app, ["plan", "--db", db, "--from", "2030", "--to", "2026"])
    assert result.exit_code == 1 and "--to 2026 is before --from 2030" in result.output


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("speed: 1\n", "unknown key 'speed'"),
        ("budgets:\n  gemeente-x: -5\n", "budgets.gemeente-x: must be at least 0"),
        ("budgets:\n  gemeente-x: {twenty: 5}\n", "budgets.gemeente-x.twenty: expected a year"),
        ("crew_capacity: {BU1: 0}\n", "crew_capacity.BU1: must be at least 1"),
        ("planner_weights: {speed: 1}\n", "planner_weights.speed: unknown weight"),
        ("settings: {seed: 1.5}\n", "settings.seed: expected a whole number"),
        ("settings: {time_limit: 5}\n", "settings.time_limit: unknown setting"),
        ("weights: {policy_fit: -1}\n", "weights.policy_fit: the weight is negative"),
        ("budgets: [1, 2]\n", "budgets: expected a mapping"),
    ],
)
def test_scenario_errors_name_file_and_key(tmp_path, text, message):
    path = tmp_path / "scenario.yaml"
    path.write_text(text)
    with pytest.raises(WeightsError) as err:
        load_scenario(path)
    assert message in str(err.value) and str(path) in str(err.value)
    db = f"sqlite:///{tmp_path / 'e.db'}"
    result = runner.invoke(app, ["plan", "--db", db, "--scenario", str(path)])
    assert result.exit_code == 1 and message in result.output and "Traceback" not in result.output


def test_scenario_weights_and_budgets_reach_the_settings(tmp_path):
    from openruimte.services.plan import make_settings

    path = tmp_path / "s.yaml"
    path.write_text(SCENARIO)
    sc = load_scenario(path)
    s = make_settings(sc, from_year=2026, to_year=2030, bucket="year", time_limit_s=7)
    assert s.budgets["netbeheerder-y"][2028] == 150_000 and s.budgets["gemeente-voorbeeldstad"] == 900_000
    assert s.crew_capacity == 3 and s.weights.openings == 120 and s.seed == 1 and s.deterministic_time == 5
    assert sc.weights is not None and sc.weights_label == "assetgericht"


def test_candidates_served_by_a_registered_plan_are_dropped_and_windows_widen():
    from openruimte.analysis.candidates import Horizon, find_candidates
    from openruimte.services.plan import served, widened

    assets = [
        asset(
            id="under-plan",
            asset_type="gemengd_riool",
            condition=6,
            geometry=line(dy=1),
            attributes={"street_id": "str-1"},
        ),
        asset(
            id="elsewhere",
            asset_type="gemengd_riool",
            condition=6,
            geometry=line(dy=100),
            attributes={"street_id": "str-2"},
        ),
        asset(
            id="other-type",
            asset_type="drinkwater",
            condition=6,
            geometry=line(dy=1),
            attributes={"street_id": "str-1"},
        ),
    ]
    found = find_candidates(assets, streets(), Horizon(2026, 2040))
    sewer = plan(id="sewer", asset_types="gemengd_riool")  # same owner, same type, same street
    open_, done = served(found, [sewer])
    assert [c.id for c in done] == ["VC-gemengd_riool-str-1"]
    assert sorted(c.id for c in open_) == ["VC-drinkwater-str-1", "VC-gemengd_riool-str-2"]
    wide = widened(open_, 2, 2026, 2040)
    assert all(c.first_year == 2026 and c.last_year == 2028 for c in wide)  # overdue: 2026, plus two years
