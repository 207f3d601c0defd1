"""CityJSON 1.1 / 2.0 and CityJSONSeq in ../shared/data/cityjson as buildings.

Footprint areas are checked against an independent computation: the shoelace area
of the LoD 2 ``GroundSurface`` faces, straight from the JSON (see ``ground_area``).
"""

import json

import pytest

from openruimte.io.cityjson import read_cityjson
from openruimte.model import InputError

BAG = {  # key -> (bag id, construction year, ground, roof 50p, roof max) from the file's attributes
    "NL.IMBAG.Pand.0503100000028341": ("NL.IMBAG.Pand.0503100000028341", 1949, -0.277, 6.97, 9.83),
    "NL.IMBAG.Pand.0503100000031927": ("NL.IMBAG.Pand.0503100000031927", 1936, -0.077, 9.3, 13.44),
}
MULTI_LOD_BAG = {
    "6751773": "NL.IMBAG.Pand.0796100000236261", "2128302": "NL.IMBAG.Pand.0796100000215775",
    "596872": "NL.IMBAG.Pand.0796100001008481", "408703": "NL.IMBAG.Pand.0796100000210250",
    "2499572": "NL.IMBAG.Pand.0796100000226180", "3374155": "NL.IMBAG.Pand.0796100000256407",
    "7115146": "NL.IMBAG.Pand.0796100000210275", "3194274": "NL.IMBAG.Pand.0796100000265918",
    "2921895": "NL.IMBAG.Pand.0796100000242693", "8049533": "NL.IMBAG.Pand.0796100000245196",
}  # fmt: skip


@pytest.fixture
def folder(shared_data):
    return shared_data / "cityjson"


def shoelace(points):
    return abs(sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(points, points[1:] + points[:1]))) / 2


def ground_area(document, key):
    """Area of the LoD 2 GroundSurface faces of a building and its parts."""
    scale, move, vertices = document["transform"]["scale"], document["transform"]["translate"], document["vertices"]

    def ring(indexes):
        return [(vertices[i][0] * scale[0] + move[0], vertices[i][1] * scale[1] + move[1]) for i in indexes]

    total = 0.0
    for name in [key, *document["CityObjects"][key].get("children", [])]:
        for geometry in document["CityObjects"][name].get("geometry", []):
            if not str(geometry["lod"]).startswith("2"):
                continue
            surfaces = geometry["semantics"]["surfaces"]
            ground = {i for i, s in enumerate(surfaces) if s["type"] == "GroundSurface"}
            for face, value in zip(geometry["boundaries"][0], geometry["semantics"]["values"][0]):
                if value in ground:
                    total += shoelace(ring(face[0])) - sum(shoelace(ring(hole)) for hole in face[1:])
    return total


def test_3dbag_cityjson_2(folder):
    result = read_cityjson(folder / "3dbag_b2.city.json")
    assert result.ok and result.summary == {"Building": 2, "BuildingPart": 2} and result.rows == 4
    document = json.loads((folder / "3dbag_b2.city.json").read_text())
    assert len(result.items) == 2  # each BuildingPart merged into its Building
    for building in result.items:
        bag_id, year, ground, roof, roof_max = BAG[building.id]
        assert (building.bag_id, building.construction_year) == (bag_id, year)
        assert (building.ground_height_m, building.roof_height_m, building.roof_max_m) == (ground, roof, roof_max)
        assert building.lods == ("2.2",) and building.geometry.geom_type == "Polygon"
        assert building.geometry.area == pytest.approx(ground_area(document, building.id), abs=0.01)
        assert building.attributes["height_source"] == "attributes" and building.attributes["parts"] == 1
        assert building.attributes["source_crs"] == "EPSG:28992"  # EPSG:7415 is RD horizontally
        minx, miny, maxx, maxy = building.geometry.bounds
        assert 84_990 < minx < maxx < 85_030 and 446_530 < miny < maxy < 446_570
    assert result.items[0].height_m == pytest.approx(6.97 + 0.277)


