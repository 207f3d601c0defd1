"""Backup and restore: every table, any engine to any engine, identical content."""

from __future__ import annotations

import dataclasses

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from openruimte.model import Dataset
from openruimte.model.vocab import Category
from openruimte.notify.webhooks import add_webhook
from openruimte.store import Store
from openruimte.store import tables as t
from openruimte.store.backup import BackupError, backup, restore
from tests.factories import asset, full_plans, plan
from tests.test_notifications import A, B, setup


def table_counts(store):
    with store.engine.connect() as conn:
        return {
            tb.name: conn.execute(sa.select(sa.func.count()).select_from(tb)).scalar_one()
            for tb in t.metadata.sorted_tables
        }


@pytest.fixture
def source(tmp_path):
    s = Store.open(f"sqlite:///{tmp_path / 'source.db'}")
    setup(s)
    with s.writer("test") as w:
        ds = w.add_dataset(Dataset(name="t", category=Category.PLANS, source="t"), 5)
        w.upsert("plans", full_plans(), dataset_id=ds)
        w.upsert("assets", [asset()])
    add_webhook(s, B, "https://hooks.example.nl/x", secret="0123456789abcdef0123")
    current = {p.key: p for p in s.plans()}[f"{A}:pa"]
    with s.writer("test") as w:
        w.upsert("plans", [dataclasses.replace(current, end=plan(end="2027-12-31").end)])
    yield s
    s.close()


def test_round_trip_keeps_every_table(source, store, tmp_path):
    archive = tmp_path / "backup.zip"
    counts = backup(source, archive)
    assert counts["audit_log"] > 0 and counts["notifications"] >= 1 and counts["webhook_deliveries"] == 1
    restore(store, archive)
    assert table_counts(store) == table_counts(source)
    assert store.content_fingerprint() == source.content_fingerprint()
    strip = lambda rows: [{k: v for k, v in r.items() if k != "at"} for r in rows]  # noqa: E731
    assert strip(store.audit()) == strip(source.audit())
    # the spatial index works on the restored database
    assert {p.key for p in store.plans(flt=None)} == {p.key for p in source.plans()}
    from openruimte.store import PlanFilter
    from tests.factories import X0, Y0

    box = (X0 - 1, Y0 - 1, X0 + 1, Y0 + 1)
    assert len(store.plan_rows(PlanFilter(bbox=box))) == len(source.plan_rows(PlanFilter(bbox=box))) > 0
    # and new rows get fresh keys (sequences moved on)
    with store.writer("test") as w:
        w.upsert("plans", [plan(id="new-after-restore")])


def test_restore_refuses_a_database_with_data_unless_forced(source, store, tmp_path):
    archive = tmp_path / "backup.zip"
    backup(source, archive)
    with store.writer("t") as w:
        w.upsert("plans", [plan(id="other")])
    with pytest.raises(BackupError, match="not empty"):
        restore(store, archive)
    restore(store, archive, force=True)
    assert store.content_fingerprint() == source.content_fingerprint()


def test_bad_archives_are_refused(store, tmp_path):
    junk = tmp_path / "junk.zip"
    junk.write_bytes(b"not a zip")
    with pytest.raises(BackupError, match="not a ZIP"):
        restore(store, junk)


def test_cli_backup_and_restore(source, tmp_path):
    from openruimte.cli import app

    archive = tmp_path / "b.zip"
    src_url = str(source.engine.url)
    run = CliRunner()
    result = run.invoke(app, ["backup", str(archive), "--db", src_url])
    assert result.exit_code == 0, result.output
    target = tmp_path / "target.db"
    result = run.invoke(app, ["restore", str(archive), "--db", str(target)])
    assert result.exit_code == 0, result.output
    result = run.invoke(app, ["restore", str(archive), "--db", str(target)])
    assert result.exit_code == 1 and "--force" in result.output
    result = run.invoke(app, ["restore", str(archive), "--db", str(target), "--force"])
    assert result.exit_code == 0, result.output
    with Store.open(str(target)) as restored:
        assert restored.content_fingerprint() == source.content_fingerprint()
