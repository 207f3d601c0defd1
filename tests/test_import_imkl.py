"""KLIC deliveries (IMKL2015 v1.2 and IMKL 2.0) in ../shared/data/imkl as assets.

Expected counts were taken once from the files with a plain ElementTree pass
(children of gml:featureMember by local name), written down here, and are checked
again against that independent pass in ``test_summary_matches_an_independent_count``.
The asset-type counts follow from the feature counts per network theme (see the
comments), which the same pass gave.
"""

import datetime as dt
import xml.etree.ElementTree as ET  # noqa: S405 - trusted test data, an independent count
import zipfile
from collections import Counter

import pytest
import shapely

from openruimte.io.imkl import read_imkl
from openruimte.model import InputError

V2 = "gebiedsinformatielevering-v2/GI_gebiedsinformatielevering_22G003180_1_V2.xml"
NETINFO = "netinformatie-aanlevering/Voorbeeldbestand aanlevering netinformatie.xml"
EXAMPLES = "toepassing-imkl/"

FEATURES = {
    V2: {
        "UtilityLink": 36, "Annotatie": 107, "Appurtenance": 23, "Beheerder": 3, "Belang": 4,
        "Belanghebbende": 3, "Bijlage": 1, "EigenTopografie": 6, "Elektriciteitskabel": 16,
        "ExtraDetailinfo": 2, "ExtraGeometrie": 2, "GebiedsinformatieAanvraag": 1,
        "GebiedsinformatieLevering": 1, "Graafpolygoon": 1, "Maatvoering": 209, "Mantelbuis": 9,
        "OlieGasChemicalienPijpleiding": 9, "TechnischGebouw": 2, "Utiliteitsnet": 4,
    },
    NETINFO: {
        "UtilityLink": 179, "Annotatie": 4, "Appurtenance": 120, "DiepteNAP": 1, "DiepteTovMaaiveld": 2,
        "Duct": 1, "EigenTopografie": 11, "Elektriciteitskabel": 29, "ExtraGeometrie": 9, "Kabelbed": 18,
        "Kast": 2, "Maatvoering": 13, "Mangat": 10, "Mantelbuis": 8, "Mast": 3,
        "OlieGasChemicalienPijpleiding": 13, "Overig": 2, "Rioolleiding": 41, "TechnischGebouw": 1,
        "Telecommunicatiekabel": 1, "ThermischePijpleiding": 1, "Toren": 1, "Utiliteitsnet": 20,
        "Waterleiding": 67,
    },
    EXAMPLES + "Voorbeeld 1. Utiliteitsnet met Mantelbuis en ExtraGeometrie.xml": {
        "UtilityLink": 3, "Elektriciteitskabel": 2, "ExtraGeometrie": 1, "Mantelbuis": 1, "Utiliteitsnet": 1,
    },
    EXAMPLES + "Voorbeeld 2. Utiliteitsnet met Duct-Pipe-Cable.xml": {
        "UtilityLink": 5, "Elektriciteitskabel": 2, "Kabelbed": 1, "Mantelbuis": 2, "Utiliteitsnet": 1,
    },
    EXAMPLES + "Voorbeeld 4. Utiliteitsnet met nilReason.xml": {
        "UtilityLink": 2, "OlieGasChemicalienPijpleiding": 1, "Toren": 1, "Utiliteitsnet": 1,
    },
    EXAMPLES + "Voorbeeld 5. Toepassing netwerktopologie.xml": {
        "UtilityLink": 3, "Appurtenance": 4, "Rioolleiding": 3, "Utiliteitsnet": 1,
    },
    EXAMPLES + "netinformatie - Voorbeeld 6. Utiliteitsnet met EV-vlak+donut.xml": {
        "UtilityLink": 1, "AanduidingEisVoorzorgsmaatregel": 1, "Elektriciteitskabel": 1, "Utiliteitsnet": 1,
    },
}  # fmt: skip

