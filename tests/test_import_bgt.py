"""BGT / IMGeo 2.1.1 CityGML of Otterlo (../shared/data/nl/bgt-otterlo-imgeo211) as assets, with IMBOR types.

The counts below were taken once from the files with a plain ElementTree pass
(objects per class and plus-type, split by whether ``eindRegistratie`` is set) and
are checked against that independent pass again in ``test_summary_matches_an_independent_count``.

The data README's numbers (2,292 trees, 1,045 put: 759 kolk, 261 inspectie-/rioolput,
14 waterleidingput, 11 brandkraan; 410 paal, 400 lichtmast) count every record,
historic versions included. Current objects only: 2,088 trees, 1,009 put (727 kolk,
257 inspectie-/rioolput, 14, 11), 398 paal (388 lichtmast, 10 haltepaal).
"""

import re
import xml.etree.ElementTree as ET  # noqa: S405 - trusted test data, an independent count
import zipfile
from collections import Counter

import pytest
import shapely

from openruimte.io.bgt import read_bgt
from openruimte.io.imbor import ImborVocabulary
from openruimte.model import InputError
from tests.conftest import DATA

CURRENT = {
    "Bak": 2, "Bord": 53, "Kast": 12, "Kunstwerkdeel": 65, "OpenbareRuimteLabel": 58, "OverigBouwwerk": 24,
    "Paal": 398, "Put": 1009, "Scheiding": 303, "Sensor": 2, "Straatmeubilair": 16, "Vegetatieobject": 2104,
    "Weginrichtingselement": 51,
}  # fmt: skip
ENDED = {
    "Kunstwerkdeel": 1, "OpenbareRuimteLabel": 4, "Paal": 12, "Put": 36, "Scheiding": 93, "Vegetatieobject": 204,
    "Weginrichtingselement": 1,
}  # fmt: skip
ASSET_TYPES = {
    "bomen": 2088, "groen": 16, "hemelwaterafvoer": 727, "gemengd_riool": 257 + 8, "drinkwater": 14 + 11,
    "openbare_verlichting": 388 + 2, "ov_halte": 10 + 6, "verkeersobject": 21 + 4 + 15 + 2 + 40 + 11,
    "telecom": 2, "fietsparkeren": 3 + 1, "kunstwerk": 65,
}  # fmt: skip
NOT_MAPPED = (
    "Bak/afvalbak 2, Bord/informatiebord 8, Bord/reclamebord 3, Bord/verklikker transportleiding 2, "
    "OpenbareRuimteLabel 58, OverigBouwwerk/bassin 15, OverigBouwwerk/open loods 9, Scheiding/draadraster 80, "
    "Scheiding/faunaraster 8, Scheiding/hek 149, Scheiding/muur 64, Scheiding/walbescherming 2, Straatmeubilair/bank 6"
)
CITYGML = {"SolitaryVegetationObject": "Vegetatieobject"}


@pytest.fixture
def folder(shared_data):
    return shared_data / "nl" / "bgt-otterlo-imgeo211"


@pytest.fixture(scope="module")
def vocabulary():
    """Loaded once for the module: parsing the IMBOR kern takes a few seconds."""
    if not DATA.exists():
        pytest.skip(f"../shared/data is absent ({DATA}); CI provides it")
    return ImborVocabulary.load(
        DATA / "imbor" / "crow-imbor2022" / "imbor-kern.ttl",
        alignment=DATA / "imbor" / "crow-imbor2025-alignments" / "IMBOR2025_BGT-IMGeo2.2_alignment.ttl",
    )


@pytest.fixture(scope="module")
def result(vocabulary):
    return read_bgt(DATA / "nl" / "bgt-otterlo-imgeo211", owner="ede", imbor=vocabulary)


def independent_count(folder):
    counts = Counter()
    for path in sorted(folder.glob("*.gml")):
        for member in ET.parse(path).getroot():  # noqa: S314 - trusted test data
            for feature in member:
                name = feature.tag.rsplit("}", 1)[-1]
                name = CITYGML.get(name, name)
                ended = any(e.tag.endswith("}eindRegistratie") for e in feature)
                plus = [e.text for e in feature if e.tag.endswith("}plus-type")]
                counts[(name, plus[0] if plus else None, ended)] += 1
    return counts


def test_the_readme_counts_are_all_records(result):
    s = result.summary
    assert s["Vegetatieobject/boom"] + s["Vegetatieobject/boom (ended)"] == 2292
    assert s["Put"] + s["Put (ended)"] == 1045
    assert s["Put/kolk"] + s["Put/kolk (ended)"] == 759
    assert s["Put/inspectie- / rioolput"] + s["Put/inspectie- / rioolput (ended)"] == 261
    assert s["Put/waterleidingput"] == 14 and s["Put/brandkraan / -put"] == 11
    assert s["Paal"] + s["Paal (ended)"] == 410
    assert s["Paal/lichtmast"] + s["Paal/lichtmast (ended)"] == 400


