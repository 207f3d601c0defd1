"""The same analysis in PostGIS, as a database user would write it (bench/analyse.py).

Load: the plans file's rows (read with pyogrio) are COPYed into one table with the
columns the rules need (asset types as an int bit mask), then a GiST index and
ANALYZE. Query: one SQL statement for the couplings (ST_DWithin self-join with
``a.key < b.key``) and one for the no-dig conflicts, each with the rules of
shared/spec/exchange.md "Analysis definitions" in SQL; the pairs are fetched.
The load is timed apart from the queries.
"""

from __future__ import annotations

import io
import os
import time
from dataclasses import dataclass, field

import numpy as np
import shapely

from openruimte.model import ASSET_TYPES

BIT = {code: 1 << i for i, code in enumerate(ASSET_TYPES)}

DDL = """
DROP TABLE IF EXISTS plans;
CREATE TABLE plans (
    key text COLLATE "C" NOT NULL,
    owner text NOT NULL,
    phase text NOT NULL,
    mask bigint NOT NULL,
    excavation boolean NOT NULL,
    surface_renewal boolean NOT NULL,
    start_day date,
    end_day date,
    geom geometry(Geometry, 28992) NOT NULL
);
"""

COUPLINGS_SQL = """
SELECT a.key, b.key, ST_Distance(a.geom, b.geom),
       GREATEST(0, b.start_day - a.end_day, a.start_day - b.end_day)
FROM plans a
JOIN plans b ON a.key < b.key AND ST_DWithin(a.geom, b.geom, %(max_distance_m)s::float8)
WHERE a.start_day IS NOT NULL AND a.end_day IS NOT NULL
  AND b.start_day IS NOT NULL AND b.end_day IS NOT NULL
  AND a.phase <> 'beheer' AND b.phase <> 'beheer'
  AND (a.owner <> b.owner OR (a.mask & b.mask) = 0)
  AND (a.excavation OR b.excavation)
  AND GREATEST(0, b.start_day - a.end_day, a.start_day - b.end_day) <= %(max_gap_days)s::int
ORDER BY a.key, b.key
"""

CONFLICTS_SQL = """
SELECT r.key, x.key, ST_Distance(r.geom, x.geom),
       LEAST(x.end_day, r.end_day + %(graafrust_days)s::int) - GREATEST(x.start_day, r.end_day + 1) + 1
FROM plans r
JOIN plans x ON r.key <> x.key AND ST_DWithin(r.geom, x.geom, %(graafrust_distance_m)s::float8)
WHERE r.surface_renewal AND r.start_day IS NOT NULL AND r.end_day IS NOT NULL
  AND x.excavation AND x.start_day IS NOT NULL AND x.end_day IS NOT NULL
  AND x.start_day <= r.end_day + %(graafrust_days)s::int AND x.end_day >= r.end_day + 1
ORDER BY r.key, x.key
"""

PARAMS = {"max_distance_m": 10.0, "max_gap_days": 730, "graafrust_days": 1095, "graafrust_distance_m": 5.0}


#: query settings compared: the server's defaults, and JIT off (at these sizes PostgreSQL's
#: JIT compiles for seconds and saves less; a DBA would turn it off for such queries)
VARIANTS: dict[str, tuple[str, ...]] = {
    "default settings": ("SET jit = on",),
    "jit = off": ("SET jit = off",),
}


@dataclass
class Query:
    """One run of the two statements under one set of settings."""

    seconds: dict[str, float]
    backend_peak_mb: float
    #: backend + parallel workers, user + system (nan when /proc cannot tell)
    cpu_s: float
    couplings: list[tuple]
    conflicts: list[tuple]
    unscheduled: list[str]


@dataclass
class PostGISRun:
    load_s: dict[str, float] = field(default_factory=dict)
    #: variant -> best (fastest) of the repeats
    queries: dict[str, Query] = field(default_factory=dict)
    plans: int = 0