def test_cityjsonseq_gives_the_same_buildings(folder):
    whole = {b.id: b for b in read_cityjson(folder / "3dbag_b2.city.json").items}
    sequence = read_cityjson(folder / "3dbag_b2.city.jsonl")
    assert sequence.ok and sequence.summary == {"Building": 2, "BuildingPart": 2}
    for building in sequence.items:
        twin = whole[building.id]
        assert building.geometry.equals(twin.geometry) and building.bag_id == twin.bag_id
        assert (building.ground_height_m, building.roof_height_m, building.lods) == (
            twin.ground_height_m,
            twin.roof_height_m,
            twin.lods,
        )


@pytest.mark.parametrize("name", ["multi_lod.json", "DH_01_subs.city.json"])
def test_a_file_without_crs_is_refused_not_guessed(folder, name):
    with pytest.raises(InputError) as err:
        read_cityjson(folder / name)
    message = str(err.value)
    assert message.startswith(f"{name}: the file names no CRS") and "is not guessed" in message
    assert "pass --crs" in message and "EPSG:28992" in message


def test_multi_lod_with_crs(folder):
    result = read_cityjson(folder / "multi_lod.json", crs="EPSG:28992")
    document = json.loads((folder / "multi_lod.json").read_text())
    assert result.ok and result.summary == {"Building": 10}
    assert {b.id: b.bag_id for b in result.items} == MULTI_LOD_BAG
    for building in result.items:
        attributes = document["CityObjects"][building.id]["attributes"]
        assert building.lods == ("1.2", "1.3", "2.2")
        assert building.construction_year == attributes["oorspronkelijk_bouwjaar"]
        assert building.ground_height_m == attributes["h_maaiveld"]
        # the footprint comes from LoD 1.2, the lowest; it matches the LoD 2.2 ground faces
        assert building.geometry.area == pytest.approx(ground_area(document, building.id), abs=0.01)
        assert building.attributes["height_source"] == "attributes and vertices"
        assert building.roof_height_m == building.roof_max_m > building.ground_height_m
    first = next(b for b in result.items if b.id == "6751773")
    assert first.roof_height_m == 13.224


def test_den_haag_cityjson_1_1_with_parts(folder):
    result = read_cityjson(folder / "DH_01_subs.city.json", crs="EPSG:28992")
    document = json.loads((folder / "DH_01_subs.city.json").read_text())
    assert result.ok and result.summary == {"Building": 4, "BuildingPart": 8}
    assert len(result.items) == 4
    for building in result.items:
        assert building.bag_id is None and building.lods == ("2",)
        assert building.attributes["height_source"] == "vertices" and building.attributes["cityjson_version"] == "1.1"
        assert building.geometry.area == pytest.approx(ground_area(document, building.id), abs=0.01)
    assert sorted(b.attributes["parts"] for b in result.items) == [0, 2, 3, 3]
    one = next(b for b in result.items if b.id == "GUID_3D7D60B9-8F3A-4D3B-A3E5-CD9B5565A5B2")
    assert (one.ground_height_m, one.roof_height_m) == (5.232, 14.739)  # 14.739 = its AbsoluteRidgeHeight


def test_a_crs_that_contradicts_the_file(folder):
    with pytest.raises(InputError, match=r"says its CRS is .*7415 \(EPSG:28992 horizontally\) but --crs EPSG:4326"):
        read_cityjson(folder / "3dbag_b2.city.json", crs="EPSG:4326")
    assert read_cityjson(folder / "3dbag_b2.city.json", crs="EPSG:28992").ok  # the same horizontally


# --------------------------------------------------------------------------- hand-made files


def city(tmp_path, objects, vertices, version="2.0", metadata=None, name="small.city.json"):
    path = tmp_path / name
    document = {
        "type": "CityJSON",
        "version": version,
        "transform": {"scale": [0.001, 0.001, 0.001], "translate": [155000, 463000, 0]},
        "metadata": metadata if metadata is not None else {"referenceSystem": "urn:ogc:def:crs:EPSG::7415"},
        "CityObjects": objects,
        "vertices": vertices,
    }
    path.write_text(json.dumps(document))
    return path


