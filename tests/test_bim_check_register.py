"""IDS files registered per organisation, checks on upload and on demand, results per version,
and the CLI and API on top (SQLite and PostGIS)."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from openruimte.api import Settings, create_app
from openruimte.bim import ids as bim_ids
from openruimte.cli import app
from openruimte.model import Dataset
from openruimte.model.access import SYSTEM, Forbidden
from openruimte.model.vocab import Category
from openruimte.services import bim, bimcheck, bimids
from tests.factories import plan
from tests.support.auth import ensure_org, principal, token_headers
from tests.support.ifcmodels import Box, build_model

ORG = "gemeente-bimstad"
runner = CliRunner()


@pytest.fixture(autouse=True)
def _blob_dir(tmp_path, monkeypatch):
    """Model files go to the test's own folder (on PostGIS the default is ./openruimte-bim)."""
    monkeypatch.setenv("OPENRUIMTE_BIM_DIR", str(tmp_path / "blobs"))


IDS_NAME = b"""<?xml version="1.0" encoding="utf-8"?>
<ids xmlns="http://standards.buildingsmart.org/IDS" xmlns:xs="http://www.w3.org/2001/XMLSchema">
  <info><title>Bimstad eisen</title><version>1</version></info>
  <specifications>
    <specification name="Wanden hebben een naam" ifcVersion="IFC2X3 IFC4">
      <applicability minOccurs="1" maxOccurs="unbounded">
        <entity><name><simpleValue>IFCWALL</simpleValue></name></entity>
      </applicability>
      <requirements>
        <attribute><name><simpleValue>Name</simpleValue></name></attribute>
      </requirements>
    </specification>
  </specifications>
</ids>
"""


def _setup(store, tmp_path, *, boxes=None):
    ensure_org(store, ORG)
    with store.writer("test") as w:
        w.upsert(
            "plans",
            [plan(owner=ORG, id="P-1", visibility="shared")],
            dataset_id=w.add_dataset(Dataset(name="t", category=Category.PLANS, source="t"), 1),
            source="test",
        )
    model = tmp_path / "gebouw.ifc"
    build_model(model, boxes=boxes or (Box(0, 0, 10, 0.3, name="Gevel"), Box(0, 0, 0.3, 10, name=None)))
    ids_file = tmp_path / "eisen.ids"
    ids_file.write_bytes(IDS_NAME)
    return model, ids_file


def test_register_ids_versions_and_refusals(store, tmp_path):
    _, ids_file = _setup(store, tmp_path)
    first = bimids.register(store, SYSTEM, ORG, ids_file)
    assert first["ref"] == f"{ORG}/eisen@1" and first["specifications"] == 1 and not first["unchanged"]
    assert bimids.register(store, SYSTEM, ORG, ids_file)["unchanged"]
    ids_file.write_bytes(IDS_NAME.replace(b"<version>1</version>", b"<version>2</version>"))
    assert bimids.register(store, SYSTEM, ORG, ids_file)["ref"] == f"{ORG}/eisen@2"
    listed = bimids.list_ids(store, SYSTEM, org=ORG)
    assert [r["version"] for r in listed] == [2]
    assert [r["version"] for r in bimids.list_ids(store, SYSTEM, org=ORG, all_versions=True)] == [1, 2]
    with pytest.raises(Forbidden):
        bimids.register(store, principal(ORG, "viewer"), ORG, ids_file, name="ander")
    with pytest.raises(bim_ids.IdsInvalid):  # an invalid IDS writes nothing
        bimids.register(store, SYSTEM, ORG, b"<ids/>", name="kapot")
    assert len(bimids.list_ids(store, SYSTEM, all_versions=True)) == 2
    audit = store.audit(table="bim_ids_files")
    assert {a["record_key"] for a in audit} == {f"{ORG}/eisen@1", f"{ORG}/eisen@2"}


