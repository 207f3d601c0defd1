"""Gemeente, wijken and buurten of Voorbeeldstad: an exact tiling of the outline.

Wijk boundaries follow the ring road and four radial roads; buurten are Voronoi
cells of seeds inside each wijk. All boundaries are noded on a millimetre grid
and polygonised together, so neighbouring areas share their edges exactly.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import shapely
from shapely.geometry import LineString, MultiPoint, Point
from shapely.geometry.base import BaseGeometry

from openruimte.demo._names import CENTRE_BUURTEN, CENTRE_WIJK, OUTER_WIJKEN, THEMES
from openruimte.demo._shape import CENTRE_X, CENTRE_Y, TAU, WIJK_RADIALS, TownShape
from openruimte.model import Area, AreaLevel

GM_CODE = "GM0999"
GM_NAME = "Voorbeeldstad"
#: buurten per outer wijk (Oosterpark, Noorderhout, Westerkwartier, Zuiderveld)
OUTER_BUURT_COUNTS = (4, 4, 3, 3)
#: base construction year of each outer wijk
WIJK_BUILD_YEAR = (1962, 1956, 1974, 1988)


@dataclass(slots=True)
class Areas:
    """The area hierarchy plus what the generator needs to know about each buurt."""

    gemeente: Area
    wijken: list[Area]
    buurten: list[Area]
    #: buurt code -> street-name theme (None in the centre)
    theme: dict[str, str | None] = field(default_factory=dict)
    #: buurt code -> typical construction year of streets and networks
    build_year: dict[str, int] = field(default_factory=dict)
    #: wijk code -> sector indices it spans (empty for the centre)
    wijk_sectors: dict[str, tuple[int, ...]] = field(default_factory=dict)
    _tree: shapely.STRtree | None = None

    @property
    def all(self) -> list[Area]:
        return [self.gemeente, *self.wijken, *self.buurten]

    def buurt_of(self, geoms: np.ndarray) -> list[str]:
        """Code of the buurt each geometry's representative point lies in."""
        if self._tree is None:
            self._tree = shapely.STRtree([b.geometry for b in self.buurten])
        pts = shapely.point_on_surface(np.asarray(geoms, dtype=object))
        found = np.full(len(pts), len(self.buurten), dtype=np.int64)
        if len(pts):
            qi, bi = self._tree.query(pts, predicate="intersects")
            np.minimum.at(found, qi, bi)
            missing = np.flatnonzero(found == len(self.buurten))
            if len(missing):
                qi2, bi2 = self._tree.query_nearest(pts[missing], all_matches=False)
                found[missing[qi2]] = bi2
        return [self.buurten[i].code for i in found]


def _angle_of(p: Point) -> float:
    return math.atan2(p.y - CENTRE_Y, p.x - CENTRE_X) % TAU


def _wijk_spans(shape: TownShape) -> list[tuple[int, int]]:
    """(first radial, end radial) per outer wijk; the end index may wrap past n."""
    n = shape.n_radials
    spans = []
    for k, start in enumerate(WIJK_RADIALS):
        end = WIJK_RADIALS[(k + 1) % len(WIJK_RADIALS)]
        spans.append((start, end if end > start else end + n))
    return spans


def _in_span(shape: TownShape, p: Point, span: tuple[int, int]) -> bool:
    theta = _angle_of(p)
    r = math.hypot(p.x - CENTRE_X, p.y - CENTRE_Y)
    r_in = float(shape.r_ring(np.array([theta]))[0])
    s = (r - r_in) / max(1.0, float(shape.r_out(np.array([theta]))[0]) - r_in)
    a = float(shape.radial_angle(span[0], s)) % TAU
    b = float(shape.radial_angle(span[1], s)) % TAU
    return (theta - a) % TAU < (b - a) % TAU


def _faces(lines: list[BaseGeometry]) -> list[BaseGeometry]:
    noded = shapely.union_all(np.asarray(lines, dtype=object), grid_size=0.001)
    return list(shapely.get_parts(shapely.polygonize(shapely.get_parts(noded))))


def _outer_seeds(shape: TownShape, rng: np.random.Generator, span: tuple[int, int], n: int) -> list[Point]:
    if n == 4:
        grid = [(0.28, 0.27), (0.28, 0.73), (0.72, 0.27), (0.72, 0.73)]
    else:
        grid = [(0.3, 0.5), (0.72, 0.25), (0.72, 0.75)]
    seeds = []
    for s, f in grid:
        s = s + float(rng.uniform(-0.05, 0.05))
        f = f + float(rng.uniform(-0.06, 0.06))
        ta = shape.radial_angle(span[0], s)
        tb = shape.radial_angle(span[1], s)
        xy = shape.xy_at(np.array([s]), np.array([ta + f * (tb - ta)]))[0]
        seeds.append(Point(xy))
    return seeds


