"""The leak matrix: every read path x who asks x visibility x sensitivity, on SQLite and PostGIS.

One organisation (``telecom-a``, the owner) has six plans: private, shared and
public, each plain and commercially sensitive; every plan has a partner plan of
``gemeente-b`` (shared) two metres away, so the analysis pairs them. Then we
ask as the owner, as ``gemeente-b`` (at the programming table), as
``adviseur-c`` (not at the table), anonymously and as the coordinator, over
REST (list, detail, history, export, counts, assets, policy goals, vital
systems, analysis, a plan's analysis), OGC
API Features (plans, assets, couplings), vector tiles and the public map, and
assert exactly which plans each sees, which masked, and that nothing that names
a hidden or masked plan is in any answer.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import mapbox_vector_tile
import pytest
import shapely
from fastapi.testclient import TestClient

from openruimte.analysis.pairs import Parameters
from openruimte.api import Settings, create_app
from openruimte.api.routers.mapdata import MAP_FIELDS
from openruimte.api.routers.tiles import lon_lat_to_tile
from openruimte.io.crs import to_wgs84
from openruimte.model import Asset, Plan, PolicyGoal, Visibility, VitalElement, VitalSystem
from openruimte.model.access import UNDISCLOSED, UNDISCLOSED_NAME
from openruimte.services import analyse as analysing
from tests.factories import X0, Y0, area
from tests.support.auth import token_headers

OWNER, MEMBER, OUTSIDER, COORD = "telecom-a", "gemeente-b", "adviseur-c", "gemeente-coord"
VISIBILITIES = ("private", "shared", "public")
CASES = [(vis, sens) for vis in VISIBILITIES for sens in (False, True)]


def pid(vis: str, sens: bool) -> str:
    return f"{vis}-{'gevoelig' if sens else 'open'}"


def marker(vis: str, sens: bool) -> str:
    """A word only this plan's identifying fields carry."""
    return f"GEHEIM{vis.upper()}{'S' if sens else 'N'}"


def owner_plan(i: int, vis: str, sens: bool) -> Plan:
    x = X0 + 200 * i
    return Plan.from_record(
        {
            "id": pid(vis, sens),
            "name": f"Glasvezel {marker(vis, sens)}",
            "owner": OWNER,
            "phase": "realisatie",
            "hardness": "besloten",
            "asset_types": "telecom",
            "start": "2027-04-01",
            "end": "2027-06-30",
            "budget_eur": 123456,
            "contact": f"{marker(vis, sens).lower()}@telecom-a.nl",
            "visibility": vis,
            "sensitive": sens,
            "geometry": shapely.LineString([(x, Y0), (x + 100, Y0)]),
        }
    )


def partner_plan(i: int, vis: str, sens: bool) -> Plan:
    x = X0 + 200 * i
    return Plan.from_record(
        {
            "id": f"partner-{pid(vis, sens)}",
            "name": f"Riool naast {pid(vis, sens)}",
            "owner": MEMBER,
            "phase": "realisatie",
            "hardness": "besloten",
            "asset_types": "gemengd_riool",
            "start": "2027-05-01",
            "end": "2027-08-31",
            "visibility": "shared",
            "geometry": shapely.LineString([(x, Y0 + 2), (x + 100, Y0 + 2)]),
        }
    )


def owner_asset(vis: str) -> Asset:
    return Asset.from_record(
        {
            "id": f"kast-{vis}",
            "owner": OWNER,
            "asset_type": "telecom",
            "name": f"Kast {marker(vis, False)}",
            "visibility": vis,
            "geometry": shapely.Point(X0 + 50, Y0 - 50),
        }
    )


def owner_goal(vis: str) -> PolicyGoal:
    return PolicyGoal(
        id=f"doel-{vis}",
        owner=OWNER,
        theme="digitalisering",
        indicator=f"dekking {marker(vis, False)}",
        visibility=Visibility(vis),
        geometry=shapely.box(X0, Y0, X0 + 50, Y0 + 50),
    )


def owner_system(vis: str) -> VitalSystem:
    element = VitalElement(
        id="wijkcentrale",
        system=f"net-{vis}",
        kind="wijkcentrale",
        name=f"Centrale {marker(vis, False)}",
        capacity=100.0,
        load=40.0,
        unit="kW",
        geometry=shapely.Point(X0 + 10, Y0 + 10),
    )
    return VitalSystem(
        id=f"net-{vis}",
        owner=OWNER,
        name=f"Net {vis}",
        network_type="telecom",
        visibility=Visibility(vis),
        elements=[element],
    )