def test_upload_is_checked_against_the_organisations_ids(store, tmp_path):
    model, ids_file = _setup(store, tmp_path)
    first = bim.register_file(store, model, f"{ORG}:P-1", principal=SYSTEM, label="gebouw")
    assert first["ids_check"] is None  # nothing registered yet: nothing checked
    bimids.register(store, SYSTEM, ORG, ids_file)
    second = tmp_path / "gebouw2.ifc"
    build_model(second, boxes=(Box(0, 0, 10, 0.3, name="Gevel"), Box(0, 0, 0.3, 10, name=None)), seed=2)
    result = bim.register_file(store, second, f"{ORG}:P-1", principal=SYSTEM, label="gebouw")
    check = result["ids_check"]
    assert check["status"] == "fail" and check["trigger"] == "upload"
    assert check["summary"]["failed"] == 1 and check["summary"]["failed_elements"] == 1
    stored = bimcheck.results(store, SYSTEM, result["id"])
    assert [r["id"] for r in stored] == [check["id"]]
    report = bimcheck.stored_report(store, SYSTEM, result["id"], check["id"])
    (failure,) = report.specifications[0].requirements[0].failures
    assert failure.ifc_class == "IfcWall" and failure.name is None and failure.storey == "00 begane grond"
    again = bimcheck.check_now(store, SYSTEM, result["id"])
    assert again["trigger"] == "demand" and again["status"] == "fail"
    bcf = zipfile.ZipFile(io.BytesIO(bimcheck.stored_bcf(store, SYSTEM, result["id"], check["id"])))
    assert "bcf.version" in bcf.namelist() and sum(n.endswith("/viewpoint.bcfv") for n in bcf.namelist()) == 1
    with pytest.raises(Forbidden):
        bimcheck.check_now(store, principal(ORG, "viewer"), result["id"])
    with pytest.raises(bim.NotFound):  # an organisation that does not see the plan does not see its checks
        bimcheck.results(store, principal("iemand-anders", "editor", at_table=False), result["id"])


