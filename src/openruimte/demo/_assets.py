"""Assets of Voorbeeldstad: networks under the street, paving, trees, lights, facilities.

Cables and pipes run parallel to their street segment at a fixed place in the
street profile (offset from the centre line, positive = left), so neighbouring
networks are a metre or two apart as in a real street. Materials, ages and
condition follow the construction year of the buurt.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from shapely.geometry import LineString, Point
from shapely.geometry.base import BaseGeometry

from openruimte.demo._areas import Areas
from openruimte.demo._geom import line_parts, rnd, rnd_all, split_line
from openruimte.demo._orgs import (
    GEMEENTE,
    GLASNET,
    NETBEHEERDER,
    PROVINCIE,
    STADSNET,
    WARMTEBEDRIJF,
    WATERBEDRIJF,
    WATERSCHAP,
    YEAR_NOW,
)
from openruimte.demo._town import CANAL_HALF_WIDTH_M, Network
from openruimte.model import Asset, Visibility

TREE_SPECIES = (
    "Tilia x europaea",
    "Quercus robur",
    "Platanus x hispanica",
    "Acer pseudoplatanus",
    "Fraxinus excelsior",
    "Ulmus 'Lobel'",
    "Carpinus betulus",
    "Alnus glutinosa",
    "Prunus avium",
    "Betula pendula",
    "Aesculus hippocastanum",
    "Gleditsia triacanthos",
    "Sorbus aucuparia",
    "Corylus colurna",
)
LAMP_TYPES = ("LED", "LED", "LED", "PL-L", "CDO-TT", "SOX")


@dataclass(slots=True)
class Segs:
    """Per street segment, the facts the asset and plan generators need (arrays)."""

    geoms: np.ndarray
    length: np.ndarray
    kind: np.ndarray
    role: np.ndarray
    half: np.ndarray
    road: np.ndarray  # half width of the carriageway
    area: np.ndarray
    wijk: np.ndarray
    year: np.ndarray  # construction year of the networks
    active: np.ndarray  # carries assets at this scale
    gasless: np.ndarray
    heat: np.ndarray
    drained: np.ndarray
    provincial: np.ndarray
    ids: np.ndarray
    names: np.ndarray

    def idx(self, mask: np.ndarray) -> np.ndarray:
        return np.flatnonzero(mask & self.active)


def _road_half(kind: str, role: str, half: float, provincial: bool) -> float:
    if kind == "centre":
        return max(1.5, half - 0.3)
    if kind == "ring":
        return 5.0
    if kind == "main":
        return 4.5 if provincial else 4.0
    return 2.5 if role == "cul" else 3.0


def segment_info(net: Network, areas: Areas, rng: np.random.Generator, scale: float, keep: set[int]) -> Segs:
    """Facts per segment; with scale < 1 only a share of the segments carries assets."""
    n = len(net.streets)
    roles = np.array([net.protos[p].role for p in net.proto_of], dtype=object)
    kinds = np.array([s.kind for s in net.streets], dtype=object)
    half = np.array([s.profile_width_m / 2 for s in net.streets])
    provincial = np.array([s.name == net.provincial_name for s in net.streets])
    area = np.array([s.area for s in net.streets], dtype=object)
    parent = {b.code: b.parent for b in areas.buurten}
    wijk = np.array([parent[a] for a in area], dtype=object)
    base = np.array([areas.build_year[a] for a in area])
    year = np.where(base < 1800, rng.integers(1905, 1976, n), base + rng.integers(-1, 4, n))
    heat_buurten = {b.code for b in areas.buurten if b.parent == "WK099901" and areas.build_year[b.code] < 1972}
    drained_buurt = max(b.code for b in areas.buurten if b.parent == "WK099903")
    active = rng.random(n) < scale
    active[sorted(keep)] = True
    return Segs(
        geoms=np.array([s.geometry for s in net.streets], dtype=object),
        length=np.array([s.geometry.length for s in net.streets]),
        kind=kinds,
        role=roles,
        half=half,
        road=np.array([_road_half(k, r, h, p) for k, r, h, p in zip(kinds, roles, half, provincial, strict=True)]),
        area=area,
        wijk=wijk,
        year=year,
        active=active,
        gasless=base >= 2010,
        heat=np.array([a in heat_buurten for a in area]) & (half >= 3.0),
        drained=area == drained_buurt,
        provincial=provincial,
        ids=np.array([s.id for s in net.streets], dtype=object),
        names=np.array([s.name for s in net.streets], dtype=object),
    )


def pick(rng: np.random.Generator, options: tuple[Any, ...] | list[Any]) -> Any:
    """One of ``options`` (faster than Generator.choice for short lists)."""
    return options[int(rng.integers(len(options)))]


class AssetBuilder:
    """Collects assets and numbers them per prefix (riool-000001 ...)."""

    def __init__(self, rng: np.random.Generator, scale: float) -> None:
        self.rng = rng
        self.piece_factor = max(1.0, scale)
        self.assets: list[Asset] = []
        self._counters: dict[str, int] = {}

    def add(self, prefix: str, **fields: Any) -> Asset:
        n = self._counters.get(prefix, 0) + 1
        self._counters[prefix] = n
        fields.setdefault("visibility", Visibility.SHARED)
        asset = Asset(id=f"{prefix}-{n:06d}", **fields)
        self.assets.append(asset)
        return asset

    def condition(self, install: int, life: int) -> int:
        frac = (YEAR_NOW - install) / life
        return max(1, min(6, round(1 + 4.5 * frac + float(self.rng.normal(0, 0.7)))))


# --------------------------------------------------------------------------- placing along streets


def offset_lines(segs: Segs, idx: np.ndarray, offsets: np.ndarray) -> list[tuple[int, float, BaseGeometry]]:
    """(segment, offset, line) parallel to each segment at the given offsets."""
    if len(idx) == 0:
        return []
    offsets = np.round(np.asarray(offsets, dtype=float), 2)
    g = shapely.offset_curve(segs.geoms[idx], offsets, quad_segs=2, join_style="mitre", mitre_limit=2.0)
    g = rnd_all(g)
    ok = ~shapely.is_empty(g) & shapely.is_valid(g) & (shapely.length(g) > 1.0)
    return [(int(i), float(o), geom) for i, o, geom, k in zip(idx, offsets, g, ok, strict=True) if k]


def pieces(geom: BaseGeometry, piece_m: float) -> list[BaseGeometry]:
    if isinstance(geom, LineString):
        return split_line(geom, piece_m)
    return [geom]


def points_along(segs: Segs, idx: np.ndarray, dist: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """Points at distance ``dist`` along segments ``idx``, moved sideways by ``offsets``."""
    g = segs.geoms[idx]
    p = shapely.get_coordinates(shapely.line_interpolate_point(g, dist))
    a = shapely.get_coordinates(shapely.line_interpolate_point(g, np.maximum(dist - 0.5, 0)))
    b = shapely.get_coordinates(shapely.line_interpolate_point(g, dist + 0.5))
    t = b - a
    t = t / np.maximum(np.hypot(t[:, 0], t[:, 1]), 1e-9)[:, None]
    normal = np.column_stack([-t[:, 1], t[:, 0]])
    xy = np.round(p + normal * offsets[:, None], 3)
    return shapely.points(xy)


def spaced(
    segs: Segs, idx: np.ndarray, spacing: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(segment, distance, k) for regularly spaced points along each segment."""
    seg_out, dist_out, k_out = [], [], []
    for i, sp in zip(idx, spacing, strict=True):
        start = float(rng.uniform(0.2, 0.8)) * sp
        d = np.arange(start, segs.length[i] - 1.0, sp)
        seg_out.append(np.full(len(d), i))
        dist_out.append(d)
        k_out.append(np.arange(len(d)))
    if not seg_out:
        return np.empty(0, int), np.empty(0), np.empty(0, int)
    return np.concatenate(seg_out).astype(int), np.concatenate(dist_out), np.concatenate(k_out)


