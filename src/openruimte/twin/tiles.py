"""The tile grid of the 3D view and the compact JSON it streams.

Tiles are squares of :data:`TILE_SIZE_M` metres in RD New, numbered from
RD (0, 0): tile (tx, ty) covers x in [tx*S, (tx+1)*S), y in [ty*S, (ty+1)*S).
A building belongs to the tile that holds the centre of its footprint's
bounding box, so each building is sent once.

Coordinates in a tile are integers in centimetres relative to the tile's
south-west corner (``origin``), rings flat as ``[x0, y0, x1, y1, ...]``
without the closing point, outer ring first, holes after: a tile of 1,000
buildings is about 150 kB of JSON (30 kB gzipped).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from openruimte.model import Building

TILE_SIZE_M = 500.0
#: a tile's query reaches this far beyond it, for objects whose box centre is inside but whose shape is not
TILE_MARGIN_M = 200.0
#: centimetres: coordinates are sent as integers of this unit
UNIT = 0.01


def tile_of(x: float, y: float, size: float = TILE_SIZE_M) -> tuple[int, int]:
    return math.floor(x / size), math.floor(y / size)


def tile_bbox(tx: int, ty: int, size: float = TILE_SIZE_M) -> tuple[float, float, float, float]:
    return tx * size, ty * size, (tx + 1) * size, (ty + 1) * size


def tiles_in(bbox: Sequence[float], size: float = TILE_SIZE_M) -> Iterator[tuple[int, int]]:
    """Every tile that a bbox (minx, miny, maxx, maxy) touches."""
    x0, y0 = tile_of(bbox[0], bbox[1], size)
    x1, y1 = tile_of(bbox[2], bbox[3], size)
    for ty in range(y0, y1 + 1):
        for tx in range(x0, x1 + 1):
            yield tx, ty


def in_tile(geom: BaseGeometry, tx: int, ty: int, size: float = TILE_SIZE_M) -> bool:
    """Does the geometry belong to this tile (the centre of its bounding box lies in it)? The same rule
    as the list of tiles that hold buildings (services/twin.py reads it from the spatial index)."""
    minx, miny, maxx, maxy = geom.bounds
    return tile_of((minx + maxx) / 2, (miny + maxy) / 2, size) == (tx, ty)


def rings_of(geom: BaseGeometry, origin: tuple[float, float]) -> list[list[list[int]]]:
    """Polygons of a (multi)polygon as lists of flat integer rings (cm, relative to ``origin``)."""
    out = []
    for poly in shapely.get_parts(geom):
        if poly.geom_type != "Polygon" or poly.is_empty:
            continue
        poly = shapely.geometry.polygon.orient(poly, 1.0)  # outer ring counter-clockwise, holes clockwise
        rings = [poly.exterior, *poly.interiors]
        out.append([_flat(r, origin) for r in rings])
    return out


def rings_of_many(geoms: Sequence[BaseGeometry | None], origin: tuple[float, float]) -> list[list[list[list[int]]]]:
    """:func:`rings_of` of many geometries at once (the same lists), in a few vectorised shapely and
    numpy calls: the 3D view's 10,000 plans and its tiles of buildings. None gives no polygons."""
    geoms = np.asarray(geoms, dtype=object)
    out: list[list[list[list[int]]]] = [[] for _ in range(len(geoms))]
    if not len(geoms):
        return out
    parts, owner = shapely.get_parts(geoms, return_index=True)
    keep = (shapely.get_type_id(parts) == 3) & ~shapely.is_empty(parts)  # 3: Polygon
    parts, owner = parts[keep], owner[keep]
    if not len(parts):
        return out
    parts = shapely.orient_polygons(parts, exterior_cw=False)  # as orient(poly, 1.0)
    rings, ring_poly = shapely.get_rings(parts, return_index=True)
    coords = shapely.get_coordinates(rings)
    ends = np.cumsum(shapely.get_num_coordinates(rings))
    open_ring = np.ones(len(coords), dtype=bool)
    open_ring[ends - 1] = False  # without the closing point
    flat = np.rint((coords[open_ring] - np.asarray(origin)) / UNIT).astype(np.int64).ravel().tolist()
    # ring r keeps its points but the last one: in ``flat`` it starts at 2 * (start - r)
    stops = (2 * (ends - 1 - np.arange(len(ends)))).tolist()
    polys: list[list[list[int]]] = [[] for _ in range(len(parts))]
    start = 0
    for stop, p in zip(stops, ring_poly.tolist(), strict=True):
        polys[p].append(flat[start:stop])
        start = stop
    for p, g in enumerate(owner.tolist()):
        out[g].append(polys[p])
    return out


