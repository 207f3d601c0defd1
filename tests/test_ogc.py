"""OGC API Features at /ogc in process: every endpoint, paging by next links,
bbox in both CRSs, datetime, crs, property filters, the OGC exception document,
404s and the HTML pages, all against the analysed demo town."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import parse_qs, quote, urlsplit

import pytest
import shapely
from fastapi.testclient import TestClient
from shapely.geometry import shape

from openruimte.api import Settings, create_app
from openruimte.io.crs import CRS84_URI, RD_URI, to_wgs84
from openruimte.model import Plan
from openruimte.model.access import may_see
from tests import factories
from tests.support.auth import DEMO_MUNICIPALITY, token_headers
from tests.support.auth import coordinator_view as seen

JSON_TYPES = (str, int, float, bool, type(None))
CONF = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/"


def coordinator_client(store, settings=None):
    """The tests read as the demo's coordinator (what others see: tests/test_security_matrix.py)."""
    c = TestClient(create_app(settings or Settings(), store=store))
    c.headers.update(token_headers(store, DEMO_MUNICIPALITY, "coordinator"))
    return c


@pytest.fixture(scope="module")
def client(demo_store):
    return coordinator_client(demo_store)


def ok(client, url, **params):
    resp = client.get(url, params=params)
    assert resp.status_code == 200, resp.text
    return resp.json()


def bad(client, url, status=400, **params):
    resp = client.get(url, params=params)
    assert resp.status_code == status, resp.text
    body = resp.json()
    assert set(body) >= {"code", "description"} and body["description"]
    return body


def rel(doc, name, media_type=None):
    found = [li for li in doc["links"] if li["rel"] == name and (media_type is None or li["type"] == media_type)]
    assert found, f"no {name} link in {doc['links']}"
    return found[0]["href"]


def all_pages(client, url, **params):
    """Follow next links to the end; returns (features, pages)."""
    resp = client.get(url, params=params)
    pages = []
    while True:
        assert resp.status_code == 200, resp.text
        page = resp.json()
        pages.append(page)
        nxt = [li["href"] for li in page["links"] if li["rel"] == "next"]
        if not nxt:
            break
        resp = client.get(nxt[0])
    return [f for p in pages for f in p["features"]], pages


def asset_families(store) -> list[str]:
    """The assets-<family> collections: one per geometry family the coordinator's assets have."""
    types = {a.geometry.geom_type.removeprefix("Multi") for a in seen(store).assets()}
    return [
        f"assets-{f}" for f, t in (("point", "Point"), ("line", "LineString"), ("polygon", "Polygon")) if t in types
    ]


def collection_ids(store):
    return ["plans", "assets", "couplings", "conflicts", "areas", "streets", "buildings", "bim_models", "rules"] + [
        *asset_families(store)
    ] + [
        f"layer-{layer.name}" for layer in store.layers(with_features=False)
    ]


def overlaps(plan, lo, hi):
    return plan.start is None or plan.end is None or (plan.start <= hi and plan.end >= lo)


# --------------------------------------------------------------------------- landing, conformance, API


def test_landing_page_links_resolve(client):
    doc = ok(client, "/ogc")
    assert doc["title"]
    rels = {li["rel"] for li in doc["links"]}
    assert {"self", "alternate", "service-desc", "service-doc", "conformance", "data"} <= rels
    assert rel(doc, "alternate", "text/html").endswith("/ogc?f=html")
    assert rel(doc, "service-desc", "application/vnd.oai.openapi+json;version=3.0").endswith("/ogc/api")
    assert any(li["href"].endswith("/openapi.json") for li in doc["links"] if li["rel"] == "service-desc")
    for li in doc["links"]:
        assert client.get(li["href"]).status_code == 200, li


def test_conformance_classes(client):
    doc = ok(client, "/ogc/conformance")
    assert set(doc["conformsTo"]) == {
        CONF + "core",
        CONF + "geojson",
        CONF + "html",
        CONF + "oas30",
        "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
        "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables",
        "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables-query-parameters",
    }


