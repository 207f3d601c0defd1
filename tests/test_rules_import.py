"""Plan rules from IMRO2012 GML and STOP/TPOD folders: the readers on the real samples and on
hand-made files (the older MatrixEnWaarde encoding, arcs, hostile XML, wrong CRS, broken
values), the import all-or-nothing, and the GeoJSON export read back by GDAL."""

from __future__ import annotations

import json
import math
import shutil
import subprocess
import zipfile
from collections import Counter

import pytest
import shapely
from shapely.geometry import Point
from typer.testing import CliRunner

from openruimte.cli import app
from openruimte.io import imow_values
from openruimte.io.imro import read_imro, value_kind
from openruimte.io.stop_tpod import article_of, read_stop_tpod
from openruimte.model.errors import InputError
from openruimte.rules.model import CHECKED_KINDS
from openruimte.services import rules
from openruimte.store import rules as store_rules
from tests.conftest import DATA
from tests.support.system import ensure_command

IMRO = DATA / "omgevingsplan" / "imro2012"
GEMEENTESTAD = DATA / "omgevingsplan" / "stop-tpod-gemeentestad"
WAARDELIJSTEN = DATA / "omgevingsplan" / "imow-waardelijsten" / "waardelijsten_IMOW_v4.3.0.json"

NS = (
    'xmlns:imro="http://www.geonovum.nl/imro/2012/1.1" xmlns:gml="http://www.opengis.net/gml/3.2" '
    'xmlns:xlink="http://www.w3.org/1999/xlink"'
)
X0, Y0 = 155_000.0, 463_000.0


def square(x=X0, y=Y0, size=10.0, srs="urn:ogc:def:crs:EPSG::28992"):
    coords = [(x, y), (x + size, y), (x + size, y + size), (x, y + size), (x, y)]
    pos = " ".join(f"{a} {b}" for a, b in coords)
    return (
        f'<gml:Polygon srsName="{srs}"><gml:exterior><gml:LinearRing><gml:posList>{pos}</gml:posList>'
        "</gml:LinearRing></gml:exterior></gml:Polygon>"
    )


def imro_file(tmp_path, members, name="plan.gml", ns=NS, root="imro:FeatureCollectionIMRO"):
    body = "".join(f"<imro:featureMember>{m}</imro:featureMember>" for m in members)
    path = tmp_path / name
    path.write_text(f'<?xml version="1.0" encoding="UTF-8"?>\n<{root} {ns}>{body}</{root}>', encoding="utf-8")
    return path


PLANGEBIED = (
    '<imro:Bestemmingsplangebied gml:id="NL.IMRO.1234.BP1-0001"><imro:identificatie><imro:NEN3610ID>'
    "<imro:namespace>NL.IMRO</imro:namespace><imro:lokaalID>1234.BP1</imro:lokaalID><imro:versie>0001</imro:versie>"
    f"</imro:NEN3610ID></imro:identificatie><imro:naam>Testplan</imro:naam><imro:geometrie>{square(size=100)}"
    "</imro:geometrie></imro:Bestemmingsplangebied>"
)


def maatvoering(gml_id="NL.IMRO.1", waarde="12", waarde_type="maximum bouwhoogte (m)", geometry=None):
    return (
        f'<imro:Maatvoering gml:id="{gml_id}"><imro:plangebied xlink:href="#NL.IMRO.1234.BP1-0001"/>'
        f"<imro:maatvoeringInfo><imro:WaardeEnType><imro:waarde>{waarde}</imro:waarde>"
        f"<imro:waardeType>{waarde_type}</imro:waardeType></imro:WaardeEnType></imro:maatvoeringInfo>"
        f"<imro:geometrie>{geometry or square()}</imro:geometrie></imro:Maatvoering>"
    )


# ------------------------------------------------------------------------------ IMRO, real samples


def test_durperveld_gives_the_counts_of_the_plan(shared_data):
    plan = read_imro(IMRO / "2012_10.gml")
    counts = plan.counts()
    assert counts["bouwvlak"] == 34
    assert counts["maximum_bouwhoogte"] == 26
    assert counts["maximum_goothoogte"] == 26
    assert counts["maximum_bebouwingspercentage"] == 1
    assert counts["bestemmingsvlak"] == 84
    assert counts["maximum_aantal_wooneenheden"] == 1  # not checked, kept and listed
    assert plan.plan_ids == ["NL.IMRO.0999.BP2012000001-9005"]
    assert plan.plan_name == "Bestemmingsplan Durperveld"
    heights = [r for r in plan.rules if r.kind == "maximum_bouwhoogte"]
    assert all(r.unit == "m" and r.value > 0 and r.checked for r in heights)
    assert {r.unit for r in plan.rules if r.kind == "maximum_bebouwingspercentage"} == {"%"}
    assert not next(r for r in plan.rules if r.kind == "bouwaanduiding").checked
    # a bouwvlak takes the bestemming and article of the bestemmingsvlak it links to
    linked = [r for r in plan.rules if r.kind == "bouwvlak" and r.bestemming]
    assert linked and all(r.article and r.article.startswith("artikel ") for r in linked)
    assert all(g.is_valid and g.area > 0 for g in (r.geometry for r in plan.rules if r.kind == "bestemmingsvlak"))


