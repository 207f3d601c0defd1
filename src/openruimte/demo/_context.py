"""Environment layers (heat stress, flood depth, social index, surface water) and policy goals."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from openruimte.demo._areas import Areas
from openruimte.demo._shape import CENTRE_X, CENTRE_Y
from openruimte.demo._town import Network
from openruimte.model import EnvironmentFeature, EnvironmentLayer, PolicyGoal, PolicyKind, Visibility

CELL_M = 100.0


def _grid(town: BaseGeometry) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """100 m cells clipped to the town: (polygons, centroid xy, ids)."""
    minx, miny, maxx, maxy = town.bounds
    x0, y0 = math.floor(minx / CELL_M) * CELL_M, math.floor(miny / CELL_M) * CELL_M
    xs = np.arange(x0, maxx, CELL_M)
    ys = np.arange(y0, maxy, CELL_M)
    gx, gy = np.meshgrid(xs, ys)
    gx, gy = gx.ravel(), gy.ravel()
    cells = shapely.set_precision(shapely.intersection(shapely.box(gx, gy, gx + CELL_M, gy + CELL_M), town), 0.001)
    keep = np.isin(shapely.get_type_id(cells), [3, 6]) & (shapely.area(cells) > 50.0) & shapely.is_valid(cells)
    ids = [f"{int(x) // 100}-{int(y) // 100}" for x, y in zip(gx[keep], gy[keep], strict=True)]
    return cells[keep], np.column_stack([gx[keep] + CELL_M / 2, gy[keep] + CELL_M / 2]), ids


def _street_length(cells: np.ndarray, net: Network) -> np.ndarray:
    streets = np.array([s.geometry for s in net.streets], dtype=object)
    ci, si = shapely.STRtree(streets).query(cells, predicate="intersects")
    lengths = shapely.length(shapely.intersection(cells[ci], streets[si]))
    out = np.zeros(len(cells))
    np.add.at(out, ci, lengths)
    return out


def _heat_class(v: float) -> str:
    return "geen" if v < 29 else "matig" if v < 35 else "sterk" if v < 41 else "extreem"


def _flood_class(v: float) -> str:
    return "0-10 cm" if v < 0.1 else "10-20 cm" if v < 0.2 else "20-30 cm" if v < 0.3 else "> 30 cm"


def build_layers(areas: Areas, net: Network, rng: np.random.Generator) -> list[EnvironmentLayer]:
    town = areas.gemeente.geometry
    cells, xy, ids = _grid(town)
    pts = shapely.points(xy)
    d_centre = np.hypot(xy[:, 0] - CENTRE_X, xy[:, 1] - CENTRE_Y)
    d_canal = shapely.distance(pts, net.canal_line)
    parks = shapely.union_all([p for _, p in net.parks])
    in_park = shapely.intersects(pts, parks)
    paved = _street_length(cells, net)
    pet = (
        31.0
        + 7.0 * np.exp(-((d_centre / 900.0) ** 2))
        + 0.008 * paved
        - 2.5 * np.exp(-((d_canal / 60.0) ** 2))
        - 3.0 * in_park
        + rng.normal(0, 0.5, len(cells))
    )
    heat = EnvironmentLayer(
        name="hittestress",
        title="Gevoelstemperatuur op een hete dag (PET)",
        unit="°C",
        description="Physiological equivalent temperature at 15:00 on a hot summer day, 100 m grid",
        higher_is_worse=True,
    )
    heat.features = [
        EnvironmentFeature(id=f"pet-{i}", geometry=c, value=round(float(v), 1), value_class=_heat_class(v))
        for i, c, v in zip(ids, cells, pet, strict=True)
    ]
    p1, p2 = rng.uniform(0, 2 * math.pi, 2)
    ground = (
        0.45 * np.tanh(d_canal / 350.0)
        + 0.22 * np.sin(xy[:, 0] / 650.0 + p1) * np.cos(xy[:, 1] / 800.0 + p2)
        + 0.00008 * (xy[:, 1] - CENTRE_Y)
        + rng.normal(0, 0.03, len(cells))
    )
    depth = np.clip(0.32 - ground, 0, None) * 0.9 + 0.0008 * paved * (ground < 0.32)
    flood = EnvironmentLayer(
        name="waterdiepte",
        title="Waterdiepte op straat bij een bui van 70 mm/uur",
        unit="m",
        description="Maximum water depth after a cloudburst of 70 mm in one hour, 100 m grid",
        higher_is_worse=True,
    )
    flood.features = [
        EnvironmentFeature(id=f"wd-{i}", geometry=c, value=round(float(v), 2), value_class=_flood_class(v))
        for i, c, v in zip(ids, cells, depth, strict=True)
    ]
    social = EnvironmentLayer(
        name="sociale_index",
        title="Sociale index per buurt",
        unit="score 1-10",
        description="Composite of income, health and participation; higher is better",
        higher_is_worse=False,
    )
    for b in areas.buurten:
        v = round(float(np.clip(rng.normal(6.5, 1.2), 2.5, 9.5)), 1)
        social.features.append(
            EnvironmentFeature(
                id=f"si-{b.code}",
                geometry=b.geometry,
                value=v,
                value_class="laag" if v < 5.5 else "gemiddeld" if v < 7.5 else "hoog",
                attributes={"buurt": b.code, "name": b.name},
            )
        )
    water = EnvironmentLayer(
        name="oppervlaktewater", title="Oppervlaktewater", description="Canals and ponds", higher_is_worse=False
    )
    canal = shapely.set_precision(net.canal, 0.001)
    water.features = [
        EnvironmentFeature(id="water-gracht", geometry=canal, value_class="gracht", attributes={"name": "Oude Gracht"})
    ]
    return [heat, flood, social, water]


def build_goals(
    areas: Areas, dwellings_by_buurt: dict[str, int], heat_buurten: set[str], rng: np.random.Generator
) -> list[PolicyGoal]:
    """Five goals per buurt, housing goals per wijk and the municipality's and province's own goals."""
    goals: list[PolicyGoal] = []

    def add(owner: str, prefix: str, **fields: Any) -> None:
        n = sum(1 for g in goals if g.owner == owner) + 1
        goals.append(PolicyGoal(id=f"{prefix}-{n:04d}", owner=owner, visibility=Visibility.PUBLIC, **fields))

    gv = "gemeente-voorbeeldstad"
    for b in areas.buurten:
        centre = b.parent == "WK099900"
        add(
            gv,
            "BD",
            theme="hittestress",
            name=f"Koele buurt {b.name}",
            indicator="Gemiddelde gevoelstemperatuur (PET) op een hete dag",
            kind=PolicyKind.NORMEREND if centre else PolicyKind.AMBIEREND,
            area=b.code,
            target=35.0,
            unit="°C",
            horizon_year=2035,
            source_document="Klimaatadaptatiestrategie Voorbeeldstad 2023",
        )
        add(
            gv,
            "BD",
            theme="wateroverlast",
            name=f"Droge voeten {b.name}",
            indicator="Maximale waterdiepte op straat bij een bui van 70 mm/uur",
            kind=PolicyKind.NORMEREND,
            area=b.code,
            target=0.2,
            norm="<= 0,20 m op rijbanen; hoofdwegen begaanbaar",
            unit="m",
            horizon_year=2030,
            source_document="Gemeentelijk Rioleringsprogramma 2024-2028",
        )
        add(
            gv,
            "BD",
            theme="energietransitie",
            name=f"Aardgasvrij {b.name}",
            indicator="Aandeel woningen aardgasvrij",
            kind=PolicyKind.AMBIEREND,
            area=b.code,
            target=100.0,
            unit="%",
            horizon_year=2030 if b.code in heat_buurten else int(rng.choice([2035, 2040])),
            source_document="Transitievisie Warmte Voorbeeldstad 2021",
        )
        add(
            gv,
            "BD",
            theme="biodiversiteit",
            name=f"Groen {b.name}",
            indicator="Boomkroonbedekking",
            kind=PolicyKind.AMBIEREND,
            area=b.code,
            target=float(rng.choice([20.0, 25.0, 30.0])) - 10.0 * centre,
            unit="%",
            horizon_year=2040,
            source_document="Groenvisie Voorbeeldstad 2040",
        )
        extra = dwellings_by_buurt.get(b.code, 0)
        add(
            gv,
            "BD",
            theme="woningbouw",
            name=f"Woningbouw {b.name}",
            indicator="Extra woningen",
            kind=PolicyKind.AMBIEREND,
            area=b.code,
            target=float(int(math.ceil((extra * 1.2 + 20) / 10.0)) * 10),
            unit="woningen",
            horizon_year=2035,
            source_document="Woonvisie Voorbeeldstad 2030",
        )
    total = sum(dwellings_by_buurt.values())
    for w in areas.wijken:
        add(
            gv,
            "BD",
            theme="mobiliteit",
            name=f"Fietsnetwerk {w.name}",
            indicator="Aandeel verplaatsingen per fiets",
            kind=PolicyKind.AMBIEREND,
            area=w.code,
            target=45.0,
            unit="%",
            horizon_year=2035,
            source_document="Mobiliteitsvisie Voorbeeldstad 2035",
        )
    add(
        gv,
        "BD",
        theme="energietransitie",
        name="CO2-reductie gebouwde omgeving",
        indicator="CO2-uitstoot gebouwde omgeving t.o.v. 1990",
        kind=PolicyKind.AMBIEREND,
        area=areas.gemeente.code,
        target=-55.0,
        unit="%",
        horizon_year=2030,
        source_document="Klimaatakkoord Voorbeeldstad",
    )
    add(
        "provincie-middenland",
        "PR",
        theme="woningbouw",
        name="Woondeal Middenland",
        indicator="Extra woningen gerealiseerd",
        kind=PolicyKind.NORMEREND,
        area=areas.gemeente.code,
        target=float(int(math.ceil(total * 1.5 / 100.0)) * 100),
        unit="woningen",
        horizon_year=2030,
        source_document="Woondeal Middenland 2022-2030",
    )
    add(
        "provincie-middenland",
        "PR",
        theme="biodiversiteit",
        name="Natuurinclusief bouwen",
        indicator="Aandeel nieuwbouwprojecten natuurinclusief",
        kind=PolicyKind.AMBIEREND,
        area=areas.gemeente.code,
        target=100.0,
        unit="%",
        horizon_year=2030,
        source_document="Omgevingsvisie Middenland",
    )
    return goals


#: measures (maatregelen) that serve each theme
MEASURES: dict[str, tuple[str, ...]] = {
    "hittestress": ("vergroenen", "bomen planten", "ontharden"),
    "wateroverlast": ("afkoppelen", "wadi aanleggen", "riool vergroten"),
    "energietransitie": ("warmtenet", "netverzwaring", "isoleren"),
    "biodiversiteit": ("bomen planten", "natuurinclusief inrichten"),
    "woningbouw": ("inbreiding", "transformatie"),
    "mobiliteit": ("fietspaden", "30 km/u inrichting"),
}
#: share of plans with a matching goal in their area that name it in ``goals``
LINK_SHARE = 0.7


def _layer_values(layer: EnvironmentLayer, area: BaseGeometry) -> np.ndarray:
    feats = [f for f in layer.features if f.value is not None]
    geoms = np.array([f.geometry for f in feats], dtype=object)
    hit = shapely.intersects(geoms, area)
    return np.array([f.value for f, h in zip(feats, hit, strict=True) if h], dtype=float)


def measure_goals(
    goals: list[PolicyGoal], layers: list[EnvironmentLayer], areas: Areas, rng: np.random.Generator
) -> None:
    """Give every goal its current value (from the layers where they measure it) and its measures."""
    by_name = {lay.name: lay for lay in layers}
    geom = {a.code: a.geometry for a in areas.all}
    for g in goals:
        g.measures = MEASURES.get(g.theme, ())
        target = g.target if g.target is not None else 0.0
        area = geom.get(g.area or "")
        if g.theme == "hittestress" and area is not None:
            v = _layer_values(by_name["hittestress"], area)
            g.current = round(float(v.mean()), 1) if len(v) else None
        elif g.theme == "wateroverlast" and area is not None:
            v = _layer_values(by_name["waterdiepte"], area)
            g.current = round(float(np.percentile(v, 90)), 2) if len(v) else None
        elif g.theme == "energietransitie":
            g.current = round(float(rng.uniform(-35, -20)), 0) if target < 0 else round(float(rng.uniform(2, 30)), 0)
        elif g.theme == "woningbouw":
            g.current = round(float(target * rng.uniform(0.0, 0.4)), 0)
        elif g.theme == "biodiversiteit":
            g.current = round(float(max(0.0, target - rng.uniform(2, 12)) if target <= 50 else rng.uniform(10, 40)), 0)
        elif g.theme == "mobiliteit":
            g.current = round(float(rng.uniform(28, 40)), 0)


def link_goals(plans: list[Any], goals: list[PolicyGoal], areas: Areas, rng: np.random.Generator) -> int:
    """Let a share of the plans name the goals of their area they serve (by theme); returns how many."""
    from openruimte.analysis.areas import assign_areas

    parents = {a.code: a.parent for a in areas.all}
    by_area_theme: dict[tuple[str, str], list[str]] = {}
    for g in goals:
        if g.area is not None:
            by_area_theme.setdefault((g.area, g.theme), []).append(g.key)
    found = assign_areas([p.geometry for p in plans], areas.buurten)
    linked = 0
    for p, buurt in zip(plans, found, strict=True):
        chain, code = [], p.area or buurt
        while code:
            chain.append(code)
            code = parents.get(code)
        keys = [k for t in p.themes for c in chain for k in by_area_theme.get((c, t), [])]
        draw = rng.random()
        if keys and draw < LINK_SHARE:
            p.goals = tuple(dict.fromkeys(keys))
            linked += 1
    return linked
