"""GeoPackage through pyogrio (GDAL bundled in the wheel); the CRS is the file's."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np
import shapely

from openruimte.io._table import RawRow, RawTable, flat_value
from openruimte.io.crs import CRSError, normalise_crs
from openruimte.model.errors import InputError, RowError


def import_pyogrio() -> Any:
    """``pyogrio``, imported without GeoPandas and pandas when neither is loaded yet.

    pyogrio's ``__init__`` imports both just to note whether they are installed
    (``pyogrio._compat``); with GeoPandas present (the ``bench`` extra) that is
    ~0.35 s of CPU on every command that reads a GeoPackage, a third of the start-up
    of ``openruimte analyse``. OpenRuimte uses pyogrio's raw and Arrow readers and
    writers only, never its (Geo)DataFrame functions, which are the only ones that
    need them; GeoPandas and pandas themselves stay importable as before. Only while no
    other thread runs (the CLI): a thread importing pandas meanwhile would fail."""
    import sys
    import threading

    if "pyogrio" in sys.modules or threading.active_count() > 1:
        import pyogrio

        return pyogrio
    hidden = [name for name in ("geopandas", "pandas") if name not in sys.modules]
    for name in hidden:
        sys.modules[name] = None  # type: ignore[assignment]  # "import geopandas" raises ImportError
    try:
        import pyogrio
    finally:
        for name in hidden:
            if sys.modules.get(name) is None:
                del sys.modules[name]
    return pyogrio


def _choose_layer(path: Path, layer: str | None, kind_name: str) -> str:
    pyogrio = import_pyogrio()

    try:
        layers = [str(name) for name, _ in pyogrio.list_layers(path)]
    except Exception as err:  # pyogrio raises DataSourceError and others
        raise InputError(f"not a readable GeoPackage: {err}", path.name) from None
    if not layers:
        raise InputError("the GeoPackage has no layers", path.name)
    if layer:
        if layer not in layers:
            raise InputError(
                f"no layer '{layer}'; the file has layers: {', '.join(layers)}; pass --layer NAME", path.name
            )
        return layer
    if kind_name in layers:
        return kind_name
    if len(layers) == 1:
        return layers[0]
    raise InputError(
        f"no layer '{kind_name}' and more than one layer to choose from ({', '.join(layers)}); pass --layer NAME",
        path.name,
    )


def read_table(
    path: Path, *, crs: str, layer: str | None = None, kind_name: str = "", crs_given: bool = False, **_: Any
) -> RawTable:
    import_pyogrio()
    from pyogrio.raw import read

    source = path.name
    if path.stat().st_size == 0:
        raise InputError("the file is empty: expected a GeoPackage", source)
    name = _choose_layer(path, layer, kind_name)
    meta, _fids, geoms, field_data = read(path, layer=name)
    file_crs = meta.get("crs")
    if file_crs and not crs_given:
        try:
            crs = normalise_crs(file_crs)
        except CRSError as err:
            raise InputError(f"layer '{name}': {err}", source) from None
    columns = [str(c) for c in meta["fields"]]
    table = RawTable(source=f"{source} layer {name}", row_label="feature", columns=columns, rows=[], crs=crs)
    shapes = shapely.from_wkb(geoms) if geoms is not None else [None] * len(field_data[0] if field_data else [])
    plain = [_plain_column(col) for col in field_data]
    for i, geom in enumerate(shapes):
        values = {col: plain[j][i] for j, col in enumerate(columns)}
        table.rows.append(RawRow(number=i + 1, values=values, geometry=geom))
    if not table.rows:
        table.errors.append(RowError(table.source, f"layer '{name}' has no features"))
    return table


def _plain_column(values: np.ndarray) -> list[Any]:
    """A column as plain Python values (dates as ``date``, missing as None), converted at once."""
    if values.dtype.kind == "M":
        days = values.astype("datetime64[D]")
        return [None if np.isnat(d) else d.item() for d in days]
    if values.dtype.kind == "f":
        return [None if v != v else v for v in values.tolist()]  # NaN is missing
    if values.dtype.kind in "iub":
        return values.tolist()
    return [_plain(v) for v in values.tolist()]


def _plain(value: Any) -> Any:
    if isinstance(value, np.datetime64):
        if np.isnat(value):
            return None
        return value.astype("datetime64[D]").astype(dt.date)
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and np.isnan(value):
        return None
    return value


def write_table(
    path: Path,
    keys: list[str],
    records: list[dict[str, Any]],
    *,
    layer: str,
    date_keys: tuple[str, ...] = (),
    bool_keys: tuple[str, ...] = (),
    number_keys: tuple[str, ...] = (),
) -> None:
    import_pyogrio()
    from pyogrio.raw import write

    arrays: list[np.ndarray] = []
    for key in keys:
        vals = [rec.get(key) for rec in records]
        if key in date_keys:
            arrays.append(
                np.array(
                    [np.datetime64(v) if v is not None else np.datetime64("NaT") for v in vals], dtype="datetime64[D]"
                )
            )
        elif key in bool_keys:
            arrays.append(np.array([bool(v) for v in vals], dtype=bool))
        elif key in number_keys:
            arrays.append(np.array([np.nan if v is None else float(v) for v in vals], dtype="float64"))
        else:
            arrays.append(np.array([flat_value(v) for v in vals], dtype=object))
    geoms = [rec.get("geometry") for rec in records]
    types = {g.geom_type for g in geoms if g is not None}
    geometry_type = types.pop() if len(types) == 1 else "Unknown"
    wkb = shapely.to_wkb(np.array(geoms, dtype=object))
    if path.exists():
        path.unlink()
    write(path, wkb, arrays, keys, layer=layer, driver="GPKG", crs="EPSG:28992", geometry_type=geometry_type)
