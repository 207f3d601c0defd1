"""The 3D digital twin's use cases: what the viewer at ``/3d`` and ``/publiek/3d`` reads.

Everything is read through :class:`openruimte.store.permissions.View` (plans and
cables/pipes as the principal may see them, sensitive plans masked); the public
variant reads as an anonymous visitor and keeps only published plans (public, at
or past the configured phase and hardness) and the fields residents see, and no
cables or pipes. Buildings are reference data (3D BAG) and open to everyone.
"""

from __future__ import annotations

import csv
import json
import statistics
import threading
from pathlib import Path
from typing import Any

import numpy as np
import pyproj
import shapely
import sqlalchemy as sa

from openruimte.model import Hardness, InputError, Phase, Plan, RowError, Visibility
from openruimte.model.access import UNDISCLOSED, UNDISCLOSED_NAME, Forbidden, Principal
from openruimte.model.errors import OpenRuimteError
from openruimte.store import tables as t
from openruimte.store.permissions import View
from openruimte.twin import networks, tiles
from openruimte.twin.tiles import building_surfaces_z
from openruimte.twin.volumes import PlanVolume, solids_of

__all__ = ["PlanVolume", "building_surfaces_z"]  # what the API uses of the pure core


#: what residents see of a plan (as the public map, api/routers/public.py)
class NotFound(OpenRuimteError):
    code = "not_found"
    status = 404


PUBLIC_FIELDS = ("name", "owner", "phase", "hardness", "asset_types", "themes", "start", "end", "area")
PRIVATE_FIELDS = (*PUBLIC_FIELDS, "programme", "visibility", "excavation", "surface_renewal")


def is_published(plan: Plan, min_phase: Phase, min_hardness: Hardness) -> bool:
    """The public map's rule: public, and at or past the configured phase and hardness."""
    return published(plan.visibility, plan.phase, plan.hardness, min_phase, min_hardness)


def published(visibility: str, phase: str, hardness: str, min_phase: Phase, min_hardness: Hardness) -> bool:
    """:func:`is_published` of a plan's visibility, phase and hardness (as words or members)."""
    return (
        Visibility(visibility) is Visibility.PUBLIC
        and Phase(phase).rank >= min_phase.rank
        and Hardness(hardness).rank >= min_hardness.rank
    )


# --------------------------------------------------------------------------- scene


def scene(view: View, *, public: bool) -> dict[str, Any]:
    """Where the scene is: its extent (RD), origin, ground level (m NAP), the origin in WGS84 (for the
    sun), the tile size and which tiles hold buildings."""
    store = view.store
    extent = _extent(store, t.buildings) or _extent(store, t.street_segments) or _extent(store, t.areas)
    if extent is None:
        extent = (155000.0 - 500, 463000.0 - 500, 155000.0 + 500, 463000.0 + 500)
    origin = (round((extent[0] + extent[2]) / 2), round((extent[1] + extent[3]) / 2))
    lon, lat = _to_wgs84().transform(*origin)
    with store.engine.connect() as conn:
        heights = (
            conn.execute(
                sa.select(t.buildings.c.ground_height_m).where(t.buildings.c.ground_height_m.is_not(None)).limit(20000)
            )
            .scalars()
            .all()
        )
        n_buildings = conn.execute(sa.select(sa.func.count()).select_from(t.buildings)).scalar_one()
    ground = round(statistics.median(heights), 2) if heights else 0.0
    return {
        "crs": "EPSG:28992",
        "heights": "NAP",
        "extent": [round(v, 2) for v in extent],
        "origin": list(origin),
        "lonlat": [round(lon, 6), round(lat, 6)],
        "ground_nap": ground,
        "tile_size": tiles.TILE_SIZE_M,
        "tiles": _building_tiles(store) if n_buildings else [],
        "buildings": n_buildings,
        "public": public,
        "assets": not public,
        "data_version": view.data_version(),
    }


_local = threading.local()


def _to_wgs84() -> pyproj.Transformer:
    """RD New -> WGS84, made once per thread (building one reads PROJ's database; one is not shared
    between the server's threads)."""
    if not hasattr(_local, "to_wgs84"):
        _local.to_wgs84 = pyproj.Transformer.from_crs(28992, 4326, always_xy=True)
    return _local.to_wgs84