@dataclass(frozen=True)
class Who:
    name: str
    org: str | None
    role: str | None = None
    at_table: bool = True


WHO = (
    Who("owner", OWNER, "viewer"),
    Who("member", MEMBER, "viewer"),
    Who("outsider", OUTSIDER, "viewer", at_table=False),
    Who("anonymous", None),
    Who("coordinator", COORD, "coordinator"),
)


def sees(who: Who, vis: str) -> bool:
    if who.name == "owner":
        return True
    if vis == "public":
        return True
    return vis == "shared" and who.name in ("member", "coordinator")


def unmasked(who: Who, sens: bool) -> bool:
    return not sens or who.name in ("owner", "coordinator")


def partner_seen(who: Who) -> bool:
    return who.name in ("owner", "member", "coordinator")


@pytest.fixture
def world(store):
    owners = [owner_plan(i, vis, sens) for i, (vis, sens) in enumerate(CASES)]
    partners = [partner_plan(i, vis, sens) for i, (vis, sens) in enumerate(CASES)]
    with store.writer("test") as w:
        w.upsert("plans", owners + partners + [renewal_plan()])
        w.upsert("assets", [owner_asset(vis) for vis in VISIBILITIES])
        w.upsert("policy", [owner_goal(vis) for vis in VISIBILITIES])
        w.upsert("vital", [owner_system(vis) for vis in VISIBILITIES])
        w.upsert("areas", [area("BU00010001", (X0 - 100, Y0 - 100, X0 + 1300, Y0 + 100))])
    analysing.analyse_store(store, Parameters(), actor="test")
    app = create_app(Settings(), store=store)
    clients = {}
    for who in WHO:
        client = TestClient(app)
        if who.org is not None:
            client.headers.update(token_headers(store, who.org, who.role, at_table=who.at_table))
        clients[who.name] = client
    return clients


def expected_plans(who: Who) -> tuple[set[str], int]:
    """Keys shown in full, and how many plans shown masked."""
    full, masked = set(), 0
    for vis, sens in CASES:
        if sees(who, vis):
            if unmasked(who, sens):
                full.add(f"{OWNER}:{pid(vis, sens)}")
            else:
                masked += 1
        if partner_seen(who):
            full.add(f"{MEMBER}:partner-{pid(vis, sens)}")
    if partner_seen(who):
        full.add(RENEWAL)
    return full, masked


def hidden_markers(who: Who, keys: bool = True) -> list[str]:
    """Markers (and keys) of owner plans the principal may not identify."""
    out = []
    for vis, sens in CASES:
        if not (sees(who, vis) and unmasked(who, sens)):
            out += [marker(vis, sens), marker(vis, sens).lower()] + ([f"{OWNER}:{pid(vis, sens)}"] if keys else [])
    return out


def assert_nothing_named(who: Who, text: str, where: str, keys: bool = True) -> None:
    """``keys=False``: the answer may repeat the key that was asked for (a 404 names it)."""
    for word in hidden_markers(who, keys):
        assert word not in text, f"{who.name} learns '{word}' from {where}"


def split(features: list[dict]) -> tuple[set[str], list[dict]]:
    keys = {f["id"] for f in features if not f["id"].startswith(UNDISCLOSED + ":")}
    return keys, [f for f in features if f["id"].startswith(UNDISCLOSED + ":")]