def test_api_definition_is_openapi_30_with_queryables(client, demo_store):
    resp = client.get("/ogc/api")
    assert resp.status_code == 200
    assert resp.headers["content-type"].startswith("application/vnd.oai.openapi+json;version=3.0")
    api = resp.json()
    assert api["openapi"].startswith("3.0.")
    assert api["servers"][0]["url"].endswith("/ogc")
    for cid in collection_ids(demo_store):
        assert f"/collections/{cid}/items" in api["paths"]
        assert f"/collections/{cid}/items/{{featureId}}" in api["paths"]
    params = api["paths"]["/collections/plans/items"]["get"]["parameters"]
    names = {p.get("name") for p in params} | {p["$ref"].rsplit("/", 1)[1] for p in params if "$ref" in p}
    assert {"limit", "offset", "bbox", "bbox-crs", "datetime", "crs", "f", "phase", "owner"} <= names
    limit = api["components"]["parameters"]["limit"]["schema"]
    assert (limit["minimum"], limit["maximum"], limit["default"]) == (1, 10000, 10)
    excavation = next(p for p in params if p.get("name") == "excavation")
    assert excavation["schema"]["type"] == "boolean"


# --------------------------------------------------------------------------- collections


def test_collections_list_every_collection_with_extent_and_crs(client, demo_store):
    doc = ok(client, "/ogc/collections")
    assert rel(doc, "self").endswith("/ogc/collections?f=json")
    by_id = {c["id"]: c for c in doc["collections"]}
    assert list(by_id) == collection_ids(demo_store)
    titles = {f"layer-{layer.name}": layer.title for layer in demo_store.layers(with_features=False)}
    for cid, coll in by_id.items():
        assert coll["itemType"] == "feature"
        assert coll["crs"] == [CRS84_URI, RD_URI] and coll["storageCrs"] == RD_URI
        assert rel(coll, "items", "application/geo+json")
        if cid in titles:
            assert coll["title"] == titles[cid]
        assert coll == ok(client, f"/ogc/collections/{cid}")  # the same description on its own

    plans = seen(demo_store).plans()
    bounds = shapely.GeometryCollection(to_wgs84([p.geometry for p in plans])).bounds
    ((minx, miny, maxx, maxy),) = by_id["plans"]["extent"]["spatial"]["bbox"]
    assert minx <= bounds[0] and miny <= bounds[1] and maxx >= bounds[2] and maxy >= bounds[3]
    assert maxx - minx < (bounds[2] - bounds[0]) * 1.01 + 1e-4  # tight, not the world
    assert by_id["plans"]["extent"]["spatial"]["crs"] == CRS84_URI
    scheduled = [p for p in plans if p.start]
    start, end = by_id["plans"]["extent"]["temporal"]["interval"][0]
    assert start.startswith(min(p.start for p in scheduled).isoformat())
    assert end.startswith(max(p.end for p in scheduled).isoformat())
    assert "temporal" not in by_id["assets"]["extent"]


def test_every_collection_serves_all_its_features(client, demo_store):
    analysis = seen(demo_store).analysis("plans")["result"]
    expected = {
        "plans": len(seen(demo_store).plans()),
        "assets": len(seen(demo_store).assets()),
        "couplings": len(analysis["couplings"]),
        "conflicts": len(analysis["conflicts"]),
        "areas": len(demo_store.areas()),
        "streets": len(demo_store.streets()),
    } | {f"layer-{layer.name}": len(layer.features) for layer in demo_store.layers()}
    assert expected["couplings"] > 0 and expected["conflicts"] > 0
    for cid, count in expected.items():
        resp = client.get(f"/ogc/collections/{cid}/items", params={"limit": 3})
        assert resp.status_code == 200, (cid, resp.text)
        assert resp.headers["content-type"].startswith("application/geo+json")
        assert resp.headers["content-crs"] == f"<{CRS84_URI}>"
        page = resp.json()
        assert page["type"] == "FeatureCollection" and page["timeStamp"].endswith("Z")
        assert page["numberMatched"] == count, cid
        assert page["numberReturned"] == len(page["features"]) == min(3, count)
        for feat in page["features"]:
            assert isinstance(feat["id"], str) and feat["geometry"]["type"]
            assert all(isinstance(v, JSON_TYPES) for v in feat["properties"].values()), feat["properties"]
            keys = list(feat["properties"])
            assert keys[0] != "id"  # GDAL 3.6 would read it twice (sample + schema)
            assert keys == list(page["features"][0]["properties"])  # one schema per collection


