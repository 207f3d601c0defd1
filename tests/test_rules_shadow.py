"""Sun and shadow (issue 15, part 4): solar position against a published reference, the exact shadow
of a cube, sun hours, and the use case on SQLite and PostGIS."""

from __future__ import annotations

import datetime as dt
import json
import math

import pytest
import shapely
from shapely.geometry import Point, box

from openruimte.model import Building
from openruimte.model.access import ANONYMOUS
from openruimte.rules import shadow as s
from openruimte.store.permissions import View
from tests import factories as f
from tests.support.auth import principal

X0, Y0 = f.X0, f.Y0
OWNER = "gemeente-voorbeeldstad"
AMERSFOORT = (52.155, 5.387)


# --------------------------------------------------------------------------- solar position


def test_solar_position_matches_the_nrel_spa_reference():
    # Reda & Andreas (2004), NREL/TP-560-34302, table A5.1: 2003-10-17 12:30:30 local (UTC-7),
    # 39.742476 N, 105.1786 W, 1830.14 m, 820 mbar, 11 degrees C -> zenith 50.11162, azimuth 194.34024
    when = dt.datetime(2003, 10, 17, 12, 30, 30, tzinfo=dt.timezone(dt.timedelta(hours=-7)))
    az, _, zen = s.solar_positions([when], 39.742476, -105.1786, 1830.14, pressure=82000, temperature=11)
    assert az[0] == pytest.approx(194.34024, abs=0.1)
    assert zen[0] == pytest.approx(50.11162, abs=0.1)


def test_noon_elevation_at_the_equinox_is_ninety_minus_latitude():
    # at the March equinox (2027-03-20 ~ 14:25 UTC) the sun's declination is ~0: elevation at solar noon ~ 90 - lat
    when = dt.datetime(2027, 3, 20, 12, 0, tzinfo=dt.UTC) - dt.timedelta(minutes=4 * AMERSFOORT[1])
    pos = s.solar_position(when, *AMERSFOORT)
    assert pos.elevation_deg == pytest.approx(90 - AMERSFOORT[0], abs=0.5)
    assert pos.azimuth_deg == pytest.approx(180, abs=3.0)  # the equation of time (~ -7.5 min in March) is left out


def test_local_time_is_europe_amsterdam():
    assert s.local_time("2027-03-21T12:00").utcoffset() == dt.timedelta(hours=1)
    assert s.local_time("2027-06-21T12:00").utcoffset() == dt.timedelta(hours=2)


def test_rd_grid_convergence_is_small_and_signed():
    assert abs(s.grid_convergence(155_000, 463_000)) < 0.01  # Amersfoort: the grid's central meridian
    assert s.grid_convergence(250_000, 600_000) > 0.9  # north-east: grid north lies east of true north


# --------------------------------------------------------------------------- shadows


@pytest.mark.parametrize("elevation", [10.0, 23.7, 35.0, 61.2])
@pytest.mark.parametrize("azimuth", [90.0, 135.0, 180.0, 247.5])
def test_shadow_of_a_ten_metre_cube_to_the_centimetre(elevation, azimuth):
    cube = box(0, 0, 10, 10)
    vec = s.shadow_vector(10.0, azimuth, elevation)
    length = math.hypot(*vec)
    assert length == pytest.approx(10 / math.tan(math.radians(elevation)), abs=0.01)
    direction = math.degrees(math.atan2(vec[0], vec[1]))
    off = (direction - (azimuth + 180) + 180) % 360 - 180  # the angle between them, in -180..180
    assert off == pytest.approx(0.0, abs=1e-6)
    poly = s.shadow_polygon(cube, 10.0, azimuth, elevation)
    # the far corner of the roof lands exactly at the corner moved by the shadow vector
    far = poly.exterior.coords
    moved = shapely.affinity.translate(cube, *vec)
    assert poly.contains(moved) or poly.buffer(1e-6).contains(moved)
    assert poly.buffer(1e-6).contains(cube)
    # the swept area: the cube plus the band it sweeps (|v x edge| per direction)
    expected = 100 + 10 * abs(vec[0]) + 10 * abs(vec[1])
    assert poly.area == pytest.approx(expected, abs=0.01)
    assert len(far) >= 5


def test_no_shadow_at_night():
    assert s.shadow_polygon(box(0, 0, 10, 10), 10, 180, -3).is_empty
    assert s.shadow_vector(10, 180, 0) is None