def test_cli_check_exit_codes_and_reports(store, tmp_path, db_url):
    model, ids_file = _setup(store, tmp_path)
    html, js, bcf = tmp_path / "r.html", tmp_path / "r.json", tmp_path / "r.bcf"
    res = runner.invoke(
        app,
        ["bim", "check", str(model), "--ids", str(ids_file), "--html", str(html), "--json", str(js), "--bcf", str(bcf)],
    )
    assert res.exit_code == 1, res.output
    assert "1 van 1 specificaties niet gehaald" in res.output
    data = json.loads(js.read_text())
    assert data["format"] == "openruimte-bim-check" and data["status"] == "fail"
    assert "Controle op informatie-eisen" in html.read_text() and zipfile.is_zipfile(bcf)
    good = tmp_path / "goed.ifc"
    build_model(good, boxes=(Box(0, 0, 10, 0.3, name="Gevel"),))
    res = runner.invoke(app, ["bim", "check", str(good), "--ids", str(ids_file), "--json", "-"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["status"] == "pass"
    bad_ids = tmp_path / "kapot.ids"
    bad_ids.write_bytes(IDS_NAME.replace(b"IFCWALL", b"IFCMUUR"))
    res = runner.invoke(app, ["bim", "check", str(good), "--ids", str(bad_ids)])
    assert res.exit_code == 2 and "IFCMUUR" in res.output and "line 7" in res.output
    text = tmp_path / "geen.ifc"
    text.write_text("geen IFC")
    res = runner.invoke(app, ["bim", "check", str(text), "--ids", str(ids_file)])
    assert res.exit_code == 2 and "not an IFC file" in res.output
    res = runner.invoke(app, ["bim", "check", str(good)])
    assert res.exit_code == 2 and "--builtin ils" in res.output
    res = runner.invoke(app, ["bim", "check", str(good), "--builtin", "ils", "--json", "-"])
    assert res.exit_code == 1  # no NL-SfB classification in the test model
    names = [s["name"] for s in json.loads(res.stdout)["specifications"]]
    assert "Model nabij het nulpunt" in names and "NL-SfB-classificatie" in names
    # a registered version, checked against the organisation's registered IDS files
    assert runner.invoke(app, ["bim", "ids", "add", "--org", ORG, str(ids_file), "--db", db_url]).exit_code == 0
    listed = runner.invoke(app, ["bim", "ids", "list", "--json", "--db", db_url])
    assert json.loads(listed.stdout)[0]["ref"] == f"{ORG}/eisen@1"
    version = bim.register_file(store, good, f"{ORG}:P-1", principal=SYSTEM, label="gebouw")
    assert version["ids_check"]["status"] == "pass"
    res = runner.invoke(app, ["bim", "check", f"#{version['id']}", "--db", db_url, "--json", "-"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["ids"][0]["name"].startswith("eisen.ids")


def test_api_checks_follow_the_plan_and_download(store, tmp_path):
    model, ids_file = _setup(store, tmp_path)
    client = TestClient(create_app(Settings(), store=store))
    editor = token_headers(store, ORG, "editor")
    viewer = token_headers(store, ORG, "viewer")
    outsider = token_headers(store, "buitenstaander", "editor", at_table=False)
    res = client.post("/api/bim/ids", files={"file": ("eisen.ids", IDS_NAME)}, data={"org": ORG}, headers=viewer)
    assert res.status_code == 403
    res = client.post("/api/bim/ids", files={"file": ("kapot.ids", b"<ids/>")}, data={"org": ORG}, headers=editor)
    assert res.status_code == 422 and res.json()["error"]["code"] == "invalid_ids"
    res = client.post("/api/bim/ids", files={"file": ("eisen.ids", IDS_NAME)}, data={"org": ORG}, headers=editor)
    assert res.status_code == 201 and res.json()["ref"] == f"{ORG}/eisen@1"
    assert [r["ref"] for r in client.get("/api/bim/ids", headers=viewer).json()] == [f"{ORG}/eisen@1"]
    with model.open("rb") as fh:
        res = client.post(f"/api/bim/plans/{ORG}/P-1/models", files={"file": ("gebouw.ifc", fh)}, headers=editor)
    assert res.status_code == 201, res.text
    version_id, check_id = res.json()["id"], res.json()["ids_check"]["id"]
    checks = client.get(f"/api/bim/versions/{version_id}/checks", headers=viewer).json()
    assert [c["status"] for c in checks] == ["fail"]
    report = client.get(f"/api/bim/versions/{version_id}/checks/{check_id}", headers=viewer).json()
    assert report["specifications"][0]["requirements"][0]["failures"][0]["ifc_class"] == "IfcWall"
    page = client.get(f"/api/bim/versions/{version_id}/checks/{check_id}/report.html", headers=viewer)
    assert page.status_code == 200 and '<html lang="nl">' in page.text and "http" not in page.text.split("<body>")[0]
    bcf = client.get(f"/api/bim/versions/{version_id}/checks/{check_id}/report.bcf", headers=viewer)
    assert bcf.status_code == 200 and zipfile.is_zipfile(io.BytesIO(bcf.content))
    js = client.get(f"/api/bim/versions/{version_id}/checks/{check_id}/report.json", headers=viewer)
    assert js.json()["status"] == "fail" and "attachment" in js.headers["content-disposition"]
    assert client.post(f"/api/bim/versions/{version_id}/checks", headers=viewer).status_code == 403
    assert client.post(f"/api/bim/versions/{version_id}/checks", headers=editor).status_code == 201
    assert client.post(f"/api/bim/versions/{version_id}/checks").status_code == 401
    assert client.get(f"/api/bim/versions/{version_id}/checks", headers=outsider).status_code == 404


def test_backup_and_restore_keep_ids_files_and_check_results(store, tmp_path):
    from openruimte.store import Store
    from openruimte.store.backup import backup, restore

    model, ids_file = _setup(store, tmp_path)
    bimids.register(store, SYSTEM, ORG, ids_file)
    version = bim.register_file(store, model, f"{ORG}:P-1", principal=SYSTEM, label="gebouw")
    archive = tmp_path / "backup.zip"
    backup(store, archive)
    target = Store.open(f"sqlite:///{tmp_path / 'restored.db'}")
    try:
        restore(target, archive)
        assert [r["ref"] for r in bimids.list_ids(target, SYSTEM)] == [f"{ORG}/eisen@1"]
        (document,) = bimids.documents_for(target, ORG)  # the file itself came back, sha256 checked
        assert document.title == "Bimstad eisen"
        (check,) = bimcheck.results(target, SYSTEM, version["id"])
        assert check["status"] == "fail"
        report = bimcheck.stored_report(target, SYSTEM, version["id"], check["id"])
        assert report.specifications[0].failed_elements == 1
    finally:
        target.close()