def _street_attrs(segs: Segs, i: int, **extra: Any) -> dict[str, Any]:
    return {"street_id": str(segs.ids[i]), "street": str(segs.names[i]), **extra}


# --------------------------------------------------------------------------- networks


def _sewer_material(rng: np.random.Generator, year: int, system: str) -> tuple[str, int]:
    if system == "droogweerafvoer":
        return ("pvc", 60) if year >= 1975 or rng.random() < 0.5 else ("gres", 100)
    if year < 1925:
        return ("metselwerk", 100) if rng.random() < 0.5 else ("gres", 100)
    if year < 1960:
        return ("gres", 100) if rng.random() < 0.45 else ("beton", 80)
    if system == "hemelwaterafvoer" and year >= 1990 and rng.random() < 0.4:
        return ("pvc", 60)
    return ("beton", 80) if rng.random() < 0.85 else ("gres", 100)


def _sewer_diameter(rng: np.random.Generator, kind: str, system: str, material: str) -> int:
    if system == "droogweerafvoer":
        return int(pick(rng, [200, 250, 315]))
    big = kind in ("main", "ring")
    if material == "metselwerk":
        return int(pick(rng, [600, 800, 1000]))
    choices = [600, 800, 1000] if big else [300, 400, 500]
    return int(pick(rng, choices))