def _extent(store: Any, table: sa.Table) -> tuple[float, float, float, float] | None:
    with store.engine.connect() as conn:
        if store.dialect == "postgresql":
            row = conn.execute(
                sa.select(
                    sa.func.ST_XMin(sa.func.ST_Extent(table.c.geometry)),
                    sa.func.ST_YMin(sa.func.ST_Extent(table.c.geometry)),
                    sa.func.ST_XMax(sa.func.ST_Extent(table.c.geometry)),
                    sa.func.ST_YMax(sa.func.ST_Extent(table.c.geometry)),
                )
            ).one()
        else:
            rt = sa.table(
                f"{table.name}_rtree", sa.column("minx"), sa.column("miny"), sa.column("maxx"), sa.column("maxy")
            )
            row = conn.execute(
                sa.select(
                    sa.func.min(rt.c.minx), sa.func.min(rt.c.miny), sa.func.max(rt.c.maxx), sa.func.max(rt.c.maxy)
                )
            ).one()
    if row[0] is None:
        return None
    return float(row[0]), float(row[1]), float(row[2]), float(row[3])


# --------------------------------------------------------------------------- buildings


def building_tile(store: Any, tx: int, ty: int) -> dict[str, Any]:
    """The buildings of one tile (compact JSON, twin/tiles.py)."""
    columns = store.columns(t.buildings, (*tiles.BUILDING_COLUMNS, "geometry"), bbox=_reach(tx, ty))
    return tiles.encode_building_columns(columns, tx, ty)


def _reach(tx: int, ty: int) -> tuple[float, float, float, float]:
    x0, y0, x1, y1 = tiles.tile_bbox(tx, ty)
    m = tiles.TILE_MARGIN_M
    return x0 - m, y0 - m, x1 + m, y1 + m


