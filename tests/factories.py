"""Small hand-made records in EPSG:28992 for tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

import shapely

from openruimte.model import Area, Asset, Hardness, Phase, Plan, Visibility

X0, Y0 = 155_000.0, 463_000.0


def line(dx: float = 0.0, dy: float = 0.0, length: float = 100.0) -> shapely.LineString:
    return shapely.LineString([(X0 + dx, Y0 + dy), (X0 + dx + length, Y0 + dy)])


def plan_record(**over: Any) -> dict[str, Any]:
    rec: dict[str, Any] = {
        "id": "p1",
        "name": "Vervanging riool Kerkstraat",
        "owner": "gemeente-voorbeeldstad",
        "phase": "ontwerp",
        "hardness": "voorgenomen",
        "asset_types": "gemengd_riool;weg",
        "themes": "vervanging;wateroverlast",
        "start": "2027-03-01",
        "end": "2027-09-30",
        "geometry": line(),
    }
    rec.update(over)
    return rec


def plan(**over: Any) -> Plan:
    return Plan.from_record(plan_record(**over))


def full_plans() -> list[Plan]:
    """Plans that use every field and every geometry type."""
    return [
        Plan(
            id="p-all",
            name="Alle velden, ‘quotes’ & ümlauts; komma, puntkomma",
            owner="gemeente-voorbeeldstad",
            phase=Phase.VOORBEREIDING,
            hardness=Hardness.BESLOTEN,
            asset_types=("gemengd_riool", "weg", "bomen"),
            themes=("hittestress", "wateroverlast"),
            programme="Riolering 2027",
            area="BU09990001",
            start=dt.date(2027, 1, 1),
            end=dt.date(2028, 2, 29),
            earliest_start=dt.date(2026, 6, 1),
            latest_end=dt.date(2030, 12, 31),
            duration_days=180,
            excavation=True,
            surface_renewal=True,
            budget_eur=1_234_567.89,
            contact="Team Riolering",
            visibility=Visibility.PUBLIC,
            phase_planning={
                Phase.ONTWERP: (dt.date(2026, 1, 1), dt.date(2026, 6, 30)),
                Phase.REALISATIE: (dt.date(2027, 1, 1), None),
            },
            geometry=shapely.LineString([(X0, Y0), (X0 + 50.123, Y0 + 10.456), (X0 + 120.5, Y0 - 3.001)]),
        ),
        plan(
            id="p-poly",
            geometry=shapely.Polygon([(X0, Y0), (X0 + 80, Y0), (X0 + 80, Y0 + 60), (X0, Y0 + 60)]),
            asset_types="woningbouw",
            owner="woningcorporatie-thuis",
            dwellings=120,
            visibility="shared",
        ),
        plan(
            id="p-multi",
            geometry=shapely.MultiLineString([line().coords, line(dy=30).coords]),
            asset_types="gas;elektriciteit",
            owner="netbeheerder-noord",
            excavation="nee",
        ),
        plan(
            id="p-point",
            geometry=shapely.Point(X0 + 5, Y0 + 5),
            asset_types="laadpunt",
            start=None,
            end=None,
            earliest_start="2028-01",
            latest_end="2029-06",
            duration_days="30",
            phase="idee",
        ),
        plan(
            id="p-mpoly",
            geometry=shapely.MultiPolygon(
                [shapely.box(X0, Y0, X0 + 10, Y0 + 10), shapely.box(X0 + 20, Y0, X0 + 30, Y0 + 10)]
            ),
            asset_types="groen",
            phase="beheer",
            budget_eur="0",
        ),
    ]


def asset(**over: Any) -> Asset:
    rec: dict[str, Any] = {
        "id": "a1",
        "owner": "gemeente-voorbeeldstad",
        "asset_type": "gemengd_riool",
        "material": "beton",
        "install_year": 1965,
        "expected_life_years": 60,
        "condition": 4,
        "depth_m": 2.1,
        "diameter_mm": 400,
        "geometry": line(),
        "attributes": {"status": "in gebruik"},
    }
    rec.update(over)
    return Asset.from_record(rec)


def area(code: str = "BU09990001", box: tuple[float, float, float, float] | None = None, level: str = "buurt") -> Area:
    box = box or (X0 - 500, Y0 - 500, X0 + 500, Y0 + 500)
    return Area.from_record({"code": code, "name": f"Buurt {code}", "level": level, "geometry": shapely.box(*box)})
