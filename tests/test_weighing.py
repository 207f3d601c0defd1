"""The weighting framework: criteria on hand-built data, presets, YAML weights, sensitivity,
the policy registry's round trip and ``openruimte weigh`` on the store."""

from __future__ import annotations

import itertools
import json

import numpy as np
import pytest
import shapely
from typer.testing import CliRunner

from openruimte import io
from openruimte.analysis import weighing as wg
from openruimte.cli import app
from openruimte.model import Area, EnvironmentFeature, EnvironmentLayer, PolicyGoal, VitalElement, VitalSystem
from openruimte.services.weigh import load_weights
from tests.factories import X0, Y0, asset, line, plan

runner = CliRunner()
S = wg.WeighingSettings(ref_year=2026, horizon_years=15)


def areas() -> list[Area]:
    return [
        Area.from_record(
            {
                "code": "WK1",
                "name": "Wijk",
                "level": "wijk",
                "geometry": shapely.box(X0 - 1000, Y0 - 1000, X0 + 1000, Y0 + 1000),
            }
        ),
        Area.from_record(
            {
                "code": "BU1",
                "name": "Buurt",
                "level": "buurt",
                "parent": "WK1",
                "geometry": shapely.box(X0 - 500, Y0 - 500, X0 + 500, Y0 + 500),
            }
        ),
    ]


def goals() -> list[PolicyGoal]:
    return [
        PolicyGoal.from_record(
            {
                "id": "g1",
                "owner": "gemeente-x",
                "theme": "hittestress",
                "indicator": "PET",
                "kind": "normerend",
                "area": "BU1",
                "current": 38,
                "target": 35,
                "unit": "°C",
                "horizon_year": 2035,
                "measures": "vergroenen;ontharden",
            }
        ),
        PolicyGoal.from_record(
            {
                "id": "g2",
                "owner": "gemeente-x",
                "theme": "wateroverlast",
                "indicator": "waterdiepte",
                "kind": "ambierend",
                "area": "WK1",
                "current": 0.4,
                "target": 0.2,
                "unit": "m",
            }
        ),
    ]


# --------------------------------------------------------------------------- criteria


def test_asset_urgency_of_own_types_near_the_plan():
    p = plan(id="sewer", asset_types="gemengd_riool")
    assets = [
        asset(id="bad", condition=6, geometry=line(dy=2)),  # u = 1
        asset(id="good", condition=1, replacement_year=2041, install_year=None, geometry=line(dy=3)),  # u = 0
        asset(id="gas", asset_type="gas", condition=6, geometry=line(dy=2)),  # other type
        asset(id="far", condition=6, geometry=line(dy=50)),  # too far
    ]
    values, details = wg.asset_urgency([p], assets, S)
    assert values[0] == pytest.approx(0.5)
    assert details[0] == {"assets": 2, "max": 1.0}
    # condition 4 -> 0.6, replacement in 2031 -> 1 - 5/15; the larger counts; overdue counts 1
    assert wg.asset_u(asset(condition=4, replacement_year=2031), S) == pytest.approx(2 / 3)
    assert wg.asset_u(asset(condition=2, install_year=1950, expected_life_years=60), S) == 1.0
    assert wg.asset_urgency([plan(asset_types="woningbouw")], assets, S)[0][0] == 0.0