def _building_tiles(store: Any) -> list[list[int]]:
    """The tiles that hold buildings (by the centre of each building's bounding box), from the spatial index."""
    size = tiles.TILE_SIZE_M
    with store.engine.connect() as conn:
        if store.dialect == "postgresql":
            g = t.buildings.c.geometry
            tx = sa.func.floor((sa.func.ST_XMin(g) + sa.func.ST_XMax(g)) / (2 * size))
            ty = sa.func.floor((sa.func.ST_YMin(g) + sa.func.ST_YMax(g)) / (2 * size))
            return sorted([int(a), int(b)] for a, b in conn.execute(sa.select(tx, ty).distinct()).all())
        # 100,000 rows: straight from the driver (a third of the time of SQLAlchemy's rows)
        cursor = conn.connection.driver_connection.cursor()
        found = cursor.execute("SELECT (minx + maxx) / 2, (miny + maxy) / 2 FROM buildings_rtree").fetchall()
        cursor.close()
    if not found:
        return []
    # the R*Tree keeps 32-bit boxes (rounded outwards by centimetres): near a tile edge take both sides
    x, y = (np.array(c, dtype=np.float64) for c in zip(*found, strict=True))
    txs = [np.floor((x + d) / size).astype(np.int64) for d in (-0.1, 0.1)]
    tys = [np.floor((y + d) / size).astype(np.int64) for d in (-0.1, 0.1)]
    low = int(min(a.min() for a in tys))
    span = int(max(a.max() for a in tys)) - low + 1
    # each (tx, ty) as one number that sorts as the pair does
    codes = np.unique(np.concatenate([tx * span + (ty - low) for tx in txs for ty in tys]))
    return np.column_stack([codes // span, codes % span + low]).tolist()


def building_by_id(store: Any, building_id: str) -> Any:
    """One building by its id (or BAG id), None when there is none."""
    from openruimte.store.mappers import MAPPERS

    b = t.buildings
    with store.engine.connect() as conn:
        row = conn.execute(
            sa.select(b).where(sa.or_(b.c.id == building_id, b.c.bag_id == building_id)).limit(1)
        ).first()
    return None if row is None else MAPPERS["buildings"].from_row(row)


# --------------------------------------------------------------------------- plans


def plan_solids(
    view: View, *, public: bool, min_phase: Phase = Phase.ONTWERP, min_hardness: Hardness = Hardness.VOORGENOMEN
) -> dict[str, Any]:
    """Every plan the viewer may show as a solid: kind (volume, trench, slab, line), bottom and top
    relative to ground level (m), footprint rings (cm relative to ``origin``) and the fields to
    colour, filter and show it with. The plans are read as columns (:meth:`View.plan_columns`, masked
    by the one rule) and their solids made at once (:func:`solids_of`, :func:`tiles.rings_of_many`)."""
    fields = PUBLIC_FIELDS if public else PRIVATE_FIELDS
    cols = view.plan_columns((*fields, "id", "geometry", "excavation", "visibility", "phase", "hardness"))
    rows = range(len(cols["key"]))
    if public:
        rows = [
            i
            for i in rows
            if published(cols["visibility"][i], cols["phase"][i], cols["hardness"][i], min_phase, min_hardness)
        ]
    rows = list(rows)
    owners, ids, geoms = cols["owner"], cols["id"], [cols["geometry"][i] for i in rows]
    volumes = _volumes(view.store, [(owners[i], ids[i]) for i in rows if owners[i] != UNDISCLOSED])
    names = {o.code: o.name for o in view.organisations()} | {UNDISCLOSED: UNDISCLOSED_NAME}
    if rows:
        bounds = shapely.total_bounds(geoms)
        origin = (float(bounds[0] // 1000 * 1000), float(bounds[1] // 1000 * 1000))
    else:
        origin = (0.0, 0.0)
    plan_volumes = [volumes.get((owners[i], ids[i])) for i in rows]
    solids = solids_of(
        geoms, [cols["excavation"][i] for i in rows], [cols["asset_types"][i] for i in rows], plan_volumes
    )
    shown = [j for j, solid in enumerate(solids) if not solid["footprint"].is_empty]
    footprints = [solids[j]["footprint"] for j in shown]
    polygons = tiles.rings_of_many(footprints, origin)
    anchors = shapely.get_coordinates(shapely.point_on_surface(footprints)).tolist() if shown else []
    out = []
    for j, rings, (ax, ay) in zip(shown, polygons, anchors, strict=True):
        i, solid, volume = rows[j], solids[j], plan_volumes[j]
        rec: dict[str, Any] = {k: cols[k][i] for k in fields}
        rec.update(
            key=cols["key"][i],
            organisation=names.get(owners[i], owners[i]),
            kind=solid["kind"],
            bottom=round(solid["bottom"], 2),
            top=round(solid["top"], 2),
            estimated=solid["estimated"],
            polygons=rings,
            anchor=[round(ax, 2), round(ay, 2)],
        )
        if volume is not None and not public:
            rec["volume"] = volume.to_record()
        out.append(rec)
    return {"origin": list(origin), "unit": tiles.UNIT, "count": len(out), "plans": out, "public": public}


def _volumes(store: Any, plans: list[Plan] | list[tuple[str, str]]) -> dict[tuple[str, str], PlanVolume]:
    """The volumes of these plans (plans or their (owner, id)), by (owner, id)."""
    keys = [(p.owner, p.id) if isinstance(p, Plan) else p for p in plans]
    if not keys:
        return {}
    v = t.plan_volumes
    owners = sorted({owner for owner, _ in keys})
    wanted = set(keys)
    with store.engine.connect() as conn:
        rows = conn.execute(sa.select(v).where(v.c.owner.in_(owners))).all()
    return {
        (r.owner, r.plan_id): PlanVolume(
            height_m=r.height_m,
            storeys=r.storeys,
            storey_height_m=r.storey_height_m,
            depth_m=r.depth_m,
            width_m=r.width_m,
        )
        for r in rows
        if (r.owner, r.plan_id) in wanted
    }


def set_volume(store: Any, principal: Principal, owner: str, plan_id: str, volume: PlanVolume | None) -> dict[str, Any]:
    """Set (or with None remove) a plan's 3D attributes: editors and admins of its owner only;
    audited in the same transaction."""
    if not principal.may_write(owner):
        raise Forbidden(f"alleen de eigenaar {owner} mag dit plan wijzigen / only {owner} may change this plan")
    if store.plan_row(owner, plan_id) is None:
        raise NotFound(f"geen plan {owner}:{plan_id} / no plan {owner}:{plan_id}")
    return save_volumes(store, {(owner, plan_id): volume}, actor=principal.actor)[f"{owner}:{plan_id}"]


def save_volumes(store: Any, volumes: dict[tuple[str, str], PlanVolume | None], *, actor: str) -> dict[str, Any]:
    """Upsert (None: delete) plan volumes in one transaction with their audit entries."""
    v = t.plan_volumes
    out: dict[str, Any] = {}
    with store.writer(actor) as w:
        existing = {
            (r.owner, r.plan_id): r
            for r in w.conn.execute(sa.select(v).where(v.c.owner.in_(sorted({o for o, _ in volumes}))))
        }
        for (owner, plan_id), volume in volumes.items():
            key = f"{owner}:{plan_id}"
            old = existing.get((owner, plan_id))
            before = _volume_record(old) if old is not None else None
            if volume is None:
                if old is not None:
                    w.conn.execute(sa.delete(v).where(v.c.pk == old.pk))
                    w.audit("delete", "plan_volumes", key, before, None)
                out[key] = {}
                continue
            values = {**volume.to_record(), "updated_at": w.now}
            if old is None:
                w.conn.execute(sa.insert(v).values(owner=owner, plan_id=plan_id, **values))
            else:
                w.conn.execute(sa.update(v).where(v.c.pk == old.pk).values(**values))
            if before != volume.to_record():
                w.audit("insert" if old is None else "update", "plan_volumes", key, before, volume.to_record())
            out[key] = volume.to_record()
    return out


def _volume_record(row: Any) -> dict[str, Any]:
    return {k: getattr(row, k) for k in ("height_m", "storeys", "storey_height_m", "depth_m", "width_m")}


def read_volumes(path: str | Path) -> dict[tuple[str, str], PlanVolume]:
    """Plan volumes from a CSV (``plan`` as ``owner:id``, ``height_m``, ``storeys``, ``storey_height_m``,
    ``depth_m``, ``width_m``; Dutch ``hoogte``, ``bouwlagen``, ``diepte``, ``breedte`` too) or a JSON list
    of such objects. All rows or none: every error names the row and the field."""
    path = Path(path)
    dutch = {
        "hoogte": "height_m",
        "bouwlagen": "storeys",
        "laaghoogte": "storey_height_m",
        "diepte": "depth_m",
        "breedte": "width_m",
    }
    if path.suffix.lower() == ".json":
        rows = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(rows, list):
            raise InputError("expected a JSON list of objects with 'plan' and volume fields", path.name)
    else:
        with path.open(encoding="utf-8", newline="") as f:
            sample = f.read(4096)
            f.seek(0)
            rows = list(csv.DictReader(f, dialect=csv.Sniffer().sniff(sample, delimiters=",;\t")))
    out: dict[tuple[str, str], PlanVolume] = {}
    errors: list[RowError] = []
    for number, row in enumerate(rows, start=2 if path.suffix.lower() != ".json" else 1):
        label = "row" if path.suffix.lower() != ".json" else "item"
        rec = {dutch.get(k.strip().lower(), k.strip().lower()): v for k, v in dict(row).items() if k}
        key = str(rec.pop("plan", "") or "")
        if ":" not in key:
            errors.append(RowError(path.name, "expected the plan as owner:id", number, "plan", key, label))
            continue
        owner, plan_id = key.split(":", 1)
        try:
            out[(owner, plan_id)] = PlanVolume.from_record(rec, path.name)
        except InputError as err:
            errors += [RowError(path.name, e.message, number, e.field, e.value, label) for e in err.errors]
    if errors:
        raise InputError(errors, path.name)
    return out


# --------------------------------------------------------------------------- cables and pipes


def pipe_tile(view: View, tx: int, ty: int) -> dict[str, Any]:
    """The cables and pipes of one tile the principal may see: polylines (cm relative to the tile's
    origin), network theme, depth of the top below ground level and where it comes from, diameter."""
    origin = (tx * tiles.TILE_SIZE_M, ty * tiles.TILE_SIZE_M)
    types = list(networks.NETWORK_THEMES)
    out = []
    for asset in view.assets(bbox=_reach(tx, ty), asset_types=types):
        theme = networks.network_of(asset.asset_type)
        if theme is None or not tiles.in_tile(asset.geometry, tx, ty):
            continue
        geom = asset.geometry
        if geom.geom_type == "MultiLineString":
            geom = shapely.line_merge(geom)
        lines = [g for g in shapely.get_parts(geom) if g.geom_type == "LineString"]
        if not lines:
            continue
        depth, source = networks.pipe_depth(asset)
        out.append(
            {
                "key": asset.key,
                "owner": asset.owner,
                "type": asset.asset_type,
                "name": asset.name,
                "theme": theme,
                "depth": round(depth, 2),
                "depth_source": source,
                "diameter": round(networks.pipe_diameter_m(asset), 3),
                "lines": [tiles.flat_line(line, origin) for line in lines],
            }
        )
    return {
        "tile": [tx, ty],
        "origin": list(origin),
        "unit": tiles.UNIT,
        "count": len(out),
        "pipes": out,
        "colours": networks.THEME_COLOURS,
    }


# --------------------------------------------------------------------------- BIM models (glTF; register of #14)


def placed_models(
    view: View, *, public: bool, min_phase: Phase = Phase.ONTWERP, min_hardness: Hardness = Hardness.VOORGENOMEN
) -> dict[str, Any]:
    """The newest version of every BIM model the caller may see whose georeferencing is in RD New, with what
    the viewer needs to place its glTF: RD eastings and northings, height (m NAP), rotation and scale (a glTF
    metre to map metres). Public: only models of published plans."""
    from openruimte.services.bim import footprints

    shown = None
    if public:
        cols = view.plan_columns(("visibility", "phase", "hardness"))
        shown = {
            key
            for key, vis, phase, hardness in zip(
                cols["key"], cols["visibility"], cols["phase"], cols["hardness"], strict=True
            )
            if published(vis, phase, hardness, min_phase, min_hardness)
        }
    out = []
    for row in footprints(view.store, view.principal):
        if shown is not None and row["plan"] not in shown:
            continue
        g = row.get("georef") or {}
        if not g.get("in_rd", True) or "28992" not in str(g.get("crs", "")):
            continue
        unit = float(g.get("unit_scale") or 1.0)
        metres = float(g.get("scale") or 1.0) / unit * float(g.get("map_unit_m") or 1.0)
        out.append(
            {
                "id": row["id"],
                "ref": row["ref"],
                "plan": row["plan"],
                "label": row["label"],
                "version": row["version"],
                "url": f"/api/{'public/' if public else ''}twin/models/{row['id']}.glb",
                "eastings": g.get("eastings"),
                "northings": g.get("northings"),
                "height": g.get("orthogonal_height") or 0.0,
                "height_reference": g.get("height_reference"),
                "rotation_deg": g.get("rotation_deg") or 0.0,
                "scale": metres,
                "wcs_offset_m": g.get("wcs_offset_m"),
                "bottom_m": row.get("bottom_m"),
                "top_m": row.get("top_m"),
            }
        )
    return {"count": len(out), "models": out}


def model_glb(
    view: View,
    version_id: int,
    *,
    public: bool,
    min_phase: Phase = Phase.ONTWERP,
    min_hardness: Hardness = Hardness.VOORGENOMEN,
) -> Path:
    """The GLB of a model version the caller may see, converted from its IFC on first use and kept beside it
    in the register's blob directory (``<sha256>.glb``)."""
    from openruimte.services.bim import NotFound as BimNotFound
    from openruimte.services.bim import resolve_version
    from openruimte.store import bim as register
    from openruimte.twin.gltf import ifc_to_glb

    try:
        row = resolve_version(view.store, view.principal, f"#{int(version_id)}")
    except BimNotFound:
        raise NotFound(f"geen model {version_id} / no model version {version_id}") from None
    if public:
        plan = view.plan_row(row["owner"], row["plan_id"])
        if plan is None or not is_published(plan[0], min_phase, min_hardness):
            raise NotFound(f"geen model {version_id} / no model version {version_id}")
    root = register.blob_dir(view.store)
    ifc = register.blob_path(root, row["sha256"])
    glb = ifc.with_suffix(".glb")
    if not glb.exists():
        if not ifc.is_file():
            raise NotFound(f"the IFC file of model version {version_id} is missing from {ifc.parent}")
        ifc_to_glb(ifc, glb)
    return glb
