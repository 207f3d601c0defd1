"""Situations planted on purpose, so that analyses have known answers.

See the package docstring for what is planted; :func:`choose_streets` picks the
streets (before assets are made, so a narrow centre street gets its cables),
:func:`plant_plans` adds the plans and returns the record of what to expect.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from openruimte.demo._assets import Segs
from openruimte.demo._orgs import (
    CABLE_SPACE_M,
    CORPORATIE,
    GEMEENTE,
    GLASNET,
    NETBEHEERDER,
    PROVINCIE,
    STADSNET,
    WARMTEBEDRIJF,
    WATERBEDRIJF,
)
from openruimte.demo._plans import PlanBook, housing_plan, site
from openruimte.demo._town import Network
from openruimte.demo._vital import Substation
from openruimte.model import Asset, Hardness, Phase, Plan, Visibility

NARROW_PROFILE_M = 5.0
D = dt.date


def _snap(geom: BaseGeometry) -> BaseGeometry:
    return shapely.set_precision(geom, 0.001)


@dataclass(slots=True)
class Chosen:
    """Segment indices of the planted streets."""

    stretches: dict[str, list[int]] = field(default_factory=dict)
    narrow: int = -1

    @property
    def all_segments(self) -> set[int]:
        return {i for s in self.stretches.values() for i in s} | {self.narrow}


def _contiguous(net: Network, run: list[int], n: int, min_len: float, max_len: float) -> list[list[int]]:
    """Windows of ``n`` consecutive, touching segments of a run."""
    out = []
    for k in range(len(run) - n + 1):
        w = run[k : k + n]
        geoms = [net.streets[i].geometry for i in w]
        if all(geoms[j].distance(geoms[j + 1]) < 0.01 for j in range(n - 1)) and all(
            min_len <= g.length <= max_len for g in geoms
        ):
            out.append(w)
    return out


def _pick(
    net: Network,
    rng: np.random.Generator,
    role: str,
    n: int,
    used: set[int],
    name: str | None = None,
    min_len: float = 40.0,
    max_len: float = 150.0,
) -> list[int]:
    options = []
    for p, proto in enumerate(net.protos):
        if proto.role != role or p in used or (name is not None and proto.name != name):
            continue
        if role == "radial" and name is None and proto.name == net.provincial_name:
            continue
        options += [(p, w) for w in _contiguous(net, net.runs[p], n, min_len, max_len)]
    p, w = options[int(rng.integers(len(options)))]
    used.add(p)
    # one street name, one planted stretch
    used.update(q for q, other in enumerate(net.protos) if other.name == net.protos[p].name)
    return w


def choose_streets(net: Network, rng: np.random.Generator) -> Chosen:
    """Pick distinct streets for each planted situation and narrow the centre street."""
    used: set[int] = set()
    c = Chosen()
    c.stretches["c1"] = _pick(net, rng, "arc", 3, used)
    c.stretches["c2"] = _pick(net, rng, "radial", 3, used)
    c.stretches["c3"] = _pick(net, rng, "arc", 2, used)
    c.stretches["c4"] = _pick(net, rng, "radial", 2, used, name=net.provincial_name)
    c.stretches["n1"] = _pick(net, rng, "arc", 3, used)
    c.stretches["n2"] = _pick(net, rng, "ring", 2, used)
    heat = _pick(net, rng, "centre", 3, used, min_len=25.0, max_len=120.0)
    c.stretches["heat"] = heat
    c.narrow = heat[1]
    net.streets[c.narrow].profile_width_m = NARROW_PROFILE_M
    return c


# --------------------------------------------------------------------------- plans


def _plan(
    book: PlanBook,
    prefix: str,
    owner: str,
    name: str,
    asset_types: tuple[str, ...],
    geom: BaseGeometry,
    start: dt.date,
    end: dt.date,
    phase: Phase,
    **extra: Any,
) -> Plan:
    fields: dict[str, Any] = dict(
        id=book.new_id(prefix),
        name=name,
        owner=owner,
        asset_types=asset_types,
        geometry=geom,
        start=start,
        end=end,
        phase=phase,
        hardness=Hardness.BESLOTEN if phase.rank >= Phase.VOORBEREIDING.rank else Hardness.VOORGENOMEN,
        visibility=Visibility.SHARED,
        budget_eur=float(max(50_000, round(geom.length * 800, -3))),
    )
    fields.update(extra)
    return book.add(**fields)


def _days(a: Plan, b: Plan) -> int:
    assert a.start and a.end and b.start and b.end
    return max(0, (b.start - a.end).days, (a.start - b.end).days)


def _coupling(a: Plan, b: Plan, street: str, stretch: list[int], segs: Segs, why: str) -> dict[str, Any]:
    first, second = sorted([a.key, b.key])
    return {
        "a": first,
        "b": second,
        "street": street,
        "street_ids": [str(segs.ids[i]) for i in stretch],
        "distance_m": round(a.geometry.distance(b.geometry), 3),
        "gap_days": _days(a, b),
        "why": why,
    }


def _conflict(r: Plan, x: Plan, street: str, stretch: list[int], segs: Segs) -> dict[str, Any]:
    assert r.end and x.start and x.end
    first, last = r.end + dt.timedelta(days=1), r.end + dt.timedelta(days=1095)
    overlap = (min(last, x.end) - max(first, x.start)).days + 1
    return {
        "renewal": r.key,
        "plan": x.key,
        "street": street,
        "street_ids": [str(segs.ids[i]) for i in stretch],
        "distance_m": round(r.geometry.distance(x.geometry), 3),
        "overlap_days": overlap,
        "no_dig_until": last.isoformat(),
    }


def plant_couplings(book: PlanBook, chosen: Chosen) -> list[dict[str, Any]]:
    segs = book.segs
    out = []
    s = chosen.stretches["c1"]
    street = str(segs.names[s[0]])
    combined = segs.year[s[0]] < 1980
    sewer = ("gemengd_riool",) if combined else ("droogweerafvoer", "hemelwaterafvoer")
    a = _plan(
        book,
        "GV-RIO",
        GEMEENTE,
        f"Vervanging riolering {street}",
        sewer,
        book.stretch(s),
        D(2028, 3, 1),
        D(2028, 10, 31),
        Phase.ONTWERP,
        programme="Riolering",
        themes=("vervanging",),
        contact="Projectleider riolering",
    )
    b = _plan(
        book,
        "NBN",
        NETBEHEERDER,
        f"Vervanging laagspanningskabels {street}",
        ("elektriciteit",),
        book.stretch(s, lane=0.8),
        D(2029, 4, 1),
        D(2029, 9, 30),
        Phase.DEFINITIE,
        programme="Netverzwaring",
        themes=("energietransitie",),
        contact="Assetmanager elektriciteit",
    )
    out.append(_coupling(a, b, street, s, segs, "sewer and low-voltage cables in one street, 152 days apart"))
    s = chosen.stretches["c2"]
    street = str(segs.names[s[0]])
    a = _plan(
        book,
        "WBR",
        WATERBEDRIJF,
        f"Vervanging drinkwaterleiding {street}",
        ("drinkwater",),
        book.stretch(s, lane=1.9),
        D(2027, 5, 1),
        D(2027, 11, 30),
        Phase.VOORBEREIDING,
        programme="Leidingvervanging",
        themes=("vervanging",),
    )
    b = _plan(
        book,
        "NBN",
        NETBEHEERDER,
        f"Vervanging gasleiding {street}",
        ("gas",),
        book.stretch(s, lane=1.3),
        D(2027, 9, 1),
        D(2028, 2, 29),
        Phase.ONTWERP,
        programme="Vervanging gasleidingen",
        themes=("vervanging",),
    )
    out.append(_coupling(a, b, street, s, segs, "water and gas mains 0.6 m apart, windows overlap"))
    s = chosen.stretches["c3"]
    street = str(segs.names[s[0]])
    a = _plan(
        book,
        "GV-RIO",
        GEMEENTE,
        f"Afkoppelen hemelwater {street}",
        ("hemelwaterafvoer",),
        book.stretch(s),
        D(2030, 3, 1),
        D(2030, 9, 30),
        Phase.INITIATIEF,
        programme="Riolering",
        themes=("wateroverlast", "hittestress"),
    )
    b = _plan(
        book,
        "GV-GRN",
        GEMEENTE,
        f"Vervanging bomen {street}",
        ("bomen",),
        book.stretch(s, polygon=True),
        D(2031, 10, 1),
        D(2031, 12, 15),
        Phase.IDEE,
        programme="Groen",
        themes=("biodiversiteit",),
        hardness=Hardness.INDICATIEF,
    )
    out.append(_coupling(a, b, street, s, segs, "same owner, disjoint asset types, 366 days apart"))
    s = chosen.stretches["c4"]
    street = str(segs.names[s[0]])
    road = _snap(book.stretch(s).buffer(float(segs.road[s].min()), cap_style="flat", quad_segs=2))
    a = _plan(
        book,
        "PMI",
        PROVINCIE,
        f"Groot onderhoud {street}",
        ("weg",),
        road,
        D(2029, 6, 1),
        D(2029, 8, 31),
        Phase.DEFINITIE,
        programme="Provinciale wegen",
        excavation=False,
        themes=("vervanging",),
    )
    b = _plan(
        book,
        "SN",
        STADSNET,
        f"Glasvezel backbone {street}",
        ("telecom",),
        book.stretch(s, lane=0.3, side=-1.0),
        D(2029, 7, 1),
        D(2029, 9, 30),
        Phase.ONTWERP,
        programme="Netuitbreiding",
        visibility=Visibility.PRIVATE,
    )
    out.append(_coupling(a, b, street, s, segs, "road maintenance without digging and a fibre trench 9 m away"))
    return out


def plant_conflicts(book: PlanBook, chosen: Chosen) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    segs = book.segs
    s = chosen.stretches["n1"]
    street = str(segs.names[s[0]])
    r = _plan(
        book,
        "GV-WEG",
        GEMEENTE,
        f"Herinrichting {street}",
        ("weg", "voetpad"),
        book.stretch(s, polygon=True),
        D(2026, 9, 1),
        D(2027, 6, 30),
        Phase.REALISATIE,
        programme="Wegen",
        surface_renewal=True,
        themes=("mobiliteit", "hittestress"),
        visibility=Visibility.PUBLIC,
    )
    x = _plan(
        book,
        "GLN",
        GLASNET,
        f"Glasvezel {street}",
        ("telecom",),
        book.stretch(s, lane=0.3),
        D(2028, 2, 1),
        D(2028, 4, 30),
        Phase.VOORBEREIDING,
        programme="Glasvezel uitrol",
        visibility=Visibility.PRIVATE,
    )
    conflicts = [_conflict(r, x, street, s, segs)]
    incidental = [_coupling(r, x, street, s, segs, "the no-dig conflict is also a coupling: 216 days apart")]
    s = chosen.stretches["n2"]
    street = str(segs.names[s[0]])
    r = _plan(
        book,
        "GV-RIO",
        GEMEENTE,
        f"Vervanging riolering en herbestrating {street}",
        ("gemengd_riool", "weg"),
        book.stretch(s, polygon=True),
        D(2026, 10, 1),
        D(2027, 8, 31),
        Phase.REALISATIE,
        programme="Riolering",
        surface_renewal=True,
        themes=("vervanging",),
    )
    x = _plan(
        book,
        "WBR",
        WATERBEDRIJF,
        f"Vervanging transportleiding {street}",
        ("drinkwater",),
        book.stretch(s, lane=1.9),
        D(2030, 5, 1),
        D(2030, 9, 30),
        Phase.INITIATIEF,
        programme="Leidingvervanging",
        hardness=Hardness.INDICATIEF,
    )
    conflicts.append(_conflict(r, x, street, s, segs))
    return conflicts, incidental


def plant_heat(book: PlanBook, chosen: Chosen, assets: list[Asset]) -> dict[str, Any]:
    """A heat network planned through a centre street whose profile is already full."""
    segs = book.segs
    s = chosen.stretches["heat"]
    street = str(segs.names[chosen.narrow])
    plan = _plan(
        book,
        "WBS",
        WARMTEBEDRIJF,
        f"Warmtenet Binnenstad fase 1 ({street})",
        ("warmte",),
        book.stretch(s),
        D(2029, 3, 1),
        D(2030, 2, 28),
        Phase.DEFINITIE,
        programme="Warmtenet",
        themes=("energietransitie",),
        contact="Projectleider warmtenet",
    )
    sid = str(segs.ids[chosen.narrow])
    lanes: dict[tuple[str, float], list[str]] = {}
    for a in assets:
        if a.attributes.get("street_id") == sid and a.asset_type in CABLE_SPACE_M:
            lanes.setdefault((a.asset_type, float(a.attributes["offset_m"])), []).append(a.key)
    occupied = round(sum(CABLE_SPACE_M[t] for t, _ in lanes), 2)
    return {
        "street_id": sid,
        "street": street,
        "heat_plan": plan.key,
        "profile_width_m": NARROW_PROFILE_M,
        "occupied_width_m": occupied,
        "required_width_m": CABLE_SPACE_M["warmte"],
        "free_width_m": round(NARROW_PROFILE_M - occupied, 2),
        "lanes": [{"asset_type": t, "offset_m": o, "assets": keys} for (t, o), keys in sorted(lanes.items())],
        "rule": "occupied = sum of cable_space_m over distinct (asset_type, offset_m) of the street's cables and "
        "pipes; warmte fits when profile_width_m - occupied >= cable_space_m['warmte']",
    }


def plant_housing(book: PlanBook, sub: Substation, avoid: BaseGeometry, places: list[str]) -> list[str]:
    """Three housing projects in one substation's service area, finishing 2028, 2029 and 2030."""
    rng = book.rng
    region = sub.area.intersection(book.areas.gemeente.geometry).buffer(-60).difference(book.net.centre_disc)
    specs = (
        (CORPORATIE, 170, D(2027, 3, 1), D(2028, 12, 31), Phase.REALISATIE),
        (CORPORATIE, 240, D(2028, 1, 1), D(2029, 6, 30), Phase.VOORBEREIDING),
        (GEMEENTE, 320, D(2029, 1, 1), D(2030, 12, 31), Phase.ONTWERP),
    )
    keys = []
    for (owner, homes, start, end, phase), place in zip(specs, places, strict=False):
        geom = site(book, region, 110.0, 80.0, avoid)
        if geom is None:  # pragma: no cover - the service areas are large
            raise RuntimeError("no room for a planted housing site")
        avoid = avoid.union(geom.buffer(20))
        homes += 10 * int(rng.integers(-2, 3))
        plan = housing_plan(
            book,
            geom,
            owner,
            homes,
            start,
            end,
            phase,
            Hardness.BESLOTEN if phase.rank >= Phase.VOORBEREIDING.rank else Hardness.VOORGENOMEN,
            place,
        )
        keys.append(plan.key)
    return keys