def add_sewers(b: AssetBuilder, segs: Segs) -> None:
    rng = b.rng
    idx = segs.idx(np.ones(len(segs.ids), dtype=bool))
    combined = (segs.kind[idx] == "centre") | (segs.year[idx] < 1980)
    jobs = [("gemengd_riool", idx[combined], np.zeros(int(combined.sum())))]
    sep = idx[~combined]
    jobs.append(("droogweerafvoer", sep, np.minimum(0.9, segs.half[sep] - 0.5)))
    jobs.append(("hemelwaterafvoer", sep, -np.minimum(0.9, segs.half[sep] - 0.5)))
    for system, ii, off in jobs:
        for i, off_m, line in offset_lines(segs, ii, off):
            year = int(segs.year[i])
            replaced = year + 90 < 2015 and rng.random() < 0.55
            install = int(rng.integers(1975, 2016)) if replaced else year
            for piece in pieces(line, 60.0 / b.piece_factor):
                material, life = _sewer_material(rng, install, system)
                depth = float(rng.uniform(2.0, 4.0) if segs.kind[i] in ("main", "ring") else rng.uniform(1.5, 3.2))
                b.add(
                    "riool",
                    owner=GEMEENTE,
                    asset_type=system,
                    geometry=piece,
                    imbor_type="Vrijverval rioolleiding",
                    material=material,
                    install_year=install,
                    expected_life_years=life,
                    condition=b.condition(install, life),
                    depth_m=round(depth, 2),
                    diameter_mm=float(_sewer_diameter(rng, str(segs.kind[i]), system, material)),
                    area=str(segs.area[i]),
                    attributes=_street_attrs(segs, i, system=system, offset_m=off_m),
                )


def _drinkwater_material(year: int) -> tuple[str, int, int]:
    if year < 1955:
        return "gietijzer", 100, 100
    if year < 1975:
        return "asbestcement", 60, 110
    if year < 2000:
        return "pvc", 70, 110
    return "pe", 80, 110


def _gas_material(year: int) -> tuple[str, int]:
    if year < 1960:
        return "grijs gietijzer", 70
    if year < 1975:
        return "staal", 60
    if year < 2000:
        return "pvc", 70
    return "pe", 80


def _line_assets(
    b: AssetBuilder,
    segs: Segs,
    prefix: str,
    owner: str,
    asset_type: str,
    idx: np.ndarray,
    offsets: np.ndarray,
    make: Any,
    visibility: Visibility = Visibility.SHARED,
) -> None:
    """Add one asset per piece of each offset line; ``make(i, install)`` gives the other fields."""
    for i, off_m, line in offset_lines(segs, idx, offsets):
        for piece in pieces(line, 150.0 / b.piece_factor):
            fields = make(i)
            fields["attributes"]["offset_m"] = off_m
            b.add(
                prefix,
                owner=owner,
                asset_type=asset_type,
                geometry=piece,
                area=str(segs.area[i]),
                visibility=visibility,
                **fields,
            )


def _lane(segs: Segs, idx: np.ndarray, from_edge: float, side: float) -> np.ndarray:
    """Offset of a lane ``from_edge`` metres in from the facade, on side +1 (left) or -1."""
    return side * np.maximum(segs.half[idx] - from_edge, 0.2)