def test_the_arcs_of_durperveld_are_followed(shared_data):
    """NL.IMRO.135 (Agrarisch) has gml:Arc segments; the densified ring passes through the arc's middle point."""
    plan = read_imro(IMRO / "2012_10.gml")
    (agrarisch,) = [r for r in plan.rules if r.source_id == "NL.IMRO.135"]
    assert agrarisch.geometry.exterior.distance(Point(222669.846, 432998.097)) < 0.01


def test_single_objects_parse(shared_data):
    maat = read_imro(IMRO / "maatvoering201210.xml")
    assert sorted((r.kind, r.value, r.unit) for r in maat.rules) == [
        ("maximum_bouwhoogte", 12.0, "m"),
        ("maximum_goothoogte", 6.0, "m"),
    ]
    assert {r.source_id for r in maat.rules} == {"NL.IMRO.368"}
    assert maat.plan_ids == ["NL.IMRO.0999.BP2012000001-0005"]
    vlak = read_imro(IMRO / "bouwvlak201210.xml")
    assert [(r.kind, r.source_id) for r in vlak.rules] == [("bouwvlak", "NL.IMRO.003")]
    assert any("NL.IMRO.058" in u for u in vlak.unresolved)  # its bestemmingsvlak is not in the file: said


# ------------------------------------------------------------------------------ IMRO, hand-made

#: the older encoding (IMRO2006, as RoPlan exported it): maatvoering/MatrixEnWaarde/omvangWaarde/OmvangWaardeBP,
#: waardeType a path, geometry in PuntLijnVlakMulti/geometrieVlak, objects in a gml:FeatureCollection
MATRIX = f"""<?xml version="1.0" encoding="ISO-8859-1"?>
<gml:FeatureCollection xmlns:imro="http://www.ravi.nl/imro2006" xmlns:gml="http://www.opengis.net/gml"
    xmlns:xlink="http://www.w3.org/1999/xlink">
  <gml:featureMember>
    <imro:Maatvoering gml:id="localidMP1">
      <imro:identificatie>MP1</imro:identificatie>
      <imro:typePlanobject>aanduiding; maatvoering</imro:typePlanobject>
      <imro:plangebied xlink:href="#NL.IMRO.0654BS1-"/>
      <imro:bestemmingsvlak xlink:href="#localidEP1"/>
      <imro:maatvoering><imro:MatrixEnWaarde>
        <imro:omvangWaarde><imro:OmvangWaardeBP><imro:waarde>4,5</imro:waarde>
          <imro:waardeType>maatvoering; hoogte; goothoogte; maximum goothoogte (m)</imro:waardeType>
        </imro:OmvangWaardeBP></imro:omvangWaarde>
        <imro:omvangWaarde><imro:OmvangWaardeBP><imro:waarde>8.5</imro:waarde>
          <imro:waardeType>maatvoering; hoogte; bouwhoogte; maximum bouwhoogte (m)</imro:waardeType>
        </imro:OmvangWaardeBP></imro:omvangWaarde>
        <imro:omvangWaarde><imro:OmvangWaardeBP><imro:waarde>2</imro:waarde>
          <imro:waardeType>maatvoering; bouwlagen; maximum aantal bouwlagen</imro:waardeType>
        </imro:OmvangWaardeBP></imro:omvangWaarde>
      </imro:MatrixEnWaarde></imro:maatvoering>
      <imro:geometrie><imro:PuntLijnVlakMulti><imro:geometrieVlak>
        <gml:Surface srsName="urn:ogc:def:crs:EPSG::28992"><gml:patches><gml:PolygonPatch><gml:exterior><gml:Ring>
          <gml:curveMember><gml:Curve><gml:segments><gml:LineStringSegment>
            <gml:posList srsDimension="2">50100 388000 50120 388000 50120 388020 50100 388020 50100 388000</gml:posList>
          </gml:LineStringSegment></gml:segments></gml:Curve></gml:curveMember>
        </gml:Ring></gml:exterior></gml:PolygonPatch></gml:patches></gml:Surface>
      </imro:geometrieVlak></imro:PuntLijnVlakMulti></imro:geometrie>
    </imro:Maatvoering>
  </gml:featureMember>
  <gml:featureMember>
    <imro:Enkelbestemming gml:id="localidEP1">
      <imro:identificatie>EP1</imro:identificatie>
      <imro:artikelnummer>8</imro:artikelnummer>
      <imro:bestemmingshoofdgroep>wonen</imro:bestemmingshoofdgroep>
      <imro:geometrie><imro:PuntLijnVlak><imro:geometrieVlak>{square(50090, 387990, 50)}</imro:geometrieVlak>
      </imro:PuntLijnVlak></imro:geometrie>
      <imro:plangebied xlink:href="#NL.IMRO.0654BS1-"/>
    </imro:Enkelbestemming>
  </gml:featureMember>
</gml:FeatureCollection>
"""


