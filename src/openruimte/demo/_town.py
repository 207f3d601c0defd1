"""The street network of Voorbeeldstad.

Streets are first drawn as named *proto-streets*: an irregular historic centre
(edges of a Voronoi diagram of Poisson-disc seeds, chained into crooked
streets), a ring road (four singels), radial main roads, quays along the canal
and, per sector, sinuous residential streets with links and cul-de-sacs
(hofjes). The protos are then noded together on a millimetre grid, short
overshoots are trimmed, and every street is cut into segments between
junctions and into pieces of at most about 150 m.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import shapely
from shapely.geometry import LineString, MultiPoint, Point, Polygon
from shapely.geometry.base import BaseGeometry

from openruimte.demo._areas import Areas
from openruimte.demo._geom import extend, line_parts, split_coords
from openruimte.demo._names import (
    ARC_SUFFIXES,
    CUL_SUFFIXES,
    LINK_SUFFIXES,
    RADIAL_NAMES,
    RING_NAMES,
    NamePool,
)
from openruimte.demo._shape import CENTRE_X, CENTRE_Y, PROVINCIAL_RADIAL, TownShape

#: half width of the canal water, and distance of the quay streets from its axis
CANAL_HALF_WIDTH_M = 9.0
QUAY_OFFSET_M = 17.0
#: streets that end at a quay or the ring are drawn this far past it, then trimmed
OVERSHOOT_M = 1.5
MAX_SEGMENT_M = 150.0
TARGET_SEGMENT_M = 120.0


@dataclass(slots=True, kw_only=True)
class Street:
    """One street segment: a piece of a named street between junctions (at most ~150 m)."""

    id: str
    name: str
    geometry: LineString
    kind: str  # ring, main, residential, centre
    profile_width_m: float
    area: str | None = None

    def to_record(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "geometry": self.geometry, "kind": self.kind,
                "profile_width_m": self.profile_width_m, "area": self.area}


@dataclass(slots=True)
class Proto:
    name: str
    kind: str
    role: str  # centre, ring, radial, quay, arc, link, cul
    width: float
    line: LineString


@dataclass(slots=True)
class Network:
    """The town's streets and the features drawn along with them."""

    streets: list[Street]
    protos: list[Proto]
    #: street index -> proto index, and position along the proto
    proto_of: np.ndarray
    #: proto index -> street indices in order along it
    runs: list[list[int]]
    canal_line: LineString
    canal: BaseGeometry
    parks: list[tuple[str, BaseGeometry]]
    #: junctions of main roads and the ring (for traffic lights)
    main_junctions: list[Point]
    centre_disc: Polygon
    provincial_name: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


# --------------------------------------------------------------------------- centre


def _poisson_disc(rng: np.random.Generator, region: Polygon, spacing: float, tries: int = 6000) -> np.ndarray:
    minx, miny, maxx, maxy = region.bounds
    cand = np.column_stack([rng.uniform(minx, maxx, tries), rng.uniform(miny, maxy, tries)])
    cand = cand[shapely.contains_xy(region, cand[:, 0], cand[:, 1])]
    accepted = np.empty((0, 2))
    for p in cand:
        if len(accepted) == 0 or np.min(np.hypot(*(accepted - p).T)) >= spacing:
            accepted = np.vstack([accepted, p])
    return accepted


def _node_key(xy: np.ndarray) -> np.ndarray:
    return np.round(np.asarray(xy) * 1000).astype(np.int64)