def add_networks(b: AssetBuilder, segs: Segs, force_ms: set[int]) -> None:
    """Drinking water, gas, electricity, telecom, heat and drainage along the streets."""
    rng = b.rng
    every = np.ones(len(segs.ids), dtype=bool)
    major = np.isin(segs.kind, ["main", "ring"])

    def drinkwater(i: int) -> dict[str, Any]:
        year = int(segs.year[i]) + (int(rng.integers(0, 30)) if segs.year[i] < 1955 and rng.random() < 0.4 else 0)
        material, life, dia = _drinkwater_material(year)
        dia = int(pick(rng, [160, 200, 250])) if segs.kind[i] in ("main", "ring") else dia
        return dict(
            material=material,
            install_year=year,
            expected_life_years=life,
            condition=b.condition(year, life),
            depth_m=round(float(rng.uniform(1.0, 1.2)), 2),
            diameter_mm=float(dia),
            imbor_type="Drinkwaterleiding",
            attributes=_street_attrs(segs, i),
        )

    idx = segs.idx(every)
    _line_assets(b, segs, "dw", WATERBEDRIJF, "drinkwater", idx, _lane(segs, idx, 1.9, 1), drinkwater)

    def gas(i: int) -> dict[str, Any]:
        year = int(segs.year[i])
        material, life = _gas_material(year)
        pressure = "8 bar" if segs.kind[i] in ("main", "ring") else "100 mbar"
        return dict(
            material=material,
            install_year=year,
            expected_life_years=life,
            condition=b.condition(year, life),
            depth_m=round(float(rng.uniform(0.6, 1.0)), 2),
            diameter_mm=float(pick(rng, [63, 110, 160])),
            imbor_type="Gasleiding",
            attributes=_street_attrs(segs, i, pressure=pressure),
        )

    idx = segs.idx(~segs.gasless)
    _line_assets(b, segs, "gas", NETBEHEERDER, "gas", idx, _lane(segs, idx, 1.3, 1), gas)

    def cable(voltage: str) -> Any:
        def make(i: int) -> dict[str, Any]:
            year = int(segs.year[i]) + int(rng.integers(0, 6))
            material, life = ("GPLK", 70) if year < 1975 else ("XLPE", 60)
            return dict(
                material=material,
                install_year=year,
                expected_life_years=life,
                condition=b.condition(year, life),
                depth_m=round(float(rng.uniform(0.6, 1.0)), 2),
                diameter_mm=float(pick(rng, [40, 50, 60]) if voltage == "LS" else pick(rng, [70, 80, 90])),
                imbor_type="Elektriciteitskabel",
                attributes=_street_attrs(segs, i, voltage=voltage),
            )

        return make

    idx = segs.idx(every)
    _line_assets(b, segs, "el", NETBEHEERDER, "elektriciteit", idx, _lane(segs, idx, 0.8, 1), cable("LS"))
    idx = segs.idx((segs.half >= 6.0) & (segs.role != "cul"))
    _line_assets(b, segs, "el", NETBEHEERDER, "elektriciteit", idx, _lane(segs, idx, 0.8, -1), cable("LS"))
    ms = major | (rng.random(len(segs.ids)) < 0.3)
    ms[sorted(force_ms)] = True
    idx = segs.idx(ms)
    _line_assets(b, segs, "el", NETBEHEERDER, "elektriciteit", idx, _lane(segs, idx, 1.3, -1), cable("MS"))

    def telecom(owner: str) -> Any:
        def make(i: int) -> dict[str, Any]:
            year = int(rng.integers(2012, 2025)) if owner == GLASNET else int(rng.integers(2004, 2021))
            return dict(
                material="glasvezel",
                install_year=year,
                expected_life_years=40,
                depth_m=round(float(rng.uniform(0.4, 0.7)), 2),
                diameter_mm=float(pick(rng, [40, 50])),
                imbor_type="Telecommunicatiekabel",
                attributes=_street_attrs(segs, i, ducts=int(rng.integers(1, 5))),
            )

        return make

    idx = segs.idx(every)
    _line_assets(
        b, segs, "tel", GLASNET, "telecom", idx, _lane(segs, idx, 0.3, 1), telecom(GLASNET), Visibility.PRIVATE
    )
    idx = segs.idx(major | (segs.kind == "centre") | (segs.wijk == "WK099902"))
    _line_assets(
        b, segs, "tel", STADSNET, "telecom", idx, _lane(segs, idx, 0.3, -1), telecom(STADSNET), Visibility.PRIVATE
    )

    def heat(i: int) -> dict[str, Any]:
        year = int(segs.year[i]) + int(rng.integers(1, 6))
        return dict(
            material="staal, voorgeïsoleerd",
            install_year=year,
            expected_life_years=50,
            condition=b.condition(year, 50),
            depth_m=round(float(rng.uniform(0.8, 1.2)), 2),
            diameter_mm=float(pick(rng, [250, 300] if segs.kind[i] in ("main", "ring") else [100, 150])),
            imbor_type="Warmteleiding",
            attributes=_street_attrs(segs, i, pipes="aanvoer en retour"),
        )

    idx = segs.idx(segs.heat)
    _line_assets(b, segs, "wa", WARMTEBEDRIJF, "warmte", idx, _lane(segs, idx, 2.1, -1), heat)

    def drain(i: int) -> dict[str, Any]:
        year = int(segs.year[i])
        return dict(
            material="pvc (geperforeerd)",
            install_year=year,
            expected_life_years=50,
            condition=b.condition(year, 50),
            depth_m=round(float(rng.uniform(0.9, 1.3)), 2),
            diameter_mm=80.0,
            imbor_type="Drainageleiding",
            attributes=_street_attrs(segs, i),
        )

    idx = segs.idx(segs.drained)
    _line_assets(b, segs, "drain", GEMEENTE, "drainage", idx, _lane(segs, idx, 1.0, -1), drain)
    add_pressure_mains(b, segs)


