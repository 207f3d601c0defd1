"""Reliability: two processes writing at once, and kill -9 in the middle of a large import."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from openruimte.store import Store
from openruimte.store import tables as t

ROOT = Path(__file__).resolve().parents[1]
ENV = {**os.environ, "PYTHONPATH": f"{ROOT / 'src'}{os.pathsep}{ROOT}"}

WRITER = textwrap.dedent(
    """
    import sys
    from openruimte.store import Store
    from tests.factories import plan

    url, owner = sys.argv[1], sys.argv[2]
    store = Store.open(url)
    for batch in range(25):
        with store.writer(owner) as w:
            w.upsert("plans", [plan(id=f"p{batch}-{i}", owner=owner, name=f"{owner} {batch}") for i in range(20)])
            w.upsert("plans", [plan(id=f"p{batch}-0", owner=owner, name="renamed", end="2028-01-31")])
    store.close()
    """
)


def integrity(store: Store) -> None:
    """The database passes its integrity check and the spatial index matches the table."""
    with store.engine.connect() as conn:
        if store.dialect == "sqlite":
            assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
            pks = {r[0] for r in conn.execute(sa.select(t.plans.c.pk))}
            ids = {r[0] for r in conn.exec_driver_sql("SELECT id FROM plans_rtree")}
            assert pks == ids
        else:
            # every index of the plans table is valid and readable
            bad = conn.exec_driver_sql(
                "SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid "
                "WHERE c.relname = 'plans' AND NOT (i.indisvalid AND i.indisready)"
            ).scalar()
            assert bad == 0
            conn.exec_driver_sql("SELECT count(*) FROM plans WHERE geometry && ST_MakeEnvelope(0, 0, 1e6, 1e6, 28992)")


def test_two_processes_write_at_once(tmp_path):
    url = f"sqlite:///{tmp_path / 'two.db'}"
    Store.open(url).close()
    script = tmp_path / "writer.py"
    script.write_text(WRITER)
    procs = [
        subprocess.Popen([sys.executable, str(script), url, owner], env=ENV, stderr=subprocess.PIPE, text=True)
        for owner in ("gemeente-a", "netbeheerder-b")
    ]
    for p in procs:
        _, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
    with Store.open(url) as store:
        integrity(store)
        plans = store.plans()
        assert len(plans) == 2 * 25 * 20
        assert sum(p.name == "renamed" for p in plans) == 2 * 25
        assert len(store.audit(table="plans", limit=10_000)) == 2 * (25 * 20 + 25)


def big_csv(path: Path, n: int) -> None:
    with path.open("w") as f:
        f.write("id,name,owner,phase,asset_types,start,end,geometry\n")
        for i in range(n):
            x, y = 150_000 + (i % 300) * 30, 460_000 + (i // 300) * 30
            f.write(f"k{i},Plan {i},gemeente-a,ontwerp,weg,2027-01-01,2027-12-31,POINT ({x} {y})\n")


def _writing(store: Store) -> bool:
    """Whether the import has started writing rows (uncommitted)."""
    if store.dialect == "sqlite":
        wal = Path(str(store.engine.url.database) + "-wal")
        return wal.exists() and wal.stat().st_size > 2_000_000
    with store.engine.connect() as conn:
        return bool(
            conn.exec_driver_sql(
                "SELECT count(*) FROM pg_stat_activity WHERE query ILIKE 'INSERT INTO plans%%' AND pid <> pg_backend_pid()"
            ).scalar()
        )


def test_kill_9_in_the_middle_of_a_100k_import_leaves_all_or_nothing(db_url, tmp_path):
    n = 100_000
    csv = tmp_path / "big.csv"
    big_csv(csv, n)
    store = Store.open(db_url)
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from openruimte.cli import main; main()",
            "import",
            "plans",
            str(csv),
            "--db",
            db_url,
            "--crs",
            "EPSG:28992",
        ],
        env=ENV,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 240
    try:
        while not _writing(store):
            assert proc.poll() is None, f"the import ended before it was killed: {proc.stderr.read().decode()[-2000:]}"
            assert time.monotonic() < deadline, "the import never started writing"
            time.sleep(0.05)
        time.sleep(0.3)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == -signal.SIGKILL
    store.close()
    with Store.open(db_url) as after:
        count = len(after.plans())
        assert count in (0, n), f"{count} of {n} rows survived the kill"
        integrity(after)
        with after.engine.connect() as conn:
            datasets = conn.execute(sa.select(sa.func.count()).select_from(t.datasets)).scalar_one()
        assert datasets == (0 if count == 0 else 1)
        # the database still takes writes
        from tests.factories import plan

        with after.writer("test") as w:
            w.upsert("plans", [plan(id="after-kill")])
        integrity(after)


@pytest.mark.parametrize("pragma", ["journal_mode", "busy_timeout"])
def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(tmp_path, pragma):
    with Store.open(str(tmp_path / "w.db")) as store, store.engine.connect() as conn:
        value = conn.exec_driver_sql(f"PRAGMA {pragma}").scalar()
    assert value == {"journal_mode": "wal", "busy_timeout": 30000}[pragma]
