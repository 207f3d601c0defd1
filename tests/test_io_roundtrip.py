"""Every encoding of the exchange format: write, read back, identical."""

import datetime as dt

import pytest
import shapely

from openruimte import io
from openruimte.model import EnvironmentFeature, EnvironmentLayer, PolicyGoal, StreetSegment, VitalElement, VitalSystem
from tests.factories import X0, Y0, area, asset, full_plans

FORMATS = ["csv", "xlsx", "gpkg", "geojson", "jsonfg"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_plans_round_trip(tmp_path, fmt):
    plans = full_plans()
    path = tmp_path / f"plans.{fmt}"
    assert io.write(path, "plans", plans) == len(plans)
    result = io.read(path, "plans")
    assert result.errors == []
    assert result.items == plans


@pytest.mark.parametrize("fmt", FORMATS)
def test_assets_round_trip(tmp_path, fmt):
    assets = [
        asset(),
        asset(
            id="a2",
            asset_type="bomen",
            geometry=shapely.Point(X0 + 3, Y0 + 4),
            material=None,
            condition=None,
            attributes={"soort": "Tilia", "stamdiameter_cm": 35},
        ),
        asset(id="a3", owner="netbeheerder-noord", asset_type="elektriciteit", visibility="private", attributes={}),
    ]
    path = tmp_path / f"assets.{fmt}"
    io.write(path, "assets", assets)
    result = io.read(path, "assets")
    assert result.errors == []
    assert result.items == assets


@pytest.mark.parametrize("fmt", FORMATS)
def test_policy_areas_layers_vital_round_trip(tmp_path, fmt):
    goals = [
        PolicyGoal.from_record(
            {
                "id": "g1",
                "owner": "gemeente-x",
                "theme": "hittestress",
                "indicator": "aandeel groen",
                "target": 30,
                "unit": "%",
                "horizon_year": 2035,
                "kind": "ambierend",
                "area": "BU1",
                "source_document": "Omgevingsvisie 2040",
            }
        ),
        PolicyGoal.from_record(
            {
                "id": "g2",
                "owner": "gemeente-x",
                "theme": "wateroverlast",
                "indicator": "water op straat",
                "norm": "T=100 geen water in woningen",
                "kind": "normerend",
                "geometry": shapely.box(X0, Y0, X0 + 100, Y0 + 100),
            }
        ),
    ]
    areas = [area("BU1"), area("WK1", level="wijk", box=(X0 - 1000, Y0 - 1000, X0 + 1000, Y0 + 1000))]
    layer = EnvironmentLayer(
        name="hittestress",
        title="hittestress",
        features=[
            EnvironmentFeature(id="c1", value=41.5, geometry=shapely.box(X0, Y0, X0 + 100, Y0 + 100)),
            EnvironmentFeature(
                id="c2",
                value_class="hoog",
                geometry=shapely.box(X0 + 100, Y0, X0 + 200, Y0 + 100),
                attributes={"bron": "klimaatatlas"},
            ),
        ],
    )
    system = VitalSystem(
        id="mv-net",
        owner="netbeheerder-noord",
        name="MS-net",
        network_type="elektriciteit",
        elements=[
            VitalElement(
                id="os1",
                system="mv-net",
                kind="onderstation",
                capacity=10_000,
                load=8_500,
                geometry=shapely.Point(X0, Y0),
                service_area=shapely.box(X0 - 500, Y0 - 500, X0 + 500, Y0 + 500),
            ),
            VitalElement(
                id="os2",
                system="mv-net",
                kind="onderstation",
                capacity=5_000,
                load=1_000,
                geometry=shapely.Point(X0 + 900, Y0),
            ),
        ],
    )
    streets = [
        StreetSegment(
            id="str-1",
            name="Kerkstraat",
            kind="centre",
            profile_width_m=5.0,
            area="BU1",
            geometry=shapely.LineString([(X0, Y0), (X0 + 80, Y0 + 5)]),
        ),
        StreetSegment(id="str-2", name="Ringweg", geometry=shapely.LineString([(X0, Y0), (X0, Y0 + 120)])),
    ]
    for kind, items in (
        ("policy", goals),
        ("areas", areas),
        ("layer", [layer]),
        ("vital", [system]),
        ("streets", streets),
    ):
        path = tmp_path / f"{kind}.{fmt}"
        io.write(path, kind, items)
        result = io.read(path, kind, layer_name="hittestress")
        assert result.errors == [], kind
        assert result.items == items, kind


def test_csv_with_dutch_headers_and_semicolons(tmp_path):
    path = tmp_path / "plannen.csv"
    path.write_text(
        "PlanID;Naam;Eigenaar;Fase;Hardheid;Assettypen;Themas;Startdatum;Einddatum;Graven;Herbestrating;Budget;Zichtbaarheid;geometry\n"
        f"R-17;Riool Dorpsstraat;gemeente-ede;voorbereiding;besloten;gemengd_riool,weg;vervanging;2027-03;2027-10;ja;ja;450.000,00;publiek;LINESTRING ({X0} {Y0}, {X0 + 80} {Y0})\n",
        encoding="utf-8",
    )
    result = io.read(path, "plans")
    assert [str(e) for e in result.errors] == [
        "plannen.csv row 2, field Zichtbaarheid: unknown visibility 'publiek' (did you mean 'public'?)"
    ]
    path.write_text(path.read_text().replace("publiek", "public"), encoding="utf-8")
    result = io.read(path, "plans")
    assert result.errors == []
    (pl,) = result.items
    assert (pl.id, pl.owner, pl.phase.value, pl.hardness.value) == ("R-17", "gemeente-ede", "voorbereiding", "besloten")
    assert pl.asset_types == ("gemengd_riool", "weg") and pl.excavation and pl.surface_renewal
    assert (pl.start, pl.end, pl.budget_eur) == (dt.date(2027, 3, 1), dt.date(2027, 10, 31), 450000.0)


def test_geojson_is_wgs84_and_jsonfg_has_place_and_time(tmp_path):
    import json

    plans = full_plans()[:1]
    io.write(tmp_path / "p.geojson", "plans", plans)
    doc = json.loads((tmp_path / "p.geojson").read_text())
    lon, lat = doc["features"][0]["geometry"]["coordinates"][0]
    assert 3 < lon < 8 and 50 < lat < 54
    io.write(tmp_path / "p.jsonfg", "plans", plans)
    fg = json.loads((tmp_path / "p.jsonfg").read_text())
    assert fg["coordRefSys"] == "http://www.opengis.net/def/crs/EPSG/0/28992"
    feat = fg["features"][0]
    assert feat["place"]["coordinates"][0] == [X0, Y0]
    assert feat["time"] == {"interval": ["2027-01-01", "2028-02-29"]}
    assert "start" not in feat["properties"]


def test_qgis_geojson_with_legacy_rd_crs_member(tmp_path):
    import json

    doc = {
        "type": "FeatureCollection",
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::28992"}},
        "features": [
            {
                "type": "Feature",
                "properties": {"code": "BU1", "naam": "Centrum"},
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [[[X0, Y0], [X0 + 10, Y0], [X0 + 10, Y0 + 10], [X0, Y0]]],
                },
            }
        ],
    }
    (tmp_path / "a.geojson").write_text(json.dumps(doc))
    result = io.read(tmp_path / "a.geojson", "areas")
    assert result.errors == [] and result.items[0].geometry.bounds == (X0, Y0, X0 + 10, Y0 + 10)