def test_the_older_matrix_en_waarde_encoding(tmp_path):
    path = tmp_path / "matrix.gml"
    path.write_bytes(MATRIX.encode("iso-8859-1"))
    plan = read_imro(path)
    got = sorted((r.kind, r.value, r.unit, r.source_id, r.bestemming) for r in plan.rules)
    assert got == [
        ("bestemmingsvlak", None, None, "EP1", "wonen"),
        ("maximum_bouwhoogte", 8.5, "m", "MP1", "wonen"),
        ("maximum_bouwlagen", 2.0, "count", "MP1", "wonen"),
        ("maximum_goothoogte", 4.5, "m", "MP1", "wonen"),
    ]
    assert plan.plan_ids == ["NL.IMRO.0654BS1-"]
    height = next(r for r in plan.rules if r.kind == "maximum_bouwhoogte")
    assert height.geometry.equals(shapely.box(50100, 388000, 50120, 388020))
    assert height.article == "artikel 8"


@pytest.mark.parametrize(
    ("value_type", "kind", "unit"),
    [
        ("maximum bouwhoogte (m)", "maximum_bouwhoogte", "m"),
        ("maximum goothoogte (m)", "maximum_goothoogte", "m"),
        ("maximum aantal bouwlagen", "maximum_bouwlagen", "count"),
        ("maximum bebouwingspercentage (%)", "maximum_bebouwingspercentage", "%"),
        ("maximum aantal wooneenheden", "maximum_aantal_wooneenheden", "count"),
        ("maximum oppervlakte (m²)", "maximum_oppervlakte", "m2"),
        ("maatvoering; hoogte; maximum hoogte (m)", "maximum_hoogte", "m"),
        ("Maximum Dakhelling (graden)", "maximum_dakhelling", "°"),
    ],
)
def test_value_types_are_normalised(value_type, kind, unit):
    assert value_kind(value_type) == (kind, unit)


def test_an_arc_is_densified_to_within_a_centimetre(tmp_path):
    """A half disc of radius 20 m: one gml:Arc and a closing straight segment."""
    r, cx, cy = 20.0, X0 + 50, Y0 + 50
    arc = f"{cx + r} {cy} {cx} {cy + r} {cx - r} {cy}"
    line = f"{cx - r} {cy} {cx + r} {cy}"
    surface = (
        '<gml:Surface srsName="epsg:28992"><gml:patches><gml:PolygonPatch><gml:exterior><gml:Ring>'
        f"<gml:curveMember><gml:Curve><gml:segments><gml:Arc><gml:posList>{arc}</gml:posList></gml:Arc>"
        f"<gml:LineStringSegment><gml:posList>{line}</gml:posList></gml:LineStringSegment></gml:segments>"
        "</gml:Curve></gml:curveMember></gml:Ring></gml:exterior></gml:PolygonPatch></gml:patches></gml:Surface>"
    )
    plan = read_imro(imro_file(tmp_path, [PLANGEBIED, maatvoering(geometry=surface)]))
    (rule,) = [x for x in plan.rules if x.kind == "maximum_bouwhoogte"]
    ring = list(rule.geometry.exterior.coords)
    on_arc = [(x, y) for x, y in ring if y > cy + 1e-9]
    assert len(on_arc) > 20
    assert all(abs(math.hypot(x - cx, y - cy) - r) < 1e-6 for x, y in on_arc)  # vertices on the circle
    # the chords stay within a centimetre of the arc: the sagitta of the widest chord
    widest = max(math.dist(a, b) for a, b in zip(ring, ring[1:], strict=False) if a[1] > cy and b[1] > cy)
    assert r - math.sqrt(r**2 - (widest / 2) ** 2) < 0.01
    assert rule.geometry.area == pytest.approx(math.pi * r**2 / 2, rel=1e-3)
    assert rule.geometry.contains(Point(cx, cy + r - 0.05))  # the top of the arc is inside, not cut off


def test_multisurface_and_srs_spellings(tmp_path):
    multi = (
        '<gml:MultiSurface srsName="EPSG:28992">'
        f"<gml:surfaceMember>{square(X0, Y0, 5, srs='EPSG:28992')}</gml:surfaceMember>"
        f"<gml:surfaceMember>{square(X0 + 20, Y0, 5, srs='EPSG:28992')}</gml:surfaceMember></gml:MultiSurface>"
    )
    plan = read_imro(imro_file(tmp_path, [PLANGEBIED, maatvoering(geometry=multi)]))
    rule = next(r for r in plan.rules if r.kind == "maximum_bouwhoogte")
    assert rule.geometry.geom_type == "MultiPolygon" and rule.geometry.area == pytest.approx(50)


