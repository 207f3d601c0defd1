"""Plans of realistic shape for the analysis benchmark (bench/analyse.py).

Many towns spread over an RD New extent that grows with the number of plans, so
that the density inside a town stays that of a city (about one plan per
``M2_PER_PLAN`` m² of town). Each town has a street grid of its own (rotation,
block size, crooked streets: every street is a jittered line with a gentle
wave). Plans are:

- 86 % LineStrings of 30-400 m along one street, vertices every 20 m on the
  street's own vertex grid (so plans on one street overlap, and plans on
  crossing streets touch at the junction);
- 7 % Polygons (housing, area development): a block or part of one, set back
  3-15 m from the streets around it;
- 7 % Points (charging points, bus stops, cycle racks) 2-8 m beside a street.

Owners among 10 organisations, each with the asset types it works on; phases
including ``beheer``; 10 % unscheduled; windows in 2026-2040 of 30-700 days;
excavation 90 %; surface renewal about 10 % (mostly municipal road works).
Coordinates are kept to the millimetre, as the model keeps them, so every
engine sees exactly the same geometry. Deterministic: ``numpy.random.default_rng(seed)``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import shapely

from openruimte.model import Hardness, Phase, Plan

#: bump when the generator changes, so cached files are made anew
VERSION = 1
#: the extent of 1M plans (x0, y0, x1, y1), RD New; smaller runs use a part of it around the centre
FULL_EXTENT = (10_000.0, 300_000.0, 280_000.0, 620_000.0)
FULL_N = 1_000_000
#: town area per plan
M2_PER_PLAN = 3_000.0
#: street vertex spacing along a street, metres
VERTEX_STEP_M = 20.0

FIRST_DAY = dt.date(2026, 1, 1).toordinal()
LAST_DAY = dt.date(2040, 12, 31).toordinal()

#: organisation -> (weight among line plans, asset types it works on, chance of surface renewal)
ORGS: dict[str, tuple[float, tuple[str, ...], float]] = {
    "gemeente-voorbeeldstad": (
        0.38,
        (
            "gemengd_riool",
            "hemelwaterafvoer",
            "droogweerafvoer",
            "weg",
            "fietspad",
            "voetpad",
            "bomen",
            "groen",
            "openbare_verlichting",
            "verkeersregeling",
            "drainage",
        ),
        0.20,
    ),
    "netbeheerder-noord": (0.10, ("elektriciteit", "gas"), 0.03),
    "netbeheerder-zuid": (0.10, ("elektriciteit", "gas"), 0.03),
    "waterbedrijf-west": (0.10, ("drinkwater",), 0.03),
    "waterschap-rivierenland": (0.05, ("overstort", "hemelwaterafvoer", "drainage"), 0.03),
    "warmtebedrijf-stad": (0.07, ("warmte",), 0.03),
    "glasvezel-nederland": (0.08, ("telecom",), 0.03),
    "telecom-netwerk": (0.04, ("telecom",), 0.03),
    "provincie-midden": (0.05, ("weg", "fietspad", "kunstwerk", "verkeersregeling"), 0.20),
    "woningcorporatie-thuis": (0.03, ("ondergrond", "groen", "droogweerafvoer"), 0.03),
}
#: polygons: (owner, asset types)
POLYGON_OWNERS = (
    ("woningcorporatie-thuis", ("woningbouw", "gebouw")),
    ("gemeente-voorbeeldstad", ("gebiedsontwikkeling", "groen", "speelvoorziening", "sport_recreatie")),
    ("waterschap-rivierenland", ("hemelwaterafvoer", "groen")),
)
POLYGON_WEIGHTS = (0.55, 0.35, 0.10)
#: points: (owner, asset types)
POINT_OWNERS = (
    ("netbeheerder-noord", ("laadpunt",)),
    ("netbeheerder-zuid", ("laadpunt",)),
    ("gemeente-voorbeeldstad", ("fietsparkeren", "verkeersobject", "openbaar_toilet")),
    ("provincie-midden", ("ov_halte",)),
)
POINT_WEIGHTS = (0.3, 0.3, 0.25, 0.15)

PHASES = tuple(Phase)
PHASE_WEIGHTS = (0.12, 0.15, 0.15, 0.17, 0.15, 0.16, 0.10)  # idee .. beheer
HARDNESS = tuple(Hardness)
VERBS = {
    "gemengd_riool": "Vervanging riool",
    "hemelwaterafvoer": "Afkoppelen hemelwater",
    "elektriciteit": "Netverzwaring",
    "gas": "Vervanging gasleiding",
    "warmte": "Aanleg warmtenet",
    "drinkwater": "Vervanging waterleiding",
    "telecom": "Aanleg glasvezel",
    "woningbouw": "Nieuwbouw woningen",
    "laadpunt": "Plaatsing laadpunt",
    "weg": "Groot onderhoud weg",
}


@dataclass(frozen=True)
class Towns:
    """Town centres, radii, grid rotation and block sizes."""

    cx: np.ndarray
    cy: np.ndarray
    radius: np.ndarray
    theta: np.ndarray
    spacing: np.ndarray
    #: first row of each town in the street table; a town has 2 * (2J+1) streets
    street_base: np.ndarray
    half: np.ndarray  # J


def extent_for(n: int) -> tuple[float, float, float, float]:
    """The part of the full extent for ``n`` plans: same shape, area in proportion to n."""
    x0, y0, x1, y1 = FULL_EXTENT
    f = min(1.0, (n / FULL_N) ** 0.5)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    hw, hh = (x1 - x0) / 2 * f, (y1 - y0) / 2 * f
    return cx - hw, cy - hh, cx + hw, cy + hh


def _towns(n: int, rng: np.random.Generator) -> Towns:
    total = n * M2_PER_PLAN
    areas: list[float] = []
    while sum(areas) < total:
        areas.append(float(np.clip(rng.lognormal(np.log(4e6), 0.9), 0.5e6, 80e6)))
    areas[-1] = max(0.3e6, areas[-1] - (sum(areas) - total))
    a = np.array(areas)
    radius = np.sqrt(a / np.pi)
    x0, y0, x1, y1 = extent_for(n)
    cx = rng.uniform(x0 + radius, x1 - radius) if (x1 - x0) > 2 * radius.max() else np.full(len(a), (x0 + x1) / 2)
    cy = rng.uniform(y0 + radius, y1 - radius) if (y1 - y0) > 2 * radius.max() else np.full(len(a), (y0 + y1) / 2)
    theta = rng.uniform(0, np.pi / 2, len(a))
    spacing = rng.uniform(70, 130, len(a))
    half = np.ceil(radius / spacing).astype(np.int64) + 2
    per_town = 2 * (2 * half + 1)
    base = np.concatenate([[0], np.cumsum(per_town)[:-1]])
    return Towns(cx, cy, radius, theta, spacing, base, half)


@dataclass(frozen=True)
class Streets:
    """Per street: offset of its axis (across), wave amplitude, wavelength and phase."""

    offset: np.ndarray
    amp: np.ndarray
    wavelength: np.ndarray
    phase: np.ndarray


def _streets(towns: Towns, rng: np.random.Generator) -> Streets:
    total = int((2 * (2 * towns.half + 1)).sum())
    offset = np.empty(total)
    for t in range(len(towns.cx)):
        j = np.arange(-towns.half[t], towns.half[t] + 1)
        s = towns.spacing[t]
        for fam in range(2):
            lo = towns.street_base[t] + fam * len(j)
            offset[lo : lo + len(j)] = j * s + rng.uniform(-0.15, 0.15, len(j)) * s
    amp = np.where(rng.random(total) < 0.4, 0.0, rng.uniform(0.5, 6.0, total))
    return Streets(offset, amp, rng.uniform(150, 600, total), rng.uniform(0, 2 * np.pi, total))


def _street_index(towns: Towns, t: np.ndarray, fam: np.ndarray, across: np.ndarray) -> np.ndarray:
    j = np.clip(np.rint(across / towns.spacing[t]).astype(np.int64), -towns.half[t], towns.half[t])
    return towns.street_base[t] + fam * (2 * towns.half[t] + 1) + j + towns.half[t]


def _to_world(towns: Towns, t: np.ndarray, along: np.ndarray, across: np.ndarray, fam: np.ndarray) -> np.ndarray:
    """Town-frame (along the street, across it) to RD New, millimetres."""
    u = np.where(fam == 0, along, across)
    v = np.where(fam == 0, across, along)
    c, s = np.cos(towns.theta[t]), np.sin(towns.theta[t])
    x = towns.cx[t] + c * u - s * v
    y = towns.cy[t] + s * u + c * v
    return np.round(np.column_stack([x, y]), 3)


def _uniform_in_disk(r: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    rad = r * np.sqrt(rng.random(len(r)))
    ang = rng.uniform(0, 2 * np.pi, len(r))
    return rad * np.cos(ang), rad * np.sin(ang)


def _wave(streets: Streets, sid: np.ndarray, along: np.ndarray) -> np.ndarray:
    return streets.offset[sid] + streets.amp[sid] * np.sin(
        2 * np.pi * along / streets.wavelength[sid] + streets.phase[sid]
    )


def _lines(towns: Towns, streets: Streets, t: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    m = len(t)
    u, v = _uniform_in_disk(towns.radius[t], rng)
    fam = rng.integers(0, 2, m)
    along0 = np.where(fam == 0, u, v)
    across0 = np.where(fam == 0, v, u)
    sid = _street_index(towns, t, fam, across0)
    length = np.clip(rng.lognormal(np.log(120), 0.6, m), 30, 400)
    s0 = along0 - length * rng.random(m)
    s1 = s0 + length
    k0 = np.floor(s0 / VERTEX_STEP_M).astype(np.int64) + 1
    k1 = np.ceil(s1 / VERTEX_STEP_M).astype(np.int64) - 1
    inner = np.maximum(0, k1 - k0 + 1)
    counts = inner + 2
    idx = np.repeat(np.arange(m), counts)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    pos = np.arange(len(idx)) - starts[idx]  # 0 .. counts-1 within each line
    along = (k0[idx] + pos - 1) * VERTEX_STEP_M
    along = np.where(pos == 0, s0[idx], along)
    along = np.where(pos == counts[idx] - 1, s1[idx], along)
    across = _wave(streets, sid[idx], along)
    xy = _to_world(towns, t[idx], along, across, fam[idx])
    return shapely.linestrings(xy, indices=idx)


def _polygons(towns: Towns, streets: Streets, t: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    m = len(t)
    u, v = _uniform_in_disk(towns.radius[t], rng)
    # the block around (u, v): between streets j and j+1 of each family
    lo_u = np.floor(u / towns.spacing[t]) * towns.spacing[t]
    lo_v = np.floor(v / towns.spacing[t]) * towns.spacing[t]
    sid_u0 = _street_index(towns, t, np.ones(m, np.int64), lo_u)
    sid_v0 = _street_index(towns, t, np.zeros(m, np.int64), lo_v)
    u0 = streets.offset[sid_u0] + rng.uniform(3, 15, m)
    u1 = streets.offset[np.minimum(sid_u0 + 1, len(streets.offset) - 1)] - rng.uniform(3, 15, m)
    v0 = streets.offset[sid_v0] + rng.uniform(3, 15, m)
    v1 = streets.offset[np.minimum(sid_v0 + 1, len(streets.offset) - 1)] - rng.uniform(3, 15, m)
    # half of them cover part of the block only
    part = rng.random(m) < 0.5
    frac = rng.uniform(0.4, 0.9, m)
    u1 = np.where(part & (u1 - u0 > 30), u0 + (u1 - u0) * frac, u1)
    bad = (u1 - u0 < 12) | (v1 - v0 < 12)
    u1 = np.where(bad, u0 + 20, u1)
    v1 = np.where(bad, v0 + 20, v1)
    cu = np.stack([u0, u1, u1, u0, u0], axis=1) + np.c_[rng.uniform(-2, 2, (m, 4)), np.zeros(m)]
    cv = np.stack([v0, v0, v1, v1, v0], axis=1) + np.c_[rng.uniform(-2, 2, (m, 4)), np.zeros(m)]
    cu[:, 4], cv[:, 4] = cu[:, 0], cv[:, 0]
    tt = np.repeat(t, 5)
    xy = _to_world(towns, tt, cu.ravel(), cv.ravel(), np.zeros(len(tt), np.int64))
    return shapely.polygons(xy.reshape(m, 5, 2))


def _points(towns: Towns, streets: Streets, t: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    m = len(t)
    u, v = _uniform_in_disk(towns.radius[t], rng)
    fam = rng.integers(0, 2, m)
    along = np.where(fam == 0, u, v)
    sid = _street_index(towns, t, fam, np.where(fam == 0, v, u))
    across = _wave(streets, sid, along) + rng.uniform(2, 8, m) * rng.choice([-1.0, 1.0], m)
    return shapely.points(_to_world(towns, t, along, across, fam))


def geometries(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(geometries, kind) for n plans; kind 0 line, 1 polygon, 2 point."""
    rng = np.random.default_rng(seed)
    towns = _towns(n, rng)
    streets = _streets(towns, rng)
    area = np.pi * towns.radius**2
    town_of = rng.choice(len(area), size=n, p=area / area.sum())
    kind = rng.choice(3, size=n, p=(0.86, 0.07, 0.07))
    geoms = np.empty(n, dtype=object)
    for k, make in enumerate((_lines, _polygons, _points)):
        sel = np.flatnonzero(kind == k)
        if len(sel):
            geoms[sel] = make(towns, streets, town_of[sel], rng)
    return geoms, kind


