"""Files as municipalities have them (issue #19): a column mapping instead of
editing the file, owners of other source holders kept, formats named for what
they are, hints that name options the CLI has."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from openruimte import io
from openruimte.cli import app
from openruimte.io.mapping import ColumnMapping
from openruimte.model import InputError

runner = CliRunner()

MASTEN = """OBJECTID;STRAAT;MASTNUMMER;TYPE;BOUWJAAR;geometry
1;Kerkstraat;12;LM;1998;POINT (155000 463000)
2;Kerkstraat;13;LM;2004;POINT (155030 463000)
3;Dorpsweg;1;SP;2010;POINT (155100 463050)
"""


@pytest.fixture
def masten(tmp_path) -> Path:
    path = tmp_path / "masten.csv"
    path.write_text(MASTEN, encoding="utf-8")
    (tmp_path / "types.csv").write_text("LM;openbare_verlichting\nSP;speelvoorziening\n", encoding="utf-8")
    return path


def _out(result) -> str:
    return " ".join(result.output.split())


def test_without_a_mapping_every_row_is_refused(masten):
    result = io.read(masten, "assets", owner="gemeente-x")
    assert result.items == [] and any(e.field == "TYPE" for e in result.errors)


def test_columns_templates_and_value_tables(masten):
    mapping = ColumnMapping.parse(
        ["id={STRAAT}-{MASTNUMMER}", f"asset_type=from:TYPE:{masten.parent / 'types.csv'}", "install_year=BOUWJAAR"]
    )
    result = io.read(masten, "assets", owner="gemeente-x", mapping=mapping)
    assert result.errors == []
    assert [(a.id, a.asset_type, a.install_year) for a in result.items] == [
        ("Kerkstraat-12", "openbare_verlichting", 1998),
        ("Kerkstraat-13", "openbare_verlichting", 2004),
        ("Dorpsweg-1", "speelvoorziening", 2010),
    ]
    # the file's other columns are kept as attributes
    assert result.items[0].attributes["OBJECTID"] in ("1", 1)


def test_a_constant_and_a_yaml_mapping_file(masten, tmp_path):
    spec = tmp_path / "mapping.yaml"
    spec.write_text(
        "id: OBJECTID\nasset_type:\n  from: TYPE\n  values: {LM: openbare_verlichting, SP: speelvoorziening}\n"
        "owner: const:gemeente-x\n",
        encoding="utf-8",
    )
    result = io.read(masten, "assets", mapping=ColumnMapping.parse(["install_year=BOUWJAAR"], spec))
    assert result.errors == [] and [a.owner for a in result.items] == ["gemeente-x"] * 3
    assert [a.id for a in result.items] == ["1", "2", "3"]


def test_an_unknown_source_column_names_the_columns_the_file_has(masten):
    result = io.read(masten, "assets", owner="gemeente-x", mapping=ColumnMapping.parse(["id=OBJECTNR"]))
    assert len(result.errors) == 1  # one message, not one per row
    message = result.errors[0].message
    assert "OBJECTNR" in message and "OBJECTID, STRAAT, MASTNUMMER, TYPE, BOUWJAAR" in message


def test_a_code_missing_from_the_value_table_is_a_row_error(masten, tmp_path):
    table = tmp_path / "few.csv"
    table.write_text("LM,openbare_verlichting\n", encoding="utf-8")
    mapping = ColumnMapping.parse(["id=OBJECTID", f"asset_type=from:TYPE:{table}"])
    result = io.read(masten, "assets", owner="gemeente-x", mapping=mapping)
    (error,) = result.errors
    assert error.row == 4 and error.field == "asset_type" and "code 'SP'" in error.message


@pytest.mark.parametrize(
    ("spec", "words"),
    [
        ("id", "expected KEY=COLUMN"),
        ("asset_type=from:TYPE", "from:COLUMN:TABLE.csv"),
        ("id={STRAAT", "names columns in braces"),
        ("asset_type=from:TYPE:nowhere.csv", "no such value table"),
    ],
)
def test_malformed_mappings_say_what_is_expected(spec, words):
    with pytest.raises(InputError, match=re.escape(words)):
        ColumnMapping.parse([spec])


def test_a_key_the_kind_does_not_have(masten):
    result = io.read(masten, "plans", mapping=ColumnMapping.parse(["colour=TYPE"]))
    assert "not a key of plans" in result.errors[0].message


def test_dry_run_shows_the_rows_as_they_would_be_stored(masten, tmp_path):
    result = runner.invoke(
        app,
        [
            "import", "assets", str(masten), "--owner", "gemeente-x", "--db", str(tmp_path / "o.db"), "--dry-run",
            "--map", "id={STRAAT}-{MASTNUMMER}", "--map", f"asset_type=from:TYPE:{masten.parent / 'types.csv'}",
        ],
        env={"COLUMNS": "250"},
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Kerkstraat-12" in result.output and "openbare_verlichting" in result.output
    assert "would import 3 rows" in _out(result) and "dry run: nothing written" in _out(result)


# --------------------------------------------------------------------------- hints name real options


def _options() -> set[str]:
    group = typer.main.get_command(app)
    found = set()

    def walk(command):
        for param in getattr(command, "params", []):
            found.update(o for o in [*param.opts, *getattr(param, "secondary_opts", [])] if o.startswith("--"))
        for sub in getattr(command, "commands", {}).values():
            walk(sub)

    walk(group)
    return found


def _messages(source: str) -> list[str]:
    """The string literals of a module that are not docstrings (the messages and hints it prints)."""
    import ast

    tree = ast.parse(source)
    docs = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            first = node.body[0] if node.body else None
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                docs.add(id(first.value))
    return [
        n.value
        for n in ast.walk(tree)
        if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docs
    ]


def test_every_option_a_message_mentions_exists():
    """Every ``--option`` the readers, the use cases and the CLI mention in what they print (hints
    such as "pass --crs EPSG:28992") is an option the CLI has."""
    src = Path(__file__).resolve().parents[1] / "src" / "openruimte"
    mentioned: dict[str, str] = {}
    for folder in ("io", "services", "cli", "model"):
        for path in (src / folder).rglob("*.py"):
            for text in _messages(path.read_text()):
                for match in re.finditer(r"(?<![\w-])(--[a-z][a-z-]+)", text):
                    mentioned.setdefault(match.group(1), str(path.relative_to(src)))
    known = _options()
    missing = {opt: where for opt, where in mentioned.items() if opt not in known}
    assert len(mentioned) > 10 and missing == {}


# --------------------------------------------------------------------------- BGT as it also comes


def _bgt_gpkg(path: Path) -> Path:
    import numpy as np
    import shapely
    from pyogrio.raw import write

    points = [shapely.Point(155000 + i * 10, 463000) for i in range(4)]
    write(
        path,
        geometry=np.array(shapely.to_wkb(points), dtype=object),
        field_data=[
            np.array(["G0228.1", "G0228.2", "P0025.3", "G0228.4"], dtype=object),
            np.array(["lichtmast", "lichtmast", "lichtmast", "lichtmast"], dtype=object),
            np.array(["G0228", "G0228", "P0025", "G0228"], dtype=object),
            np.array([None, None, None, "2020-01-01"], dtype=object),
        ],
        fields=["lokaalid", "bgt_type", "bronhouder", "eindregistratie"],
        layer="paal_punt",
        driver="GPKG",
        crs="EPSG:28992",
        geometry_type="Point",
    )
    return path


def test_bgt_from_a_geopackage_in_the_common_layout(tmp_path):
    from openruimte.io.bgt import read_bgt

    result = read_bgt(_bgt_gpkg(tmp_path / "bgt.gpkg"), owner="gemeente-ede")
    assert result.errors == []
    assert sorted(a.id for a in result.items) == ["G0228.1", "G0228.2", "P0025.3"]  # the ended one skipped
    assert {a.asset_type for a in result.items} == {"openbare_verlichting"}
    assert result.summary["Paal (ended)"] == 1
    # without --bronhouder every object goes to --owner, and the import says whose they were
    assert {a.owner for a in result.items} == {"gemeente-ede"}
    assert any("2 source holders" in w and "--bronhouder" in w for w in result.warnings)


def test_bronhouder_keeps_other_source_holders_objects_theirs(tmp_path):
    from openruimte.io.bgt import read_bgt

    result = read_bgt(_bgt_gpkg(tmp_path / "bgt.gpkg"), owner="gemeente-ede", bronhouder="g0228")
    owners = {a.id: a.owner for a in result.items}
    assert owners == {"G0228.1": "gemeente-ede", "G0228.2": "gemeente-ede", "P0025.3": "bgt-P0025"}
    assert any("P0025 1 -> bgt-P0025" in w for w in result.warnings)


def test_a_geopackage_without_bgt_tables_says_so(tmp_path):
    from openruimte.io.bgt import read_bgt
    from tests.factories import asset

    path = tmp_path / "assets.gpkg"
    io.write(path, "assets", [asset()])
    with pytest.raises(InputError, match="no BGT tables in this GeoPackage"):
        read_bgt(path, owner="gemeente-ede")


@pytest.mark.parametrize(
    ("head", "said"),
    [
        (b"SQLite format 3\x00", "a SQLite database (a GeoPackage?)"),
        (b"PK\x03\x04", "a ZIP archive"),
        (b"%PDF-1.7", "a PDF document"),
        (b'{"type": "FeatureCollection"}', "a JSON document (GeoJSON or CityJSON?)"),
    ],
)
def test_a_file_that_is_not_xml_is_named_for_what_it_is(tmp_path, head, said):
    path = tmp_path / "levering.xml"
    path.write_bytes(head + b"\x00" * 64)
    result = runner.invoke(app, ["import", "imkl", str(path), "--db", str(tmp_path / "o.db")])
    assert result.exit_code == 1 and f"this is {said}, not XML" in _out(result)


# --------------------------------------------------------------------------- what can be imported can be exported


@pytest.mark.parametrize("name", ["out.city.json", "out.gpkg", "out.geojson", "out.csv", "out.xlsx"])
def test_buildings_export_and_cityjson_reads_back(tmp_path, shared_data, name):
    db = str(tmp_path / "o.db")
    assert (
        runner.invoke(
            app, ["import", "cityjson", str(shared_data / "cityjson" / "3dbag_b2.city.json"), "--db", db]
        ).exit_code
        == 0
    )
    out = tmp_path / name
    result = runner.invoke(app, ["export", "buildings", str(out), "--db", db])
    assert result.exit_code == 0 and "wrote 2 buildings" in result.output
    if name.endswith(".city.json"):
        from openruimte.io.cityjson import read_cityjson
        from openruimte.store import Store

        before = {b.id: b for b in Store.open(db).buildings()}
        after = {b.id: b for b in read_cityjson(out).items}
        assert after.keys() == before.keys()
        for key, b in before.items():
            a = after[key]
            assert a.geometry.symmetric_difference(b.geometry).area < 0.01  # footprint to the centimetre
            assert (a.ground_height_m, a.roof_height_m, a.bag_id) == (b.ground_height_m, b.roof_height_m, b.bag_id)
    elif name.endswith(".gpkg"):
        import pyogrio

        assert pyogrio.read_info(out, layer="buildings")["features"] == 2


def test_every_importable_category_can_be_exported():
    from openruimte.cli import ExportKind, ImportKind

    # ifc: BIM models (bim commands); rules: plan rules, exported by ``openruimte rules export``
    stored_as = {"imkl": "assets", "bgt": "assets", "cityjson": "buildings", "ifc": None, "rules": None}
    exportable = {k.value for k in ExportKind}
    for kind in ImportKind:
        target = stored_as.get(kind.value, kind.value)
        assert target is None or target in exportable, kind


# --------------------------------------------------------------------------- IMBOR exchange

BOOM = "https://data.crow.nl/imbor/def/83a942f7-5291-42f0-afb1-9a57d0fb2f15"  # 'Boom' in IMBOR 2022


def _imbor_file(path: Path, owner: str = "https://data.crow.nl/imbor/id/domeinwaarden/beheerder-1") -> Path:
    import json

    features = [
        {
            "type": "Feature",
            "properties": {"IMBOR_URI": BOOM, "identificatie": f"boom-{i}", "objectnaam": f"Eik {i}",
                           "beheerder": owner, "plantjaar": 1980 + i},
            "geometry": {"type": "Point", "coordinates": [155000 + i, 463000]},
        }
        for i in range(3)
    ]  # fmt: skip
    features.append(
        {
            "type": "Feature",
            "properties": {"identificatieA": "boom-1", "relatieURI": "https://w3id.org/nen2660/def#isPartOf",
                           "identificatieB": "groenvak-7"},
            "geometry": None,
        }
    )  # fmt: skip
    crs = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::28992"}}
    path.write_text(json.dumps({"type": "FeatureCollection", "crs": crs, "features": features}), encoding="utf-8")
    return path


def test_imbor_exchange_is_read_as_such(tmp_path, shared_data):
    db = str(tmp_path / "o.db")
    path = _imbor_file(tmp_path / "bomen.geojson")
    args = ["import", "assets", str(path), "--db", db, "--imbor", str(shared_data / "imbor")]
    refused = runner.invoke(app, args)
    assert refused.exit_code == 1 and "is an IMBOR domain value" in _out(refused) and "pass --owner" in _out(refused)
    result = runner.invoke(app, [*args, "--owner", "gemeente-x"])
    assert result.exit_code == 0, result.output
    text = _out(result)
    assert "3 object(s) name their owner as an IMBOR domain value" in text and "stored as --owner gemeente-x" in text
    assert "1 relation row(s)" in text and "skipped" in text
    from openruimte.store import Store

    assets = {a.id: a for a in Store.open(db).assets()}
    assert set(assets) == {"boom-0", "boom-1", "boom-2"}
    tree = assets["boom-1"]
    assert (tree.asset_type, tree.imbor_type, tree.name, tree.owner) == ("bomen", "Boom", "Eik 1", "gemeente-x")
    assert tree.attributes["imbor_uri"] == BOOM and str(tree.attributes["plantjaar"]) == "1981"


def test_imbor_exchange_without_the_vocabulary_says_how_to_give_it(tmp_path, monkeypatch):
    monkeypatch.delenv("OPENRUIMTE_IMBOR_DIR", raising=False)
    path = _imbor_file(tmp_path / "bomen.geojson")
    result = runner.invoke(
        app, ["import", "assets", str(path), "--owner", "gemeente-x", "--db", str(tmp_path / "o.db")]
    )
    assert result.exit_code == 1 and "pass --imbor DIR" in _out(result)


# --------------------------------------------------------------------------- through the API


def test_the_api_imports_with_a_mapping_for_the_callers_organisation(store, tmp_path):
    from fastapi.testclient import TestClient

    from openruimte.api import Settings, create_app
    from tests.support.auth import token_headers

    maps = ["id={STRAAT}-{MASTNUMMER}", "asset_type=from:TYPE:LM=openbare_verlichting,SP=speelvoorziening"]
    client = TestClient(create_app(Settings(webhook_worker=False), store))
    files = {"file": ("masten.csv", MASTEN.encode(), "text/csv")}
    editor = token_headers(store, "gemeente-x", "editor")
    dry = client.post("/api/import/assets", files=files, data={"map": maps, "dry_run": "true"}, headers=editor)
    assert dry.status_code == 200, dry.text
    body = dry.json()
    assert body["dry_run"] and [r["id"] for r in body["preview"]] == ["Kerkstraat-12", "Kerkstraat-13", "Dorpsweg-1"]
    assert store.assets() == []
    done = client.post("/api/import/assets", files=files, data={"map": maps}, headers=editor)
    assert done.status_code == 200 and done.json()["inserted"] == 3
    assert {a.owner for a in store.assets()} == {"gemeente-x"}
    # an unknown column: 422 naming the file's columns; a viewer: 403; anonymous: 401
    bad = client.post("/api/import/assets", files=files, data={"map": ["id=NOPE"]}, headers=editor)
    assert bad.status_code == 422 and "OBJECTID, STRAAT" in bad.json()["error"]["details"][0]["message"]
    viewer = token_headers(store, "gemeente-x", "viewer")
    assert client.post("/api/import/assets", files=files, data={"map": maps}, headers=viewer).status_code == 403
    assert client.post("/api/import/assets", files=files, data={"map": maps}).status_code == 401
    assert client.post("/api/import/areas", files=files, headers=editor).status_code == 404
    # a value table on the server's disk cannot be named through the API
    (tmp_path / "types.csv").write_text("LM;openbare_verlichting\n", encoding="utf-8")
    files_ref = {"map": [f"asset_type=from:TYPE:{tmp_path / 'types.csv'}"]}
    refused = client.post("/api/import/assets", files=files, data=files_ref, headers=editor)
    assert refused.status_code == 422 and "cannot be named here" in refused.json()["error"]["message"]
