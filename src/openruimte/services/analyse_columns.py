"""The plan analysis on columns, end to end (issue 12): a file or the store in,
the spec's result encoding out, without a Python object per plan.

- a GeoPackage is read through pyogrio's Arrow interface into arrays
  (:func:`openruimte.io.plan_table.read_plan_table`); any other file, or a file
  with a row that fails a check, goes through the row reader of import, so the
  errors are import's own, row by row;
- the store is read in one query (geometry as WKB, dates and vocabularies
  converted per distinct value);
- pairs come from the single-process kernel or the Dask engine
  (:mod:`openruimte.services.analyse_dask`), records are built per chunk and
  streamed as compact JSON (orjson).

Imports are kept light: no web framework, and SQLAlchemy only on the store path.
"""

from __future__ import annotations

import gc
import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from openruimte.analysis.arrays import NO_DAY, PlanColumns, masks_of
from openruimte.analysis.couplings import UnitCosts
from openruimte.analysis.pairs import Parameters, Progress
from openruimte.analysis.records import ColumnAnalysis, analyse_columns
from openruimte.model import Phase

if TYPE_CHECKING:
    from openruimte.io.plan_table import PlanTable
    from openruimte.store import Store

ENGINES = ("local", "dask")
_PHASES = list(Phase)


def columns_of_table(table: PlanTable) -> PlanColumns:
    """The analysis columns of a :class:`PlanTable` (asset-type bit sets per distinct tuple)."""
    if table.asset_type_index is not None:  # known per distinct value of the column
        index, tuples = table.asset_type_index
        masks = masks_of(tuples.tolist())
        distinct = tuples
    else:
        found: dict[tuple[str, ...], int] = {}
        index = np.fromiter(
            (found.setdefault(t, len(found)) for t in table.asset_types), dtype=np.int64, count=len(table)
        )
        masks = masks_of(list(found))
        distinct = found
    return PlanColumns(
        keys=table.keys,
        owners=table.owners.astype(str),
        geoms=table.geoms,
        start=table.start,
        end=table.end,
        phase=table.phase,
        asset_mask=masks[index] if len(distinct) else np.zeros(len(table), np.int64),
        excavation=table.excavation,
        surface_renewal=table.surface_renewal,
        asset_types=table.asset_types,
    )


def columns_from_file(path: str | Path, *, crs: str | None = None, encoding: str | None = None) -> PlanColumns:
    """The plans of a file as columns; every error of a refused file raises (``InputError``),
    in import's words."""
    from openruimte.io.plan_table import NeedsRowPath, read_plan_table

    try:
        return columns_of_table(read_plan_table(path, crs=crs))
    except NeedsRowPath:
        from openruimte import io

        result = io.read(path, "plans", crs=crs, encoding=encoding)
        result.raise_if_errors()
        return PlanColumns.from_plans(result.items)


# --------------------------------------------------------------------------- the store


@dataclass(frozen=True)
class GoalRefs:
    """What the goal warning needs of a plan (``analysis.weighing.unknown_goal_refs``)."""

    owner: str
    id: str
    name: str
    goals: tuple[str, ...]

    @property
    def key(self) -> str:
        return f"{self.owner}:{self.id}"


def columns_from_store(store: Store, *, where: Sequence[Any] = ()) -> PlanColumns:
    """Every plan of the store (or those matching ``where``) as columns, in one query:
    the geometry as WKB, dates and vocabularies converted per distinct value."""
    with store.engine.connect() as conn:
        return columns_from_connection(conn, where=where)


def columns_from_connection(conn: Any, *, where: Sequence[Any] = ()) -> PlanColumns:
    """:func:`columns_from_store` on an open connection (e.g. a writer's, inside its transaction)."""
    import shapely
    import sqlalchemy as sa

    from openruimte.store import tables as t

    c = t.plans.c
    if conn.dialect.name == "postgresql":
        wkb = sa.func.ST_AsBinary(c.geometry, type_=sa.LargeBinary)
    else:
        wkb = sa.type_coerce(c.geometry, sa.LargeBinary)
    query = sa.select(
        c.owner,
        c.id,
        c.phase,
        sa.cast(c.asset_types, sa.Text),
        sa.cast(c.start, sa.Text),
        sa.cast(c.end, sa.Text),
        c.excavation,
        c.surface_renewal,
        wkb,
    ).order_by(c.pk)
    for clause in where:
        query = query.where(clause)
    rows = conn.execute(query).all()
    n = len(rows)
    owner, pid, phase, types, start, end, exc, ren, geom = (
        (list(col) for col in zip(*rows, strict=True)) if n else [[] for _ in range(9)]
    )
    owners = np.array(owner, dtype=str)
    keys = np.char.add(np.char.add(owners, ":"), np.array(pid, dtype=str)) if n else np.array([], dtype=str)
    phase_of = {p.value: i for i, p in enumerate(_PHASES)}
    distinct: dict[str, int] = {}
    type_index = np.fromiter((distinct.setdefault(s, len(distinct)) for s in types), dtype=np.int64, count=n)
    tuples = [tuple(json.loads(s)) for s in distinct]
    tuple_table = np.empty(len(tuples), dtype=object)
    for i, tup in enumerate(tuples):
        tuple_table[i] = tup
    return PlanColumns(
        keys=keys,
        owners=owners,
        geoms=shapely.from_wkb(np.array(geom, dtype=object)) if n else np.empty(0, dtype=object),
        start=_days(start),
        end=_days(end),
        phase=np.fromiter((phase_of[v] for v in phase), dtype=np.int8, count=n),
        asset_mask=masks_of(tuples)[type_index] if n else np.zeros(0, np.int64),
        excavation=np.array(exc, dtype=bool),
        surface_renewal=np.array(ren, dtype=bool),
        asset_types=tuple_table[type_index] if n else np.empty(0, dtype=object),
    )