@pytest.mark.parametrize("who", WHO, ids=[w.name for w in WHO])
def test_rest_list_detail_export_and_counts(world, who):
    client = world[who.name]
    full, masked = expected_plans(who)
    resp = client.get("/api/plans")
    assert resp.status_code == 200
    keys, anon = split(resp.json()["features"])
    assert keys == full and len(anon) == masked
    assert_nothing_named(who, resp.text, "/api/plans")
    for f in anon:  # masked: geometry, phase and period stay; nothing that names the party
        props = f["properties"]
        assert props["owner"] == UNDISCLOSED and props["name"] == UNDISCLOSED_NAME
        assert props["budget_eur"] is None and props["contact"] is None and props["asset_types"] == []
        assert props["phase"] == "realisatie" and props["start"] == "2027-04-01" and f["geometry"]["coordinates"]
        # a masked plan can be read back by its opaque key, never by its real one
        owner, opaque = f["id"].split(":", 1)
        assert client.get(f"/api/plans/{owner}/{opaque}").status_code == 200
    for vis, sens in CASES:
        r = client.get(f"/api/plans/{OWNER}/{pid(vis, sens)}")
        assert r.status_code == (200 if sees(who, vis) and unmasked(who, sens) else 404), (vis, sens)
        assert_nothing_named(who, r.text, "a plan's detail", keys=False)
        h = client.get(f"/api/plans/{OWNER}/{pid(vis, sens)}/history")
        assert h.status_code == r.status_code
    # filtering by the owner or the asset type does not single out masked plans
    by_owner = client.get("/api/plans", params={"owner": OWNER}).json()["features"]
    assert {f["id"] for f in by_owner} == {k for k in full if k.startswith(OWNER)}
    assert client.get("/api/plans", params={"q": "GEHEIM"}).json()["numberMatched"] == len(
        {k for k in full if k.startswith(OWNER)}
    )
    export = client.get("/api/plans/export", params={"format": "geojson"})
    assert export.status_code == 200
    exported = json.loads(export.content)["features"]
    assert len(exported) == len(full) + masked
    assert_nothing_named(who, export.content.decode(), "the export")
    info = client.get("/api/info").json()
    assert sum(info["plans"].values()) == len(full) + masked
    assert info["plans"].get(UNDISCLOSED, 0) == masked
    assets = client.get("/api/assets").json()["features"]
    assert {f["id"] for f in assets} == {f"{OWNER}:kast-{vis}" for vis in VISIBILITIES if sees(who, vis)}
    goals = client.get("/api/policy")
    assert {f["id"] for f in goals.json()["features"]} == {
        f"{OWNER}:doel-{vis}" for vis in VISIBILITIES if sees(who, vis)
    }
    vital = client.get("/api/vital")
    assert {f["id"] for f in vital.json()["features"]} == {
        f"{OWNER}:net-{vis}:wijkcentrale" for vis in VISIBILITIES if sees(who, vis)
    }
    for vis in VISIBILITIES:
        if not sees(who, vis):
            for text in (json.dumps(assets), goals.text, vital.text):
                assert marker(vis, False) not in text
    assert info["policy"] == {OWNER: sum(sees(who, v) for v in VISIBILITIES)}
    assert info["vital"] == {OWNER: sum(sees(who, v) for v in VISIBILITIES)}


@pytest.mark.parametrize("who", WHO, ids=[w.name for w in WHO])
def test_ogc_items_and_tiles(world, who):
    client = world[who.name]
    full, masked = expected_plans(who)
    resp = client.get("/ogc/collections/plans/items", params={"limit": 1000})
    assert resp.status_code == 200
    keys, anon = split(resp.json()["features"])
    assert keys == full and len(anon) == masked
    assert_nothing_named(who, resp.text, "OGC plans")
    one = client.get(f"/ogc/collections/plans/items/{OWNER}:{pid('shared', True)}")
    assert one.status_code == (200 if who.name in ("owner", "coordinator") else 404)
    assets = client.get("/ogc/collections/assets/items", params={"limit": 1000})
    assert {f["id"] for f in assets.json()["features"]} == {
        f"{OWNER}:kast-{vis}" for vis in VISIBILITIES if sees(who, vis)
    }
    assert_nothing_named(who, assets.text, "OGC assets")
    # vector tiles: every tile over the plans
    lo, hi = to_wgs84([shapely.Point(X0, Y0), shapely.Point(X0 + 1200, Y0)])
    tiles = {lon_lat_to_tile(p.x, p.y, 14) for p in (lo, hi)}
    drawn = []
    for x, y in tiles:
        r = client.get(f"/tiles/plans/14/{x}/{y}.pbf")
        assert r.status_code == 200
        for word in hidden_markers(who):
            assert word.encode() not in r.content, f"{who.name} learns {word} from a tile"
        if r.content:
            drawn += [f["properties"] for f in mapbox_vector_tile.decode(r.content)["plans"]["features"]]
    assert {p["key"] for p in drawn if p["owner"] != UNDISCLOSED} == full
    assert len({p["key"] for p in drawn if p["owner"] == UNDISCLOSED}) == masked


RENEWAL = f"{MEMBER}:herbestrating"
#: the renewal lies beside the owner's public plan: a coupling, and a no-dig conflict (the owner digs after it)
RENEWAL_CASE = ("public", False)


