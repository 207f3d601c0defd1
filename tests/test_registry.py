"""The reader registry (io/registry.py): the CLI, the importer and the API list what it knows."""

from __future__ import annotations

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from openruimte.api import Settings, create_app
from openruimte.cli import Format, ImportKind, app
from openruimte.io import exchange, registry
from openruimte.services.importing import CATEGORY_OF, EXTERNAL_KINDS


def test_registry_lists_the_exchange_encodings_and_the_national_standards():
    assert registry.exchange_formats() == ("geojson", "jsonfg", "gpkg", "csv", "xlsx")
    assert set(registry.standards()) == {"imkl", "bgt", "cityjson"}
    assert exchange.FORMAT_NAMES == registry.exchange_formats()
    assert exchange.FORMATS[".fg.json"] == "jsonfg" and exchange.FORMATS[".gpkg"] == "gpkg"
    for reader in registry.READERS.values():
        assert callable(reader.load()), reader.name


def test_importer_and_cli_take_their_kinds_from_the_registry():
    assert set(EXTERNAL_KINDS) == set(registry.standards()) and set(registry.import_kinds()) <= set(CATEGORY_OF)
    # and ``ifc``: not a table of rows but a BIM model version of a plan (cli/bim.py, services/bim.py);
    # ``rules``: a plan's rules, IMRO2012 or STOP/TPOD (cli/rules.py, services/rules.py)
    assert tuple(k.value for k in ImportKind) == (*registry.import_kinds(), "ifc", "rules")
    assert tuple(f.value for f in Format) == registry.exchange_formats()
    bad = CliRunner().invoke(app, ["import", "shapefile", "x.shp"])
    assert bad.exit_code == 2  # not a registered kind: refused by the CLI itself


def test_api_lists_the_readers(store):
    with TestClient(create_app(Settings(webhook_worker=False), store=store)) as client:
        body = client.get("/api/formats").json()
    assert body["import_kinds"] == list(registry.import_kinds())
    assert [r["name"] for r in body["readers"]] == list(registry.READERS)
    imkl = next(r for r in body["readers"] if r["name"] == "imkl")
    assert imkl["standard"] and imkl["stores"] == "assets" and ".xml" in imkl["extensions"]


def test_a_second_reader_of_one_name_is_refused():
    import pytest

    with pytest.raises(ValueError, match="registered already"):
        registry.register(registry.READERS["csv"])
