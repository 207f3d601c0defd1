"""Generated planning instances of any size, for tests and the benchmark.

A grid town (street segments of ``BLOCK_M`` between junctions, profile
``PROFILE_M`` wide) with about three segments per plan. Each plan runs along
1-5 consecutive segments of one street, in a lane a few metres beside the
centre line. Owners and asset types as in practice; about a third fixed
(realisatie, or besloten), a tenth unscheduled with a window, the rest
indicative or intended with dates; 2026-2040. Deterministic for a seed.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import shapely

from openruimte.model import Hardness, Phase, Plan, StreetSegment

BLOCK_M = 80.0
PROFILE_M = 16.0
X0, Y0 = 150_000.0, 450_000.0

#: owner -> (share, asset types, chance of surface renewal)
OWNERS: dict[str, tuple[float, tuple[str, ...], float]] = {
    "gemeente-synthetisch": (0.40, ("gemengd_riool", "hemelwaterafvoer", "weg", "voetpad", "bomen"), 0.3),
    "netbeheerder-elektra": (0.15, ("elektriciteit",), 0.0),
    "netbeheerder-gas": (0.10, ("gas",), 0.0),
    "waterbedrijf": (0.10, ("drinkwater",), 0.0),
    "telecom-a": (0.08, ("telecom",), 0.0),
    "telecom-b": (0.05, ("telecom",), 0.0),
    "warmtebedrijf": (0.07, ("warmte",), 0.0),
    "provincie": (0.03, ("weg",), 0.5),
    "waterschap": (0.02, ("drainage",), 0.0),
}
EUR_PER_M = {
    "gemengd_riool": 1400,
    "hemelwaterafvoer": 1000,
    "weg": 400,
    "voetpad": 250,
    "bomen": 300,
    "elektriciteit": 400,
    "gas": 450,
    "drinkwater": 650,
    "telecom": 180,
    "warmte": 2200,
    "drainage": 150,
}
FIRST = dt.date(2026, 1, 1).toordinal()
LAST = dt.date(2040, 12, 31).toordinal()


def grid(n_segments: int) -> tuple[list[StreetSegment], list[list[int]]]:
    """Street segments of a square grid and the streets as lists of segment indices."""
    k = max(2, int(math.sqrt(n_segments / 2)) + 1)
    segs: list[StreetSegment] = []
    streets: list[list[int]] = []
    for horizontal in (True, False):
        for a in range(k):
            street = []
            for b in range(k - 1):
                p = (X0 + b * BLOCK_M, Y0 + a * BLOCK_M)
                q = (p[0] + BLOCK_M, p[1])
                if not horizontal:
                    p, q = (p[1] - Y0 + X0, p[0] - X0 + Y0), (q[1] - Y0 + X0, q[0] - X0 + Y0)
                street.append(len(segs))
                name = f"{'Laan' if horizontal else 'Straat'} {a + 1}"
                segs.append(
                    StreetSegment(
                        id=f"seg-{len(segs):06d}",
                        name=name,
                        geometry=shapely.LineString([p, q]),
                        kind="woonstraat",
                        profile_width_m=PROFILE_M,
                        area=f"A{a // 10:02d}",
                    )
                )
            streets.append(street)
    return segs, streets


def _geometry(segs: list[StreetSegment], run: list[int], offset: float) -> shapely.LineString:
    coords = [segs[run[0]].geometry.coords[0], *(segs[i].geometry.coords[1] for i in run)]
    return shapely.LineString(coords).offset_curve(offset)


def _timing(rng: np.random.Generator, fixed: bool, unscheduled: bool) -> dict:
    dur = int(rng.integers(30, 300))
    if unscheduled:
        es = int(rng.integers(FIRST, LAST - 4 * 365))
        le = es + int(rng.integers(dur + 365, dur + 5 * 365))
        return {
            "earliest_start": dt.date.fromordinal(es),
            "latest_end": dt.date.fromordinal(min(le, LAST)),
            "duration_days": dur,
        }
    lo = FIRST - 200 if fixed else FIRST
    start = dt.date.fromordinal(int(rng.integers(lo, LAST - dur)))
    start = start.replace(day=1) if rng.random() < 0.7 else start
    out = {"start": start, "end": start + dt.timedelta(days=dur - 1)}
    if not fixed and rng.random() < 0.3:
        out["latest_end"] = out["end"] + dt.timedelta(days=int(rng.integers(0, 900)))
    return out


def _status(rng: np.random.Generator) -> tuple[Phase, Hardness, bool]:
    """(phase, hardness, unscheduled)."""
    r = rng.random()
    if r < 0.12:
        return Phase.REALISATIE, Hardness.BESLOTEN, False
    if r < 0.32:
        return Phase.VOORBEREIDING, Hardness.BESLOTEN, False
    if r < 0.42:
        return Phase.IDEE, Hardness.INDICATIEF, True
    phase = [Phase.INITIATIEF, Phase.DEFINITIE, Phase.ONTWERP][int(rng.integers(3))]
    return phase, (Hardness.INDICATIEF if rng.random() < 0.5 else Hardness.VOORGENOMEN), False


def synthetic(n_plans: int, seed: int = 0, segments_per_plan: float = 3.0) -> tuple[list[Plan], list[StreetSegment]]:
    """``n_plans`` plans on a grid town of about ``segments_per_plan`` x ``n_plans`` segments."""
    rng = np.random.default_rng(seed)
    segs, streets = grid(int(segments_per_plan * n_plans))
    owners = list(OWNERS)
    shares = np.array([OWNERS[o][0] for o in owners])
    busy = rng.random(len(streets)) ** 2 + 0.05  # some streets attract more works
    busy /= busy.sum()
    plans = []
    for n in range(n_plans):
        owner = owners[int(rng.choice(len(owners), p=shares / shares.sum()))]
        _, types, renew = OWNERS[owner]
        asset = types[int(rng.integers(len(types)))]
        street = streets[int(rng.choice(len(streets), p=busy))]
        length = int(rng.integers(1, 6))
        first = int(rng.integers(0, max(1, len(street) - length + 1)))
        run = street[first : first + length]
        phase, hardness, unscheduled = _status(rng)
        fixed = hardness == Hardness.BESLOTEN or phase == Phase.REALISATIE
        renewal = asset in ("weg", "voetpad") or rng.random() < renew * 0.2
        plans.append(
            Plan(
                id=f"P{n:06d}",
                name=f"{asset} {segs[run[0]].name}",
                owner=owner,
                phase=phase,
                hardness=hardness,
                asset_types=(asset,),
                geometry=_geometry(segs, run, float(rng.uniform(-6, 6))),
                excavation=asset not in ("weg",) or rng.random() < 0.5,
                surface_renewal=renewal,
                budget_eur=float(round(EUR_PER_M.get(asset, 500) * BLOCK_M * len(run), -3)),
                **_timing(rng, fixed, unscheduled),
            )
        )
    return plans, segs
