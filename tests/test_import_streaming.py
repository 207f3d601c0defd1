"""Streamed reading of IMKL and BGT: with a sink, assets arrive in batches, nothing is kept
in ``ReadResult.items``, and the assets, errors, warnings and counts are exactly those of
reading the whole file. After the first error no further batch is handed over."""

import tracemalloc
import xml.etree.ElementTree as ET  # noqa: S405 - trusted test data, an independent pass
import zipfile

import pytest
import shapely

from openruimte.io import imkl as imkl_module
from openruimte.io.bgt import read_bgt
from openruimte.io.imkl import read_imkl
from openruimte.services.importing import import_file
from tests.conftest import DATA
from tests.test_import_bgt import HEAD, wegdeel
from tests.test_import_imkl import FEATURES, NETINFO, NETWORK, V2, cable, delivery, depth, link


def records(assets):
    """Assets as comparable plain values, in a stable order."""
    out = [{**a.to_record(), "geometry": shapely.to_wkb(a.geometry, hex=True)} for a in assets]
    return sorted(out, key=lambda r: (r["owner"], r["id"]))


class Sink:
    def __init__(self):
        self.batches = []

    def __call__(self, batch):
        self.batches.append(list(batch))

    @property
    def assets(self):
        return [a for b in self.batches for a in b]


def same_report(streamed, whole):
    assert streamed.items == []
    assert (streamed.source, streamed.rows, streamed.crs) == (whole.source, whole.rows, whole.crs)
    assert streamed.summary == whole.summary and list(streamed.summary) == list(whole.summary)
    assert streamed.errors == whole.errors
    assert streamed.warnings == whole.warnings


def feature_numbers(path):
    """gml:id -> the feature's number in the file, from an independent pass."""
    root = ET.parse(path).getroot()  # noqa: S314 - trusted test data
    features = [f for m in root if m.tag.endswith("featureMember") for f in m]
    return {f.get("{http://www.opengis.net/gml/3.2}id"): n for n, f in enumerate(features, 1)}


@pytest.fixture
def imkl(shared_data):
    return shared_data / "imkl"


# --------------------------------------------------------------------------- IMKL


@pytest.mark.parametrize("name", list(FEATURES))
@pytest.mark.parametrize("batch_size", [1, 7, 5000])
def test_imkl_streamed_equals_whole(imkl, name, batch_size):
    whole = read_imkl(imkl / name, snapshot_date="2024-01-15")
    sink = Sink()
    streamed = read_imkl(imkl / name, snapshot_date="2024-01-15", sink=sink, batch_size=batch_size)
    same_report(streamed, whole)
    assert all(0 < len(b) <= batch_size for b in sink.batches)
    if whole.ok:
        assert records(sink.assets) == records(whole.items)
        assert [a.id for a in sink.assets] == [a.id for a in whole.items]  # no depth held back: file order
    else:
        # after the first error nothing more goes to the sink: the import will be refused anyway
        first = min(e.row for e in whole.errors)
        numbers = feature_numbers(imkl / name)
        before = [a for a in whole.items if numbers[a.attributes["gml_id"]] < first]
        assert len(sink.assets) <= len(before)
        if batch_size == 1:
            assert records(sink.assets) == records(before)


def test_netinformatie_errors_stop_the_batches(imkl):
    sink = Sink()
    result = read_imkl(imkl / NETINFO, sink=sink, batch_size=1)
    assert len(result.errors) == 17 and result.errors[0].row == 151
    assert len(sink.assets) == 134  # the assets of the 150 features before the first error


def test_imkl_batches_are_full_but_the_last(imkl):
    sink = Sink()
    read_imkl(imkl / V2, sink=sink, batch_size=10)
    assert [len(b) for b in sink.batches] == [10, 10, 10, 10, 10, 9]


def test_imkl_progress_counts_features_when_streamed(imkl):
    seen = []
    read_imkl(imkl / NETINFO, progress=seen.append, sink=Sink())
    assert seen == [500, 557]


def test_imkl_zip_streamed(imkl, tmp_path):
    archive = tmp_path / "Levering_22G003180_1.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        z.write(imkl / V2, "GI_gebiedsinformatielevering_22G003180_1_V2.xml")
    sink = Sink()
    streamed = read_imkl(archive, sink=sink)
    same_report(streamed, read_imkl(archive))
    assert len(sink.assets) == 59


