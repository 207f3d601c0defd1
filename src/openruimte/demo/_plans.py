"""Plans of the organisations of Voorbeeldstad, 2026-2040.

Most plans follow the assets: a replacement programme picks the streets whose
sewer, mains or cables are due first and plans the works around the due year.
Others follow policy (greening, heat network, fibre, housing). Every plan runs
along a stretch of consecutive segments of one street, or is an area (housing)
or a point (charging points, bus stops, a pumping station).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import shapely
from shapely import affinity
from shapely.geometry import MultiLineString, Point, box
from shapely.geometry.base import BaseGeometry

from openruimte.demo._areas import Areas
from openruimte.demo._assets import Segs, pressure_main_streets
from openruimte.demo._geom import line_parts, rnd
from openruimte.demo._orgs import (
    CORPORATIE,
    GEMEENTE,
    GLASNET,
    NETBEHEERDER,
    PROVINCIE,
    STADSNET,
    WARMTEBEDRIJF,
    WATERBEDRIJF,
    WATERSCHAP,
)
from openruimte.demo._town import Network
from openruimte.model import Asset, Hardness, Phase, Plan, Visibility

FIRST_DAY = dt.date(2026, 1, 1)
LAST_DAY = dt.date(2040, 12, 31)
SEWER_TYPES = ("gemengd_riool", "hemelwaterafvoer", "droogweerafvoer")

#: phase weights by years ahead of 2026
_PHASES_BY_LEAD = (
    (0, ((Phase.REALISATIE, 0.35), (Phase.VOORBEREIDING, 0.35), (Phase.ONTWERP, 0.15), (Phase.BEHEER, 0.15))),
    (1, ((Phase.VOORBEREIDING, 0.35), (Phase.ONTWERP, 0.35), (Phase.DEFINITIE, 0.2), (Phase.REALISATIE, 0.1))),
    (3, ((Phase.DEFINITIE, 0.35), (Phase.ONTWERP, 0.2), (Phase.INITIATIEF, 0.35), (Phase.VOORBEREIDING, 0.1))),
    (6, ((Phase.INITIATIEF, 0.45), (Phase.IDEE, 0.3), (Phase.DEFINITIE, 0.25))),
    (99, ((Phase.IDEE, 0.6), (Phase.INITIATIEF, 0.4))),
)
_HARDNESS_BY_PHASE = {
    Phase.IDEE: ((Hardness.INDICATIEF, 0.9), (Hardness.VOORGENOMEN, 0.1)),
    Phase.INITIATIEF: ((Hardness.INDICATIEF, 0.75), (Hardness.VOORGENOMEN, 0.25)),
    Phase.DEFINITIE: ((Hardness.INDICATIEF, 0.35), (Hardness.VOORGENOMEN, 0.5), (Hardness.BESLOTEN, 0.15)),
    Phase.ONTWERP: ((Hardness.INDICATIEF, 0.15), (Hardness.VOORGENOMEN, 0.55), (Hardness.BESLOTEN, 0.3)),
    Phase.VOORBEREIDING: ((Hardness.VOORGENOMEN, 0.3), (Hardness.BESLOTEN, 0.7)),
    Phase.REALISATIE: ((Hardness.VOORGENOMEN, 0.1), (Hardness.BESLOTEN, 0.9)),
    Phase.BEHEER: ((Hardness.BESLOTEN, 1.0),),
}
_VISIBILITY = {
    GEMEENTE: ((Visibility.PUBLIC, 0.45), (Visibility.SHARED, 0.45), (Visibility.PRIVATE, 0.1)),
    GLASNET: ((Visibility.PRIVATE, 0.75), (Visibility.SHARED, 0.25)),
    STADSNET: ((Visibility.PRIVATE, 0.75), (Visibility.SHARED, 0.25)),
    "": ((Visibility.SHARED, 0.65), (Visibility.PRIVATE, 0.25), (Visibility.PUBLIC, 0.1)),
}


#: organisations whose shared plans are commercially sensitive (others see "een niet-genoemde partij")
SENSITIVE_OWNERS = (GLASNET, STADSNET)


def _weighted(rng: np.random.Generator, options: tuple[tuple[Any, float], ...]) -> Any:
    weights = np.array([w for _, w in options])
    return options[int(rng.choice(len(options), p=weights / weights.sum()))][0]


@dataclass(frozen=True, slots=True)
class Template:
    """A kind of plan an organisation makes many of."""

    owner: str
    prefix: str
    programme: str
    name: str  # with {street}
    asset_types: tuple[str, ...]
    themes: tuple[str, ...]
    count: int
    eur_per_m: float
    days_base: int
    contact: str
    streets: tuple[str, ...] = ("residential", "main", "ring", "centre")
    due: str | None = None  # asset group whose due year drives the timing
    lane: float | None = None  # metres in from the facade (left), None = centre line
    polygon: bool = False  # buffer the stretch to the street profile
    excavation: bool = True
    surface_renewal: float = 0.0  # probability
    where: str | None = None  # "heat", "provincial", "pressure_mains"


TEMPLATES: tuple[Template, ...] = (
    Template(
        GEMEENTE,
        "GV-RIO",
        "Riolering",
        "Vervanging riolering {street}",
        ("gemengd_riool",),
        ("vervanging", "wateroverlast"),
        115,
        1800,
        120,
        "Projectleider riolering",
        due="riool",
        surface_renewal=0.35,
    ),
    Template(
        GEMEENTE,
        "GV-RIO",
        "Riolering",
        "Afkoppelen hemelwater {street}",
        ("hemelwaterafvoer",),
        ("wateroverlast", "hittestress"),
        22,
        900,
        90,
        "Adviseur klimaatadaptatie",
    ),
    Template(
        GEMEENTE,
        "GV-WEG",
        "Wegen",
        "Groot onderhoud asfalt {street}",
        ("weg",),
        ("vervanging",),
        50,
        140,
        20,
        "Beheerder wegen",
        due="weg",
        excavation=False,
        surface_renewal=1.0,
    ),
    Template(
        GEMEENTE,
        "GV-WEG",
        "Wegen",
        "Herinrichting {street}",
        ("weg", "voetpad", "bomen"),
        ("mobiliteit", "hittestress"),
        26,
        950,
        150,
        "Projectleider openbare ruimte",
        polygon=True,
        surface_renewal=1.0,
    ),
    Template(
        GEMEENTE,
        "GV-WEG",
        "Wegen",
        "Aanleg vrijliggend fietspad {street}",
        ("fietspad",),
        ("mobiliteit",),
        12,
        420,
        100,
        "Verkeerskundige",
        streets=("main", "ring"),
    ),
    Template(
        GEMEENTE,
        "GV-WEG",
        "Wegen",
        "Vervanging openbare verlichting {street}",
        ("openbare_verlichting",),
        ("vervanging", "energietransitie"),
        16,
        160,
        40,
        "Beheerder openbare verlichting",
        due="openbare_verlichting",
    ),
    Template(
        GEMEENTE,
        "GV-GRN",
        "Groen",
        "Vervanging bomen {street}",
        ("bomen",),
        ("vervanging", "biodiversiteit"),
        28,
        260,
        60,
        "Boomverzorger",
        due="bomen",
    ),
    Template(
        GEMEENTE,
        "GV-GRN",
        "Groen",
        "Vergroening {street}",
        ("groen", "bomen"),
        ("hittestress", "biodiversiteit", "wateroverlast"),
        24,
        380,
        90,
        "Adviseur groen",
        polygon=True,
    ),
    Template(
        NETBEHEERDER,
        "NBN",
        "Vervanging gasleidingen",
        "Vervanging gasleiding {street}",
        ("gas",),
        ("vervanging",),
        52,
        380,
        60,
        "Assetmanager gas",
        due="gas",
        lane=1.3,
    ),
    Template(
        NETBEHEERDER,
        "NBN",
        "Netverzwaring",
        "Netverzwaring laagspanning {street}",
        ("elektriciteit",),
        ("energietransitie",),
        50,
        320,
        50,
        "Assetmanager elektriciteit",
        due="elektriciteit",
        lane=0.8,
    ),
    Template(
        NETBEHEERDER,
        "NBN",
        "Netverzwaring",
        "Nieuwe middenspanningskabel {street}",
        ("elektriciteit",),
        ("energietransitie",),
        16,
        520,
        70,
        "Netontwerper MS",
        streets=("main", "ring", "residential"),
        lane=1.3,
    ),
    Template(
        NETBEHEERDER,
        "NBN",
        "Aardgasvrije wijken",
        "Verwijderen gasnet {street}",
        ("gas",),
        ("energietransitie",),
        8,
        150,
        40,
        "Assetmanager gas",
        where="heat",
        lane=1.3,
        excavation=True,
    ),
    Template(
        WARMTEBEDRIJF,
        "WBS",
        "Warmtenet",
        "Warmtenet {street}",
        ("warmte",),
        ("energietransitie",),
        32,
        2400,
        150,
        "Projectleider warmtenet",
        where="heat",
        lane=2.1,
    ),
    Template(
        WATERBEDRIJF,
        "WBR",
        "Leidingvervanging",
        "Vervanging drinkwaterleiding {street}",
        ("drinkwater",),
        ("vervanging",),
        64,
        620,
        70,
        "Assetmanager distributie",
        due="drinkwater",
        lane=1.9,
    ),
    Template(
        GLASNET,
        "GLN",
        "Glasvezel uitrol",
        "Glasvezel {street}",
        ("telecom",),
        ("digitalisering",),
        48,
        120,
        25,
        "Uitvoering glasvezel",
        lane=0.3,
    ),
    Template(
        STADSNET,
        "SN",
        "Netuitbreiding",
        "Glasvezel backbone {street}",
        ("telecom",),
        ("digitalisering",),
        24,
        160,
        30,
        "Netplanner",
        streets=("main", "ring", "centre"),
        lane=0.3,
    ),
    Template(
        PROVINCIE,
        "PMI",
        "Provinciale wegen",
        "Groot onderhoud {street}",
        ("weg", "fietspad"),
        ("vervanging", "mobiliteit"),
        6,
        300,
        60,
        "Wegbeheerder provincie",
        streets=("main",),
        where="provincial",
        polygon=True,
        excavation=False,
        surface_renewal=1.0,
    ),
    Template(
        WATERSCHAP,
        "WSS",
        "Persleidingen",
        "Vervanging persleiding {street}",
        ("droogweerafvoer",),
        ("vervanging",),
        5,
        900,
        120,
        "Assetmanager transport",
        streets=("main",),
        where="pressure_mains",
    ),
)


@dataclass(slots=True)
class PlanBook:
    """Creates plans with ids per prefix and keeps track of dwellings of housing plans."""

    rng: np.random.Generator
    segs: Segs
    net: Network
    areas: Areas
    plans: list[Plan] = field(default_factory=list)
    dwellings: dict[str, int] = field(default_factory=dict)
    counters: dict[str, int] = field(default_factory=dict)

    def new_id(self, prefix: str) -> str:
        n = self.counters.get(prefix, 0) + 1
        self.counters[prefix] = n
        return f"{prefix}-{n:04d}"

    def add(self, **fields: Any) -> Plan:
        geom = fields["geometry"]
        fields.setdefault("area", self.areas.buurt_of(np.array([geom], dtype=object))[0])
        plan = Plan(**fields)
        self.plans.append(plan)
        return plan

    # ------------------------------------------------------------------ geometry
    def stretch(
        self, segments: list[int], lane: float | None = None, side: float = 1.0, polygon: bool = False
    ) -> BaseGeometry:
        """The stretch of street along ``segments``: centre line, a lane, or the street profile."""
        lines = list(self.segs.geoms[segments])
        if lane is not None:
            offs = side * np.maximum(self.segs.half[segments] - lane, 0.2)
            lines = list(
                shapely.offset_curve(
                    np.array(lines, dtype=object), offs, quad_segs=2, join_style="mitre", mitre_limit=2.0
                )
            )
        merged = shapely.line_merge(MultiLineString([p for g in lines for p in line_parts(g)]))
        geom = rnd(merged)
        if polygon:
            half = float(np.min(self.segs.half[segments]))
            poly = rnd(merged.buffer(half, cap_style="flat", quad_segs=2))
            if poly.is_valid and poly.geom_type in ("Polygon", "MultiPolygon"):
                return poly
        return geom

    def stretch_length(self, segments: list[int]) -> float:
        return float(self.segs.length[segments].sum())


# --------------------------------------------------------------------------- timing


def _date(year: int, month: int, day: int = 1) -> dt.date:
    return dt.date(year, month, day)


def window(rng: np.random.Generator, year: int, days: int) -> tuple[dt.date, dt.date]:
    """Execution window starting in ``year``, ``days`` long, inside 2026-2040."""
    year = int(min(max(year, 2026), 2040))
    start = _date(year, int(rng.integers(1, 12)), int(rng.choice([1, 15])))
    end = min(start + dt.timedelta(days=max(days, 7) - 1), LAST_DAY)
    return start, end


def phase_for(rng: np.random.Generator, year: int) -> Phase:
    lead = year - 2026
    for limit, options in _PHASES_BY_LEAD:
        if lead <= limit:
            return _weighted(rng, options)
    return Phase.IDEE  # pragma: no cover


def phase_planning(start: dt.date, end: dt.date, phase: Phase) -> dict[Phase, tuple[dt.date | None, dt.date | None]]:
    """Planned windows of the phases still ahead, ending with realisatie."""
    steps = ((Phase.DEFINITIE, 480, 301), (Phase.ONTWERP, 300, 121), (Phase.VOORBEREIDING, 120, 1))
    out: dict[Phase, tuple[dt.date | None, dt.date | None]] = {}
    for ph, before0, before1 in steps:
        if ph.rank < phase.rank:
            continue
        s = max(start - dt.timedelta(days=before0), FIRST_DAY)
        e = start - dt.timedelta(days=before1)
        if e >= s:
            out[ph] = (s, e)
    out[Phase.REALISATIE] = (start, end)
    return out


def timing(rng: np.random.Generator, year: int, days: int) -> dict[str, Any]:
    """Phase, hardness, dates (or an unscheduled window) and phase planning for a plan due in ``year``."""
    phase = phase_for(rng, year)
    out: dict[str, Any] = {"phase": phase, "hardness": _weighted(rng, _HARDNESS_BY_PHASE[phase])}
    if phase == Phase.BEHEER:
        start = _date(2026, int(rng.integers(1, 4)), 1)
        out["start"], out["end"] = start, min(start + dt.timedelta(days=days - 1), dt.date(2026, 6, 30))
        return out
    if phase in (Phase.IDEE, Phase.INITIATIEF) and rng.random() < 0.35:
        year = int(min(max(year, 2026), 2038))
        out["earliest_start"] = _date(year, 1, 1)
        out["latest_end"] = _date(min(year + int(rng.integers(2, 5)), 2040), 12, 31)
        out["duration_days"] = int(days)
        return out
    out["start"], out["end"] = window(rng, year, days)
    if phase.rank <= Phase.VOORBEREIDING.rank and rng.random() < 0.35:
        out["phase_planning"] = phase_planning(out["start"], out["end"], phase)
    return out


def budget(rng: np.random.Generator, eur: float) -> float:
    return float(max(1000, round(eur * float(rng.uniform(0.8, 1.25)), -3)))


# --------------------------------------------------------------------------- street plans


def due_years(assets: list[Asset], segs: Segs) -> dict[str, np.ndarray]:
    """Per asset group, the earliest due year of the assets on each segment (9999 = none)."""
    index = {sid: i for i, sid in enumerate(segs.ids)}
    out: dict[str, np.ndarray] = {}
    for a in assets:
        sid = a.attributes.get("street_id")
        if sid is None or a.due_year is None:
            continue
        group = "riool" if a.asset_type in SEWER_TYPES and a.owner == GEMEENTE else a.asset_type
        arr = out.setdefault(group, np.full(len(segs.ids), 9999, dtype=np.int64))
        i = index[sid]
        arr[i] = min(arr[i], a.due_year)
    return out


def _eligible(book: PlanBook, t: Template) -> np.ndarray:
    segs = book.segs
    mask = np.isin(segs.kind, list(t.streets)) & segs.active
    if t.where == "heat":
        mask &= segs.heat
    elif t.where == "provincial":
        mask &= segs.provincial
    elif t.where == "pressure_mains":
        mask &= pressure_main_streets(segs)
    return mask


def _stretch_around(book: PlanBook, i: int, n: int, taken: set[int]) -> list[int]:
    run = book.net.runs[int(book.net.proto_of[i])]
    pos = run.index(i)
    lo = max(0, pos - int(book.rng.integers(0, n)))
    out = [j for j in run[lo : lo + n] if j not in taken and book.segs.active[j]]
    return out if i in out else [i]


def street_plans(book: PlanBook, t: Template, count: int, due: dict[str, np.ndarray]) -> None:
    """``count`` plans of template ``t`` on stretches of 1-5 segments."""
    rng, segs = book.rng, book.segs
    mask = _eligible(book, t)
    if not mask.any():
        return
    years = due.get(t.due or "", np.full(len(segs.ids), 9999))
    if t.due and (years[mask] < 9999).any():
        mask &= years < 9999
        w = np.exp(-np.clip(years - 2026, -10, 40) / 7.0) * mask
    else:
        w = mask.astype(float)
    seeds = rng.choice(len(w), size=min(int(mask.sum()), count * 2), replace=False, p=w / w.sum())
    taken: set[int] = set()
    made = 0
    for i in seeds:
        if made >= count:
            break
        if int(i) in taken:
            continue
        stretch = _stretch_around(book, int(i), int(rng.integers(1, 6)), taken)
        taken.update(stretch)
        if t.due and years[i] < 9999:
            year = int(min(years[stretch])) + int(rng.integers(-2, 3))
        else:
            year = 2026 + int(rng.integers(0, 15) * rng.random())
        _street_plan(book, t, stretch, year)
        made += 1


def _street_plan(book: PlanBook, t: Template, stretch: list[int], year: int) -> Plan:
    rng, segs = book.rng, book.segs
    length = book.stretch_length(stretch)
    name = t.name.format(street=segs.names[stretch[0]])
    asset_types = t.asset_types
    if (
        t.prefix == "GV-RIO"
        and "gemengd_riool" in asset_types
        and segs.year[stretch[0]] >= 1980
        and segs.kind[stretch[0]] != "centre"
    ):
        asset_types = ("droogweerafvoer", "hemelwaterafvoer")
    geom = book.stretch(stretch, lane=t.lane, polygon=t.polygon)
    days = int(min(720, t.days_base + length * 0.5))
    owner_vis = _VISIBILITY.get(t.owner, _VISIBILITY[""])
    surface_renewal = bool(rng.random() < t.surface_renewal)
    budget_eur = budget(rng, t.eur_per_m * length)
    visibility = _weighted(rng, owner_vis)
    return book.add(
        id=book.new_id(t.prefix),
        name=name,
        owner=t.owner,
        asset_types=asset_types,
        geometry=geom,
        themes=t.themes,
        programme=t.programme,
        excavation=t.excavation,
        surface_renewal=surface_renewal,
        budget_eur=budget_eur,
        contact=t.contact,
        visibility=visibility,
        # telecom roll-outs the companies share with the table are commercially sensitive
        sensitive=t.owner in SENSITIVE_OWNERS and visibility is Visibility.SHARED,
        **timing(rng, year, days),
    )


# --------------------------------------------------------------------------- area and point plans


def _rectangle(rng: np.random.Generator, centre: Point, w: float, h: float) -> BaseGeometry:
    rect = box(centre.x - w / 2, centre.y - h / 2, centre.x + w / 2, centre.y + h / 2)
    return rnd(affinity.rotate(rect, float(rng.uniform(0, 90)), origin=centre))


def site(book: PlanBook, region: BaseGeometry, w: float, h: float, avoid: BaseGeometry) -> BaseGeometry | None:
    """A rotated rectangle inside ``region`` clear of ``avoid``."""
    rng = book.rng
    minx, miny, maxx, maxy = region.bounds
    for _ in range(400):
        c = Point(float(rng.uniform(minx, maxx)), float(rng.uniform(miny, maxy)))
        if not region.contains(c):
            continue
        rect = _rectangle(rng, c, w, h)
        if region.contains(rect) and not rect.intersects(avoid):
            return rect
    return None


def housing_plan(
    book: PlanBook,
    geom: BaseGeometry,
    owner: str,
    dwellings: int,
    start: dt.date,
    end: dt.date,
    phase: Phase,
    hardness: Hardness,
    place: str,
) -> Plan:
    gebiedsontwikkeling = owner == GEMEENTE
    prefix = "GV-GO" if gebiedsontwikkeling else "WCT"
    kind = "Gebiedsontwikkeling" if gebiedsontwikkeling else "Nieuwbouw"
    plan = book.add(
        id=book.new_id(prefix),
        name=f"{kind} {place} ({dwellings} woningen)",
        owner=owner,
        asset_types=("gebiedsontwikkeling", "woningbouw") if gebiedsontwikkeling else ("woningbouw",),
        geometry=geom,
        themes=("woningbouw", "energietransitie"),
        programme=kind,
        phase=phase,
        hardness=hardness,
        start=start,
        end=end,
        excavation=True,
        budget_eur=float(dwellings * 215_000),
        contact="Projectontwikkelaar" if not gebiedsontwikkeling else "Gebiedsregisseur",
        visibility=Visibility.SHARED,
        dwellings=dwellings,
    )
    book.dwellings[plan.key] = dwellings
    return plan


def random_housing(book: PlanBook, count: int, avoid: BaseGeometry, places: list[str]) -> BaseGeometry:
    """New housing by the corporation and area development by the municipality; returns ``avoid`` grown."""
    rng = book.rng
    outer = book.areas.gemeente.geometry.difference(book.net.centre_disc.buffer(150)).buffer(-80)
    for k in range(count):
        owner = GEMEENTE if k % 4 == 3 else CORPORATIE
        geom = site(book, outer, float(rng.uniform(60, 110)), float(rng.uniform(50, 80)), avoid)
        if geom is None:
            continue
        avoid = avoid.union(geom.buffer(20))
        year = 2026 + int(rng.integers(1, 12))
        start, end = window(rng, year, int(rng.integers(400, 800)))
        phase = phase_for(rng, year)
        if phase == Phase.BEHEER:
            phase = Phase.REALISATIE
        housing_plan(
            book,
            geom,
            owner,
            int(rng.integers(3, 13)) * 10,
            start,
            end,
            phase,
            _weighted(rng, _HARDNESS_BY_PHASE[phase]),
            places[k % len(places)],
        )
    return avoid


def renovation_plans(book: PlanBook, count: int, avoid: BaseGeometry) -> None:
    """Housing corporation: making existing blocks sustainable (no digging in the street)."""
    rng = book.rng
    for _ in range(count):
        buurt = book.areas.buurten[int(rng.integers(len(book.areas.buurten)))]
        geom = site(book, buurt.geometry.buffer(-40), float(rng.uniform(50, 90)), float(rng.uniform(30, 60)), avoid)
        if geom is None:
            continue
        homes = int(rng.integers(4, 20)) * 10
        year = 2026 + int(rng.integers(0, 12))
        book.add(
            id=book.new_id("WCT"),
            name=f"Verduurzaming complex {buurt.name} ({homes} woningen)",
            owner=CORPORATIE,
            asset_types=("gebouw",),
            geometry=geom,
            themes=("energietransitie",),
            programme="Verduurzaming",
            excavation=False,
            budget_eur=float(homes * 45_000),
            contact="Projectleider vastgoed",
            visibility=_weighted(rng, _VISIBILITY[""]),
            **timing(rng, year, int(rng.integers(150, 400))),
        )


def point_plans(book: PlanBook, scale: float) -> None:
    """Charging points, bus stops and pumping-station renovations."""
    rng, segs = book.rng, book.segs
    jobs: list[tuple[str, int, Callable[[int], dict[str, Any]]]] = [
        (
            "residential",
            max(1, round(10 * scale)),
            lambda i: dict(
                id=book.new_id("GV-MOB"),
                owner=GEMEENTE,
                name=f"Laadpleinen {segs.names[i]}",
                asset_types=("laadpunt",),
                themes=("energietransitie", "mobiliteit"),
                programme="Mobiliteit",
                excavation=True,
                contact="Adviseur laadinfra",
                budget_eur=budget(rng, 30_000),
            ),
        ),
        (
            "main",
            max(1, round(5 * scale)),
            lambda i: dict(
                id=book.new_id("PMI"),
                owner=PROVINCIE,
                name=f"Toegankelijke bushalte {segs.names[i]}",
                asset_types=("ov_halte",),
                themes=("mobiliteit",),
                programme="Openbaar vervoer",
                excavation=True,
                contact="Concessiebeheerder",
                budget_eur=budget(rng, 45_000),
            ),
        ),
        (
            "ring",
            max(1, round(3 * scale)),
            lambda i: dict(
                id=book.new_id("WSS"),
                owner=WATERSCHAP,
                name=f"Renovatie rioolgemaal {segs.names[i]}",
                asset_types=("kunstwerk", "droogweerafvoer"),
                themes=("vervanging", "wateroverlast"),
                programme="Gemalen",
                excavation=True,
                contact="Assetmanager gemalen",
                budget_eur=budget(rng, 650_000),
            ),
        ),
    ]
    for kind, count, make in jobs:
        cand = np.flatnonzero((segs.kind == kind) & segs.active)
        for i in rng.choice(cand, size=min(count, len(cand)), replace=False):
            p = rnd(shapely.line_interpolate_point(segs.geoms[i], 0.5, normalized=True))
            fields = make(int(i))
            book.add(
                geometry=p,
                visibility=_weighted(rng, _VISIBILITY.get(fields["owner"], _VISIBILITY[""])),
                **fields,
                **timing(rng, 2026 + int(rng.integers(0, 10)), int(rng.integers(20, 90))),
            )


def build_plans(book: PlanBook, assets: list[Asset], scale: float, avoid: BaseGeometry, places: list[str]) -> None:
    """Every template, scaled; then housing, renovation and point plans."""
    due = due_years(assets, book.segs)
    for t in TEMPLATES:
        street_plans(book, t, max(1, round(t.count * scale)), due)
    avoid = random_housing(book, max(2, round(9 * scale)), avoid, places)
    renovation_plans(book, max(1, round(18 * scale)), avoid)
    point_plans(book, scale)


def ensure_coverage(book: PlanBook, keep: set[str]) -> None:
    """Make sure every phase and hardness occurs (matters at small scales); plans in ``keep`` stay as they are."""
    rng = book.rng
    scheduled = [
        k
        for k, p in enumerate(book.plans)
        if p.scheduled and p.owner != CORPORATIE and p.key not in keep and "woningbouw" not in p.asset_types
    ]
    for phase in Phase:
        if any(p.phase == phase for p in book.plans):
            continue
        k = scheduled[int(rng.integers(len(scheduled)))]
        p = book.plans[k]
        p.phase = phase
        p.phase_planning = {}
        if phase == Phase.BEHEER:
            p.start, p.end = dt.date(2026, 1, 1), dt.date(2026, 3, 31)
    for hardness in Hardness:
        if not any(p.hardness == hardness for p in book.plans):
            book.plans[scheduled[int(rng.integers(len(scheduled)))]].hardness = hardness