def renewal_plan() -> Plan:
    x = X0 + 200 * CASES.index(RENEWAL_CASE)
    return Plan.from_record(
        {
            "id": "herbestrating",
            "name": "Nieuwe bestrating",
            "owner": MEMBER,
            "phase": "realisatie",
            "hardness": "besloten",
            "asset_types": "weg",
            "start": "2026-06-01",
            "end": "2026-12-31",
            "excavation": False,
            "surface_renewal": True,
            "visibility": "shared",
            "geometry": shapely.LineString([(x, Y0 - 4), (x + 100, Y0 - 4)]),
        }
    )


def all_pairs() -> list[tuple[str, str, str]]:
    """(kind, first, second) of every pair the analysis finds (asserted against the raw result)."""
    out = []
    for vis, sens in CASES:
        out.append(("coupling", f"{OWNER}:{pid(vis, sens)}", f"{MEMBER}:partner-{pid(vis, sens)}"))
    near = f"{OWNER}:{pid(*RENEWAL_CASE)}"
    out += [
        ("coupling", RENEWAL, near),
        ("coupling", RENEWAL, f"{MEMBER}:partner-{pid(*RENEWAL_CASE)}"),
        ("conflict", RENEWAL, near),
    ]
    return out


def shown(who: Who, key: str) -> bool:
    if key.startswith(MEMBER + ":"):
        return partner_seen(who)
    vis, sens = next(c for c in CASES if key == f"{OWNER}:{pid(*c)}")
    return sees(who, vis) and unmasked(who, sens)


def expected_pairs(who: Who) -> tuple[set[tuple[str, frozenset[str]]], list[tuple[str, str, str]]]:
    """Full pairs (kind, {keys}), and what is told of the others: (kind, the visible plan, quarter of the hidden)."""
    full, told = set(), []
    quarter = {RENEWAL: "2026-K2"}
    for kind, first, second in all_pairs():
        one, two = shown(who, first), shown(who, second)
        if one and two:
            full.add((kind, frozenset((first, second))))
        elif one or two:
            hidden = second if one else first
            told.append((kind, first if one else second, quarter.get(hidden, "2027-K2")))
    return full, sorted(told)


def test_the_analysis_finds_every_pair(world, store):
    result = store.latest_analysis("plans")["result"]
    found = {("coupling", frozenset((c["a"], c["b"]))) for c in result["couplings"]}
    found |= {("conflict", frozenset((c["renewal"], c["plan"]))) for c in result["conflicts"]}
    assert found == {(kind, frozenset((a, b))) for kind, a, b in all_pairs()}


@pytest.mark.parametrize("who", WHO, ids=[w.name for w in WHO])
def test_analysis_results_are_filtered_pair_by_pair(world, who):
    client = world[who.name]
    full, told = expected_pairs(who)
    resp = client.get("/api/analysis/plans")
    assert resp.status_code == 200
    result = resp.json()["result"]
    got = {("coupling", frozenset((c["a"], c["b"]))) for c in result["couplings"]}
    got |= {("conflict", frozenset((c["renewal"], c["plan"]))) for c in result["conflicts"]}
    assert got == full
    assert sorted((u["kind"], u["plan"], u["quarter"]) for u in result["undisclosed"]) == told
    for u in result["undisclosed"]:  # area and quarter, not the plan: no distance, no dates, no geometry
        what = "koppelkans" if u["kind"] == "coupling" else "graafrustconflict"
        assert (
            u["text"] == f"{what}: een niet-genoemde partij heeft werkzaamheden in Buurt BU00010001 in {u['quarter']}"
        )
        assert set(u) == {"kind", "plan", "role", "area", "area_name", "quarter", "text", "text_en"}
        assert u["area"] == "BU00010001"
    assert_nothing_named(who, resp.text, "/api/analysis/plans")
    for kind in ("couplings", "conflicts"):
        ogc = client.get(f"/ogc/collections/{kind}/items", params={"limit": 1000})
        assert {frozenset(f["id"].split("~")) for f in ogc.json()["features"]} == {
            keys for k, keys in full if k == kind[:-1]
        }
        assert_nothing_named(who, ogc.text, f"OGC {kind}")
    # one plan's analysis: the partner of the private sensitive plan
    partner = f"partner-{pid('private', True)}"
    mine = client.get(f"/api/plans/{MEMBER}/{partner}/analysis")
    if partner_seen(who):
        body = mine.json()
        if who.name == "owner":
            assert len(body["couplings"]) == 1 and body["undisclosed"] == []
        else:  # the coordinator too: private is private
            assert body["couplings"] == [] and [u["area_name"] for u in body["undisclosed"]] == ["Buurt BU00010001"]
    else:
        assert mine.status_code == 404


