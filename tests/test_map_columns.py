"""The programming map's plans read as columns (issue 16, cold first render) give the same answer as
the plans read as ``Plan`` objects, for every caller, on SQLite and PostGIS.

``GET /api/map`` and ``/api/map/plans`` read the visible plans with
:meth:`View.plan_columns` (one query of the map's columns, no ``Plan`` per row). The reference
below is the Plan-based code they replaced, kept here verbatim: ``View.plan_rows``, the router's
``search`` and ``_map_properties``, ``to_wgs84`` and a feature at a time. The two must be equal byte
for byte for the coordinator, the owner, an organisation at the table, one outside it, the public and
the local system, unfiltered and with every filter (owner, asset type, theme, phase, hardness,
period, bbox, key, search), including sensitive plans (masked for others) and every geometry type.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import numpy as np
import orjson
import pytest
import shapely
import shapely.affinity

from openruimte.api.routers import mapdata
from openruimte.api.routers.plans import search
from openruimte.io.crs import to_wgs84
from openruimte.model import Hardness, Phase, Plan, Visibility
from openruimte.model.access import SYSTEM, UNDISCLOSED, Principal, Role
from openruimte.store import PlanFilter
from openruimte.store import tables as t
from openruimte.store.permissions import View, _column_value
from tests.factories import X0, Y0

OWNER, MEMBER, OUTSIDER, COORD = "telecom-a", "gemeente-b", "adviseur-c", "gemeente-coord"

PRINCIPALS = {
    "coordinator": Principal(org=COORD, role=Role.COORDINATOR, actor="t", at_table=True),
    "owner": Principal(org=OWNER, role=Role.EDITOR, actor="t", at_table=True),
    "member": Principal(org=MEMBER, role=Role.VIEWER, actor="t", at_table=True),
    "outsider": Principal(org=OUTSIDER, role=Role.VIEWER, actor="t", at_table=False),
    "public": Principal(),
    "system": SYSTEM,
}


def _geometries(x: float, y: float) -> list[Any]:
    return [
        shapely.LineString([(x, y), (x + 80.123, y + 0.456), (x + 120, y + 30)]),
        shapely.Point(x + 3.3, y + 4.4),
        shapely.box(x, y, x + 40, y + 25),
        shapely.MultiLineString([[(x, y), (x + 10, y)], [(x, y + 5), (x + 10, y + 7)]]),
        shapely.MultiPolygon([shapely.box(x, y, x + 5, y + 5), shapely.box(x + 10, y, x + 15, y + 5)]),
        shapely.GeometryCollection([shapely.LineString([(x, y), (x + 30, y)]), shapely.Point(x + 50, y)]),
        shapely.Polygon(
            [(x, y), (x + 50, y), (x + 50, y + 50), (x, y + 50)],
            [[(x + 10, y + 10), (x + 20, y + 10), (x + 20, y + 20)]],
        ),
    ]


def world_plans() -> list[Plan]:
    """Plans of three organisations: every visibility, sensitive or not, every geometry type, with and
    without dates, area, asset types and themes."""
    plans = []
    owners = (OWNER, MEMBER, OUTSIDER)
    types = (("telecom",), ("gemengd_riool", "weg"), (), ("elektriciteit", "gas", "warmte"))
    themes = (("vervanging",), (), ("hittestress", "wateroverlast"))
    phases, hards = list(Phase), list(Hardness)
    i = 0
    for o, owner in enumerate(owners):
        for vis in Visibility:
            for sensitive in (False, True):
                for g, geom in enumerate(_geometries(X0 + 300 * i, Y0 + 37 * o)):
                    dated = (i + g) % 4 != 0
                    start = dt.date(2026 + i % 5, 1 + (i * 7 + g) % 12, 1 + (i * 3 + g) % 28) if dated else None
                    plans.append(
                        Plan(
                            id=f"p{i}-{g}",
                            name=f"Werk {i}-{g} {'Riool' if g % 2 else 'Kabel'} ‘quote’ ü",
                            owner=owner,
                            phase=phases[(i + g) % len(phases)],
                            hardness=hards[(i + 2 * g) % len(hards)],
                            asset_types=types[(i + g) % len(types)],
                            themes=themes[(i + g) % len(themes)],
                            area=f"BU000{g}" if g % 3 else None,
                            start=start,
                            end=start + dt.timedelta(days=30 + 17 * g) if start else None,
                            excavation=g % 2 == 0,
                            surface_renewal=g == 3,
                            visibility=vis,
                            sensitive=sensitive,
                            programme="Programma X" if g == 1 else None,
                            budget_eur=1000.5 * g if g else None,
                            goals=("g1",) if g == 2 else (),
                            dwellings=g if g == 4 else None,
                            geometry=geom,
                        )
                    )
                i += 1
    return plans


# ---------------------------------------------------------------- the Plan-based code the map replaced


def _map_properties(plan: Plan) -> dict[str, Any]:
    return {
        "key": plan.key,
        "name": plan.name,
        "owner": plan.owner,
        "phase": str(plan.phase),
        "hardness": str(plan.hardness),
        "asset_types": list(plan.asset_types),
        "themes": list(plan.themes),
        "start": plan.start.isoformat() if plan.start else None,
        "end": plan.end.isoformat() if plan.end else None,
        "area": plan.area,
    }


def plan_based_payload(view: View, flt: Any, q: str | None) -> bytes:
    plans = [p for p, _ in search(view.plan_rows(flt), q)]
    if not plans:
        return orjson.dumps({"type": "FeatureCollection", "features": [], "numberMatched": 0})
    geoms = np.array(to_wgs84([p.geometry for p in plans]), dtype=object)
    coords = shapely.get_coordinates(geoms)
    geoms = shapely.set_coordinates(geoms.copy(), np.round(coords, mapdata.DECIMALS))
    texts = shapely.to_geojson(geoms)
    parts = [
        orjson.dumps(
            {
                "type": "Feature",
                "id": p.key,
                "geometry": orjson.Fragment(g) if g is not None else None,
                "properties": _map_properties(p),
            }
        )
        for p, g in zip(plans, texts, strict=True)
    ]
    head = b'{"type":"FeatureCollection","numberMatched":%d,"numberReturned":%d,"features":[' % (
        len(plans),
        len(plans),
    )
    return head + b",".join(parts) + b"]}"


# ---------------------------------------------------------------- tests


@pytest.fixture
def world(store):
    with store.writer("test") as w:
        w.upsert("plans", world_plans())
    return store


FILTERS = {
    "none": (PlanFilter(), None),
    "owner": (PlanFilter(owners=(OWNER,)), None),
    "undisclosed owner": (PlanFilter(owners=(UNDISCLOSED,)), None),
    "asset type": (PlanFilter(asset_types=("telecom", "gas")), None),
    "theme": (PlanFilter(themes=("hittestress",)), None),
    "phase and hardness": (PlanFilter(phases=("ontwerp", "realisatie"), hardness=("besloten",)), None),
    "period": (PlanFilter(period=(dt.date(2027, 3, 1), dt.date(2028, 6, 30))), None),
    "bbox": (PlanFilter(bbox=(X0 + 250, Y0 - 10, X0 + 2000, Y0 + 60)), None),
    "keys": (PlanFilter(keys=(f"{OWNER}:p0-1", f"{MEMBER}:p7-2", f"{OUTSIDER}:p13-0")), None),
    "search": (PlanFilter(), "riool"),
    "search undisclosed": (PlanFilter(), "niet-genoemd"),
    "search area": (PlanFilter(), "bu0002"),
    "nothing": (PlanFilter(owners=("nobody",)), None),
}


@pytest.mark.parametrize("who", list(PRINCIPALS))
def test_map_payload_from_columns_equals_the_plan_based_one(world, who):
    view = View(world, PRINCIPALS[who])
    seen_masked = False
    for name, (flt, q) in FILTERS.items():
        new = mapdata._plans(view, flt, q)
        old = plan_based_payload(view, flt, q)
        assert new == old, f"{who}, filter {name}: the map's payload differs from the Plan-based one"
        seen_masked |= UNDISCLOSED.encode() in new
    # the case that matters is exercised: others' sensitive plans masked (not for the coordinator)
    assert seen_masked == (who not in ("coordinator", "system"))


@pytest.mark.parametrize("who", list(PRINCIPALS))
def test_plan_columns_equal_plan_rows_column_by_column(world, who):
    """Every plan column, as View.plan_columns reads it, is the value of the Plan that plan_rows gives."""
    view = View(world, PRINCIPALS[who])
    fields = [c.name for c in t.plans.columns if c.name in {f.name for f in dataclasses.fields(Plan)}]
    for flt, _ in FILTERS.values():
        rows = view.plan_rows(flt)
        cols = view.plan_columns(fields, flt)
        assert cols["key"] == [p.key for p, _ in rows]
        for name in fields:
            if name == "geometry":
                assert all(
                    shapely.equals_exact(a, p.geometry, tolerance=0) for a, (p, _) in zip(cols[name], rows, strict=True)
                )
            else:
                assert cols[name] == [_column_value(getattr(p, name)) for p, _ in rows], name


def test_store_plan_columns_refuse_an_unknown_column(world):
    with pytest.raises(ValueError, match="no plans column"):
        world.plan_columns(["geometry", "budget"])


@pytest.mark.parametrize("who", list(PRINCIPALS))
def test_saved_analysis_filtered_from_columns_equals_the_plan_based_filter(world, who):
    """View.analysis reads the plans it filters the pairs by as columns; the answer is the one the
    filter gives over whole Plan objects (the undisclosed pairs' buurt and quarter included)."""
    from openruimte.analysis.pairs import Parameters
    from openruimte.services import analyse as analysing
    from tests.factories import area

    partners = [
        dataclasses.replace(
            p,
            id=f"partner-{p.id}",
            owner=COORD,
            name=f"Partner van {p.id}",
            visibility=Visibility.PUBLIC,
            sensitive=False,
            asset_types=("gemengd_riool",),
            excavation=True,
            geometry=shapely.affinity.translate(p.geometry, 0, 2),
        )
        for p in world_plans()
        if p.geometry.geom_type == "LineString" and p.start is not None
    ]
    with world.writer("test") as w:
        w.upsert("plans", partners)
        w.upsert("areas", [area("BU00010001", (X0 - 100, Y0 - 100, X0 + 30000, Y0 + 200))])
    analysing.analyse_store(world, Parameters(), actor="test")
    view = View(world, PRINCIPALS[who])
    new = view.analysis("plans")
    saved = world.latest_analysis("plans")
    old = (
        saved
        if who == "system"
        else {**saved, "result": view._plan_pairs(saved["result"], {p.key: p for p in world.plans()})}
    )
    assert new == old
    assert saved["result"]["couplings"], "the world has couplings"
    if who in ("member", "outsider", "public"):
        assert new["result"]["undisclosed"], "and pairs with an undisclosed party"
