"""The generated demo data set and its content hash."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field, fields
from enum import Enum
from typing import Any

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from openruimte.demo._town import Street
from openruimte.model import (
    Area,
    Asset,
    EnvironmentLayer,
    Organisation,
    Plan,
    PolicyGoal,
    VitalSystem,
)

_PLAIN = (str, int, float, bool, type(None))
_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _field_names(obj: Any) -> tuple[str, ...]:
    cls = type(obj)
    if cls not in _FIELD_NAMES:
        _FIELD_NAMES[cls] = tuple(f.name for f in fields(obj))
    return _FIELD_NAMES[cls]


def _wkb(geom: BaseGeometry) -> str:
    return str(shapely.to_wkb(geom, hex=True, output_dimension=2, byte_order=1, include_srid=False))


def canonical(value: Any, wkb: dict[int, str] | None = None) -> Any:
    """Plain JSON values: geometries as little-endian 2D WKB hex, dates ISO, enums by value.

    ``wkb`` maps ``id(geometry)`` to its WKB hex when that was computed in bulk.
    """
    if type(value) in _PLAIN:
        return value
    if isinstance(value, BaseGeometry):
        return wkb[id(value)] if wkb is not None and id(value) in wkb else _wkb(value)
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(canonical(k, wkb)): canonical(v, wkb) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [canonical(v, wkb) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    if hasattr(value, "__dataclass_fields__"):
        return {name: canonical(getattr(value, name), wkb) for name in _field_names(value)}
    return value


def _geometries(objs: list[Any]) -> list[BaseGeometry]:
    """Every geometry held by the objects' fields, nested dataclass lists included."""
    out: list[BaseGeometry] = []
    stack = list(objs)
    while stack:
        obj = stack.pop()
        for name in _field_names(obj):
            v = getattr(obj, name)
            if isinstance(v, BaseGeometry):
                out.append(v)
            elif isinstance(v, list) and v and hasattr(v[0], "__dataclass_fields__"):
                stack.extend(v)
    return out


def _bulk_wkb(objs: list[Any]) -> dict[int, str]:
    geoms = _geometries(objs)
    if not geoms:
        return {}
    hexes = shapely.to_wkb(
        np.array(geoms, dtype=object), hex=True, output_dimension=2, byte_order=1, include_srid=False
    )
    return {id(g): str(h) for g, h in zip(geoms, hexes, strict=True)}


@dataclass(slots=True)
class DemoData:
    """Everything about Voorbeeldstad; ``planted`` documents the situations planted on purpose."""

    organisations: list[Organisation]
    areas: list[Area]
    streets: list[Street]
    plans: list[Plan]
    assets: list[Asset]
    policy_goals: list[PolicyGoal]
    layers: list[EnvironmentLayer]
    vital_systems: list[VitalSystem]
    planted: dict[str, Any] = field(default_factory=dict)

    def content_hash(self) -> str:
        """sha256 over a canonical serialisation of all content, independent of list order."""
        h = hashlib.sha256()
        for name in ("organisations", "areas", "streets", "plans", "assets", "policy_goals", "layers", "vital_systems"):
            objs = getattr(self, name)
            wkb = _bulk_wkb(objs)
            lines = sorted(json.dumps(canonical(o, wkb), sort_keys=True, ensure_ascii=False) for o in objs)
            h.update(f"#{name}\n".encode())
            for line in lines:
                h.update(line.encode())
                h.update(b"\n")
        h.update(b"#planted\n")
        h.update(json.dumps(canonical(self.planted), sort_keys=True, ensure_ascii=False).encode())
        return h.hexdigest()

    def plan(self, key: str) -> Plan:
        """The plan with global key ``owner:id``."""
        for p in self.plans:
            if p.key == key:
                return p
        raise KeyError(key)

    def street(self, street_id: str) -> Street:
        for s in self.streets:
            if s.id == street_id:
                return s
        raise KeyError(street_id)