def _chain_straight(edges: list[LineString], max_turn_deg: float = 40.0) -> list[list[int]]:
    """Group edges into streets: at each node continue along the straightest pair."""
    parent = list(range(len(edges)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    incident: dict[tuple[int, int], list[tuple[int, np.ndarray]]] = {}
    for i, e in enumerate(edges):
        c = np.asarray(e.coords)
        for end, nxt in ((c[0], c[1]), (c[-1], c[-2])):
            key = tuple(_node_key(end))
            v = nxt - end
            incident.setdefault(key, []).append((i, v / max(1e-9, math.hypot(*v))))
    for key in sorted(incident):
        items = list(incident[key])
        while len(items) >= 2:
            best = None
            for a in range(len(items)):
                for b in range(a + 1, len(items)):
                    cos = float(np.dot(items[a][1], items[b][1]))
                    if best is None or cos < best[0]:
                        best = (cos, a, b)
            assert best is not None
            if best[0] > -math.cos(math.radians(max_turn_deg)):
                break
            _, a, b = best
            ra, rb = find(items[a][0]), find(items[b][0])
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)
            items = [it for k, it in enumerate(items) if k not in (a, b)]
    groups: dict[int, list[int]] = {}
    for i in range(len(edges)):
        groups.setdefault(find(i), []).append(i)
    return [groups[k] for k in sorted(groups)]


def centre_protos(rng: np.random.Generator, names: NamePool, disc: Polygon, corridor: BaseGeometry) -> list[Proto]:
    """Crooked streets of the historic centre."""
    seeds = _poisson_disc(rng, disc, spacing=82.0)
    edges = shapely.voronoi_polygons(MultiPoint(seeds), only_edges=True, extend_to=disc.buffer(300))
    region = disc.buffer(OVERSHOOT_M).difference(corridor)
    pieces = [p for p in line_parts(edges.intersection(region)) if p.length >= 9.0]
    keep = rng.random(len(pieces)) > 0.08
    pieces = [p for p, k in zip(pieces, keep, strict=True) if k]
    protos = []
    for group in _chain_straight(pieces):
        merged = shapely.line_merge(shapely.MultiLineString([pieces[i] for i in group]))
        name = names.centre()
        width = float(rng.choice([7.0, 8.0, 9.0, 10.0, 11.0, 12.0]))
        for part in line_parts(merged):
            protos.append(Proto(name, "centre", "centre", width, part))
    return protos


# --------------------------------------------------------------------------- ring, radials, quays


def ring_protos(shape: TownShape) -> list[Proto]:
    """The ring road in four singels (east, north, west, south)."""
    out = []
    for k, name in enumerate(RING_NAMES):
        deg0 = -45.0 + 90.0 * k
        coords = shape.ring_coords(deg0, deg0 + 90.0)
        out.append(Proto(name, "ring", "ring", 30.0, LineString(coords)))
    return out


def radial_protos(shape: TownShape, outline: Polygon) -> list[Proto]:
    out = []
    for i in range(shape.n_radials):
        line = shape.radial_line(i, s0=-0.004, s1=1.05).intersection(outline)
        width = 28.0 if i == PROVINCIAL_RADIAL else 24.0
        for part in line_parts(line):
            out.append(Proto(RADIAL_NAMES[i], "main", "radial", width, part))
    return out


def quay_protos(canal_line: LineString, outline: Polygon, disc: Polygon) -> list[Proto]:
    """Streets along both banks of the canal: kades in the centre, grachten outside."""
    out = []
    for side, sign in (("Noorder", 1.0), ("Zuider", -1.0)):
        quay = shapely.offset_curve(canal_line, sign * QUAY_OFFSET_M, quad_segs=4).intersection(outline)
        for part in line_parts(quay.intersection(disc)):
            out.append(Proto(f"{side}kade", "centre", "quay", 12.0, part))
        for part in line_parts(quay.difference(disc)):
            east = part.centroid.x > CENTRE_X
            name = "Oostergracht" if east else "Westergracht"
            out.append(Proto(name, "residential", "quay", 16.0, part))
    return out


# --------------------------------------------------------------------------- residential sectors


@dataclass(slots=True)
class _SectorCtx:
    shape: TownShape
    rng: np.random.Generator
    sector: int
    length: float
    style: str


def _sector_line(ctx: _SectorCtx, s: np.ndarray, u: np.ndarray, ext0: float = 0.0, ext1: float = 0.0) -> LineString:
    xy = ctx.shape.sector_xy(ctx.sector, s, u)
    return LineString(extend(xy, ext0, ext1))


def _arc_levels(ctx: _SectorCtx) -> list[float]:
    spacing = ctx.rng.uniform(92, 112) if ctx.style == "lanen" else ctx.rng.uniform(100, 122)
    ds = spacing / ctx.length
    levels, s = [], 0.065 + float(ctx.rng.uniform(0, 0.01))
    while s < 0.95:
        levels.append(s)
        s += ds * float(ctx.rng.uniform(0.9, 1.1))
    return levels


def _arc_curve(ctx: _SectorCtx, s0: float, ds: float) -> tuple[float, float, float]:
    amp = ds * (0.22 if ctx.style == "bloemkool" else 0.12)
    return amp, float(ctx.rng.choice([1.0, 2.0, 3.0])), float(ctx.rng.uniform(0, 2 * math.pi))


def _arc_s(level: float, curve: tuple[float, float, float], u: np.ndarray) -> np.ndarray:
    amp, m, phi = curve
    return level + amp * np.sin(math.pi * m * u + phi) * np.sin(math.pi * np.clip(u, 0, 1))


def sector_protos(ctx: _SectorCtx) -> list[tuple[str, Proto]]:
    """Arcs across the sector, links between neighbouring arcs and cul-de-sacs.

    Returns (role, proto) with a placeholder name; names follow the buurt later.
    """
    levels = _arc_levels(ctx)
    ds = (levels[1] - levels[0]) if len(levels) > 1 else 0.1
    curves = [_arc_curve(ctx, lv, ds) for lv in levels]
    out: list[tuple[str, Proto]] = []
    for lv, curve in zip(levels, curves, strict=True):
        width_m = ctx.shape.sector_width(ctx.sector, lv)
        du = 2.0 / max(width_m, 1.0)
        u0 = -du if ctx.rng.random() < 0.7 else float(ctx.rng.uniform(0.05, 0.1))
        u1 = 1 + du if ctx.rng.random() < 0.7 else 1 - float(ctx.rng.uniform(0.05, 0.1))
        u = np.linspace(u0, u1, max(8, int(width_m / 10)))
        line = _sector_line(ctx, _arc_s(lv, curve, u), u)
        out.append(("arc", Proto("", "residential", "arc", float(ctx.rng.choice([13.0, 14.0, 16.0])), line)))
    # links from the ring to the first arc and between neighbouring arcs
    lower: list[tuple[float, tuple[float, float, float]] | None] = [None, *zip(levels[:-1], curves[:-1], strict=True)]
    for k, (lv, curve) in enumerate(zip(levels, curves, strict=True)):
        below = lower[k]
        width_m = ctx.shape.sector_width(ctx.sector, lv)
        n_links = max(1, round(width_m / (260 if ctx.style == "lanen" else 330)))
        shift = 0.5 * (k % 2)
        for j in range(n_links):
            uj = (j + 0.25 + 0.5 * shift + float(ctx.rng.uniform(-0.08, 0.08))) / n_links
            out.extend(_link(ctx, below, (lv, curve), uj))
        if below is not None:
            out.extend(_culs(ctx, below, (lv, curve), width_m, n_links, shift))
    return out


def _link(ctx: _SectorCtx, below: tuple[float, Any] | None, above: tuple[float, Any], uj: float) -> list[tuple[str, Proto]]:
    t = np.linspace(0, 1, 12)
    u = uj + float(ctx.rng.uniform(-0.03, 0.03)) * np.sin(math.pi * t)
    s_lo = np.zeros_like(u) if below is None else _arc_s(below[0], below[1], u)
    s_hi = _arc_s(above[0], above[1], u)
    s = s_lo + t * (s_hi - s_lo)
    line = _sector_line(ctx, s, u, 2.0, 2.0)
    return [("link", Proto("", "residential", "link", 12.0, line))]


def _culs(ctx: _SectorCtx, below: tuple[float, Any], above: tuple[float, Any], width_m: float,
          n_links: int, shift: float) -> list[tuple[str, Proto]]:
    """Hofjes: short dead-end streets from an arc into the block."""
    out = []
    n_culs = int(width_m / (140 if ctx.style == "bloemkool" else 220))
    for j in range(n_culs):
        uj = (j + 0.5 + float(ctx.rng.uniform(-0.15, 0.15))) / max(n_culs, 1)
        # keep clear of the links
        link_us = [(q + 0.25 + 0.5 * shift) / n_links for q in range(n_links)]
        if min(abs(uj - lu) for lu in link_us) * width_m < 45:
            continue
        from_below = ctx.rng.random() < 0.5
        t = np.linspace(0, float(ctx.rng.uniform(0.33, 0.42)), 6)
        u = uj + float(ctx.rng.uniform(-0.04, 0.04)) * t
        s_lo = _arc_s(below[0], below[1], u)
        s_hi = _arc_s(above[0], above[1], u)
        s = s_lo + t * (s_hi - s_lo) if from_below else s_hi - t * (s_hi - s_lo)
        line = _sector_line(ctx, s, u, 2.0, 0.0)
        out.append(("cul", Proto("", "residential", "cul", 10.0, line)))
    return out


def _park(ctx: _SectorCtx) -> Polygon:
    s0 = float(ctx.rng.uniform(0.4, 0.55))
    s1 = s0 + 160.0 / ctx.length
    u0 = float(ctx.rng.uniform(0.3, 0.4))
    u1 = u0 + float(ctx.rng.uniform(0.22, 0.3))
    t = np.linspace(0, 1, 12)
    ring = np.vstack([
        ctx.shape.sector_xy(ctx.sector, s0 + 0 * t, u0 + t * (u1 - u0)),
        ctx.shape.sector_xy(ctx.sector, s0 + t * (s1 - s0), u1 + 0 * t),
        ctx.shape.sector_xy(ctx.sector, s1 + 0 * t, u1 - t * (u1 - u0)),
        ctx.shape.sector_xy(ctx.sector, s1 - t * (s1 - s0), u0 + 0 * t),
    ])
    return Polygon(np.round(ring, 3))


# --------------------------------------------------------------------------- noding


def _endpoints(parts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    a = shapely.get_coordinates(shapely.get_point(parts, 0))
    b = shapely.get_coordinates(shapely.get_point(parts, -1))
    keys = np.vstack([_node_key(a), _node_key(b)])
    _, inv = np.unique(keys, axis=0, return_inverse=True)
    inv = inv.reshape(-1)
    return inv[: len(parts)], inv[len(parts):]


def node_protos(protos: list[Proto]) -> tuple[np.ndarray, np.ndarray]:
    """Noded pieces of all protos and the proto each belongs to; overshoots trimmed."""
    geoms = np.array([p.line for p in protos], dtype=object)
    parts = shapely.get_parts(shapely.union_all(geoms, grid_size=0.001))
    parts = parts[shapely.length(parts) > 0.01]
    mids = shapely.line_interpolate_point(parts, 0.5, normalized=True)
    tree = shapely.STRtree(geoms)
    owner = np.full(len(parts), len(protos), dtype=np.int64)
    qi, gi = tree.query(mids, predicate="dwithin", distance=0.01)
    np.minimum.at(owner, qi, gi)
    miss = np.flatnonzero(owner == len(protos))
    if len(miss):
        q2, g2 = tree.query_nearest(mids[miss], all_matches=False)
        owner[miss[q2]] = g2
    for _ in range(3):
        a, b = _endpoints(parts)
        deg = np.bincount(np.concatenate([a, b]))
        dangling = (deg[a] == 1) | (deg[b] == 1)
        keep = ~(dangling & (shapely.length(parts) < 2 * OVERSHOOT_M + 1.0))
        if keep.all():
            break
        parts, owner = parts[keep], owner[keep]
    return parts, owner


def chain_parts(parts: np.ndarray, owner: np.ndarray) -> list[tuple[int, BaseGeometry]]:
    """Merge pieces of one proto through nodes where nothing else meets."""
    a, b = _endpoints(parts)
    deg = np.bincount(np.concatenate([a, b]))
    parent = np.arange(len(parts))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = int(parent[i])
        return i

    by_node: dict[int, list[int]] = {}
    for i in range(len(parts)):
        by_node.setdefault(int(a[i]), []).append(i)
        by_node.setdefault(int(b[i]), []).append(i)
    for node in sorted(by_node):
        inc = by_node[node]
        if deg[node] == 2 and len(inc) == 2 and owner[inc[0]] == owner[inc[1]]:
            ra, rb = find(inc[0]), find(inc[1])
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)
    groups: dict[int, list[int]] = {}
    for i in range(len(parts)):
        groups.setdefault(find(i), []).append(i)
    out = []
    for root in sorted(groups, key=lambda r: (int(owner[r]), r)):
        merged = shapely.line_merge(shapely.MultiLineString(list(parts[groups[root]])))
        for line in line_parts(merged):
            out.append((int(owner[root]), line))
    return out


def cut_segments(chains: list[tuple[int, BaseGeometry]]) -> list[tuple[int, LineString]]:
    """Pieces of at most MAX_SEGMENT_M, equal length within a chain."""
    out = []
    for proto, line in chains:
        coords = np.asarray(line.coords)[:, :2]
        n = 1 if line.length <= MAX_SEGMENT_M else math.ceil(line.length / TARGET_SEGMENT_M)
        for piece in split_coords(coords, n) if n > 1 else [coords]:
            geom = LineString(np.round(piece, 3))
            if geom.length > 0.5:
                out.append((proto, geom))
    return out


# --------------------------------------------------------------------------- assembly


def _name_residential(items: list[tuple[str, Proto]], areas: Areas, names: NamePool) -> list[Proto]:
    """Name each residential proto after the theme of the buurt it lies in."""
    if not items:
        return []
    buurt = areas.buurt_of(np.array([p.line for _, p in items], dtype=object))
    out = []
    for (role, proto), code in zip(items, buurt, strict=True):
        theme = areas.theme.get(code) or "Vogelbuurt"
        suffixes = {"arc": ARC_SUFFIXES, "link": LINK_SUFFIXES, "cul": CUL_SUFFIXES}[role]
        proto.name = names.themed(theme, suffixes)
        out.append(proto)
    return out


def _clip_residential(items: list[tuple[str, Proto]], canal_line: LineString, corridor: BaseGeometry,
                      parks: list[BaseGeometry], outline: Polygon) -> list[tuple[str, Proto]]:
    blocked = shapely.union_all([corridor, *[p.buffer(8.0) for p in parks]])
    inner = outline.buffer(-25.0)
    out = []
    for role, proto in items:
        if role != "arc" and proto.line.distance(canal_line) < 28.0:
            continue
        clipped = proto.line.difference(blocked).intersection(inner)
        for part in line_parts(clipped):
            if part.length >= 15.0:
                out.append((role, Proto(proto.name, proto.kind, proto.role, proto.width, part)))
    return out


def build_network(shape: TownShape, areas: Areas, rng: np.random.Generator, names: NamePool) -> Network:
    """Draw, node and cut the streets of the town."""
    outline = shape.outline()
    disc = Polygon(shape.ring_coords()[:-1])
    canal_line = shape.canal_line()
    canal = canal_line.buffer(CANAL_HALF_WIDTH_M, cap_style="flat").intersection(outline)
    corridor = canal_line.buffer(QUAY_OFFSET_M - OVERSHOOT_M, cap_style="flat")
    for r in RING_NAMES + RADIAL_NAMES:
        names.reserve(r)
    protos: list[Proto] = []
    protos += ring_protos(shape)
    protos += radial_protos(shape, outline)
    protos += quay_protos(canal_line, outline, disc)
    protos += centre_protos(rng, names, disc, corridor)
    residential: list[tuple[str, Proto]] = []
    parks: list[tuple[str, BaseGeometry]] = []
    styles = ("bloemkool", "lanen")
    for i in range(shape.n_radials):
        ctx = _SectorCtx(shape, rng, i, shape.sector_length(i), styles[int(rng.integers(2))])
        residential += sector_protos(ctx)
        if i % 2 == 0:
            parks.append(("", _park(ctx)))
    residential = _clip_residential(residential, canal_line, corridor, [p for _, p in parks], outline)
    protos += _name_residential(residential, areas, names)
    parts, owner = node_protos(protos)
    segments = cut_segments(chain_parts(parts, owner))
    return _assemble(shape, areas, protos, segments, parts, owner, canal_line, canal, parks, disc, names)


def _main_junctions(parts: np.ndarray, owner: np.ndarray, protos: list[Proto]) -> list[Point]:
    a, b = _endpoints(parts)
    major = np.array([protos[o].kind in ("main", "ring") for o in owner])
    nodes: dict[int, set[int]] = {}
    for i in np.flatnonzero(major):
        for n in (int(a[i]), int(b[i])):
            nodes.setdefault(n, set()).add(int(owner[i]))
    coords = np.vstack([shapely.get_coordinates(shapely.get_point(parts, 0)),
                        shapely.get_coordinates(shapely.get_point(parts, -1))])
    first = {}
    for idx, n in enumerate(np.concatenate([a, b])):
        first.setdefault(int(n), idx)
    pts = []
    for n in sorted(nodes):
        names = {protos[o].name for o in nodes[n]}
        if len(names) >= 2:
            pts.append(Point(np.round(coords[first[n]], 3)))
    return pts


def _assemble(shape: TownShape, areas: Areas, protos: list[Proto], segments: list[tuple[int, LineString]],
              parts: np.ndarray, owner: np.ndarray, canal_line: LineString, canal: BaseGeometry,
              parks: list[tuple[str, BaseGeometry]], disc: Polygon, names: NamePool) -> Network:
    geoms = np.array([g for _, g in segments], dtype=object)
    codes = areas.buurt_of(geoms)
    proto_of = np.array([p for p, _ in segments], dtype=np.int64)
    streets = []
    for i, ((p, g), code) in enumerate(zip(segments, codes, strict=True)):
        pr = protos[p]
        streets.append(Street(id=f"str-{i + 1:05d}", name=pr.name, geometry=g, kind=pr.kind,
                              profile_width_m=pr.width, area=code))
    pos = shapely.line_locate_point(np.array([protos[p].line for p in proto_of], dtype=object),
                                    shapely.line_interpolate_point(geoms, 0.5, normalized=True))
    runs: list[list[int]] = [[] for _ in protos]
    for i in np.lexsort((pos, proto_of)):
        runs[proto_of[i]].append(int(i))
    park_codes = areas.buurt_of(np.array([p for _, p in parks], dtype=object))
    named_parks = []
    for (_, poly), code in zip(parks, park_codes, strict=True):
        buurt = next(b for b in areas.buurten if b.code == code)
        named_parks.append((f"Park {buurt.name.removesuffix('buurt')}", poly))
    return Network(streets=streets, protos=protos, proto_of=proto_of, runs=runs, canal_line=canal_line,
                   canal=canal, parks=named_parks, main_junctions=_main_junctions(parts, owner, protos),
                   centre_disc=disc, provincial_name=RADIAL_NAMES[PROVINCIAL_RADIAL])
