"""Benchmark: bbox queries over N assets.

Ours (the store on SQLite with its R*Tree, and on PostGIS with GiST) against what
a GIS analyst would use instead on the same rows: GeoPandas (spatial index
query + exact intersects, in memory, after reading the file). All three must
return the same ids. Prints p50/p95 per query and the ratios.

    .venv/bin/python bench/store_bbox.py [--n 100000] [--queries 200] [--postgis]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import shapely
from rich.console import Console
from rich.table import Table

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from openruimte.model import Asset, Dataset  # noqa: E402
from openruimte.model.vocab import Category  # noqa: E402
from openruimte.store import Store  # noqa: E402


def make_assets(n: int, rng: np.random.Generator) -> list[Asset]:
    xs = rng.uniform(150_000, 160_000, n)
    ys = rng.uniform(458_000, 468_000, n)
    ang = rng.uniform(0, 2 * np.pi, n)
    length = rng.uniform(5, 80, n)
    out = []
    for i in range(n):
        x, y = round(xs[i], 3), round(ys[i], 3)
        geom = shapely.LineString(
            [(x, y), (round(x + length[i] * np.cos(ang[i]), 3), round(y + length[i] * np.sin(ang[i]), 3))]
        )
        out.append(Asset(id=f"a{i}", owner="gemeente-bench", asset_type="gemengd_riool", geometry=geom))
    return out


def boxes(q: int, rng: np.random.Generator) -> list[tuple[float, float, float, float]]:
    out = []
    for _ in range(q):
        x, y = rng.uniform(150_000, 159_000), rng.uniform(458_000, 467_000)
        w = rng.uniform(100, 1000)
        out.append((x, y, x + w, y + w * 0.7))
    return out


def time_queries(fn, queries) -> tuple[np.ndarray, list[set[str]]]:
    times, results = [], []
    for bbox in queries:
        t0 = time.perf_counter()
        results.append(fn(bbox))
        times.append(time.perf_counter() - t0)
    return np.array(times) * 1000, results


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--postgis", action="store_true", help="also PostGIS (starts a throwaway cluster)")
    args = ap.parse_args()
    console = Console()
    rng = np.random.default_rng(1)
    assets = make_assets(args.n, rng)
    queries = boxes(args.queries, rng)
    rows: list[tuple[str, np.ndarray]] = []
    reference: list[set[str]] | None = None
    with tempfile.TemporaryDirectory() as tmp:
        engines = [("OpenRuimte store, SQLite R*Tree", f"sqlite:///{tmp}/bench.db")]
        cluster = None
        if args.postgis:
            from tests.support.postgis import Cluster, new_database

            cluster = Cluster().start()
            engines.append(("OpenRuimte store, PostGIS GiST", new_database(cluster.admin_url, "bench")))
        try:
            for label, url in engines:
                store = Store.open(url)
                with console.status(f"loading {args.n:,} assets into {label}"):
                    with store.writer("bench") as w:
                        w.upsert(
                            "assets",
                            assets,
                            dataset_id=w.add_dataset(
                                Dataset(name="b", category=Category.ASSETS, source="b"), len(assets)
                            ),
                        )
                ms, res = time_queries(lambda b, s=store: {a.id for a in s.assets(bbox=b)}, queries)
                store.close()
                rows.append((label, ms))
                if reference is None:
                    reference = res
                assert res == reference, f"{label} returned other ids"
        finally:
            if cluster:
                cluster.stop()
        import geopandas as gpd

        gdf = gpd.GeoDataFrame({"id": [a.id for a in assets]}, geometry=[a.geometry for a in assets], crs="EPSG:28992")

        def gpd_query(b):
            idx = gdf.sindex.query(shapely.box(*b), predicate="intersects")
            return set(gdf["id"].values[idx])

        ms, res = time_queries(gpd_query, queries)
        assert res == reference, "GeoPandas returned other ids"
        rows.append(("GeoPandas sindex (in memory)", ms))
    base = np.percentile(rows[0][1], 95)
    table = Table(
        title=f"bbox query over {args.n:,} assets, {args.queries} queries, mean {np.mean([len(r) for r in reference]):.0f} hits"
    )
    for col in ("engine", "p50 ms", "p95 ms", "p95 ratio vs SQLite store"):
        table.add_column(col, justify="right")
    for label, ms in rows:
        table.add_row(
            label, f"{np.percentile(ms, 50):.2f}", f"{np.percentile(ms, 95):.2f}", f"{np.percentile(ms, 95) / base:.2f}"
        )
    console.print(table)


if __name__ == "__main__":
    main()
