"""Clearance of a design from cables, pipes and trees (issue 15, part 3): the pure core on hand-made
cables at known depths, and the use case on SQLite and PostGIS through the visibility rule."""

from __future__ import annotations

import json

import pytest
import shapely
from shapely.geometry import LineString, Point, box

from openruimte.model.access import ANONYMOUS
from openruimte.rules import clearance as c
from openruimte.store.permissions import View
from tests import factories as f
from tests.support.auth import principal

X0, Y0 = f.X0, f.Y0
OWNER = "gemeente-voorbeeldstad"


@pytest.fixture(scope="module")
def table():
    return c.load_table()


def trench(depth=1.2, width=0.6, key="d"):
    axis = LineString([(X0, Y0), (X0 + 50, Y0)])
    return c.Design(key, "sleuf", "trench", shapely.buffer(axis, width / 2, cap_style="flat"), depth, "given", None)


def cable(table, dy, depth=None, asset_type="elektriciteit", key="k", diameter=None, **attributes):
    geom = LineString([(X0 + 10, Y0 + dy), (X0 + 40, Y0 + dy)])
    return c.underground_of_asset(
        key=key,
        asset_type=asset_type,
        geometry=geom,
        table=table,
        depth_m=depth,
        diameter_mm=diameter,
        attributes=attributes,
    )


# --------------------------------------------------------------------------- the table


def test_default_table_says_the_basis_and_source_of_every_number(table):
    assert set(table.networks) == set(c.NETWORK_CLASSES)
    for name, row in table.networks.items():
        assert row.basis in c.BASES and len(row.source) > 20, name
        assert table.standard_depth_m[name] > 0
    assert table.building.horizontal_m == 2.0 and table.building.vertical_m is None
    assert table.tree_margin_m == 1.5 and table.tree_min_distance_m == 2.5
    assert table.requirement("warmte", "trench", "drinkwater").horizontal_m == 1.0


def test_an_override_file_replaces_only_what_it_gives(tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text("networks:\n  gas_ld:\n    horizontal_m: 0.5\n    basis: norm\n    source: handboek gemeente X\n")
    t = c.load_table(path)
    assert t.networks["gas_ld"].horizontal_m == 0.5 and t.networks["gas_ld"].vertical_m == 0.2
    assert t.networks["gas_ld"].source == "handboek gemeente X"
    assert t.networks["drinkwater"].horizontal_m == 0.5
    assert str(path) in t.origin


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("networks:\n  gaz:\n    horizontal_m: 1\n", "networks.gaz: unknown network class"),
        ("networks:\n  gas_ld:\n    horizontal_m: -1\n", "networks.gas_ld.horizontal_m: expected a distance"),
        ("networks:\n  gas_ld:\n    basis: wish\n", "basis 'wish'"),
        ("cables: {}\n", "unknown section(s) cables"),
        ("networks: [\n", "not valid YAML"),
    ],
)
def test_a_bad_override_names_the_file_entry_and_fix(tmp_path, text, expected):
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(c.DistanceError) as err:
        c.load_table(path)
    assert expected in str(err.value)


# --------------------------------------------------------------------------- hand-made cables


def test_horizontal_and_vertical_distances_are_exact(table):
    # a 0.6 m wide trench along y = Y0, 1.2 m deep; a low-voltage cable 1.0 m north of its axis at 0.6 m
    k = cable(table, 1.0, depth=0.6)
    [r] = c.check([trench()], [k], table)
    assert r.horizontal_m == pytest.approx(0.7, abs=1e-9)  # 1.0 - half the width
    assert r.vertical_m == pytest.approx(-0.6, abs=1e-9)  # the cable lies within the trench's depth range
    assert r.required_horizontal_m == 0.3 and r.required_vertical_m == 0.2
    assert r.passed
    assert r.sources["other_depth"].startswith("measured depth")
    assert "convention" in r.sources["requirement"]