def test_current_objects_per_class(result):
    assert {k: v for k, v in result.summary.items() if "/" not in k and "(ended)" not in k} == CURRENT
    assert {
        k.removesuffix(" (ended)"): v for k, v in result.summary.items() if "/" not in k and "(ended)" in k
    } == ENDED
    assert result.rows == sum(CURRENT.values()) + sum(ENDED.values()) == 4448


def test_current_objects_per_type(result):
    s = result.summary
    assert (s["Vegetatieobject/boom"], s["Vegetatieobject/haag"]) == (2088, 16)
    assert (s["Put/kolk"], s["Put/inspectie- / rioolput"], s["Put/waterleidingput"], s["Put/brandkraan / -put"]) == (
        727,
        257,
        14,
        11,
    )
    assert (s["Paal/lichtmast"], s["Paal/haltepaal"]) == (388, 10)


def test_summary_matches_an_independent_count(folder, result):
    counts = independent_count(folder)
    for (name, plus, ended), n in counts.items():
        if plus in (None, "waardeOnbekend"):
            continue
        key = f"{name}/{plus}" + (" (ended)" if ended else "")
        assert result.summary[key] == n, key
    for name in CURRENT:
        assert result.summary[name] == sum(n for (c, _, e), n in counts.items() if c == name and not e)


def test_assets_per_type(result):
    assert result.ok, result.errors[:3]
    assert dict(Counter(a.asset_type for a in result.items)) == ASSET_TYPES
    assert len(result.items) == sum(ASSET_TYPES.values()) == 3691


def test_unmapped_classes_are_counted_and_reported(result):
    warning = next(w for w in result.warnings if "not imported, no asset type" in w)
    assert "406 current object(s)" in warning and warning.endswith(NOT_MAPPED)
    assert sum(CURRENT.values()) - len(result.items) == 406


def test_historic_versions_are_reported(result):
    assert any("351 historic object version(s)" in w for w in result.warnings)
    assert sum(ENDED.values()) == 351


def test_a_tree(result):
    tree = next(a for a in result.items if a.asset_type == "bomen")
    assert tree.owner == "ede" and tree.geometry.geom_type == "Point"
    assert tree.imbor_type == "Boom" and tree.attributes["imbor_match"] == "alignment"
    assert tree.attributes["imbor_uri"] == "https://data.crow.nl/imbor/def/83a942f7-5291-42f0-afb1-9a57d0fb2f15"
    assert tree.attributes["source"] == "BGT" and tree.attributes["bgt_class"] == "Vegetatieobject"
    assert tree.attributes["bgt_type"] == "boom" and tree.attributes["bgt_status"] == "bestaand"
    assert tree.id.startswith(("G0228.", "P0025.", "W0")) and 179_000 < tree.geometry.x < 184_000


def test_hedges_are_lines_with_their_arcs(result):
    hedges = [a for a in result.items if a.attributes["bgt_type"] == "haag"]
    assert len(hedges) == 16 and {h.geometry.geom_type for h in hedges} == {"LineString"}
    assert max(len(h.geometry.coords) for h in hedges) > 10  # arcs became many short segments


def test_imbor_types_are_valid_and_say_how_they_were_found(result, vocabulary):
    assert all(vocabulary.is_valid(a.imbor_type) for a in result.items if a.imbor_type)
    found = Counter(
        (a.attributes["bgt_class"], a.attributes["bgt_type"], a.imbor_type, a.attributes.get("imbor_match"))
        for a in result.items
    )
    assert found[("Put", "kolk", "Kolk", "alignment")] == 727
    assert found[("Put", "inspectie- / rioolput", "Rioolput", "label")] == 257
    assert found[("Put", "brandkraan / -put", "Brandkraan", "alignment")] == 11
    assert found[("Paal", "lichtmast", "Paal", "class")] == 388  # IMBOR 2022 has no Lichtmast class
    assert found[("Kast", "openbare verlichtingkast", "OVL-kast", "alignment")] == 2
    assert found[("Weginrichtingselement", "wildrooster", None, None)] == 11
    assert any("Paal/lichtmast -> 'Paal' by class" in w for w in result.warnings)


def test_without_imbor_no_type_and_a_warning(folder):
    result = read_bgt(folder / "bgt_kast.gml", owner="ede")
    assert len(result.items) == 12 and {a.imbor_type for a in result.items} == {None}
    assert any("no IMBOR vocabulary given" in w for w in result.warnings)