def pressure_main_streets(segs: Segs) -> np.ndarray:
    """Mask of the segments of the two radial roads with the water board's pressure mains."""
    radials = sorted({str(n) for n, k in zip(segs.names, segs.kind, strict=True) if k == "main"})
    return np.isin(segs.names, radials[:2])


def add_pressure_mains(b: AssetBuilder, segs: Segs) -> None:
    """The water board's pressure mains (persleidingen) under two radial roads."""
    rng = b.rng
    idx = segs.idx(pressure_main_streets(segs))

    def make(i: int) -> dict[str, Any]:
        year = int(rng.integers(1975, 1995))
        return dict(
            material="pe" if year > 1985 else "asbestcement",
            install_year=year,
            expected_life_years=60,
            condition=b.condition(year, 60),
            depth_m=round(float(rng.uniform(1.5, 2.0)), 2),
            diameter_mm=float(pick(rng, [400, 500])),
            imbor_type="Persleiding",
            attributes=_street_attrs(segs, i, kind="persleiding"),
        )

    _line_assets(b, segs, "pers", WATERSCHAP, "droogweerafvoer", idx, -(segs.road[idx] + 1.0), make)


# --------------------------------------------------------------------------- surface


def _strip(segs: Segs, idx: np.ndarray, offsets: np.ndarray, half_width: float) -> list[tuple[int, BaseGeometry]]:
    lines = offset_lines(segs, idx, offsets)
    if not lines:
        return []
    polys = rnd_all(
        shapely.buffer(np.array([g for _, _, g in lines], dtype=object), half_width, cap_style="flat", quad_segs=2)
    )
    return _good_polygons([i for i, _, _ in lines], polys)


def _good_polygons(idx: list[int] | np.ndarray, polys: np.ndarray) -> list[tuple[int, BaseGeometry]]:
    ok = shapely.is_valid(polys) & ~shapely.is_empty(polys) & np.isin(shapely.get_type_id(polys), [3, 6])
    return [(int(i), p) for i, p, k in zip(idx, polys, ok, strict=True) if k]


def _paving_owner(segs: Segs, i: int) -> str:
    return PROVINCIE if segs.provincial[i] else GEMEENTE


def add_paving(b: AssetBuilder, segs: Segs) -> None:
    """Carriageways, footpaths and cycle paths as polygons, with their last renewal year."""
    rng = b.rng
    idx = segs.idx(np.ones(len(segs.ids), dtype=bool))
    polys = rnd_all(shapely.buffer(segs.geoms[idx], segs.road[idx], cap_style="flat", quad_segs=2))
    for i, poly in _good_polygons(idx, polys):
        if segs.kind[i] == "centre":
            material, life = str(pick(rng, ["gebakken klinkers", "natuursteen"])), 40
        elif segs.kind[i] in ("main", "ring") or rng.random() < 0.45:
            material, life = "asfalt", 18
        else:
            material, life = "betonklinkers", 35
        _add_paving(b, segs, i, "weg", "weg", poly, material, life, "Rijbaan")
    walk = segs.idx(segs.kind != "centre")
    both = walk[segs.role[walk] != "cul"]
    for side in (1.0, -1.0):
        ii = both if side < 0 else walk
        for i, poly in _strip(segs, ii, _lane(segs, ii, 1.0, side), 0.9):
            _add_paving(b, segs, i, "vp", "voetpad", poly, "betontegels", 30, "Voetpad")
    cyc = segs.idx(np.isin(segs.kind, ["main", "ring"]))
    for side in (1.0, -1.0):
        for i, poly in _strip(segs, cyc, side * (segs.road[cyc] + 4.75), 1.25):
            _add_paving(b, segs, i, "fp", "fietspad", poly, "rood asfalt", 20, "Fietspad")
    green = cyc[rng.random(len(cyc)) < 0.7]
    for side in (1.0, -1.0):
        for i, poly in _strip(segs, green, side * (segs.road[green] + 2.0), 1.5):
            year = int(segs.year[i])
            b.add(
                "groen",
                owner=_paving_owner(segs, i),
                asset_type="groen",
                geometry=poly,
                imbor_type="Plantvak",
                install_year=year,
                area=str(segs.area[i]),
                attributes=_street_attrs(segs, i, vegetation=str(pick(rng, ["gras", "heesters", "bloemrijk gras"]))),
            )