def test_a_cable_too_close_fails_and_one_deep_enough_below_passes(table):
    near = cable(table, 0.5, depth=0.6, key="near")  # 0.2 m from the trench edge
    below = cable(table, 0.0, depth=1.5, key="below")  # crosses under the trench, 0.3 m below its bottom
    grazing = cable(table, 0.0, depth=1.3, key="grazing")  # crosses 0.1 m below the bottom: too close
    results = {r.other.key: r for r in c.check([trench()], [near, below, grazing], table)}
    assert results["near"].horizontal_m == pytest.approx(0.2) and not results["near"].passed
    assert results["below"].horizontal_m == 0.0 and results["below"].vertical_m == pytest.approx(0.3)
    assert results["below"].passed
    assert results["grazing"].vertical_m == pytest.approx(0.1) and not results["grazing"].passed


def test_depth_falls_back_to_the_operators_then_the_tables_standard_depth_and_says_so(table):
    measured = cable(table, 2.0, depth=0.9, key="m")
    operator = cable(table, 2.0, key="o", standard_depth_m=0.75)
    unknown = cable(table, 2.0, key="u")
    assert measured.top_m == 0.9 and "measured" in measured.sources["depth"]
    assert operator.top_m == 0.75 and "operator's standard depth" in operator.sources["depth"]
    assert unknown.top_m == 0.6 and "standard depth of the table for elektriciteit_ls" in unknown.sources["depth"]
    assert "taken as low voltage" in unknown.sources["network"]


def test_network_class_from_theme_voltage_and_pressure(table):
    assert c.network_class("elektriciteit", {"thema": "middenspanning"})[0] == "elektriciteit_ms"
    assert c.network_class("elektriciteit", {"voltage_v": 10_000})[0] == "elektriciteit_ms"
    assert c.network_class("elektriciteit", {"voltage_v": 150_000})[0] == "elektriciteit_hs"
    assert c.network_class("gas", {"pressure_bar": 8})[0] == "gas_hd"
    assert c.network_class("gas", {"thema": "gasLageDruk"})[0] == "gas_ld"
    assert c.network_class("gas", {"thema": "buisleidingGevaarlijkeInhoud"})[0] == "gas_transport"
    assert c.network_class("gemengd_riool")[0] == "riolering"
    assert c.network_class("weg")[0] is None


def test_the_diameter_comes_off_the_horizontal_distance(table):
    pipe = cable(table, 2.0, depth=1.0, asset_type="drinkwater", diameter=200)
    [r] = c.check([trench()], [pipe], table)
    assert r.horizontal_m == pytest.approx(2.0 - 0.3 - 0.1)
    assert pipe.bottom_m == pytest.approx(1.2)


def test_a_building_over_a_cable_always_fails_whatever_the_depth(table):
    house = c.Design("b", "woning", "building", box(X0 + 20, Y0 - 5, X0 + 30, Y0 + 5), 0.0, "table")
    deep = cable(table, 0.0, depth=3.0)
    [r] = c.check([house], [deep], table)
    assert r.horizontal_m == 0.0 and r.vertical_m == pytest.approx(3.0)
    assert r.required_vertical_m is None and not r.passed
    assert r.required_horizontal_m == 2.0  # piles: Netbeheer Nederland's 2 m


def test_a_heat_network_keeps_a_metre_from_drinking_water(table):
    heat = c.Design("w", "warmtenet", "trench", trench().footprint, 1.2, "given", "warmte")
    water = cable(table, 1.1, depth=1.0, asset_type="drinkwater")  # 0.8 m from the edge
    [r] = c.check([heat], [water], table)
    assert r.required_horizontal_m == 1.0 and not r.passed
    assert "Drinkwaterbesluit" in r.sources["requirement"]


# --------------------------------------------------------------------------- trees


