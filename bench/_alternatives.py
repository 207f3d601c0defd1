"""Measured alternatives for the slow stages of ``openruimte analyse`` (bench/README.md,
"Where the time goes"). Nothing here is used by the product: each block times the
current code next to a vectorised alternative on the same plans file, and checks that
the alternative gives the same answer.

    .venv/bin/python bench/_alternatives.py /tmp/openruimte-bench-analyse/plans-100000-seed2026-v1.gpkg

A. reading: ``io.read`` + ``PlanColumns.from_plans`` against pyogrio arrays straight to columns
   with the same checks vectorised (bounds, vertex count, validity, millimetre grid, vocabularies);
B. candidates: ``find_couplings`` as it is (grown boxes first, since 2453dd6) and, for
   comparison, the exact ``dwithin`` tree query it replaced, also over 2 threads;
C. ``shared_length``: as is, against intersecting only where the result is used, and
   against the same split over 2 processes;
D. JSON: ``json.dumps(indent=1)`` (pure-Python encoder) against no indent (C encoder),
   and orjson when it happens to be installed;
E. start-up: the imports of the command against those the analysis of a file needs.
"""

from __future__ import annotations

import json
import sys
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path

import numpy as np
import shapely

from openruimte.analysis import couplings as cp
from openruimte.analysis.arrays import PlanColumns
from openruimte.analysis.pairs import BEHEER, Parameters, find_couplings
from openruimte.model import ASSET_TYPES, Phase
from openruimte.model.geometry import MAX_VERTICES, RD_BOUNDS
from openruimte.services import analyse as analysing

ORDINAL_1970 = 719163  # date(1970, 1, 1).toordinal()
TIMES: dict[str, float] = {}


_CPU = [time.process_time()]


def tic(label: str, t0: float) -> float:
    """Print wall and CPU seconds since ``t0`` (CPU: this process since the last tic; the
    machine may be shared, CPU is the steadier figure; C4's workers are not in it)."""
    t, c = time.perf_counter(), time.process_time()
    TIMES[label] = t - t0
    TIMES[label + " [CPU]"] = c - _CPU[0]
    print(f"{label:84s} {t - t0:7.2f} s wall {c - _CPU[0]:7.2f} s CPU", flush=True)
    _CPU[0] = c
    return t


def columns_vectorised(path: Path) -> PlanColumns:
    """pyogrio arrays to PlanColumns with the model's checks done on whole arrays (a real
    reader would send only the rows that fail a check through the per-row path, for the
    messages)."""
    from pyogrio.raw import read

    t = time.perf_counter()
    _CPU[0] = time.process_time()
    meta, _f, wkb, fields = read(
        path, columns=["id", "owner", "phase", "asset_types", "start", "end", "excavation", "surface_renewal"]
    )
    t = tic("A1 pyogrio.raw.read, the 8 columns the analysis needs", t)
    col = dict(zip(meta["fields"], fields, strict=True))
    geoms = shapely.from_wkb(wkb)
    t = tic("A2 shapely.from_wkb", t)
    b = shapely.bounds(geoms)
    x0, y0, x1, y1 = RD_BOUNDS
    ok = (b[:, 0] >= x0) & (b[:, 1] >= y0) & (b[:, 2] <= x1) & (b[:, 3] <= y1)
    ok &= shapely.get_num_coordinates(geoms) <= MAX_VERTICES
    ok &= np.isin(shapely.get_type_id(geoms), [0, 1, 3, 5, 6])
    geoms = shapely.transform(geoms, lambda c: np.round(c, 3))
    ok &= shapely.is_valid(geoms)
    assert ok.all()
    t = tic("A3 checks on arrays: bounds, vertices, type, millimetre grid, validity", t)
    keys = np.char.add(np.char.add(col["owner"].astype(str), ":"), col["id"].astype(str))
    u, inv = np.unique(col["phase"].astype(str), return_inverse=True)
    order = [p.value for p in Phase]
    phase = np.array([order.index(x.strip().lower()) for x in u], np.int8)[inv]
    bit = {c: 1 << i for i, c in enumerate(ASSET_TYPES)}
    u, inv = np.unique(col["asset_types"].astype(str), return_inverse=True)
    masks = [sum(bit[c.strip().lower()] for c in s.replace(",", ";").split(";") if c.strip()) for s in u]
    mask = np.array(masks, np.int64)[inv]
    s = col["start"].astype("datetime64[D]")
    e = col["end"].astype("datetime64[D]")
    cols = PlanColumns(
        keys=keys,
        owners=col["owner"].astype(str),
        geoms=geoms,
        start=np.where(np.isnat(s), -1, s.astype(np.int64) + ORDINAL_1970),
        end=np.where(np.isnat(e), -1, e.astype(np.int64) + ORDINAL_1970),
        phase=phase,
        asset_mask=mask,
        excavation=col["excavation"].astype(bool),
        surface_renewal=col["surface_renewal"].astype(bool),
    )
    tic("A4 keys, vocabularies via np.unique, dates as ordinals -> PlanColumns", t)
    return cols