def test_plan_properties_are_complete_and_flat(client, demo_store):
    feats, _ = all_pages(client, "/ogc/collections/plans/items", limit=100)
    by_key = {p.key: p for p in seen(demo_store).plans()}
    assert {f["id"] for f in feats} == set(by_key)
    exchange = set(by_key[feats[0]["id"]].to_record()) - {"geometry"}
    for feat in feats:
        props = feat["properties"]
        plan = by_key[feat["id"]]
        assert exchange <= set(props) and props["key"] == plan.key
        assert props["asset_types"] == ",".join(plan.asset_types)
        assert props["start"] == (plan.start.isoformat() if plan.start else None)
        assert props["phase"] == str(plan.phase) and props["excavation"] is plan.excavation


def test_schema_types_the_properties(client):
    coll = ok(client, "/ogc/collections/plans")
    href = next(li["href"] for li in coll["links"] if li["rel"].lower() == "describedby")
    resp = client.get(href)
    assert resp.headers["content-type"].startswith("application/schema+json")
    props = resp.json()["properties"]["properties"]["properties"]
    assert props["start"] == {"type": "string", "format": "date"}
    assert props["budget_eur"]["type"] == "number" and props["excavation"]["type"] == "boolean"
    assert props["version"]["type"] == "integer" and props["name"]["type"] == "string"
    assert props["updated_at"]["format"] == "date-time"


# --------------------------------------------------------------------------- paging


