"""Bad input gets a clear error that names file, row, field and value; every error is reported."""

import json

import pytest
import shapely

from openruimte import io
from tests.factories import X0, Y0, full_plans

HEADER = "id,naam,eigenaar,fase,assettypen,startdatum,einddatum,geometry\n"


def row(
    i="p1",
    name="Plan",
    owner="gemeente-x",
    phase="ontwerp",
    types="gas",
    start="2027-01-01",
    end="2027-06-30",
    wkt=f"LINESTRING ({X0} {Y0}, {X0 + 50} {Y0})",
):
    return f'{i},{name},{owner},{phase},{types},{start},{end},"{wkt}"\n'


def errors_of(path, kind="plans", **kw):
    return [str(e) for e in io.read(path, kind, **kw).errors]


def test_unknown_vocabulary_value_names_row_and_field(tmp_path):
    path = tmp_path / "plans.csv"
    path.write_text(HEADER + row() + row(i="p2", types="riool"))
    assert errors_of(path) == [
        "plans.csv row 3, field assettypen: unknown asset type 'riool' (did you mean 'gemengd_riool'?)"
    ]


def test_every_error_is_reported_not_just_the_first(tmp_path):
    path = tmp_path / "plans.csv"
    path.write_text(
        HEADER
        + row(i="p1", phase="bouw")
        + row(i="p2", start="2027-06-01", end="2027-05-01")
        + row(i="p3", name="")
        + row(i="p3")
        + row(i="p5", wkt="POINT (5.1 52.1)")
    )
    errs = errors_of(path)
    assert errs[0].startswith("plans.csv row 2, field fase: unknown phase 'bouw'")
    assert "plans.csv row 3, field einddatum: end 2027-05-01 is before start 2027-06-01" in errs
    assert "plans.csv row 4, field naam: a value is required" in errs
    assert "plans.csv row 5, field id: duplicate id 'gemeente-x:p3' (first at row 4)" in errs
    assert any(
        e.startswith(
            "plans.csv row 6, field geometry: coordinates (5.1, 52.1) are outside the Netherlands in EPSG:28992"
        )
        and "--crs EPSG:4326" in e
        for e in errs
    )
    assert len(errs) == 5


def test_missing_required_column(tmp_path):
    path = tmp_path / "plans.csv"
    path.write_text("id,naam,eigenaar,geometry\n" + f'p1,Plan,gemeente-x,"POINT ({X0} {Y0})"\n')
    errs = errors_of(path)
    assert (
        "plans.csv row 2, field phase: a value is required; expected one of idee, initiatief, definitie, ontwerp, voorbereiding, realisatie, beheer"
        in errs
    )
    assert "plans.csv row 2, field asset_types: at least one asset type is required" in errs


def test_self_intersection_and_make_valid(tmp_path):
    path = tmp_path / "plans.csv"
    bowtie = f"POLYGON (({X0} {Y0}, {X0 + 10} {Y0 + 10}, {X0 + 10} {Y0}, {X0} {Y0 + 10}, {X0} {Y0}))"
    path.write_text(HEADER + row(wkt=bowtie))
    (err,) = errors_of(path)
    assert err.startswith("plans.csv row 2, field geometry: invalid geometry: Self-intersection")
    assert err.endswith("repair it or import with --make-valid")
    result = io.read(path, "plans", make_valid=True)
    assert result.errors == [] and result.items[0].geometry.is_valid


def test_unreadable_wkt(tmp_path):
    path = tmp_path / "plans.csv"
    path.write_text(HEADER + row(wkt="LINESTRING (1 2,"))
    (err,) = errors_of(path)
    assert err.startswith("plans.csv row 2, field geometry: cannot read WKT")


def test_rd_coordinates_in_geojson_get_a_crs_hint(tmp_path):
    plans = full_plans()[:1]
    doc = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": plans[0].to_record()
                | {
                    "geometry": None,
                    "start": "2027-01-01",
                    "end": "2027-02-01",
                    "earliest_start": None,
                    "latest_end": None,
                },
                "geometry": {"type": "Point", "coordinates": [X0, Y0]},
            }
        ],
    }
    path = tmp_path / "plans.geojson"
    path.write_text(json.dumps(doc, default=str))
    (err,) = errors_of(path)
    assert err == (
        "plans.geojson feature 1, field geometry: coordinates (155000, 463000) are not longitude/latitude in the "
        "Netherlands (EPSG:4326); they look like EPSG:28992 (RD New): pass --crs EPSG:28992"
    )
    assert io.read(path, "plans", crs="EPSG:28992").errors == []


def test_swapped_lat_lon(tmp_path):
    doc = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"code": "BU1", "name": "x"},
                "geometry": {"type": "Polygon", "coordinates": [[[52.0, 5.0], [52.1, 5.0], [52.1, 5.1], [52.0, 5.0]]]},
            }
        ],
    }
    path = tmp_path / "areas.geojson"
    path.write_text(json.dumps(doc))
    (err,) = errors_of(path, "areas")
    assert "latitude and longitude look swapped" in err