def shared_length_lean(geoms: np.ndarray, ia: np.ndarray, ib: np.ndarray, distance: float) -> np.ndarray:
    """``couplings.shared_length`` (each plan buffered once, ``quad_segs=1``) with only the
    intersections whose result is used: the near part of a *line* (an area's near part
    and a point's are computed and then thrown away by the current code)."""
    a, b = geoms[ia], geoms[ib]
    ids = np.unique(np.concatenate([ia, ib]))
    zone = np.empty(len(geoms), dtype=object)
    zone[ids] = shapely.buffer(geoms[ids], distance, quad_segs=1)
    dim_a, dim_b = shapely.get_dimensions(a), shapely.get_dimensions(b)
    la, lb = np.zeros(len(a)), np.zeros(len(a))
    la[dim_a == 1] = shapely.length(shapely.intersection(a[dim_a == 1], zone[ib[dim_a == 1]]))
    lb[dim_b == 1] = shapely.length(shapely.intersection(b[dim_b == 1], zone[ia[dim_b == 1]]))
    out = np.minimum(la, lb)
    out[(dim_a == 1) & (dim_b == 2)] = la[(dim_a == 1) & (dim_b == 2)]
    out[(dim_a == 2) & (dim_b == 1)] = lb[(dim_a == 2) & (dim_b == 1)]
    both = (dim_a == 2) & (dim_b == 2)
    if both.any():
        out[both] = np.sqrt(shapely.area(shapely.intersection(a[both], b[both])))
    out[(dim_a == 0) | (dim_b == 0)] = 0.0
    return out


def _shared_chunk(geoms: np.ndarray, ia: np.ndarray, ib: np.ndarray, distance: float) -> np.ndarray:
    ids, inv = np.unique(np.concatenate([ia, ib]), return_inverse=True)
    return cp.shared_length(geoms[ids], inv[: len(ia)], inv[len(ia) :], distance)


def shared_length_processes(geoms: np.ndarray, ia: np.ndarray, ib: np.ndarray, distance: float) -> np.ndarray:
    """The current ``shared_length`` on 2 halves of the pairs in 2 processes (each gets
    only the geometries its pairs use)."""
    parts = np.array_split(np.arange(len(ia)), 2)
    with ProcessPoolExecutor(2) as ex:
        futures = [
            ex.submit(_shared_chunk, geoms[np.unique(np.concatenate([ia[p], ib[p]]))], *_local(ia[p], ib[p]), distance)
            for p in parts
        ]
        return np.concatenate([f.result() for f in futures])


