"""Where the time of ``openruimte analyse --plans`` goes (bench/analyse.py --profile).

Runs the command's library path in this process, stage by stage, with the
resident memory after each stage; then once more under cProfile. The stages call
the same functions the command calls (some of them private), in the same order:

1. ``pyogrio.raw.read``: the GeoPackage into arrays (what GDAL does);
2. ``gpkg_format.read_table`` minus 1: one dict of plain Python values per row;
3. ``exchange._build``: column mapping, CRS/bounds check, ``Plan.from_record`` per row;
4. ``PlanColumns.from_plans``: plans to numpy columns;
5. ``find_couplings`` / ``find_conflicts``: STRtree query, rules, exact distance;
6. ``shared_length``: the explanation's buffers and intersections;
7. ``_coupling_records`` minus 6, ``_conflict_records``: one dict (and text) per pair;
8. ``write_json``: ``json.dumps(indent=1)`` and writing.
"""

from __future__ import annotations

import cProfile
import inspect
import io
import pstats
import time
from pathlib import Path
from typing import Any

import numpy as np

from openruimte.analysis import couplings as cp
from openruimte.analysis.arrays import PlanColumns
from openruimte.analysis.pairs import BEHEER, Parameters, _near_pairs, find_conflicts, find_couplings
from openruimte.io import exchange, gpkg_format
from openruimte.io.columns import KINDS
from openruimte.io.crs import normalise_crs
from openruimte.services import analyse as analysing


def _shared_length(cols: PlanColumns, c: Any, distance: float) -> np.ndarray:
    """``couplings.shared_length`` with whichever signature it has (it changed: now it
    takes all geometries and the pair rows, so each plan is buffered once)."""
    if "geoms" in inspect.signature(cp.shared_length).parameters:
        return cp.shared_length(cols.geoms, c.a, c.b, distance)
    return cp.shared_length(cols.geoms[c.a], cols.geoms[c.b], distance)


def rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def stages(path: Path, out: Path) -> list[tuple[str, float, float, bool, float]]:
    """[(stage, seconds, RSS MB after it, counts in the total, CPU seconds)] for one run of
    the command's work on ``path``; stages "measured alone" repeat part of a later one."""
    from pyogrio.raw import read

    rows: list[tuple[str, float, float, bool, float]] = []
    cpu = [time.process_time()]
    params = Parameters()

    def mark(label: str, t0: float) -> float:
        t = time.perf_counter()
        c = time.process_time()
        rows.append((label, t - t0, rss_mb(), "[measured alone]" not in label, c - cpu[0]))
        cpu[0] = c
        return t

    t = time.perf_counter()
    read(path, layer="plans")
    t = mark("pyogrio.raw.read (GDAL, arrays)", t)
    table = gpkg_format.read_table(path, crs=normalise_crs("EPSG:28992"), kind_name="plans")
    t_table = time.perf_counter() - t
    c = time.process_time()
    label = "gpkg_format.read_table minus raw read: row dicts, _plain()"
    rows.append((label, t_table - rows[0][1], rss_mb(), True, c - cpu[0] - rows[0][4]))
    cpu[0] = c
    t = time.perf_counter()
    result = exchange.ReadResult(kind="plans", source=table.source, crs=table.crs, rows=len(table.rows))
    exchange._build(table, KINDS["plans"], result, owner=None, make_valid=False, level=None, layer_name=path.stem)
    result.raise_if_errors()
    plans = result.items
    del table
    t = mark("exchange._build: Plan.from_record per row (+bounds, duplicates)", t)
    cols = PlanColumns.from_plans(plans)
    t = mark("PlanColumns.from_plans", t)
    eligible = np.flatnonzero(cols.scheduled & (cols.phase != BEHEER))
    _near_pairs(cols.geoms[eligible], cols.geoms[eligible], params.max_distance_m, None)
    t = mark("  of which: STRtree build + dwithin query (couplings) [measured alone]", t)
    c = find_couplings(cols, params)
    t = mark("find_couplings (tree query, rules, exact distance)", t)
    k = find_conflicts(cols, params)
    t = mark("find_conflicts", t)
    shared = _shared_length(cols, c, params.max_distance_m)
    t = mark("shared_length: buffers + intersections [measured alone]", t)
    del shared
    couplings = cp._coupling_records(plans, cols, c, params, cp.UnitCosts())
    t = mark("_coupling_records (shared_length again + dict/text per pair)", t)
    conflicts = cp._conflict_records(plans, cols, k, params)
    t = mark("_conflict_records", t)
    res = cp.PlanAnalysis(
        parameters=params,
        plans=len(plans),
        unscheduled=sorted(cols.keys[~cols.scheduled].tolist()),
        couplings=couplings,
        conflicts=conflicts,
    )
    t = mark("unscheduled list", t)
    analysing.write_json(res, out)
    mark("write_json (json.dumps indent=1 + write)", t)
    return rows


def cprofile(path: Path, out: Path, top: int = 25) -> tuple[str, float]:
    """cProfile of the command's library path; (the top functions by own time, total seconds)."""

    def work() -> Any:
        plans = analysing.plans_from_file(path)
        result = analysing.analyse(plans, Parameters())
        analysing.write_json(result, out)

    prof = cProfile.Profile()
    t0 = time.perf_counter()
    prof.runcall(work)
    total = time.perf_counter() - t0
    buf = io.StringIO()
    stats = pstats.Stats(prof, stream=buf)
    stats.sort_stats("tottime").print_stats(top)
    buf.write("\n")
    stats.sort_stats("cumulative").print_stats(top)
    return buf.getvalue(), total


def main() -> None:
    """``python bench/_profile.py PLANS.gpkg OUTDIR``: stages.json and cprofile.txt in OUTDIR
    (a fresh process, so the memory figures are the command's own)."""
    import json
    import sys

    path, out_dir = Path(sys.argv[1]), Path(sys.argv[2])
    rows = stages(path, out_dir / "profile-result.json")
    text, secs = cprofile(path, out_dir / "profile-result.json")
    (out_dir / "cprofile.txt").write_text(text)
    (out_dir / "stages.json").write_text(
        json.dumps(
            {
                "stages": [{"stage": a, "s": b, "rss_mb": c, "counts": d, "cpu_s": e} for a, b, c, d, e in rows],
                "cprofile_s": secs,
            }
        )
    )


if __name__ == "__main__":
    main()