def streamed_and_whole(path, **kwargs):
    sink = Sink()
    streamed = read_imkl(path, sink=sink, batch_size=2, **kwargs)
    whole = read_imkl(path, **kwargs)
    same_report(streamed, whole)
    if whole.ok:
        assert records(sink.assets) == records(whole.items)
    return sink.assets, whole


def test_links_and_networks_after_the_elements_that_name_them(tmp_path):
    members = [
        cable(1),
        cable(2, "Elektriciteitskabel"),
        link(1, "EPSG:28992", "155000 463000 155010 463000"),
        NETWORK.format(theme="water"),
        link(2, "EPSG:28992", "155000 463100 155010 463100"),
    ]
    assets, whole = streamed_and_whole(delivery(tmp_path, members))
    assert whole.ok and [a.asset_type for a in assets] == ["drinkwater", "drinkwater"]


def test_depths_are_attached_when_streamed(tmp_path):
    """Cables near a depth object wait for the end; the depth goes to the nearest, as when read whole."""
    members = [
        depth("DiepteTovMaaiveld", 95, "cm", 155020, 463000.4),  # before the pipes
        NETWORK.format(theme="gasLageDruk"),
        cable(1, "OlieGasChemicalienPijpleiding"),
        cable(2, "OlieGasChemicalienPijpleiding"),
        cable(3, "OlieGasChemicalienPijpleiding"),
        link(1, "EPSG:28992", "155000 463000 155100 463000"),
        link(2, "EPSG:28992", "155000 463000.9 155100 463000.9"),  # 0.5 m from the first depth: not the nearest
        link(3, "EPSG:28992", "155000 463050 155100 463050"),
        depth("DiepteTovMaaiveld", 1.1, "m", 155080, 463000),  # after them
        depth(
            "DiepteNAP",
            2.0,
            "m",
            155050,
            463050,
            '<imkl:maaiveldPeil uom="urn:ogc:def:uom:OGC::m">2.6</imkl:maaiveldPeil>',
        ),
        depth("DiepteTovMaaiveld", 40, "cm", 155050, 463025),  # 25 m from all: not attached
    ]
    assets, whole = streamed_and_whole(delivery(tmp_path, members))
    by_id = {a.id: a for a in assets}
    assert by_id["KL1234.c1"].depth_m == 0.95 and by_id["KL1234.c3"].depth_m == 0.6
    assert [d["depth_m"] for d in by_id["KL1234.c1"].attributes["depths"]] == [0.95, 1.1]
    assert by_id["KL1234.c2"].depth_m is None
    assert any("1 depth object(s) not attached" in w for w in whole.warnings)


POINT = """<imkl:Appurtenance gml:id="nl.imkl-KL1234.link9">
  <net:inspireId><base:Identifier><base:localId>KL1234.p9</base:localId></base:Identifier></net:inspireId>
  <net:inNetwork xlink:href="nl.imkl-KL1234.net"/>
  <net:geometry><gml:Point srsName="EPSG:28992" gml:id="pt9"><gml:pos>155000 463000</gml:pos></gml:Point></net:geometry>
</imkl:Appurtenance>"""


def test_a_link_to_another_element_takes_its_geometry(tmp_path):
    """Not valid IMKL, but read as when read whole: one more pass finds the ids that are no UtilityLink."""
    assets, whole = streamed_and_whole(delivery(tmp_path, [NETWORK.format(theme="water"), cable(9), POINT]))
    assert whole.ok and {a.id: a.geometry.geom_type for a in assets} == {"KL1234.c9": "Point", "KL1234.p9": "Point"}


def test_links_to_missing_features_or_features_without_geometry(tmp_path):
    annotation = '<imkl:Annotatie gml:id="nl.imkl-KL1234.link8"><imkl:label>x</imkl:label></imkl:Annotatie>'
    members = [NETWORK.format(theme="water"), cable(1), cable(8), annotation]
    _, whole = streamed_and_whole(delivery(tmp_path, members))
    messages = [e.message for e in whole.errors]
    assert len(messages) == 2
    assert "UtilityLink nl.imkl-KL1234.link1: is not in the file" in messages[0]
    assert "UtilityLink nl.imkl-KL1234.link8: None" in messages[1]  # a feature without geometry