ASSET_TYPES = {
    # v2: middenspanning + laagspanning (16 cables, 7 sleeves, 12 appurtenances, 2 buildings) = 37;
    # gasLageDruk (9 pipes, 2 sleeves, 10 appurtenances) = 21; water (1 appurtenance) = 1
    V2: {"elektriciteit": 37, "gas": 21, "drinkwater": 1},
    # netinformatie: every element of the 20 networks, by theme, except the 2 of themes overig/wees
    # (class Overig: no asset type) and the 17 cable beds whose links carry lon/lat (errors below)
    NETINFO: {
        "drinkwater": 93, "gas": 50, "elektriciteit": 55, "telecom": 10, "gemengd_riool": 42,
        "hemelwaterafvoer": 39, "droogweerafvoer": 7, "warmte": 2, "openbare_verlichting": 1,
    },
    EXAMPLES + "Voorbeeld 1. Utiliteitsnet met Mantelbuis en ExtraGeometrie.xml": {"elektriciteit": 3},
    EXAMPLES + "Voorbeeld 2. Utiliteitsnet met Duct-Pipe-Cable.xml": {"elektriciteit": 5},
    EXAMPLES + "Voorbeeld 4. Utiliteitsnet met nilReason.xml": {"gas": 2},
    # sanitary sewer pipes are droogweerafvoer; the connection appurtenances keep the theme's gemengd_riool
    EXAMPLES + "Voorbeeld 5. Toepassing netwerktopologie.xml": {"droogweerafvoer": 3, "gemengd_riool": 4},
    EXAMPLES + "netinformatie - Voorbeeld 6. Utiliteitsnet met EV-vlak+donut.xml": {"elektriciteit": 1},
}  # fmt: skip


def independent_count(path):
    root = ET.parse(path).getroot()  # noqa: S314 - trusted test data
    return Counter(
        feature.tag.rsplit("}", 1)[-1] for member in root if member.tag.endswith("featureMember") for feature in member
    )


@pytest.fixture
def imkl(shared_data):
    return shared_data / "imkl"


@pytest.mark.parametrize("name", list(FEATURES))
def test_summary_counts_every_feature_type(imkl, name):
    result = read_imkl(imkl / name, snapshot_date="2024-01-15")
    assert result.summary == FEATURES[name]
    assert result.rows == sum(FEATURES[name].values())


@pytest.mark.parametrize("name", list(FEATURES))
def test_summary_matches_an_independent_count(imkl, name):
    assert read_imkl(imkl / name).summary == dict(independent_count(imkl / name))


@pytest.mark.parametrize("name", list(ASSET_TYPES))
def test_assets_per_type(imkl, name):
    result = read_imkl(imkl / name, snapshot_date="2024-01-15")
    assert dict(Counter(a.asset_type for a in result.items)) == ASSET_TYPES[name]


def test_the_readme_counts_leave_out_the_utility_links(imkl):
    # the data README says 378 and 403 features: the counts without UtilityLink
    assert sum(FEATURES[NETINFO].values()) - FEATURES[NETINFO]["UtilityLink"] == 378
    assert sum(FEATURES[V2].values()) - FEATURES[V2]["UtilityLink"] == 403


def test_imkl2_delivery(imkl):
    result = read_imkl(imkl / V2)
    assert result.ok and result.crs == "EPSG:28992"
    assert Counter(a.owner for a in result.items) == {"kl1040": 58, "pv0027": 1}
    cable = next(
        a for a in result.items if a.id == "KL1040.EKBL_IMKL_Elektriciteitskabel__Ms_Kabel__415504843_27368148"
    )
    assert cable.asset_type == "elektriciteit" and cable.geometry.geom_type == "LineString"
    assert cable.install_year == 1996 and cable.visibility == "private"
    assert cable.attributes["source"] == "KLIC" and cable.attributes["snapshot_date"] == "2022-03-27"
    assert cable.attributes["imkl_type"] == "Elektriciteitskabel" and cable.attributes["thema"] == "middenspanning"
    assert cable.attributes["gml_id"] == "nl.imkl-KL1040.EKBL_IMKL_Elektriciteitskabel__Ms_Kabel__415504843_27368148"
    assert cable.attributes["netbeheerder"] == "Liander" and cable.attributes["voltage_v"] == 10000
    assert cable.attributes["nil_reasons"] == {"warningType": "unspecified"}
    pipe = next(a for a in result.items if a.attributes["imkl_type"] == "OlieGasChemicalienPijpleiding")
    assert pipe.diameter_mm == 32 and pipe.material == "polyetheen" and pipe.attributes["pressure_bar"] == 0.1


def test_imkl2_skipped_features_are_named(imkl):
    result = read_imkl(imkl / V2)
    text = " ".join(result.warnings)
    assert "Maatvoering 209 (dimensioning)" in text and "Annotatie 107 (map annotation)" in text
    assert "ExtraDetailinfo 2 (references to documents" in text


def test_the_file_date_wins_over_the_argument(imkl):
    result = read_imkl(imkl / V2, snapshot_date=dt.date(2024, 1, 15))
    assert {a.attributes["snapshot_date"] for a in result.items} == {"2022-03-27"}
    assert any("delivery date 2022-03-27 in the file is used, not 2024-01-15" in w for w in result.warnings)


