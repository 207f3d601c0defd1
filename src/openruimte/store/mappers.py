"""Model objects <-> table rows, one mapper per kind of record."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import shapely
import sqlalchemy as sa

from openruimte.model import Area, Asset, Building, Phase, Plan, PolicyGoal, StreetSegment
from openruimte.model.entities import parse_phase_planning
from openruimte.model.vocab import AreaLevel, Hardness, PolicyKind, Visibility
from openruimte.store import tables as t


def _iso(d: dt.date | None) -> str | None:
    return d.isoformat() if d else None


def jsonable(record: dict[str, Any]) -> dict[str, Any]:
    """A record as JSON for the audit log: dates ISO, geometry as WKT."""
    out: dict[str, Any] = {}
    for k, v in record.items():
        if isinstance(v, (dt.date, dt.datetime)):
            v = v.isoformat()
        elif isinstance(v, shapely.Geometry):
            v = shapely.to_wkt(v, rounding_precision=3, trim=True)
        elif isinstance(v, tuple):
            v = list(v)
        out[k] = v
    return out


@dataclass(frozen=True)
class Mapper:
    """How one kind of model object is stored."""

    kind: str
    table: sa.Table
    #: the columns that identify a record across imports
    key_columns: tuple[str, ...]

    def key(self, item: Any) -> tuple[Any, ...]:
        return tuple(getattr(item, c) for c in self.key_columns)

    def record_key(self, item: Any) -> str:
        return ":".join(str(k) for k in self.key(item))

    def to_row(self, item: Any) -> dict[str, Any]:
        raise NotImplementedError

    def from_row(self, row: Any) -> Any:
        raise NotImplementedError


class PlanMapper(Mapper):
    def to_row(self, item: Plan) -> dict[str, Any]:
        rec = item.to_record()
        rec["asset_types"] = list(item.asset_types)
        rec["themes"] = list(item.themes)
        rec["goals"] = list(item.goals)
        rec["phase_planning"] = {str(k): [_iso(s), _iso(e)] for k, (s, e) in item.phase_planning.items()}
        return rec

    def from_row(self, row: Any) -> Plan:
        return Plan(
            id=row.id,
            name=row.name,
            owner=row.owner,
            phase=Phase(row.phase),
            hardness=Hardness(row.hardness),
            asset_types=tuple(row.asset_types),
            themes=tuple(row.themes),
            programme=row.programme,
            area=row.area,
            start=row.start,
            end=row.end,
            earliest_start=row.earliest_start,
            latest_end=row.latest_end,
            duration_days=row.duration_days,
            excavation=bool(row.excavation),
            surface_renewal=bool(row.surface_renewal),
            budget_eur=row.budget_eur,
            contact=row.contact,
            visibility=Visibility(row.visibility),
            dwellings=row.dwellings,
            sensitive=bool(row.sensitive),
            goals=tuple(row.goals or ()),
            phase_planning=parse_phase_planning("phase_planning", dict(row.phase_planning)),
            geometry=row.geometry,
        )


class AssetMapper(Mapper):
    def to_row(self, item: Asset) -> dict[str, Any]:
        return item.to_record()

    def from_row(self, row: Any) -> Asset:
        m = row._mapping
        return Asset(
            **{k: m[k] for k in _ASSET_FIELDS},
            visibility=Visibility(row.visibility),
            attributes=dict(row.attributes or {}),
        )


_ASSET_FIELDS = (
    "id",
    "owner",
    "asset_type",
    "geometry",
    "name",
    "imbor_type",
    "material",
    "install_year",
    "expected_life_years",
    "replacement_year",
    "condition",
    "depth_m",
    "diameter_mm",
    "area",
)


class PolicyMapper(Mapper):
    def to_row(self, item: PolicyGoal) -> dict[str, Any]:
        return item.to_record()

    def from_row(self, row: Any) -> PolicyGoal:
        m = row._mapping
        return PolicyGoal(
            **{k: m[k] for k in _POLICY_FIELDS},
            kind=PolicyKind(row.kind),
            visibility=Visibility(row.visibility),
            current=row.current,
            measures=tuple(row.measures or ()),
        )


_POLICY_FIELDS = (
    "id",
    "owner",
    "theme",
    "indicator",
    "name",
    "area",
    "target",
    "norm",
    "unit",
    "horizon_year",
    "source_document",
    "geometry",
)


class AreaMapper(Mapper):
    def to_row(self, item: Area) -> dict[str, Any]:
        return item.to_record()

    def from_row(self, row: Any) -> Area:
        return Area(code=row.code, name=row.name, level=AreaLevel(row.level), parent=row.parent, geometry=row.geometry)


class StreetMapper(Mapper):
    def to_row(self, item: StreetSegment) -> dict[str, Any]:
        return item.to_record()

    def from_row(self, row: Any) -> StreetSegment:
        return StreetSegment(
            id=row.id,
            name=row.name,
            kind=row.kind,
            profile_width_m=row.profile_width_m,
            area=row.area,
            geometry=row.geometry,
        )


class BuildingMapper(Mapper):
    def to_row(self, item: Building) -> dict[str, Any]:
        rec = item.to_record()
        rec["lods"] = list(item.lods)
        return rec

    def from_row(self, row: Any) -> Building:
        m = row._mapping
        return Building(
            **{
                k: m[k]
                for k in (
                    "id",
                    "bag_id",
                    "source",
                    "ground_height_m",
                    "roof_height_m",
                    "roof_max_m",
                    "construction_year",
                    "geometry",
                )
            },
            lods=tuple(row.lods),
            attributes=dict(row.attributes or {}),
        )


MAPPERS: dict[str, Mapper] = {
    "plans": PlanMapper("plans", t.plans, ("owner", "id")),
    "assets": AssetMapper("assets", t.assets, ("owner", "id")),
    "policy": PolicyMapper("policy", t.policy_goals, ("owner", "id")),
    "areas": AreaMapper("areas", t.areas, ("code",)),
    "streets": StreetMapper("streets", t.street_segments, ("id",)),
    "buildings": BuildingMapper("buildings", t.buildings, ("id",)),
}