def test_another_crs_is_refused_with_the_element(tmp_path):
    wgs = square(5.0, 52.0, 0.001, srs="urn:ogc:def:crs:EPSG::4326")
    with pytest.raises(InputError) as err:
        read_imro(imro_file(tmp_path, [PLANGEBIED, maatvoering(gml_id="NL.IMRO.77", geometry=wgs)]))
    text = str(err.value)
    assert "plan.gml element NL.IMRO.77, field geometrie" in text and "EPSG:4326" in text and "28992" in text


def test_a_broken_value_names_file_element_and_field(tmp_path):
    with pytest.raises(InputError) as err:
        read_imro(imro_file(tmp_path, [PLANGEBIED, maatvoering(gml_id="NL.IMRO.42", waarde="twaalf")]))
    assert "plan.gml element NL.IMRO.42, field waarde: maximum bouwhoogte (m): 'twaalf' is not a number" in str(
        err.value
    )


def test_a_value_without_type_is_refused(tmp_path):
    with pytest.raises(InputError, match=r"element NL\.IMRO\.9, field waardeType"):
        read_imro(imro_file(tmp_path, [PLANGEBIED, maatvoering(gml_id="NL.IMRO.9", waarde_type="")]))


HOSTILE = """<?xml version="1.0"?>
<!DOCTYPE lolz [ <!ENTITY lol "lol"> <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"> ]>
<imro:FeatureCollectionIMRO xmlns:imro="http://www.geonovum.nl/imro/2012/1.1"><imro:featureMember>
<imro:Bouwvlak><imro:naam>&lol2;</imro:naam></imro:Bouwvlak></imro:featureMember></imro:FeatureCollectionIMRO>
"""
XXE = """<?xml version="1.0"?>
<!DOCTYPE imro:Maatvoering [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>
<imro:Maatvoering xmlns:imro="http://www.geonovum.nl/imro/2012/1.1"><imro:naam>&xxe;</imro:naam></imro:Maatvoering>
"""


@pytest.mark.parametrize("text", [HOSTILE, XXE], ids=["laughs", "xxe-single-object"])
def test_hostile_xml_is_refused(tmp_path, text):
    path = tmp_path / "hostile.gml"
    path.write_text(text)
    with pytest.raises(InputError, match="declares entities"):
        read_imro(path)


def test_hostile_xml_in_a_stop_folder_is_refused(tmp_path, shared_data):
    folder = tmp_path / "plan"
    shutil.copytree(GEMEENTESTAD, folder)
    (folder / "Bouwhoogte.gml").chmod(0o644)
    (folder / "Bouwhoogte.gml").write_text(HOSTILE)
    with pytest.raises(InputError, match="declares entities"):
        read_stop_tpod(folder)


def test_not_an_imro_file(tmp_path, shared_data):
    with pytest.raises(InputError, match="not an IMRO plan.*STOP/TPOD"):
        read_imro(GEMEENTESTAD / "owLocaties-Gemeentestad.xml")


# ------------------------------------------------------------------------------ STOP/TPOD


def test_gemeentestad_gives_13_and_7_metres_at_the_right_places(shared_data):
    plan = read_stop_tpod(GEMEENTESTAD)
    assert plan.plan_ids == ["/akn/nl/act/gm0297/2019/reg456"]
    heights = [r for r in plan.rules if r.kind == "maximum_bouwhoogte"]
    assert sorted((r.source_id, r.value) for r in heights) == [
        ("nl.imow-gm0297.gebied.2019000008", 7.0),
        ("nl.imow-gm0297.gebied.2019000009", 7.0),
        ("nl.imow-gm0297.gebied.2019000010", 13.0),
        ("nl.imow-gm0297.gebied.2019000013", 13.0),
    ]
    assert {(r.unit, r.regime, r.article) for r in heights} == {
        ("m", "stop-tpod", "Artikel 2.14 Bouwregels bedrijfsgebouwen")
    }
    # a point inside each GIO location: the GIO geometry read independently, and the rule found there
    from lxml import etree

    tree = etree.parse(str(GEMEENTESTAD / "Bouwhoogte.gml"))
    ns = {"geo": "https://standaarden.overheid.nl/stop/imop/geo/", "gml": "http://www.opengis.net/gml/3.2",
          "basisgeo": "http://www.geostandaarden.nl/basisgeometrie/1.0"}  # fmt: skip
    locations = tree.findall(".//geo:Locatie", ns)
    assert len(locations) == 4
    for loc in locations:
        expected = float(loc.findtext("geo:kwantitatieveNormwaarde", namespaces=ns))
        ring = [float(v) for v in loc.findtext(".//gml:posList", namespaces=ns).split()]
        inside = shapely.Polygon(list(zip(ring[0::2], ring[1::2], strict=True))).representative_point()
        found = [r for r in heights if r.geometry.covers(inside)]
        assert [r.value for r in found] == [expected], loc.findtext("geo:naam", namespaces=ns)