@pytest.mark.parametrize(("cid", "limit"), [("plans", 10), ("plans", 7), ("assets", 1000), ("streets", 500)])
def test_next_links_reach_every_feature_once(client, demo_store, cid, limit):
    feats, pages = all_pages(client, f"/ogc/collections/{cid}/items", limit=limit)
    matched = pages[0]["numberMatched"]
    assert len(feats) == matched == len({f["id"] for f in feats})
    assert len(pages) == -(-matched // limit)
    assert all(p["numberReturned"] == limit for p in pages[:-1])
    assert "prev" not in {li["rel"] for li in pages[0]["links"]}
    assert all("prev" in {li["rel"] for li in p["links"]} for p in pages[1:])
    if cid == "plans":
        assert [f["id"] for f in feats] == [p.key for p in seen(demo_store).plans()]  # store order, stable


def test_paging_keeps_the_filters(client):
    feats, pages = all_pages(client, "/ogc/collections/plans/items", limit=3, phase="ontwerp", crs=RD_URI)
    assert len(pages) > 1 and len(feats) == pages[0]["numberMatched"]
    assert all(f["properties"]["phase"] == "ontwerp" for f in feats)
    assert all(f["geometry"]["coordinates"] and _is_rd(f) for f in feats)
    query = parse_qs(urlsplit(rel(pages[0], "next")).query)
    assert query["phase"] == ["ontwerp"] and query["crs"] == [RD_URI] and query["offset"] == ["3"]


def _is_rd(feat):
    return shape(feat["geometry"]).bounds[0] > 1000


def test_limit_offset_validation_and_cap(client, demo_store):
    for params in ({"limit": 0}, {"limit": "abc"}, {"limit": -5}, {"offset": -1}, {"offset": "x"}, {"limit": [1, 2]}):
        bad(client, "/ogc/collections/plans/items", **params)
    page = ok(client, "/ogc/collections/plans/items", limit=50_000)
    assert page["numberReturned"] == page["numberMatched"] == len(seen(demo_store).plans())
    page = ok(client, "/ogc/collections/plans/items", offset=10_000)
    assert page["features"] == [] and "next" not in {li["rel"] for li in page["links"]}

    capped = coordinator_client(demo_store, Settings(page_limit=5))
    page = ok(capped, "/ogc/collections/plans/items", limit=50)
    assert page["numberReturned"] == 5
    assert parse_qs(urlsplit(rel(page, "next")).query)["limit"] == ["5"]


def test_pages_read_the_store_once(demo_store, monkeypatch):
    calls = []
    original = demo_store.assets

    def counting(**kwargs):
        calls.append(kwargs)
        return original(**kwargs)

    monkeypatch.setattr(demo_store, "assets", counting)
    fresh = coordinator_client(demo_store)
    ids = set()
    for offset in (0, 10, 20, 4000):
        page = ok(fresh, "/ogc/collections/assets/items", offset=offset, bbox="5.30,52.10,5.45,52.20")
        ids |= {f["id"] for f in page["features"]}
    ok(fresh, "/ogc/collections/assets/items/" + quote(sorted(ids)[0]))
    assert len(calls) == 1


# --------------------------------------------------------------------------- bbox, datetime, crs


def test_bbox_in_crs84(client, demo_store):
    box = (5.37, 52.14, 5.40, 52.16)
    plans = seen(demo_store).plans()
    lonlat = to_wgs84([p.geometry for p in plans])
    expected = {p.key for p, g in zip(plans, lonlat, strict=True) if g.intersects(shapely.box(*box))}
    assert 0 < len(expected) < len(plans)
    bbox = ",".join(map(str, box))
    feats, _ = all_pages(client, "/ogc/collections/plans/items", bbox=bbox, limit=100)
    assert {f["id"] for f in feats} == expected
    feats, _ = all_pages(client, "/ogc/collections/plans/items", bbox=bbox, **{"bbox-crs": CRS84_URI}, limit=100)
    assert {f["id"] for f in feats} == expected
    six = f"{box[0]},{box[1]},-10,{box[2]},{box[3]},100"
    assert {f["id"] for f in all_pages(client, "/ogc/collections/plans/items", bbox=six, limit=100)[0]} == expected


def test_bbox_in_rd(client, demo_store):
    plans = seen(demo_store).plans()
    x0, y0, x1, y1 = shapely.GeometryCollection([p.geometry for p in plans]).bounds
    box = (x0, y0, (x0 + x1) / 2, (y0 + y1) / 2)
    expected = {p.key for p in plans if p.geometry.intersects(shapely.box(*box))}
    assert 0 < len(expected) < len(plans)
    feats, _ = all_pages(
        client, "/ogc/collections/plans/items", bbox=",".join(map(str, box)), **{"bbox-crs": RD_URI}, limit=100
    )
    assert {f["id"] for f in feats} == expected
    assets = [a for a in seen(demo_store).assets() if a.geometry.intersects(shapely.box(*box))]
    page = ok(client, "/ogc/collections/assets/items", bbox=",".join(map(str, box)), **{"bbox-crs": RD_URI})
    assert page["numberMatched"] == len(assets)


def test_bbox_errors_and_far_away(client):
    for value in ("1,2,3", "a,b,c,d", "5.4,52.1,5.3,52.2", "-200,0,0,10", "nan,1,2,3"):
        bad(client, "/ogc/collections/plans/items", bbox=value)
    bad(client, "/ogc/collections/plans/items", bbox="1,2,3,4", **{"bbox-crs": "EPSG:9999999"})
    assert ok(client, "/ogc/collections/plans/items", bbox="100,10,110,20")["numberMatched"] == 0
    world = ok(client, "/ogc/collections/plans/items", bbox="-180,-90,180,90")
    assert world["numberMatched"] == ok(client, "/ogc/collections/plans/items")["numberMatched"]


@pytest.mark.parametrize(
    ("value", "lo", "hi"),
    [
        ("2028-06-01", dt.date(2028, 6, 1), dt.date(2028, 6, 1)),
        ("2028-06-01T12:00:00Z", dt.date(2028, 6, 1), dt.date(2028, 6, 1)),
        ("2028-01-01/2028-12-31", dt.date(2028, 1, 1), dt.date(2028, 12, 31)),
        ("2028-01-01T00:00:00Z/2029-06-30T23:59:59Z", dt.date(2028, 1, 1), dt.date(2029, 6, 30)),
        ("../2027-01-01", dt.date.min, dt.date(2027, 1, 1)),
        ("2031-01-01/..", dt.date(2031, 1, 1), dt.date.max),
        ("2031-01-01/", dt.date(2031, 1, 1), dt.date.max),
    ],
)
def test_datetime_on_the_execution_window(client, demo_store, value, lo, hi):
    plans = seen(demo_store).plans()
    expected = {p.key for p in plans if overlaps(p, lo, hi)}
    assert len(expected) < len(plans)
    feats, _ = all_pages(client, "/ogc/collections/plans/items", datetime=value, limit=100)
    assert {f["id"] for f in feats} == expected
    # collections without a temporal extent: every feature matches (/req/core/fc-time-response C)
    assert ok(client, "/ogc/collections/areas/items", datetime=value)["numberMatched"] == len(demo_store.areas())


def test_datetime_errors(client):
    for value in ("2028-13-45", "yesterday", "2029-01-01/2028-01-01"):
        bad(client, "/ogc/collections/plans/items", datetime=value)


def test_crs_rd_returns_the_stored_coordinates(client, demo_store):
    resp = client.get("/ogc/collections/plans/items", params={"crs": RD_URI, "limit": 1000})
    assert resp.headers["content-crs"] == f"<{RD_URI}>"
    by_key = {p.key: p for p in seen(demo_store).plans()}
    for feat in resp.json()["features"]:
        assert shapely.equals_exact(shape(feat["geometry"]), by_key[feat["id"]].geometry, tolerance=0)
    # other spellings of EPSG:28992 are understood too
    for spelling in ("EPSG:28992", "urn:ogc:def:crs:EPSG::28992"):
        resp = client.get("/ogc/collections/plans/items", params={"crs": spelling, "limit": 1})
        assert resp.headers["content-crs"] == f"<{RD_URI}>"


def test_crs84_is_lon_lat_within_a_millimetre(client, demo_store):
    resp = client.get("/ogc/collections/plans/items", params={"crs": CRS84_URI, "limit": 1000})
    assert resp.headers["content-crs"] == f"<{CRS84_URI}>"
    by_key = {p.key: p for p in seen(demo_store).plans()}
    for feat in resp.json()["features"]:
        expected = to_wgs84([by_key[feat["id"]].geometry])[0]
        got = shape(feat["geometry"])
        assert shapely.equals_exact(got, expected, tolerance=1e-9)
        assert 3 < got.bounds[0] < 8 and 50 < got.bounds[1] < 54  # longitude first


def test_unsupported_crs_is_400(client):
    for value in ("http://www.opengis.net/def/crs/EPSG/0/4326", "EPSG:3857", "nonsense"):
        bad(client, "/ogc/collections/plans/items", crs=value)
        bad(client, "/ogc/collections/plans/items", bbox="5.3,52.1,5.4,52.2", **{"bbox-crs": value})
    bad(client, "/ogc/collections/plans/items/x", crs="EPSG:3857")


# --------------------------------------------------------------------------- property filters


def test_property_filters(client, demo_store):
    plans = seen(demo_store).plans()
    owner = plans[0].owner

    def keys(**params):
        return {f["id"] for f in all_pages(client, "/ogc/collections/plans/items", limit=100, **params)[0]}

    expected = {p.key for p in plans if p.phase.value == "ontwerp" and p.owner == owner}
    assert expected and keys(phase="ontwerp", owner=owner) == expected
    other = next(p.owner for p in plans if p.owner != owner)
    assert keys(owner=[owner, other]) == {p.key for p in plans if p.owner in (owner, other)}
    assert keys(asset_types="gemengd_riool") == {p.key for p in plans if "gemengd_riool" in p.asset_types}
    assert keys(excavation="false") == {p.key for p in plans if not p.excavation}
    assert keys(id=plans[3].id, owner=plans[3].owner) == {plans[3].key}
    assert keys(phase="bestaat-niet") == set()
    assets = seen(demo_store).assets()
    page = ok(client, "/ogc/collections/assets/items", asset_type=assets[0].asset_type, owner=assets[0].owner)
    assert page["numberMatched"] == sum(
        a.asset_type == assets[0].asset_type and a.owner == assets[0].owner for a in assets
    )
    a, b = seen(demo_store).analysis("plans")["result"]["couplings"][0]["a"], None
    page = ok(client, "/ogc/collections/couplings/items", a=a)
    assert page["numberMatched"] >= 1 and all(f["properties"]["a"] == a for f in page["features"]) and b is None
    bad(client, "/ogc/collections/plans/items", excavation="misschien")


def test_unknown_parameter_is_400_with_the_ogc_exception(client):
    body = bad(client, "/ogc/collections/plans/items", colour="red")
    assert body["code"] == "unknown_parameter" and "colour" in body["description"]
    bad(client, "/ogc/collections/assets/items", phase="ontwerp")  # a plan queryable, not an asset one
    for url in ("/ogc", "/ogc/conformance", "/ogc/collections", "/ogc/collections/plans", "/ogc/api"):
        bad(client, url, limit=5)
    bad(client, "/ogc/collections/plans/items/x", limit=5)
    bad(client, "/ogc/collections/plans/items", f="xml")


def test_unknown_collection_or_feature_is_404(client):
    for url in (
        "/ogc/collections/nope",
        "/ogc/collections/nope/items",
        "/ogc/collections/layer-nope/items",
        "/ogc/collections/plans/items/nobody:nothing",
        "/ogc/collections/plans/schema/x",
    ):
        body = bad(client, url, status=404)
        assert body["code"] == "not_found"


# --------------------------------------------------------------------------- single features


def test_feature_by_id_with_colon_and_percent_encoding(client, demo_store):
    plan = seen(demo_store).plans()[0]
    for path in (plan.key, quote(plan.key, safe=""), quote(plan.key)):
        resp = client.get(f"/ogc/collections/plans/items/{path}")
        assert resp.status_code == 200, path
        assert resp.headers["content-type"].startswith("application/geo+json")
        assert resp.headers["content-crs"] == f"<{CRS84_URI}>"
        feat = resp.json()
        assert feat["id"] == plan.key and feat["properties"]["name"] == plan.name
        assert client.get(rel(feat, "self")).json()["id"] == plan.key
        assert rel(feat, "collection").endswith("/ogc/collections/plans?f=json")
    feat = ok(client, f"/ogc/collections/plans/items/{plan.key}", crs=RD_URI)
    assert shapely.equals_exact(shape(feat["geometry"]), plan.geometry, tolerance=0)
    area = demo_store.areas()[0]
    assert ok(client, f"/ogc/collections/areas/items/{area.code}")["properties"]["name"] == area.name


def test_couplings_and_conflicts_are_lines_between_the_nearest_points(client, demo_store):
    geoms = {p.key: p.geometry for p in seen(demo_store).plans()}
    result = seen(demo_store).analysis("plans")["result"]
    for cid, first, second, extra in (
        ("couplings", "a", "b", ("gap_days", "score")),
        ("conflicts", "renewal", "plan", ("overlap_days",)),
    ):
        feats, _ = all_pages(client, f"/ogc/collections/{cid}/items", crs=RD_URI, limit=100)
        assert len(feats) == len(result[cid])
        for feat, entry in zip(feats, result[cid], strict=True):
            props = feat["properties"]
            assert (props[first], props[second]) == (entry[first], entry[second])
            assert props["text"] == entry["explanation"]["text"] and props["distance_m"] == entry["distance_m"]
            assert all(props[k] == entry[k] for k in extra)
            line = shape(feat["geometry"])
            assert line.geom_type == "LineString"
            assert shapely.equals_exact(line, shapely.shortest_line(geoms[entry[first]], geoms[entry[second]]), 0)
            assert abs(line.length - entry["distance_m"]) < 1.0
            same = ok(client, f"/ogc/collections/{cid}/items/{quote(feat['id'])}", crs=RD_URI)
            assert same["properties"] == props


# --------------------------------------------------------------------------- HTML


HTML_PAGES = (
    "/ogc",
    "/ogc/conformance",
    "/ogc/collections",
    "/ogc/collections/plans",
    "/ogc/collections/plans/items",
    "/ogc/collections/assets/items",
    "/ogc/collections/couplings/items",
)


@pytest.mark.parametrize("path", HTML_PAGES)
def test_html_pages_are_plain_server_rendered(client, path):
    for resp in (
        client.get(path, params={"f": "html"}),
        client.get(path, headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}),
    ):
        assert resp.status_code == 200 and resp.headers["content-type"].startswith("text/html")
        page = resp.text
        assert page.startswith("<!doctype html>") and '<html lang="nl">' in page
        for asset in ("<script", "<link", "<img", "src=", "@import", "url("):  # no assets at all, so no CDN
            assert asset not in page
        targets = re.findall(r'href="([^"]+)"', page)
        assert targets and all(t.startswith(("http://testserver/", "http://www.opengis.net/")) for t in targets)
        assert "Collecties" in page


