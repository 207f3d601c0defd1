"""Plans of a GeoPackage as arrays, without a Python object per row (issue 12).

pyogrio's Arrow interface reads the layer into columns; each column is checked
with the same coercers as import (``model/parse.py``, ``Plan.from_record``), but on
its *distinct* values only (a phase column of 1M rows has 7), and the geometries
are checked as whole arrays (type, vertex count, finite, bounds, millimetre grid,
validity). The result is what the analysis needs, as numpy arrays.

A file where any row fails a check is not reported here: :func:`read_plan_table`
raises :class:`NeedsRowPath`, and the caller reads the file through the row path
(``io.read``), which gives every failing row its message in import's own words.
The checks are conservative: a row that import accepts may be sent to the row
path (slower, same answer), a row that import refuses never passes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import shapely

from openruimte.io.columns import PLAN, geometry_column, map_columns
from openruimte.model import Phase
from openruimte.model import parse as p
from openruimte.model.entities import _ID_MAX, Hardness, Visibility, _identifier, parse_phase_planning
from openruimte.model.errors import FieldError, InputError
from openruimte.model.geometry import PLAN_GEOMETRY_TYPES, RD_BOUNDS, STORAGE_CRS, max_vertices
from openruimte.model.vocab import ASSET_TYPES

#: day number (proleptic Gregorian ordinal) of 1970-01-01, the epoch of datetime64
ORDINAL_1970 = dt.date(1970, 1, 1).toordinal()
NO_DAY = -1
_PHASES = list(Phase)
#: shapely type ids of the plan geometry types
_TYPE_IDS = {"Point": 0, "LineString": 1, "Polygon": 3, "MultiLineString": 5, "MultiPolygon": 6}


class NeedsRowPath(Exception):
    """The file needs the row-by-row reader (a failing row, another CRS, ...); ``reason`` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class PlanTable:
    """The plans of a file as arrays, in file order (what ``io.read`` would give as ``Plan`` objects)."""

    source: str
    ids: np.ndarray  # str
    owners: np.ndarray  # str
    geoms: np.ndarray  # shapely, EPSG:28992, on the millimetre grid
    start: np.ndarray  # int64 day number, -1 when unscheduled
    end: np.ndarray  # int64 day number (inclusive)
    phase: np.ndarray  # int8 index in Phase order
    asset_types: np.ndarray  # object: a tuple of codes per row (shared between equal rows)
    excavation: np.ndarray  # bool
    surface_renewal: np.ndarray  # bool
    #: ``owner:id`` per row, when already made
    key_column: np.ndarray | None = None
    #: (index per row, distinct tuples): ``asset_types`` is ``distinct[index]``, when known
    asset_type_index: tuple[np.ndarray, np.ndarray] | None = None

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def keys(self) -> np.ndarray:
        if self.key_column is not None:
            return self.key_column
        return np.char.add(np.char.add(self.owners.astype(str), ":"), self.ids.astype(str))


def read_plan_table(path: str | Path, *, crs: str | None = None, layer: str | None = None) -> PlanTable:
    """The plans of a GeoPackage as arrays; :class:`NeedsRowPath` when the row path must decide."""
    from openruimte.io.crs import CRSError, normalise_crs
    from openruimte.io.gpkg_format import _choose_layer, import_pyogrio

    read_arrow = import_pyogrio().read_arrow

    path = Path(path)
    if path.suffix.lower() != ".gpkg":
        raise NeedsRowPath("not a GeoPackage")
    if not path.exists() or path.stat().st_size == 0:
        raise NeedsRowPath("missing or empty file")
    try:
        name = _choose_layer(path, layer, PLAN.name)
    except InputError as err:
        raise NeedsRowPath(str(err)) from None
    meta, table = read_arrow(path, layer=name)
    file_crs = meta.get("crs")
    try:
        crs_of_rows = normalise_crs(crs) if crs else (normalise_crs(file_crs) if file_crs else STORAGE_CRS)
    except CRSError as err:
        raise NeedsRowPath(str(err)) from None
    if crs_of_rows != STORAGE_CRS:
        raise NeedsRowPath(f"coordinates in {crs_of_rows}")
    n = table.num_rows
    if n == 0:
        raise NeedsRowPath("no features")
    fields = [str(c) for c in meta["fields"]]
    mapping, _extra, col_errors = map_columns(fields, PLAN, path.name)
    if col_errors or geometry_column(fields) is not None:
        raise NeedsRowPath("column names")
    column_of = {key: col for col, key in mapping.items()}
    # the geometries (GEOS, mostly without the GIL) on a thread while the columns are checked
    from concurrent.futures import ThreadPoolExecutor

    values: dict[str, Any] = {}
    distinct_of: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    with ThreadPoolExecutor(1, thread_name_prefix="openruimte-read") as pool:
        geometry = pool.submit(_geometries, table.column(meta["geometry_name"] or "wkb_geometry"))
        try:
            for key in PLAN.keys:
                col = column_of.get(key)
                values[key] = _coerce(key, table.column(col) if col is not None else None, n, distinct_of)
        except BaseException:
            geometry.exception()  # wait for it; the columns' error is the one raised
            raise
        geoms = geometry.result()

    ids, owners = values["id"], values["owner"]
    keys = np.char.add(np.char.add(owners.astype(str), ":"), ids.astype(str))
    # distinct "owner:id" means distinct (owner, id); only if not, the exact check
    if len(set(keys.tolist())) != n:
        pairs = np.char.add(np.char.add(owners.astype(str), "\x00"), ids.astype(str))
        if len(set(pairs.tolist())) != n:
            raise NeedsRowPath("duplicate ids")
    start, end = values["start"], values["end"]
    if np.any((start == NO_DAY) != (end == NO_DAY)) or np.any(end < start):
        raise NeedsRowPath("start and end")
    es, le = values["earliest_start"], values["latest_end"]
    if np.any((es != NO_DAY) & (le != NO_DAY) & (le < es)):
        raise NeedsRowPath("earliest_start and latest_end")
    return PlanTable(
        source=path.name,
        ids=ids,
        owners=owners,
        geoms=geoms,
        start=start,
        end=end,
        phase=values["phase"],
        asset_types=values["asset_types"],
        excavation=values["excavation"],
        surface_renewal=values["surface_renewal"],
        key_column=keys,
        asset_type_index=distinct_of.get("asset_types"),
    )


