"""Benchmark of ``openruimte analyse`` (issue 3): couplings and no-dig conflicts over
10k, 100k and 1M plans of realistic shape, against what one would use instead.

On identical input (one GeoPackage per size, written once by ``openruimte.io.write``):

1. OURS: the whole command as a subprocess,
   ``openruimte analyse --plans FILE --out result.json`` (file in, JSON out);
2. GEOPANDAS: ``gpd.read_file`` (pyogrio), ``sjoin(predicate="dwithin")`` and vectorised
   pandas filters for the rules, pairs to JSON (bench/_geopandas.py), as a subprocess;
3. POSTGIS: the rows COPYed into PostGIS, GiST index, ANALYZE (timed apart: "load"),
   then one SQL statement for the couplings and one for the conflicts, pairs fetched
   (bench/_postgis.py). Its memory is the server backend's peak RSS (VmHWM).

Wall time and peak RSS of the subprocesses come from ``os.wait4`` (the child's own
rusage). The three pair sets, couplings (a, b, gap_days) and conflicts (renewal, plan,
overlap_days), and the unscheduled lists must be IDENTICAL: any difference is printed
and the benchmark exits with status 1.

    .venv/bin/python bench/analyse.py [--sizes 10000,100000] [--seed 2026]
        [--no-geopandas] [--no-postgis] [--profile] [--formats] [--timeout 1200]
        [--workdir /tmp/openruimte-bench-analyse] [--report figures.json]
        [--store] [--dask 1,2] [--repeat N]

``--store`` adds ours from a SQLite store (the plans imported once, timed apart), and
``--dask 1,2`` ``--engine dask`` on LocalClusters of 1 and 2 workers (issue 12). With
``--repeat N`` the engines run in N alternating rounds (ours, GeoPandas, store, Dask,
then again), the fastest of each counts.

``--sizes 10000,100000,1000000`` adds the 1M run (generating 1M plans takes a few minutes
the first time; the files are kept in --workdir and reused).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from rich.console import Console
from rich.table import Table

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(ROOT))

import _plans  # noqa: E402

PYTHON = Path(sys.executable)
OPENRUIMTE = PYTHON.parent / "openruimte"
console = Console() if sys.stdout.isatty() else Console(width=180)


@dataclass
class Run:
    engine: str
    status: str = "ok"  # ok, timed out, failed: ..., skipped
    wall_s: float | None = None
    cpu_s: float | None = None  # user + system
    peak_mb: float | None = None
    couplings: int | None = None
    conflicts: int | None = None
    note: str = ""
    detail: dict[str, float] = field(default_factory=dict)


@dataclass
class Pairs:
    couplings: set[tuple[str, str, int]]
    conflicts: set[tuple[str, str, int]]
    unscheduled: list[str]
    coupling_dist: dict[tuple[str, str], float]
    conflict_dist: dict[tuple[str, str], float]


# --------------------------------------------------------------------------- input


def plans_file(n: int, seed: int, workdir: Path) -> tuple[Path, dict[str, Any]]:
    """The plans of size n as a GeoPackage, generated and written once (kept in workdir)."""
    path = workdir / f"plans-{n}-seed{seed}-v{_plans.VERSION}.gpkg"
    info: dict[str, Any] = {"file": str(path)}
    if not path.exists():
        from openruimte import io

        with console.status(f"generating {n:,} plans"):
            t0 = time.perf_counter()
            plans = _plans.make_plans(n, seed)
            t1 = time.perf_counter()
            tmp = path.with_suffix(".tmp.gpkg")
            io.write(tmp, "plans", plans)
            tmp.rename(path)
            t2 = time.perf_counter()
        info.update(generate_s=t1 - t0, write_s=t2 - t1)
        del plans
    info["size_mb"] = path.stat().st_size / 1e6
    return path, info


# --------------------------------------------------------------------------- running


TIME = shutil.which("time") or ("/usr/bin/time" if Path("/usr/bin/time").exists() else None)


def run_child(cmd: list[str], timeout_s: float, log: Path) -> tuple[str, float, float, float]:
    """(status, wall seconds, peak RSS MB, CPU seconds) of a subprocess; killed (whole group)
    at the timeout. CPU is user + system time, which other load on the machine disturbs less
    than wall time.

    Peak RSS comes from GNU time (``/usr/bin/time -v``: the child is forked from the small
    ``time`` process). Without it, from ``os.wait4``; Linux then counts the RSS this
    process had when it forked the child as a floor, so small figures are too high."""
    rss_file = log.with_suffix(".time")
    wrapped = [TIME, "-v", "-o", str(rss_file), *cmd] if TIME else cmd
    with open(log, "w") as out:
        t0 = time.perf_counter()
        proc = subprocess.Popen(wrapped, stdout=out, stderr=subprocess.STDOUT, start_new_session=True, cwd=log.parent)
        fired = threading.Event()

        def kill() -> None:
            fired.set()
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

        timer = threading.Timer(timeout_s, kill)
        timer.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        timer.cancel()
        proc.returncode = os.waitstatus_to_exitcode(status)
    peak = usage.ru_maxrss / 1024  # KiB on Linux
    cpu = usage.ru_utime + usage.ru_stime
    if TIME and rss_file.exists():
        for line in rss_file.read_text().splitlines():
            if "User time (seconds)" in line or "System time (seconds)" in line:
                cpu = (0.0 if "User time" in line else cpu) + float(line.rsplit(":", 1)[1])
            if "Maximum resident set size" in line:
                peak = int(line.rsplit(":", 1)[1]) / 1024
            if "Command exited with non-zero status" in line and proc.returncode == 0:
                proc.returncode = int(line.rsplit(" ", 1)[1])
    if fired.is_set():
        return f"timed out after {timeout_s:.0f} s", wall, peak, cpu
    if proc.returncode != 0:
        tail = log.read_text(errors="replace").strip().splitlines()[-1:] or ["?"]
        return f"failed (exit {proc.returncode}): {tail[0][:160]}", wall, peak, cpu
    return "ok", wall, peak, cpu


def best_of(cmd: list[str], timeout_s: float, log: Path, repeat: int) -> tuple[str, float, float, float]:
    """The fastest of ``repeat`` runs (stops at the first that does not succeed)."""
    best: tuple[str, float, float, float] | None = None
    for _ in range(max(1, repeat)):
        status, wall, peak, cpu = run_child(cmd, timeout_s, log)
        if status != "ok":
            return status, wall, peak, cpu
        if best is None or wall < best[1]:
            best = (status, wall, peak, cpu)
    assert best is not None
    return best


def pairs_of_json(path: Path) -> Pairs:
    doc = json.loads(path.read_text(encoding="utf-8"))
    p = Pairs(
        couplings={(c["a"], c["b"], int(c["gap_days"])) for c in doc["couplings"]},
        conflicts={(k["renewal"], k["plan"], int(k["overlap_days"])) for k in doc["conflicts"]},
        unscheduled=list(doc["unscheduled"]),
        coupling_dist={(c["a"], c["b"]): float(c["distance_m"]) for c in doc["couplings"]},
        conflict_dist={(k["renewal"], k["plan"]): float(k["distance_m"]) for k in doc["conflicts"]},
    )
    return p


def run_ours(path: Path, out: Path, timeout_s: float, repeat: int) -> tuple[Run, Pairs | None]:
    run = Run("ours: openruimte analyse (file -> JSON)")
    status, wall, peak, cpu = best_of(
        [str(OPENRUIMTE), "analyse", "--plans", str(path), "--out", str(out)],
        timeout_s,
        out.with_suffix(".log"),
        repeat,
    )
    if status.startswith("failed"):
        console.print(f"[red bold]openruimte analyse failed[/]: {status}\n  (log: {out.with_suffix('.log')})")
        console.print("[yellow]measuring the same library calls without the CLI instead (bench/_ours.py)[/]")
        run = Run("ours: library path (CLI failed)", note="CLI " + status[:60])
        status, wall, peak, cpu = best_of(
            [str(PYTHON), str(BENCH / "_ours.py"), str(path), str(out)], timeout_s, out.with_suffix(".lib.log"), repeat
        )
    run.status, run.wall_s, run.peak_mb, run.cpu_s = status, wall, peak, cpu
    if status != "ok":
        return run, None
    pairs = pairs_of_json(out)
    run.couplings, run.conflicts = len(pairs.couplings), len(pairs.conflicts)
    return run, pairs


def run_geopandas(path: Path, out: Path, timeout_s: float, repeat: int) -> tuple[Run, Pairs | None]:
    import geopandas

    run = Run(f"GeoPandas {geopandas.__version__}: read_file, sjoin dwithin")
    status, wall, peak, cpu = best_of(
        [str(PYTHON), str(BENCH / "_geopandas.py"), str(path), str(out)], timeout_s, out.with_suffix(".log"), repeat
    )
    run.status, run.wall_s, run.peak_mb, run.cpu_s = status, wall, peak, cpu
    if status != "ok":
        return run, None
    pairs = pairs_of_json(out)
    run.couplings, run.conflicts = len(pairs.couplings), len(pairs.conflicts)
    return run, pairs


def run_dask(path: Path, out: Path, timeout_s: float, repeat: int, workers: int) -> tuple[Run, Pairs | None]:
    """``openruimte analyse --engine dask --workers N`` (a LocalCluster of N worker processes)."""
    run = Run(f"ours: --engine dask, LocalCluster {workers} worker{'s' if workers > 1 else ''}")
    log = out.with_suffix(".log")
    cmd = [str(OPENRUIMTE), "analyse", "--plans", str(path), "--out", str(out), "--engine", "dask"]
    status, wall, peak, cpu = best_of([*cmd, "--workers", str(workers)], timeout_s, log, repeat)
    run.status, run.wall_s, run.peak_mb, run.cpu_s = status, wall, peak, cpu
    if status != "ok":
        return run, None
    line = next((x for x in log.read_text(errors="replace").splitlines() if x.startswith("dask:")), "")
    if line:
        run.note = line.removeprefix("dask: ").replace("peak memory per worker", "worker peak")
    run.note += "; CPU and peak MB of the client process tree (peak: the largest process)"
    pairs = pairs_of_json(out)
    run.couplings, run.conflicts = len(pairs.couplings), len(pairs.conflicts)
    return run, pairs


def run_store(path: Path, workdir: Path, out: Path, timeout_s: float, repeat: int) -> tuple[Run, Run, Pairs | None]:
    """Ours from the store: the plans imported into a SQLite store once (the load, timed
    apart), then the whole command ``openruimte analyse --db STORE --out`` (one query for
    the plans as WKB, the analysis, the result saved in the store and written)."""
    db = workdir / f"{path.stem}.sqlite"
    load = Run("ours: store load, openruimte import (not compared)")
    if not db.exists():
        tmp = db.with_suffix(".tmp.sqlite")
        tmp.unlink(missing_ok=True)
        url = f"sqlite:///{tmp}"
        status, wall, _peak, _cpu = run_child(
            [str(OPENRUIMTE), "import", "plans", str(path), "--db", url], 4 * timeout_s, out.with_suffix(".import.log")
        )
        load.status, load.wall_s = status, wall
        if status != "ok":
            return load, Run("ours: openruimte analyse --db (SQLite store)", status=status), None
        tmp.rename(db)
    else:
        load.note = f"reused {db.name}"
    run = Run("ours: openruimte analyse --db (SQLite store)")
    status, wall, peak, cpu = best_of(
        [str(OPENRUIMTE), "analyse", "--db", f"sqlite:///{db}", "--out", str(out)],
        timeout_s,
        out.with_suffix(".log"),
        repeat,
    )
    run.status, run.wall_s, run.peak_mb, run.cpu_s = status, wall, peak, cpu
    if status != "ok":
        return load, run, None
    pairs = pairs_of_json(out)
    run.couplings, run.conflicts = len(pairs.couplings), len(pairs.conflicts)
    return load, run, pairs


def keep_best(best: dict[str, tuple[Run, Pairs | None]], run: Run, pairs: Pairs | None) -> None:
    """The fastest run of an engine over the alternating rounds (a failed one always shows)."""
    old = best.get(run.engine)
    if old is None or (run.status != "ok") or (old[0].status == "ok" and (run.wall_s or 1e9) < (old[0].wall_s or 1e9)):
        if old is None or old[0].status == "ok":
            best[run.engine] = (run, pairs)


class PostGIS:
    """One throwaway cluster for the whole benchmark (tests/support/postgis.py)."""

    def __init__(self) -> None:
        self.cluster: Any = None

    def url(self, name: str) -> str:
        from tests.support.postgis import Cluster, new_database

        if self.cluster is None:
            with console.status("starting a throwaway PostgreSQL + PostGIS"):
                self.cluster = Cluster().start()
        return new_database(self.cluster.admin_url, name)

    def drop(self, name: str) -> None:
        import sqlalchemy as sa

        engine = sa.create_engine(self.cluster.admin_url, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
        finally:
            engine.dispose()

    def version(self, url: str) -> str:
        import psycopg

        with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as conn:
            pg = conn.execute("SHOW server_version").fetchone()[0].split()[0]
            gis = conn.execute("SELECT postgis_lib_version()").fetchone()[0]
        return f"PostGIS {gis} (PG {pg})"

    def postmaster_pid(self) -> int | None:
        try:
            return int((self.cluster.data / "postmaster.pid").read_text().split()[0])
        except (OSError, ValueError, AttributeError):
            return None

    def stop(self) -> None:
        if self.cluster is not None:
            self.cluster.stop()


def run_postgis(
    pg: PostGIS, path: Path, n: int, timeout_s: float, repeat: int
) -> tuple[Run, list[tuple[Run, Pairs | None]]]:
    """The load, and per query variant (default settings, jit = off) its run and pairs."""
    import _postgis

    name = f"bench_analyse_{n}"
    load = Run("PostGIS load (not compared)")
    try:
        url = pg.url(name)
        version = pg.version(url)
        with console.status(f"PostGIS: loading and querying {n:,} plans"):
            res = _postgis.run(url, str(path), timeout_s, repeat, postmaster=pg.postmaster_pid())
    except Exception as err:  # timeouts (QueryCanceled), an unavailable server
        msg = str(err).strip().splitlines()[0][:160] if str(err).strip() else type(err).__name__
        status = f"timed out after {timeout_s:.0f} s" if "statement timeout" in msg else f"failed: {msg}"
        load.status = status
        return load, [(Run("PostGIS: 2 queries", status=status), None)]
    finally:
        if pg.cluster is not None:
            try:
                pg.drop(name)
            except Exception as err:  # noqa: BLE001 - cleaning up only
                console.print(f"[yellow]could not drop {name}: {err}[/]")
    load.wall_s = sum(res.load_s.values())
    load.detail = res.load_s
    load.note = ", ".join(f"{k} {v:.1f} s" for k, v in res.load_s.items())
    out: list[tuple[Run, Pairs | None]] = []
    for variant, q in res.queries.items():
        run = Run(f"{version}: 2 queries, {variant}")
        run.wall_s = sum(q.seconds.values())
        run.detail = q.seconds
        run.peak_mb = q.backend_peak_mb
        run.cpu_s = q.cpu_s
        run.note = ", ".join(f"{k} {v:.1f} s" for k, v in q.seconds.items()) + "; memory: backend peak RSS"
        pairs = Pairs(
            couplings={(a, b, int(g)) for a, b, _d, g in q.couplings},
            conflicts={(r, x, int(o)) for r, x, _d, o in q.conflicts},
            unscheduled=q.unscheduled,
            coupling_dist={(a, b): round(float(d), 3) for a, b, d, _g in q.couplings},
            conflict_dist={(r, x): round(float(d), 3) for r, x, d, _o in q.conflicts},
        )
        run.couplings, run.conflicts = len(pairs.couplings), len(pairs.conflicts)
        out.append((run, pairs))
    return load, out


# --------------------------------------------------------------------------- checking


def compare(label: str, ours: Pairs, other: Pairs) -> list[str]:
    """Differences between ``other`` and ours (empty when identical)."""
    problems: list[str] = []
    for what, a, b in (("couplings", ours.couplings, other.couplings), ("conflicts", ours.conflicts, other.conflicts)):
        if a != b:
            only_ours, only_other = sorted(a - b), sorted(b - a)
            problems.append(
                f"{label}: {what} differ: {len(only_ours)} only in ours {only_ours[:5]}, "
                f"{len(only_other)} only in {label} {only_other[:5]}"
            )
    if ours.unscheduled != other.unscheduled:
        problems.append(f"{label}: unscheduled lists differ ({len(ours.unscheduled)} vs {len(other.unscheduled)})")
    return problems


def max_distance_diff(ours: Pairs, other: Pairs) -> float:
    diffs = [abs(d - other.coupling_dist[k]) for k, d in ours.coupling_dist.items() if k in other.coupling_dist]
    diffs += [abs(d - other.conflict_dist[k]) for k, d in ours.conflict_dist.items() if k in other.conflict_dist]
    return max(diffs, default=0.0)


# --------------------------------------------------------------------------- formats


def formats(path: Path, n: int, workdir: Path) -> Table:
    """GeoPackage against FlatGeobuf (and our other readable encodings up to 100k):
    size on disk and read times."""
    import geopandas as gpd
    from pyogrio.raw import read, write

    from openruimte import io

    files = {"GeoPackage": path}
    fgb = workdir / f"{path.stem}.fgb"
    if not fgb.exists():
        meta, _f, geoms, fields = read(path)
        write(fgb, geoms, fields, meta["fields"], driver="FlatGeobuf", crs=meta["crs"], geometry_type="Unknown")
    files["FlatGeobuf"] = fgb
    if n <= 100_000:
        plans = io.read(path, "plans").items
        for label, ext in (("CSV (WKT)", "csv"), ("GeoJSON", "geojson")):
            f = workdir / f"{path.stem}.{ext}"
            if not f.exists():
                io.write(f, "plans", plans)
            files[label] = f
        del plans
    table = Table(title=f"{n:,} plans: file formats (read times in s)")
    for col in ("format", "MB", "pyogrio.raw.read", "gpd.read_file", "gpd.read_file arrow", "openruimte.io.read"):
        table.add_column(col, justify="right")

    def timed(fn: Any) -> str:
        t0 = time.perf_counter()
        try:
            fn()
        except Exception as err:  # an encoding a reader does not take
            return f"[dim]{type(err).__name__}[/]"
        return f"{time.perf_counter() - t0:.2f}"

    try:
        import pyarrow  # noqa: F401

        has_arrow = True
    except ImportError:
        has_arrow = False
    for label, f in files.items():
        ours = (
            timed(lambda f=f: io.read(f, "plans").raise_if_errors())
            if n <= 100_000 or label == "GeoPackage"
            else "[dim]not run[/]"
        )
        if label == "FlatGeobuf":
            try:
                io.format_of(f)
            except Exception:
                ours = "[dim]not readable[/]"
        arrow = timed(lambda f=f: gpd.read_file(f, use_arrow=True)) if has_arrow else "[dim]no pyarrow[/]"
        table.add_row(
            label,
            f"{f.stat().st_size / 1e6:.1f}",
            timed(lambda f=f: read(f)) if label in ("GeoPackage", "FlatGeobuf") else "[dim]-[/]",
            timed(lambda f=f: gpd.read_file(f)),
            arrow,
            ours,
        )
    return table


# --------------------------------------------------------------------------- report


def ratio(other: Run, ours: Run, what: str = "wall_s") -> str:
    a, b = getattr(other, what), getattr(ours, what)
    if other.status != "ok" or ours.status != "ok" or not b or a is None:
        return "-"
    return f"{a / b:.2f}"


def size_table(n: int, runs: list[Run], ours: Run, info: dict[str, Any]) -> Table:
    table = Table(
        title=f"{n:,} plans ({info['size_mb']:.0f} MB GeoPackage, {info.get('towns', '?')} towns): couplings and no-dig conflicts"
    )
    for col, just in (
        ("engine", "left"),
        ("wall s", "right"),
        ("CPU s", "right"),
        ("peak MB", "right"),
        ("couplings", "right"),
        ("conflicts", "right"),
        ("wall / ours", "right"),
        ("CPU / ours", "right"),
        ("status / notes", "left"),
    ):
        table.add_column(col, justify=just)  # type: ignore[arg-type]
    for r in runs:
        compared = not r.engine.startswith("PostGIS load") and "(not compared)" not in r.engine
        table.add_row(
            r.engine,
            f"{r.wall_s:.2f}" if r.wall_s is not None and r.status == "ok" else "-",
            f"{r.cpu_s:.2f}" if r.cpu_s is not None and r.status == "ok" else "-",
            f"{r.peak_mb:,.0f}" if r.peak_mb is not None and r.status == "ok" else "-",
            f"{r.couplings:,}" if r.couplings is not None else "-",
            f"{r.conflicts:,}" if r.conflicts is not None else "-",
            ratio(r, ours) if compared and r is not ours else ("1.00" if r is ours and r.status == "ok" else "-"),
            ratio(r, ours, "cpu_s")
            if compared and r is not ours
            else ("1.00" if r is ours and r.status == "ok" else "-"),
            (r.status if r.status != "ok" else "") + (("; " if r.status != "ok" and r.note else "") + r.note),
        )
    return table


def targets(n: int, ours: Run, runs: list[Run]) -> list[str]:
    lines = []
    if n == 100_000:
        for r in runs:
            if r is ours or "(not compared)" in r.engine or r.engine.startswith("PostGIS load"):
                continue
            if r.engine.startswith("ours") or r.status != "ok" or ours.status != "ok":
                continue
            x = r.wall_s / ours.wall_s  # type: ignore[operator]
            cpu = f", CPU {r.cpu_s / ours.cpu_s:.2f}x" if r.cpu_s and ours.cpu_s else ""
            lines.append(
                f"target at 100k: ours >= 3x faster than {r.engine.split(':')[0]}: "
                + (f"[green]met[/] ({x:.2f}x{cpu})" if x >= 3 else f"[red]NOT met[/] (wall {x:.2f}x{cpu})")
            )
    store = next((r for r in runs if r.engine.startswith("ours: openruimte analyse --db") and r.status == "ok"), None)
    if n == 100_000 and store is not None:
        for r in runs:
            if r.engine.startswith("PostGIS") and "queries" in r.engine and r.status == "ok":
                x = r.wall_s / store.wall_s  # type: ignore[operator]
                lines.append(
                    f"target at 100k: ours from the store >= 3x faster than {r.engine}: "
                    + (f"[green]met[/] ({x:.2f}x)" if x >= 3 else f"[red]NOT met[/] (wall {x:.2f}x)")
                )
    if n == 1_000_000 and ours.status == "ok":
        ok_t, ok_m = ours.wall_s <= 60, ours.peak_mb <= 4096  # type: ignore[operator]
        lines.append(
            f"target at 1M: <= 60 s: {'[green]met[/]' if ok_t else '[red]NOT met[/]'} "
            f"({ours.wall_s:.1f} s wall, {ours.cpu_s or float('nan'):.1f} s CPU); "
            f"<= 4 GB: {'[green]met[/]' if ok_m else '[red]NOT met[/]'} ({ours.peak_mb:,.0f} MB)"
        )
    elif n == 1_000_000:
        lines.append(f"target at 1M: [red]NOT met[/] (ours {ours.status})")
    return lines


def profile(path: Path, out_dir: Path, n: int, timeout_s: float, report: dict[str, Any]) -> None:
    """Ours stage by stage and under cProfile, in a fresh process (bench/_profile.py)."""
    with console.status(f"profiling ours on {n:,} plans"):
        status, wall, _peak, _cpu = run_child(
            [str(PYTHON), str(BENCH / "_profile.py"), str(path), str(out_dir)], 2 * timeout_s, out_dir / "profile.log"
        )
    if status != "ok":
        console.print(f"[red]profiling failed: {status}[/]")
        return
    data = json.loads((out_dir / "stages.json").read_text())
    rows = data["stages"]
    t = Table(title=f"{n:,} plans: where ours spends its time (library path, stage by stage)")
    for col in ("stage", "wall s", "CPU s", "share of CPU", "RSS after, MB"):
        t.add_column(col, justify="right" if col != "stage" else "left")
    total = sum(r["s"] for r in rows if r["counts"])
    total_cpu = sum(r.get("cpu_s", 0.0) for r in rows if r["counts"]) or float("nan")
    for r in rows:
        cpu = r.get("cpu_s", float("nan"))
        t.add_row(r["stage"], f"{r['s']:.2f}", f"{cpu:.2f}", f"{100 * cpu / total_cpu:.0f} %", f"{r['rss_mb']:,.0f}")
    t.add_row(
        "total (a stage 'measured alone' repeats part of the next one)", f"{total:.2f}", f"{total_cpu:.2f}", "", ""
    )
    console.print(t)
    text = (out_dir / "cprofile.txt").read_text()
    console.print(
        f"cProfile ({data['cprofile_s']:.1f} s under the profiler), top by own time; "
        f"by cumulative time too in {out_dir / 'cprofile.txt'}:"
    )
    console.print(text.split("\n\n\n")[0][:7000], highlight=False, markup=False)
    report["profile"] = rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="10000,100000", help="comma-separated plan counts (1000000 for the 1M run)")
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--workdir", type=Path, default=Path("/tmp/openruimte-bench-analyse"))
    ap.add_argument("--timeout", type=float, default=1200, help="seconds per engine and size")
    ap.add_argument("--repeat", type=int, default=1, help="runs per engine; the fastest counts")
    ap.add_argument("--no-geopandas", action="store_true")
    ap.add_argument("--no-postgis", action="store_true")
    ap.add_argument("--profile", action="store_true", help="also profile ours in-process (stages + cProfile)")
    ap.add_argument("--formats", action="store_true", help="also compare file formats (GPKG, FlatGeobuf, ...)")
    ap.add_argument("--report", type=Path, help="write the figures as JSON here")
    ap.add_argument(
        "--dask", default="", help="also run --engine dask on LocalClusters of these worker counts, e.g. 1,2"
    )
    ap.add_argument("--store", action="store_true", help="also run ours from a SQLite store (imported once)")
    args = ap.parse_args()
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    args.workdir.mkdir(parents=True, exist_ok=True)
    console.print(
        f"OpenRuimte analyse benchmark: sizes {', '.join(f'{n:,}' for n in sizes)}, seed {args.seed}, "
        f"{os.cpu_count()} cores, work dir {args.workdir}"
    )
    pg = PostGIS()

    def terminated(signum: int, _frame: Any) -> None:
        raise SystemExit(f"stopped by signal {signum}")  # so the cluster is stopped below

    signal.signal(signal.SIGTERM, terminated)
    problems: list[str] = []
    report: dict[str, Any] = {"seed": args.seed, "cores": os.cpu_count(), "sizes": {}}
    try:
        for n in sizes:
            path, info = plans_file(n, args.seed, args.workdir)
            info["towns"] = len(_plans._towns(n, np.random.default_rng(args.seed)).cx)
            info["extent"] = _plans.extent_for(n)
            out_dir = args.workdir / f"out-{n}"
            shutil.rmtree(out_dir, ignore_errors=True)
            out_dir.mkdir()
            if args.formats:
                console.print(formats(path, n, args.workdir))
            runs: list[Run] = []
            load_before = os.getloadavg()[0]
            # alternating rounds: ours, GeoPandas, the store, Dask, then again (the fastest of each counts)
            best: dict[str, tuple[Run, Pairs | None]] = {}
            order: list[str] = []
            for _round in range(max(1, args.repeat)):
                with console.status(f"ours: openruimte analyse on {n:,} plans"):
                    run, pairs = run_ours(path, out_dir / "ours.json", args.timeout, 1)
                keep_best(best, run, pairs)
                order.append(run.engine)
                if not args.no_geopandas:
                    with console.status(f"GeoPandas on {n:,} plans"):
                        run, pairs = run_geopandas(path, out_dir / "geopandas.json", args.timeout, 1)
                    keep_best(best, run, pairs)
                    order.append(run.engine)
                if args.store:
                    with console.status(f"ours from the store on {n:,} plans"):
                        load, run, pairs = run_store(path, args.workdir, out_dir / "store.json", args.timeout, 1)
                    best.setdefault(load.engine, (load, None))
                    keep_best(best, run, pairs)
                    order += [run.engine, load.engine]
                for w in [int(x) for x in args.dask.split(",") if x.strip()]:
                    with console.status(f"Dask, {w} workers, on {n:,} plans"):
                        run, pairs = run_dask(path, out_dir / f"dask{w}.json", args.timeout, 1, w)
                    keep_best(best, run, pairs)
                    order.append(run.engine)
            engines = list(dict.fromkeys(order))
            ours, ours_pairs = best[engines[0]]
            runs.append(ours)
            if ours_pairs is None:
                problems.append(f"{n:,}: ours {ours.status}")
            elif ours.note.startswith("CLI failed"):
                problems.append(f"{n:,}: openruimte analyse itself {ours.note[4:]} (figures are of the library path)")
            others: list[tuple[str, Run, Pairs | None]] = []
            for engine in engines[1:]:
                run, pairs = best[engine]
                runs.append(run)
                if not engine.endswith("(not compared)"):
                    others.append((engine.split(":")[0] if not engine.startswith("ours") else engine, run, pairs))
            if not args.no_postgis:
                load, variants = run_postgis(pg, path, n, args.timeout, args.repeat)
                for run, pairs in variants:
                    runs.append(run)
                    others.append(("PostGIS", run, pairs))
                runs.append(load)
            for label, run, pairs in others:
                if pairs is None:
                    continue
                if ours_pairs is None:
                    continue
                diff = compare(label, ours_pairs, pairs)
                if diff:
                    run.note = ("[red]DIFFERENT PAIRS[/] " + run.note).strip()
                    problems += [f"{n:,}: {d}" for d in diff]
                else:
                    run.note = (
                        f"identical pairs (max distance diff {max_distance_diff(ours_pairs, pairs):.3g} m); " + run.note
                    ).strip("; ")
            del ours_pairs, others
            info["load_average"] = (load_before, os.getloadavg()[0])
            console.print(size_table(n, runs, ours, info))
            if max(info["load_average"]) > 1.0:
                console.print(
                    f"[yellow]note: load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after this size: "
                    "other processes were busy on this machine, the times are noisy[/]"
                )
            tl = targets(n, ours, runs)
            for line in tl:
                console.print(line)
            report["sizes"][str(n)] = {"input": info, "runs": [asdict(r) for r in runs], "targets": tl}
            if args.report:  # after every size, so a run stopped later keeps what it measured
                args.report.write_text(json.dumps(report, indent=1, default=str))
            if args.profile and ours.status == "ok":
                profile(path, out_dir, n, args.timeout, report["sizes"][str(n)])
    finally:
        pg.stop()
    if args.report:
        args.report.write_text(json.dumps(report, indent=1, default=str))
    if problems:
        console.rule("[red bold]RESULTS DIFFER OR AN ENGINE FAILED")
        for p in problems:
            console.print(f"[red]{p}[/]", highlight=False)
        sys.exit(1)
    console.print("[green]all engines found identical pairs[/]")


if __name__ == "__main__":
    main()