def test_non_utf8_file_says_which_encoding(tmp_path):
    path = tmp_path / "plans.csv"
    path.write_bytes((HEADER + row(name="Café Brücke")).encode("cp1252"))
    (err,) = errors_of(path)
    assert err == "plans.csv: the file is not UTF-8 (byte 0xe9 at line 2); it looks like cp1252: pass --encoding cp1252"
    result = io.read(path, "plans", encoding="cp1252")
    assert result.errors == [] and result.items[0].name == "Café Brücke"


@pytest.mark.parametrize("suffix", ["csv", "geojson", "xlsx", "gpkg"])
def test_empty_file(tmp_path, suffix):
    path = tmp_path / f"plans.{suffix}"
    path.write_bytes(b"")
    (err,) = errors_of(path)
    assert err.startswith(f"plans.{suffix}: the file is empty")


def test_header_but_no_rows(tmp_path):
    path = tmp_path / "plans.csv"
    path.write_text(HEADER)
    assert errors_of(path) == ["plans.csv: the file has a header but no rows"]


def test_xlsx_formula_cells_refused(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["id", "naam", "eigenaar", "fase", "assettypen", "budget", "geometry"])
    ws.append(["p1", "Plan", "gemeente-x", "ontwerp", "gas", "=1000*2", f"POINT ({X0} {Y0})"])
    wb.save(tmp_path / "plans.xlsx")
    (err,) = errors_of(tmp_path / "plans.xlsx")
    assert err == (
        "plans.xlsx row 2, field budget: cell F2 holds a formula '=1000*2'; paste it as values "
        "(Paste Special > Values) and save again"
    )


def test_not_an_xlsx(tmp_path):
    path = tmp_path / "plans.xlsx"
    path.write_text("id,name\n")
    assert errors_of(path)[0].startswith("plans.xlsx: not an Excel .xlsx workbook")


def test_geopackage_without_the_expected_layer(tmp_path):
    path = tmp_path / "data.gpkg"
    io.write(path, "plans", full_plans()[:1])
    assert errors_of(path, layer="wegen") == [
        "data.gpkg: no layer 'wegen'; the file has layers: plans; pass --layer NAME"
    ]
    assert errors_of(path, layer="plans") == []


def test_geopackage_with_two_layers_and_none_matching(tmp_path):
    import numpy as np
    from pyogrio.raw import write

    path = tmp_path / "two.gpkg"
    for name in ("wegen", "riolen"):
        write(
            path,
            shapely.to_wkb(np.array([shapely.Point(X0, Y0)])),
            [np.array(["x"], dtype=object)],
            ["id"],
            layer=name,
            driver="GPKG",
            crs="EPSG:28992",
            geometry_type="Point",
            append=name == "riolen",
        )
    assert errors_of(path) == [
        "two.gpkg: no layer 'plans' and more than one layer to choose from (wegen, riolen); pass --layer NAME"
    ]


def test_duplicate_columns(tmp_path):
    path = tmp_path / "plans.csv"
    path.write_text("id,naam,name,eigenaar,fase,assettypen,geometry\n" + f'p1,A,B,g,idee,gas,"POINT ({X0} {Y0})"\n')
    assert "plans.csv, field name: columns 'naam' and 'name' both give name; keep one" in errors_of(path)


def test_unknown_columns_warned_not_silently_dropped(tmp_path):
    path = tmp_path / "plans.csv"
    path.write_text(
        "id,naam,eigenaar,fase,assettypen,opmerking,geometry\n" + f'p1,A,g,idee,gas,let op,"POINT ({X0} {Y0})"\n'
    )
    result = io.read(path, "plans")
    assert result.errors == []
    assert result.warnings == ["plans.csv: columns not in the exchange format were ignored: opmerking"]


def test_unknown_format(tmp_path):
    path = tmp_path / "plans.shp"
    path.write_text("x")
    with pytest.raises(Exception, match="cannot tell the format from the extension '.shp'"):
        io.read(path, "plans")


def test_wrong_owner_against_option(tmp_path):
    path = tmp_path / "plans.csv"
    path.write_text(HEADER + row(owner="telecom-a"))
    assert errors_of(path, owner="gemeente-x") == [
        "plans.csv row 2, field eigenaar: owner 'telecom-a' differs from --owner gemeente-x"
    ]


@pytest.mark.parametrize(
    "name",
    [
        "EPSG:28992",
        "urn:ogc:def:crs:EPSG::28992",
        "urn:x-ogc:def:crs:EPSG:28992",
        "urn:ogc:def:crs:EPSG:6.9:28992",
        "http://www.opengis.net/def/crs/EPSG/0/28992",
        "http://spatialreference.org/ref/epsg/28992/",
        "28992",
    ],
)
def test_every_spelling_of_rd_new(name):
    from openruimte.io.crs import normalise_crs

    assert normalise_crs(name) == "EPSG:28992"


def test_byte_order_mark_alone_is_an_empty_file(tmp_path):
    """Found by Hypothesis: a CSV that is only a byte-order mark decodes to nothing."""
    path = tmp_path / "plans.csv"
    path.write_bytes(b"\xef\xbb\xbf")
    (err,) = errors_of(path)
    assert err.startswith("plans.csv: the file is empty")
