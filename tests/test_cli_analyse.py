"""`openruimte analyse` writes the spec's result encoding; from a file or from the store."""

import json

from typer.testing import CliRunner

from openruimte import io
from openruimte.cli import app
from openruimte.store import Store
from tests.factories import line, plan

runner = CliRunner()


def plans():
    return [
        plan(
            id="b-sewer",
            owner="gemeente-x",
            asset_types="gemengd_riool",
            geometry=line(),
            start="2027-01-01",
            end="2027-06-30",
        ),
        plan(
            id="a-cable",
            owner="netbeheerder-y",
            asset_types="elektriciteit",
            geometry=line(dy=4),
            start="2027-03-01",
            end="2027-04-30",
        ),
        plan(
            id="road",
            owner="gemeente-x",
            asset_types="weg",
            geometry=line(dy=1),
            surface_renewal="ja",
            excavation="nee",
            start="2026-01-01",
            end="2026-12-31",
        ),
        plan(
            id="later",
            owner="telecom-z",
            asset_types="telecom",
            geometry=line(dy=2),
            start="2028-01-01",
            end="2028-01-31",
        ),
        plan(id="someday", owner="telecom-z", asset_types="telecom", geometry=line(dy=2), start=None, end=None),
    ]


def test_result_encoding_from_a_file(tmp_path):
    io.write(tmp_path / "plans.xlsx", "plans", plans())
    out = tmp_path / "result.json"
    result = runner.invoke(
        app,
        [
            "analyse",
            "--plans",
            str(tmp_path / "plans.xlsx"),
            "--out",
            str(out),
            "--geojson",
            str(tmp_path / "pairs.geojson"),
        ],
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(out.read_text())
    assert list(doc) == ["parameters", "plans", "unscheduled", "couplings", "conflicts"]
    assert doc["parameters"] == {
        "max_distance_m": 10,
        "max_gap_days": 730,
        "graafrust_days": 1095,
        "graafrust_distance_m": 5,
    }
    assert doc["plans"] == 5 and doc["unscheduled"] == ["telecom-z:someday"]
    pairs = [(c["a"], c["b"]) for c in doc["couplings"]]
    assert pairs == sorted(pairs) and all(a < b for a, b in pairs)
    assert pairs == [
        ("gemeente-x:b-sewer", "gemeente-x:road"),  # same owner, disjoint asset types
        ("gemeente-x:b-sewer", "netbeheerder-y:a-cable"),
        ("gemeente-x:b-sewer", "telecom-z:later"),
        ("gemeente-x:road", "netbeheerder-y:a-cable"),
        ("gemeente-x:road", "telecom-z:later"),
        ("netbeheerder-y:a-cable", "telecom-z:later"),
    ]
    first = doc["couplings"][1]
    assert first["distance_m"] == 4.0 and first["gap_days"] == 0 and 0 < first["score"] <= 1
    assert first["explanation"]["overlap_days"] == 61 and first["explanation"]["shared_m"] == 100.0
    assert [(k["renewal"], k["plan"], k["overlap_days"]) for k in doc["conflicts"]] == [
        ("gemeente-x:road", "gemeente-x:b-sewer", 181),
        ("gemeente-x:road", "netbeheerder-y:a-cable", 61),
        ("gemeente-x:road", "telecom-z:later", 31),
    ]
    lines = json.loads((tmp_path / "pairs.geojson").read_text())
    assert len(lines["features"]) == 9 and {f["properties"]["kind"] for f in lines["features"]} == {
        "coupling",
        "conflict",
    }


def test_parameters_override_and_store_result(tmp_path):
    db = str(tmp_path / "o.db")
    io.write(tmp_path / "p.gpkg", "plans", plans())
    assert runner.invoke(app, ["import", "plans", str(tmp_path / "p.gpkg"), "--db", db]).exit_code == 0
    result = runner.invoke(
        app,
        [
            "analyse",
            "--db",
            db,
            "--max-distance-m",
            "1.5",
            "--graafrust-days",
            "200",
            "--out",
            str(tmp_path / "r.json"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "saved in the store for the map" in result.output
    doc = json.loads((tmp_path / "r.json").read_text())
    assert doc["parameters"]["max_distance_m"] == 1.5 and doc["parameters"]["graafrust_days"] == 200
    assert [(c["a"], c["b"]) for c in doc["couplings"]] == [
        ("gemeente-x:b-sewer", "gemeente-x:road"),
        ("gemeente-x:road", "telecom-z:later"),
    ]
    assert doc["conflicts"] == [c for c in doc["conflicts"] if c["overlap_days"] <= 200]
    with Store.open(db) as store:
        saved = store.latest_analysis("plans")
    assert saved["result"] == doc


def test_bad_plans_file_is_refused_with_row_errors(tmp_path):
    (tmp_path / "p.csv").write_text(
        "id,naam,eigenaar,fase,assettypen,geometry\np1,A,g,bouw,gas,POINT (155000 463000)\n"
    )
    result = runner.invoke(app, ["analyse", "--plans", str(tmp_path / "p.csv")])
    assert result.exit_code == 1
    assert "p.csv row 2, field fase: unknown phase 'bouw'" in " ".join(result.output.split())