def test_imkl2015_takes_the_date_given_and_warns_without_one(imkl):
    given = read_imkl(imkl / NETINFO, snapshot_date=dt.date(2024, 1, 15))
    assert {a.attributes["snapshot_date"] for a in given.items} == {"2024-01-15"}
    none = read_imkl(imkl / NETINFO)
    assert "snapshot_date" not in none.items[0].attributes
    assert any("no delivery date in the file" in w for w in none.warnings)


def test_netinformatie_errors_name_feature_and_fix(imkl):
    result = read_imkl(imkl / NETINFO)
    assert len(result.errors) == 17
    first = result.errors[0]
    assert (first.row, first.field, first.row_label) == (151, "link", "feature")
    assert str(first).startswith(
        "Voorbeeldbestand aanlevering netinformatie.xml feature 151, field link: "
        "Kabelbed nl.imkl-KL9999.tst00119 (line 3087): UtilityLink nl.imkl-KL9999.tst00371: centrelineGeometry: "
        "coordinates (5.384, 51.491) lie outside RD New"
    )
    assert "they look like longitude/latitude (WGS84); the supplier must correct the file" in first.message
    assert {e.message.split()[0] for e in result.errors} == {"Kabelbed"}


def test_themes_without_an_asset_type_are_reported(imkl):
    result = read_imkl(imkl / NETINFO)
    warning = next(w for w in result.warnings if "not imported: their theme and class" in w)
    assert "2 element(s)" in warning
    assert "nl.imkl-KL9999.overig-overigkabel" in warning and "nl.imkl-KL9999.wees-weeskabel" in warning


def test_theme_decides_over_class(imkl):
    """An electricity cable in a gas network (cathodic protection) belongs to the gas system."""
    result = read_imkl(imkl / NETINFO)
    cables = Counter(
        (a.attributes["thema"], a.asset_type)
        for a in result.items
        if a.attributes["imkl_type"] == "Elektriciteitskabel"
    )
    assert cables[("gasHogeDruk", "gas")] == 5 and cables[("water", "drinkwater")] == 2
    sewer = Counter(a.asset_type for a in result.items if a.attributes["imkl_type"] == "Rioolleiding")
    assert sewer == {"hemelwaterafvoer": 34, "droogweerafvoer": 7}
    light = [a for a in result.items if a.attributes.get("appurtenance_type") == "streetLight"]
    assert [a.asset_type for a in light] == ["openbare_verlichting"]


def test_units_become_millimetres(imkl):
    result = read_imkl(imkl / NETINFO)
    by_id = {a.id: a for a in result.items}
    assert by_id["KL9999.tst00062"].diameter_mm == 1000  # pipeDiameter 100 cm
    assert by_id["KL9999.tst00573"].diameter_mm == 20  # kabelDiameter 2 cm
    assert by_id["KL9999.tst00287"].diameter_mm is None  # pipeDiameter 0 cm: a placeholder, not a size
    assert by_id["KL9999.tst00064"].attributes["width_mm"] == 15  # ductWidth 1.5 cm


def test_nil_reason_means_absent_not_an_error(imkl):
    result = read_imkl(imkl / EXAMPLES / "Voorbeeld 4. Utiliteitsnet met nilReason.xml")
    assert result.ok
    pipe = next(a for a in result.items if a.id == "KL9999.tst00076")
    assert pipe.diameter_mm is None and "status" not in pipe.attributes
    assert pipe.attributes["nil_reasons"] == {
        "currentStatus": "unspecified",
        "verticalPosition": "withheld",
        "utilityFacilityReference": "unspecified",
        "warningType": "--geheim--",
        "pipeDiameter": "missing",
    }
    assert pipe.attributes["pressure_bar"] == 4.3
    tower = next(a for a in result.items if a.id == "KL9999.tst00000")
    assert tower.attributes["status"] == "functional" and tower.geometry.equals(shapely.Point(153439, 389514))


def test_owner_given_replaces_the_operator_code(imkl):
    result = read_imkl(imkl / V2, owner="ede")
    assert {a.owner for a in result.items} == {"ede"}
    assert {a.attributes["netbeheerder_code"] for a in result.items} == {"KL1040", "PV0027"}


def test_depths_in_the_demo_file_lie_far_from_their_cable(imkl):
    result = read_imkl(imkl / NETINFO)
    warning = next(w for w in result.warnings if "depth object(s) not attached" in w)
    assert warning.split(": ", 1)[1].startswith("3 depth object(s)")
    assert all(a.depth_m is None for a in result.items)