def test_gemeentestad_lists_what_the_folder_does_not_hold(shared_data):
    plan = read_stop_tpod(GEMEENTESTAD)
    # zones A/B, the centre and Zuilichem refer to GIO's that were not copied: listed, not dropped silently
    assert len(plan.unresolved) == 5
    assert any("gebied.2019000014" in u and "no GIO" in u for u in plan.unresolved)
    assert any("not resolved" in w for w in plan.warnings)
    functie = [r for r in plan.rules if r.kind == "gebiedsaanwijzing_functie"]
    assert [(r.name, r.bestemming) for r in functie] == [("Bedrijf categorie 2", "Bedrijf categorie 2")]


def test_the_gio_value_wins_over_the_ow_value(tmp_path, shared_data):
    folder = tmp_path / "plan"
    shutil.copytree(GEMEENTESTAD, folder)
    gio = folder / "Bouwhoogte.gml"
    gio.chmod(0o644)
    text = gio.read_text(encoding="utf-8")
    gio.write_text(text.replace("<geo:kwantitatieveNormwaarde>13<", "<geo:kwantitatieveNormwaarde>14.5<", 1))
    plan = read_stop_tpod(folder)
    values = Counter(r.value for r in plan.rules if r.kind == "maximum_bouwhoogte")
    assert values == Counter({7.0: 2, 13.0: 1, 14.5: 1})
    assert any("14.5" in w and "GIO" in w for w in plan.warnings)


def test_a_broken_gio_value_names_file_location_and_field(tmp_path, shared_data):
    folder = tmp_path / "plan"
    shutil.copytree(GEMEENTESTAD, folder)
    gio = folder / "Bouwhoogte.gml"
    gio.chmod(0o644)
    gio.write_text(gio.read_text(encoding="utf-8").replace("<geo:kwantitatieveNormwaarde>7<",
                                                           "<geo:kwantitatieveNormwaarde>zeven<", 1))  # fmt: skip
    with pytest.raises(InputError) as err:
        read_stop_tpod(folder)
    assert ("Bouwhoogte.gml geo:Locatie 772B4B37-69F8-4671-B92E-3BCED242409D, field kwantitatieveNormwaarde: "
            "'zeven' is not a number") in str(err.value)  # fmt: skip


def test_a_zip_of_the_delivery_reads_the_same(tmp_path, shared_data):
    archive = tmp_path / "gemeentestad.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for p in GEMEENTESTAD.iterdir():
            zf.write(p, f"levering/{p.name}")
    folder, zipped = read_stop_tpod(GEMEENTESTAD), rules.read_plan(archive)
    assert sorted((r.kind, r.value, r.source_id) for r in zipped.rules) == sorted(
        (r.kind, r.value, r.source_id) for r in folder.rules
    )


def test_missing_gio_files_are_named(tmp_path, shared_data):
    folder = tmp_path / "plan"
    shutil.copytree(GEMEENTESTAD, folder)
    (folder / "Bedrijf_categorie_2.gml").unlink()
    plan = read_stop_tpod(folder)
    assert any("lists the GIO Bedrijf_categorie_2.gml" in w for w in plan.warnings)
    assert any("2019000001" in u for u in plan.unresolved)
    assert plan.counts()["maximum_bouwhoogte"] == 4


def test_article_of_a_wid():
    assert article_of("gm0297_1__chp_2__subchp_2.5__art_2.14") == "artikel 2.14"
    assert article_of("gm0297_1__chp_3__art_3.1__para_2") == "artikel 3.1 lid 2"


def test_the_imow_mapping_is_in_the_official_value_lists(shared_data):
    lists = json.loads(WAARDELIJSTEN.read_text(encoding="utf-8"))["waardelijsten"]
    assert lists["versie"] == imow_values.VERSION
    by_title = {wl["titel"]: {v["uri"] for v in wl["waarden"]["waarde"]} for wl in lists["waardelijst"]}
    assert {imow_values.EENHEID_URI + t for t in imow_values.EENHEID_UNITS} <= by_title["Eenheid"]
    assert {imow_values.TYPENORM_URI + t for t in imow_values.TYPENORM_KINDS} <= by_title["TypeNorm"]
    assert set(imow_values.TYPENORM_ALIASES.values()) <= set(imow_values.TYPENORM_KINDS)
    assert {imow_values.BOUWGROEP_URI + t for t in imow_values.BOUWGROEP_KINDS} <= by_title["Bouwgroep"]
    assert (
        imow_values.TYPEGEBIEDSAANWIJZING_URI + imow_values.GEBIEDSAANWIJZING_BOUW in by_title["TypeGebiedsaanwijzing"]
    )
    assert set(imow_values.TYPENORM_KINDS.values()) <= CHECKED_KINDS


# ------------------------------------------------------------------------------ import and export