def test_tree_with_crown_diameter_uses_it(table):
    t = c.tree(key="b1", geometry=Point(X0 + 25, Y0 + 6), attributes={"crown_diameter_m": 8}, table=table)
    assert t.required_m == pytest.approx(5.5)  # 8 / 2 + 1.5
    [r] = c.check([trench()], [t], table)
    assert r.horizontal_m == pytest.approx(5.7) and r.passed and r.vertical_m is None
    assert "crown diameter attribute" in r.sources["other_crown_diameter"]


def test_tree_without_crown_diameter_takes_its_size_class_or_the_default(table):
    by_class = c.tree(
        key="b2", geometry=Point(X0 + 25, Y0 + 5), attributes={"boomhoogteklasse": "12 tot 18m"}, table=table
    )
    assert by_class.required_m == pytest.approx(10 / 2 + 1.5)
    assert "size class" in by_class.sources["crown_diameter"]
    bare = c.tree(key="b3", geometry=Point(X0 + 25, Y0 + 5), attributes={}, table=table)
    assert bare.required_m == pytest.approx(7 / 2 + 1.5) and "default 7 m" in bare.sources["crown_diameter"]
    small = c.tree(key="b4", geometry=Point(X0 + 25, Y0 + 2), attributes={"crown_diameter_m": 1}, table=table)
    assert small.required_m == 2.5  # the minimum distance from the stem
    results = {r.other.key: r for r in c.check([trench()], [by_class, bare, small], table)}
    assert not results["b2"].passed and not results["b3"].passed  # 4.7 m < 6.5 m and < 5.0 m
    assert not results["b4"].passed  # 1.7 m < 2.5 m


def test_vectorised_over_many_objects(table):
    objs = [cable(table, dy, depth=0.6, key=f"k{i}") for i, dy in enumerate([0.4, 0.6, 0.7, 100.0])]
    results = c.check([trench(), trench(key="d2")], objs, table)
    assert {(r.design, r.other.key) for r in results} == {(d, k) for d in ("d", "d2") for k in ("k0", "k1", "k2")}
    assert {r.other.key for r in results if not r.passed} == {"k0"}  # 0.1 m from the edge; 0.3 and 0.4 m pass


# --------------------------------------------------------------------------- the use case (SQLite and PostGIS)


def _fill(store):
    from tests.support.auth import ensure_org

    for org in (OWNER, "netbeheerder-noord", "warmtebedrijf"):
        ensure_org(store, org)
    plans = [
        f.plan(id="sleuf", asset_types="drinkwater", geometry=f.line(), visibility="shared"),
        f.plan(
            id="warmtenet", owner="warmtebedrijf", asset_types="warmte", geometry=f.line(dy=1.5), visibility="shared"
        ),
        f.plan(id="geheim", asset_types="gas", geometry=f.line(dy=-1.0), visibility="private", name="Geheim"),
    ]
    assets = [
        f.asset(id="kabel-ms", owner="netbeheerder-noord", asset_type="elektriciteit", depth_m=None,
                attributes={"thema": "middenspanning", "standard_depth_m": 0.8}, visibility="shared",
                geometry=f.line(dy=0.6), diameter_mm=None),
        f.asset(id="klic-privé", owner="netbeheerder-noord", asset_type="gas", depth_m=0.7, visibility="private",
                geometry=f.line(dy=-0.5), diameter_mm=None),
        f.asset(id="boom-1", asset_type="bomen", geometry=Point(X0 + 50, Y0 + 3), depth_m=None, diameter_mm=None,
                attributes={"crown_diameter_m": 6}, visibility="shared"),
    ]  # fmt: skip
    with store.writer("test") as w:
        w.upsert("plans", plans)
        w.upsert("assets", assets)


