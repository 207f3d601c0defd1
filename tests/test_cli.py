"""The command line, in process (Typer's runner) and once as the installed command."""

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from openruimte import io
from openruimte.cli import app
from openruimte.store import Store
from tests.factories import X0, Y0, full_plans

runner = CliRunner()


def run(*args):
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)


DUTCH_CSV = (
    "PlanID;Naam;Organisatie;Fase;Hardheid;AssetTypen;Thema;Startdatum;Einddatum;Graven;Herbestrating;Raming;Zichtbaarheid;Geometrie\n"
    f"R-1;Riool Kerkstraat;gemeente-voorbeeldstad;voorbereiding;besloten;gemengd_riool;vervanging;2027-03;2027-10;ja;ja;450.000;public;LINESTRING ({X0} {Y0}, {X0 + 80} {Y0})\n"
    f"E-7;Kabel Kerkstraat;netbeheerder-noord;ontwerp;voorgenomen;elektriciteit;energietransitie;2027-05;2027-08;ja;nee;120.000;shared;LINESTRING ({X0} {Y0 + 2}, {X0 + 80} {Y0 + 2})\n"
)


def test_csv_with_dutch_headers_imports_and_exports_identically(tmp_path):
    db = tmp_path / "o.db"
    (tmp_path / "plannen.csv").write_text(DUTCH_CSV, encoding="utf-8")
    result = run("import", "plans", tmp_path / "plannen.csv", "--db", db)
    assert result.exit_code == 0, result.output
    assert "imported 2 rows from plannen.csv: 2 new, 0 updated, 0 unchanged" in result.output
    assert "registered organisations: gemeente-voorbeeldstad, netbeheerder-noord" in result.output
    for fmt in ("gpkg", "xlsx", "geojson", "jsonfg", "csv"):
        out = tmp_path / f"export.{fmt}"
        assert run("export", "plans", out, "--db", db).exit_code == 0
        again = run("import", "plans", out, "--db", db)
        assert "0 new, 0 updated, 2 unchanged" in again.output, (fmt, again.output)


def test_bad_file_exits_non_zero_lists_every_error_and_writes_nothing(tmp_path):
    db = tmp_path / "o.db"
    bad = DUTCH_CSV.replace("gemengd_riool", "riool").replace("2027-08", "2027-01")
    (tmp_path / "plannen.csv").write_text(bad, encoding="utf-8")
    result = runner.invoke(app, ["import", "plans", str(tmp_path / "plannen.csv"), "--db", str(db)])
    assert result.exit_code == 1
    out = " ".join(result.output.split())
    assert "plannen.csv row 2, field AssetTypen: unknown asset type 'riool' (did you mean 'gemengd_riool'?)" in out
    assert "plannen.csv row 3, field Einddatum: end 2027-01-31 is before start 2027-05-01" in out
    assert "2 error(s) in plannen.csv; nothing was imported" in out
    with Store.open(str(db)) as store:
        assert store.plans() == [] and store.organisations() == []


def test_dry_run(tmp_path):
    db = tmp_path / "o.db"
    (tmp_path / "plannen.csv").write_text(DUTCH_CSV, encoding="utf-8")
    result = run("import", "plans", tmp_path / "plannen.csv", "--db", db, "--dry-run")
    assert "would import 2 rows" in result.output and "dry run: nothing written" in result.output
    with Store.open(str(db)) as store:
        assert store.plans() == []


def test_init_info_and_export_formats(tmp_path):
    db = tmp_path / "o.db"
    assert re.search(r"schema revision \d{4}", run("init", "--db", db).output)
    io.write(tmp_path / "p.geojson", "plans", full_plans())
    assert run("import", "plans", tmp_path / "p.geojson", "--db", db).exit_code == 0
    info = run("info", "--db", db).output
    assert re.search(r"plans\s*│\s*gemeente-voorbeeldstad\s*│\s*3", info), info
    result = run(
        "export", "plans", tmp_path / "out.data", "--db", db, "--format", "xlsx", "--owner", "netbeheerder-noord"
    )
    assert "wrote 1 plans" in result.output
    assert io.read(tmp_path / "out.data", "plans", fmt="xlsx").items == [
        p for p in full_plans() if p.owner == "netbeheerder-noord"
    ]


def test_unknown_extension_is_a_clear_error(tmp_path):
    result = runner.invoke(app, ["export", "plans", str(tmp_path / "x.shp"), "--db", str(tmp_path / "o.db")])
    assert result.exit_code == 1
    assert "cannot tell the format from the extension '.shp'" in result.output


def test_installed_command_runs(tmp_path):
    exe = shutil.which("openruimte") or str(Path(__file__).resolve().parents[1] / ".venv/bin/openruimte")
    if not Path(exe).exists():
        pytest.skip("the openruimte command is not installed (run make install)")
    proc = subprocess.run([exe, "init", "--db", str(tmp_path / "x.db")], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "database ready" in proc.stdout


def test_audit_shows_who_changed_what_with_before_and_after(tmp_path):
    from openruimte.store import Store
    from tests.factories import plan

    db = str(tmp_path / "audit.db")
    with Store.open(db) as store:
        with store.writer(actor="alice") as w:
            w.upsert("plans", [plan(id="a1", phase="ontwerp")])
        with store.writer(actor="bob") as w:
            w.upsert("plans", [plan(id="a1", phase="voorbereiding")])
        with store.writer(actor="carol") as w:
            w.upsert("plans", [plan(id="other")])
    key = "gemeente-voorbeeldstad:a1"
    result = CliRunner().invoke(app, ["audit", "--plan", key, "--db", db, "--json"])
    assert result.exit_code == 0, result.output
    entries = [json.loads(line) for line in result.output.splitlines()]
    assert [(e["actor"], e["action"], e["version"]) for e in entries] == [("bob", "update", 2), ("alice", "insert", 1)]
    assert entries[0]["before"]["phase"] == "ontwerp" and entries[0]["after"]["phase"] == "voorbereiding"
    result = CliRunner().invoke(app, ["audit", "--plan", key, "--db", db])
    assert result.exit_code == 0, result.output
    assert "bob" in result.output and "alice" in result.output and "carol" not in result.output
    bad = CliRunner().invoke(app, ["audit", "--plan", "a1", "--db", db])
    assert bad.exit_code != 0 and "OWNER:ID" in bad.output
