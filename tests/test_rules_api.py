"""Plan rules over HTTP: GET /api/rules (GeoJSON, public) and the OGC API Features collection
``rules``, read by GDAL's OAPIF driver as QGIS would."""

from __future__ import annotations

import subprocess

import pytest
from fastapi.testclient import TestClient

from openruimte.api.app import create_app
from openruimte.io.crs import to_wgs84
from openruimte.services import rules
from openruimte.settings import Settings
from tests.conftest import DATA
from tests.support.server import live_server
from tests.support.system import ensure_command

IMRO = DATA / "omgevingsplan" / "imro2012" / "2012_10.gml"
GEMEENTESTAD = DATA / "omgevingsplan" / "stop-tpod-gemeentestad"


@pytest.fixture
def loaded(store, shared_data):
    rules.import_rules(store, IMRO, owner="GM0999")
    rules.import_rules(store, GEMEENTESTAD)
    return store


def test_anyone_reads_the_rules_as_geojson(loaded):
    client = TestClient(create_app(Settings(), store=loaded))  # anonymous: rules are public
    doc = client.get("/api/rules", params={"kind": "maximum_bouwhoogte"}).json()
    assert doc["type"] == "FeatureCollection" and doc["numberMatched"] == 30
    feat = doc["features"][0]
    assert set(feat["properties"]) >= {"kind", "value", "unit", "plan_id", "source_id", "article", "name", "regime"}
    lon, lat = feat["geometry"]["coordinates"][0][0][:2]
    assert 3 < lon < 8 and 50 < lat < 54  # WGS84 by default
    rd = client.get("/api/rules", params={"kind": "bouwvlak", "crs": "EPSG:28992", "limit": 5}).json()
    assert rd["numberMatched"] == 34 and rd["numberReturned"] == 5
    assert rd["features"][0]["geometry"]["coordinates"][0][0][0] > 100_000


def test_rules_by_point_bbox_and_plan(loaded):
    client = TestClient(create_app(Settings(), store=loaded))
    stop = [r for r in rules.records(loaded, plan_ids=["/akn/nl/act/gm0297/2019/reg456"])]
    thirteen = next(r for r in stop if r["value"] == 13.0)
    inside = thirteen["geometry"].representative_point()
    doc = client.get("/api/rules", params={"point": f"{inside.x},{inside.y}", "bbox-crs": "EPSG:28992"}).json()
    # the industrial estate lies in the Bedrijf categorie 2 function area too
    assert sorted((f["properties"]["kind"], f["properties"]["value"] or 0) for f in doc["features"]) == [
        ("gebiedsaanwijzing_functie", 0),
        ("maximum_bouwhoogte", 13.0),
    ]
    lonlat = to_wgs84([inside])[0]
    same = client.get("/api/rules", params={"point": f"{lonlat.x},{lonlat.y}"}).json()
    assert [f["id"] for f in same["features"]] == [f["id"] for f in doc["features"]]
    minx, miny, maxx, maxy = thirteen["geometry"].bounds
    boxed = client.get("/api/rules", params={"bbox": f"{minx},{miny},{maxx},{maxy}", "bbox-crs": "EPSG:28992"}).json()
    assert thirteen["id"] in {f["id"] for f in boxed["features"]}
    assert all(f["properties"]["regime"] == "stop-tpod" for f in boxed["features"])
    plan = client.get("/api/rules", params={"plan_id": "NL.IMRO.0999.BP2012000001-9005", "limit": 10000}).json()
    assert plan["numberMatched"] == 212
    plans = client.get("/api/rules/plans").json()
    assert {p["plan_id"]: p["rules"] for p in plans} == {
        "NL.IMRO.0999.BP2012000001-9005": 212,
        "/akn/nl/act/gm0297/2019/reg456": 5,
    }
    assert client.get("/api/rules", params={"point": "x,y"}).status_code == 400
    assert client.get("/api/rules", params={"crs": "EPSG:3857"}).status_code == 400


def test_the_ogc_collection_is_read_by_gdal(loaded, tmp_path):
    ensure_command("ogrinfo", "gdal-bin")
    client = TestClient(create_app(Settings(), store=loaded))
    ids = [c["id"] for c in client.get("/ogc/collections?f=json").json()["collections"]]
    assert "rules" in ids
    items = client.get("/ogc/collections/rules/items?f=json&limit=1000&kind=maximum_bouwhoogte").json()
    assert items["numberMatched"] == 30
    with live_server(loaded) as base:
        info = subprocess.run(
            ["ogrinfo", "-ro", "-al", "-so", f"OAPIF:{base}/ogc", "rules"], capture_output=True, text=True, timeout=300
        )
        assert info.returncode == 0, info.stderr
        assert "Feature Count: 217" in info.stdout
        out = tmp_path / "rules.gpkg"
        copy = subprocess.run(
            ["ogr2ogr", "-f", "GPKG", str(out), f"OAPIF:{base}/ogc", "rules", "-where", "kind = 'maximum_bouwhoogte'"],
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert copy.returncode == 0, copy.stderr
    import pyogrio

    got = pyogrio.read_dataframe(out)
    assert sorted(got["value"]) == sorted(r["value"] for r in rules.records(loaded, kinds=["maximum_bouwhoogte"]))


def test_an_editor_imports_rules_for_their_organisation(store, shared_data, tmp_path):
    from tests.support.auth import token_headers

    client = TestClient(create_app(Settings(), store=store))
    with IMRO.open("rb") as fh:
        anonymous = client.post("/api/rules/import", files={"file": ("2012_10.gml", fh)})
    assert anonymous.status_code == 401
    editor = token_headers(store, "gemeente-x", "editor")
    with IMRO.open("rb") as fh:
        done = client.post("/api/rules/import", files={"file": ("2012_10.gml", fh)}, headers=editor)
    assert done.status_code == 200, done.text
    body = done.json()
    assert body["plan_ids"] == ["NL.IMRO.0999.BP2012000001-9005"] and body["stored"]["inserted"] == 212
    assert {k["kind"]: k["checked"] for k in body["kinds"]}["maximum_bouwhoogte"] is True
    assert {r["owner"] for r in rules.records(store)} == {"gemeente-x"}
    # another organisation may not replace gemeente-x's import of the plan
    other = token_headers(store, "gemeente-y", "editor")
    with IMRO.open("rb") as fh:
        refused = client.post("/api/rules/import", files={"file": ("2012_10.gml", fh)}, headers=other)
    assert refused.status_code == 403
    broken = tmp_path / "broken.gml"
    broken.write_text(IMRO.read_text(encoding="utf-8").replace("<imro:waarde>12</imro:waarde>",
                                                               "<imro:waarde>12 m</imro:waarde>", 1))  # fmt: skip
    with broken.open("rb") as fh:
        bad = client.post("/api/rules/import", files={"file": ("broken.gml", fh)}, headers=editor)
    assert bad.status_code == 422
    assert bad.json()["error"]["details"][0]["field"] == "waarde"
    assert rules.records(store, kinds=["maximum_bouwhoogte"])[0]["value"] == 12.0  # nothing changed
    with IMRO.open("rb") as fh:
        wrong = client.post("/api/rules/import", files={"file": ("plan.pdf", fh)}, headers=editor)
    assert wrong.status_code == 415