def test_import_is_all_or_nothing(store, tmp_path, shared_data):
    first = rules.import_rules(store, IMRO / "2012_10.gml", owner="GM0999")
    assert first.stored["inserted"] == len(first.plan.rules)
    broken = imro_file(tmp_path, [PLANGEBIED, maatvoering("NL.IMRO.1"), maatvoering("NL.IMRO.2", waarde="x")])
    with pytest.raises(InputError, match="element NL.IMRO.2, field waarde"):
        rules.import_rules(store, broken)
    assert store_rules.count(store) == len(first.plan.rules)
    assert store_rules.count(store, plan_ids=["NL.IMRO.1234.BP1-0001"]) == 0
    again = rules.import_rules(store, IMRO / "2012_10.gml", owner="GM0999")  # the same plan: replaced
    assert again.stored["removed"] == len(first.plan.rules)
    assert store_rules.count(store) == len(first.plan.rules)
    dry = rules.import_rules(store, GEMEENTESTAD, dry_run=True)
    assert dry.dry_run and store_rules.count(store) == len(first.plan.rules)


def test_stored_rules_are_found_at_a_point(store, shared_data):
    rules.import_rules(store, GEMEENTESTAD)
    inside = read_stop_tpod(GEMEENTESTAD).rules[0].geometry.representative_point()
    found = rules.find(store, point=(inside.x, inside.y), kinds=["maximum_bouwhoogte"])
    assert len(found) == 1 and found[0].value in (7.0, 13.0) and found[0].checked


def test_cli_import_and_export_round_trip_through_gdal(tmp_path, shared_data):
    ensure_command("ogrinfo", "gdal-bin")
    import pyogrio

    db = f"sqlite:///{tmp_path / 'rules.db'}"
    runner = CliRunner()
    imported = runner.invoke(app, ["import", "rules", str(IMRO / "2012_10.gml"), "--db", db, "--owner", "GM0999"])
    assert imported.exit_code == 0, imported.output
    assert "maximum_bouwhoogte" in imported.output and "bouwaanduiding" in imported.output
    assert runner.invoke(app, ["import", "rules", str(GEMEENTESTAD), "--db", db]).exit_code == 0
    out = tmp_path / "rules.geojson"
    exported = runner.invoke(app, ["rules", "export", str(out), "--db", db])
    assert exported.exit_code == 0, exported.output
    info = subprocess.run(["ogrinfo", "-ro", "-so", "-al", str(out)], capture_output=True, text=True, timeout=120)
    assert info.returncode == 0, info.stderr
    assert "Feature Count: 217" in info.stdout and "28992" in info.stdout
    read = pyogrio.read_dataframe(out)
    stored = {r["id"]: r for r in store_rules.rows(_store(db))}
    assert len(read) == len(stored) == 217
    assert Counter(read["kind"])["maximum_bouwhoogte"] == 30
    doc = json.loads(out.read_text())
    assert doc["crs"]["properties"]["name"] == "urn:ogc:def:crs:EPSG::28992"
    for feat, geom in zip(doc["features"], read.geometry, strict=True):
        assert set(feat["properties"]) >= {"kind", "value", "unit", "plan_id", "source_id", "article"}
        assert geom.equals_exact(stored[feat["id"]]["geometry"], 1e-6)
    wgs = tmp_path / "wgs84.geojson"
    assert runner.invoke(app, ["rules", "export", str(wgs), "--db", db, "--crs", "EPSG:4326",
                               "--kind", "maximum_bouwhoogte"]).exit_code == 0  # fmt: skip
    back = pyogrio.read_dataframe(wgs)
    assert len(back) == 30 and back.crs.to_epsg() == 4326
    assert "crs" not in json.loads(wgs.read_text())
    refused = runner.invoke(app, ["rules", "export", str(wgs), "--db", db, "--crs", "EPSG:3857"])
    assert refused.exit_code != 0 and "EPSG:28992" in refused.output


def _store(db):
    from openruimte.store import Store

    return Store.open(db)


# ------------------------------------------------------------------------------ STOP/TPOD, hand-made

OW_NS = (
    'xmlns:ow-dc="http://www.geostandaarden.nl/imow/bestanden/deelbestand" '
    'xmlns:sl="http://www.geostandaarden.nl/bestanden-ow/standlevering-generiek" '
    'xmlns:r="http://www.geostandaarden.nl/imow/regels" xmlns:rol="http://www.geostandaarden.nl/imow/regelsoplocatie" '
    'xmlns:l="http://www.geostandaarden.nl/imow/locatie" xmlns:ga="http://www.geostandaarden.nl/imow/gebiedsaanwijzing" '
    'xmlns:xlink="http://www.w3.org/1999/xlink"'
)
CONCEPT = "http://standaarden.omgevingswet.overheid.nl"


def ow_file(path, objects):
    stands = "".join(f"<sl:stand><ow-dc:owObject>{o}</ow-dc:owObject></sl:stand>" for o in objects)
    path.write_text(
        f'<?xml version="1.0" encoding="utf-8"?><ow-dc:owBestand {OW_NS}><sl:standBestand>'
        f"<sl:dataset>Test</sl:dataset>{stands}</sl:standBestand></ow-dc:owBestand>",
        encoding="utf-8",
    )


