"""The information model of integral programming.

Five categories (exchange.md and ARCHITECTURE.md): policy (:class:`PolicyGoal`),
plans (:class:`Plan`), assets (:class:`Asset`), environment
(:class:`EnvironmentLayer`, :class:`EnvironmentFeature`) and vital systems
(:class:`VitalSystem`, :class:`VitalElement`); plus :class:`Area`,
:class:`Organisation` and the metadata every dataset carries (:class:`Dataset`).

Geometries are shapely geometries in EPSG:28992. Each class has
``from_record(mapping)`` that coerces raw values (as they come from a file or a
request) and raises :class:`RecordInvalid` listing every wrong field, and
``to_record()`` that gives the exchange keys with plain Python values.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from enum import StrEnum
from typing import Any, ClassVar

from shapely.geometry.base import BaseGeometry

from openruimte.model import parse as p
from openruimte.model.errors import FieldError
from openruimte.model.geometry import (
    ANY_GEOMETRY_TYPES,
    AREA_GEOMETRY_TYPES,
    PLAN_GEOMETRY_TYPES,
    check_geometry,
)
from openruimte.model.vocab import (
    ASSET_TYPES,
    NETWORK_TYPES,
    AreaLevel,
    Category,
    Hardness,
    OrganisationKind,
    Origin,
    Phase,
    PolicyKind,
    Temporal,
    Visibility,
)

_ID_MAX = 200
#: characters an identifier may not hold: '/' cannot travel in a URL path segment,
#: ':' separates owner and id in the global key, control characters are invisible
_ID_FORBIDDEN = re.compile(r"[/:\x00-\x1f\x7f]")


def _identifier(field_name: str, value: Any) -> str:
    """An identifier (id, owner, code): 1 to 200 characters, none of them '/', ':'
    or a control character (README "Identifiers")."""
    result = p.text(field_name, value, required=True, max_length=_ID_MAX)
    assert result is not None  # required=True never returns None  # noqa: S101
    bad = _ID_FORBIDDEN.search(result)
    if bad:
        char = {"/": "'/'", ":": "':'"}.get(bad.group(), f"control character U+{ord(bad.group()):04X}")
        raise FieldError(
            field_name,
            f"an identifier may not contain {char} (at position {bad.start() + 1} of '{result}'); "
            "use letters, digits, '-', '_' or '.'",
            value,
        )
    return result


def _geometry(
    c: p.FieldCollector, allowed: tuple[str, ...], make_valid: bool, required: bool = True
) -> BaseGeometry | None:
    geom = c.record.get("geometry")
    if geom is not None and not isinstance(geom, BaseGeometry):
        c.fail("geometry", f"expected a geometry, got {type(geom).__name__}", None)
        return None
    return c.check(lambda: check_geometry("geometry", geom, allowed=allowed, make_valid=make_valid, required=required))


class Record:
    """Shared behaviour of model classes: exchange keys in, plain values out."""

    #: field names that are not exchange keys
    internal: ClassVar[tuple[str, ...]] = ()

    def to_record(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in fields(self):  # type: ignore[arg-type]
            if f.name in self.internal:
                continue
            value = getattr(self, f.name)
            if isinstance(value, StrEnum):
                value = str(value)
            elif isinstance(value, tuple):
                value = list(value)
            out[f.name] = value
        return out


# --------------------------------------------------------------------------- plans


@dataclass(slots=True, kw_only=True)
class Plan(Record):
    """One plan or project, any phase of its life cycle (planinformatie)."""

    id: str
    name: str
    owner: str
    phase: Phase
    asset_types: tuple[str, ...]
    geometry: BaseGeometry
    hardness: Hardness = Hardness.INDICATIEF
    themes: tuple[str, ...] = ()
    programme: str | None = None
    area: str | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    earliest_start: dt.date | None = None
    latest_end: dt.date | None = None
    duration_days: int | None = None
    excavation: bool = True
    surface_renewal: bool = False
    budget_eur: float | None = None
    contact: str | None = None
    visibility: Visibility = Visibility.PRIVATE
    #: dwellings a housing or area development plan adds (for network capacity)
    dwellings: int | None = None
    #: commercially sensitive: others see only "works by an undisclosed party"
    sensitive: bool = False
    #: policy goals the plan serves (keys ``owner:id`` or ids of policy goals)
    goals: tuple[str, ...] = ()
    #: planning per phase: phase -> (start, end), either may be open
    phase_planning: dict[Phase, tuple[dt.date | None, dt.date | None]] = field(default_factory=dict)

    @property
    def key(self) -> str:
        """The global key ``owner:id``."""
        return f"{self.owner}:{self.id}"

    @property
    def scheduled(self) -> bool:
        return self.start is not None and self.end is not None

    @classmethod
    def from_record(cls, record: Mapping[str, Any], *, make_valid: bool = False) -> Plan:
        c = p.FieldCollector(record)
        values: dict[str, Any] = {
            "id": c.get(_identifier, "id"),
            "name": c.get(p.text, "name", required=True),
            "owner": c.get(_identifier, "owner"),
            "phase": c.get(p.enum, "phase", Phase, label="phase"),
            "hardness": c.get(p.enum, "hardness", Hardness, label="hardness", default=Hardness.INDICATIEF),
            "asset_types": c.get(p.code_list, "asset_types", ASSET_TYPES, label="asset type", required=True),
            "themes": tuple(t.lower() for t in (c.get(p.string_list, "themes") or ())),
            "programme": c.get(p.text, "programme"),
            "area": c.get(p.text, "area"),
            "start": c.get(p.date, "start"),
            "end": c.get(p.date, "end", end_of_period=True),
            "earliest_start": c.get(p.date, "earliest_start"),
            "latest_end": c.get(p.date, "latest_end", end_of_period=True),
            "duration_days": c.get(p.integer, "duration_days", minimum=1),
            "excavation": c.get(p.boolean, "excavation", default=True),
            "surface_renewal": c.get(p.boolean, "surface_renewal", default=False),
            "budget_eur": c.get(p.number, "budget_eur", minimum=0),
            "contact": c.get(p.text, "contact"),
            "visibility": c.get(p.enum, "visibility", Visibility, label="visibility", default=Visibility.PRIVATE),
            "dwellings": c.get(p.integer, "dwellings", minimum=0),
            "sensitive": c.get(p.boolean, "sensitive", default=False),
            "goals": tuple(c.get(p.string_list, "goals") or ()),
            "phase_planning": c.get(parse_phase_planning, "phase_planning") or {},
            "geometry": _geometry(c, PLAN_GEOMETRY_TYPES, make_valid),
        }
        start, end = values["start"], values["end"]
        if (start is None) != (end is None) and not any(e.field in ("start", "end") for e in c.errors):
            missing = "end" if end is None else "start"
            c.fail(missing, "start and end come together: give both or neither", None)
        if start is not None and end is not None and end < start:
            c.fail("end", f"end {end.isoformat()} is before start {start.isoformat()}", record.get("end"))
        es, le = values["earliest_start"], values["latest_end"]
        if es is not None and le is not None and le < es:
            c.fail(
                "latest_end",
                f"latest_end {le.isoformat()} is before earliest_start {es.isoformat()}",
                record.get("latest_end"),
            )
        c.raise_if_any()
        return cls(**values)

    def to_record(self) -> dict[str, Any]:
        out = Record.to_record(self)
        out["phase_planning"] = format_phase_planning(self.phase_planning)
        return out


def parse_phase_planning(field_name: str, value: Any) -> dict[Phase, tuple[dt.date | None, dt.date | None]]:
    """Planning per phase: a mapping ``{"ontwerp": ["2026-01", "2026-06"]}`` or text
    ``ontwerp:2026-01/2026-06;realisatie:2027-03-01/2027-09-30``."""
    if p.is_blank(value):
        return {}
    items: list[tuple[str, Any, Any]] = []
    if isinstance(value, Mapping):
        for k, v in value.items():
            if isinstance(v, Mapping):
                items.append((k, v.get("start"), v.get("end")))
            elif isinstance(v, (list, tuple)) and len(v) == 2:
                items.append((k, v[0], v[1]))
            else:
                raise FieldError(field_name, f"phase '{k}': expected [start, end], got {v!r}", v)
    elif isinstance(value, str):
        for part in value.split(";"):
            if not part.strip():
                continue
            if ":" not in part or "/" not in part:
                raise FieldError(
                    field_name, f"expected 'phase:start/end' separated by ';', got '{part.strip()}'", value
                )
            k, window = part.split(":", 1)
            s, e = window.split("/", 1)
            items.append((k, s, e))
    else:
        raise FieldError(field_name, f"expected phase:start/end pairs, got {type(value).__name__}", value)
    out: dict[Phase, tuple[dt.date | None, dt.date | None]] = {}
    for k, s, e in items:
        phase = p.enum(field_name, k, Phase, label="phase")
        start = p.date(field_name, None if s in (None, "..") else s)
        end = p.date(field_name, None if e in (None, "..") else e, end_of_period=True)
        if start is not None and end is not None and end < start:
            raise FieldError(field_name, f"phase {phase}: end {end} is before start {start}", value)
        out[phase] = (start, end)
    return dict(sorted(out.items(), key=lambda kv: kv[0].rank))


def format_phase_planning(planning: Mapping[Phase, tuple[dt.date | None, dt.date | None]]) -> str | None:
    if not planning:
        return None
    parts = []
    for phase, (s, e) in sorted(planning.items(), key=lambda kv: kv[0].rank):
        parts.append(f"{phase}:{s.isoformat() if s else '..'}/{e.isoformat() if e else '..'}")
    return ";".join(parts)


# --------------------------------------------------------------------------- assets


@dataclass(slots=True, kw_only=True)
class Asset(Record):
    """A managed object in public space (assetinformatie)."""

    id: str
    owner: str
    asset_type: str
    geometry: BaseGeometry
    name: str | None = None
    imbor_type: str | None = None
    material: str | None = None
    install_year: int | None = None
    expected_life_years: int | None = None
    replacement_year: int | None = None
    condition: int | None = None
    depth_m: float | None = None
    diameter_mm: float | None = None
    area: str | None = None
    visibility: Visibility = Visibility.SHARED
    #: further attributes (status, last renewal year, network operator ...)
    attributes: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return f"{self.owner}:{self.id}"

    @property
    def due_year(self) -> int | None:
        """Explicit replacement year, else install year + expected life."""
        if self.replacement_year is not None:
            return self.replacement_year
        if self.install_year is not None and self.expected_life_years is not None:
            return self.install_year + self.expected_life_years
        return None

    @classmethod
    def from_record(cls, record: Mapping[str, Any], *, make_valid: bool = False) -> Asset:
        c = p.FieldCollector(record)
        attributes = record.get("attributes") or {}
        if not isinstance(attributes, Mapping):
            c.fail("attributes", f"expected an object of further attributes, got {type(attributes).__name__}", None)
            attributes = {}
        values: dict[str, Any] = {
            "id": c.get(_identifier, "id"),
            "owner": c.get(_identifier, "owner"),
            "asset_type": c.get(_asset_type, "asset_type"),
            "name": c.get(p.text, "name"),
            "imbor_type": c.get(p.text, "imbor_type"),
            "material": c.get(p.text, "material"),
            "install_year": c.get(p.integer, "install_year", minimum=1500, maximum=2200),
            "expected_life_years": c.get(p.integer, "expected_life_years", minimum=1, maximum=500),
            "replacement_year": c.get(p.integer, "replacement_year", minimum=1500, maximum=2300),
            "condition": c.get(p.integer, "condition", minimum=1, maximum=6),
            "depth_m": c.get(p.number, "depth_m", minimum=-5, maximum=200),
            "diameter_mm": c.get(p.number, "diameter_mm", minimum=0),
            "area": c.get(p.text, "area"),
            "visibility": c.get(p.enum, "visibility", Visibility, label="visibility", default=Visibility.SHARED),
            "attributes": dict(attributes),
            "geometry": _geometry(c, ANY_GEOMETRY_TYPES, make_valid),
        }
        c.raise_if_any()
        return cls(**values)


def _asset_type(field_name: str, value: Any) -> str:
    codes = p.code_list(field_name, value, ASSET_TYPES, label="asset type", required=True)
    if len(codes) != 1:
        raise FieldError(field_name, f"an asset has one asset type, got {len(codes)}: {', '.join(codes)}", value)
    return codes[0]


# --------------------------------------------------------------------------- policy


@dataclass(slots=True, kw_only=True)
class PolicyGoal(Record):
    """A goal, norm or indicator of policy for a theme and area (kernregistratie beleid)."""

    id: str
    owner: str
    theme: str
    indicator: str
    kind: PolicyKind = PolicyKind.AMBIEREND
    name: str | None = None
    area: str | None = None
    target: float | None = None
    norm: str | None = None
    unit: str | None = None
    horizon_year: int | None = None
    source_document: str | None = None
    #: the indicator's value today, to measure the distance to the target
    current: float | None = None
    #: measures (maatregelen) that serve the goal, e.g. "vergroenen", "afkoppelen"
    measures: tuple[str, ...] = ()
    visibility: Visibility = Visibility.PUBLIC
    geometry: BaseGeometry | None = None

    @property
    def key(self) -> str:
        return f"{self.owner}:{self.id}"

    @classmethod
    def from_record(cls, record: Mapping[str, Any], *, make_valid: bool = False) -> PolicyGoal:
        c = p.FieldCollector(record)
        values: dict[str, Any] = {
            "id": c.get(_identifier, "id"),
            "owner": c.get(_identifier, "owner"),
            "theme": (c.get(p.text, "theme", required=True) or "").lower(),
            "indicator": c.get(p.text, "indicator", required=True),
            "kind": c.get(p.enum, "kind", PolicyKind, label="policy kind", default=PolicyKind.AMBIEREND),
            "name": c.get(p.text, "name"),
            "area": c.get(p.text, "area"),
            "target": c.get(p.number, "target"),
            "norm": c.get(p.text, "norm"),
            "unit": c.get(p.text, "unit"),
            "horizon_year": c.get(p.integer, "horizon_year", minimum=2000, maximum=2200),
            "source_document": c.get(p.text, "source_document"),
            "current": c.get(p.number, "current"),
            "measures": tuple(m.lower() for m in (c.get(p.string_list, "measures") or ())),
            "visibility": c.get(p.enum, "visibility", Visibility, label="visibility", default=Visibility.PUBLIC),
            "geometry": _geometry(c, AREA_GEOMETRY_TYPES, make_valid, required=False),
        }
        if values["area"] is None and values["geometry"] is None and not c.errors:
            c.fail("area", "a policy goal needs an area code or a geometry", None)
        c.raise_if_any()
        return cls(**values)


# --------------------------------------------------------------------------- environment


@dataclass(slots=True, kw_only=True)
class EnvironmentFeature(Record):
    """One feature of an environment layer: a grid cell, a neighbourhood ..."""

    id: str
    geometry: BaseGeometry
    value: float | None = None
    value_class: str | None = None
    attributes: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_record(cls, record: Mapping[str, Any], *, make_valid: bool = False) -> EnvironmentFeature:
        c = p.FieldCollector(record)
        attributes = record.get("attributes") or {}
        values: dict[str, Any] = {
            "id": c.get(_identifier, "id"),
            "value": c.get(p.number, "value"),
            "value_class": c.get(p.text, "value_class"),
            "attributes": dict(attributes) if isinstance(attributes, Mapping) else {},
            "geometry": _geometry(c, ANY_GEOMETRY_TYPES, make_valid),
        }
        if values["value"] is None and values["value_class"] is None and not c.errors:
            c.fail("value", "a feature of an environment layer needs a value or a value_class", None)
        c.raise_if_any()
        return cls(**values)


@dataclass(slots=True, kw_only=True)
class EnvironmentLayer(Record):
    """A named map layer of the environment (heat stress, flood depth, social index ...)."""

    name: str
    title: str
    unit: str | None = None
    description: str | None = None
    #: higher value = worse (heat, flooding) or better (social index)?
    higher_is_worse: bool = True
    features: list[EnvironmentFeature] = field(default_factory=list)

    internal: ClassVar[tuple[str, ...]] = ("features",)


# --------------------------------------------------------------------------- vital systems


@dataclass(slots=True, kw_only=True)
class VitalElement(Record):
    """An element of a network with capacity, e.g. a substation (onderstation)."""

    id: str
    system: str
    kind: str
    geometry: BaseGeometry
    name: str | None = None
    capacity: float | None = None
    load: float | None = None
    unit: str = "kW"
    service_area: BaseGeometry | None = None

    @property
    def utilisation(self) -> float | None:
        if self.capacity and self.load is not None:
            return self.load / self.capacity
        return None

    @classmethod
    def from_record(cls, record: Mapping[str, Any], *, make_valid: bool = False) -> VitalElement:
        c = p.FieldCollector(record)
        values: dict[str, Any] = {
            "id": c.get(_identifier, "id"),
            "system": c.get(_identifier, "system"),
            "kind": c.get(p.text, "kind", required=True),
            "name": c.get(p.text, "name"),
            "capacity": c.get(p.number, "capacity", minimum=0),
            "load": c.get(p.number, "load", minimum=0),
            "unit": c.get(p.text, "unit") or "kW",
            "geometry": _geometry(c, ANY_GEOMETRY_TYPES, make_valid),
        }
        area = record.get("service_area")
        if not p.is_blank(area) and not isinstance(area, BaseGeometry):
            c.fail("service_area", f"expected a polygon geometry, got {type(area).__name__}", None)
        elif not p.is_blank(area):
            values["service_area"] = c.check(
                lambda: check_geometry("service_area", area, allowed=AREA_GEOMETRY_TYPES, make_valid=make_valid)
            )
        c.raise_if_any()
        return cls(**values)


@dataclass(slots=True, kw_only=True)
class VitalSystem(Record):
    """A network of a vital system (electricity, gas, heat, water, telecom) and its elements."""

    id: str
    owner: str
    name: str
    network_type: str
    visibility: Visibility = Visibility.SHARED
    elements: list[VitalElement] = field(default_factory=list)

    internal: ClassVar[tuple[str, ...]] = ("elements",)

    @property
    def key(self) -> str:
        return f"{self.owner}:{self.id}"

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> VitalSystem:
        c = p.FieldCollector(record)
        values: dict[str, Any] = {
            "id": c.get(_identifier, "id"),
            "owner": c.get(_identifier, "owner"),
            "name": c.get(p.text, "name", required=True),
            "network_type": c.get(p.code_list, "network_type", NETWORK_TYPES, label="network type", required=True),
            "visibility": c.get(p.enum, "visibility", Visibility, label="visibility", default=Visibility.SHARED),
        }
        if values["network_type"]:
            values["network_type"] = values["network_type"][0]
        c.raise_if_any()
        return cls(**values)


# --------------------------------------------------------------------------- streets


@dataclass(slots=True, kw_only=True)
class StreetSegment(Record):
    """A piece of street between junctions: the unit a street is opened in.

    ``profile_width_m`` is the width available for cables and pipes (the
    sidewalks and verges of the profile, in the spirit of NEN 7171)."""

    id: str
    name: str
    geometry: BaseGeometry
    kind: str | None = None
    profile_width_m: float | None = None
    area: str | None = None

    @classmethod
    def from_record(cls, record: Mapping[str, Any], *, make_valid: bool = False) -> StreetSegment:
        c = p.FieldCollector(record)
        values: dict[str, Any] = {
            "id": c.get(_identifier, "id"),
            "name": c.get(p.text, "name", required=True),
            "kind": c.get(p.text, "kind"),
            "profile_width_m": c.get(p.number, "profile_width_m", minimum=0, maximum=200),
            "area": c.get(p.text, "area"),
            "geometry": _geometry(c, ("LineString", "MultiLineString"), make_valid),
        }
        c.raise_if_any()
        return cls(**values)


# --------------------------------------------------------------------------- buildings (3D)


@dataclass(slots=True, kw_only=True)
class Building(Record):
    """A building of the 3D city model (3D BAG / CityJSON): 2D footprint in
    EPSG:28992 and heights in metres above NAP."""

    id: str
    geometry: BaseGeometry
    source: str
    bag_id: str | None = None
    ground_height_m: float | None = None
    roof_height_m: float | None = None
    roof_max_m: float | None = None
    lods: tuple[str, ...] = ()
    construction_year: int | None = None
    attributes: dict[str, Any] = field(default_factory=dict)

    @property
    def height_m(self) -> float | None:
        """Height above the ground: roof (median) minus ground level."""
        if self.roof_height_m is None or self.ground_height_m is None:
            return None
        return self.roof_height_m - self.ground_height_m


# --------------------------------------------------------------------------- areas, organisations, datasets


@dataclass(slots=True, kw_only=True)
class Area(Record):
    """A buurt, wijk or the municipality, with its code."""

    code: str
    name: str
    level: AreaLevel
    geometry: BaseGeometry
    parent: str | None = None

    @classmethod
    def from_record(cls, record: Mapping[str, Any], *, make_valid: bool = False) -> Area:
        c = p.FieldCollector(record)
        values: dict[str, Any] = {
            "code": c.get(_identifier, "code"),
            "name": c.get(p.text, "name", required=True),
            "level": c.get(p.enum, "level", AreaLevel, label="area level", default=AreaLevel.BUURT),
            "parent": c.get(p.text, "parent"),
            "geometry": _geometry(c, AREA_GEOMETRY_TYPES, make_valid),
        }
        c.raise_if_any()
        return cls(**values)


@dataclass(slots=True, kw_only=True)
class Organisation(Record):
    """A party at the programming table."""

    code: str
    name: str
    kind: OrganisationKind = OrganisationKind.OVERIG

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> Organisation:
        c = p.FieldCollector(record)
        values = {
            "code": c.get(_identifier, "code"),
            "name": c.get(p.text, "name", required=True),
            "kind": c.get(p.enum, "kind", OrganisationKind, label="organisation kind", default=OrganisationKind.OVERIG),
        }
        c.raise_if_any()
        return cls(**values)


@dataclass(slots=True, kw_only=True)
class Dataset(Record):
    """Metadata every imported dataset carries."""

    name: str
    category: Category
    source: str
    temporal: Temporal = Temporal.CURRENT
    origin: Origin = Origin.INTERNAL
    licence: str | None = None
    snapshot_date: dt.date | None = None
    owner: str | None = None
