"""Benchmark: clearance on a city's cables, pipes and trees, and sun hours (issue 15).

Clearance: ours (:func:`openruimte.rules.clearance.check`: one STRtree ``dwithin`` query, vectorised
distances) against what a GIS analyst would do in GeoPandas: buffer the designs by the reach,
``sjoin`` with the cables, then the distance per joined pair and the requirement per network class
from a merged table. Both must find the same conflicts.

Sun hours: ours (rays of every point and step in one STRtree query) against a per-ray loop (each
ray intersected with each building it may hit, as a script would do it) on a sample of points; the
hours must be equal.

Prints the figures, the ratios and the load average (the machine is shared).

    .venv/bin/python bench/clearance_sun.py [--cables 200000] [--trees 50000] [--designs 2000] [--points 400]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from pathlib import Path

import numpy as np
import shapely
from rich.console import Console
from rich.table import Table

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from openruimte.rules import clearance as c  # noqa: E402
from openruimte.rules import shadow as s  # noqa: E402

X0, Y0 = 150_000.0, 450_000.0
SIDE = 8_000.0  # an 8 x 8 km city
TYPES = ["elektriciteit", "gas", "drinkwater", "telecom", "gemengd_riool", "warmte"]


def city(rng: np.random.Generator, n_cables: int, n_trees: int, n_designs: int, table: c.DistanceTable):
    start = rng.uniform([X0, Y0], [X0 + SIDE, Y0 + SIDE], (n_cables, 2))
    angle = rng.uniform(0, np.pi, n_cables)
    length = rng.uniform(10, 80, n_cables)
    end = start + np.stack([np.cos(angle), np.sin(angle)], axis=1) * length[:, None]
    lines = shapely.linestrings(np.stack([start, end], axis=1))
    types = rng.choice(TYPES, n_cables)
    depths = np.where(rng.random(n_cables) < 0.5, np.nan, rng.uniform(0.5, 2.5, n_cables))
    objects = []
    for i in range(n_cables):
        d = None if np.isnan(depths[i]) else float(depths[i])
        objects.append(c.underground_of_asset(key=f"k{i}", asset_type=str(types[i]), geometry=lines[i], table=table,
                                              depth_m=d))  # fmt: skip
    trees = shapely.points(rng.uniform([X0, Y0], [X0 + SIDE, Y0 + SIDE], (n_trees, 2)))
    crowns = rng.uniform(2, 14, n_trees)
    for i in range(n_trees):
        objects.append(
            c.tree(key=f"b{i}", geometry=trees[i], attributes={"crown_diameter_m": float(crowns[i])}, table=table)
        )
    d_start = rng.uniform([X0, Y0], [X0 + SIDE, Y0 + SIDE], (n_designs, 2))
    d_angle = rng.uniform(0, np.pi, n_designs)
    d_end = d_start + np.stack([np.cos(d_angle), np.sin(d_angle)], axis=1) * 150
    axes = shapely.linestrings(np.stack([d_start, d_end], axis=1))
    designs = [
        c.Design(f"d{i}", "sleuf", "trench", shapely.buffer(axes[i], 0.4, cap_style="flat"), 1.2, "bench", None)
        for i in range(n_designs)
    ]
    return designs, objects


def geopandas_clearance(designs, objects, table: c.DistanceTable) -> set[tuple[str, str]]:
    import geopandas as gpd
    import pandas as pd

    reach = max(max(r.horizontal_m for r in table.networks.values()), table.building.horizontal_m,
                max(o.required_m or 0 for o in objects)) + 1.0  # fmt: skip
    d = gpd.GeoDataFrame({"design": [x.key for x in designs], "bottom": [x.bottom_m for x in designs]},
                         geometry=[x.footprint for x in designs], crs=28992)  # fmt: skip
    o = gpd.GeoDataFrame(
        {
            "other": [x.key for x in objects],
            "network": [x.network for x in objects],
            "top": [np.nan if x.top_m is None else x.top_m for x in objects],
            "tree_req": [np.nan if x.required_m is None else x.required_m for x in objects],
        },
        geometry=[x.geometry for x in objects],
        crs=28992,
    )
    zone = d.copy()
    zone["geometry"] = d.buffer(reach)
    pairs = gpd.sjoin(zone, o, predicate="intersects")
    pairs["h"] = (
        d.geometry.loc[pairs.index]
        .reset_index(drop=True)
        .distance(o.geometry.loc[pairs["index_right"]].reset_index(drop=True))
        .to_numpy()
    )
    req = pd.DataFrame(
        [{"network": k, "req_h": r.horizontal_m, "req_v": r.vertical_m} for k, r in table.networks.items()]
    )
    pairs = pairs.merge(req, on="network", how="left")
    pairs["req_h"] = pairs["req_h"].fillna(pairs["tree_req"])
    pairs["v"] = pairs["top"] - pairs["bottom"]
    ok = (pairs["h"] >= pairs["req_h"] - 1e-9) | (pairs["v"] >= pairs["req_v"] - 1e-9)
    bad = pairs[~ok]
    return set(zip(bad["design"], bad["other"], strict=True))


def naive_hours(points, volumes, day, lat, lon, step) -> np.ndarray:
    times = s.day_times(day, step)
    az, el, _ = s.solar_positions(times, lat, lon)
    out = np.zeros(len(points))
    for i, p in enumerate(points):
        for a, e in zip(az, el, strict=True):
            if e <= 0:
                continue
            tan_e = np.tan(np.radians(e))
            reach = min(max(v.height_m for v in volumes) / tan_e, s.MAX_RAY_M)
            ray = shapely.LineString(
                [(p.x, p.y), (p.x + np.sin(np.radians(a)) * reach, p.y + np.cos(np.radians(a)) * reach)]
            )
            blocked = False
            for v in volumes:
                if not ray.intersects(v.footprint):
                    continue
                d = shapely.Point(p.x, p.y).distance(ray.intersection(v.footprint))
                if v.height_m > p.height_m + d * tan_e + 1e-9:
                    blocked = True
                    break
            if not blocked:
                out[i] += step / 60
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cables", type=int, default=200_000)
    ap.add_argument("--trees", type=int, default=50_000)
    ap.add_argument("--designs", type=int, default=2_000)
    ap.add_argument("--points", type=int, default=400)
    ap.add_argument("--buildings", type=int, default=5_000)
    ap.add_argument("--naive-points", type=int, default=10, help="points the per-ray loop runs on (it is slow)")
    ap.add_argument("--no-geopandas", action="store_true")
    args = ap.parse_args()
    console = Console()
    rng = np.random.default_rng(15)
    table = c.load_table()
    console.print(f"load average before: {os.getloadavg()}")
    t0 = time.perf_counter()
    designs, objects = city(rng, args.cables, args.trees, args.designs, table)
    console.print(f"built {len(objects)} objects and {len(designs)} designs in {time.perf_counter() - t0:.1f} s")
    rows = []
    t0 = time.perf_counter()
    results = c.check(designs, objects, table)
    ours = time.perf_counter() - t0
    ours_bad = {(r.design, r.other.key) for r in results if not r.passed}
    rows.append(
        ("clearance: ours (STRtree dwithin, vectorised)", ours, f"{len(results)} pairs, {len(ours_bad)} conflicts")
    )
    if not args.no_geopandas:
        t0 = time.perf_counter()
        gp_bad = geopandas_clearance(designs, objects, table)
        gp = time.perf_counter() - t0
        same = "same conflicts" if gp_bad == ours_bad else f"DIFFER: {len(gp_bad ^ ours_bad)} pairs"
        rows.append(
            (
                "clearance: GeoPandas buffer + sjoin + distance",
                gp,
                f"{len(gp_bad)} conflicts, {same}; ratio {gp / ours:.1f}x",
            )
        )
    # sun hours
    pts = shapely.points(rng.uniform([X0, Y0], [X0 + 2000, Y0 + 2000], (args.points, 2)))
    centres = rng.uniform([X0, Y0], [X0 + 2000, Y0 + 2000], (args.buildings, 2))
    boxes = [shapely.box(x, y, x + 12, y + 10) for x, y in centres]
    heights = rng.uniform(6, 30, args.buildings)
    volumes = [s.Volume(f"g{i}", b, float(h)) for i, (b, h) in enumerate(zip(boxes, heights, strict=True))]
    inside = shapely.STRtree(boxes).query(pts, predicate="intersects")[0]
    points = [s.SunPoint(f"p{i}", p.x, p.y, 1.5) for i, p in enumerate(pts) if i not in set(inside.tolist())]
    lat, lon = s.rd_to_wgs84(X0, Y0)
    day = dt.date(2027, 2, 19)
    t0 = time.perf_counter()
    r = s.sun_hours(points, volumes, day, lat, lon, step_minutes=5)
    sun = time.perf_counter() - t0
    rows.append((f"sun hours: ours, {len(points)} points x {len(r['times'])} steps, {len(volumes)} buildings", sun,
                 f"{sun / len(points) * 1000:.1f} ms per point"))  # fmt: skip
    sample = points[: args.naive_points]
    t0 = time.perf_counter()
    naive = naive_hours(sample, volumes, day, lat, lon, 5)
    slow = time.perf_counter() - t0
    equal = np.allclose(naive, r["hours"][: len(sample)])
    rows.append((f"sun hours: per-ray loop, {len(sample)} points", slow,
                 f"{slow / len(sample) * 1000:.1f} ms per point; ratio per point "
                 f"{(slow / len(sample)) / (sun / len(points)):.1f}x; hours {'equal' if equal else 'DIFFER'}"))  # fmt: skip
    out = Table(title="clearance and sun hours (issue 15)")
    for col in ("what", "seconds", "notes"):
        out.add_column(col)
    for what, secs, note in rows:
        out.add_row(what, f"{secs:.2f}", note)
    console.print(out)
    console.print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