def gio_file(path, locations, norm="MaximumAantalBouwlagen", unit="Bouwlaag"):
    locs = ""
    for ident, (x, y), value in locations:
        own = f"<geo:kwantitatieveNormwaarde>{value}</geo:kwantitatieveNormwaarde>" if value is not None else ""
        locs += (
            f'<geo:Locatie><geo:naam>{ident}</geo:naam><geo:geometrie><basisgeo:Geometrie gml:id="g-{ident}">'
            f"<basisgeo:id>{ident}</basisgeo:id><basisgeo:geometrie>{square(x, y, 10)}</basisgeo:geometrie>"
            f"</basisgeo:Geometrie></geo:geometrie>{own}</geo:Locatie>"
        )
    path.write_text(
        '<?xml version="1.0" encoding="utf-8"?><geo:GeoInformatieObjectVaststelling '
        'xmlns:geo="https://standaarden.overheid.nl/stop/imop/geo/" '
        'xmlns:basisgeo="http://www.geostandaarden.nl/basisgeometrie/1.0" xmlns:gml="http://www.opengis.net/gml/3.2">'
        "<geo:vastgesteldeVersie><geo:GeoInformatieObjectVersie><geo:FRBRWork>/join/id/regdata/gm9999/2024/t"
        f"</geo:FRBRWork><geo:eenheidID>{CONCEPT}/eenheid/id/concept/{unit}</geo:eenheidID>"
        f"<geo:normID>{CONCEPT}/typenorm/id/concept/{norm}</geo:normID><geo:locaties>{locs}</geo:locaties>"
        "</geo:GeoInformatieObjectVersie></geo:vastgesteldeVersie></geo:GeoInformatieObjectVaststelling>",
        encoding="utf-8",
    )


def norm(ident, name, typenorm, unit, values):
    eenheid = f"<rol:eenheid>{CONCEPT}/eenheid/id/concept/{unit}</rol:eenheid>" if unit else ""
    nws = ""
    for i, (value, refs, kind) in enumerate(values):
        locs = "".join(f'<l:LocatieRef xlink:href="{r}"/>' for r in refs)
        nws += (
            f"<rol:Normwaarde><rol:identificatie>{ident}.nw{i}</rol:identificatie><rol:{kind}>{value}</rol:{kind}>"
            f"<rol:locatieaanduiding>{locs}</rol:locatieaanduiding></rol:Normwaarde>"
        )
    return (
        f"<rol:Omgevingsnorm><rol:identificatie>{ident}</rol:identificatie><rol:naam>{name}</rol:naam>"
        f"<rol:type>{CONCEPT}/typenorm/id/concept/{typenorm}</rol:type>{eenheid}<rol:normwaarde>{nws}</rol:normwaarde>"
        "</rol:Omgevingsnorm>"
    )


def gebied(ident, geometry_ref):
    return (
        f"<l:Gebied><l:identificatie>{ident}</l:identificatie><l:geometrie>"
        f'<l:GeometrieRef xlink:href="{geometry_ref}"/></l:geometrie></l:Gebied>'
    )