# --------------------------------------------------------------------------- hand-made files


def delivery(tmp_path, members, ns="http://www.geostandaarden.nl/imkl/2015/wion/1.2"):
    path = tmp_path / "levering.xml"
    path.write_text(
        f"""<?xml version="1.0" encoding="UTF-8"?>
<gml:FeatureCollection xmlns:gml="http://www.opengis.net/gml/3.2" xmlns:imkl="{ns}"
 xmlns:net="http://inspire.ec.europa.eu/schemas/net/4.0" xmlns:xlink="http://www.w3.org/1999/xlink"
 xmlns:base="http://inspire.ec.europa.eu/schemas/base/3.3"
 xmlns:us-net-common="http://inspire.ec.europa.eu/schemas/us-net-common/4.0"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
{"".join(f"<gml:featureMember>{m}</gml:featureMember>" for m in members)}
</gml:FeatureCollection>"""
    )
    return path


NETWORK = """<imkl:Utiliteitsnet gml:id="nl.imkl-KL1234.net">
  <imkl:identificatie><imkl:NEN3610ID><imkl:lokaalID>KL1234.net</imkl:lokaalID></imkl:NEN3610ID></imkl:identificatie>
  <imkl:thema xlink:href="http://definities.geostandaarden.nl/imkl2015/id/waarde/Thema/{theme}"/>
</imkl:Utiliteitsnet>"""


def link(i, srs, pos, dim=2):
    return f"""<us-net-common:UtilityLink gml:id="nl.imkl-KL1234.link{i}">
  <net:inNetwork xlink:href="nl.imkl-KL1234.net"/>
  <net:centrelineGeometry><gml:LineString srsName="{srs}" srsDimension="{dim}" gml:id="g{i}">
    <gml:posList>{pos}</gml:posList></gml:LineString></net:centrelineGeometry>
</us-net-common:UtilityLink>"""


def cable(i, kind="Waterleiding", extra=""):
    return f"""<imkl:{kind} gml:id="nl.imkl-KL1234.c{i}">
  <net:inspireId><base:Identifier><base:localId>KL1234.c{i}</base:localId></base:Identifier></net:inspireId>
  <net:inNetwork xlink:href="nl.imkl-KL1234.net"/>
  <net:link xlink:href="nl.imkl-KL1234.link{i}"/>{extra}
</imkl:{kind}>"""


@pytest.mark.parametrize(
    "srs", ["EPSG:28992", "urn:ogc:def:crs:EPSG::28992", "urn:x-ogc:def:crs:EPSG:28992"], ids=["epsg", "urn", "x-urn"]
)
def test_the_three_rd_spellings_give_the_same_geometry(tmp_path, srs):
    path = delivery(tmp_path, [NETWORK.format(theme="water"), link(1, srs, "155000 463000 155010 463000"), cable(1)])
    result = read_imkl(path, snapshot_date="2024-01-15")
    assert result.ok, result.errors
    assert result.items[0].geometry.equals(shapely.LineString([(155000, 463000), (155010, 463000)]))


def test_three_dimensional_positions_become_2d(tmp_path):
    path = delivery(
        tmp_path,
        [
            NETWORK.format(theme="water"),
            link(1, "EPSG:28992", "155000 463000 -1.2 155010 463000 -1.3", dim=3),
            cable(1),
        ],
    )
    geometry = read_imkl(path).items[0].geometry
    assert not geometry.has_z and list(geometry.coords) == [(155000, 463000), (155010, 463000)]


def test_a_crs_that_is_not_rd_is_a_row_error(tmp_path):
    path = delivery(tmp_path, [NETWORK.format(theme="water"), link(1, "EPSG:4326", "5.1 52.1 5.2 52.1"), cable(1)])
    result = read_imkl(path)
    assert result.items == [] and "expected RD New (EPSG:28992)" in result.errors[0].message


def test_a_missing_link_is_a_row_error(tmp_path):
    path = delivery(tmp_path, [NETWORK.format(theme="water"), cable(1)])
    result = read_imkl(path)
    assert "UtilityLink nl.imkl-KL1234.link1: is not in the file; the delivery is incomplete" in str(result.errors[0])


