"""How a plan becomes a solid in the 3D view.

A plan's 3D attributes (:class:`PlanVolume`, table ``plan_volumes``) are kept
beside the plan by its owner: planned height or storeys above ground, depth
and width below it. :func:`solid_of` turns a plan and its volume (or none)
into what the viewer draws:

``volume``  a polygon plan extruded from ground level to ``height_m``
            (or ``storeys`` x ``storey_height_m``, 3.0 m by default);
``trench``  a line plan that digs (``excavation``), or any plan with a
            ``depth_m``, as a trench below ground level: the line buffered
            by half its width (flat ends), from the surface down to its depth;
``slab``    a polygon plan without a planned height: a thin plate of
            :data:`SLAB_M` on the ground, marked ``estimated``;
``line``    a line plan that does not dig (e.g. road maintenance): a strip on
            the surface.

Without a given depth or width a trench takes the typical values of its
asset types (:data:`TRENCH_DEPTH_M`, :data:`TRENCH_WIDTH_M`, the deepest and
widest of them) and is marked ``estimated``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from openruimte.model import InputError, Plan, RowError
from openruimte.model.errors import FieldError

STOREY_HEIGHT_M = 3.0
SLAB_M = 0.5
STRIP_M = 0.3

#: typical trench depth (m below ground level) per asset type of a plan
TRENCH_DEPTH_M: dict[str, float] = {
    "gas": 1.2,
    "elektriciteit": 1.1,
    "openbare_verlichting": 0.8,
    "verkeersregeling": 0.8,
    "warmte": 1.5,
    "drinkwater": 1.4,
    "telecom": 0.8,
    "hemelwaterafvoer": 2.0,
    "droogweerafvoer": 2.5,
    "gemengd_riool": 3.0,
    "drainage": 1.0,
    "overstort": 3.0,
    "bomen": 1.5,
}
#: typical trench width (m) per asset type of a plan
TRENCH_WIDTH_M: dict[str, float] = {
    "gas": 0.6,
    "elektriciteit": 0.6,
    "openbare_verlichting": 0.4,
    "verkeersregeling": 0.4,
    "warmte": 1.6,
    "drinkwater": 0.8,
    "telecom": 0.4,
    "hemelwaterafvoer": 1.2,
    "droogweerafvoer": 1.0,
    "gemengd_riool": 1.5,
    "drainage": 0.4,
    "overstort": 2.0,
    "bomen": 1.5,
}
DEFAULT_TRENCH_DEPTH_M = 1.0
DEFAULT_TRENCH_WIDTH_M = 0.8
#: plausibility limits (a planned height over 300 m or a trench over 30 m deep is a typing error)
MAX_HEIGHT_M = 300.0
MAX_DEPTH_M = 30.0
MAX_WIDTH_M = 60.0
MAX_STOREYS = 100


@dataclass(frozen=True, slots=True)
class PlanVolume:
    """The 3D attributes of a plan; every field optional."""

    height_m: float | None = None
    storeys: int | None = None
    storey_height_m: float | None = None
    depth_m: float | None = None
    width_m: float | None = None

    @classmethod
    def from_record(cls, record: dict[str, Any], where: str = "volume") -> PlanVolume:
        """Validated from a mapping (API body, file row); errors name the field and the limit."""
        errors: list[FieldError] = []
        values: dict[str, Any] = {}
        limits = {
            "height_m": (0.0, MAX_HEIGHT_M),
            "storey_height_m": (1.5, 10.0),
            "depth_m": (0.0, MAX_DEPTH_M),
            "width_m": (0.05, MAX_WIDTH_M),
            "storeys": (1, MAX_STOREYS),
        }
        unknown = sorted(set(record) - set(limits))
        for name in unknown:
            errors.append(FieldError(name, f"unknown field; expected one of {', '.join(limits)}", record[name]))
        for name, (low, high) in limits.items():
            raw = record.get(name)
            if raw is None or raw == "":
                continue
            try:
                value = int(raw) if name == "storeys" else float(raw)
                if name == "storeys" and float(raw) != int(raw):
                    raise ValueError
            except (TypeError, ValueError):
                kind = "a whole number" if name == "storeys" else "a number"
                errors.append(FieldError(name, f"expected {kind}, got {raw!r}", raw))
                continue
            if not low <= value <= high:
                errors.append(FieldError(name, f"{value} is outside {low}..{high}", raw))
                continue
            values[name] = value
        if errors:
            raise InputError([_row_error(where, e) for e in errors], where)
        return cls(**values)

    def to_record(self) -> dict[str, Any]:
        return {
            "height_m": self.height_m,
            "storeys": self.storeys,
            "storey_height_m": self.storey_height_m,
            "depth_m": self.depth_m,
            "width_m": self.width_m,
        }

    @property
    def planned_height_m(self) -> float | None:
        if self.height_m is not None:
            return self.height_m
        if self.storeys is not None:
            return self.storeys * (self.storey_height_m or STOREY_HEIGHT_M)
        return None


def _row_error(where: str, error: FieldError) -> RowError:
    return RowError(source=where, row=None, field=error.field, value=error.value, message=error.message)


def solid_of(plan: Plan, volume: PlanVolume | None = None) -> dict[str, Any]:
    """What the viewer draws for a plan: kind, footprint (shapely, RD), bottom and top relative to
    ground level (m, up is positive), and whether the numbers are estimated."""
    volume = volume or PlanVolume()
    geom = plan.geometry
    polygonal = _polygonal(geom)
    height = volume.planned_height_m
    if polygonal is not None and height is not None and volume.depth_m is None:
        return {"kind": "volume", "footprint": polygonal, "bottom": 0.0, "top": height, "estimated": False}
    digs = volume.depth_m is not None or (plan.excavation and polygonal is None)
    if digs:
        depth, depth_known = _typical(volume.depth_m, TRENCH_DEPTH_M, plan.asset_types, DEFAULT_TRENCH_DEPTH_M)
        width, width_known = _typical(volume.width_m, TRENCH_WIDTH_M, plan.asset_types, DEFAULT_TRENCH_WIDTH_M)
        footprint = polygonal if polygonal is not None else _buffer(geom, width)
        return {
            "kind": "trench",
            "footprint": footprint,
            "bottom": -depth,
            "top": 0.0,
            "width_m": width,
            "estimated": not (depth_known and width_known),
        }
    if polygonal is not None:
        return {"kind": "slab", "footprint": polygonal, "bottom": 0.0, "top": SLAB_M, "estimated": True}
    width = volume.width_m or DEFAULT_TRENCH_WIDTH_M * 4
    return {"kind": "line", "footprint": _buffer(geom, width), "bottom": 0.0, "top": STRIP_M, "estimated": True}


def solids_of(
    geometries: Sequence[BaseGeometry],
    excavation: Sequence[bool],
    asset_types: Sequence[Sequence[str]],
    volumes: Sequence[PlanVolume | None],
) -> list[dict[str, Any]]:
    """:func:`solid_of` of many plans at once (given as columns: geometry, excavation, asset types, and
    each plan's volume or None): the same solids, with the buffers of trenches and strips made in one
    shapely call per width instead of one per plan (the 3D view draws 10,000 plans)."""
    geoms = np.asarray(geometries, dtype=object)
    type_ids = shapely.get_type_id(geoms).tolist() if len(geoms) else []
    out: list[dict[str, Any]] = []
    #: (how, width) -> rows whose footprint is the geometry buffered so
    pending: dict[tuple[str, float], list[int]] = defaultdict(list)
    for i, type_id in enumerate(type_ids):
        volume = volumes[i] or PlanVolume()
        geom = geoms[i]
        polygonal = geom if type_id in (3, 6) else _polygonal(geom) if type_id == 7 else None
        height = volume.planned_height_m
        if polygonal is not None and height is not None and volume.depth_m is None:
            out.append({"kind": "volume", "footprint": polygonal, "bottom": 0.0, "top": height, "estimated": False})
            continue
        if volume.depth_m is not None or (excavation[i] and polygonal is None):
            depth, depth_known = _typical(volume.depth_m, TRENCH_DEPTH_M, asset_types[i], DEFAULT_TRENCH_DEPTH_M)
            width, width_known = _typical(volume.width_m, TRENCH_WIDTH_M, asset_types[i], DEFAULT_TRENCH_WIDTH_M)
            out.append(
                {
                    "kind": "trench",
                    "footprint": polygonal,
                    "bottom": -depth,
                    "top": 0.0,
                    "width_m": width,
                    "estimated": not (depth_known and width_known),
                }
            )
        elif polygonal is not None:
            out.append({"kind": "slab", "footprint": polygonal, "bottom": 0.0, "top": SLAB_M, "estimated": True})
            continue
        else:
            width = volume.width_m or DEFAULT_TRENCH_WIDTH_M * 4
            out.append({"kind": "line", "footprint": None, "bottom": 0.0, "top": STRIP_M, "estimated": True})
        if polygonal is None:
            how = "point" if type_id in (0, 4) else "collection" if type_id == 7 else "line"
            pending[(how, width)].append(i)
    for (how, width), rows in pending.items():
        if how == "collection":
            made = [_buffer(geoms[i], width) for i in rows]
        elif how == "point":
            made = shapely.buffer(geoms[rows], max(width, 1.0) / 2.0, quad_segs=2).tolist()
        else:
            made = shapely.buffer(
                geoms[rows], width / 2.0, cap_style="flat", join_style="mitre", quad_segs=2
            ).tolist()
        for i, footprint in zip(rows, made, strict=True):
            out[i]["footprint"] = footprint
    return out


def _polygonal(geom: BaseGeometry) -> BaseGeometry | None:
    """The areal part of a geometry (a collection may mix), None when it has none."""
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    if geom.geom_type == "GeometryCollection":
        parts = [g for g in shapely.get_parts(geom) if g.geom_type in ("Polygon", "MultiPolygon")]
        return shapely.union_all(parts) if parts else None
    return None


def _buffer(geom: BaseGeometry, width: float) -> BaseGeometry:
    """Lines by half the width with flat ends; points (a pit, a mast) as a small octagon."""
    if geom.geom_type in ("Point", "MultiPoint"):
        return shapely.buffer(geom, max(width, 1.0) / 2.0, quad_segs=2)
    lines = shapely.buffer(geom, width / 2.0, cap_style="flat", join_style="mitre", quad_segs=2)
    if geom.geom_type == "GeometryCollection":  # points in a mixed collection too
        points = [g for g in shapely.get_parts(geom) if g.geom_type == "Point"]
        return shapely.union_all([lines, *[shapely.buffer(q, max(width, 1.0) / 2.0, quad_segs=2) for q in points]])
    return lines


def _typical(
    given: float | None, table: dict[str, float], types: Sequence[str], default: float
) -> tuple[float, bool]:
    if given is not None:
        return float(given), True
    values = [table[t] for t in types if t in table]
    return (max(values) if values else default), False