SQUARE = [[0, 0, 0], [10000, 0, 0], [10000, 10000, 0], [0, 10000, 0]]


def test_lod0_footprint_and_other_city_objects(tmp_path):
    objects = {
        "b1": {
            "type": "Building",
            "attributes": {"identificatie": "0503100000012345", "oorspronkelijkbouwjaar": 1970},
            "geometry": [{"type": "MultiSurface", "lod": "0", "boundaries": [[[0, 1, 2, 3]]]}],
        },
        "r1": {"type": "Road", "geometry": []},
    }
    result = read_cityjson(city(tmp_path, objects, SQUARE))
    building = result.items[0]
    assert building.geometry.area == pytest.approx(100) and building.lods == ("0",)
    assert building.bag_id == "NL.IMBAG.Pand.0503100000012345" and building.construction_year == 1970
    assert result.summary == {"Building": 1, "Road": 1}
    assert any("not buildings, not imported: Road 1" in w for w in result.warnings)


def test_a_building_without_geometry_is_a_row_error(tmp_path):
    result = read_cityjson(city(tmp_path, {"b1": {"type": "Building"}}, []))
    assert result.items == [] and str(result.errors[0]) == (
        "small.city.json building 1, field geometry: building b1: a geometry is required"
    )


def test_an_old_version_is_refused(tmp_path):
    with pytest.raises(InputError, match=r"expected CityJSON 1.1 or 2.0 .* version 1.0; upgrade older files"):
        read_cityjson(city(tmp_path, {}, [], version="1.0"))


def test_broken_json_names_line_and_column(tmp_path):
    path = tmp_path / "broken.city.json"
    path.write_text('{"type": "CityJSON",\n "version": }')
    with pytest.raises(InputError, match=r"not valid JSON \(Expecting value at line 2, column 13\)"):
        read_cityjson(path)


def test_a_sequence_line_that_is_not_a_feature(tmp_path):
    path = tmp_path / "seq.city.jsonl"
    header = {"type": "CityJSON", "version": "2.0", "transform": {"scale": [1, 1, 1], "translate": [0, 0, 0]},
              "metadata": {"referenceSystem": "https://www.opengis.net/def/crs/EPSG/0/28992"}, "CityObjects": {},
              "vertices": []}  # fmt: skip
    path.write_text(json.dumps(header) + "\n" + json.dumps({"type": "Feature"}) + "\n")
    with pytest.raises(InputError, match="line 2: expected a CityJSONFeature"):
        read_cityjson(path)


def test_a_projected_crs_other_than_rd_is_transformed(tmp_path):
    import pyproj

    x, y = pyproj.Transformer.from_crs("EPSG:28992", "EPSG:32631", always_xy=True).transform(155000, 463000)
    path = tmp_path / "utm.city.json"
    document = {
        "type": "CityJSON",
        "version": "2.0",
        "transform": {"scale": [0.001, 0.001, 0.001], "translate": [x, y, 0]},
        "metadata": {"referenceSystem": "https://www.opengis.net/def/crs/EPSG/0/32631"},
        "CityObjects": {
            "b1": {
                "type": "Building",
                "geometry": [{"type": "MultiSurface", "lod": "0", "boundaries": [[[0, 1, 2, 3]]]}],
            }
        },
        "vertices": SQUARE,
    }
    path.write_text(json.dumps(document))
    building = read_cityjson(path).items[0]
    corners = list(building.geometry.exterior.coords)
    assert min(abs(cx - 155000) + abs(cy - 463000) for cx, cy in corners) < 0.003  # the first vertex, in RD
    assert building.geometry.area == pytest.approx(100, rel=0.01)
    assert building.attributes["source_crs"] == "EPSG:32631"


def test_progress_is_reported(folder):
    seen = []
    read_cityjson(folder / "multi_lod.json", crs="EPSG:28992", progress=seen.append)
    assert seen == [10]
