"""Placement of IFC models on the RD map: the georeferencing cases and every trap, to the centimetre."""

from __future__ import annotations

import json

import ifcopenshell
import pytest
import shapely

from openruimte.bim.errors import BimError, NoGeoreference
from openruimte.bim.extract import extract
from openruimte.bim.georef import parse_at, placement
from tests.support.ifcmodels import Box, Georef, build_model, expected_corners, rotation_axis

OUTLINE = [(0, 0), (20, 0), (20, 10), (0, 10)]


def _expected(g: Georef, **kw) -> shapely.Polygon:
    return shapely.Polygon(expected_corners(OUTLINE, g, **kw))


def _footprint(tmp_path, **kw):
    path = tmp_path / "m.ifc"
    build_model(path, **kw)
    return extract(path)


def _assert_cm(footprint, expected) -> None:
    assert footprint is not None
    assert shapely.hausdorff_distance(footprint, expected) < 0.01, (footprint.wkt, expected.wkt)
    assert abs(footprint.area - expected.area) < 0.01 * expected.length


def test_ifc4_map_conversion_in_metres(tmp_path):
    g = Georef(eastings=155000, northings=463000)
    info = _footprint(tmp_path, georef=g)
    _assert_cm(info.footprint, _expected(g))
    assert info.placement.method == "IfcMapConversion" and info.placement.crs == "EPSG:28992"
    assert (info.bottom_m, info.top_m) == (-0.3, 6.3)


def test_millimetre_model_without_scale_gets_the_unit_ratio_and_says_so(tmp_path):
    g = Georef(eastings=121500.25, northings=487300.75, scale=None)
    info = _footprint(tmp_path, unit="mm", georef=g)
    _assert_cm(info.footprint, _expected(g))
    assert info.placement.scale == pytest.approx(0.001)
    assert any("Scale" in a and "0.001" in a for a in info.placement.assumptions)
    assert info.length_unit == "MILLIMETRE"


def test_eastings_written_in_millimetres_are_judged_by_magnitude(tmp_path):
    g = Georef(eastings=155000_000.0, northings=463000_000.0, scale=None)
    info = _footprint(tmp_path, unit="mm", georef=g)
    _assert_cm(info.footprint, _expected(Georef(eastings=155000, northings=463000)))
    assert any("Eastings/Northings" in a for a in info.placement.assumptions)


@pytest.mark.parametrize("degrees", [30.0, 135.0, -100.0, 180.0])
def test_grid_north_from_the_x_axis_with_atan2_in_every_quadrant(tmp_path, degrees):
    g = Georef(x_axis=rotation_axis(degrees))
    info = _footprint(tmp_path, georef=g)
    _assert_cm(info.footprint, _expected(g))
    assert info.placement.rotation_deg == pytest.approx(degrees if degrees != 180.0 else 180.0, abs=1e-6)


def test_unnormalised_x_axis_is_a_direction_only(tmp_path):
    g = Georef(x_axis=(-3.0, -3.0))
    info = _footprint(tmp_path, georef=g)
    _assert_cm(info.footprint, _expected(g))
    assert info.placement.rotation_deg == pytest.approx(-135.0)


def test_world_coordinate_system_offset_is_taken_off_first(tmp_path):
    g = Georef()
    info = _footprint(tmp_path, georef=g, wcs=(100.0, 50.0, 0.0))
    _assert_cm(info.footprint, _expected(g, wcs=(100.0, 50.0)))
    assert info.placement.wcs_offset_m == (100.0, 50.0, 0.0)


@pytest.mark.parametrize("prefix", ["ePSet_", "ePset_", "EPSET_", "epset_"])
@pytest.mark.parametrize("on", ["project", "site"])
def test_ifc2x3_property_sets_in_any_casing_on_project_or_site(tmp_path, prefix, on):
    g = Georef(
        style="pset", pset_prefix=prefix, pset_on=on, x_axis=rotation_axis(12.5), eastings=93000, northings=436000
    )
    info = _footprint(tmp_path, schema="IFC2X3", georef=g)
    _assert_cm(info.footprint, _expected(g))
    assert info.placement.method == "ePSet_MapConversion"
    assert ("IfcProject" if on == "project" else "IfcSite") in info.placement.source


def test_ifc2x3_psets_in_a_millimetre_model_without_scale(tmp_path):
    g = Georef(style="pset", scale=None, eastings=93000, northings=436000)
    info = _footprint(tmp_path, schema="IFC2X3", unit="mm", georef=g)
    _assert_cm(info.footprint, _expected(g))


