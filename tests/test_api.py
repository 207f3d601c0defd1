"""The REST API in process: plans CRUD with the importer's validation, filters,
ETags, history, analysis, export; one error shape on every endpoint.

Writes run as an editor of the plans' owner; the demo reads as its coordinator
(what anyone else sees: tests/test_security_matrix.py)."""

import json

import pytest
from fastapi.testclient import TestClient

from openruimte import io
from openruimte.api import Settings, create_app
from tests.factories import X0, Y0
from tests.support.auth import DEMO_MUNICIPALITY, coordinator_view, token_headers


@pytest.fixture
def client(store):
    c = TestClient(create_app(Settings(), store=store))
    c.headers.update(token_headers(store, "gemeente-x", "editor"))
    return c


@pytest.fixture(scope="module")
def demo_client(demo_store):
    c = TestClient(create_app(Settings(), store=demo_store))
    c.headers.update(token_headers(demo_store, DEMO_MUNICIPALITY, "coordinator"))
    return c


@pytest.fixture(scope="module")
def seen(demo_store):
    """The demo's plans as its coordinator sees them."""
    return coordinator_view(demo_store).plans()


def feature(**props):
    base = {
        "id": "p1",
        "name": "Riool Kerkstraat",
        "owner": "gemeente-x",
        "phase": "ontwerp",
        "asset_types": ["gemengd_riool"],
        "start": "2027-03",
        "end": "2027-09",
    }
    base.update(props)
    return {
        "type": "Feature",
        "properties": base,
        "geometry": {"type": "LineString", "coordinates": [[X0, Y0], [X0 + 80, Y0]]},
    }


def test_create_read_update_delete_with_etags(client):
    r = client.post("/api/plans?crs=EPSG:28992", json=feature())
    assert r.status_code == 201, r.text
    assert r.headers["location"] == "/api/plans/gemeente-x/p1" and r.headers["etag"] == '"1"'
    assert r.json()["properties"]["end"] == "2027-09-30"
    assert client.post("/api/plans?crs=EPSG:28992", json=feature()).status_code == 409
    got = client.get("/api/plans/gemeente-x/p1?crs=EPSG:28992").json()
    assert got["geometry"]["coordinates"] == [[X0, Y0], [X0 + 80, Y0]]
    r = client.put(
        "/api/plans/gemeente-x/p1?crs=EPSG:28992", json=feature(phase="voorbereiding"), headers={"If-Match": '"1"'}
    )
    assert r.status_code == 200 and r.headers["etag"] == '"2"'
    stale = client.put(
        "/api/plans/gemeente-x/p1?crs=EPSG:28992", json=feature(phase="realisatie"), headers={"If-Match": '"1"'}
    )
    assert stale.status_code == 412 and stale.headers["etag"] == '"2"'
    assert stale.json()["error"]["details"] == [{"current_version": 2}]
    missing = client.put("/api/plans/gemeente-x/p1?crs=EPSG:28992", json=feature(phase="realisatie"))
    assert missing.status_code == 428 and missing.json()["error"]["code"] == "precondition_required"
    patched = client.patch(
        "/api/plans/gemeente-x/p1",
        json={"type": "Feature", "properties": {"name": "Riool Kerkstraat-Oost"}},
        headers={"If-Match": '"2"'},
    )
    assert patched.status_code == 200 and patched.headers["etag"] == '"3"'
    assert (
        patched.json()["properties"]["name"] == "Riool Kerkstraat-Oost"
        and patched.json()["properties"]["phase"] == "voorbereiding"
    )
    history = client.get("/api/plans/gemeente-x/p1/history").json()["history"]
    assert [h["action"] for h in history] == ["update", "update", "insert"]
    assert history[1]["before"] == {"phase": "ontwerp"} and history[1]["after"] == {"phase": "voorbereiding"}
    assert {h["actor"] for h in history} == {history[0]["actor"]} and history[0]["actor"].startswith("token:")
    assert client.delete("/api/plans/gemeente-x/p1").status_code == 428
    assert client.delete("/api/plans/gemeente-x/p1", headers={"If-Match": '"2"'}).status_code == 412
    assert client.delete("/api/plans/gemeente-x/p1", headers={"If-Match": '"3"'}).status_code == 204
    assert client.get("/api/plans/gemeente-x/p1").status_code == 404