def test_policy_fit_from_area_goals_and_links_with_warnings():
    gap1 = 3 / (0.25 * 38)  # normerend, k = 1
    plans = [
        plan(id="both", themes="hittestress;wateroverlast"),
        plan(id="none", themes="mobiliteit"),
        plan(id="linked", themes="", goals="gemeente-x:g1"),
        plan(id="by-id", themes="", goals="g1"),
        plan(id="unknown", themes="", goals="gemeente-x:nope"),
    ]
    values, details, warnings = wg.policy_fit(plans, goals(), areas(), ["BU1"] * len(plans))
    assert values[0] == pytest.approx(1 - (1 - gap1) * (1 - 0.75 * 1.0))  # g2 in the wijk, gap capped at 1
    assert details[0]["goals"] == ["gemeente-x:g1", "gemeente-x:g2"]
    assert values[1] == 0.0
    assert values[2] == pytest.approx(gap1) and details[2]["linked"] == ["gemeente-x:g1"]
    assert values[3] == pytest.approx(gap1)
    assert values[4] == 0.0
    assert len(warnings) == 1 and "nope" in warnings[0] and "gemeente-voorbeeldstad:unknown" in warnings[0]
    unknown = PolicyGoal.from_record({"id": "u", "owner": "o", "theme": "x", "indicator": "i", "area": "BU1"})
    assert wg.goal_gap(unknown) == 0.5


def test_policy_goal_by_geometry_applies_where_the_plan_touches_it():
    zone = PolicyGoal.from_record(
        {
            "id": "zone",
            "owner": "waterschap-w",
            "theme": "wateroverlast",
            "indicator": "waterdiepte",
            "kind": "normerend",
            "current": 0.5,
            "target": 0.2,
            "geometry": shapely.box(X0, Y0 - 5, X0 + 50, Y0 + 5),
        }
    )
    plans = [plan(id="in", themes="wateroverlast"), plan(id="out", themes="wateroverlast", geometry=line(dy=40))]
    values, details, _ = wg.policy_fit(plans, [zone], [], [None, None])
    assert values.tolist() == [1.0, 0.0] and details[0]["goals"] == ["waterschap-w:zone"]
    assert wg.unknown_goal_refs([plan(goals="zone;waterschap-w:zone;nope")], [zone]) == [
        "plan gemeente-voorbeeldstad:p1 (Vervanging riool Kerkstraat) refers to policy goal 'nope', which is not in the registry"
    ]


def test_environment_takes_the_worst_value_scaled_per_layer():
    heat = EnvironmentLayer(name="hittestress", title="PET", higher_is_worse=True)
    heat.features = [
        EnvironmentFeature(id="cool", value=30, geometry=shapely.box(X0, Y0 - 10, X0 + 100, Y0 + 10)),
        EnvironmentFeature(id="hot", value=40, geometry=shapely.box(X0, Y0 + 90, X0 + 100, Y0 + 110)),
    ]
    social = EnvironmentLayer(name="sociale_index", title="SI", higher_is_worse=False)
    social.features = [
        EnvironmentFeature(id="low", value=5, geometry=shapely.box(X0, Y0 + 50, X0 + 100, Y0 + 200)),
        EnvironmentFeature(id="high", value=8, geometry=shapely.box(X0, Y0 - 50, X0 + 100, Y0 + 49)),
    ]
    other = EnvironmentLayer(name="oppervlaktewater", title="water")
    plans = [
        plan(id="hot", geometry=line(dy=100)),
        plan(id="cool", geometry=line()),
        plan(id="out", geometry=line(dy=900)),
    ]
    values, details = wg.environment(plans, [heat, social, other], S)
    assert values.tolist() == pytest.approx([1.0, 0.0, 0.0])
    assert details[0] == {"hittestress": 1.0, "sociale_index": 1.0}
    assert details[2] == {}


def test_coupling_value_counts_and_savings():
    keys = ["o:a", "o:b", "o:c", "o:d"]
    couplings = [
        {"a": "o:a", "b": "o:b", "explanation": {"saving_eur": 1000}},
        {"a": "o:a", "b": "o:c", "explanation": {"saving_eur": 3000}},
    ]
    values, details = wg.coupling_value(keys, couplings, S)
    assert values.tolist() == pytest.approx([0.5 * 2 / 3 + 0.5, 0.5 / 3 + 0.5 * 0.25, 0.5 / 3 + 0.5 * 0.75, 0.0])
    assert details[0] == {"couplings": 2, "saving_eur": 4000}