def _local(ia: np.ndarray, ib: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    _ids, inv = np.unique(np.concatenate([ia, ib]), return_inverse=True)
    return inv[: len(ia)], inv[len(ia) :]


def main() -> None:
    path = Path(sys.argv[1])
    params = Parameters()
    print(f"{path.name}")
    # E
    import subprocess

    t = time.perf_counter()
    _CPU[0] = time.process_time()
    subprocess.run([sys.executable, "-c", "import openruimte.cli, openruimte.services.analyse"], check=True)
    tic("E0 python start + import openruimte.cli, openruimte.services.analyse (store, sqlalchemy, ...)", t)
    t = time.perf_counter()
    _CPU[0] = time.process_time()
    subprocess.run([sys.executable, "-c", "import openruimte.io, openruimte.analysis.couplings"], check=True)
    tic("E1 python start + import openruimte.io, openruimte.analysis.couplings only", t)
    # A
    cols = columns_vectorised(path)
    print(
        f"   A1..A4 total {sum(v for k, v in TIMES.items() if k[:2] in ('A1', 'A2', 'A3', 'A4') and not k.endswith('[CPU]')):.2f} s"
    )
    t = time.perf_counter()
    _CPU[0] = time.process_time()
    plans = analysing.plans_from_file(path)
    ref = PlanColumns.from_plans(plans)
    tic("A0 current: analysing.plans_from_file + PlanColumns.from_plans", t)
    for f in ("keys", "owners", "start", "end", "phase", "asset_mask", "excavation", "surface_renewal"):
        assert (getattr(ref, f) == getattr(cols, f)).all(), f
    assert shapely.equals_exact(ref.geoms, cols.geoms, 0).all()
    print("   A: the vectorised columns are identical to the current ones")
    # B
    t = time.perf_counter()
    _CPU[0] = time.process_time()
    c = find_couplings(ref, params)
    tic(f"B0 current: find_couplings -> {len(c.a):,} couplings", t)
    eligible = np.flatnonzero(ref.scheduled & (ref.phase != BEHEER))
    g = ref.geoms[eligible]
    t = time.perf_counter()
    _CPU[0] = time.process_time()
    tree = shapely.STRtree(g)
    tree.query(g, predicate="dwithin", distance=params.max_distance_m + 1e-6)
    tic("B1 (for comparison: the exact dwithin query alone, as before)", t)
    half = len(g) // 2
    t = time.perf_counter()
    _CPU[0] = time.process_time()
    with ThreadPoolExecutor(2) as ex:
        list(
            ex.map(
                lambda s: tree.query(g[s], predicate="dwithin", distance=params.max_distance_m),
                [slice(0, half), slice(half, None)],
            )
        )
    tic("B2 (the dwithin query over 2 threads: STRtree.query keeps the GIL)", t)
    # C
    t = time.perf_counter()
    _CPU[0] = time.process_time()
    current = cp.shared_length(ref.geoms, c.a, c.b, params.max_distance_m)
    t = tic(f"C0 current: shared_length on {len(c.a):,} couplings", t)
    ids = np.unique(np.concatenate([c.a, c.b]))
    zone = np.empty(len(ref.geoms), dtype=object)
    zone[ids] = shapely.buffer(ref.geoms[ids], params.max_distance_m, quad_segs=1)
    t = tic(f"C1   of which buffer() of the {len(ids):,} plans involved", t)
    shapely.intersection(ref.geoms[c.a], zone[c.b])
    t = tic("C2   of which one of the two intersection(geometry, zone) calls (all pairs)", t)
    dims = shapely.get_dimensions(ref.geoms[c.a])
    print(
        f"   pairs whose a is a line {np.mean(dims == 1):.0%}, an area {np.mean(dims == 2):.0%}, a point {np.mean(dims == 0):.0%}"
    )
    t = time.perf_counter()
    _CPU[0] = time.process_time()
    lean = shared_length_lean(ref.geoms, c.a, c.b, params.max_distance_m)
    t = tic("C3 lean: intersections only for lines (an area's or point's near part is unused)", t)
    print(f"   C3 max |difference| from the current values: {float(np.max(np.abs(lean - current))):.3g} m")
    par = shared_length_processes(ref.geoms, c.a, c.b, params.max_distance_m)
    tic("C4 current shared_length over 2 processes (incl. pool start and pickling)", t)
    print(f"   C4 max |difference|: {float(np.max(np.abs(par - current))):.3g} m")
    # D
    result = analysing.analyse(plans, params)
    doc = result.to_json()
    t = time.perf_counter()
    _CPU[0] = time.process_time()
    s1 = json.dumps(doc, ensure_ascii=False, indent=1)
    t = tic(f"D0 current: json.dumps(indent=1), {len(s1) / 1e6:.0f} MB", t)
    s0 = json.dumps(doc, ensure_ascii=False)
    t = tic(f"D1 json.dumps without indent (C encoder), {len(s0) / 1e6:.0f} MB", t)
    try:
        import orjson  # not a dependency: measured only when installed

        orjson.dumps(doc, option=orjson.OPT_INDENT_2)
        tic("D2 orjson.dumps(OPT_INDENT_2)", t)
    except ImportError:
        print("   D2 orjson not installed")
    t = time.perf_counter()
    _CPU[0] = time.process_time()
    cp._coupling_records(plans, ref, c, params, cp.UnitCosts())
    t = tic("D3 current _coupling_records (shared_length + one dict and text per pair)", t)
    out = Path(sys.argv[2]) if len(sys.argv) > 2 else None
    if out:
        out.write_text(json.dumps(TIMES, indent=1))


if __name__ == "__main__":
    main()