def _centre_seeds(shape: TownShape, rng: np.random.Generator) -> list[Point]:
    seeds = []
    for deg in (90.0, 210.0, 330.0):
        theta = math.radians(deg + float(rng.uniform(-15, 15)))
        r = 0.5 * float(shape.r_ring(np.array([theta]))[0])
        seeds.append(Point(CENTRE_X + r * math.cos(theta), CENTRE_Y + r * math.sin(theta)))
    return seeds


def build_areas(shape: TownShape, rng: np.random.Generator) -> Areas:
    """Tile the outline into wijken and buurten."""
    outline = shape.outline()
    ring = LineString(shape.ring_coords())
    radials = [shape.radial_line(i) for i in WIJK_RADIALS]
    faces = _faces([outline.exterior, ring, *radials])
    spans = _wijk_spans(shape)
    centre_pt = Point(CENTRE_X, CENTRE_Y)
    wijk_polys: list[BaseGeometry] = [shapely.union_all([f for f in faces if f.contains(centre_pt)])]
    for span in spans:
        parts = [f for f in faces if not f.contains(centre_pt) and _in_span(shape, f.representative_point(), span)]
        wijk_polys.append(shapely.union_all(parts))

    seeds_per_wijk = [_centre_seeds(shape, rng)]
    seeds_per_wijk += [_outer_seeds(shape, rng, span, n) for span, n in zip(spans, OUTER_BUURT_COUNTS, strict=True)]
    lines: list[BaseGeometry] = [outline.exterior, ring, *radials]
    for poly, seeds in zip(wijk_polys, seeds_per_wijk, strict=True):
        edges = shapely.voronoi_polygons(MultiPoint(seeds), only_edges=True, extend_to=poly.envelope.buffer(500))
        # overshoot the wijk boundary by a metre: a proper crossing nodes robustly, the stubs are dropped
        lines.append(edges.intersection(poly.buffer(1.0)))
    buurt_faces: list[list[BaseGeometry]] = [[] for seeds in seeds_per_wijk for _ in seeds]
    offsets = np.cumsum([0] + [len(s) for s in seeds_per_wijk])
    for face in _faces(lines):
        rp = face.representative_point()
        w = next((k for k, poly in enumerate(wijk_polys) if poly.contains(rp)), None)
        if w is None:
            w = int(np.argmin([poly.distance(rp) for poly in wijk_polys]))
        d = [s.distance(rp) for s in seeds_per_wijk[w]]
        buurt_faces[offsets[w] + int(np.argmin(d))].append(face)
    return _make_areas(shape, rng, spans, seeds_per_wijk, buurt_faces)


def _make_areas(
    shape: TownShape,
    rng: np.random.Generator,
    spans: list[tuple[int, int]],
    seeds_per_wijk: list[list[Point]],
    buurt_faces: list[list[BaseGeometry]],
) -> Areas:
    theme_names = [sorted(THEMES)[i] for i in rng.permutation(len(THEMES))]
    buurten: list[Area] = []
    theme: dict[str, str | None] = {}
    build_year: dict[str, int] = {}
    wijken: list[Area] = []
    wijk_sectors: dict[str, tuple[int, ...]] = {}
    k = 0
    for w, seeds in enumerate(seeds_per_wijk):
        wcode = f"WK0999{w:02d}"
        wname = CENTRE_WIJK if w == 0 else OUTER_WIJKEN[w - 1]
        codes = []
        for b in range(len(seeds)):
            code = f"BU0999{w:02d}{b:02d}"
            geom = shapely.union_all(buurt_faces[k], grid_size=0.001)
            k += 1
            if w == 0:
                name, theme[code] = CENTRE_BUURTEN[b], None
                build_year[code] = 1650
            else:
                name = theme_names.pop()
                theme[code] = name
                outer = b >= (2 if len(seeds) == 4 else 1)
                build_year[code] = WIJK_BUILD_YEAR[w - 1] + 14 * outer + int(rng.integers(-3, 4))
            buurten.append(Area(code=code, name=name, level=AreaLevel.BUURT, geometry=geom, parent=wcode))
            codes.append(code)
        wgeom = shapely.union_all([b.geometry for b in buurten if b.parent == wcode], grid_size=0.001)
        wijken.append(Area(code=wcode, name=wname, level=AreaLevel.WIJK, geometry=wgeom, parent=GM_CODE))
        wijk_sectors[wcode] = () if w == 0 else tuple(range(spans[w - 1][0], spans[w - 1][1]))
    # the youngest buurt of Zuiderveld is a recent, gas-free extension
    zuid = [b.code for b in buurten if b.parent == "WK099904"]
    build_year[zuid[-1]] = 2016
    ggeom = shapely.union_all([b.geometry for b in buurten], grid_size=0.001)
    gemeente = Area(code=GM_CODE, name=GM_NAME, level=AreaLevel.GEMEENTE, geometry=ggeom)
    return Areas(
        gemeente=gemeente, wijken=wijken, buurten=buurten, theme=theme, build_year=build_year, wijk_sectors=wijk_sectors
    )
