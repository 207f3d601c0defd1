"""Benchmark of the incremental plan analysis (issue 12): a plan edit and the next reads
at 100k stored plans, on SQLite and PostGIS.

    .venv/bin/python bench/incremental.py [--size 100000] [--edits 20] [--no-postgis]

The plans of bench/_plans.py (the GeoPackage of bench/analyse.py, generated once) go
into a store; the whole analysis is run once (``openruimte analyse`` on the store: it
saves the pairs). Then, per edit, a random plan is moved by up to 30 m and written
through the store's writer with ``update_pairs`` in the same transaction (what the
API's PUT does), and the reads that follow are timed: the plan's pairs (the panel)
and the first page of 1,000 pairs (the map), both for an outside organisation (so
the visibility filter runs). At the end the saved pairs are compared with a full
re-analysis: they must be identical.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import shapely

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(ROOT))

import _plans  # noqa: E402

from openruimte.analysis.incremental import all_pairs  # noqa: E402
from openruimte.analysis.pairs import Parameters  # noqa: E402
from openruimte.model.access import Principal, Role  # noqa: E402
from openruimte.services import analyse_incremental as inc  # noqa: E402
from openruimte.services.analyse_columns import analyse_store_columns, columns_from_store  # noqa: E402
from openruimte.store import Store  # noqa: E402


def load(url: str, gpkg: Path) -> Store:
    from openruimte import io

    store = Store.open(url)
    if store.plan_row(*_first_key(gpkg)) is None:
        plans = io.read(gpkg, "plans").items
        t0 = time.perf_counter()
        for lo in range(0, len(plans), 20_000):
            with store.writer("bench") as w:
                w.upsert("plans", plans[lo : lo + 20_000])
        print(f"  loaded {len(plans):,} plans in {time.perf_counter() - t0:.1f} s", flush=True)
    return store


def _first_key(gpkg: Path) -> tuple[str, str]:
    from pyogrio import read_arrow

    _meta, table = read_arrow(gpkg, columns=["owner", "id"], max_features=1)
    return table.column("owner")[0].as_py(), table.column("id")[0].as_py()


def ms(xs: list[float]) -> str:
    xs = sorted(xs)
    p95 = xs[min(len(xs) - 1, int(round(0.95 * (len(xs) - 1))))]
    return f"median {1000 * statistics.median(xs):.0f} ms, p95 {1000 * p95:.0f} ms, max {1000 * xs[-1]:.0f} ms"


def _moved(geom: shapely.Geometry, shift: np.ndarray) -> shapely.Geometry:
    return shapely.transform(geom, lambda c: np.round(c + shift, 3))


def run(label: str, store: Store, edits: int, seed: int) -> None:
    params = Parameters()
    load_avg = os.getloadavg()
    t0 = time.perf_counter()
    analyse_store_columns(store, params, actor="bench")
    print(f"[{label}] full analysis, pairs saved: {time.perf_counter() - t0:.1f} s (load {load_avg[0]:.1f})")
    cols = columns_from_store(store)
    rng = np.random.default_rng(seed)
    outsider = Principal(org="bench-outsider", role=Role.VIEWER)
    write_t, panel_t, map_t = [], [], []
    for _ in range(edits):
        key = str(cols.keys[int(rng.integers(len(cols)))])
        owner, pid = key.split(":", 1)
        plan, _meta = store.plan_row(owner, pid)
        shift = rng.uniform(-30, 30, size=2)
        moved = dataclasses.replace(plan, geometry=_moved(plan.geometry, shift))
        t0 = time.perf_counter()
        with store.writer("bench") as w:
            w.upsert("plans", [moved])
            inc.update_pairs(w, [key])
        t1 = time.perf_counter()
        inc.pairs_of_plan(store, key, outsider)
        t2 = time.perf_counter()
        inc.pairs_page(store, outsider, limit=1000)
        t3 = time.perf_counter()
        write_t.append(t1 - t0)
        panel_t.append(t2 - t1)
        map_t.append(t3 - t2)
    print(f"[{label}] plan edit + pairs updated in its transaction: {ms(write_t)}")
    print(f"[{label}] next panel read (the plan's pairs, visibility filtered): {ms(panel_t)}")
    print(f"[{label}] next map read (first page of 1,000 pairs, visibility filtered): {ms(map_t)}")
    print(f"[{label}] load average during the edits: {os.getloadavg()[0]:.1f} (before {load_avg[0]:.1f})")
    t0 = time.perf_counter()
    want = sorted(all_pairs(columns_from_store(store), params), key=lambda p: (p.kind, p.first, p.second))
    same = inc.saved_pairs(store) == want
    print(
        f"[{label}] saved pairs equal to a full re-analysis: {same} ({len(want):,} pairs, checked in {time.perf_counter() - t0:.0f} s)"
    )
    if not same:
        sys.exit(1)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--size", type=int, default=100_000)
    ap.add_argument("--edits", type=int, default=20)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--workdir", type=Path, default=Path("/tmp/openruimte-bench-analyse"))
    ap.add_argument("--no-postgis", action="store_true")
    ap.add_argument("--no-sqlite", action="store_true")
    args = ap.parse_args()
    gpkg = args.workdir / f"plans-{args.size}-seed{args.seed}-v{_plans.VERSION}.gpkg"
    if not gpkg.exists():
        sys.exit(f"{gpkg} is missing: run bench/analyse.py --sizes {args.size} first (it generates the file)")
    if not args.no_sqlite:
        db = args.workdir / f"incremental-{args.size}.sqlite"
        imported = gpkg.with_suffix(".sqlite")  # bench/analyse.py --store imports it once
        if not db.exists() and imported.exists():
            import shutil

            shutil.copy(imported, db)
        run("SQLite", load(f"sqlite:///{db}", gpkg), args.edits, args.seed)
    if not args.no_postgis:
        from tests.support.postgis import Cluster, new_database

        cluster = Cluster().start()
        try:
            url = new_database(cluster.admin_url, f"bench_incremental_{args.size}")
            run("PostGIS", load(url, gpkg), args.edits, args.seed)
        finally:
            cluster.stop()


if __name__ == "__main__":
    main()