def test_ifc4x3_map_conversion_scaled(tmp_path):
    g = Georef(style="scaled", factors=(1.0, 1.0, 1.0), x_axis=rotation_axis(20))
    info = _footprint(tmp_path, schema="IFC4X3", georef=g)
    _assert_cm(info.footprint, _expected(g))
    assert info.placement.method == "IfcMapConversionScaled"


def test_other_crs_inside_rd_is_transformed_with_pyproj(tmp_path):
    # ETRS89 / UTM 31N, a point in Utrecht
    from pyproj import Transformer

    e, n = Transformer.from_crs("EPSG:28992", "EPSG:25831", always_xy=True).transform(136000, 455000)
    info = _footprint(tmp_path, georef=Georef(crs="EPSG:25831", eastings=e, northings=n))
    assert info.placement.in_rd
    # the model's origin corner lands on the RD point; UTM and RD grids differ in angle, so compare the corner
    assert info.footprint.exterior.distance(shapely.Point(136000, 455000)) < 0.01
    assert min(shapely.Point(c).distance(shapely.Point(136000, 455000)) for c in info.footprint.exterior.coords) < 0.05
    assert abs(info.footprint.area - 200) < 0.5


def test_no_georeference_is_a_clear_error_suggesting_at(tmp_path):
    path = tmp_path / "m.ifc"
    build_model(path, georef=None)
    with pytest.raises(NoGeoreference, match="--at X,Y"):
        placement(ifcopenshell.open(str(path)), name="m.ifc")
    info = extract(path, at=parse_at("155000,463000,30"))
    _assert_cm(info.footprint, _expected(Georef(x_axis=rotation_axis(30))))
    assert info.placement.method == "--at"


def test_site_latlon_only_is_a_labelled_low_confidence_fallback(tmp_path):
    info = _footprint(tmp_path, georef=None, site_latlon=(52.0907, 5.1214))
    assert info.placement.confidence == "low"
    assert info.placement.method.startswith("IfcSite")
    assert any("lage betrouwbaarheid" in w for w in info.placement.warnings)
    from pyproj import Transformer

    e, n = Transformer.from_crs("EPSG:4326", "EPSG:28992", always_xy=True).transform(5.1214, 52.0907)
    _assert_cm(info.footprint, shapely.box(e, n, e + 20, n + 10))  # the site's origin on the lat/lon


def test_site_latlon_contradicting_the_map_conversion_is_reported(tmp_path):
    info = _footprint(tmp_path, georef=Georef(), site_latlon=(42.3601, -71.0589))  # Boston
    assert any("RefLatitude" in w and "km" in w for w in info.placement.warnings)


@pytest.mark.parametrize("text", ["abc", "1,2,3,4", "5.1,52.1"])
def test_at_refuses_nonsense_and_lonlat(text):
    with pytest.raises(BimError, match="--at"):
        parse_at(text)


# ------------------------------------------------------------------ real files (../shared/data)

GEOREF_EXPECTED = {
    "grf000/na-grf000-ifc4_no_georeferencing.ifc": "no_georeference",
    "grf000/na-grf000-no_georeferencing.ifc": "no_georeference",
    "grf000/pass-grf000-correct_georeferencing.ifc": "outside_rd:EPSG:31467",
    "grf000/pass-grf000-ifc4_georeferencing.ifc": "no_georeference",  # a CRS but no map conversion
    "grf001/fail-grf001-ifcmapconversion_ifcmapconversion_non_identical.ifc": "warn:GRF001",
    "grf001/fail-grf001-ifcmapconversion_none.ifc": "warn:GRF001",
    "grf001/fail-grf001-ifcmapconversionscaled_ifcmapconversionscaled_non_identical.ifc": "warn:GRF001",
    "grf001/fail-grf001-ifcrigidoperation_ifcrigidoperation_non_identical.ifc": "warn:GRF001",
    "grf001/fail-grf001-none_ifcmapconversion.ifc": "warn:GRF001",
    "grf001/na-grf001-none_none.ifc": "no_georeference",
    "grf001/pass-grf001-ifcmapconversion_ifcmapconversion.ifc": "outside_rd:EPSG:3857",
    "grf001/pass-grf001-ifcmapconversionscaled_ifcmapconversionscaled.ifc": "outside_rd:EPSG:3857",
    "grf001/pass-grf001-ifcrigidoperation_ifcrigidoperation.ifc": "outside_rd:EPSG:3857",
    "grf002/fail-grf002-invalid_epsg_code.ifc": "error:EPSG:1234",
    "grf002/fail-grf002-invalid_epsg_code_invalid_string.ifc": "warn:GRF002",
    "grf002/fail-grf002-no_espg_code.ifc": "error:geen coördinatenstelsel",
    "grf002/pass-grf002-valid_epsg_code.ifc": "outside_rd:EPSG:3857",
    "grf002/pass-grf002-valid_epsg_code_alternative.ifc": "error:gebruiksgebied",
    "grf003/fail-grf003-scenario01-building_without_georeferencing.ifc": "no_georeference",
    "grf003/fail-grf003-scenario02-facility_without_georeferencing.ifc": "no_georeference",
    "grf003/na-grf003-correct_building_with_georeferencing.ifc": "outside_rd:EPSG:31467",
    "grf003/na-grf003-railway_with_georeferencing.ifc": "error:gebruiksgebied",
}


