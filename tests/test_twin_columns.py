"""The 3D view's plans, building tiles and tile list made from columns (issue 16, cold first view)
equal what the Plan- and Building-based code made, byte for byte, for every caller, on SQLite and
PostGIS.

The reference functions below are the code that was replaced, kept verbatim: a ``Plan`` per row
(``View.plans``), :func:`solid_of` and :func:`tiles.rings_of` per plan, ``json.dumps``; a
``Building`` per row (``Store.buildings``) and the former ``tiles.encode_buildings``; the tile list as a
set of ``tile_of`` calls.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from typing import Any

import pytest
import shapely
import sqlalchemy as sa

from openruimte.api.routers.twin import _json
from openruimte.model import Building, Hardness, Phase, Plan, Visibility
from openruimte.model.access import UNDISCLOSED, UNDISCLOSED_NAME
from openruimte.services import twin
from openruimte.store.permissions import View
from openruimte.twin import tiles
from openruimte.twin.volumes import PlanVolume, solid_of
from tests.factories import X0, Y0
from tests.test_map_columns import PRINCIPALS, world_plans

# ---------------------------------------------------------------- the code the columns replaced


def _plain(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, Visibility | Phase | Hardness):
        return str(value)
    return value


def plan_based_solids(view: View, *, public: bool, min_phase: Phase, min_hardness: Hardness) -> dict[str, Any]:
    plans = view.plans()
    if public:
        plans = [p for p in plans if twin.is_published(p, min_phase, min_hardness)]
    volumes = twin._volumes(view.store, [(p.owner, p.id) for p in plans if p.owner != UNDISCLOSED])
    names = {o.code: o.name for o in view.organisations()} | {UNDISCLOSED: UNDISCLOSED_NAME}
    if plans:
        bounds = shapely.total_bounds([p.geometry for p in plans])
        origin = (float(bounds[0] // 1000 * 1000), float(bounds[1] // 1000 * 1000))
    else:
        origin = (0.0, 0.0)
    fields = twin.PUBLIC_FIELDS if public else twin.PRIVATE_FIELDS
    out = []
    for plan in plans:
        volume = volumes.get((plan.owner, plan.id))
        solid = solid_of(plan, volume)
        if solid["footprint"].is_empty:
            continue
        rec: dict[str, Any] = {k: _plain(getattr(plan, k)) for k in fields}
        point = solid["footprint"].representative_point()
        rec.update(
            key=plan.key,
            organisation=names.get(plan.owner, plan.owner),
            kind=solid["kind"],
            bottom=round(solid["bottom"], 2),
            top=round(solid["top"], 2),
            estimated=solid["estimated"],
            polygons=tiles.rings_of(solid["footprint"], origin),
            anchor=[round(point.x, 2), round(point.y, 2)],
        )
        if volume is not None and not public:
            rec["volume"] = volume.to_record()
        out.append(rec)
    return {"origin": list(origin), "unit": tiles.UNIT, "count": len(out), "plans": out, "public": public}


def building_based_tile(buildings: list[Building], tx: int, ty: int, size: float = tiles.TILE_SIZE_M) -> dict[str, Any]:
    """The buildings of one tile as compact JSON: per building its id, BAG id, ground and roof
    height (m NAP; the median roof, the maximum roof), construction year and footprint rings (the
    former ``tiles.encode_buildings``, a building at a time)."""
    origin = (tx * size, ty * size)
    ids, bag, ground, roof, roof_max, year, lods, polys = [], [], [], [], [], [], [], []
    for b in buildings:
        if not tiles.in_tile(b.geometry, tx, ty, size):
            continue
        rings = tiles.rings_of(b.geometry, origin)
        if not rings:
            continue
        ids.append(b.id)
        bag.append(b.bag_id)
        ground.append(tiles._round(b.ground_height_m))
        roof.append(tiles._round(b.roof_height_m))
        roof_max.append(tiles._round(b.roof_max_m))
        year.append(b.construction_year)
        lods.append(max(b.lods) if b.lods else None)
        polys.append(rings)
    return {
        "tile": [tx, ty],
        "size": size,
        "origin": list(origin),
        "unit": tiles.UNIT,
        "count": len(ids),
        "id": ids,
        "bag_id": bag,
        "ground": ground,
        "roof": roof,
        "roof_max": roof_max,
        "year": year,
        "lod": lods,
        "polygons": polys,
    }


def old_json(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def old_building_tiles(store: Any) -> list[list[int]]:
    size = tiles.TILE_SIZE_M
    rt = sa.table("buildings_rtree", sa.column("minx"), sa.column("miny"), sa.column("maxx"), sa.column("maxy"))
    with store.engine.connect() as conn:
        rows = conn.execute(sa.select((rt.c.minx + rt.c.maxx) / 2, (rt.c.miny + rt.c.maxy) / 2)).all()
    found = {tiles.tile_of(x + dx, y + dy, size) for x, y in rows for dx in (-0.1, 0.1) for dy in (-0.1, 0.1)}
    return sorted([int(a), int(b)] for a, b in found)


# ---------------------------------------------------------------- the world


def world_buildings() -> list[Building]:
    """Buildings on and near tile edges, with holes, as multipolygons, with and without heights."""
    out = []
    size = tiles.TILE_SIZE_M
    x0, y0 = math.floor(X0 / size) * size, math.floor(Y0 / size) * size
    for i in range(60):
        x = x0 + (i % 10) * 97.3 - 30 + (i % 3) * 0.04
        y = y0 + (i // 10) * 181.7 - 45
        geom: Any = shapely.box(x, y, x + 12 + i % 5, y + 8 + i % 7)
        if i % 7 == 0:
            geom = geom.difference(shapely.box(x + 3, y + 2, x + 6, y + 4))
        if i % 11 == 0:
            geom = shapely.MultiPolygon([geom, shapely.box(x + 20, y, x + 25, y + 5)])
        if i % 13 == 0:  # clockwise exterior
            geom = shapely.Polygon(list(geom.exterior.coords)[::-1]) if geom.geom_type == "Polygon" else geom
        out.append(
            Building(
                id=f"b{i}",
                bag_id=f"0363100012{i:06d}" if i % 4 else None,
                geometry=geom,
                source="test",
                ground_height_m=None if i % 9 == 0 else 0.5 + i * 0.013,
                roof_height_m=None if i % 9 == 0 else 6.0 + i * 0.377,
                roof_max_m=None if i % 5 == 0 else 9.0 + i * 0.1,
                construction_year=1900 + i if i % 6 else None,
                lods=("1.2", "2.2") if i % 2 else ("1.2",),
                attributes={"i": i},
            )
        )
    return out


def world_volumes(plans: list[Plan]) -> dict[tuple[str, str], PlanVolume]:
    kinds = [
        PlanVolume(height_m=18.5),
        PlanVolume(storeys=4),
        PlanVolume(storeys=3, storey_height_m=3.5),
        PlanVolume(depth_m=2.25),
        PlanVolume(depth_m=1.1, width_m=0.35),
        PlanVolume(width_m=2.0),
        PlanVolume(height_m=12.0, depth_m=3.0),
    ]
    return {(p.owner, p.id): kinds[i % len(kinds)] for i, p in enumerate(plans) if i % 3 == 0}


@pytest.fixture
def world(store):
    plans = world_plans()
    with store.writer("test") as w:
        w.upsert("plans", plans)
        w.upsert("buildings", world_buildings(), source="test")
    twin.save_volumes(store, world_volumes(plans), actor="test")
    return store


# ---------------------------------------------------------------- tests


@pytest.mark.parametrize("who", list(PRINCIPALS))
def test_plan_solids_from_columns_equal_the_plan_based_ones(world, who):
    view = View(world, PRINCIPALS[who])
    kinds = set()
    for public, min_phase, min_hardness in (
        (False, Phase.ONTWERP, Hardness.VOORGENOMEN),
        (True, Phase.ONTWERP, Hardness.VOORGENOMEN),
        (True, Phase.IDEE, Hardness.INDICATIEF),
    ):
        new = twin.plan_solids(view, public=public, min_phase=min_phase, min_hardness=min_hardness)
        old = plan_based_solids(view, public=public, min_phase=min_phase, min_hardness=min_hardness)
        assert _json(new) == old_json(old), f"{who}, public={public}: the 3D plans differ"
        kinds |= {p["kind"] for p in new["plans"]}
    assert kinds == {"volume", "trench", "slab", "line"}


def test_building_tiles_from_columns_equal_the_building_based_ones(world):
    listed = twin._building_tiles(world)
    if world.dialect == "sqlite":  # PostGIS' list is made in SQL, as before
        assert listed == old_building_tiles(world)
    assert len(listed) > 4
    total = 0
    for tx, ty in listed:
        new = twin.building_tile(world, tx, ty)
        old = building_based_tile(world.buildings(bbox=twin._reach(tx, ty)), tx, ty)
        assert _json(new) == old_json(old), f"tile {tx},{ty} differs"
        total += new["count"]
    assert total == len(world_buildings())


def test_rings_of_many_equal_rings_of_each():
    geoms = [b.geometry for b in world_buildings()]
    geoms += [shapely.buffer(g, 1.5, cap_style="flat", join_style="mitre", quad_segs=2) for g in geoms[:10]]
    geoms += [shapely.Polygon(), None, shapely.GeometryCollection(), shapely.LineString([(0, 0), (1, 1)])]
    origin = (X0 - 1000.0, Y0 - 1000.0)
    assert tiles.rings_of_many(geoms, origin) == [[] if g is None else tiles.rings_of(g, origin) for g in geoms]
    assert tiles.rings_of_many([], origin) == []