def test_validation_messages_are_the_importers(client):
    r = client.post("/api/plans?crs=EPSG:28992", json=feature(asset_types=["riool"], end="2027-01"))
    assert r.status_code == 422
    body = r.json()["error"]
    assert body["code"] == "invalid_record"
    assert {
        "field": "asset_types",
        "message": "unknown asset type 'riool' (did you mean 'gemengd_riool'?)",
        "value": "riool",
    } in body["details"]
    assert any(d["field"] == "end" and "before start" in d["message"] for d in body["details"])
    wgs = client.post("/api/plans", json=feature())  # RD coordinates without crs: caught, with the fix
    assert wgs.status_code == 422 and "pass --crs EPSG:28992" in wgs.json()["error"]["message"]


def test_filters_and_geojson_in_wgs84(demo_client, seen):
    all_plans = seen
    body = demo_client.get("/api/plans").json()
    assert body["numberMatched"] == len(all_plans)
    lon, lat = (
        body["features"][0]["geometry"]["coordinates"][0][:2]
        if body["features"][0]["geometry"]["type"] != "Point"
        else body["features"][0]["geometry"]["coordinates"]
    )
    assert 3 < lon < 8 and 50 < lat < 54
    realisatie = demo_client.get("/api/plans?phase=realisatie,beheer").json()
    assert realisatie["numberMatched"] == sum(p.phase.value in ("realisatie", "beheer") for p in all_plans)
    period = demo_client.get("/api/plans?start=2030&end=2030").json()
    assert period["numberMatched"] == sum(1 for p in all_plans if p.start and p.start.year <= 2030 <= p.end.year)
    q = demo_client.get("/api/plans?q=riool").json()
    assert q["numberMatched"] == sum(
        "riool" in p.name.lower() or "riool" in p.key.lower() or "riool" in (p.area or "").lower() for p in all_plans
    )


def test_plan_analysis_and_export(demo_client, seen, tmp_path):
    result = demo_client.get("/api/analysis/plans").json()["result"]
    pair = result["couplings"][0]
    owner, pid = pair["a"].split(":", 1)
    mine = demo_client.get(f"/api/plans/{owner}/{pid}/analysis").json()
    assert pair in mine["couplings"]
    for fmt in ("xlsx", "gpkg", "geojson"):
        r = demo_client.get(f"/api/plans/export?format={fmt}&phase=ontwerp")
        assert r.status_code == 200
        path = tmp_path / f"x.{fmt}"
        path.write_bytes(r.content)
        got = io.read(path, "plans")
        assert got.errors == [] and len(got.items) == sum(p.phase.value == "ontwerp" for p in seen)


def test_public_plans_only_published_without_internal_fields(demo_client, demo_store):
    body = demo_client.get("/api/public/plans").json()
    keys = {f["id"] for f in body["features"]}
    published = {
        p.key
        for p in demo_store.plans()
        if p.visibility.value == "public" and p.phase.rank >= 3 and p.hardness.rank >= 1
    }
    assert keys == published and keys
    props = body["features"][0]["properties"]
    assert "budget_eur" not in props and "contact" not in props and "visibility" not in props


def test_info_config_layers_vital_tiles(demo_client):
    assert demo_client.get("/api/info").json()["plans"]
    cfg = demo_client.get("/api/config").json()
    assert cfg["phases"][0] == "idee" and "kabels en leidingen" in cfg["asset_groups"]
    layers = demo_client.get("/api/layers").json()
    assert {layer["name"] for layer in layers} >= {"hittestress", "waterdiepte", "sociale_index"}
    assert demo_client.get("/api/layers/hittestress").json()["features"]
    vital = demo_client.get("/api/vital").json()["features"]
    assert any(f["properties"]["kind"] == "onderstation" for f in vital)
    import mapbox_vector_tile

    from openruimte.api.routers.tiles import lon_lat_to_tile

    x, y = lon_lat_to_tile(5.3876, 52.1561, 15)  # the centre of Voorbeeldstad (RD 155000, 463000)
    tile = demo_client.get(f"/tiles/assets/15/{x}/{y}.pbf")
    assert tile.status_code == 200 and tile.headers["content-type"] == "application/vnd.mapbox-vector-tile"
    decoded = mapbox_vector_tile.decode(tile.content)
    assert decoded["assets"]["features"] and "asset_type" in decoded["assets"]["features"][0]["properties"]


