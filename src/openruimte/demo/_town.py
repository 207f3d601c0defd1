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
from openruimte.demo._shape import CENTRE_X, PROVINCIAL_RADIAL, TownShape

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
        return {
            "id": self.id,
            "name": self.name,
            "geometry": self.geometry,
            "kind": self.kind,
            "profile_width_m": self.profile_width_m,
            "area": self.area,
        }


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


def _chain_straight(edges: list[LineString], max_turn_deg: float = 65.0) -> list[list[int]]:
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


@dataclass(slots=True)
class _Block:
    """A band s0..s1 of a sector, filled with streets along u ('arcs') or along s ('lanes')."""

    s0: float
    s1: float
    orientation: str
    curly: bool

    def su(self, level: np.ndarray, param: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(s, u) of a point at ``level`` across the streets and ``param`` along them."""
        return (level, param) if self.orientation == "arcs" else (param, level)


def _sector_line(
    ctx: _SectorCtx, block: _Block, level: np.ndarray, param: np.ndarray, ext0: float = 0.0, ext1: float = 0.0
) -> LineString:
    s, u = block.su(level, param)
    return LineString(extend(ctx.shape.sector_xy(ctx.sector, s, u), ext0, ext1))


def _metres(ctx: _SectorCtx, block: _Block) -> tuple[float, float]:
    """Metres per unit of level and of param in a block."""
    s_mid = (block.s0 + block.s1) / 2
    across = ctx.shape.sector_width(ctx.sector, s_mid)
    return (ctx.length, across) if block.orientation == "arcs" else (across, ctx.length)


def _bounds(block: _Block) -> tuple[tuple[float, float], tuple[float, float]]:
    """(level range, param range) of a block."""
    if block.orientation == "arcs":
        return (block.s0, block.s1), (0.0, 1.0)
    return (0.0, 1.0), (block.s0, block.s1)


def _levels(ctx: _SectorCtx, block: _Block) -> list[float]:
    per_level, _ = _metres(ctx, block)
    (lo, hi), _ = _bounds(block)
    spacing = float(ctx.rng.uniform(95, 120)) / per_level
    n = max(1, round((hi - lo) / spacing) - 1)
    step = (hi - lo) / (n + 1)
    return [lo + step * (k + 1) + float(ctx.rng.uniform(-0.1, 0.1)) * step for k in range(n)]


@dataclass(slots=True)
class _Curve:
    level: float
    amp: float
    m: float
    phi: float
    p0: float
    p1: float

    def at(self, p: np.ndarray) -> np.ndarray:
        t = np.clip((p - self.p0) / (self.p1 - self.p0), 0, 1)
        return self.level + self.amp * np.sin(math.pi * self.m * t + self.phi) * np.sin(math.pi * t)


def _curves(ctx: _SectorCtx, block: _Block, levels: list[float]) -> list[_Curve]:
    (lo, hi), (p0, p1) = _bounds(block)
    step = (hi - lo) / (len(levels) + 1)
    out = []
    for lv in levels:
        amp = step * (0.25 if block.curly else 0.1)
        m = float(ctx.rng.choice([1.0, 2.0, 3.0]))
        out.append(_Curve(lv, amp, m, float(ctx.rng.uniform(0, 2 * math.pi)), p0, p1))
    return out


def block_protos(ctx: _SectorCtx, block: _Block) -> list[tuple[str, Proto]]:
    """Streets of one block: curves across it, links between them and hofjes."""
    per_level, per_param = _metres(ctx, block)
    (lo, hi), (p0, p1) = _bounds(block)
    curves = _curves(ctx, block, _levels(ctx, block))
    out: list[tuple[str, Proto]] = []
    dp = 2.0 / per_param
    for c in curves:
        a = p0 - dp if ctx.rng.random() < 0.75 else p0 + float(ctx.rng.uniform(0.04, 0.08)) * (p1 - p0)
        b = p1 + dp if ctx.rng.random() < 0.75 else p1 - float(ctx.rng.uniform(0.04, 0.08)) * (p1 - p0)
        p = np.linspace(a, b, max(8, int((b - a) * per_param / 10)))
        line = _sector_line(ctx, block, c.at(p), p)
        out.append(("arc", Proto("", "residential", "arc", float(ctx.rng.choice([13.0, 14.0, 16.0])), line)))
    flat_lo = _Curve(lo, 0.0, 1.0, 0.0, p0, p1)
    flat_hi = _Curve(hi, 0.0, 1.0, 0.0, p0, p1)
    # an outer band of arcs has no street along the town edge
    rows = [flat_lo, *curves] + ([flat_hi] if block.orientation == "lanes" or block.s1 < 0.9 else [])
    span_m = (p1 - p0) * per_param
    for k in range(len(rows) - 1):
        n_links = max(1, round(span_m / (280 if block.curly else 230)))
        shift = 0.5 * (k % 2)
        link_at = [
            p0 + (j + 0.25 + 0.5 * shift + float(ctx.rng.uniform(-0.06, 0.06))) / n_links * (p1 - p0)
            for j in range(n_links)
        ]
        for pj in link_at:
            out.append(_link(ctx, block, rows[k], rows[k + 1], pj))
        out.extend(_culs(ctx, block, rows[k], rows[k + 1], link_at, span_m))
    return out


def _link(ctx: _SectorCtx, block: _Block, lower: _Curve, upper: _Curve, pj: float) -> tuple[str, Proto]:
    t = np.linspace(0, 1, 12)
    p = pj + float(ctx.rng.uniform(-0.02, 0.02)) * np.sin(math.pi * t)
    lv = lower.at(p) + t * (upper.at(p) - lower.at(p))
    return ("link", Proto("", "residential", "link", 12.0, _sector_line(ctx, block, lv, p, 2.0, 2.0)))


def _culs(
    ctx: _SectorCtx, block: _Block, lower: _Curve, upper: _Curve, link_at: list[float], span_m: float
) -> list[tuple[str, Proto]]:
    """Hofjes: short dead-end streets from a curve into the block."""
    (_, _), (p0, p1) = _bounds(block)
    n = int(span_m / (130 if block.curly else 190))
    out = []
    for j in range(n):
        pj = p0 + (j + 0.5 + float(ctx.rng.uniform(-0.15, 0.15))) / n * (p1 - p0)
        if min(abs(pj - q) for q in link_at) / (p1 - p0) * span_m < 40:
            continue
        t = np.linspace(0, float(ctx.rng.uniform(0.33, 0.42)), 6)
        p = pj + float(ctx.rng.uniform(-0.03, 0.03)) * t
        lo, hi = lower.at(p), upper.at(p)
        lv = lo + t * (hi - lo) if ctx.rng.random() < 0.5 else hi - t * (hi - lo)
        out.append(("cul", Proto("", "residential", "cul", 10.0, _sector_line(ctx, block, lv, p, 2.0, 0.0))))
    return out


def sector_protos(ctx: _SectorCtx) -> list[tuple[str, Proto]]:
    """A collector across the sector splits it into an inner and an outer block of different layouts."""
    split = float(ctx.rng.uniform(0.4, 0.58))
    inner_orientation = "arcs" if ctx.rng.random() < 0.6 else "lanes"
    outer_orientation = "lanes" if inner_orientation == "arcs" or ctx.rng.random() < 0.3 else "arcs"
    blocks = [
        _Block(0.0, split, inner_orientation, bool(ctx.rng.random() < 0.5)),
        _Block(split, 0.97, outer_orientation, bool(ctx.rng.random() < 0.5)),
    ]
    width = ctx.shape.sector_width(ctx.sector, split)
    du = 2.0 / width
    u = np.linspace(-du, 1 + du, max(8, int(width / 10)))
    collector = LineString(ctx.shape.sector_xy(ctx.sector, np.full_like(u, split), u))
    out: list[tuple[str, Proto]] = [("arc", Proto("", "residential", "arc", 18.0, collector))]
    for block in blocks:
        out.extend(block_protos(ctx, block))
    return out


def _park(ctx: _SectorCtx) -> Polygon:
    s0 = float(ctx.rng.uniform(0.4, 0.55))
    s1 = s0 + 160.0 / ctx.length
    u0 = float(ctx.rng.uniform(0.3, 0.4))
    u1 = u0 + float(ctx.rng.uniform(0.22, 0.3))
    t = np.linspace(0, 1, 12)
    ring = np.vstack(
        [
            ctx.shape.sector_xy(ctx.sector, s0 + 0 * t, u0 + t * (u1 - u0)),
            ctx.shape.sector_xy(ctx.sector, s0 + t * (s1 - s0), u1 + 0 * t),
            ctx.shape.sector_xy(ctx.sector, s1 + 0 * t, u1 - t * (u1 - u0)),
            ctx.shape.sector_xy(ctx.sector, s1 - t * (s1 - s0), u0 + 0 * t),
        ]
    )
    return Polygon(np.round(ring, 3))


# --------------------------------------------------------------------------- noding


def _endpoints(parts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    a = shapely.get_coordinates(shapely.get_point(parts, 0))
    b = shapely.get_coordinates(shapely.get_point(parts, -1))
    keys = np.vstack([_node_key(a), _node_key(b)])
    _, inv = np.unique(keys, axis=0, return_inverse=True)
    inv = inv.reshape(-1)
    return inv[: len(parts)], inv[len(parts) :]


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
    return _contract_short(parts, owner)


def _contract_short(parts: np.ndarray, owner: np.ndarray, min_len: float = 4.0) -> tuple[np.ndarray, np.ndarray]:
    """Merge the two junctions of every piece shorter than ``min_len`` into one."""
    a, b = _endpoints(parts)
    coords = [np.asarray(g.coords)[:, :2] for g in parts]
    node_xy: dict[int, np.ndarray] = {}
    for i in range(len(parts)):
        node_xy.setdefault(int(a[i]), coords[i][0])
        node_xy.setdefault(int(b[i]), coords[i][-1])
    target = np.arange(max(node_xy) + 1 if node_xy else 0)

    def find(n: int) -> int:
        while target[n] != n:
            n = int(target[n])
        return n

    lengths = shapely.length(parts)
    drop = np.zeros(len(parts), dtype=bool)
    for i in np.argsort(lengths, kind="stable"):
        if lengths[i] >= min_len:
            break
        na, nb = find(int(a[i])), find(int(b[i]))
        if na != nb:
            target[nb] = na
        drop[i] = True
    keep_parts, keep_owner = [], []
    for i in np.flatnonzero(~drop):
        c = coords[i].copy()
        c[0], c[-1] = node_xy[find(int(a[i]))], node_xy[find(int(b[i]))]
        line = LineString(c)
        if line.length > 0.5 and (not np.array_equal(c[0], c[-1]) or len(c) > 3):
            keep_parts.append(line)
            keep_owner.append(owner[i])
    return np.array(keep_parts, dtype=object), np.array(keep_owner, dtype=np.int64)


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


def _clip_residential(
    items: list[tuple[str, Proto]],
    canal_line: LineString,
    corridor: BaseGeometry,
    parks: list[BaseGeometry],
    outline: Polygon,
) -> list[tuple[str, Proto]]:
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
    for i in range(shape.n_radials):
        ctx = _SectorCtx(shape, rng, i, shape.sector_length(i))
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
    coords = np.vstack(
        [shapely.get_coordinates(shapely.get_point(parts, 0)), shapely.get_coordinates(shapely.get_point(parts, -1))]
    )
    first = {}
    for idx, n in enumerate(np.concatenate([a, b])):
        first.setdefault(int(n), idx)
    pts = []
    for n in sorted(nodes):
        names = {protos[o].name for o in nodes[n]}
        if len(names) >= 2:
            pts.append(Point(np.round(coords[first[n]], 3)))
    return pts


def _assemble(
    shape: TownShape,
    areas: Areas,
    protos: list[Proto],
    segments: list[tuple[int, LineString]],
    parts: np.ndarray,
    owner: np.ndarray,
    canal_line: LineString,
    canal: BaseGeometry,
    parks: list[tuple[str, BaseGeometry]],
    disc: Polygon,
    names: NamePool,
) -> Network:
    geoms = np.array([g for _, g in segments], dtype=object)
    codes = areas.buurt_of(geoms)
    proto_of = np.array([p for p, _ in segments], dtype=np.int64)
    streets = []
    for i, ((p, g), code) in enumerate(zip(segments, codes, strict=True)):
        pr = protos[p]
        streets.append(
            Street(id=f"str-{i + 1:05d}", name=pr.name, geometry=g, kind=pr.kind, profile_width_m=pr.width, area=code)
        )
    pos = shapely.line_locate_point(
        np.array([protos[p].line for p in proto_of], dtype=object),
        shapely.line_interpolate_point(geoms, 0.5, normalized=True),
    )
    runs: list[list[int]] = [[] for _ in protos]
    for i in np.lexsort((pos, proto_of)):
        runs[proto_of[i]].append(int(i))
    park_codes = areas.buurt_of(np.array([p for _, p in parks], dtype=object))
    named_parks = []
    for (_, poly), code in zip(parks, park_codes, strict=True):
        buurt = next(b for b in areas.buurten if b.code == code)
        named_parks.append((f"Park {buurt.name.removesuffix('buurt')}", poly))
    return Network(
        streets=streets,
        protos=protos,
        proto_of=proto_of,
        runs=runs,
        canal_line=canal_line,
        canal=canal,
        parks=named_parks,
        main_junctions=_main_junctions(parts, owner, protos),
        centre_disc=disc,
        provincial_name=RADIAL_NAMES[PROVINCIAL_RADIAL],
    )