def test_courtyard_building_shades_its_courtyard_partly():
    ring = box(0, 0, 30, 30).difference(box(10, 10, 20, 20))
    poly = s.shadow_polygon(ring, 6.0, 180.0, 45.0)  # shadow 6 m to the north
    court = box(10, 10, 20, 20)
    assert poly.intersection(court).area == pytest.approx(60.0, abs=0.01)  # 6 m x 10 m along the south wall


# --------------------------------------------------------------------------- sun hours


def _pvlib_day_length(day, lat, lon):
    import pandas as pd
    from pvlib import solarposition

    times = pd.DatetimeIndex([pd.Timestamp(day.isoformat(), tz="Europe/Amsterdam")])
    r = solarposition.sun_rise_set_transit_spa(times, lat, lon)
    return (r["sunset"].iloc[0] - r["sunrise"].iloc[0]).total_seconds() / 3600


def test_an_unobstructed_point_has_the_day_length_on_21_march():
    day = dt.date(2027, 3, 21)
    r = s.sun_hours([s.SunPoint("open", X0, Y0)], [], day, *AMERSFOORT)
    assert r["hours"][0] == pytest.approx(_pvlib_day_length(day, *AMERSFOORT), abs=0.1)
    assert 12.0 < r["hours"][0] < 12.4


def test_a_point_north_of_a_tall_block_gets_fewer_hours():
    day = dt.date(2027, 2, 19)
    block = s.Volume("blok", box(X0 - 10, Y0 - 20, X0 + 10, Y0 - 5), 40.0)
    north = s.SunPoint("noord", X0, Y0)
    south = s.SunPoint("zuid", X0, Y0 - 40)
    r = s.sun_hours([north, south], [block], day, *AMERSFOORT)
    hours = dict(zip(["noord", "zuid"], r["hours"].tolist(), strict=True))
    assert hours["zuid"] == pytest.approx(r["daylight_hours"])
    assert hours["noord"] < 2.0 < hours["zuid"]  # fails the 2-hour test behind a 40 m block
    # the sun comes back round the block's ends in the morning and evening
    spans = s.sun_intervals(r["in_sun"], r["times"], 5)[0]
    assert spans and spans[0][0] < "10:00"


def test_a_low_wall_does_not_block_a_high_sun():
    wall = s.Volume("muur", box(X0 - 50, Y0 - 3, X0 + 50, Y0 - 2), 1.0)
    r = s.sun_hours([s.SunPoint("p", X0, Y0)], [wall], dt.date(2027, 6, 21), *AMERSFOORT)
    open_ = s.sun_hours([s.SunPoint("p", X0, Y0)], [], dt.date(2027, 6, 21), *AMERSFOORT)
    assert r["hours"][0] == open_["hours"][0]  # in June the sun is high whenever it is in the south
    # in December the sun stays below atan(1 / 2) = 26.6 degrees: a 1 m wall 2 m to the south blocks it all day
    winter = s.sun_hours([s.SunPoint("p", X0, Y0)], [wall], dt.date(2027, 12, 21), *AMERSFOORT)
    assert winter["hours"][0] == 0.0 and winter["daylight_hours"] > 7.5


def test_a_north_facade_sees_no_sun_in_february_and_a_south_facade_does():
    day = dt.date(2027, 2, 19)
    house = box(X0, Y0, X0 + 10, Y0 + 10)
    pts = s.facade_points(house, spacing_m=10.0, height_m=1.5)
    assert sorted(p.normal_deg for p in pts) == [0.0, 90.0, 180.0, 270.0]
    r = s.sun_hours(pts, [s.Volume("huis", house, 8.0)], day, *AMERSFOORT)
    by_normal = {p.normal_deg: h for p, h in zip(pts, r["hours"].tolist(), strict=True)}
    assert by_normal[0.0] == 0.0
    assert by_normal[180.0] == pytest.approx(r["daylight_hours"], abs=0.01)  # its own wall never blocks it
    assert 0 < by_normal[90.0] < by_normal[180.0]


# --------------------------------------------------------------------------- the use case (SQLite and PostGIS)