def test_grid_relief_for_networks_in_an_exceeded_service_area():
    area = shapely.box(X0 - 100, Y0 - 100, X0 + 300, Y0 + 100)
    b = [wg.Bottleneck(id="os1", area=area, overload=0.1)]
    plans = [
        plan(id="e", asset_types="elektriciteit"),
        plan(id="w", asset_types="warmte"),
        plan(id="g", asset_types="gas"),
        plan(id="far", asset_types="elektriciteit", geometry=line(dy=500)),
    ]
    values, details = wg.grid_relief(plans, b, S)
    assert values.tolist() == pytest.approx([0.75, 0.45, 0.0, 0.0])
    assert details[0] == {"substation": "os1", "overload": 0.1}


def test_feasibility_from_hardness_phase_and_budget():
    plans = [
        plan(id="a", hardness="besloten", phase="beheer", budget_eur=100),
        plan(id="b", hardness="indicatief", phase="idee"),
        plan(id="c", hardness="voorgenomen", phase="ontwerp", budget_eur=5),
    ]
    assert wg.feasibility(plans).tolist() == pytest.approx([1.0, 0.0, 0.6])


def test_score_is_the_weighted_mean_with_a_breakdown():
    p = plan(id="x", hardness="besloten", phase="beheer", budget_eur=1)
    result = wg.weigh([p], {"feasibility": 1, "asset_urgency": 3})
    assert result.scores[0] == pytest.approx(0.25)
    b = result.breakdown(0)
    assert b["feasibility"] == {"value": 1.0, "weight": 0.25, "contribution": 0.25}
    assert sum(v["contribution"] for v in b.values()) == pytest.approx(result.scores[0])
    data = result.to_json()
    assert data["plans"][0]["rank"] == 1 and set(data["plans"][0]["breakdown"]) == set(wg.CRITERIA)


def test_presets_order_plans_the_expected_way():
    # "pipe" replaces a bad sewer without serving a goal; "green" serves the heat goal, no asset is due
    plans = [
        plan(id="pipe", themes="vervanging", asset_types="gemengd_riool"),
        plan(id="green", themes="hittestress;wateroverlast", asset_types="groen", geometry=line(dy=300)),
    ]
    data = dict(assets=[asset(condition=6, geometry=line(dy=1))], goals=goals(), areas=areas())
    by_preset = {}
    for name in wg.PRESETS:
        result = wg.weigh(plans, wg.preset(name), preset_name=name, **data)
        by_preset[name] = [result.keys[i] for i in np.argsort(result.ranks())]
    assert by_preset["assetgericht"][0].endswith(":pipe")
    assert by_preset["opgavegericht"][0].endswith(":green")


# --------------------------------------------------------------------------- weights


def test_weights_yaml_preset_base_and_errors(tmp_path):
    good = tmp_path / "w.yaml"
    good.write_text("preset: assetgericht\nweights:\n  policy_fit: 0.5\n")
    w, label = load_weights(path=good)
    assert w["policy_fit"] == 0.5 and w["asset_urgency"] == wg.PRESETS["assetgericht"]["asset_urgency"]
    assert "assetgericht" in label
    flat = tmp_path / "flat.yaml"
    flat.write_text("asset_urgency: 2\nfeasibility: 1\n")
    assert load_weights(path=flat)[0]["asset_urgency"] == 2.0
    assert load_weights("gebiedsgericht")[0] == wg.PRESETS["gebiedsgericht"]
    cases = {
        "policy: 1\n": "unknown criterion 'policy'",
        "weights:\n  asset_urgency: -1\n": "weights.asset_urgency",
        "asset_urgency: veel\n": "asset_urgency: the weight must be a number",
        "asset_urgency: 0\n": "all weights are zero",
        "preset: snel\n": "unknown preset 'snel'",
        "asset_urgency: [1\n": "not valid YAML",
        "- 1\n": "expected a mapping",
    }
    for text, message in cases.items():
        bad = tmp_path / "bad.yaml"
        bad.write_text(text)
        with pytest.raises(wg.WeightsError) as err:
            load_weights(path=bad)
        assert message in str(err.value) and str(bad) in str(err.value), text
    assert "negative" in str(pytest.raises(wg.WeightsError, wg.check_weights, {"environment": -0.1}).value)
    with pytest.raises(wg.WeightsError, match="cannot read"):
        load_weights(path=tmp_path / "missing.yaml")