def depth(kind, value, uom, x, y, extra=""):
    return f"""<imkl:{kind} gml:id="nl.imkl-KL1234.{kind}{x}">
  <imkl:dieptePeil uom="urn:ogc:def:uom:OGC::{uom}">{value}</imkl:dieptePeil>
  <imkl:diepteAangrijpingspunt xlink:href="http://definities.geostandaarden.nl/imkl2015/id/waarde/DiepteAangrijpingspuntValue/bovenkant"/>
  <imkl:ligging><gml:Point srsName="EPSG:28992" gml:id="p{x}"><gml:pos>{x} {y}</gml:pos></gml:Point></imkl:ligging>
  <imkl:inNetwork xlink:href="nl.imkl-KL1234.net"/>{extra}
</imkl:{kind}>"""


def test_depth_objects_attach_to_the_pipe_they_lie_on(tmp_path):
    members = [
        NETWORK.format(theme="gasLageDruk"),
        link(1, "EPSG:28992", "155000 463000 155100 463000"),
        cable(1, "OlieGasChemicalienPijpleiding"),
        link(2, "EPSG:28992", "155000 463050 155100 463050"),
        cable(2, "OlieGasChemicalienPijpleiding"),
        depth("DiepteTovMaaiveld", 95, "cm", 155020, 463000.4),
        depth("DiepteTovMaaiveld", 1.1, "m", 155080, 463000),
        depth(
            "DiepteNAP",
            2.0,
            "m",
            155050,
            463050,
            '<imkl:maaiveldPeil uom="urn:ogc:def:uom:OGC::m">2.6</imkl:maaiveldPeil>',
        ),
        depth("DiepteTovMaaiveld", 40, "cm", 155050, 463025),  # 25 m from both: not attached
    ]
    result = read_imkl(delivery(tmp_path, members))
    by_id = {a.id: a for a in result.items}
    assert by_id["KL1234.c1"].depth_m == 0.95  # the shallowest of 0.95 and 1.1
    assert [d["depth_m"] for d in by_id["KL1234.c1"].attributes["depths"]] == [0.95, 1.1]
    assert by_id["KL1234.c2"].depth_m == 0.6 and by_id["KL1234.c2"].attributes["depth_nap_m"] == 2.0
    assert any("1 depth object(s) not attached" in w and "DiepteTovMaaiveld155050" in w for w in result.warnings)


def test_a_delivery_without_operator_code_needs_an_owner(tmp_path):
    members = [NETWORK.format(theme="water"), link(1, "EPSG:28992", "155000 463000 155010 463000"), cable(1)]
    path = delivery(tmp_path, [m.replace("KL1234.", "x.") for m in members])
    result = read_imkl(path)
    assert result.items == [] and result.errors[0].field == "owner"
    assert "pass owner (--owner)" in result.errors[0].message
    assert read_imkl(path, owner="waterbedrijf").ok


def test_a_missing_file():
    with pytest.raises(InputError, match="no such file"):
        read_imkl("/nonexistent/levering.xml")


def test_a_klic_delivery_zip(imkl, tmp_path):
    archive = tmp_path / "Levering_22G003180_1.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        z.write(imkl / V2, "GI_gebiedsinformatielevering_22G003180_1_V2.xml")
        z.writestr("bronnen/KL1040/algemeen.pdf", b"%PDF-1.4")
        z.writestr("LeveringsInformatie.xml", "<x/>")
    result = read_imkl(archive)
    assert result.source == "Levering_22G003180_1.zip/GI_gebiedsinformatielevering_22G003180_1_V2.xml"
    assert result.summary == FEATURES[V2] and len(result.items) == 59


def test_a_zip_with_no_single_delivery(tmp_path):
    archive = tmp_path / "two.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("a.xml", "<x/>")
        z.writestr("b.xml", "<x/>")
    with pytest.raises(InputError, match=r"expected one IMKL .xml \(GI_\*.xml\) in the zip, found: a.xml, b.xml"):
        read_imkl(archive)


def test_progress_is_reported(imkl):
    seen = []
    read_imkl(imkl / NETINFO, progress=seen.append)
    assert seen == [500, 557]


def test_the_encoding_given_overrides_the_declaration(tmp_path):
    members = [
        NETWORK.format(theme="water"),
        link(1, "EPSG:28992", "155000 463000 155010 463000"),
        cable(1, extra="<imkl:label>Leiding Caf\u00e9</imkl:label>"),
    ]
    path = delivery(tmp_path, members)
    path.write_bytes(path.read_text().encode("cp1252"))
    with pytest.raises(InputError, match="pass --encoding cp1252"):
        read_imkl(path)
    assert read_imkl(path, encoding="cp1252").items[0].name == "Leiding Caf\u00e9"