def test_a_hand_made_delivery_with_groups_units_and_a_bouwvlak(tmp_path):
    folder = tmp_path / "levering"
    folder.mkdir()
    ow_file(
        folder / "owRegeltekst.xml",
        [
            '<r:Regeltekst wId="gm9999_1__chp_4__art_4.2__para_3"><r:identificatie>nl.imow-gm9999.regeltekst.1'
            "</r:identificatie></r:Regeltekst>",
            "<r:RegelVoorIedereen><r:identificatie>nl.imow-gm9999.juridischeregel.1</r:identificatie>"
            '<r:artikelOfLid><r:RegeltekstRef xlink:href="nl.imow-gm9999.regeltekst.1"/></r:artikelOfLid>'
            '<r:omgevingsnormaanduiding><rol:OmgevingsnormRef xlink:href="nl.imow-gm9999.omgevingsnorm.1"/>'
            '<rol:OmgevingsnormRef xlink:href="nl.imow-gm9999.omgevingsnorm.2"/></r:omgevingsnormaanduiding>'
            '<r:gebiedsaanwijzing><ga:GebiedsaanwijzingRef xlink:href="nl.imow-gm9999.gebiedsaanwijzing.1"/>'
            "</r:gebiedsaanwijzing></r:RegelVoorIedereen>",
        ],
    )
    ow_file(
        folder / "owOmgevingsnormOmgevingswaarde.xml",
        [
            norm(
                "nl.imow-gm9999.omgevingsnorm.1",
                "maximum aantal bouwlagen",
                "MaximumAantalBouwlagen",
                "Bouwlaag",
                [(3, ["nl.imow-gm9999.gebiedengroep.centrum"], "kwantitatieveWaarde")],
            ),
            norm(
                "nl.imow-gm9999.omgevingsnorm.2",
                "maximum goothoogte",
                "MaximumGoothoogte",
                "Centimeter",
                [
                    (650, ["nl.imow-gm9999.gebied.3"], "kwantitatieveWaarde"),
                    ("hoog", ["nl.imow-gm9999.gebied.9"], "kwalitatieveWaarde"),
                ],
            ),
        ],  # fmt: skip
    )
    ow_file(
        folder / "owGebiedsaanwijzingen.xml",
        [
            "<ga:Gebiedsaanwijzing><ga:identificatie>nl.imow-gm9999.gebiedsaanwijzing.1</ga:identificatie>"
            f"<ga:type>{CONCEPT}/typegebiedsaanwijzing/id/concept/Bouw</ga:type><ga:naam>bouwvlak</ga:naam>"
            f"<ga:groep>{CONCEPT}/bouw/id/concept/Bouwvlak</ga:groep><ga:locatieaanduiding>"
            '<l:LocatieRef xlink:href="nl.imow-gm9999.gebied.4"/></ga:locatieaanduiding></ga:Gebiedsaanwijzing>'
        ],
    )
    ow_file(
        folder / "owLocaties.xml",
        [
            "<l:Gebiedengroep><l:identificatie>nl.imow-gm9999.gebiedengroep.centrum</l:identificatie>"
            '<l:groepselement><l:GebiedRef xlink:href="nl.imow-gm9999.gebied.1"/>'
            '<l:GebiedRef xlink:href="nl.imow-gm9999.gebied.2"/></l:groepselement></l:Gebiedengroep>',
            gebied("nl.imow-gm9999.gebied.1", "A1"),
            gebied("nl.imow-gm9999.gebied.2", "A2"),
            gebied("nl.imow-gm9999.gebied.3", "B1"),
            gebied("nl.imow-gm9999.gebied.4", "C1"),
            gebied("nl.imow-gm9999.gebied.9", "Z9"),
        ],
    )
    gio_file(folder / "Bouwlagen.gml", [("A1", (X0, Y0), 4), ("A2", (X0 + 20, Y0), None)])
    gio_file(folder / "Goothoogte.gml", [("B1", (X0 + 40, Y0), None)], norm="MaximumGoothoogte", unit="Centimeter")
    gio_file(folder / "Bouwvlak.gml", [("C1", (X0 + 60, Y0), None)])
    gio_file(folder / "Welstand.gml", [("Z9", (X0 + 80, Y0), None)])
    plan = read_stop_tpod(folder)
    got = {r.source_id.rsplit(".", 1)[1]: (r.kind, r.value, r.unit) for r in plan.rules}
    assert got == {
        "1": ("maximum_bouwlagen", 4.0, "count"),  # the GIO location's own value
        "2": ("maximum_bouwlagen", 3.0, "count"),  # the OW Normwaarde's, through the Gebiedengroep
        "3": ("maximum_goothoogte", 6.5, "m"),  # 650 cm
        "9": ("maximum_goothoogte_kwalitatief", None, "cm"),  # "hoog" is no limit: kept, not checked
        "4": ("bouwvlak", None, None),  # Gebiedsaanwijzing Bouw / Bouwvlak
    }
    assert next(r.name for r in plan.rules if r.source_id.endswith(".9")) == "maximum goothoogte: hoog"
    assert any("qualitative value 'hoog'" in w for w in plan.warnings)
    assert {r.article for r in plan.rules} == {"artikel 4.2 lid 3"}
    assert plan.plan_ids == ["nl.imow-gm9999"]


def test_an_arc_string_ring_is_a_circle(tmp_path):
    """A ring of one gml:ArcString of two arcs (5 positions): a full circle of radius 8 m."""
    r, cx, cy = 8.0, X0 + 50, Y0 + 50
    pts = [(cx + r, cy), (cx, cy + r), (cx - r, cy), (cx, cy - r), (cx + r, cy)]
    pos = " ".join(f"{x} {y}" for x, y in pts)
    surface = (
        '<gml:Surface srsName="urn:ogc:def:crs:EPSG::28992"><gml:patches><gml:PolygonPatch><gml:exterior><gml:Ring>'
        f"<gml:curveMember><gml:Curve><gml:segments><gml:ArcString><gml:posList>{pos}</gml:posList></gml:ArcString>"
        "</gml:segments></gml:Curve></gml:curveMember></gml:Ring></gml:exterior></gml:PolygonPatch></gml:patches>"
        "</gml:Surface>"
    )
    plan = read_imro(imro_file(tmp_path, [PLANGEBIED, maatvoering(geometry=surface)]))
    circle = next(x for x in plan.rules if x.kind == "maximum_bouwhoogte").geometry
    assert circle.area == pytest.approx(math.pi * r**2, rel=2e-3)
    assert circle.exterior.hausdorff_distance(Point(cx, cy).buffer(r, 256).exterior) < 0.01
