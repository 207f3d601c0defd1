"""What every format reader hands to the exchange pipeline: rows of raw values."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

import shapely
from shapely.geometry.base import BaseGeometry

from openruimte.model.errors import RowError


@dataclass(slots=True)
class RawRow:
    """One row or feature as it stands in the file (values not yet coerced)."""

    number: int
    values: dict[str, Any]
    geometry: BaseGeometry | None = None
    geometry_error: str | None = None
    #: a CRS that holds for this row only (JSON-FG ``place`` per feature)
    crs: str | None = None


@dataclass(slots=True)
class RawTable:
    """All rows of one input, its CRS and the problems found while reading it."""

    source: str
    row_label: str
    columns: list[str]
    rows: list[RawRow]
    crs: str
    errors: list[RowError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def flat_value(value: Any) -> Any:
    """A value for a flat format (CSV, GPKG text): lists as ``a;b``, dates ISO,
    objects as JSON, None as None."""
    if value is None:
        return None
    if isinstance(value, BaseGeometry):
        return shapely.to_wkt(value, rounding_precision=3, trim=True)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return ";".join(str(v) for v in value) if value else None
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str) if value else None
    return value


def json_value(value: Any) -> Any:
    """A value for JSON: dates ISO, tuples as lists."""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, tuple):
        return list(value)
    return value
