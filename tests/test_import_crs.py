"""Every CRS mistake is a message (issue #19): every importer run with an unknown
and with a wrong --crs answers with what is wrong and how to fix it, writes
nothing, and never ends in a traceback."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from openruimte import io
from openruimte.cli import app
from openruimte.model import PolicyGoal, StreetSegment
from tests.factories import X0, Y0, area, asset, line, plan

runner = CliRunner()

#: (CLI kind, file name, how to make the file in RD New)
TABULAR = {
    "plans": lambda: [plan()],
    "assets": lambda: [asset()],
    "areas": lambda: [area()],
    "streets": lambda: [StreetSegment(id="s1", name="Kerkstraat", geometry=line())],
    "policy": lambda: [
        PolicyGoal.from_record(
            {
                "id": "g1",
                "owner": "gemeente-x",
                "indicator": "groen_pct",
                "theme": "hittestress",
                "geometry": area().geometry,
            }
        )
    ],
}


def _invoke(args):
    result = runner.invoke(app, args)
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, " ".join(result.output.split())


@pytest.mark.parametrize("kind", sorted(TABULAR))
@pytest.mark.parametrize("fmt", ["csv", "gpkg"])
def test_tabular_importers_answer_an_unknown_and_a_wrong_crs(tmp_path, kind, fmt):
    path = tmp_path / f"{kind}.{fmt}"
    io.write(path, kind, TABULAR[kind]())
    db = str(tmp_path / "o.db")
    code, out = _invoke(["import", kind, str(path), "--crs", "EPSG:99999", "--db", db])
    assert code == 1 and "unknown CRS code EPSG:99999" in out
    if fmt == "csv":  # a GeoPackage names its own CRS
        code, out = _invoke(["import", kind, str(path), "--crs", "EPSG:4326", "--db", db])
        assert code == 1 and "pass --crs EPSG:28992" in out, out
        code, out = _invoke(["import", kind, str(path), "--crs", "EPSG:2154", "--db", db])  # France
        assert code == 1 and "cannot lie in EPSG:2154" in out and "pass --crs EPSG:28992" in out, out
        code, out = _invoke(["import", kind, str(path), "--crs", "EPSG:3857", "--db", db])  # world-wide
        assert code == 1 and "outside the Netherlands" in out and "pass --crs EPSG:28992" in out, out
    code, out = _invoke(["info", "--db", db])
    assert code == 0


def test_an_unknown_crs_in_the_file_itself_is_a_message(tmp_path):
    path = tmp_path / "plans.geojson"
    io.write(path, "plans", [plan()])
    text = path.read_text().replace(
        '"type": "FeatureCollection"',
        '"type": "FeatureCollection", "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::99999"}}',
        1,
    )
    path.write_text(text)
    code, out = _invoke(["import", "plans", str(path), "--db", str(tmp_path / "o.db")])
    assert code == 1 and "EPSG:99999" in out


@pytest.mark.parametrize("crs", ["EPSG:99999", "EPSG:4326", "EPSG:2154", "EPSG:3857", "¹", "bogus"])
def test_cityjson_answers_every_crs_mistake(tmp_path, shared_data, crs):
    path = shared_data / "cityjson" / "multi_lod.json"  # names no CRS: --crs is the user's word
    code, out = _invoke(["import", "cityjson", str(path), "--crs", crs, "--db", str(tmp_path / "o.db")])
    assert code == 1 and ("CRS" in out or "crs" in out), out
    if crs in ("EPSG:4326", "EPSG:2154", "EPSG:3857"):
        assert "pass --crs EPSG:28992" in out, out


@pytest.mark.parametrize(
    ("kind", "rel"),
    [
        ("imkl", "imkl/netinformatie-aanlevering/Voorbeeldbestand aanlevering netinformatie.xml"),
        ("bgt", "nl/bgt-otterlo-imgeo211/bgt_kast.gml"),
    ],
)
@pytest.mark.parametrize("crs", ["EPSG:99999", "EPSG:4326"])
def test_gml_importers_answer_a_crs_that_is_not_theirs(tmp_path, shared_data, kind, rel, crs):
    args = ["import", kind, str(shared_data / rel), "--crs", crs, "--db", str(tmp_path / "o.db")]
    if kind == "bgt":
        args += ["--owner", "gemeente-ede"]
    code, out = _invoke(args)
    assert code == 1 and ("unknown CRS code" in out or "leave out --crs" in out), out


def test_rd_points_in_a_geojson_without_crs_name_the_fix(tmp_path):
    path = tmp_path / "plans.geojson"
    path.write_text(
        '{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"id": "p1", "name": "x",'
        ' "owner": "gemeente-x", "phase": "idee", "asset_types": "gemengd_riool"},'
        f' "geometry": {{"type": "Point", "coordinates": [{X0}, {Y0}]}}}}]}}'
    )
    code, out = _invoke(["import", "plans", str(path), "--db", str(tmp_path / "o.db")])
    assert code == 1 and "pass --crs EPSG:28992" in out