def _dsn(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


def _csv_rows(path: str) -> tuple[bytes, int]:
    """The plans file as CSV for COPY (reading it is part of the load)."""
    from pyogrio.raw import read

    meta, _fids, wkb, fields = read(
        path, columns=["id", "owner", "phase", "asset_types", "start", "end", "excavation", "surface_renewal"]
    )
    col = dict(zip(meta["fields"], fields, strict=True))
    n = len(wkb)
    keys = np.char.add(np.char.add(col["owner"].astype(str), ":"), col["id"].astype(str))
    masks = np.fromiter((sum(BIT[c] for c in s.split(";")) for s in col["asset_types"]), dtype=np.int64, count=n)
    start = col["start"].astype("datetime64[D]").astype(str)
    end = col["end"].astype("datetime64[D]").astype(str)
    start[start == "NaT"] = ""
    end[end == "NaT"] = ""
    geoms = shapely.set_srid(shapely.from_wkb(wkb), 28992)
    hexwkb = shapely.to_wkb(geoms, hex=True, include_srid=True)
    exc = np.where(col["excavation"].astype(bool), "t", "f")
    ren = np.where(col["surface_renewal"].astype(bool), "t", "f")
    buf = io.StringIO()
    for row in zip(keys, col["owner"], col["phase"], masks, exc, ren, start, end, hexwkb, strict=True):
        buf.write(",".join(map(str, row)))
        buf.write("\n")
    return buf.getvalue().encode(), n


def _peak_mb(pid: int) -> float:
    """Peak resident set of the backend process (VmHWM; readable as root or as its owner)."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def _cpu(pid: int | None, children: bool) -> float:
    """User + system seconds of a process (or of its reaped children) from /proc."""
    if pid is None:
        return float("nan")
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    # fields[11..14] are utime, stime, cutime, cstime (stat fields 14..17)
    ticks = int(fields[13]) + int(fields[14]) if children else int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def run(url: str, path: str, timeout_s: float, repeat: int = 1, postmaster: int | None = None) -> PostGISRun:
    import psycopg

    out = PostGISRun()
    with psycopg.connect(_dsn(url), autocommit=True) as conn:
        conn.execute(f"SET statement_timeout = '{int(timeout_s)}s'")
        t0 = time.perf_counter()
        data, out.plans = _csv_rows(path)
        t1 = time.perf_counter()
        conn.execute(DDL)
        with conn.cursor().copy(
            "COPY plans (key, owner, phase, mask, excavation, surface_renewal, start_day, end_day, geom) "
            "FROM STDIN WITH (FORMAT csv, NULL '')"
        ) as cp:
            for lo in range(0, len(data), 1 << 24):
                cp.write(data[lo : lo + (1 << 24)])
        t2 = time.perf_counter()
        conn.execute("CREATE INDEX plans_geom ON plans USING gist (geom)")
        t3 = time.perf_counter()
        conn.execute("ANALYZE plans")
        t4 = time.perf_counter()
        out.load_s = {"read file": t1 - t0, "COPY": t2 - t1, "GiST index": t3 - t2, "ANALYZE": t4 - t3}
        conn.execute("SET work_mem = '256MB'")
    for variant, settings in VARIANTS.items():
        for _ in range(repeat):
            q = _query(url, settings, timeout_s, postmaster)
            best = out.queries.get(variant)
            if best is None or sum(q.seconds.values()) < sum(best.seconds.values()):
                out.queries[variant] = q
    return out


def _query(url: str, settings: tuple[str, ...], timeout_s: float, postmaster: int | None) -> Query:
    """The two statements on a fresh connection (so the backend's peak RSS is this run's).
    CPU: the backend's own, plus what the postmaster's reaped children (the parallel
    workers, once they exit) used meanwhile."""
    import psycopg

    with psycopg.connect(_dsn(url), autocommit=True) as conn:
        conn.execute(f"SET statement_timeout = '{int(timeout_s)}s'")
        conn.execute("SET work_mem = '256MB'")
        for sql in settings:
            conn.execute(sql)
        pid = conn.execute("SELECT pg_backend_pid()").fetchone()[0]
        cpu0 = _cpu(pid, False) + _cpu(postmaster, True)
        t0 = time.perf_counter()
        couplings = conn.execute(COUPLINGS_SQL, PARAMS).fetchall()
        t1 = time.perf_counter()
        conflicts = conn.execute(CONFLICTS_SQL, PARAMS).fetchall()
        t2 = time.perf_counter()
        unscheduled = [r[0] for r in conn.execute("SELECT key FROM plans WHERE start_day IS NULL ORDER BY key")]
        t3 = time.perf_counter()
        time.sleep(0.2)  # let the postmaster reap the parallel workers
        cpu1 = _cpu(pid, False) + _cpu(postmaster, True)
        return Query(
            seconds={"couplings": t1 - t0, "conflicts": t2 - t1, "unscheduled": t3 - t2},
            backend_peak_mb=_peak_mb(pid),
            cpu_s=cpu1 - cpu0,
            couplings=couplings,
            conflicts=conflicts,
            unscheduled=unscheduled,
        )


def explain(url: str) -> str:
    """The plans the server chose (for the README / debugging)."""
    import psycopg

    with psycopg.connect(_dsn(url), autocommit=True) as conn:
        lines = []
        for sql in (COUPLINGS_SQL, CONFLICTS_SQL):
            lines += [r[0] for r in conn.execute("EXPLAIN " + sql, PARAMS)]
            lines.append("")
        return "\n".join(lines)


__all__ = ["PostGISRun", "explain", "run"]