def _days(texts: list[str | None]) -> np.ndarray:
    """ISO dates (as text, None for none) as day numbers (-1 for none)."""
    import datetime as dt

    cache: dict[str | None, int] = {None: NO_DAY}
    out = np.empty(len(texts), dtype=np.int64)
    for i, s in enumerate(texts):
        d = cache.get(s)
        if d is None:
            d = cache[s] = dt.date.fromisoformat(str(s)[:10]).toordinal()
        out[i] = d
    return out


def goal_refs_in_store(store: Store) -> list[GoalRefs]:
    """The plans that refer to policy goals (for the warnings), without loading the others."""
    import sqlalchemy as sa

    from openruimte.store import tables as t

    c = t.plans.c
    query = sa.select(c.owner, c.id, c.name, c.goals).where(sa.cast(c.goals, sa.Text).notin_(["[]", ""]))
    with store.engine.connect() as conn:
        rows = conn.execute(query).all()
    return [GoalRefs(r.owner, r.id, r.name, tuple(r.goals or ())) for r in rows if r.goals]


# --------------------------------------------------------------------------- use cases


@contextmanager
def gc_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off for the analysis: it holds hundreds of
    thousands of geometries, strings and record dicts (none of them in cycles), and
    each collection of the older generations walks them all again; at 100k plans that
    was about 0.8 s of the command's 7 s of CPU. Memory is unchanged (no cycles to free);
    the collector is switched back on (as it was) afterwards."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def find_pairs(
    cols: PlanColumns,
    params: Parameters,
    *,
    engine: str = "local",
    scheduler: str | None = None,
    workers: int | None = None,
    progress: Progress | None = None,
    stats: dict[str, Any] | None = None,
) -> ColumnAnalysis:
    """Couplings and conflicts with the engine asked for ("local": this process; "dask";
    ``stats``: see ``analyse_dask.dask_finder``)."""
    if engine == "local":
        return analyse_columns(cols, params, progress=progress)
    if engine == "dask":
        from openruimte.services.analyse_dask import dask_finder

        with dask_finder(scheduler=scheduler, workers=workers, stats=stats) as finder:
            return analyse_columns(cols, params, finder=finder)
    raise ValueError(f"unknown engine '{engine}'; expected one of {', '.join(ENGINES)}")


def analyse_file(
    path: str | Path,
    params: Parameters,
    *,
    crs: str | None = None,
    encoding: str | None = None,
    engine: str = "local",
    scheduler: str | None = None,
    workers: int | None = None,
    progress: Progress | None = None,
) -> ColumnAnalysis:
    cols = columns_from_file(path, crs=crs, encoding=encoding)
    return find_pairs(cols, params, engine=engine, scheduler=scheduler, workers=workers, progress=progress)


def analyse_store_columns(
    store: Store,
    params: Parameters,
    *,
    actor: str,
    engine: str = "local",
    scheduler: str | None = None,
    workers: int | None = None,
    progress: Progress | None = None,
    costs: UnitCosts | None = None,
    stats: dict[str, Any] | None = None,
) -> ColumnAnalysis:
    """Analyse every plan in the store and save the result for the map (as ``analysing.analyse_store``)."""
    cols = columns_from_store(store)
    result = find_pairs(
        cols, params, engine=engine, scheduler=scheduler, workers=workers, progress=progress, stats=stats
    )
    if costs is not None:
        result.costs = costs
    from openruimte.services.analyse_incremental import save_records

    doc = result.to_json()  # the records, made once (kept for ``result.write``)
    with store.writer(actor) as w:
        w.save_analysis("plans", params.as_dict(), doc)
        # the pairs, kept up to date on each plan write from now on
        save_records(w.conn, doc["couplings"], doc["conflicts"], params)
    return result


def write_json(result: Any, out: Path) -> None:
    """A column analysis streamed; any other result (anything with ``to_json``) in one go; compact JSON (orjson)."""
    import orjson

    if isinstance(result, ColumnAnalysis):
        result.write(out)
        return
    data = result.to_json() if hasattr(result, "to_json") else result
    out.write_bytes(orjson.dumps(data, default=str, option=orjson.OPT_SERIALIZE_NUMPY))


def pairs_geojson(result: ColumnAnalysis, out: Path) -> int:
    """Couplings and conflicts as lines between the nearest points of the two plans
    (GeoJSON, WGS84), as ``analysing.pairs_geojson``. Returns the number of features."""
    import orjson
    import shapely

    from openruimte.io.crs import to_wgs84

    cols = result.cols
    c, k = result.couplings, result.conflicts
    lines = np.concatenate(
        [
            shapely.shortest_line(cols.geoms[c.a], cols.geoms[c.b]),
            shapely.shortest_line(cols.geoms[k.renewal], cols.geoms[k.plan]),
        ]
    )
    features: list[dict[str, Any]] = []
    for chunk in result.coupling_chunks():
        for rec in chunk:
            props = {key: v for key, v in rec.items() if key != "explanation"}
            features.append(
                {"type": "Feature", "properties": props | {"kind": "coupling", "text": rec["explanation"]["text"]}}
            )
    for chunk in result.conflict_chunks():
        for rec in chunk:
            props = {key: v for key, v in rec.items() if key != "explanation"}
            features.append(
                {"type": "Feature", "properties": props | {"kind": "conflict", "text": rec["explanation"]["text"]}}
            )
    for feat, geom in zip(features, to_wgs84(list(lines)), strict=True):
        feat["geometry"] = shapely.geometry.mapping(geom)
    doc = {"type": "FeatureCollection", "name": "analysis", "features": features}
    out.write_bytes(orjson.dumps(doc))
    return len(features)