def _flat(ring: Any, origin: tuple[float, float]) -> list[int]:
    xy = np.asarray(ring.coords)[:-1, :2]
    xy = np.rint((xy - np.asarray(origin)) / UNIT).astype(np.int64)
    return xy.ravel().tolist()


def flat_line(line: Any, origin: tuple[float, float]) -> list[int]:
    """A line string as a flat integer list (cm, relative to ``origin``), every point kept."""
    xy = np.asarray(line.coords)[:, :2]
    return np.rint((xy - np.asarray(origin)) / UNIT).astype(np.int64).ravel().tolist()


#: the building columns :func:`encode_building_columns` reads
BUILDING_COLUMNS = ("id", "bag_id", "ground_height_m", "roof_height_m", "roof_max_m", "construction_year", "lods")


def encode_building_columns(
    columns: dict[str, list[Any]], tx: int, ty: int, size: float = TILE_SIZE_M
) -> dict[str, Any]:
    """:func:`encode_buildings` of buildings given as columns (:data:`BUILDING_COLUMNS` and
    ``geometry``): the same JSON, the tile test and the rings made for all buildings at once."""
    origin = (tx * size, ty * size)
    geoms = np.asarray(columns["geometry"], dtype=object)
    rows: list[int] = []
    polys: list[list[list[list[int]]]] = []
    if len(geoms):
        box = shapely.bounds(geoms)
        cx, cy = (box[:, 0] + box[:, 2]) / 2, (box[:, 1] + box[:, 3]) / 2
        inside = np.flatnonzero((np.floor(cx / size) == tx) & (np.floor(cy / size) == ty)).tolist()
        for i, rings in zip(inside, rings_of_many(geoms[inside], origin), strict=True):
            if rings:
                rows.append(i)
                polys.append(rings)

    def pick(name: str) -> list[Any]:
        return [columns[name][i] for i in rows]

    return {
        "tile": [tx, ty],
        "size": size,
        "origin": list(origin),
        "unit": UNIT,
        "count": len(rows),
        "id": pick("id"),
        "bag_id": pick("bag_id"),
        "ground": [_round(v) for v in pick("ground_height_m")],
        "roof": [_round(v) for v in pick("roof_height_m")],
        "roof_max": [_round(v) for v in pick("roof_max_m")],
        "year": pick("construction_year"),
        "lod": [max(v) if v else None for v in pick("lods")],
        "polygons": polys,
    }


def encode_buildings(buildings: Iterable[Building], tx: int, ty: int, size: float = TILE_SIZE_M) -> dict[str, Any]:
    """The buildings of one tile as compact JSON: per building its id, BAG id, ground and roof
    height (m NAP; the median roof, the maximum roof), construction year and footprint rings
    (:func:`encode_building_columns` of the buildings' columns)."""
    found = list(buildings)
    columns: dict[str, list[Any]] = {name: [getattr(b, name) for b in found] for name in BUILDING_COLUMNS}
    columns["geometry"] = [b.geometry for b in found]
    return encode_building_columns(columns, tx, ty, size)


def _round(v: float | None) -> float | None:
    return None if v is None else round(float(v), 2)


def building_surfaces_z(building: Building) -> BaseGeometry:
    """The LoD 1.2 block of a building as a MultiPolygon Z (m NAP): floor at ground level, flat roof
    at the median roof height, one wall per edge. Without heights: the footprint at z 0."""
    ground = building.ground_height_m if building.ground_height_m is not None else 0.0
    roof = building.roof_height_m if building.roof_height_m is not None else ground
    surfaces = []
    for poly in shapely.get_parts(building.geometry):
        if poly.geom_type != "Polygon" or poly.is_empty:
            continue
        poly = shapely.geometry.polygon.orient(poly, 1.0)
        rings = [list(poly.exterior.coords), *[list(r.coords) for r in poly.interiors]]
        surfaces.append(
            shapely.Polygon(
                [(x, y, ground) for x, y, *_ in rings[0][::-1]],
                [[(x, y, ground) for x, y, *_ in r[::-1]] for r in rings[1:]],
            )
        )
        surfaces.append(
            shapely.Polygon(
                [(x, y, roof) for x, y, *_ in rings[0]], [[(x, y, roof) for x, y, *_ in r] for r in rings[1:]]
            )
        )
        if roof > ground:
            for ring in rings:
                for (x0, y0, *_), (x1, y1, *_) in zip(ring[:-1], ring[1:], strict=True):
                    surfaces.append(
                        shapely.Polygon([(x0, y0, ground), (x1, y1, ground), (x1, y1, roof), (x0, y0, roof)])
                    )
    return shapely.MultiPolygon(surfaces)