# --------------------------------------------------------------------------- columns


def _coercer(key: str) -> Any:
    """The coercion ``Plan.from_record`` applies to ``key``, as a function of one value."""
    return {
        "id": lambda v: _identifier("id", v),
        "name": lambda v: p.text("name", v, required=True),
        "owner": lambda v: _identifier("owner", v),
        "phase": lambda v: _PHASES.index(p.enum("phase", v, Phase, label="phase")),
        "hardness": lambda v: p.enum("hardness", v, Hardness, label="hardness", default=Hardness.INDICATIEF),
        "asset_types": lambda v: p.code_list("asset_types", v, ASSET_TYPES, label="asset type", required=True),
        "themes": lambda v: p.string_list("themes", v),
        "programme": lambda v: p.text("programme", v),
        "area": lambda v: p.text("area", v),
        "start": lambda v: _day(p.date("start", v)),
        "end": lambda v: _day(p.date("end", v, end_of_period=True)),
        "earliest_start": lambda v: _day(p.date("earliest_start", v)),
        "latest_end": lambda v: _day(p.date("latest_end", v, end_of_period=True)),
        "duration_days": lambda v: p.integer("duration_days", v, minimum=1),
        "excavation": lambda v: p.boolean("excavation", v, default=True),
        "surface_renewal": lambda v: p.boolean("surface_renewal", v, default=False),
        "budget_eur": lambda v: p.number("budget_eur", v, minimum=0),
        "contact": lambda v: p.text("contact", v),
        "visibility": lambda v: p.enum("visibility", v, Visibility, label="visibility", default=Visibility.PRIVATE),
        "dwellings": lambda v: p.integer("dwellings", v, minimum=0),
        "sensitive": lambda v: p.boolean("sensitive", v, default=False),
        "goals": lambda v: p.string_list("goals", v),
        "phase_planning": lambda v: parse_phase_planning("phase_planning", v),
    }[key]


#: keys the analysis keeps (the others are only checked)
_KEPT = {
    "id": object,
    "owner": object,
    "phase": np.int8,
    "asset_types": object,
    "start": np.int64,
    "end": np.int64,
    "earliest_start": np.int64,
    "latest_end": np.int64,
    "excavation": bool,
    "surface_renewal": bool,
}


#: text keys: (required, largest length, kept as text)
_TEXT = {
    "id": (True, _ID_MAX),
    "owner": (True, _ID_MAX),
    "name": (True, 10_000),
    "programme": (False, 10_000),
    "area": (False, 10_000),
    "contact": (False, 10_000),
}
#: what ``str.strip()`` removes (Python's whitespace; every such code point is below U+3001)
_PY_SPACE = "".join(chr(c) for c in range(0x3001) if chr(c).isspace())