def _fill(store):
    from openruimte.services.twin import save_volumes
    from openruimte.twin.volumes import PlanVolume
    from tests.support.auth import ensure_org

    ensure_org(store, OWNER)
    plans = [
        f.plan(id="toren", asset_types="woningbouw", geometry=box(X0, Y0, X0 + 20, Y0 + 20), visibility="shared"),
        f.plan(
            id="geheim", asset_types="woningbouw", geometry=box(X0 + 60, Y0, X0 + 70, Y0 + 10), visibility="private"
        ),
    ]
    buildings = [
        Building(id="NL.IMBAG.Pand.1", geometry=box(X0 - 40, Y0, X0 - 30, Y0 + 10), source="test",
                 ground_height_m=1.0, roof_height_m=13.0),
        Building(id="NL.IMBAG.Pand.2", geometry=box(X0 - 60, Y0, X0 - 50, Y0 + 10), source="test",
                 ground_height_m=None, roof_height_m=None),
    ]  # fmt: skip
    with store.writer("test") as w:
        w.upsert("plans", plans)
        w.upsert("buildings", buildings, source="test")
    save_volumes(
        store,
        {(OWNER, "toren"): PlanVolume(height_m=30.0), (OWNER, "geheim"): PlanVolume(storeys=4)},
        actor="test",
    )


def test_shadow_of_a_plan_and_its_surroundings(store):
    from openruimte.services import sun

    _fill(store)
    view = View(store, principal(OWNER, "editor"))
    doc = sun.shadow(view, "2027-03-21T12:00", plan=f"{OWNER}:toren")
    assert doc["sun_up"] and 30 < doc["elevation_deg"] < 40
    by_key = {feat["properties"]["key"]: feat for feat in doc["features"]}
    assert set(by_key) == {f"{OWNER}:toren", "NL.IMBAG.Pand.1"}
    assert doc["buildings_without_height"] == 1
    tower = by_key[f"{OWNER}:toren"]["properties"]
    assert tower["shadow_length_m"] == pytest.approx(30 / math.tan(math.radians(doc["elevation_deg"])), abs=0.01)
    assert by_key["NL.IMBAG.Pand.1"]["properties"]["height_m"] == 12.0
    geo = sun.as_geojson(doc)
    assert geo["type"] == "FeatureCollection" and geo["features"][0]["geometry"]["type"] in ("Polygon", "MultiPolygon")
    json.dumps(geo)
    # a private plan is not found for an outsider, so its volume never leaves the store
    from openruimte.services.clearance import NotFound

    with pytest.raises(NotFound):
        sun.shadow(View(store, ANONYMOUS), "2027-03-21T12:00", plan=f"{OWNER}:geheim")


def test_sun_hours_behind_a_planned_tower(store, tmp_path):
    from openruimte.services import sun

    _fill(store)
    view = View(store, principal(OWNER, "editor"))
    points = [s.SunPoint("achter", X0 + 10, Y0 + 22), s.SunPoint("voor", X0 + 10, Y0 - 30)]
    without = sun.hours(view, points, "2027-02-19")
    with_tower = sun.hours(view, points, "2027-02-19", plan=f"{OWNER}:toren")
    h0 = {f_["properties"]["key"]: f_["properties"]["hours"] for f_ in without["features"]}
    h1 = {f_["properties"]["key"]: f_["properties"]["hours"] for f_ in with_tower["features"]}
    assert h1["voor"] == h0["voor"] and h1["achter"] < h0["achter"]
    assert not with_tower["features"][0]["properties"]["passes"]


def test_sun_cli(store, db_url, tmp_path):
    from typer.testing import CliRunner

    from openruimte.cli import app
    from openruimte.io.crs import to_wgs84

    _fill(store)
    out = tmp_path / "shadow.geojson"
    res = CliRunner().invoke(
        app,
        [
            "sun",
            "shadow",
            "--plan",
            f"{OWNER}:toren",
            "--at",
            "2027-03-21T12:00",
            "--geojson",
            str(out),
            "--db",
            db_url,
        ],
    )
    assert res.exit_code == 0, res.output
    assert len(json.loads(out.read_text())["features"]) == 2
    [p1, p2] = to_wgs84([Point(X0 + 10, Y0 + 22), Point(X0 + 10, Y0 - 30)])
    pts = tmp_path / "points.geojson"
    pts.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"id": "achter"}, "geometry": {"type": "Point", "coordinates": [p1.x, p1.y]}},
        {"type": "Feature", "properties": {"id": "voor"}, "geometry": {"type": "Point", "coordinates": [p2.x, p2.y]}},
    ]}))  # fmt: skip
    res = CliRunner().invoke(app, ["sun", "hours", "--points", str(pts), "--date", "2027-02-19", "--db", db_url])
    assert res.exit_code == 0, res.output
    res = CliRunner().invoke(
        app, ["sun", "hours", "--points", str(pts), "--date", "2027-02-19", "--plan", f"{OWNER}:toren",
              "--step-minutes", "10", "--db", db_url],
    )  # fmt: skip
    assert res.exit_code == 1, res.output
    res = CliRunner().invoke(app, ["sun", "hours", "--points", str(pts), "--date", "19-02-2027", "--db", db_url])
    assert res.exit_code == 2 and "YYYY-MM-DD" in res.output


