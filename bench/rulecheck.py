"""Plan-rule checks of designs (issue 15) against what a GIS analyst would do with GeoPandas.

A synthetic bestemmingsplan of N blocks (each a bestemmingsvlak with a bouwvlak, a height and
storey maatvoering and a coverage percentage; 6 rules per block) and M designs, a third of them
sticking out of their bouwvlak. Timed:

``ours``       for every design: the rules near it from an STRtree (what the store's spatial index
               gives the service), then :func:`openruimte.rules.checks.check_design` (all five checks);
``store``      ``services.rulecheck.evaluate`` per design on a SQLite store holding the rules (R*Tree),
               the path of ``openruimte rules check``;
``geopandas``  only the bouwvlak check, as an analyst would: ``sjoin`` designs to bouwvlakken,
               dissolve, ``difference``, the area outside per design.

Prints seconds and designs per second, and the ratio to GeoPandas (which does one check of five).

    .venv/bin/python bench/rulecheck.py --blocks 10000 --designs 2000
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time

import numpy as np
import shapely

from openruimte.rules.checks import CheckSettings, Design, check_design
from openruimte.rules.model import Rule


def plan(blocks: int) -> list[Rule]:
    side = int(np.ceil(np.sqrt(blocks)))
    rules = []
    for i in range(blocks):
        x, y = 100_000 + (i % side) * 60.0, 400_000 + (i // side) * 40.0
        vlak, bouw = shapely.box(x, y, x + 55, y + 35), shapely.box(x + 5, y + 5, x + 45, y + 25)
        common = {"plan_id": "NL.IMRO.9999.bench", "article": "Wonen", "bestemming": "Wonen"}
        rules += [
            Rule(kind="bestemmingsvlak", value=None, unit=None, geometry=vlak, source_id=f"b{i}", **common),
            Rule(kind="bouwvlak", value=None, unit=None, geometry=bouw, source_id=f"v{i}", **common),
            Rule(kind="maximum_bouwhoogte", value=12.0, unit="m", geometry=bouw, source_id=f"m{i}", **common),
            Rule(kind="maximum_goothoogte", value=9.0, unit="m", geometry=bouw, source_id=f"m{i}", **common),
            Rule(kind="maximum_bouwlagen", value=4, unit="count", geometry=bouw, source_id=f"m{i}", **common),
            Rule(
                kind="maximum_bebouwingspercentage", value=50.0, unit="%", geometry=vlak, source_id=f"p{i}", **common
            ),  # fmt: skip
        ]
    return rules


def designs(blocks: int, count: int, seed: int = 1) -> list[Design]:
    side = int(np.ceil(np.sqrt(blocks)))
    rng = np.random.default_rng(seed)
    out = []
    for j in range(count):
        i = int(rng.integers(blocks))
        x, y = 100_000 + (i % side) * 60.0 + 6, 400_000 + (i // side) * 40.0 + 6
        shift = 12.0 if j % 3 == 0 else 0.0
        fp = shapely.box(x + shift, y, x + shift + 30, y + 12)
        out.append(Design(footprint=fp, top_m=11.0, gutter_m=9.0, storeys=4, heights="relative", peil_source="plan"))
    return out


def ours(rules: list[Rule], items: list[Design]) -> tuple[float, int]:
    t0 = time.perf_counter()
    tree = shapely.STRtree([r.geometry for r in rules])
    fails = 0
    for d in items:
        near = [rules[k] for k in tree.query(d.footprint.buffer(25.0))]
        fails += any(r.status == "fail" for r in check_design(d, near))
    return time.perf_counter() - t0, fails


def store(rules: list[Rule], items: list[Design]) -> tuple[float, float, int]:
    from openruimte.services import rulecheck
    from openruimte.store import Store
    from openruimte.store import rules as store_rules

    folder = tempfile.mkdtemp(prefix="openruimte-bench-rulecheck-")
    st = Store.open(os.path.join(folder, "bench.db"))
    t0 = time.perf_counter()
    records = [{f: getattr(r, f) for f in store_rules.RULE_FIELDS} for r in rules]
    with st.writer("bench") as w:
        store_rules.replace_plans(w, records, source="bench", owner=None, dataset_name="bench")
    loaded = time.perf_counter() - t0
    t0 = time.perf_counter()
    fails = 0
    settings = CheckSettings()  # made once (Settings() reads the environment: ~10 ms)
    with st.engine.connect() as conn:
        for d in items:
            fails += rulecheck.evaluate(conn, st.spatial, d, settings)["status"] == "fail"
    st.close()
    return time.perf_counter() - t0, loaded, fails


def geopandas_bouwvlak(rules: list[Rule], items: list[Design]) -> tuple[float, int]:
    import geopandas as gpd

    t0 = time.perf_counter()
    bouw = gpd.GeoDataFrame(geometry=[r.geometry for r in rules if r.kind == "bouwvlak"], crs="EPSG:28992")
    fps = gpd.GeoDataFrame({"design": range(len(items))}, geometry=[d.footprint for d in items], crs="EPSG:28992")
    joined = gpd.sjoin(fps, bouw, how="left", predicate="intersects")
    planes = bouw.geometry.values
    allowed = joined.groupby("design")["index_right"].apply(
        lambda ix: shapely.union_all(planes[ix.dropna().astype(int).to_numpy()])
    )
    outside = fps.geometry.difference(gpd.GeoSeries(allowed.reindex(fps["design"]).to_numpy(), crs="EPSG:28992"))
    fails = int((outside.area > 0.05 * 12).sum())
    return time.perf_counter() - t0, fails


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--blocks", type=int, default=10_000)
    ap.add_argument("--designs", type=int, default=2_000)
    ap.add_argument("--no-store", action="store_true")
    args = ap.parse_args()
    rules, items = plan(args.blocks), designs(args.blocks, args.designs)
    print(f"{len(rules):,} rules ({args.blocks:,} blocks), {len(items):,} designs; load {os.getloadavg()[0]:.2f}")
    t_ours, f_ours = ours(rules, items)
    print(f"ours (STRtree + five checks): {t_ours:.2f} s, {len(items) / t_ours:,.0f} designs/s, {f_ours} fail")
    t_gpd, f_gpd = geopandas_bouwvlak(rules, items)
    print(f"geopandas (bouwvlak only):   {t_gpd:.2f} s, {len(items) / t_gpd:,.0f} designs/s, {f_gpd} fail")
    print(f"ratio ours / geopandas: {t_ours / t_gpd:.2f} (ours runs five checks, geopandas one)")
    if not args.no_store:
        t_store, t_load, f_store = store(rules, items)
        print(
            f"store (SQLite, evaluate per design): {t_store:.2f} s, {len(items) / t_store:,.0f} designs/s, "
            f"{f_store} fail; loading the rules {t_load:.1f} s"
        )
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
