"""Vital systems: the electricity grid with its substations, the heat, gas and water networks.

Substation loads are set after the plans exist: one substation (planted) is
loaded so that the housing in its service area pushes it over capacity; the
others keep headroom for all housing planned in theirs.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from shapely.geometry import MultiPoint, Point
from shapely.geometry.base import BaseGeometry

from openruimte.demo._areas import Areas
from openruimte.demo._assets import Segs
from openruimte.demo._orgs import KW_PER_DWELLING, NETBEHEERDER, WARMTEBEDRIJF, WATERBEDRIJF
from openruimte.demo._shape import CENTRE_X, CENTRE_Y, TownShape
from openruimte.model import Plan, VitalElement, VitalSystem

ELECTRICITY_ID = "elektriciteitsnet-voorbeeldstad"
SUBSTATION_PLACES = ("Oost", "Noord", "West", "Zuidwest", "Zuidoost")


@dataclass(slots=True)
class Substation:
    id: str
    name: str
    point: Point
    area: BaseGeometry


def _snap(geom: BaseGeometry) -> BaseGeometry:
    return shapely.set_precision(geom, 0.001)


def substations(shape: TownShape, areas: Areas, rng: np.random.Generator) -> list[Substation]:
    """Five substations around the town; their service areas (Voronoi cells) tile it."""
    phi = float(rng.uniform(0, 2 * math.pi / 5))
    pts = []
    for k in range(5):
        theta = phi + 2 * math.pi * k / 5 + float(rng.uniform(-0.15, 0.15))
        r = 0.5 * float(shape.r_out(np.array([theta]))[0])
        pts.append(Point(round(CENTRE_X + r * math.cos(theta), 3), round(CENTRE_Y + r * math.sin(theta), 3)))
    town = areas.gemeente.geometry
    cells = shapely.get_parts(shapely.voronoi_polygons(MultiPoint(pts), extend_to=town.envelope.buffer(2000)))
    out = []
    for k, p in enumerate(pts):
        cell = next(c for c in cells if c.contains(p))
        theta = math.atan2(p.y - CENTRE_Y, p.x - CENTRE_X) % (2 * math.pi)
        place = SUBSTATION_PLACES[int(((theta + math.pi / 5) % (2 * math.pi)) / (2 * math.pi / 5))]
        out.append(
            Substation(f"OS-{k + 1:02d}", f"Onderstation Voorbeeldstad-{place}", p, _snap(cell.intersection(town)))
        )
    return out


def housing_by_substation(
    subs: list[Substation], plans: list[Plan], dwellings: dict[str, int]
) -> dict[str, list[tuple[dt.date, str, int]]]:
    """Per substation: (completion date, plan key, dwellings) of the housing plans whose centroid it serves."""
    out: dict[str, list[tuple[dt.date, str, int]]] = {s.id: [] for s in subs}
    for plan in plans:
        if plan.key not in dwellings:
            continue
        c = plan.geometry.centroid
        done = plan.end or plan.latest_end or dt.date(2040, 12, 31)
        for s in subs:
            if s.area.covers(c):
                out[s.id].append((done, plan.key, dwellings[plan.key]))
                break
    return {k: sorted(v) for k, v in out.items()}


def set_loads(
    subs: list[Substation],
    housing: dict[str, list[tuple[dt.date, str, int]]],
    overloaded: str,
    planted_keys: list[str],
    rng: np.random.Generator,
) -> tuple[list[VitalElement], dict[str, Any]]:
    """Capacities and loads; the planted substation tips over when its last planted housing plan is done."""
    elements, record = [], {}
    for s in subs:
        items = housing[s.id]
        added = sum(n for _, _, n in items) * KW_PER_DWELLING
        capacity = 20_000.0 if s.id == overloaded else float(rng.choice([20_000.0, 25_000.0]))
        if s.id == overloaded:
            last = max(k for k, (_, key, _) in enumerate(items) if key in planted_keys)
            before = sum(n for _, _, n in items[:last]) * KW_PER_DWELLING
            upto = before + items[last][2] * KW_PER_DWELLING
            load = round(capacity - (before + upto) / 2, -1)
            cumulative, year = load, None
            for done, _, n in items:
                cumulative += n * KW_PER_DWELLING
                if year is None and cumulative > capacity:
                    year = done.year
            record = {
                "system": ELECTRICITY_ID,
                "substation": s.id,
                "name": s.name,
                "capacity_kw": capacity,
                "load_kw": load,
                "kw_per_dwelling": KW_PER_DWELLING,
                "housing_plans": {key: n for _, key, n in items if key in planted_keys},
                "all_housing_plans": {key: n for _, key, n in items},
                "added_kw": added,
                "exceeds_in_year": year,
                "rule": "housing plans count for the substation whose service area contains the plan's centroid; "
                "load_kw + dwellings * kw_per_dwelling > capacity_kw",
            }
        else:
            load = round(capacity * float(rng.uniform(0.55, 0.72)), -1)
            while load + added > 0.95 * capacity:
                capacity += 5_000.0
        elements.append(
            VitalElement(
                id=s.id,
                system=ELECTRICITY_ID,
                kind="onderstation",
                geometry=s.point,
                name=s.name,
                capacity=capacity,
                load=float(load),
                unit="kW",
                service_area=s.area,
            )
        )
    return elements, record


def _msr(segs: Segs, rng: np.random.Generator, count: int) -> list[VitalElement]:
    cand = np.flatnonzero((segs.kind == "residential") & segs.active)
    out = []
    for k, i in enumerate(sorted(rng.choice(cand, size=min(count, len(cand)), replace=False))):
        p = shapely.line_interpolate_point(segs.geoms[i], 0.5, normalized=True)
        p = Point(round(p.x + 4.0, 3), round(p.y + 4.0, 3))
        cap = float(rng.choice([400.0, 630.0]))
        out.append(
            VitalElement(
                id=f"MSR-{k + 1:03d}",
                system=ELECTRICITY_ID,
                kind="middenspanningsruimte",
                geometry=p,
                name=f"MSR {segs.names[i]}",
                capacity=cap,
                load=round(cap * float(rng.uniform(0.35, 0.85)), 0),
                unit="kW",
            )
        )
    return out


def build_vital(
    subs_elements: list[VitalElement], segs: Segs, areas: Areas, rng: np.random.Generator, scale: float
) -> list[VitalSystem]:
    """Electricity (substations + MSRs), heat, gas and drinking water networks."""
    elec = VitalSystem(
        id=ELECTRICITY_ID, owner=NETBEHEERDER, name="Elektriciteitsnet Voorbeeldstad", network_type="elektriciteit"
    )
    elec.elements = subs_elements + _msr(segs, rng, max(4, round(40 * min(scale, 1.0))))
    heat = VitalSystem(id="warmtenet-stad", owner=WARMTEBEDRIJF, name="Warmtenet Stad", network_type="warmte")
    heat_buurten = [b for b in areas.buurten if b.parent == "WK099901" and areas.build_year[b.code] < 1972]
    centre = heat_buurten[0].geometry.representative_point()
    heat.elements.append(
        VitalElement(
            id="WC-01",
            system=heat.id,
            kind="warmtecentrale",
            geometry=Point(round(centre.x, 3), round(centre.y, 3)),
            name="Warmtecentrale Oosterpark",
            capacity=30_000.0,
            load=21_500.0,
        )
    )
    for k, b in enumerate(heat_buurten):
        p = b.geometry.representative_point()
        heat.elements.append(
            VitalElement(
                id=f"WOS-{k + 1:02d}",
                system=heat.id,
                kind="warmteoverdrachtstation",
                geometry=Point(round(p.x + 25.0, 3), round(p.y, 3)),
                name=f"WOS {b.name}",
                capacity=9_000.0,
                load=round(9_000.0 * float(rng.uniform(0.5, 0.8)), -1),
                service_area=b.geometry,
            )
        )
    gas = VitalSystem(id="gasnet-voorbeeldstad", owner=NETBEHEERDER, name="Gasnet Voorbeeldstad", network_type="gas")
    gpt = areas.gemeente.geometry.representative_point()
    gas.elements.append(
        VitalElement(
            id="GOS-01",
            system=gas.id,
            kind="gasontvangststation",
            geometry=Point(round(gpt.x, 3), round(gpt.y, 3)),
            name="Gasontvangststation Voorbeeldstad",
            capacity=40_000.0,
            load=24_000.0,
            unit="m3/h",
        )
    )
    water = VitalSystem(
        id="drinkwaternet-regio", owner=WATERBEDRIJF, name="Drinkwaternet Regio", network_type="drinkwater"
    )
    wpt = areas.wijken[2].geometry.representative_point()
    water.elements.append(
        VitalElement(
            id="WT-01",
            system=water.id,
            kind="watertoren",
            geometry=Point(round(wpt.x, 3), round(wpt.y, 3)),
            name="Watertoren Noorderhout",
            capacity=1_200.0,
            load=780.0,
            unit="m3/h",
        )
    )
    return [elec, heat, gas, water]