def test_clearance_of_a_plan_through_the_visibility_rule(store):
    from openruimte.services import clearance

    _fill(store)
    view = View(store, principal(OWNER, "editor"))
    report = clearance.run(view, plan=f"{OWNER}:sleuf")
    got = {r["other"]: r for r in report["results"]}
    # the shared MV cable, the shared tree, the other organisation's shared heat plan; its own private plan;
    # not the grid operator's private KLIC gas pipe
    assert set(got) == {"netbeheerder-noord:kabel-ms", f"{OWNER}:boom-1", "warmtebedrijf:warmtenet", f"{OWNER}:geheim"}
    ms = got["netbeheerder-noord:kabel-ms"]
    assert ms["network"] == "elektriciteit_ms" and "operator's standard depth" in ms["sources"]["other_depth"]
    assert ms["horizontal_m"] == pytest.approx(0.6 - 0.4)  # drinking-water trench 0.8 m wide
    assert ms["passed"] is False
    heat = got["warmtebedrijf:warmtenet"]
    assert heat["other_kind"] == "plan" and heat["required_horizontal_m"] == 1.0  # heat vs drinking water
    assert report["passed"] is False and report["summary"]["conflicts"] >= 2
    assert "typical trench depth" in report["designs"][0]["depth_source"]
    # the grid operator sees its own private pipe, not the municipality's private plan
    other = clearance.run(View(store, principal("warmtebedrijf", "editor")), plan="warmtebedrijf:warmtenet")
    keys = {r["other"] for r in other["results"]}
    assert f"{OWNER}:geheim" not in keys and "netbeheerder-noord:klic-privé" not in keys
    assert f"{OWNER}:sleuf" in keys
    # a private plan is "not found" for whoever may not see it
    from openruimte.services.clearance import NotFound

    with pytest.raises(NotFound):
        clearance.run(View(store, ANONYMOUS), plan=f"{OWNER}:geheim")
    geo = clearance.as_geojson(report)
    roles = {feat["properties"]["role"] for feat in geo["features"]}
    assert roles == {"design", "conflict", "clear"} or roles == {"design", "conflict"}
    json.dumps(clearance.as_json(report))


def test_clearance_cli_exit_codes_and_json(store, db_url, tmp_path):
    from typer.testing import CliRunner

    from openruimte.cli import app

    _fill(store)
    out = tmp_path / "r.json"
    res = CliRunner().invoke(app, ["clearance", "--plan", f"{OWNER}:sleuf", "--json", str(out), "--db", db_url])
    assert res.exit_code == 1, res.output
    doc = json.loads(out.read_text())
    assert doc["summary"]["conflicts"] >= 2 and doc["crs"] == "EPSG:28992"
    far = tmp_path / "far.geojson"
    far.write_text(json.dumps({
        "type": "FeatureCollection",
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::28992"}},
        "features": [{"type": "Feature", "properties": {"depth_m": 1.0, "width_m": 0.5},
                      "geometry": {"type": "LineString", "coordinates": [[X0, Y0 + 40], [X0 + 30, Y0 + 40]]}}],
    }))  # fmt: skip
    res = CliRunner().invoke(app, ["clearance", "--geojson", str(far), "--db", db_url])
    assert res.exit_code == 0, res.output
    wide = tmp_path / "wide.yaml"
    wide.write_text("trees:\n  min_distance_m: 50\n")
    res = CliRunner().invoke(app, ["clearance", "--geojson", str(far), "--distances", str(wide), "--db", db_url])
    assert res.exit_code == 1, res.output  # the tree at 37 m is now too close
    res = CliRunner().invoke(app, ["clearance", "--plan", "nobody:nothing", "--db", db_url])
    assert res.exit_code == 2 and "not found" in res.output


# --------------------------------------------------------------------------- API