def test_html_feature_page_and_items_table(client, demo_store):
    plan = seen(demo_store).plans()[0]
    page = client.get(f"/ogc/collections/plans/items/{plan.key}", params={"f": "html"}).text
    assert plan.name in page and "Geometrie" in page
    page = client.get("/ogc/collections/plans/items", params={"f": "html", "limit": 5}).text
    assert page.count("<tr>") == 6 and "Volgende" in page
    assert quote(plan.key, safe=":~@") in page


def test_accept_negotiation(client):
    gdal = client.get("/ogc/collections/plans/items", headers={"Accept": "application/geo+json, application/json"})
    assert gdal.headers["content-type"].startswith("application/geo+json")
    assert client.get("/ogc", headers={"Accept": "application/json"}).headers["content-type"] == "application/json"
    assert client.get("/ogc", headers={"Accept": "*/*"}).headers["content-type"] == "application/json"
    assert client.get("/ogc", headers={"Accept": "text/html"}).headers["content-type"].startswith("text/html")
    # f wins over Accept
    assert client.get("/ogc?f=json", headers={"Accept": "text/html"}).headers["content-type"] == "application/json"
    assert "Accept" in client.get("/ogc").headers["vary"]


# --------------------------------------------------------------------------- both engines, writes


def test_writes_show_at_once_on_both_engines(store):
    with store.writer("test") as w:
        w.upsert("plans", factories.full_plans())
    client = coordinator_client(store)
    page = ok(client, "/ogc/collections/plans/items", crs=RD_URI)
    coordinator = seen(store).principal
    by_key = {p.key: p for p in factories.full_plans() if may_see(coordinator, p.owner, p.visibility)}
    assert page["numberMatched"] == len(by_key) >= 3  # another party's private plan is not among them
    for feat in page["features"]:
        assert shapely.equals_exact(shape(feat["geometry"]), by_key[feat["id"]].geometry, tolerance=0)
        assert Plan.from_record({**feat["properties"], "geometry": shape(feat["geometry"])}) == by_key[feat["id"]]
    assert ok(client, "/ogc/collections/couplings/items")["numberMatched"] == 0  # not analysed yet
    with store.writer("test") as w:
        w.upsert("plans", [factories.plan(id="p-new", name="Nieuw plan")])
    page = ok(client, "/ogc/collections/plans/items", name="Nieuw plan")
    assert [f["id"] for f in page["features"]] == ["gemeente-voorbeeldstad:p-new"]
    assert ok(client, "/ogc/collections/plans")["extent"]["temporal"]["interval"][0][0] == "2027-01-01T00:00:00Z"
    with store.writer("test") as w:
        w.upsert("plans", [factories.plan(id="p-html", name="<script>alert(1)</script> & co")])
    for url in ("/ogc/collections/plans/items", "/ogc/collections/plans/items/gemeente-voorbeeldstad:p-html"):
        page = client.get(url, params={"f": "html"}).text
        assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in page