@pytest.mark.parametrize("who", WHO, ids=[w.name for w in WHO])
def test_map_start_up_and_map_plans(world, who):
    """The programming map's one start-up request (/api/map) and its slim plans (/api/map/plans)
    show exactly what /api/plans, /api/config, /api/areas and /api/analysis/plans show this caller."""
    client = world[who.name]
    full, masked = expected_plans(who)
    start = client.get("/api/map")
    assert start.status_code == 200 and start.headers["etag"]
    body = start.json()
    assert_nothing_named(who, start.text, "/api/map")
    assert body["config"] == client.get("/api/config").json()
    assert body["areas"]["features"] == client.get("/api/areas").json()["features"]
    assert body["analysis"]["result"] == client.get("/api/analysis/plans").json()["result"]
    for plans in (body["plans"], client.get("/api/map/plans").json()):
        keys, anon = split(plans["features"])
        assert keys == full and len(anon) == masked and plans["numberMatched"] == len(full) + masked
        for f in anon:
            assert f["properties"]["owner"] == UNDISCLOSED and f["properties"]["name"] == UNDISCLOSED_NAME
            assert f["properties"]["asset_types"] == [] and f["geometry"]["coordinates"]
    # the map's fields only, coordinates as /api/plans' rounded to 6 decimals
    full_list = {f["id"]: f for f in client.get("/api/plans").json()["features"]}
    for f in body["plans"]["features"]:
        assert set(f["properties"]) == {"key", *MAP_FIELDS}
        want = shapely.geometry.shape(full_list[f["id"]]["geometry"])
        got = shapely.geometry.shape(f["geometry"])
        assert got.geom_type == want.geom_type and shapely.equals_exact(got, want, tolerance=6e-7)
    # filters name no masked plan (they run after masking), as on /api/plans
    by_owner = client.get("/api/map/plans", params={"owner": OWNER}).json()["features"]
    assert {f["id"] for f in by_owner} == {k for k in full if k.startswith(OWNER)}
    searched = client.get("/api/map", params={"q": "GEHEIM"}).json()["plans"]
    assert searched["numberMatched"] == len({k for k in full if k.startswith(OWNER)})


@pytest.mark.parametrize("who", WHO, ids=[w.name for w in WHO])
def test_public_map_is_the_anonymous_view_for_everyone(world, who):
    resp = world[who.name].get("/api/public/plans")
    feats = resp.json()["features"]
    named = {f["id"] for f in feats if not f["id"].startswith(UNDISCLOSED)}
    assert named == {f"{OWNER}:{pid('public', False)}"}
    masked = [f for f in feats if f["id"].startswith(UNDISCLOSED)]
    assert len(masked) == 1 and masked[0]["properties"]["organisation"] == UNDISCLOSED_NAME
    assert_nothing_named(Who("anonymous", None), resp.text, "/api/public/plans")
    assert world[who.name].get("/publiek").status_code == 200


def test_other_analyses_are_for_the_coordinator(world, store):
    analysing.space_in_store(store, "warmte", actor="test")
    assert world["coordinator"].get("/api/analysis/space").status_code == 200
    for name in ("owner", "member", "outsider", "anonymous"):
        r = world[name].get("/api/analysis/space")
        assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"


def test_caches_are_kept_per_principal(world):
    """Tiles and OGC collections are cached: one principal's copy is never served to another."""
    lo = to_wgs84([shapely.Point(X0, Y0)])[0]
    x, y = lon_lat_to_tile(lo.x, lo.y, 14)
    for order in (WHO, WHO[::-1]):
        for who in order:
            client = world[who.name]
            full, masked = expected_plans(who)
            page = client.get("/ogc/collections/plans/items", params={"limit": 1000}).json()["features"]
            keys, anon = split(page)
            assert keys == full and len(anon) == masked, who.name
            tile = client.get(f"/tiles/plans/14/{x}/{y}.pbf").content
            for word in hidden_markers(who):
                assert word.encode() not in tile, f"{who.name} gets a cached tile naming {word}"
            for path in ("/api/map", "/api/map/plans"):
                body = client.get(path).content
                for word in hidden_markers(who):
                    assert word.encode() not in body, f"{who.name} gets a cached {path} naming {word}"