def test_api_clearance_follows_the_visibility_rule(store):
    from fastapi.testclient import TestClient

    from openruimte.api.app import create_app
    from openruimte.settings import Settings
    from tests.support.auth import token_headers

    _fill(store)
    app = create_app(Settings(webhook_worker=False), store=store)
    with TestClient(app) as client:
        mine = token_headers(store, OWNER, "editor")
        r = client.get("/api/clearance", params={"plan": f"{OWNER}:sleuf"}, headers=mine)
        assert r.status_code == 200, r.text
        doc = r.json()
        assert doc["type"] == "FeatureCollection" and doc["passed"] is False
        conflicts = [f_ for f_ in doc["features"] if f_["properties"]["role"] == "conflict"]
        assert conflicts and all(
            f_["geometry"]["type"] in ("LineString", "MultiLineString", "Point") for f_ in conflicts
        )
        lon, lat = conflicts[0]["geometry"]["coordinates"][0]
        assert 3 < lon < 8 and 50 < lat < 54  # WGS84 for the map
        assert {f_["properties"].get("other") for f_ in doc["features"]} >= {"netbeheerder-noord:kabel-ms"}
        # someone who may not see the private plan gets "not found", never its geometry
        other = token_headers(store, "warmtebedrijf", "editor")
        r = client.get("/api/clearance", params={"plan": f"{OWNER}:geheim"}, headers=other)
        assert r.status_code == 404 and "coordinates" not in r.text
        r = client.get("/api/clearance", params={"plan": f"{OWNER}:geheim"})
        assert r.status_code == 404
        # the grid operator's private pipe is not checked for (or shown to) the municipality
        r = client.get("/api/clearance", params={"plan": f"{OWNER}:geheim"}, headers=mine)
        assert r.status_code == 200 and "klic-privé" not in r.text
        r = client.get("/api/clearance", headers=mine)
        assert r.status_code == 422
        t = client.get("/api/clearance/distances").json()
        assert t["networks"]["gas_hd"]["horizontal_m"] == 1.0 and t["networks"]["gas_hd"]["basis"] == "convention"


# --------------------------------------------------------------------------- a real KLIC delivery


def test_clearance_against_a_real_imkl2_delivery(store, shared_data, tmp_path):
    """The Kadaster IMKL 2.0 example delivery (Liander MS/LS cables, gas): network class from the IMKL theme,
    depth from the operator's standaardDieptelegging (the file has no depth objects), private to the
    organisation that asked for it."""
    from openruimte.io.crs import to_wgs84
    from openruimte.io.imkl import read_imkl
    from openruimte.services import clearance
    from tests.support.auth import ensure_org

    result = read_imkl(
        shared_data / "imkl/gebiedsinformatielevering-v2/GI_gebiedsinformatielevering_22G003180_1_V2.xml"
    )
    for org in {a.owner for a in result.items}:
        ensure_org(store, org)
    with store.writer("test") as w:
        w.upsert("assets", result.items)
    axis = LineString([(111_700, 526_150), (112_060, 526_280)])
    [wgs] = to_wgs84([axis])
    design = tmp_path / "sleuf.geojson"
    design.write_text(json.dumps({"type": "FeatureCollection", "features": [{
        "type": "Feature", "properties": {"id": "sleuf", "depth_m": 1.0, "width_m": 0.6, "network": "warmte"},
        "geometry": {"type": "LineString", "coordinates": [list(c) for c in wgs.coords]}}]}))  # fmt: skip
    report = clearance.run(View(store, principal("kl1040", "editor")), geojson=design)
    cables = [r for r in report["results"] if r["asset_type"] == "elektriciteit" and r["network"] == "elektriciteit_ms"]
    assert cables and all(r["sources"]["other_network"] == "IMKL theme middenspanning" for r in cables)
    assert all("operator's standard depth" in r["sources"]["other_depth"] for r in cables)
    gas = [r for r in report["results"] if r["network"] == "gas_ld"]
    assert gas and all(r["required_horizontal_m"] == 1.0 for r in gas)  # a heat trench: the stricter of the two rows
    crossing = [r for r in cables if r["horizontal_m"] == 0.0]
    assert crossing and all(r["vertical_m"] == pytest.approx(0.8 - 1.0) and not r["passed"] for r in crossing)
    # another organisation does not see the private delivery, so nothing is checked against it
    assert clearance.run(View(store, principal("gemeente-voorbeeldstad", "editor")), geojson=design)["results"] == []