def make_plans(n: int, seed: int = 2026) -> list[Plan]:
    """``n`` plans; the same (n, seed) gives the same plans."""
    geoms, kind = geometries(n, seed)
    rng = np.random.default_rng(seed + 1)
    line_orgs = list(ORGS)
    line_w = np.array([ORGS[o][0] for o in line_orgs])
    line_owner = rng.choice(len(line_orgs), size=n, p=line_w / line_w.sum())
    poly_owner = rng.choice(len(POLYGON_OWNERS), size=n, p=POLYGON_WEIGHTS)
    point_owner = rng.choice(len(POINT_OWNERS), size=n, p=POINT_WEIGHTS)
    n_types = rng.choice(3, size=n, p=(0.55, 0.30, 0.15)) + 1
    perm_keys = rng.random((n, 12))
    phase = rng.choice(len(PHASES), size=n, p=PHASE_WEIGHTS)
    hardness = rng.integers(0, len(HARDNESS), n)
    scheduled = rng.random(n) >= 0.10
    duration = np.clip(rng.lognormal(np.log(150), 0.8, n), 30, 700).astype(np.int64)
    start = FIRST_DAY + (rng.random(n) * (LAST_DAY - FIRST_DAY - duration + 1)).astype(np.int64)
    end = start + duration - 1
    excavation = rng.random(n) < 0.90
    renew_draw = rng.random(n)
    budget = np.round(rng.lognormal(np.log(250_000), 1.0, n), -3)
    plans: list[Plan] = []
    for i in range(n):
        k = kind[i]
        if k == 0:
            owner = line_orgs[line_owner[i]]
            choices = ORGS[owner][1]
            renewal = renew_draw[i] < ORGS[owner][2]
        elif k == 1:
            owner, choices = POLYGON_OWNERS[poly_owner[i]]
            renewal = renew_draw[i] < 0.05
        else:
            owner, choices = POINT_OWNERS[point_owner[i]]
            renewal = False
        take = min(int(n_types[i]), len(choices))
        order = np.argsort(perm_keys[i, : len(choices)])[:take]
        types = tuple(choices[j] for j in sorted(order))
        s = dt.date.fromordinal(int(start[i])) if scheduled[i] else None
        e = dt.date.fromordinal(int(end[i])) if scheduled[i] else None
        plans.append(
            Plan(
                id=f"P{i:07d}",
                name=f"{VERBS.get(types[0], 'Werkzaamheden ' + types[0].replace('_', ' '))} {i}",
                owner=owner,
                phase=PHASES[phase[i]],
                hardness=HARDNESS[hardness[i]],
                asset_types=types,
                geometry=geoms[i],
                start=s,
                end=e,
                duration_days=None if scheduled[i] else int(duration[i]),
                excavation=bool(excavation[i]),
                surface_renewal=bool(renewal),
                budget_eur=float(budget[i]),
            )
        )
    return plans