@pytest.mark.parametrize("name", sorted(GEOREF_EXPECTED))
def test_buildingsmart_georeferencing_cases(shared_data, name):
    path = shared_data / "ifc" / "georef-rules" / name
    expected = GEOREF_EXPECTED[name]
    f = ifcopenshell.open(str(path))
    if expected == "no_georeference":
        with pytest.raises(NoGeoreference, match="--at"):
            placement(f, name=path.name)
        return
    if expected.startswith("error:"):
        with pytest.raises(BimError, match=expected.removeprefix("error:")) as err:
            placement(f, name=path.name)
        assert path.name in str(err.value)
        return
    p = placement(f, name=path.name)
    if expected.startswith("outside_rd:"):
        assert p.crs == expected.removeprefix("outside_rd:")
        assert not p.in_rd
        assert any("buiten het RD-gebied" in w for w in p.warnings)
    else:
        assert any(expected.removeprefix("warn:") in w for w in p.warnings)


def test_duplex_in_luxembourg_is_placed_in_wgs84_and_refused_for_the_rd_map(shared_data):
    path = shared_data / "ifc" / "Duplex_A_20110907_georeferenced.ifc"
    info = extract(path)
    doc = json.loads(json.dumps(info.to_json(), default=str))
    g = doc["georeferencing"]
    assert doc["schema"] == "IFC2X3" and doc["length_unit"] == "METRE"
    assert g["method"] == "ePSet_MapConversion" and g["crs"] == "EPSG:9897"
    assert (g["eastings"], g["northings"]) == (76670.0, 77179.0)
    assert g["rotation"] == pytest.approx(71.0, abs=0.01)  # atan2(0.9455, 0.3256)
    assert doc["footprint"] is None and not g["in_rd"]
    lon, lat = shapely.geometry.shape(doc["footprint_wgs84"]).centroid.coords[0]
    assert 6.10 < lon < 6.14 and 49.62 < lat < 49.64  # Luxembourg City
    assert any("RefLatitude" in w for w in g["warnings"])  # the Revit default (Chicago) contradicts
    assert [s["name"] for s in doc["storeys"]] == ["T/FDN", "Level 1", "Level 2", "Roof"]
    assert doc["gross_floor_area_m2"] > 0
    with pytest.raises(BimError, match="buiten het RD-gebied"):
        extract(path, require_placement=True)
    placed = extract(path, at=(155000.0, 463000.0, 0.0), require_placement=True)
    assert placed.footprint is not None and placed.footprint.within(shapely.box(154900, 462900, 155100, 463100))


def test_boxes_helper_is_deterministic(tmp_path):
    a = build_model(tmp_path / "a.ifc", boxes=(Box(0, 0, 1, 1),))
    b = build_model(tmp_path / "b.ifc", boxes=(Box(0, 0, 1, 1),))
    assert [e.GlobalId for e in a.by_type("IfcProduct")] == [e.GlobalId for e in b.by_type("IfcProduct")]


def test_map_unit_in_millimetres_is_honoured(tmp_path):
    g = Georef(eastings=155_000_000.0, northings=463_000_000.0, scale=None, map_unit="mm")
    info = _footprint(tmp_path, unit="mm", georef=g)
    _assert_cm(info.footprint, _expected(Georef(eastings=155000, northings=463000)))
    assert info.placement.map_unit_m == 0.001 and info.placement.scale == pytest.approx(1.0)


def test_explicit_scale_one_in_a_millimetre_model_is_reported(tmp_path):
    path = tmp_path / "m.ifc"
    build_model(path, unit="mm", georef=Georef(scale=1.0))
    p = placement(ifcopenshell.open(str(path)), name="m.ifc")
    assert p.scale == 1.0 and any("Scale is 1" in w for w in p.warnings)
