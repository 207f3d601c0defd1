"""The 3D twin (#16) and residents' reactions: the pure core, the store on SQLite and PostGIS, the API.

The browser side is in tests/test_twin_e2e.py.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
import shapely
from fastapi.testclient import TestClient

from openruimte.api import Settings, create_app
from openruimte.collab.reactions import ReactionRefused, Status, after_report, check_draft
from openruimte.io.cityjson import read_cityjson, write_cityjson
from openruimte.model import Building, InputError, Phase, Visibility
from openruimte.model.access import ANONYMOUS, SYSTEM, Forbidden
from openruimte.services import participation, twin
from openruimte.services.participation import RateLimited, Rules
from openruimte.store.backup import backup, restore
from openruimte.store.permissions import View
from openruimte.twin import networks, tiles
from openruimte.twin.volumes import PlanVolume, solid_of
from tests import factories as f
from tests.support.auth import principal, token_headers

X0, Y0 = f.X0, f.Y0
RD_URI = "http://www.opengis.net/def/crs/EPSG/0/28992"
OWNER = "gemeente-voorbeeldstad"


def square(x: float, y: float, size: float = 10.0) -> shapely.Polygon:
    return shapely.box(x, y, x + size, y + size)


def building(i: int, x: float, y: float, ground: float = 1.2, roof: float = 10.5) -> Building:
    return Building(
        id=f"NL.IMBAG.Pand.09991000000000{i:02d}",
        geometry=square(x, y),
        source="test",
        bag_id=f"09991000000000{i:02d}",
        ground_height_m=ground,
        roof_height_m=roof,
        roof_max_m=roof + 2,
        lods=("1.2",),
        construction_year=1930 + i,
    )


# --------------------------------------------------------------------------- pure core


def test_polygon_plan_with_storeys_is_a_volume_of_that_height():
    plan = f.plan(id="bouw", asset_types="woningbouw", geometry=square(X0, Y0, 40))
    solid = solid_of(plan, PlanVolume(storeys=6))
    assert solid["kind"] == "volume" and solid["bottom"] == 0 and solid["top"] == pytest.approx(18.0)
    assert not solid["estimated"]
    assert solid_of(plan, PlanVolume(storeys=4, storey_height_m=3.5))["top"] == pytest.approx(14.0)
    assert solid_of(plan, PlanVolume(height_m=21.5))["top"] == 21.5
    # no planned height: a thin slab, said to be estimated
    slab = solid_of(plan)
    assert slab["kind"] == "slab" and slab["estimated"]


def test_line_plan_that_digs_is_a_trench_below_ground():
    plan = f.plan(asset_types="gemengd_riool", geometry=f.line(length=100))
    typical = solid_of(plan)
    assert typical["kind"] == "trench" and typical["top"] == 0 and typical["bottom"] == -3.0 and typical["estimated"]
    given = solid_of(plan, PlanVolume(depth_m=2.2, width_m=1.6))
    assert given["bottom"] == -2.2 and not given["estimated"]
    assert given["footprint"].area == pytest.approx(100 * 1.6, rel=1e-6)
    # road maintenance without excavation stays on the surface
    road = solid_of(f.plan(asset_types="weg", excavation="nee", geometry=f.line()))
    assert road["kind"] == "line" and road["bottom"] == 0
    # a point plan (a pit) becomes a small shaft, never an empty footprint
    pit = solid_of(f.plan(asset_types="gemengd_riool", geometry=shapely.Point(X0, Y0)))
    assert pit["kind"] == "trench" and pit["footprint"].area > 1.0


def test_plan_volume_errors_name_field_and_limit():
    with pytest.raises(InputError) as err:
        PlanVolume.from_record({"height_m": "hoog", "storeys": 2.5, "depth_m": 80, "colour": "red"}, "body")
    text = str(err.value)
    for expected in (
        "field height_m: expected a number",
        "field storeys: expected a whole number",
        "field depth_m: 80.0 is outside 0.0..30.0",
        "field colour: unknown field",
    ):
        assert expected in text


def test_pipe_depth_measured_then_standard_then_estimated():
    measured = f.asset(depth_m=1.4, attributes={"standard_depth_m": 0.6})
    standard = f.asset(depth_m=None, attributes={"standard_depth_m": 0.6})
    neither = f.asset(depth_m=None, attributes={})
    assert networks.pipe_depth(measured) == (1.4, "measured")
    assert networks.pipe_depth(standard) == (0.6, "standard")
    assert networks.pipe_depth(neither) == (networks.TYPICAL_DEPTH_M["gemengd_riool"], "estimated")
    assert networks.network_of("gemengd_riool") == "riolering"
    assert networks.network_of("bomen") is None


def test_building_tiles_hold_each_building_once_and_round_trip_to_the_centimetre():
    size = tiles.TILE_SIZE_M
    x, y = 3 * size - 4.0, 7 * size + 20.0  # straddles two tiles; its representative point decides
    b = building(1, x, y)
    owners = [t for t in tiles.tiles_in(b.geometry.bounds) if tiles.encode_buildings([b], *t)["count"]]
    assert len(owners) == 1
    data = tiles.encode_buildings([b], *owners[0])
    ring = data["polygons"][0][0][0]  # building 0, polygon 0, outer ring
    xs = [data["origin"][0] + v * data["unit"] for v in ring[0::2]]
    ys = [data["origin"][1] + v * data["unit"] for v in ring[1::2]]
    assert shapely.Polygon(list(zip(xs, ys, strict=True))).symmetric_difference(b.geometry).area < 0.01
    assert data["ground"] == [1.2] and data["roof"] == [10.5] and data["bag_id"] == [b.bag_id]


def test_lod12_block_in_nap(tmp_path):
    b = building(2, X0, Y0, ground=0.8, roof=12.3)
    block = tiles.building_surfaces_z(b)
    z = shapely.get_coordinates(block, include_z=True)[:, 2]
    assert z.min() == 0.8 and z.max() == 12.3
    assert len(block.geoms) == 2 + 4  # floor, roof, four walls
    # the CityJSON writer (demo) and the reader agree
    path = tmp_path / "b.city.json"
    write_cityjson(path, [b, building(3, X0 + 30, Y0, ground=1.0, roof=7.0)])
    doc = json.loads(path.read_text())
    assert doc["version"] == "2.0" and doc["metadata"]["referenceSystem"].endswith("7415")
    back = {r.id: r for r in read_cityjson(path).items}
    assert back[b.id].ground_height_m == 0.8 and back[b.id].roof_height_m == 12.3 and back[b.id].lods == ("1.2",)
    assert back[b.id].geometry.symmetric_difference(b.geometry).area < 1e-6


def test_reaction_drafts_are_checked():
    plan_geom = f.line()
    with pytest.raises(ReactionRefused, match="not filled in by a person"):
        check_draft({"text": "hallo", "website": "http://spam.example"}, plan_geom)
    with pytest.raises(ReactionRefused, match="field text"):
        check_draft({"text": "   "}, plan_geom)
    with pytest.raises(ReactionRefused, match="at most 2000"):
        check_draft({"text": "x" * 2001}, plan_geom)
    with pytest.raises(ReactionRefused, match="field email"):
        check_draft({"text": "ok", "email": "geen-adres"}, plan_geom)
    with pytest.raises(ReactionRefused, match="within 250 m"):
        check_draft({"text": "ok", "x": X0 + 5000, "y": Y0}, plan_geom)
    draft = check_draft({"text": " Graag een boom ", "x": X0 + 10, "y": Y0 + 3, "email": "a@b.nl"}, plan_geom)
    assert draft.text == "Graag een boom" and draft.point.x == X0 + 10 and draft.email == "a@b.nl"
    assert after_report(Status.APPROVED, 3, 3) is Status.HIDDEN
    assert after_report(Status.APPROVED, 2, 3) is Status.APPROVED
    assert after_report(Status.PENDING, 9, 3) is Status.PENDING


# --------------------------------------------------------------------------- store (SQLite and PostGIS)


def _fill(store):
    from tests.support.auth import ensure_org

    for org in (OWNER, "netbeheerder-noord"):
        ensure_org(store, org)
    plans = [
        f.plan(id="public-build", asset_types="woningbouw", geometry=square(X0, Y0, 40), visibility="public"),
        f.plan(id="public-trench", geometry=f.line(dy=60), visibility="public"),
        f.plan(id="private-plan", geometry=f.line(dy=90), visibility="private", name="Geheim plan"),
        f.plan(id="early-public", geometry=f.line(dy=120), visibility="public", phase="idee"),
    ]
    assets = [
        f.asset(id="riool-1", depth_m=2.0),
        f.asset(
            id="kabel-1",
            owner="netbeheerder-noord",
            asset_type="elektriciteit",
            depth_m=None,
            attributes={"standard_depth_m": 0.6},
            visibility="shared",
            geometry=f.line(dy=5),
        ),
    ]
    with store.writer("test") as w:
        w.upsert("plans", plans)
        w.upsert("assets", assets)
        w.upsert("buildings", [building(i, X0 + 15 * i, Y0 - 40) for i in range(5)], source="test")
    return plans


def test_twin_reads_through_the_visibility_rule(store):
    _fill(store)
    public = twin.plan_solids(View(store, ANONYMOUS), public=True)
    assert {p["key"] for p in public["plans"]} == {f"{OWNER}:public-build", f"{OWNER}:public-trench"}
    assert all("programme" not in p and "visibility" not in p for p in public["plans"])
    other = twin.plan_solids(View(store, principal("netbeheerder-noord", "editor")), public=False)
    assert f"{OWNER}:private-plan" not in {p["key"] for p in other["plans"]}
    mine = twin.plan_solids(View(store, principal(OWNER, "editor")), public=False)
    assert f"{OWNER}:private-plan" in {p["key"] for p in mine["plans"]}
    scene = twin.scene(View(store, ANONYMOUS), public=True)
    assert scene["buildings"] == 5 and scene["ground_nap"] == 1.2 and scene["heights"] == "NAP"
    count = sum(twin.building_tile(store, *t)["count"] for t in scene["tiles"])
    assert count == 5
    # cables and pipes: the shared cable for a party at the table, not for anonymous visitors
    tile = tiles.tile_of(X0 + 1, Y0 + 1)
    seen = {p["key"]: p for p in twin.pipe_tile(View(store, principal(OWNER, "viewer")), *tile)["pipes"]}
    assert seen["netbeheerder-noord:kabel-1"]["depth"] == 0.6
    assert seen["netbeheerder-noord:kabel-1"]["depth_source"] == "standard"
    assert seen[f"{OWNER}:riool-1"]["depth_source"] == "measured"
    assert twin.pipe_tile(View(store, ANONYMOUS), *tile)["count"] == 0


def test_plan_volumes_written_by_the_owner_only_and_audited(store):
    _fill(store)
    key = f"{OWNER}:public-build"
    with pytest.raises(Forbidden):
        twin.set_volume(store, principal("netbeheerder-noord", "editor"), OWNER, "public-build", PlanVolume(storeys=5))
    twin.set_volume(store, principal(OWNER, "editor"), OWNER, "public-build", PlanVolume(storeys=5))
    solids = {p["key"]: p for p in twin.plan_solids(View(store, SYSTEM), public=False)["plans"]}
    assert solids[key]["kind"] == "volume" and solids[key]["top"] == pytest.approx(15.0)
    assert store.audit(table="plan_volumes", key=key)[0]["after"]["storeys"] == 5
    # deleting the plan deletes its volume (foreign key, cascade)
    with store.writer("test") as w:
        w.delete("plans", (OWNER, "public-build"))
    assert twin._volumes(store, [f.plan(id="public-build", geometry=square(X0, Y0, 40))]) == {}


def test_read_volumes_file_reports_every_bad_row(tmp_path):
    good = tmp_path / "v.csv"
    good.write_text("plan;bouwlagen;diepte;breedte\ngemeente-x:p1;6;;\ngemeente-x:p2;;2,5;\n".replace("2,5", "2.5"))
    vols = twin.read_volumes(good)
    assert vols[("gemeente-x", "p1")].storeys == 6 and vols[("gemeente-x", "p2")].depth_m == 2.5
    bad = tmp_path / "bad.csv"
    bad.write_text("plan,height_m\np1,10\ngemeente-x:p2,-3\n")
    with pytest.raises(InputError) as err:
        twin.read_volumes(bad)
    assert "bad.csv row 2, field plan" in str(err.value) and "bad.csv row 3, field height_m" in str(err.value)


def test_reactions_moderated_reported_exported_deleted_and_purged(store):
    _fill(store)
    rules = Rules(report_threshold=2, rate_per_hour=3)
    p = shapely.Point(X0 + 20, Y0 + 20)
    made = participation.create(
        store,
        OWNER,
        "public-build",
        {"text": "Te hoog!", "x": p.x, "y": p.y, "email": "bewoner@example.org"},
        "10.0.0.1",
        rules,
    )
    # pending: invisible to the public
    assert participation.public_list(store, OWNER, "public-build", rules) == []
    # reacting on a private plan or one the public map does not show yet is refused as not found
    for hidden in ("private-plan", "early-public"):
        with pytest.raises(twin.NotFound):
            participation.create(store, OWNER, hidden, {"text": "hallo"}, "10.0.0.2", rules)
    # another organisation cannot moderate it; a viewer of the owner may not either
    with pytest.raises(twin.NotFound):
        participation.review(store, principal("netbeheerder-noord", "editor"), made["id"], "approve")
    with pytest.raises(Forbidden):
        participation.review(store, principal(OWNER, "viewer"), made["id"], "approve")
    assert participation.moderation_list(View(store, principal("netbeheerder-noord", "editor"))) == []
    queue = participation.moderation_list(View(store, principal(OWNER, "viewer")), "pending")
    assert [r["id"] for r in queue] == [made["id"]] and queue[0]["email"] == "bewoner@example.org"
    participation.review(store, principal(OWNER, "coordinator"), made["id"], "approve")
    shown = participation.public_list(store, OWNER, "public-build", rules)
    assert [r["text"] for r in shown] == ["Te hoog!"] and "email" not in shown[0]
    assert participation.counts(View(store, principal(OWNER, "coordinator"))) == {
        f"{OWNER}:public-build": {"approved": 1}
    }
    # two reports from two addresses hide it; the same address twice counts once
    participation.report(store, made["id"], "onzin", "10.0.0.7", rules)
    participation.report(store, made["id"], "onzin", "10.0.0.7", rules)
    assert participation.public_list(store, OWNER, "public-build", rules) != []
    participation.report(store, made["id"], None, "10.0.0.8", rules)
    assert participation.public_list(store, OWNER, "public-build", rules) == []
    assert participation.moderation_list(View(store, SYSTEM), "hidden")[0]["id"] == made["id"]
    # rate limit per address
    for i in range(2):
        participation.create(store, OWNER, "public-trench", {"text": f"r{i}"}, "10.0.0.1", rules)
    with pytest.raises(RateLimited):
        participation.create(store, OWNER, "public-trench", {"text": "nog een"}, "10.0.0.1", rules)
    # the resident's export and the retention: the e-mail goes after the retention period
    mine = participation.receipt(store, made["receipt"])
    assert mine["email"] == "bewoner@example.org" and mine["text"] == "Te hoog!"
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=rules.retention_days + 1)
    purged = participation.purge(store, rules, now=later)
    assert purged["emails"] == 1 and purged["ip_hashes"] >= 3
    assert participation.receipt(store, made["receipt"])["email"] is None
    # the audit log has every step, never the text or the address
    log = json.dumps(store.audit(table="reactions"), default=str)
    assert "Te hoog" not in log and "bewoner@example.org" not in log and "10.0.0.1" not in log
    # deletion on request
    participation.delete_by_receipt(store, made["receipt"])
    with pytest.raises(twin.NotFound):
        participation.receipt(store, made["receipt"])


def test_backup_keeps_volumes_and_reactions(store, tmp_path, db_url):
    from openruimte.store import Store

    _fill(store)
    twin.set_volume(store, SYSTEM, OWNER, "public-build", PlanVolume(height_m=12.0))
    participation.create(store, OWNER, "public-build", {"text": "Mooi", "x": X0 + 5, "y": Y0 + 5}, "10.1.1.1", Rules())
    archive = tmp_path / "b.zip"
    counts = backup(store, archive)
    assert counts["plan_volumes"] == 1 and counts["reactions"] == 1
    target = Store.open(f"sqlite:///{tmp_path / 'restored.db'}")
    restore(target, archive)
    assert twin.plan_solids(View(target, SYSTEM), public=False)["count"] == 4
    assert participation.moderation_list(View(target, SYSTEM))[0]["text"] == "Mooi"
    # the buildings' spatial index is rebuilt: a bbox query finds them
    assert len(target.buildings(bbox=(X0 - 1, Y0 - 50, X0 + 100, Y0))) == 5
    target.close()


# --------------------------------------------------------------------------- API


@pytest.fixture
def client(store):
    _fill(store)
    app = create_app(Settings(webhook_worker=False, reaction_report_threshold=1), store=store)
    with TestClient(app) as c:
        yield c


def test_api_buildings_rest_and_3d(client):
    box = f"{X0 - 1},{Y0 - 50},{X0 + 100},{Y0}"
    r = client.get("/api/buildings", params={"bbox": box, "bbox-crs": "EPSG:28992", "crs": "EPSG:28992"})
    assert r.status_code == 200 and r.json()["numberMatched"] == 5
    r = client.get("/api/buildings", params={"bbox": box, "bbox-crs": "EPSG:28992", "geometry": "3d"})
    feat = r.json()["features"][0]
    assert feat["geometry"]["type"] == "MultiPolygon"
    zs = [c[2] for poly in feat["geometry"]["coordinates"] for ring in poly for c in ring]
    assert min(zs) == 1.2 and max(zs) == 10.5
    assert 5.0 < feat["geometry"]["coordinates"][0][0][0][0] < 5.6  # lon/lat by default, z in m NAP
    one = client.get(f"/api/buildings/{feat['id']}").json()
    assert one["properties"]["height_m"] == pytest.approx(9.3)
    ogc = client.get("/ogc/collections/buildings/items", params={"bbox": box, "bbox-crs": RD_URI, "limit": 100})
    assert ogc.json()["numberMatched"] == 5
    props = ogc.json()["features"][0]["properties"]
    assert (
        props["ground_height_m"] == 1.2 and props["roof_height_m"] == 10.5 and props["height_m"] == pytest.approx(9.3)
    )
    assert client.get("/api/buildings").status_code == 400
    assert client.get("/api/buildings/nope").status_code == 404


def test_api_volume_needs_the_owner_and_validates(client, store):
    url = f"/api/plans/{OWNER}/public-build/volume"
    assert client.put(url, json={"storeys": 3}).status_code == 401
    other = token_headers(store, "netbeheerder-noord", "editor")
    assert client.put(url, json={"storeys": 3}, headers=other).status_code == 403
    mine = token_headers(store, OWNER, "editor")
    bad = client.put(url, json={"storeys": -1}, headers=mine)
    assert bad.status_code == 422 and "storeys" in bad.json()["error"]["message"]
    assert client.put(url, json={"storeys": 7}, headers=mine).json()["volume"]["storeys"] == 7
    solids = {p["key"]: p for p in client.get("/api/public/twin/plans").json()["plans"]}
    assert solids[f"{OWNER}:public-build"]["top"] == pytest.approx(21.0)
    assert client.put(f"/api/plans/{OWNER}/nope/volume", json={"storeys": 2}, headers=mine).status_code == 404


def test_api_reactions_public_flow_never_shows_email(client, store):
    base = f"/api/public/plans/{OWNER}/public-build/reactions"
    r = client.post(
        base, json={"text": "Graag groen", "x": X0 + 3, "y": Y0 + 3, "email": "x@example.org", "website": ""}
    )
    assert r.status_code == 201
    made = r.json()
    assert client.post(base, json={"text": "spam", "website": "http://x"}).status_code == 422
    assert client.get(base).json()["reactions"] == []
    assert client.get(f"/api/public/plans/{OWNER}/private-plan/reactions").status_code == 404
    coord = token_headers(store, OWNER, "coordinator")
    assert client.post(f"/api/reactions/{made['id']}/approve").status_code == 401
    assert client.post(f"/api/reactions/{made['id']}/approve", headers=coord).json()["status"] == "approved"
    public = client.get(base).json()
    assert [x["text"] for x in public["reactions"]] == ["Graag groen"]
    assert "x@example.org" not in json.dumps(public)
    counts = client.get("/api/reactions/counts", headers=coord).json()["counts"]
    assert counts[f"{OWNER}:public-build"] == {"approved": 1}
    # one report hides it (threshold 1 in this app)
    assert client.post(f"/api/public/reactions/{made['id']}/report", json={"reason": "nep"}).status_code == 200
    assert client.get(base).json()["reactions"] == []
    assert client.get(f"/api/public/reactions/receipt/{made['receipt']}").json()["email"] == "x@example.org"
    assert client.delete(f"/api/public/reactions/receipt/{made['receipt']}").json()["deleted"]
    assert client.get(f"/api/public/reactions/receipt/{made['receipt']}").status_code == 404


def test_api_twin_endpoints_for_anonymous_and_parties(client, store):
    scene = client.get("/api/public/twin/scene").json()
    assert scene["public"] and not scene["assets"] and scene["buildings"] == 5
    keys = {p["key"] for p in client.get("/api/public/twin/plans").json()["plans"]}
    assert keys == {f"{OWNER}:public-build", f"{OWNER}:public-trench"}
    mine = token_headers(store, OWNER, "viewer")
    keys = {p["key"] for p in client.get("/api/twin/plans", headers=mine).json()["plans"]}
    assert f"{OWNER}:private-plan" in keys
    tx, ty = tiles.tile_of(X0 + 1, Y0 - 30)
    assert client.get(f"/api/twin/buildings/{tx}/{ty}").json()["count"] == 5
    assert client.get("/api/twin/buildings/99999999/1").status_code == 400
    assert client.get("/3d", follow_redirects=False).status_code == 303
    assert client.get("/publiek/3d").status_code == 200


def test_public_plans_keep_the_threshold(store):
    _fill(store)
    strict = twin.plan_solids(View(store, ANONYMOUS), public=True, min_phase=Phase.REALISATIE)
    assert strict["count"] == 0
    assert all(p.visibility is Visibility.PUBLIC for p in store.plans() if p.id.startswith("public"))


# --------------------------------------------------------------------------- BIM models as glTF (register of #14)


def test_placed_models_convert_to_glb_and_land_on_their_footprint(demo_store):
    import math
    import struct

    import numpy as np

    from openruimte.services.bim import footprints
    from tests.support.auth import coordinator_view

    view = coordinator_view(demo_store)
    placed = twin.placed_models(view, public=False)
    assert placed["count"] >= 1
    footprint = {r["ref"]: r["geometry"] for r in footprints(demo_store, view.principal)}
    for m in placed["models"]:
        glb = twin.model_glb(view, m["id"], public=False)
        data = glb.read_bytes()
        assert data[:4] == b"glTF"
        length = struct.unpack("<I", data[12:16])[0]
        doc = json.loads(data[20 : 20 + length])
        lo = np.min([a["min"] for a in doc["accessors"] if len(a.get("min", [])) == 3], axis=0)
        hi = np.max([a["max"] for a in doc["accessors"] if len(a.get("max", [])) == 3], axis=0)
        # every node turns IFC's Z-up into glTF's Y-up; the positions are IFC world metres
        assert doc["nodes"][0]["matrix"][:12] == [1.0, 0.0, -0.0, 0.0, 0.0, 0.0, -1.0, 0.0, 0.0, 1.0, -0.0, 0.0]
        # the viewer's placement (rotation about the vertical, scale, RD offsets) puts the box on the footprint
        theta = math.radians(m["rotation_deg"])
        corners = [(x, y) for x in (lo[0], hi[0]) for y in (lo[1], hi[1])]
        rd = [
            (
                m["eastings"] + m["scale"] * (math.cos(theta) * x - math.sin(theta) * y),
                m["northings"] + m["scale"] * (math.sin(theta) * x + math.cos(theta) * y),
            )
            for x, y in corners
        ]
        box = shapely.MultiPoint(rd).convex_hull
        fp = footprint[m["ref"]]
        assert box.symmetric_difference(fp).area < 0.05 * fp.area
        assert hi[2] == pytest.approx(m["top_m"], abs=0.01)
    # models of plans that are not published stay off the public view, and their GLB too
    public = twin.placed_models(View(demo_store, ANONYMOUS), public=True)
    published = {p["key"] for p in twin.plan_solids(View(demo_store, ANONYMOUS), public=True)["plans"]}
    assert all(m["plan"] in published for m in public["models"])
    hidden = [m for m in placed["models"] if m["plan"] not in published]
    for m in hidden:
        with pytest.raises(twin.NotFound):
            twin.model_glb(View(demo_store, ANONYMOUS), m["id"], public=True)