def test_link_geometries_move_to_disk_past_the_limit(imkl, monkeypatch):
    spilled = []
    original = imkl_module._Links._spill

    def spill(self):
        spilled.append(len(self.memory))
        original(self)

    monkeypatch.setattr(imkl_module._Links, "_spill", spill)
    monkeypatch.setattr(imkl_module, "LINK_MEMORY_BYTES", 2000)
    sink = Sink()
    streamed = read_imkl(imkl / V2, sink=sink, batch_size=5)
    whole = read_imkl(imkl / V2)
    same_report(streamed, whole)
    assert records(sink.assets) == records(whole.items)
    assert spilled and spilled[0] < FEATURES[V2]["UtilityLink"]


def many_cables(tmp_path, n):
    members = [NETWORK.format(theme="water")]
    for i in range(n):
        members.append(cable(i))
        members.append(link(i, "EPSG:28992", f"{150000 + i % 1000} {460000 + i // 1000} {150005 + i % 1000} 460000"))
    return delivery(tmp_path, members)


def peak(fn):
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_streaming_keeps_memory_bounded(tmp_path):
    path = many_cables(tmp_path, 1500)
    count = []
    streamed = peak(lambda: read_imkl(path, sink=lambda b: count.append(len(b)), batch_size=100))
    whole = peak(lambda: read_imkl(path))
    assert sum(count) == 1500
    assert streamed < whole / 4, (streamed, whole)


# --------------------------------------------------------------------------- BGT


@pytest.fixture
def otterlo(shared_data):
    return shared_data / "nl" / "bgt-otterlo-imgeo211"


@pytest.mark.parametrize("batch_size", [1, 999])
def test_bgt_streamed_equals_whole(otterlo, batch_size):
    sink = Sink()
    streamed = read_bgt(otterlo, owner="ede", sink=sink, batch_size=batch_size)
    whole = read_bgt(otterlo, owner="ede")
    same_report(streamed, whole)
    assert whole.ok and len(whole.items) == 3691
    assert [a.id for a in sink.assets] == [a.id for a in whole.items]
    assert records(sink.assets) == records(whole.items)
    sizes = [len(b) for b in sink.batches]
    assert all(s == batch_size for s in sizes[:-1]) and 0 < sizes[-1] <= batch_size


@pytest.mark.parametrize("name", sorted(p.name for p in (DATA / "nl" / "bgt-otterlo-imgeo211").glob("*.gml")))
def test_bgt_streamed_equals_whole_per_file(otterlo, name):
    sink = Sink()
    streamed = read_bgt(otterlo / name, owner="ede", sink=sink, batch_size=100)
    whole = read_bgt(otterlo / name, owner="ede")
    same_report(streamed, whole)
    assert records(sink.assets) == records(whole.items)


def test_bgt_zip_streamed(otterlo, tmp_path):
    archive = tmp_path / "bgt.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        for path in sorted(otterlo.glob("*.gml")):
            z.write(path, path.name)
    sink = Sink()
    streamed = read_bgt(archive, owner="ede", sink=sink)
    whole = read_bgt(archive, owner="ede")
    same_report(streamed, whole)
    assert records(sink.assets) == records(whole.items)


def test_bgt_errors_stop_the_batches(tmp_path):
    path = tmp_path / "bgt_wegdeel.gml"
    path.write_text(HEAD + wegdeel(1, "fietspad") + wegdeel(1, "fietspad") + wegdeel(2, "fietspad") + "</CityModel>")
    sink = Sink()
    streamed = read_bgt(path, owner="ede", sink=sink, batch_size=1)
    whole = read_bgt(path, owner="ede")
    same_report(streamed, whole)
    assert [a.id for a in sink.assets] == ["G0228.w1"] and len(whole.items) == 2


def test_bgt_progress_when_streamed(otterlo):
    seen = []
    read_bgt(otterlo / "bgt_vegetatieobject.gml", owner="ede", progress=seen.append, sink=Sink())
    assert seen == [1000, 2000, 2308]


# --------------------------------------------------------------------------- into the store


def test_a_streamed_import_with_errors_writes_nothing(store, imkl):
    report = import_file(store, "imkl", imkl / NETINFO)
    assert len(report.errors) == 17 and store.assets() == [] and store.datasets() == []


def test_a_streamed_bgt_import_writes_every_asset(store, otterlo):
    report = import_file(store, "bgt", otterlo, owner="gemeente-ede")
    assert report.ok and report.summary.inserted == 3691 and len(store.assets()) == 3691