# --------------------------------------------------------------------------- sensitivity


def _tau_brute(x, y):
    conc = disc = tx = ty = 0
    for i, j in itertools.combinations(range(len(x)), 2):
        a, b = np.sign(x[i] - x[j]), np.sign(y[i] - y[j])
        if a and b:
            conc += a == b
            disc += a != b
        elif a:
            tx += 1
        elif b:
            ty += 1
    return (conc - disc) / np.sqrt((conc + disc + tx) * (conc + disc + ty))


def test_kendall_tau_matches_the_definition_with_ties():
    rng = np.random.default_rng(3)
    x = rng.integers(0, 6, 70).astype(float)
    y = x + rng.integers(-2, 3, 70)
    assert wg.kendall_tau(x, y, chunk=16) == pytest.approx(_tau_brute(x, y))
    assert wg.kendall_tau(x, x) == pytest.approx(1.0)
    assert wg.kendall_tau(x, -x) == pytest.approx(-1.0)


def test_sensitivity_shows_which_weight_flips_the_ranking():
    # a: asset 0.6 policy 0.4; b: asset 0.4 policy 0.6 -> equal at equal weights; c always last
    crit = np.zeros((3, len(wg.CRITERIA)))
    crit[0, :2] = [0.62, 0.4]
    crit[1, :2] = [0.4, 0.6]
    weights = wg.check_weights({"asset_urgency": 1, "policy_fit": 1})
    w = wg.Weighing(["o:a", "o:b", "o:c"], ["a", "b", "c"], ["o"] * 3, crit, weights, [{}] * 3)
    rows = wg.sensitivity(w)
    assert [(r["criterion"], r["factor"]) for r in rows] == [
        ("asset_urgency", 0.8),
        ("asset_urgency", 1.2),
        ("policy_fit", 0.8),
        ("policy_fit", 1.2),
    ]
    down = rows[0]  # less weight on assets: b overtakes a
    assert down["moved"] == 2 and down["max_shift"] == 1 and down["kendall_tau"] < 1
    assert {m["key"] for m in down["movers"]} == {"o:a", "o:b"}
    assert rows[1]["moved"] == 0 and rows[1]["kendall_tau"] == 1.0


# --------------------------------------------------------------------------- policy registry and the store


@pytest.mark.parametrize("fmt", ["geojson", "jsonfg", "gpkg", "csv", "xlsx"])
def test_policy_import_export_round_trip_all_fields(db_url, tmp_path, fmt):
    full = goals() + [
        PolicyGoal.from_record(
            {
                "id": "g3",
                "owner": "provincie-y",
                "theme": "energietransitie",
                "indicator": "aardgasvrij",
                "name": "Aardgasvrij",
                "kind": "ambierend",
                "target": 100,
                "current": 12.5,
                "norm": "alle woningen",
                "unit": "%",
                "horizon_year": 2040,
                "source_document": "TVW",
                "measures": "warmtenet;isoleren",
                "visibility": "shared",
                "geometry": shapely.box(X0, Y0, X0 + 100, Y0 + 100),
            }
        )
    ]
    db = db_url
    src, out = tmp_path / f"in.{fmt}", tmp_path / f"out.{fmt}"
    io.write(src, "policy", full)
    assert runner.invoke(app, ["import", "policy", str(src), "--db", db]).exit_code == 0
    result = runner.invoke(app, ["export", "policy", str(out), "--db", db])
    assert result.exit_code == 0, result.output
    back = io.read(out, "policy")
    assert back.errors == []
    assert sorted(back.items, key=lambda g: g.key) == sorted(full, key=lambda g: g.key)
    assert {g.id: (g.current, g.measures) for g in back.items}["g3"] == (12.5, ("warmtenet", "isoleren"))


