"""National standards into the store, as `openruimte import imkl|bgt|cityjson` does it:
counts per type, depth and source on the assets, unmapped classes listed, buildings on both engines."""

from collections import Counter

from typer.testing import CliRunner

from openruimte.cli import app
from openruimte.services.importing import import_file

runner = CliRunner()


def test_klic_delivery_becomes_external_assets(store, shared_data):
    path = shared_data / "imkl" / "gebiedsinformatielevering-v2" / "GI_gebiedsinformatielevering_22G003180_1_V2.xml"
    report = import_file(store, "imkl", path)
    assert report.ok, report.errors[:3]
    assert report.summary.inserted == 59 and report.counts["UtilityLink"] == 36
    assets = store.assets()
    assert Counter(a.asset_type for a in assets) == {"elektriciteit": 37, "gas": 21, "drinkwater": 1}
    assert all(a.attributes["source"] == "KLIC" and a.attributes["snapshot_date"] == "2022-03-27" for a in assets)
    # no measured depths in this delivery: the operator's standard depth is kept apart from depth_m
    assert all(a.depth_m is None for a in assets) and any(a.attributes.get("standard_depth_m") == 0.8 for a in assets)
    (dataset,) = store.datasets()
    assert dataset["origin"] == "external" and str(dataset["snapshot_date"]) == "2022-03-27"


def test_cityjson_buildings_on_both_engines(store, shared_data):
    report = import_file(store, "cityjson", shared_data / "cityjson" / "3dbag_b2.city.json")
    assert report.ok and report.summary.inserted == 2
    buildings = store.buildings()
    assert len(buildings) == 2 and all(b.height_m and b.height_m > 0 and b.lods for b in buildings)
    assert {round(b.geometry.area, 3) for b in buildings} == {145.694, 155.808}


def test_cli_refuses_cityjson_without_crs_and_takes_it_with_crs(tmp_path, shared_data):
    db = str(tmp_path / "o.db")
    path = str(shared_data / "cityjson" / "multi_lod.json")
    refused = runner.invoke(app, ["import", "cityjson", path, "--db", db])
    assert refused.exit_code == 1 and "pass --crs" in " ".join(refused.output.split())
    ok = runner.invoke(app, ["import", "cityjson", path, "--db", db, "--crs", "EPSG:28992"])
    assert ok.exit_code == 0 and "10 new" in ok.output


def test_cli_bgt_with_imbor_lists_unmapped_classes(tmp_path, shared_data):
    db = str(tmp_path / "o.db")
    result = runner.invoke(
        app,
        [
            "import",
            "bgt",
            str(shared_data / "nl" / "bgt-otterlo-imgeo211"),
            "--owner",
            "gemeente-ede",
            "--imbor",
            str(shared_data / "imbor"),
            "--db",
            db,
        ],
    )
    assert result.exit_code == 0, result.output
    out = " ".join(result.output.split())
    assert "3691 new" in out and "Vegetatieobject/boom │ 2,088" in out
    assert "Scheiding" in out  # unmapped classes are listed, not dropped silently
    from openruimte.store import Store

    with Store.open(db) as store:
        trees = store.assets(asset_types=["bomen"])
    assert len(trees) == 2088 and all(t.imbor_type == "Boom" for t in trees)