def test_a_zip_is_read_member_by_member(folder, tmp_path):
    archive = tmp_path / "otterlo.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        for name in ("bgt_put.gml", "bgt_paal.gml", "readme.txt"):
            if name.endswith(".gml"):
                z.write(folder / name, f"extract/{name}")
            else:
                z.writestr(name, "not GML")
    result = read_bgt(archive, owner="ede")
    assert result.source == "otterlo.zip" and result.summary["Put"] == 1009 and result.summary["Paal"] == 398
    assert len(result.items) == 1009 + 398


def test_an_owner_is_required(folder):
    with pytest.raises(InputError, match="an owner is required"):
        read_bgt(folder, owner=" ")


def test_an_empty_zip(tmp_path):
    archive = tmp_path / "empty.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("readme.txt", "nothing")
    with pytest.raises(InputError, match="the zip holds no .gml files"):
        read_bgt(archive, owner="ede")


# --------------------------------------------------------------------------- hand-made files

HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<CityModel xmlns="http://www.opengis.net/citygml/2.0" xmlns:gml="http://www.opengis.net/gml"
 xmlns:imgeo="http://www.geostandaarden.nl/imgeo/2.1" xmlns:tran="http://www.opengis.net/citygml/transportation/2.0">
"""


def wegdeel(i, function, plus="", geometry=""):
    return f"""<cityObjectMember><tran:TrafficArea gml:id="w{i}">
  <imgeo:identificatie><imgeo:NEN3610ID><imgeo:lokaalID>G0228.w{i}</imgeo:lokaalID></imgeo:NEN3610ID></imgeo:identificatie>
  <imgeo:bgt-status>bestaand</imgeo:bgt-status>
  <tran:function>{function}</tran:function>{plus}
  <tran:lod2MultiSurface>{geometry or SQUARE}</tran:lod2MultiSurface>