# --------------------------------------------------------------------------- Part 3 queryables, typed collections, errors


def test_every_collection_has_queryables_part_3(client, demo_store):
    for cid in collection_ids(demo_store):
        coll = ok(client, f"/ogc/collections/{cid}")
        href = rel(coll, "http://www.opengis.net/def/rel/ogc/1.0/queryables", "application/schema+json")
        resp = client.get(href)
        assert resp.status_code == 200 and resp.headers["content-type"].startswith("application/schema+json")
        doc = resp.json()
        assert doc["type"] == "object" and doc["additionalProperties"] is False
        assert set(doc["properties"]) == {*coll["queryables"], "geometry"}
        assert doc["properties"]["geometry"]["x-ogc-role"] == "primary-geometry"
        assert doc["properties"]["geometry"]["format"].startswith("geometry-")
    plans = ok(client, "/ogc/collections/plans/queryables")
    assert plans["properties"]["excavation"]["type"] == "boolean" and plans["properties"]["phase"]["type"] == "string"
    assert client.get("/ogc/collections/plans/queryables?f=html").text.startswith("<!doctype html>")


def test_assets_by_geometry_type_each_of_one_type(client, demo_store):
    families = asset_families(demo_store)
    assert families  # the demo has point, line and polygon assets
    total = 0
    for cid in families:
        formats = ok(client, f"/ogc/collections/{cid}/queryables")["properties"]["geometry"]["format"]
        features, _ = all_pages(client, f"/ogc/collections/{cid}/items", limit=10000)
        kinds = {f["geometry"]["type"] for f in features}
        assert len(kinds) == 1 and formats == "geometry-" + kinds.pop().lower()
        total += len(features)
    assert total == len(seen(demo_store).assets())


def test_ogc_errors_carry_the_ogc_and_the_rest_shape(client):
    resp = client.get("/ogc/collections/nothing-here")
    assert resp.status_code == 404
    body = resp.json()
    assert body["code"] == "not_found" and body["description"]  # OGC API exception
    assert body["error"] == {"status": 404, "code": "not_found", "message": body["description"], "details": []}
    rest = client.get("/api/plans/nobody/nothing").json()
    assert set(rest["error"]) == set(body["error"])
