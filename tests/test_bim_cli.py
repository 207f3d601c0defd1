"""The BIM commands as scripts call them: import ifc, bim info --json (the contract), bim list, bim diff."""

from __future__ import annotations

import json

import pytest
import shapely
from typer.testing import CliRunner

from openruimte.cli import app
from openruimte.store import Store
from tests import factories
from tests.support.ifcmodels import DEFAULT_BOXES, Box, Georef, build_model, rotation_axis

runner = CliRunner()
OWNER = "gemeente-voorbeeldstad"


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "cli.db"
    store = Store.open(str(path))
    with store.writer("test") as w:
        w.upsert("plans", [factories.plan(id="p1", owner=OWNER, visibility="shared")])
    store.close()
    return str(path)


def _json(result) -> dict:
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_info_json_contract(tmp_path):
    path = tmp_path / "m.ifc"
    build_model(path, unit="mm", georef=Georef(eastings=155000, northings=463000, scale=None, x_axis=rotation_axis(90)))
    doc = _json(runner.invoke(app, ["bim", "info", str(path), "--json"]))
    assert doc["schema"] == "IFC4" and doc["length_unit"] == "MILLIMETRE"
    g = doc["georeferencing"]
    assert {"method", "crs", "eastings", "northings", "rotation", "scale", "warnings"} <= set(g)
    assert (g["method"], g["crs"], g["rotation"], g["scale"]) == ("IfcMapConversion", "EPSG:28992", 90.0, 0.001)
    footprint = shapely.geometry.shape(doc["footprint"])
    assert shapely.hausdorff_distance(footprint, shapely.box(154990, 463000, 155000, 463020)) < 0.01
    assert (doc["bottom_m"], doc["top_m"]) == (-0.3, 6.3)
    assert [s["name"] for s in doc["storeys"]] == ["00 begane grond", "01 eerste verdieping"]


def test_info_of_a_bad_file_exits_2_naming_it(tmp_path):
    path = tmp_path / "kapot.ifc"
    path.write_text("ISO-10303-21;\nHEADER;\n")
    result = runner.invoke(app, ["bim", "info", str(path), "--json"])
    assert result.exit_code == 2 and "kapot.ifc" in result.output and "afgebroken" in result.output


def test_import_list_info_and_diff_of_registered_versions(tmp_path, db):
    old, new = tmp_path / "v1.ifc", tmp_path / "v2.ifc"
    build_model(old)
    build_model(new, boxes=DEFAULT_BOXES + (Box(20, 0, 30, 10, name="Aanbouw", global_id="0000000000000000000999"),))
    for path in (old, new):
        result = runner.invoke(
            app, ["import", "ifc", str(path), "--plan", f"{OWNER}:p1", "--label", "gebouw", "--db", db]
        )
        assert result.exit_code == 0, result.output
        assert "geregistreerd" in result.output
    listed = _json(runner.invoke(app, ["bim", "list", "--plan", f"{OWNER}:p1", "--db", db, "--json"]))
    assert [v["ref"] for v in listed[0]["versions"]] == [f"{OWNER}:p1/gebouw@1", f"{OWNER}:p1/gebouw@2"]
    doc = _json(runner.invoke(app, ["bim", "info", f"{OWNER}:p1/gebouw@2", "--db", db, "--json"]))
    assert doc["registered"] == f"{OWNER}:p1/gebouw@2" and doc["footprint_area_m2"] == pytest.approx(300, abs=0.1)
    diff = _json(
        runner.invoke(
            app, ["bim", "diff", f"{OWNER}:p1/gebouw@1", f"#{listed[0]['versions'][1]['id']}", "--db", db, "--json"]
        )
    )
    assert diff["counts"]["added"] == 1 and "Voetafdruk 200,0 → 300,0 m²" in diff["summary"]


def test_import_without_georeference_says_at_and_at_places_it(tmp_path, db):
    path = tmp_path / "los.ifc"
    build_model(path, georef=None)
    result = runner.invoke(app, ["import", "ifc", str(path), "--plan", f"{OWNER}:p1", "--db", db])
    assert result.exit_code == 1 and "--at X,Y" in result.output
    result = runner.invoke(
        app, ["import", "ifc", str(path), "--plan", f"{OWNER}:p1", "--at", "155000,463000,0", "--db", db]
    )
    assert result.exit_code == 0, result.output
    assert "--at" in result.output
