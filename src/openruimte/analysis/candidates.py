"""Replacement candidates (asset-driven): assets due in a horizon, grouped per
street segment and asset type into candidate projects (vervangingsopgaven).

An asset is due when its replacement year (explicit, or install year +
expected life) falls in the horizon, or lies before it (overdue), or when its
NEN 2767 condition is at or above the threshold (4 = matig/poor by default).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import shapely

from openruimte.model import Asset, Hardness, Phase, Plan, StreetSegment, Visibility
from openruimte.model.vocab import UNDERGROUND_NETWORK_TYPES

#: replacement cost per metre (lines), per m² (areas) or per piece (points), by asset type
DEFAULT_UNIT_COSTS: dict[str, float] = {
    "gemengd_riool": 1_400.0,
    "hemelwaterafvoer": 1_000.0,
    "droogweerafvoer": 1_100.0,
    "drainage": 150.0,
    "drinkwater": 650.0,
    "gas": 450.0,
    "elektriciteit": 400.0,
    "telecom": 180.0,
    "warmte": 2_200.0,
    "weg": 85.0,
    "fietspad": 70.0,
    "voetpad": 65.0,
    "groen": 25.0,
    "bomen": 2_500.0,
    "openbare_verlichting": 3_000.0,
    "verkeersregeling": 60_000.0,
    "kunstwerk": 1_500.0,
}
DEFAULT_COST = 500.0
#: paving types: renewing them ends with new paving (a no-dig period follows)
PAVING = frozenset({"weg", "fietspad", "voetpad"})
#: how far from a street segment an asset without a street id may lie to belong to it
STREET_SNAP_M = 25.0


@dataclass(frozen=True)
class Horizon:
    first_year: int = 2026
    last_year: int = 2040
    condition_threshold: int = 4


@dataclass
class Candidate:
    """A candidate project: the due assets of one type in one street segment."""

    id: str
    owner: str
    asset_type: str
    street_id: str | None
    street_name: str | None
    asset_ids: list[str]
    first_year: int
    last_year: int
    cost_eur: float
    geometry: Any
    reasons: dict[str, int] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return f"{self.owner}:{self.id}"

    def as_plan(self) -> Plan:
        """The candidate as an (indicative) plan, so it can couple with registered plans."""
        paving = self.asset_type in PAVING
        return Plan(
            id=self.id,
            name=f"Vervanging {self.asset_type} {self.street_name or self.street_id or ''}".strip(),
            owner=self.owner,
            phase=Phase.IDEE,
            hardness=Hardness.INDICATIEF,
            asset_types=(self.asset_type,),
            themes=("vervanging",),
            start=dt.date(self.first_year, 1, 1),
            end=dt.date(self.last_year, 12, 31),
            earliest_start=dt.date(self.first_year, 1, 1),
            latest_end=dt.date(self.last_year, 12, 31),
            excavation=self.asset_type in UNDERGROUND_NETWORK_TYPES or self.asset_type in PAVING,
            surface_renewal=paving,
            budget_eur=round(self.cost_eur, -2),
            visibility=Visibility.SHARED,
            geometry=self.geometry,
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "owner": self.owner,
            "asset_type": self.asset_type,
            "street_id": self.street_id,
            "street_name": self.street_name,
            "assets": len(self.asset_ids),
            "asset_ids": self.asset_ids,
            "first_year": self.first_year,
            "last_year": self.last_year,
            "cost_eur": round(self.cost_eur, -2),
            "reasons": self.reasons,
        }


def due_year(asset: Asset, horizon: Horizon) -> tuple[int | None, str | None]:
    """The year an asset is due within the horizon and why, or (None, None)."""
    year = asset.due_year
    poor = asset.condition is not None and asset.condition >= horizon.condition_threshold
    if year is not None and year < horizon.first_year:
        return horizon.first_year, "achterstallig"
    if year is not None and year <= horizon.last_year:
        if poor:
            return min(year, horizon.first_year + 2), "conditie"
        return year, "leeftijd"
    if poor:
        return (
            horizon.first_year + 2 if asset.condition == horizon.condition_threshold else horizon.first_year,
            "conditie",
        )
    return None, None


def _street_of(assets: Sequence[Asset], streets: Sequence[StreetSegment]) -> list[tuple[str | None, str | None]]:
    """(street id, name) per asset: its ``street_id`` attribute, else the nearest segment within reach."""
    names = {s.id: s.name for s in streets}
    out: list[tuple[str | None, str | None]] = [(None, None)] * len(assets)
    missing = []
    for i, a in enumerate(assets):
        sid = a.attributes.get("street_id")
        if sid:
            out[i] = (str(sid), a.attributes.get("street") or names.get(str(sid)))
        else:
            missing.append(i)
    if missing and streets:
        tree = shapely.STRtree(np.array([s.geometry for s in streets], dtype=object))
        geoms = np.array([assets[i].geometry for i in missing], dtype=object)
        qi, si = tree.query_nearest(geoms, max_distance=STREET_SNAP_M, all_matches=False)
        for q, s in zip(qi.tolist(), si.tolist(), strict=True):
            out[missing[q]] = (streets[s].id, streets[s].name)
    return out


def find_candidates(
    assets: Sequence[Asset],
    streets: Sequence[StreetSegment] = (),
    horizon: Horizon | None = None,
    unit_costs: Mapping[str, float] | None = None,
) -> list[Candidate]:
    """Due assets grouped per (owner, asset type, street segment) into candidate projects."""
    horizon = horizon or Horizon()
    costs = {**DEFAULT_UNIT_COSTS, **(unit_costs or {})}
    due = [(a, *due_year(a, horizon)) for a in assets]
    due = [(a, y, why) for a, y, why in due if y is not None]
    streets_of = _street_of([a for a, _, _ in due], streets)
    groups: dict[tuple[str, str, str], list[tuple[Asset, int, str]]] = defaultdict(list)
    names: dict[str, str | None] = {}
    for (a, y, why), (sid, sname) in zip(due, streets_of, strict=True):
        street_key = sid or f"los-{a.id}"  # an asset far from any street is its own candidate
        groups[(a.owner, a.asset_type, street_key)].append((a, y, why))
        names[street_key] = sname
    out = []
    for (owner, asset_type, street_key), members in sorted(groups.items()):
        geoms = [a.geometry for a, _, _ in members]
        merged = shapely.union_all(geoms) if len(geoms) > 1 else geoms[0]
        reasons: dict[str, int] = defaultdict(int)
        for _, _, why in members:
            reasons[why] += 1
        years = [y for _, y, _ in members]
        out.append(
            Candidate(
                id=f"VC-{asset_type}-{street_key}",
                owner=owner,
                asset_type=asset_type,
                street_id=None if street_key.startswith("los-") else street_key,
                street_name=names.get(street_key),
                asset_ids=sorted(a.id for a, _, _ in members),
                first_year=min(years),
                last_year=max(years),
                cost_eur=sum(_cost(g, costs.get(asset_type, DEFAULT_COST)) for g in geoms),
                geometry=merged,
                reasons=dict(reasons),
            )
        )
    return out


def _cost(geom: Any, unit: float) -> float:
    dim = shapely.get_dimensions(geom)
    if dim == 1:
        return unit * geom.length
    if dim == 2:
        return unit * geom.area
    return unit