def _add_paving(
    b: AssetBuilder,
    segs: Segs,
    i: int,
    prefix: str,
    asset_type: str,
    poly: BaseGeometry,
    material: str,
    life: int,
    imbor: str,
) -> None:
    rng = b.rng
    year = int(segs.year[i])
    renewals = max(0, (YEAR_NOW - year) // life)
    last = year + renewals * life - int(rng.integers(0, 6)) if renewals else year
    last = int(min(max(last, year), YEAR_NOW - 1))
    b.add(
        prefix,
        owner=_paving_owner(segs, i),
        asset_type=asset_type,
        geometry=poly,
        imbor_type=imbor,
        material=material,
        install_year=year,
        expected_life_years=life,
        replacement_year=last + life,
        condition=b.condition(last, life),
        area=str(segs.area[i]),
        attributes=_street_attrs(segs, i, last_renewal_year=last),
    )


# --------------------------------------------------------------------------- points


def add_trees_and_lights(b: AssetBuilder, segs: Segs, protos_of: np.ndarray) -> None:
    rng = b.rng
    n = len(segs.ids)
    species_of_proto = rng.integers(len(TREE_SPECIES), size=int(protos_of.max()) + 1)
    treed = ((segs.kind != "centre") & (segs.role != "cul") & (rng.random(n) < 0.75)) | (
        (segs.kind == "centre") & (rng.random(n) < 0.15)
    )
    treed &= segs.half >= 3.5
    idx = segs.idx(treed)
    spacing = rng.uniform(12, 18, len(idx))
    si, dist, k = spaced(segs, idx, spacing, rng)
    two_sided = segs.half[si] >= 6.0
    side = np.where(two_sided & (k % 2 == 1), -1.0, 1.0)
    pts = points_along(segs, si, dist, side * np.maximum(segs.half[si] - 2.0, 0.5))
    for i, p in zip(si, pts, strict=True):
        planted = int(segs.year[i]) + int(rng.integers(0, 4))
        if planted < 1950:
            planted = int(rng.integers(1950, 2015))
        life = int(pick(rng, [60, 80, 100]))
        age = YEAR_NOW - planted
        b.add(
            "boom",
            owner=GEMEENTE,
            asset_type="bomen",
            geometry=p,
            imbor_type="Boom",
            install_year=planted,
            expected_life_years=life,
            condition=b.condition(planted, life),
            area=str(segs.area[i]),
            attributes=_street_attrs(
                segs,
                int(i),
                species=TREE_SPECIES[species_of_proto[protos_of[i]]],
                height_m=round(min(28.0, 3 + age * 0.3 + float(rng.normal(0, 1.5))), 1),
                crown_diameter_m=round(min(18.0, 2 + age * 0.18), 1),
            ),
        )
    idx = segs.idx(np.ones(n, dtype=bool))
    major = np.isin(segs.kind[idx], ["main", "ring"])
    spacing = np.where(major, 35.0, 32.0)
    si, dist, k = spaced(segs, idx, spacing, rng)
    side = np.where(k % 2 == 1, -1.0, 1.0)
    pts = points_along(segs, si, dist, side * np.maximum(segs.half[si] - 0.5, 0.3))
    for i, p in zip(si, pts, strict=True):
        year = int(rng.integers(max(1975, int(segs.year[i])), 2025))
        mast = 10.0 if segs.kind[i] in ("main", "ring") else (4.5 if segs.kind[i] == "centre" else 6.0)
        b.add(
            "ovl",
            owner=GEMEENTE,
            asset_type="openbare_verlichting",
            geometry=p,
            imbor_type="Lichtmast",
            material=str(pick(rng, ["staal", "aluminium"])),
            install_year=year,
            expected_life_years=40,
            condition=b.condition(year, 40),
            area=str(segs.area[i]),
            attributes=_street_attrs(segs, int(i), lamp=str(pick(rng, LAMP_TYPES)), mast_height_m=mast),
        )


def add_facilities(b: AssetBuilder, segs: Segs, net: Network, areas: Areas) -> None:
    """Play areas, charging points, bus stops, bicycle parking, traffic lights, overflows, bridges."""
    rng = b.rng
    n = len(segs.ids)
    for name, park in net.parks:
        code = areas.buurt_of(np.array([park], dtype=object))[0]
        b.add(
            "groen",
            owner=GEMEENTE,
            asset_type="groen",
            geometry=park,
            name=name,
            imbor_type="Park",
            install_year=int(rng.integers(1965, 2000)),
            area=code,
            attributes={"vegetation": "park"},
        )
        for _ in range(3):
            p = _random_point_in(rng, park.buffer(-15))
            year = int(rng.integers(2005, 2025))
            b.add(
                "speel",
                owner=GEMEENTE,
                asset_type="speelvoorziening",
                geometry=p,
                imbor_type="Speeltoestel",
                install_year=year,
                expected_life_years=15,
                condition=b.condition(year, 15),
                area=code,
                attributes={"equipment": str(pick(rng, ["schommel", "glijbaan", "klimrek", "zandbak", "wip"]))},
            )
    culs = segs.idx((segs.role == "cul") & (rng.random(n) < 0.25))
    for i, p in zip(culs, points_along(segs, culs, segs.length[culs] - 4.0, np.full(len(culs), 5.0)), strict=True):
        year = int(rng.integers(2000, 2025))
        b.add(
            "speel",
            owner=GEMEENTE,
            asset_type="speelvoorziening",
            geometry=p,
            imbor_type="Speeltoestel",
            install_year=year,
            expected_life_years=15,
            condition=b.condition(year, 15),
            area=str(segs.area[i]),
            attributes=_street_attrs(segs, int(i), equipment=str(pick(rng, ["speelhuisje", "wipkip", "duikelrek"]))),
        )
    charge = segs.idx((segs.kind == "residential") & (rng.random(n) < 0.09))
    offs = (segs.road[charge] + 1.2) * np.where(rng.random(len(charge)) < 0.5, 1.0, -1.0)
    for i, p in zip(charge, points_along(segs, charge, segs.length[charge] / 2, offs), strict=True):
        b.add(
            "laad",
            owner=GEMEENTE,
            asset_type="laadpunt",
            geometry=p,
            imbor_type="Laadpaal",
            install_year=int(rng.integers(2016, 2026)),
            expected_life_years=12,
            area=str(segs.area[i]),
            attributes=_street_attrs(segs, int(i), operator="LaadNet Voorbeeldstad", power_kw=int(pick(rng, [11, 22]))),
        )
    _add_bus_stops(b, segs, net)
    bike = segs.idx((segs.kind == "centre") & (rng.random(n) < 0.12))
    for i, p in zip(bike, points_along(segs, bike, segs.length[bike] / 2, segs.half[bike] - 1.0), strict=True):
        b.add(
            "fpark",
            owner=GEMEENTE,
            asset_type="fietsparkeren",
            geometry=p,
            imbor_type="Fietsenrek",
            install_year=int(rng.integers(2000, 2025)),
            area=str(segs.area[i]),
            attributes=_street_attrs(segs, int(i), capacity=int(pick(rng, [10, 20, 40]))),
        )
    _add_junction_and_canal(b, segs, net, areas)


def _random_point_in(rng: np.random.Generator, poly: BaseGeometry) -> Point:
    minx, miny, maxx, maxy = poly.bounds
    for _ in range(1000):
        x, y = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
        if poly.contains(Point(x, y)):
            return Point(round(float(x), 3), round(float(y), 3))
    return rnd(poly.representative_point())


def _add_bus_stops(b: AssetBuilder, segs: Segs, net: Network) -> None:
    rng = b.rng
    for run in net.runs:
        run = [i for i in run if segs.active[i] and segs.kind[i] in ("main", "ring")]
        for i in run[1::4]:
            offsets = np.array([1.0, -1.0]) * (segs.road[i] + 1.5)
            pts = points_along(segs, np.array([i, i]), np.full(2, segs.length[i] / 2), offsets)
            for p in pts:
                b.add(
                    "ov",
                    owner=PROVINCIE,
                    asset_type="ov_halte",
                    geometry=p,
                    imbor_type="Bushalte",
                    name=f"Halte {segs.names[i]}",
                    install_year=int(rng.integers(1995, 2024)),
                    area=str(segs.area[i]),
                    attributes=_street_attrs(
                        segs, int(i), accessible=bool(rng.random() < 0.7), lines=int(rng.integers(1, 4))
                    ),
                )


def _add_junction_and_canal(b: AssetBuilder, segs: Segs, net: Network, areas: Areas) -> None:
    rng = b.rng
    prov = [net.protos[p].line for p in range(len(net.protos)) if net.protos[p].name == net.provincial_name]
    codes = areas.buurt_of(np.array(net.main_junctions, dtype=object)) if net.main_junctions else []
    for p, code in zip(net.main_junctions, codes, strict=True):
        owner = PROVINCIE if any(line.distance(p) < 1.0 for line in prov) else GEMEENTE
        year = int(rng.integers(1995, 2024))
        b.add(
            "vri",
            owner=owner,
            asset_type="verkeersregeling",
            geometry=p,
            imbor_type="Verkeersregelinstallatie",
            install_year=year,
            expected_life_years=15,
            condition=b.condition(year, 15),
            area=code,
        )
    canal = net.canal_line
    length = canal.length
    dists = np.arange(250.0, length, 480.0)
    inside = [d for d in dists if areas.gemeente.geometry.contains(canal.interpolate(d))]
    for k, d in enumerate(inside):
        side = 1 if k % 2 == 0 else -1
        p = rnd(shapely.offset_curve(canal, side * (CANAL_HALF_WIDTH_M + 0.5)).interpolate(d))
        if not areas.gemeente.geometry.contains(p):
            continue
        code = areas.buurt_of(np.array([p], dtype=object))[0]
        b.add(
            "overstort",
            owner=GEMEENTE,
            asset_type="overstort",
            geometry=p,
            imbor_type="Overstortput",
            install_year=int(rng.integers(1960, 2000)),
            area=code,
            attributes={"receiving_water": "gracht"},
        )
    _add_bridges_and_quays(b, segs, net, areas)


def _add_bridges_and_quays(b: AssetBuilder, segs: Segs, net: Network, areas: Areas) -> None:
    rng = b.rng
    crossing = [int(i) for i in np.flatnonzero(shapely.intersects(segs.geoms, net.canal))]
    for i in crossing:
        piece = segs.geoms[i].intersection(net.canal.buffer(2.0))
        if piece.is_empty:
            continue
        poly = rnd(piece.buffer(float(segs.road[i]) + 2.0, cap_style="flat", quad_segs=2))
        if not poly.is_valid or poly.is_empty or poly.geom_type not in ("Polygon", "MultiPolygon"):
            continue
        year = int(rng.integers(1880, 1990))
        b.add(
            "kw",
            owner=_paving_owner(segs, i),
            asset_type="kunstwerk",
            geometry=poly,
            imbor_type="Brug",
            name=f"Brug {segs.names[i]}",
            install_year=year,
            expected_life_years=100,
            condition=b.condition(year, 100),
            area=str(segs.area[i]),
            attributes=_street_attrs(segs, i, kind="brug"),
        )
    for side in (1.0, -1.0):
        wall = shapely.offset_curve(net.canal_line, side * CANAL_HALF_WIDTH_M).intersection(net.centre_disc)
        for part in line_parts(wall):
            for piece in split_line(rnd(part), 200.0):
                year = int(rng.integers(1650, 1950))
                code = areas.buurt_of(np.array([piece], dtype=object))[0]
                b.add(
                    "kw",
                    owner=GEMEENTE,
                    asset_type="kunstwerk",
                    geometry=piece,
                    imbor_type="Kademuur",
                    name="Kademuur Oude Gracht",
                    install_year=year,
                    expected_life_years=150,
                    condition=b.condition(year, 150),
                    area=code,
                    attributes={"kind": "kademuur"},
                )


def build_assets(
    rng: np.random.Generator, scale: float, segs: Segs, net: Network, areas: Areas, force_ms: set[int]
) -> list[Asset]:
    b = AssetBuilder(rng, scale)
    add_sewers(b, segs)
    add_networks(b, segs, force_ms)
    add_paving(b, segs)
    add_trees_and_lights(b, segs, net.proto_of)
    add_facilities(b, segs, net, areas)
    return b.assets