def _fill(store) -> None:
    heat = EnvironmentLayer(name="hittestress", title="PET", higher_is_worse=True)
    heat.features = [
        EnvironmentFeature(id="c1", value=30, geometry=shapely.box(X0 - 50, Y0 - 50, X0 + 150, Y0 + 50)),
        EnvironmentFeature(id="c2", value=40, geometry=shapely.box(X0 - 50, Y0 + 250, X0 + 150, Y0 + 350)),
    ]
    grid = VitalSystem(
        id="ms",
        owner="netbeheerder-y",
        name="MS",
        network_type="elektriciteit",
        elements=[
            VitalElement(
                id="os1",
                system="ms",
                kind="onderstation",
                capacity=1000,
                load=1100,
                geometry=shapely.Point(X0, Y0),
                service_area=shapely.box(X0 - 400, Y0 - 400, X0 + 400, Y0 + 400),
            )
        ],
    )
    with store.writer("test") as w:
        w.upsert("areas", areas())
        w.upsert("policy", goals())
        w.upsert("assets", [asset(condition=6, geometry=line(dy=1))])
        w.upsert("layer", [heat])
        w.upsert("vital", [grid])
        w.upsert(
            "plans",
            [
                plan(id="pipe", themes="vervanging", asset_types="gemengd_riool"),
                plan(id="green", themes="hittestress", asset_types="groen", geometry=line(dy=300)),
                plan(id="cable", owner="netbeheerder-y", asset_types="elektriciteit", geometry=line(dy=3)),
                plan(id="lost", themes="", goals="gemeente-x:weg", geometry=line(dy=600)),
            ],
        )


def test_weigh_cli_on_the_store(store, db_url, tmp_path):
    _fill(store)
    url = db_url
    out, table = tmp_path / "scores.json", tmp_path / "scores.csv"
    result = runner.invoke(
        app,
        ["weigh", "--db", url, "--preset", "assetgericht", "--out", str(out), "--csv", str(table), "--sensitivity"],
    )
    assert result.exit_code == 0, result.output
    assert "gemeente-x:weg" in result.output and "not in the registry" in result.output
    data = json.loads(out.read_text())
    by_key = {p["key"]: p for p in data["plans"]}
    assert data["preset"] == "assetgericht" and len(by_key) == 4
    assert by_key["gemeente-voorbeeldstad:pipe"]["rank"] == 1
    assert by_key["gemeente-voorbeeldstad:pipe"]["breakdown"]["asset_urgency"]["value"] == 1.0
    assert by_key["gemeente-voorbeeldstad:green"]["breakdown"]["environment"]["value"] == 1.0
    assert by_key["gemeente-voorbeeldstad:green"]["breakdown"]["policy_fit"]["value"] > 0
    assert (
        by_key["netbeheerder-y:cable"]["breakdown"]["grid_relief"]["value"] == 0.75
    )  # 10 % over: 0.5 + 0.5 * 0.1 / 0.2
    assert by_key["gemeente-voorbeeldstad:pipe"]["breakdown"]["coupling_value"]["value"] > 0
    assert len(data["sensitivity"]) == 2 * sum(1 for v in data["weights"].values() if v > 0)
    assert "Kendall tau" in result.output
    assert table.read_text().splitlines()[0].startswith("rank,key,name,owner,score,asset_urgency")
    assert store.latest_analysis("weighing")["result"]["preset"] == "assetgericht"
    result = runner.invoke(app, ["analyse", "--db", url])
    assert result.exit_code == 0 and "policy goal 'gemeente-x:weg', which is not in the registry" in result.output
    bad = tmp_path / "bad.yaml"
    bad.write_text("weights:\n  urgentie: 1\n")
    result = runner.invoke(app, ["weigh", "--db", url, "--weights", str(bad)])
    assert result.exit_code == 1 and "bad.yaml: weights.urgentie: unknown criterion" in result.output
