"""Plan-rule checks kept in the store (SQLite and PostGIS): a new model version is checked on
registration, the history goes from fail to pass, a private plan's checks stay private, the CLI's
exit codes, the API, the report, backup and restore."""

from __future__ import annotations

import json

import pytest
import shapely
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from openruimte.api import Settings, create_app
from openruimte.bim.sample import write_sample
from openruimte.cli import app as cli_app
from openruimte.model.access import SYSTEM
from openruimte.services import bim, rulecheck
from openruimte.services.twin import save_volumes
from openruimte.store import rules as store_rules
from openruimte.store.backup import backup, restore
from openruimte.twin.volumes import PlanVolume
from tests import factories
from tests.support.auth import ensure_org, principal, token_headers

OWNER = "gemeente-voorbeeldstad"
OTHER = "netbeheerder-noord"
E, N = 155_000.0, 463_000.0
PLAN = "NL.IMRO.9999.testplan-0001"
EDITOR = principal(OWNER, "editor")


def _rules():
    vlak = shapely.box(E - 5, N - 4, E + 35, N + 16)
    bouwvlak = shapely.box(E, N, E + 30, N + 12)

    def r(kind, geom, value=None, unit=None, sid=None):
        return {"kind": kind, "value": value, "unit": unit, "geometry": geom, "plan_id": PLAN,
                "source_id": sid or kind, "article": "Wonen", "name": kind, "regime": "imro2012",
                "bestemming": "Wonen"}  # fmt: skip

    return [
        r("bestemmingsvlak", vlak, sid="bv"),
        r("bouwvlak", bouwvlak, sid="bouwvlak"),
        r("maximum_bouwhoogte", bouwvlak, 12.0, "m", sid="mv-h"),
        r("maximum_goothoogte", bouwvlak, 13.5, "m", sid="mv-h"),
        r("maximum_bouwlagen", bouwvlak, 4, "count", sid="mv-l"),
        r("maximum_bebouwingspercentage", vlak, 60.0, "%", sid="mv-p"),
    ]


@pytest.fixture
def reg(store, tmp_path):
    store.bim_dir = tmp_path / "blobs"
    ensure_org(store, OWNER)
    ensure_org(store, OTHER)
    with store.writer("test") as w:
        w.upsert(
            "plans",
            [
                factories.plan(id="p1", owner=OWNER, visibility="shared"),
                factories.plan(id="p2", owner=OWNER, visibility="private", geometry=shapely.box(E, N, E + 20, N + 10)),
                factories.plan(
                    id="p3", owner=OWNER, visibility="shared", geometry=shapely.box(E + 1, N + 1, E + 29, N + 11)
                ),  # fmt: skip
            ],
        )
        store_rules.replace_plans(w, _rules(), source="test.gml", owner=OWNER, dataset_name="testplan")
    return store


def test_new_versions_are_checked_and_the_history_goes_from_fail_to_pass(reg, tmp_path):
    high = write_sample(tmp_path / "high.ifc", eastings=E, northings=N, storeys=4, storey_height_m=3.25)
    v1 = bim.register_file(reg, high, f"{OWNER}:p1", principal=EDITOR, label="gebouw")
    runs = rulecheck.history(reg, EDITOR, f"{OWNER}:p1")
    assert [r["status"] for r in runs] == ["fail"]
    assert runs[0]["trigger"] == "upload" and runs[0]["model"]["id"] == v1["id"]
    failed = {r["check"]: r for r in runs[0]["results"] if r["status"] == "fail"}
    assert set(failed) == {"maximum_bouwhoogte"} and failed["maximum_bouwhoogte"]["measured"] == pytest.approx(13.0)
    assert failed["maximum_bouwhoogte"]["source_id"] == "mv-h" and failed["maximum_bouwhoogte"]["plan_id"] == PLAN
    # no peil in the model and no buildings around: 0 m NAP assumed, and said
    assert runs[0]["design"]["peil_source"] == "assumed"
    fixed = write_sample(tmp_path / "fixed.ifc", eastings=E, northings=N, storeys=4, storey_height_m=3.0)
    bim.register_file(reg, fixed, f"{OWNER}:p1", principal=EDITOR, label="gebouw")
    runs = rulecheck.history(reg, EDITOR, f"{OWNER}:p1")
    assert [r["status"] for r in runs] == ["pass", "fail"]  # newest first: red -> green
    assert all(r["status"] == "pass" for r in runs[0]["results"])
    assert reg.audit(table="rule_checks")


