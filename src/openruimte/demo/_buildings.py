"""Voorbeeldstad's buildings (#16): deterministic LoD 1.2 blocks along its streets, and
the 3D attributes (planned height, trench depth) of a few of its plans.

Drawn from a random stream of their own (``default_rng([seed, 16])``), so adding
buildings changes nothing else of the town. Plots line both sides of centre and
residential streets (main roads and the ring get none, nor the quays along the
canal, whose one side is water): a front at the street's profile edge plus a
setback, widths and depths per kind of street; a plot that would touch a street,
another building or a development plan's area is left empty. Heights: 2-3 storeys
in residential streets, 3-5 in the centre; the ground level (maaiveld) rises
gently from about 0.2 to 1.8 m NAP across the town.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import shapely
from shapely.geometry import Polygon

from openruimte.model import Building, Plan

#: per street kind: setback from the profile edge (m), plot width range, depth range, storeys range
PLOTS: dict[str, tuple[float, tuple[float, float], tuple[float, float], tuple[int, int]]] = {
    "centre": (0.3, (6.0, 10.0), (10.0, 16.0), (3, 5)),
    "residential": (3.0, (7.0, 12.0), (8.0, 11.0), (2, 3)),
}
STOREY_M = 3.1
WATER_WORDS = ("kade", "gracht", "wal", "haven")
#: at scale 1 every plot is tried; at smaller scales a share of the residential streets, never less
#: than this (tests run at 0.1 and still see a town)
MIN_SHARE = 0.1
DEVELOPMENT_TYPES = ("woningbouw", "gebiedsontwikkeling", "gebouw")
#: bag ids: gemeente code 0999, object type 10, serial
BAG_PREFIX = "NL.IMBAG.Pand.099910"


def ground_level(x: float | np.ndarray, y: float | np.ndarray) -> Any:
    """Maaiveld in m NAP: a gentle swell across the town."""
    return np.round(1.0 + 0.6 * np.sin((np.asarray(x) - 152000) / 900.0) * np.cos((np.asarray(y) - 460000) / 700.0), 2)


def build_buildings(streets: list[Any], plans: list[Plan], seed: int, scale: float = 1.0) -> list[Building]:
    rng = np.random.default_rng([seed, 16])
    share = min(1.0, max(MIN_SHARE, scale))
    roads = shapely.buffer(
        np.array([s.geometry for s in streets], dtype=object),
        np.array([s.profile_width_m / 2.0 for s in streets]),
        cap_style="flat",
    )
    keep_out = list(roads) + [p.geometry.buffer(2.0) for p in plans if _development(p)]
    blocked = shapely.STRtree([g for g in keep_out if not g.is_empty])
    candidates: list[tuple[Polygon, str, int]] = []
    for street in streets:
        kind = street.kind
        draw = rng.random(4)
        if kind not in PLOTS or any(w in street.name.lower() for w in WATER_WORDS):
            continue
        if kind == "residential" and draw[0] > share:
            continue
        setback, widths, depths, storeys = PLOTS[kind]
        for side in (1.0, -1.0):
            front = street.profile_width_m / 2.0 + setback
            line = shapely.offset_curve(street.geometry, side * front, join_style="mitre")
            if line.is_empty or line.geom_type != "LineString":
                continue
            along = rng.uniform(1.0, 4.0)
            while True:
                width = rng.uniform(*widths)
                depth = rng.uniform(*depths)
                floors = int(rng.integers(storeys[0], storeys[1] + 1))
                if along + width > line.length - 1.0:
                    break
                plot = _plot(line, along, width, depth, side)
                if plot is not None:
                    candidates.append((plot, kind, floors))
                along += width + (0.0 if kind == "centre" else rng.uniform(1.0, 4.0))
    polys = [c[0] for c in candidates]
    hit = np.zeros(len(polys), dtype=bool)
    if polys:
        pairs = blocked.query(polys, predicate="intersects")
        hit[np.unique(pairs[0])] = True
    # first come, first placed: a plot that overlaps one placed before it stays empty
    free = np.flatnonzero(~hit)
    overlaps: dict[int, list[int]] = {}
    if free.size:
        pairs = shapely.STRtree([polys[i] for i in free]).query([polys[i] for i in free], predicate="intersects")
        for a, b in zip(*pairs, strict=True):
            if b < a:
                overlaps.setdefault(int(a), []).append(int(b))
    accepted = np.zeros(free.size, dtype=bool)
    for k in range(free.size):
        accepted[k] = not any(accepted[j] for j in overlaps.get(k, ()))
    placed = [int(i) for i in free[accepted]]
    out = []
    centres = shapely.centroid([polys[i] for i in placed]) if placed else []
    xs, ys = shapely.get_x(centres), shapely.get_y(centres)
    grounds = ground_level(xs, ys) if placed else []
    shapes = shapely.set_precision(np.array([polys[i] for i in placed], dtype=object), 0.001) if placed else []
    for n, i in enumerate(placed):
        _, kind, floors = candidates[i]
        poly = shapes[n]
        ground = float(grounds[n])
        roof = round(ground + floors * STOREY_M + float(rng.uniform(0.0, 0.8)), 2)
        peak = round(
            roof + (float(rng.uniform(1.5, 4.0)) if kind == "residential" else float(rng.uniform(0.0, 1.2))), 2
        )
        out.append(
            Building(
                id=f"{BAG_PREFIX}{n + 1:010d}",
                geometry=poly,
                source="voorbeeldstad",
                bag_id=f"0999100{n + 1:09d}",
                ground_height_m=ground,
                roof_height_m=roof,
                roof_max_m=peak,
                lods=("1.2",),
                construction_year=int(
                    1890 + rng.integers(0, 130) if kind == "residential" else 1650 + rng.integers(0, 300)
                ),
                attributes={"storeys": floors},
            )
        )
    return out


def _plot(line: Any, along: float, width: float, depth: float, side: float) -> Polygon | None:
    a = line.interpolate(along)
    b = line.interpolate(along + width)
    dx, dy = b.x - a.x, b.y - a.y
    length = math.hypot(dx, dy)
    if length < width * 0.8:
        return None
    nx, ny = -dy / length * side, dx / length * side  # away from the street
    poly = Polygon([(a.x, a.y), (b.x, b.y), (b.x + nx * depth, b.y + ny * depth), (a.x + nx * depth, a.y + ny * depth)])
    return poly if poly.is_valid else None


def _development(plan: Plan) -> bool:
    return plan.geometry.geom_type in ("Polygon", "MultiPolygon") and any(
        t in DEVELOPMENT_TYPES for t in plan.asset_types
    )


def plan_volumes(plans: list[Plan], seed: int) -> list[dict[str, Any]]:
    """3D attributes of the demo's plans: storeys for housing and area development, a planned height
    for municipal buildings, depth and width for sewer trenches (as ``read_volumes`` reads them)."""
    rng = np.random.default_rng([seed, 161])
    out: list[dict[str, Any]] = []
    for plan in sorted(plans, key=lambda p: p.key):
        polygonal = plan.geometry.geom_type in ("Polygon", "MultiPolygon")
        if polygonal and ("woningbouw" in plan.asset_types or "gebiedsontwikkeling" in plan.asset_types):
            out.append({"plan": plan.key, "storeys": int(rng.integers(4, 9))})
        elif polygonal and "gebouw" in plan.asset_types:
            out.append({"plan": plan.key, "height_m": round(float(rng.uniform(8.0, 16.0)), 1)})
        elif not polygonal and "gemengd_riool" in plan.asset_types and plan.excavation:
            out.append({"plan": plan.key, "depth_m": round(float(rng.uniform(2.5, 3.5)), 1), "width_m": 1.6})
    return out
