"""`openruimte demo` end to end: generated, written as exchange files, imported
through the normal importers, the same on SQLite and PostGIS, and the planted
situations are there for the analysis to find."""

import pytest
from rich.console import Console

from openruimte.analysis.arrays import PlanColumns
from openruimte.analysis.pairs import Parameters, find_conflicts, find_couplings
from openruimte.demo import generate
from openruimte.services.demo import run_demo
from openruimte.store import Store

SCALE = 0.1


@pytest.fixture(scope="module")
def demo_data():
    return generate(2026, scale=SCALE)


def test_demo_imports_everything_and_is_idempotent(store, tmp_path, demo_data):
    console = Console(file=open(tmp_path / "out.txt", "w"))
    reports = run_demo(store, seed=2026, scale=SCALE, out=tmp_path / "demo", console=console)
    kinds = {"areas", "streets", "plans", "assets", "policy", "vital", "layer", "cityjson"}  # cityjson: #16
    assert {r.kind for r in reports.values()} == kinds
    counts = store.counts()
    assert sum(counts["plans"].values()) == len(demo_data.plans)
    assert sum(counts["assets"].values()) == len(demo_data.assets)
    assert sum(counts["policy"].values()) == len(demo_data.policy_goals)
    assert len(counts["organisations"]) == 1 and counts["organisations"]["all"] >= 7
    assert sorted(store.plans(), key=lambda p: p.key) == sorted(demo_data.plans, key=lambda p: p.key)
    first = store.content_fingerprint()
    again = run_demo(store, seed=2026, scale=SCALE, out=tmp_path / "demo", console=console)
    assert all(
        r.summary.inserted == 0 and r.summary.updated == 0 for k, r in again.items() if r.kind not in ("layer", "vital")
    )
    assert store.content_fingerprint() == first
    # every category carries its dataset metadata
    assert {d["category"] for d in store.datasets()} == {
        "areas",
        "streets",
        "plans",
        "assets",
        "policy",
        "vital",
        "environment",
        "buildings",  # #16
        "rules",  # #15: the demo's bestemmingsplan
    }
    assert len(store.streets()) == len(demo_data.streets)
    housing = [p for p in store.plans() if "woningbouw" in p.asset_types]
    assert housing and all(p.dwellings == demo_data.planted["dwellings"][p.key] for p in housing)


def test_same_content_on_sqlite_and_postgis(tmp_path, postgis_admin_url, demo_data):
    from tests.support.postgis import new_database

    console = Console(file=open(tmp_path / "out.txt", "w"))
    prints = []
    for url in (f"sqlite:///{tmp_path / 'a.db'}", new_database(postgis_admin_url, "demo_same_content")):
        with Store.open(url) as store:
            run_demo(store, seed=2026, scale=SCALE, out=tmp_path / "demo", console=console)
            prints.append(store.content_fingerprint())
    assert prints[0] == prints[1]


def test_planted_situations_are_found(tmp_path, demo_data):
    console = Console(file=open(tmp_path / "out.txt", "w"))
    with Store.open(f"sqlite:///{tmp_path / 'd.db'}") as store:
        run_demo(store, seed=2026, scale=SCALE, out=tmp_path / "demo", console=console)
        cols = PlanColumns.from_plans(store.plans())
    couplings = find_couplings(cols, Parameters())
    conflicts = find_conflicts(cols, Parameters())
    pairs = {(cols.keys[a], cols.keys[b]) for a, b in zip(couplings.a, couplings.b)}
    nodig = {(cols.keys[r], cols.keys[x]) for r, x in zip(conflicts.renewal, conflicts.plan)}
    planted = demo_data.planted
    for c in planted["couplings"]:
        assert (c["a"], c["b"]) in pairs
    for c in planted["no_dig_conflicts"]:
        assert (c["renewal"], c["plan"]) in nodig