def test_private_plan_checks_are_private_and_running_needs_write(reg, tmp_path):
    model = write_sample(tmp_path / "m.ifc", eastings=E + 0.5, northings=N, storeys=4)
    bim.register_file(reg, model, f"{OWNER}:p2", principal=EDITOR, label="gebouw")
    assert [r["status"] for r in rulecheck.history(reg, EDITOR, f"{OWNER}:p2")] == ["fail"]
    with pytest.raises(rulecheck.NotFound):
        rulecheck.history(reg, principal(OTHER, "editor"), f"{OWNER}:p2")
    with pytest.raises(Exception, match="only editors and admins"):
        rulecheck.check_plan(reg, principal(OTHER, "editor"), f"{OWNER}:p1")
    doc = rulecheck.check_plan(reg, EDITOR, f"{OWNER}:p2")
    outside = {r["check"]: r for r in doc["results"]}["bouwvlak"]
    assert outside["status"] == "fail" and shapely.geometry.shape(outside["geometry"]).area == pytest.approx(6.0)
    feats = rulecheck.outside_features(reg, EDITOR)
    assert [f["plan"] for f in feats] == [f"{OWNER}:p2"]
    assert rulecheck.outside_features(reg, principal(OTHER, "viewer")) == []


def test_plan_volume_is_checked_relative_to_ground_level(reg):
    doc = rulecheck.check_plan(reg, EDITOR, f"{OWNER}:p3")
    by = {r["check"]: r for r in doc["results"]}
    assert doc["subject"] == "plan" and by["maximum_bouwhoogte"]["status"] == "cannot_check"
    assert by["bouwvlak"]["status"] == "pass"
    save_volumes(reg, {(OWNER, "p3"): PlanVolume(height_m=14.0, storeys=5)}, actor="test")
    doc = rulecheck.check_plan(reg, EDITOR, f"{OWNER}:p3")
    by = {r["check"]: r for r in doc["results"]}
    assert by["maximum_bouwhoogte"]["status"] == "fail" and by["maximum_bouwhoogte"]["measured"] == 14.0
    assert by["maximum_bouwlagen"]["status"] == "fail"
    assert doc["design"]["peil_source"] == "plan"
    assert [r["status"] for r in rulecheck.history(reg, EDITOR, f"{OWNER}:p3")] == ["fail", "cannot_check"]


def test_backup_and_restore_keep_the_checks(reg, tmp_path, db_url):
    model = write_sample(tmp_path / "m.ifc", eastings=E, northings=N, storeys=5, storey_height_m=2.4)
    bim.register_file(reg, model, f"{OWNER}:p1", principal=EDITOR, label="gebouw")
    out = tmp_path / "backup.zip"
    counts = backup(reg, out)
    assert counts["rule_checks"] == 1
    from openruimte.store import Store

    target = Store.open(str(tmp_path / "restored.db"))
    target.bim_dir = tmp_path / "blobs2"
    try:
        restore(target, out)
        runs = rulecheck.history(target, SYSTEM, f"{OWNER}:p1")
        assert [r["status"] for r in runs] == ["fail"]
        assert [r["check"] for r in runs[0]["results"] if r["status"] == "fail"] == ["maximum_bouwlagen"]
    finally:
        target.close()


def test_cli_exit_codes_and_reports(reg, tmp_path, db_url):
    runner = CliRunner()
    ok = write_sample(tmp_path / "ok.ifc", eastings=E, northings=N, storeys=4)
    bad = write_sample(tmp_path / "bad.ifc", eastings=E, northings=N, storeys=5, storey_height_m=2.4)
    reg.close()
    res = runner.invoke(cli_app, ["rules", "check", str(ok), "--db", db_url, "--json", str(tmp_path / "ok.json")])
    assert res.exit_code == 0, res.output
    doc = json.loads((tmp_path / "ok.json").read_text())
    assert doc["status"] == "pass" and doc["type"] == "openruimte-rulecheck"
    html = tmp_path / "bad.html"
    res = runner.invoke(cli_app, ["rules", "check", str(bad), "--db", db_url, "--html", str(html)])
    assert res.exit_code == 1, res.output
    text = html.read_text()
    assert "voldoet niet" in text and "1 bouwlaag te veel" in text and "<script" not in text
    res = runner.invoke(cli_app, ["rules", "check", "--plan", f"{OWNER}:p3", "--db", db_url, "--json", "-"])
    assert res.exit_code == 0, res.output  # no height: cannot be checked, nothing fails
    res = runner.invoke(cli_app, ["rules", "check", str(bad), "--db", db_url, "--tolerance", "0.1", "--peil", "1.0"])
    assert res.exit_code == 0, res.output  # peil 1 m NAP: the floor at 0 m lies below it, 4 storeys above
    res = runner.invoke(cli_app, ["rules", "check", "--plan", "nobody:x", "--db", db_url])
    assert res.exit_code == 2
    res = runner.invoke(cli_app, ["rules", "check", str(tmp_path / "missing.ifc"), "--db", db_url])
    assert res.exit_code == 2