def test_security_headers_and_body_limit(store):
    client = TestClient(create_app(Settings(max_body_bytes=2048), store=store))
    client.headers.update(token_headers(store, "gemeente-x", "editor"))
    r = client.get("/api/info")
    assert (
        r.headers["x-content-type-options"] == "nosniff"
        and "default-src 'self'" in r.headers["content-security-policy"]
    )
    big = client.post(
        "/api/plans", content=json.dumps(feature(name="x" * 5000)), headers={"content-type": "application/json"}
    )
    assert big.status_code == 413 and big.json()["error"]["code"] == "too_large"


def test_docs_work_offline(client):
    page = client.get("/docs")
    assert page.status_code == 200 and "/vendor/swagger-ui/swagger-ui-bundle.js" in page.text and "cdn" not in page.text
    assert client.get("/openapi.json").json()["info"]["title"] == "OpenRuimte"


def _bad_calls(app):
    """For every API route in the OpenAPI document: a call that must fail (unknown
    resource or bad parameters)."""
    import re

    for path, methods in app.openapi()["paths"].items():
        if not (path.startswith("/api") or path.startswith("/tiles")):
            continue
        for method in methods:
            yield method.upper(), re.sub(r"\{(\w+)\}", lambda m: "99" if m.group(1) == "z" else "nope", path)


#: listings with no parameter to get wrong
WITHOUT_PARAMETERS = {
    "/api/layers",
    "/api/organisations",
    "/api/info",
    "/api/config",
    "/api/public/plans",
    "/api/session",
    "/api/formats",
    "/api/analysis",
    "/api/roadmap/definitions",
    # the 3D view and participation (#16)
    "/api/twin/scene",
    "/api/public/twin/scene",
    "/api/twin/plans",
    "/api/public/twin/plans",
    "/api/twin/models",
    "/api/public/twin/models",
    "/api/reactions/counts",
    "/api/reactions",
    # BIM information requirements (#14): the registered IDS files
    "/api/bim/ids",
    # clearance (#15): the table of minimum distances in force
    "/api/clearance/distances",
    # plan-rule checks (#15): the part of each checked design outside its bouwvlak
    "/api/rulecheck/outside",
}


def test_one_error_shape_on_every_endpoint(client):
    calls = list(_bad_calls(client.app))
    assert len(calls) >= 15
    for method, path in calls:
        if method == "GET" and "nope" not in path:
            path += "?bbox=1,2&start=never&crs=EPSG:9999&limit=0&format=shp&level=x"
        kwargs = (
            {"content": b"{not json", "headers": {"content-type": "application/json"}}
            if method in ("POST", "PUT")
            else {}
        )
        r = client.request(method, path, **kwargs)
        if path.split("?")[0] in WITHOUT_PARAMETERS:
            continue
        assert r.status_code >= 400, (method, path, r.status_code)
        body = r.json()
        assert set(body) == {"error"}, (method, path, body)
        assert set(body["error"]) == {"status", "code", "message", "details"}, (method, path)
        assert body["error"]["status"] == r.status_code and body["error"]["message"], (method, path)


def test_plan_list_is_cached_per_data_version_and_visibility_scope(client, store):
    """The map's big request is rendered once per data version; ETag/304; a write shows at once;
    callers who may see different plans never share an entry."""
    from tests.factories import plan

    other = token_headers(store, "netbeheerder-y", "viewer")  # (a write: made before the first request)
    with store.writer(actor="test") as w:
        w.upsert("plans", [plan(id="c1", visibility="public")])
    first = client.get("/api/plans")
    assert first.status_code == 200 and first.headers["etag"].startswith('"')
    assert [f["id"] for f in first.json()["features"]] == ["gemeente-voorbeeldstad:c1"]
    assert client.get("/api/plans", headers={"If-None-Match": first.headers["etag"]}).status_code == 304
    cache = client.app.state.response_cache
    entries = len(cache._entries)
    assert client.get("/api/plans").content == first.content and len(cache._entries) == entries
    client.get("/api/plans", headers={"Cookie": "taal=en"})  # the same caller: the same entry
    assert len(cache._entries) == entries
    client.get("/api/plans", headers=other)
    assert len(cache._entries) == entries + 1
    with store.writer(actor="test") as w:
        w.upsert("plans", [plan(id="c2", visibility="public")])
    second = client.get("/api/plans", headers={"If-None-Match": first.headers["etag"]})
    assert second.status_code == 200 and second.headers["etag"] != first.headers["etag"]
    assert sorted(f["id"] for f in second.json()["features"]) == [
        "gemeente-voorbeeldstad:c1",
        "gemeente-voorbeeldstad:c2",
    ]
    assert len(cache._entries) == 1  # entries of the old data version are gone