# --------------------------------------------------------------------------- API


def test_api_shadow_and_hours(store):
    from fastapi.testclient import TestClient

    from openruimte.api.app import create_app
    from openruimte.io.crs import to_wgs84
    from openruimte.settings import Settings
    from tests.support.auth import token_headers

    _fill(store)
    app = create_app(Settings(webhook_worker=False), store=store)
    with TestClient(app) as client:
        mine = token_headers(store, OWNER, "editor")
        r = client.get("/api/sun/shadow", params={"plan": f"{OWNER}:toren", "at": "2027-03-21T12:00"}, headers=mine)
        assert r.status_code == 200, r.text
        doc = r.json()
        assert doc["type"] == "FeatureCollection" and doc["elevation_deg"] > 30
        assert {f_["properties"]["role"] for f_ in doc["features"]} == {"design", "building"}
        r = client.get("/api/sun/shadow", params={"plan": f"{OWNER}:geheim", "at": "2027-03-21T12:00"})
        assert r.status_code == 404 and "coordinates" not in r.text
        r = client.get("/api/sun/shadow", params={"plan": f"{OWNER}:toren", "at": "gisteren"}, headers=mine)
        assert r.status_code == 422
        box_ = ",".join(str(v) for v in (X0 - 100, Y0 - 100, X0 + 100, Y0 + 100))
        r = client.get("/api/sun/shadow", params={"bbox": box_, "bbox-crs": "EPSG:28992", "at": "2027-03-21T15:00"})
        assert r.status_code == 200 and len(r.json()["features"]) == 1  # the one building with a height
        [p] = to_wgs84([Point(X0 + 10, Y0 + 22)])
        body = {
            "points": {"type": "FeatureCollection", "features": [
                {"type": "Feature", "properties": {"id": "achter"}, "geometry": {"type": "Point", "coordinates": [p.x, p.y]}}
            ]},
            "date": "2027-02-19",
            "plan": f"{OWNER}:toren",
        }  # fmt: skip
        r = client.post("/api/sun/hours", json=body, headers=mine)
        assert r.status_code == 200, r.text
        props = r.json()["features"][0]["properties"]
        assert props["hours"] < 2 and props["passes"] is False


# --------------------------------------------------------------------------- real 3D BAG buildings


def test_shadows_of_real_3dbag_buildings(store, shared_data):
    """Two 3D BAG buildings in Delft (CityJSON 2.0): their heights from the store, shadows at the winter solstice."""
    from openruimte.io.cityjson import read_cityjson
    from openruimte.services import sun

    result = read_cityjson(shared_data / "cityjson/3dbag_b2.city.json")
    with store.writer("test") as w:
        w.upsert("buildings", result.items, source="3dbag")
    bbox = tuple(shapely.total_bounds([b.geometry for b in result.items]).tolist())
    doc = sun.shadow(View(store, ANONYMOUS), "2027-12-21T13:00", bbox=bbox)
    assert doc["sun_up"] and 10 < doc["elevation_deg"] < 16  # Delft, 52 N: ~14.5 degrees at the winter noon
    assert len(doc["features"]) == len([b for b in result.items if b.height_m])
    for feat in doc["features"]:
        p = feat["properties"]
        building = next(b for b in result.items if b.id == p["key"])
        assert p["height_m"] == pytest.approx(building.height_m, abs=0.01)
        assert p["shadow_length_m"] == pytest.approx(
            building.height_m / math.tan(math.radians(doc["elevation_deg"])), abs=0.01
        )
        assert feat["geometry"].contains(building.geometry.buffer(-0.01))