def test_api_latest_history_run_and_permissions(reg, tmp_path):
    app = create_app(Settings(webhook_worker=False), store=reg)
    with TestClient(app) as client:
        editor = token_headers(reg, OWNER, "editor")
        other = token_headers(reg, OTHER, "editor")
        url = f"/api/plans/{OWNER}/p2/rulecheck"
        assert client.get(url, headers=editor).status_code == 404  # not checked yet
        assert client.post(url, headers=other).status_code == 403
        assert client.post(url).status_code == 401
        save_volumes(reg, {(OWNER, "p2"): PlanVolume(height_m=9.0, storeys=3)}, actor="test")
        res = client.post(url, headers=editor)
        assert res.status_code == 201, res.text
        body = client.get(url, headers=editor).json()
        assert body["subject"] == "plan" and body["id"] == res.json()["id"]
        assert client.get(url, headers=other).status_code == 404  # a private plan's check
        one = client.get(url + f"/{res.json()['id']}", headers=editor)
        assert one.status_code == 200 and one.json()["id"] == res.json()["id"]
        assert client.get(url + f"/{res.json()['id']}", headers=other).status_code == 404
        assert client.get(f"/api/plans/{OWNER}/p1/rulecheck/{res.json()['id']}", headers=editor).status_code == 404
        hist = client.get(url + "/history", headers=editor).json()
        assert len(hist) == 1 and hist[0]["status"] == body["status"]
        page = client.get(url + "?format=html", headers=editor)
        assert page.status_code == 200 and "Toets aan het bestemmingsplan" in page.text
        assert client.get("/api/rulecheck/outside", headers=editor).json()["type"] == "FeatureCollection"


def test_no_run_is_kept_where_no_rules_are(reg, tmp_path):
    far = write_sample(tmp_path / "far.ifc", eastings=E + 2000, northings=N, storeys=4)
    bim.register_file(reg, far, f"{OWNER}:p1", principal=EDITOR, label="elders")
    assert rulecheck.history(reg, EDITOR, f"{OWNER}:p1") == []
    doc = rulecheck.check_plan(reg, EDITOR, f"{OWNER}:p1", model="elders", save=False)
    assert doc["status"] == "not_applicable" and doc["rules_plans"] == []
    assert {r["status"] for r in doc["results"]} == {"not_applicable"}


def test_a_check_that_fails_in_sql_keeps_the_registration(reg, tmp_path, monkeypatch):
    """An SQL error inside the check (on PostgreSQL it aborts the transaction) is rolled back to
    the check's savepoint: the model version stands and the run is kept as an error."""
    import sqlalchemy as sa

    def broken(conn, spatial, design, settings_=None):
        conn.execute(sa.text("SELECT no_such_column FROM rule_checks"))

    monkeypatch.setattr(rulecheck, "evaluate", broken)
    model = write_sample(tmp_path / "m.ifc", eastings=E, northings=N, storeys=4, storey_height_m=3.0)
    version = bim.register_file(reg, model, f"{OWNER}:p1", principal=EDITOR, label="gebouw")
    runs = rulecheck.history(reg, EDITOR, f"{OWNER}:p1")
    assert [r["status"] for r in runs] == ["error"]
    assert "no_such_column" in runs[0]["design"]["error"]
    [model_entry] = bim.list_models(reg, EDITOR, f"{OWNER}:p1")
    assert [v["id"] for v in model_entry["versions"]] == [version["id"]]