def _text_fast(key: str, column: Any) -> np.ndarray | None:
    """A text column whose every value the coercer would return unchanged (no
    surrounding space, not blank, not too long, no ':' in an owner), checked on
    the whole column: the values as they are. None when any value needs the coercer."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if key not in _TEXT or not (pa.types.is_string(column.type) or pa.types.is_large_string(column.type)):
        return None
    required, longest = _TEXT[key]
    if column.null_count:
        return None
    length = pc.utf8_length(column)
    ok = pc.all(pc.equal(pc.utf8_trim(column, _PY_SPACE), column)).as_py()
    ok = ok and pc.min(length).as_py() >= 1 and pc.max(length).as_py() <= longest
    if ok and key == "owner":
        ok = not pc.any(pc.match_substring(column, ":")).as_py()
    if not ok:
        return None
    return _objects(column) if key in _KEPT else np.empty(0)


def _objects(column: Any) -> np.ndarray:
    """A string or binary Arrow array as a numpy array of Python objects. Through
    ``to_pylist``: ``to_numpy`` gives the same but imports pandas to do it (~0.3 s)."""
    out = np.empty(len(column), dtype=object)
    out[:] = column.to_pylist()
    return out


def _day(d: dt.date | None) -> int:
    return d.toordinal() if d is not None else NO_DAY


def _coerce(
    key: str, column: Any, n: int, distinct_of: dict[str, tuple[np.ndarray, np.ndarray]] | None = None
) -> np.ndarray | None:
    """Each distinct value of the column through the import coercer once; the
    coerced column (for the kept keys) by the distinct values' indices."""
    import pyarrow as pa

    fn = _coercer(key)
    if column is None:
        try:
            value = fn(None)
        except FieldError as err:
            raise NeedsRowPath(f"{key}: {err.message}") from None
        if key not in _KEPT:
            return None
        out = np.empty(n, dtype=_KEPT[key])
        out.fill(value)
        return out
    if hasattr(column, "combine_chunks"):
        column = column.combine_chunks()
    fast = _text_fast(key, column)
    if fast is not None:
        return fast if key in _KEPT else None
    encoded = column if pa.types.is_dictionary(column.type) else column.dictionary_encode()
    distinct = encoded.dictionary.to_pylist()
    if encoded.null_count:
        distinct.append(None)
    coerced = []
    for value in distinct:
        try:
            coerced.append(fn(_plain(value)))
        except FieldError as err:
            raise NeedsRowPath(f"{key}: {err.message}") from None
    if key not in _KEPT:
        return None
    idx = _indices(encoded.indices, none=len(distinct) - 1)
    if _KEPT[key] is object:
        table = np.empty(len(coerced), dtype=object)
        for i, v in enumerate(coerced):
            table[i] = v
    else:
        table = np.array(coerced, dtype=_KEPT[key])
    if distinct_of is not None:  # (index per row, distinct coerced values), for work per distinct value
        distinct_of[key] = (idx, table)
    return table[idx]


def _indices(indices: Any, *, none: int) -> np.ndarray:
    """The dictionary indices as int64, ``none`` where null; read from the Arrow buffers
    (``to_numpy`` and ``fill_null`` would import pandas to do it, ~0.3 s of start-up)."""
    n, offset = len(indices), indices.offset
    validity, values = indices.buffers()[:2]
    width = np.dtype(f"int{indices.type.bit_width}")
    idx = np.frombuffer(values, dtype=width, count=n + offset)[offset:].astype(np.int64)
    if indices.null_count:
        bits = np.unpackbits(np.frombuffer(validity, dtype=np.uint8), bitorder="little")[offset : offset + n]
        idx[bits == 0] = none
    return idx


def _plain(value: Any) -> Any:
    """A value as the row reader hands it to the coercers (a timestamp as its date; NaN,
    which is blank for the coercers, as None, like a null)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, float) and value != value:
        return None
    return value


# --------------------------------------------------------------------------- geometry


def _geometries(column: Any) -> np.ndarray:
    """WKB to shapely, 2D, on the millimetre grid, checked as the model checks each one."""
    wkb = column.combine_chunks() if hasattr(column, "combine_chunks") else column
    if wkb.null_count:
        raise NeedsRowPath("a missing geometry")
    geoms = shapely.from_wkb(_objects(wkb))
    if shapely.is_empty(geoms).any():
        raise NeedsRowPath("an empty geometry")
    types = shapely.get_type_id(geoms)
    if not np.isin(types, [_TYPE_IDS[t] for t in PLAN_GEOMETRY_TYPES]).all():
        raise NeedsRowPath("a geometry type")
    if (shapely.get_num_coordinates(geoms) > max_vertices()).any():
        raise NeedsRowPath("too many vertices")
    if shapely.has_z(geoms).any():
        geoms = shapely.force_2d(geoms)
    _inside(shapely.bounds(geoms))
    finite = [True]

    def grid(c: np.ndarray) -> np.ndarray:
        finite[0] = bool(np.isfinite(c).all())
        return np.round(c, 3)

    geoms = shapely.transform(geoms, grid)
    if not finite[0]:
        raise NeedsRowPath("coordinates that are not finite")
    _inside(shapely.bounds(geoms))
    if not shapely.is_valid(geoms).all():
        raise NeedsRowPath("an invalid geometry")
    return geoms


def _inside(b: np.ndarray) -> None:
    x0, y0, x1, y1 = RD_BOUNDS
    ok = (b[:, 0] >= x0) & (b[:, 1] >= y0) & (b[:, 2] <= x1) & (b[:, 3] <= y1)
    if not ok.all():  # NaN bounds fail too
        raise NeedsRowPath("coordinates outside the Netherlands")
