"""Where the time of ``openruimte analyse --plans`` goes (bench/analyse.py --profile).

Runs the command's library path (the columnar one, issue 12) in this process, stage by
stage, with the wall and CPU time and the resident memory after each stage; then once
more under cProfile. The stages call the same functions the command calls, in the
same order, but one after the other (the command overlaps the shared lengths of the
next chunk with the records of this one, on two threads):

1. imports of the command's path (numpy, shapely, pyogrio, pyarrow, orjson);
2. ``columns_from_file``: the GeoPackage through pyogrio's Arrow interface into checked columns;
3. ``find_couplings`` / ``find_conflicts``: STRtree query, rules, exact distance;
4. ``shared_length``: the exact near lengths (analysis/near.py) and the areas' overlays;
5. ``coupling_records`` (given the shared lengths), ``conflict_records``: records and Dutch text;
6. orjson: encoding the records and writing the file.
"""

from __future__ import annotations

import cProfile
import gc
import io
import pstats
import time
from pathlib import Path
from typing import Any

_T0 = (time.perf_counter(), time.process_time())

import orjson  # noqa: E402

from openruimte.analysis.couplings import UnitCosts, shared_length  # noqa: E402
from openruimte.analysis.pairs import Parameters, find_conflicts, find_couplings  # noqa: E402
from openruimte.analysis.records import conflict_records, coupling_records  # noqa: E402
from openruimte.io.gpkg_format import import_pyogrio  # noqa: E402
from openruimte.services import analyse_columns as run  # noqa: E402

import_pyogrio()
_IMPORTED = (time.perf_counter(), time.process_time())


def rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def stages(path: Path, out: Path) -> list[tuple[str, float, float, bool, float]]:
    """[(stage, seconds, RSS MB after it, counts in the total, CPU seconds)] for one run of
    the command's work on ``path`` (the garbage collector paused, as in the command)."""
    rows: list[tuple[str, float, float, bool, float]] = [
        (
            "imports (numpy, shapely, pyogrio, pyarrow, orjson, openruimte)",
            _IMPORTED[0] - _T0[0],
            rss_mb(),
            True,
            _IMPORTED[1] - _T0[1],
        ),
    ]
    cpu = [time.process_time()]
    params = Parameters()

    def mark(label: str, t0: float) -> float:
        t = time.perf_counter()
        c = time.process_time()
        rows.append((label, t - t0, rss_mb(), True, c - cpu[0]))
        cpu[0] = c
        return t

    gc.disable()
    try:
        t = time.perf_counter()
        cols = run.columns_from_file(path)
        t = mark("columns_from_file (Arrow read, checks, columns)", t)
        c = find_couplings(cols, params)
        t = mark("find_couplings (tree query, rules, exact distance)", t)
        k = find_conflicts(cols, params)
        t = mark("find_conflicts", t)
        shared = shared_length(cols.geoms, c.a, c.b, params.max_distance_m)
        t = mark("shared_length (exact near lengths, areas' overlays)", t)
        couplings = coupling_records(cols, c, params, UnitCosts(), shared=shared)
        t = mark("coupling_records (dicts and Dutch text, given the shared lengths)", t)
        conflicts = conflict_records(cols, k, params)
        t = mark("conflict_records", t)
        document = {
            "parameters": params.as_dict(),
            "plans": len(cols),
            "unscheduled": sorted(cols.keys[~cols.scheduled].tolist()),
            "couplings": couplings,
            "conflicts": conflicts,
        }
        out.write_bytes(orjson.dumps(document))
        mark("unscheduled list, orjson and writing", t)
    finally:
        gc.enable()
    return rows


def cprofile(path: Path, out: Path, top: int = 25) -> tuple[str, float]:
    """cProfile of the command's library path; (the top functions by own time, total seconds)."""

    def work() -> Any:
        cols = run.columns_from_file(path)
        result = run.find_pairs(cols, Parameters())
        result.write(out)

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