</tran:TrafficArea></cityObjectMember>"""


SQUARE = """<gml:MultiSurface srsName="urn:ogc:def:crs:EPSG::28992"><gml:surfaceMember><gml:Polygon><gml:exterior>
<gml:LinearRing><gml:posList srsDimension="2">181000 456000 181010 456000 181010 456010 181000 456010 181000 456000</gml:posList>
</gml:LinearRing></gml:exterior></gml:Polygon></gml:surfaceMember></gml:MultiSurface>"""

ROUNDED = """<gml:Polygon srsName="urn:ogc:def:crs:EPSG::28992"><gml:exterior><gml:Ring><gml:curveMember><gml:Curve>
<gml:segments><gml:LineStringSegment><gml:posList srsDimension="2">181000 456000 181010 456000</gml:posList></gml:LineStringSegment>
<gml:Arc><gml:posList srsDimension="2">181010 456000 181015 456005 181010 456010</gml:posList></gml:Arc>
<gml:LineStringSegment><gml:posList srsDimension="2">181010 456010 181000 456010 181000 456000</gml:posList></gml:LineStringSegment>
</gml:segments></gml:Curve></gml:curveMember></gml:Ring></gml:exterior></gml:Polygon>"""


def test_road_parts_by_function(tmp_path):
    path = tmp_path / "bgt_wegdeel.gml"
    parts = [
        wegdeel(1, "rijbaan lokale weg"),
        wegdeel(2, "fietspad"),
        wegdeel(3, "voetpad", "<imgeo:plus-functieWegdeel>waardeOnbekend</imgeo:plus-functieWegdeel>"),
        wegdeel(4, "voetgangersgebied"),
        wegdeel(5, "ruiterpad"),
        wegdeel(6, "parkeervlak", geometry=ROUNDED),
    ]
    path.write_text(HEAD + "".join(parts) + "</CityModel>")
    result = read_bgt(path, owner="ede")
    assert result.ok, result.errors
    assert {a.id: a.asset_type for a in result.items} == {
        "G0228.w1": "weg",
        "G0228.w2": "fietspad",
        "G0228.w3": "voetpad",
        "G0228.w4": "voetpad",
        "G0228.w6": "weg",
    }
    assert any("Wegdeel/ruiterpad 1" in w for w in result.warnings)
    rounded = next(a for a in result.items if a.id == "G0228.w6").geometry
    half_disc = 3.14159 * 25 / 2
    assert rounded.geom_type == "Polygon" and abs(rounded.area - (100 + half_disc)) < 0.2
    assert shapely.Point(181014.9, 456005).within(rounded)


def test_a_duplicate_id_is_a_row_error(tmp_path):
    path = tmp_path / "bgt_wegdeel.gml"
    path.write_text(HEAD + wegdeel(1, "fietspad") + wegdeel(1, "fietspad") + "</CityModel>")
    result = read_bgt(path, owner="ede")
    assert len(result.items) == 1
    assert str(result.errors[0]) == (
        "bgt_wegdeel.gml feature 2, field identificatie: duplicate lokaalID (first in bgt_wegdeel.gml)"
    )


# --------------------------------------------------------------------------- the IMBOR vocabulary


def test_the_vocabulary_holds_every_class_of_the_kern(vocabulary):
    text = (DATA / "imbor" / "crow-imbor2022" / "imbor-kern.ttl").read_text(encoding="utf-8")
    typed = [m.group(1) for m in re.finditer(r"rdf:type\s+([^;.]*)", text)]
    assert len(vocabulary) == sum("rdfs:Class" in t for t in typed) == 1976  # the data README says 1,976
    assert len(vocabulary.alignment) == 325


def test_label_accepts_uri_curie_uuid_and_label(vocabulary):
    uuid = "83a942f7-5291-42f0-afb1-9a57d0fb2f15"
    for name in (f"https://data.crow.nl/imbor/def/{uuid}", f"imbor:{uuid}", uuid, "Boom", "boom"):
        assert vocabulary.label(name) == "Boom", name
    assert vocabulary.label("Lichtmast") is None and vocabulary.label("") is None


def test_lookup_search_and_is_valid(vocabulary):
    assert vocabulary.lookup("rioolput").uri == "https://data.crow.nl/imbor/def/095ecf95-3717-43ec-bc36-8e23e692def9"
    assert vocabulary.lookup("Rioolput").definition == "Constructie toegang gevend tot het rioolstelsel."
    assert vocabulary.lookup("riool") is None
    found = [c.label for c in vocabulary.search("put")]
    assert found[0] == "Put" and "Rioolput" in [c.label for c in vocabulary.search("put", limit=200)]
    assert vocabulary.search("") == []
    assert vocabulary.is_valid("Kolk") and vocabulary.is_valid("imbor:e6afe8f7-95a7-4a0c-a6e8-f6d2091fb8b9")
    assert not vocabulary.is_valid("Kolkje") and not vocabulary.is_valid(None)
    assert vocabulary.is_valid("Overbrugging")  # a NEN 3610 class the kern declares


def test_match_bgt_says_how(vocabulary):
    def match(cls, *values):
        found = vocabulary.match_bgt(cls, values, {"inspectierioolput": "Rioolput"})
        return found and (found.imbor.label, found.how)

    assert match("Put", "kolk") == ("Kolk", "alignment")
    assert match("Put", "Inspectie- / rioolput") == ("Rioolput", "label")
    assert match("Paal", "lichtmast") == ("Paal", "class")
    assert match("Paal", "haltepaal") == ("Paal", "alignment")  # a Paal that carries a stop sign
    assert match("Bak", "zand- / zoutbak") == ("Bak", "class")  # the alignment offers two: not guessed
    assert match("Scheiding", "draadraster", "hek") == ("Hek", "alignment")
    assert match("OverigBouwwerk", "bassin") is None


def test_a_broken_turtle_file(tmp_path):
    path = tmp_path / "kern.ttl"
    path.write_text("@prefix imbor: <https://data.crow.nl/imbor/def/> .\nimbor:x a \n")
    with pytest.raises(InputError, match="not valid Turtle"):
        ImborVocabulary.load(path)
    path.write_text("@prefix imbor: <https://data.crow.nl/imbor/def/> .\nimbor:x imbor:y imbor:z .\n")
    with pytest.raises(InputError, match="no IMBOR object classes"):
        ImborVocabulary.load(path)


def test_collection_metadata_is_not_an_object(tmp_path):
    path = tmp_path / "bgt_wegdeel.gml"
    bounded = (
        '<gml:boundedBy><gml:Envelope srsName="urn:ogc:def:crs:EPSG::28992"><gml:lowerCorner>181000 456000'
        "</gml:lowerCorner><gml:upperCorner>181010 456010</gml:upperCorner></gml:Envelope></gml:boundedBy>"
    )
    path.write_text(HEAD + bounded + wegdeel(1, "fietspad") + "</CityModel>")
    result = read_bgt(path, owner="ede")
    assert result.summary == {"Wegdeel": 1, "Wegdeel/fietspad": 1} and result.rows == 1


def test_progress_is_reported(folder):
    seen = []
    read_bgt(folder / "bgt_vegetatieobject.gml", owner="ede", progress=seen.append)
    assert seen == [1000, 2000, 2308]
