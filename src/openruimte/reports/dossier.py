"""Area dossier (gebiedsgerichte aanpak): everything the programming table needs
about one buurt or wijk in one HTML document: the area, policy goals, plans,
assets, environment, vital systems, candidate projects, couplings and no-dig
conflicts, capacity and underground space problems, and the proposed programme.

:func:`collect` reads the store (thin glue); :func:`html` renders the collected
:class:`Dossier` (pure).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

import shapely
from shapely.geometry.base import BaseGeometry

from openruimte.analysis.candidates import Horizon, due_year
from openruimte.model import InputError
from openruimte.model.access import shown_name, shown_owner
from openruimte.reports import gantt
from openruimte.reports._html import (
    OWNER_COLOURS,
    date_nl,
    esc,
    eur,
    generated_line,
    kpis,
    legend,
    num,
    page,
    pct,
    table,
)
from openruimte.reports.programme import Programme, enrich, parse_programme
from openruimte.reports.svgmap import SvgMap

CONDITION_NL = {1: "1 uitstekend", 2: "2 goed", 3: "3 redelijk", 4: "4 matig", 5: "5 slecht", 6: "6 zeer slecht"}
LEVEL_NL = {"buurt": "buurt", "wijk": "wijk", "gemeente": "gemeente"}
COUPLING, CONFLICT = "#1a9850", "#d73027"


@dataclass
class Dossier:
    """Everything read from the store for one area (plain data; the renderer needs nothing else)."""

    area: Any
    parents: list[Any]
    children: list[Any]
    neighbours: list[Any]
    organisations: dict[str, str]
    plans: list[Any]
    goals: list[Any]
    assets: list[Any]
    layers: list[dict[str, Any]]
    vital: list[dict[str, Any]]
    streets: list[Any]
    couplings: list[dict[str, Any]]
    conflicts: list[dict[str, Any]]
    candidates: list[dict[str, Any]]
    candidate_couplings: list[dict[str, Any]]
    capacity: list[dict[str, Any]]
    space: list[dict[str, Any]]
    analyses: dict[str, dict[str, Any]]
    datasets: list[dict[str, Any]]
    horizon: Horizon
    programme: Programme | None = None
    heat_layer: Any = None
    #: plans outside the area that a coupling or conflict of the area refers to
    partners: dict[str, Any] = field(default_factory=dict)

    @property
    def plan_keys(self) -> set[str]:
        return {p.key for p in self.plans}


# ---------------------------------------------------------------------------------------- collect


def _touches(geom: BaseGeometry | None, area: BaseGeometry) -> bool:
    return geom is not None and not geom.is_empty and geom.intersects(area)


def collect(store: Any, code: str, programme: dict[str, Any] | None = None, *, programme_source: str = "") -> Dossier:
    """Read the store for the dossier of area ``code`` (and restrict ``programme`` to it)."""
    areas = store.areas()
    by_code = {a.code: a for a in areas}
    area = by_code.get(code)
    if area is None:
        known = ", ".join(f"{a.code} ({a.name})" for a in sorted(areas, key=lambda a: a.code)[:12]) or "none"
        raise InputError(f"no area '{code}' in the database; areas: {known}", "--area")
    geom = area.geometry
    parents, p = [], area
    while p.parent and p.parent in by_code and len(parents) < 5:
        p = by_code[p.parent]
        parents.append(p)
    children = [a for a in areas if a.parent == code]
    codes = {code, *(c.code for c in children)}
    neighbours = [
        a for a in areas if a.level == area.level and a.code != code and a.geometry.intersects(geom.buffer(50))
    ]

    every = store.plans()
    plans = [pl for pl in every if pl.area in codes or _touches(pl.geometry, geom)]
    keys = {pl.key for pl in plans}
    all_streets = store.streets()
    streets = [s for s in all_streets if s.area in codes or _touches(s.geometry, geom)]
    street_ids = {s.id for s in streets}
    parent_codes = {a.code for a in parents}
    goals = [
        g
        for g in store.policy_goals()
        if g.area in codes or g.area in parent_codes or (g.area is None and _touches(g.geometry, geom))
    ]
    assets = [a for a in store.assets() if a.area in codes or _touches(a.geometry, geom)]

    analyses: dict[str, dict[str, Any]] = {}
    for kind in ("plans", "candidates", "capacity", "space"):
        got = store.latest_analysis(kind)
        if got is not None:
            analyses[kind] = got
    res = analyses.get("plans", {}).get("result", {})
    couplings = [c for c in res.get("couplings", []) if c["a"] in keys or c["b"] in keys]
    conflicts = [c for c in res.get("conflicts", []) if c["renewal"] in keys or c["plan"] in keys]
    cres = analyses.get("candidates", {}).get("result", {})
    candidates = [c for c in cres.get("candidates", []) if c.get("street_id") in street_ids]
    cand_keys = {f"{c['owner']}:{c['id']}" for c in candidates}
    cand_couplings = [
        c
        for c in cres.get("couplings_with_plans", [])
        if (c["a"] in keys or c["b"] in keys) and (c["a"] in cand_keys or c["b"] in cand_keys)
    ]
    all_keys = {pl.key: pl for pl in every}
    referred = {k for c in couplings for k in (c["a"], c["b"])} | {
        k for c in conflicts for k in (c["renewal"], c["plan"])
    }
    partners = {k: all_keys[k] for k in referred - keys if k in all_keys}
    vital, capacity = _vital(store, geom, analyses.get("capacity", {}).get("result", {}), keys)
    sres = analyses.get("space", {}).get("result", {})
    space = [
        dict(s, network=sres.get("network")) for s in sres.get("does_not_fit", []) if s.get("street_id") in street_ids
    ]
    layers, heat = _layers(store, geom)

    horizon = Horizon()
    prog = None
    if programme is not None:
        full = enrich(parse_programme(programme, programme_source), every, all_streets)
        prog = full.restrict({r.key for r in full.plans if r.key in keys or set(r.segments) & street_ids})
        horizon = Horizon(first_year=full.from_year, last_year=full.to_year)
    return Dossier(
        area=area,
        parents=parents,
        children=children,
        neighbours=neighbours,
        organisations={o.code: o.name for o in store.organisations()},
        plans=sorted(plans, key=lambda pl: (pl.start or pl.earliest_start or dt.date.max, pl.key)),
        goals=goals,
        assets=assets,
        layers=layers,
        vital=vital,
        streets=streets,
        couplings=couplings,
        conflicts=conflicts,
        candidates=candidates,
        candidate_couplings=cand_couplings,
        capacity=capacity,
        space=space,
        analyses=analyses,
        datasets=store.datasets(),
        horizon=horizon,
        programme=prog,
        heat_layer=heat,
        partners=partners,
    )


def _vital(
    store: Any, geom: BaseGeometry, cap: dict[str, Any], keys: set[str]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    found = {e["id"]: e for e in cap.get("elements", [])}
    out, problems = [], []
    for system in store.vital_systems():
        for el in system.elements:
            inside = _touches(el.geometry, geom)
            serves = _touches(el.service_area, geom)
            if not (inside or serves):
                continue
            row = {
                "system": system.name,
                "owner": system.owner,
                "network": system.network_type,
                "id": el.id,
                "name": el.name or el.id,
                "kind": el.kind,
                "capacity": el.capacity,
                "load": el.load,
                "unit": el.unit,
                "utilisation": el.utilisation,
                "where": "in het gebied" if inside else "voedt het gebied",
            }
            a = found.get(el.id)
            if a is not None:
                row["exceeded_year"] = a.get("exceeded_year")
                row["margin"] = a.get("margin")
                row["area_plans"] = [p for p in a.get("plans", []) if p["plan"] in keys]
                if a.get("exceeded_year") is not None:
                    problems.append(dict(row, plans=a.get("plans", [])))
            out.append(row)
    return out, problems


def _layers(store: Any, geom: BaseGeometry) -> tuple[list[dict[str, Any]], Any]:
    """Per environment layer the values of its features in the area (area-weighted for polygons)."""
    out, heat = [], None
    for layer in store.layers():
        feats = [f for f in layer.features if _touches(f.geometry, geom)]
        if not feats:
            out.append({"layer": layer, "features": 0})
            continue
        values = [
            (f.value, f.geometry.intersection(geom).area if f.geometry.area else 0.0)
            for f in feats
            if f.value is not None
        ]
        row: dict[str, Any] = {"layer": layer, "features": len(feats), "in_area": feats}
        if values:
            vs = [v for v, _ in values]
            weight = sum(w for _, w in values)
            row.update(
                min=min(vs),
                max=max(vs),
                mean=sum(v * w for v, w in values) / weight if weight else sum(vs) / len(vs),
                worst_share=_worst_share(layer, values),
            )
            if heat is None and weight and len(feats) > 1:
                heat = row
        classes = Counter(f.value_class for f in feats if f.value_class)
        row["classes"] = classes.most_common(4)
        out.append(row)
    return out, heat


def _worst_share(layer: Any, values: list[tuple[float, float]]) -> tuple[float, float] | None:
    """(threshold, share of the area at or beyond it): the worst quarter of the layer's range in the area."""
    weight = sum(w for _, w in values)
    if not weight:
        return None
    vs = sorted(v for v, _ in values)
    lo, hi = vs[0], vs[-1]
    if hi == lo:
        return None
    t = hi - (hi - lo) / 4 if layer.higher_is_worse else lo + (hi - lo) / 4
    share = sum(w for v, w in values if (v >= t if layer.higher_is_worse else v <= t)) / weight
    return t, share


# ---------------------------------------------------------------------------------------- render


def _owner(d: Dossier, code: str, sensitive: bool = False) -> str:
    return shown_owner(_Owned(code, sensitive), names=d.organisations)


@dataclass(frozen=True)
class _Owned:
    owner: str
    sensitive: bool


def _plan_name(p: Any) -> str:
    return shown_name(p) if hasattr(p, "sensitive") else p.name


def _period(p: Any) -> str:
    if p.start and p.end:
        return f"{p.start:%m-%Y} t/m {p.end:%m-%Y}"
    if p.earliest_start or p.latest_end:
        a = f"{p.earliest_start:%m-%Y}" if p.earliest_start else "…"
        b = f"{p.latest_end:%m-%Y}" if p.latest_end else "…"
        return f"nog niet gepland; venster {a} – {b}"
    return "nog niet gepland"


def _owner_colours(d: Dossier) -> dict[str, str]:
    owners = sorted({p.owner for p in d.plans})
    return {o: OWNER_COLOURS[i % len(OWNER_COLOURS)] for i, o in enumerate(owners)}


def plan_map(d: Dossier, width: int = 1000) -> SvgMap:
    """The area with its streets, neighbours, plans (colour per owner), couplings and conflicts."""
    g = d.area.geometry
    m = SvgMap(g.bounds, width=width, max_height=640)
    m.add(
        g,
        kind="area",
        stroke="#0b6e99",
        width=2,
        fill="#0b6e99",
        fill_opacity=0.05,
        title=f"{d.area.name} ({d.area.code})",
    )
    m.add_many((n.geometry.boundary for n in d.neighbours), kind="neighbour", stroke="#9bb", width=0.8)
    m.add_many((s.geometry for s in d.streets), kind="street", stroke="#c5c5c5", width=0.7)
    m.add_many((c.geometry.boundary for c in d.children), kind="buurt", stroke="#0b6e99", width=0.9, fill="none")
    for c in d.children:
        at = c.geometry.representative_point()
        m.label(at.x, at.y, c.name, size=11, color="#0b6e99")
    colours = _owner_colours(d)
    by_key = {**d.partners, **{p.key: p for p in d.plans}}
    for p in d.partners.values():
        tip = f"buiten het gebied: {_plan_name(p)} — {_owner(d, p.owner, p.sensitive)}; {_period(p)}"
        m.add(p.geometry, kind="partner", stroke="#888", width=2, dash="4 3", title=tip, ident=p.key)
    for p in d.plans:
        c = colours[p.owner]
        tip = f"{_plan_name(p)} — {_owner(d, p.owner, p.sensitive)}; {p.phase}; {_period(p)}"
        dims = shapely.get_dimensions(p.geometry)
        if dims == 2:
            m.add(p.geometry, kind="plan", stroke=c, width=1.5, fill=c, fill_opacity=0.18, title=tip, ident=p.key)
        else:
            m.add(p.geometry, kind="plan", stroke=c, fill=c, width=3.2, opacity=0.85, title=tip, ident=p.key, radius=5)
    for kind, items, colour in (("coupling", d.couplings, COUPLING), ("conflict", d.conflicts, CONFLICT)):
        for c in items:
            a, b = (c["a"], c["b"]) if kind == "coupling" else (c["renewal"], c["plan"])
            ga, gb = by_key.get(a), by_key.get(b)
            if ga is None or gb is None:
                continue
            where = shapely.shortest_line(ga.geometry, gb.geometry).centroid
            m.add(
                where,
                kind=kind,
                stroke="#fff",
                fill=colour,
                width=1.5,
                radius=7,
                title=c["explanation"]["text"],
                ident=f"{a}|{b}",
            )
    return m


def environment_map(d: Dossier, width: int = 560) -> SvgMap | None:
    row = d.heat_layer
    if row is None:
        return None
    g = d.area.geometry
    m = SvgMap(g.bounds, width=width, max_height=480)
    lo, hi = row["min"], row["max"]
    worse = row["layer"].higher_is_worse
    for f in row["in_area"]:
        if f.value is None:
            continue
        t = 0.5 if hi == lo else (f.value - lo) / (hi - lo)
        t = t if worse else 1 - t
        m.add(
            f.geometry.intersection(g),
            kind="env",
            fill=_ramp(t),
            title=f"{num(f.value, 1)} {row['layer'].unit or ''}".strip(),
        )
    m.add_many((s.geometry for s in d.streets), kind="street", stroke="#777", width=0.5)
    m.add(g, kind="area", stroke="#0b6e99", width=2)
    return m


def _ramp(t: float) -> str:
    """Yellow (good) to dark red (worst)."""
    stops = ((255, 255, 204), (253, 141, 60), (189, 0, 38))
    t = min(max(t, 0.0), 1.0) * 2
    i = min(int(t), 1)
    f = t - i
    rgb = [round(stops[i][k] + (stops[i + 1][k] - stops[i][k]) * f) for k in range(3)]
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def candidate_map(d: Dossier, width: int = 560) -> SvgMap:
    g = d.area.geometry
    m = SvgMap(g.bounds, width=width, max_height=480)
    m.add_many((s.geometry for s in d.streets), kind="street", stroke="#c5c5c5", width=0.7)
    per_street: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for c in d.candidates:
        per_street[c["street_id"]].append(c)
    first = d.horizon.first_year
    for s in d.streets:
        cs = per_street.get(s.id)
        if not cs:
            continue
        year = min(c["first_year"] for c in cs)
        t = 1 - min(max((year - first) / 10, 0), 1)
        types = ", ".join(sorted({c["asset_type"] for c in cs}))
        m.add(
            s.geometry,
            kind="candidate",
            stroke=_ramp(0.25 + 0.75 * t),
            width=3,
            title=f"{s.name}: {types} vanaf {year}",
            ident=s.id,
        )
    m.add(g, kind="area", stroke="#0b6e99", width=2)
    return m


def _sources(d: Dossier, categories: tuple[str, ...]) -> str:
    rows = [ds for ds in d.datasets if ds.get("category") in categories]
    if not rows:
        return ""
    parts = []
    for ds in rows:
        when = ds.get("snapshot_date") or ds.get("imported_at")
        owner = f", {d.organisations.get(ds['owner'], ds['owner'])}" if ds.get("owner") else ""
        parts.append(f"{esc(ds['name'])} ({esc(ds['source'])}{esc(owner)}, stand {date_nl(when)})")
    return f'<p class="src">Bron: {"; ".join(parts)}.</p>'


def _analysis_source(d: Dossier, kind: str, what: str) -> str:
    a = d.analyses.get(kind)
    if a is None:
        return (
            f'<p class="note">Er is nog geen {what}'
            f" opgeslagen: draai <code>openruimte analyse</code> (of <code>openruimte demo</code>).</p>"
        )
    params = a["result"].get("parameters") or {}
    shown = ", ".join(f"{k} = {v}" for k, v in params.items())
    return (
        f'<p class="src">Bron: {what} van '
        f"{date_nl(a['created_at'])} ({esc(a['actor'])}){'; ' + esc(shown) if shown else ''}.</p>"
    )


def _section_area(d: Dossier) -> str:
    a = d.area
    ha = a.geometry.area / 10_000
    chain = " · ".join(f"{LEVEL_NL.get(str(p.level), p.level)} {esc(p.name)} ({esc(p.code)})" for p in d.parents)
    kids = ""
    if d.children:
        kids = (
            "<p>Het gebied bestaat uit de buurten "
            + ", ".join(f"{esc(c.name)} ({esc(c.code)})" for c in d.children)
            + ".</p>"
        )
    due = sum(1 for x in d.assets if due_year(x, d.horizon)[0] is not None)
    return "".join(
        [
            f"<h1>Gebiedsdossier {esc(a.name)}</h1>",
            f'<p class="lead">Area dossier · {LEVEL_NL.get(str(a.level), a.level)} {esc(a.code)}'
            f"{' · ' + chain if chain else ''} · oppervlakte {num(ha, 1)} ha</p>",
            "<p>Dit dossier brengt voor de programmeertafel alles samen wat over dit gebied bekend is: beleid, "
            "plannen, assets, omgeving en vitale systemen, met de koppelkansen en conflicten die de analyse vond. "
            "Een plan hoort bij het gebied als het gebied in het plan genoemd is of als het plan het gebied raakt.</p>",
            kids,
            kpis(
                [
                    ("plannen en projecten", num(len(d.plans))),
                    ("koppelkansen", num(len(d.couplings))),
                    ("graafrustconflicten", num(len(d.conflicts))),
                    ("beleidsdoelen", num(len(d.goals))),
                    (f"assets, waarvan {num(due)} te vervangen t/m {d.horizon.last_year}", num(len(d.assets))),
                    ("vervangingsopgaven (kandidaatprojecten)", num(len(d.candidates))),
                    ("capaciteitsknelpunten", num(len(d.capacity))),
                    ("straten zonder ruimte in de ondergrond", num(len(d.space))),
                ]
            ),
        ]
    )


def _section_agenda(d: Dossier) -> str:
    """Points for the table to decide on, from the findings below (most pressing first)."""
    by_key = {**d.partners, **{p.key: p for p in d.plans}}

    def name(k: str) -> str:
        p = by_key.get(k)
        return esc(_plan_name(p)) if p else esc(k)

    items = []
    for c in d.conflicts:
        ex = c["explanation"]
        items.append(
            f"<b>Graafrustconflict</b>: {name(c['plan'])} graaft {num(c.get('overlap_days'))} dagen in de graafrust "
            f"na {name(c['renewal'])} ({esc(ex.get('no_dig_from'))} t/m {esc(ex.get('no_dig_to'))}). "
            "Verschuiven, of samen uitvoeren vóór de nieuwe bestrating."
        )
    for c in d.capacity:
        items.append(
            f"<b>Netcapaciteit</b>: {esc(c['name'])} raakt vol in {c['exceeded_year']}; "
            "woningbouw en netuitbreiding op elkaar afstemmen."
        )
    for s in d.space:
        items.append(
            f"<b>Ondergrondse ruimte</b>: in {esc(s['name'])} past {esc(s.get('network') or 'het nieuwe net')} niet "
            f"({num(s['free_m'], 1, 'm')} vrij, {num(s['required_m'], 1, 'm')} nodig)."
        )
    for c in sorted(d.couplings, key=lambda c: -(c["explanation"].get("saving_eur") or 0))[:5]:
        items.append(
            f"<b>Koppelkans</b>: {name(c['a'])} en {name(c['b'])} samen uitvoeren "
            f"(besparing ongeveer {eur(c['explanation'].get('saving_eur'))})."
        )
    overdue = sum(1 for a in d.assets if due_year(a, d.horizon)[1] == "achterstallig")
    if overdue:
        items.append(
            f"<b>Achterstallige vervanging</b>: {num(overdue)} assets zijn over hun levensduur; "
            f"{num(len(d.candidate_couplings))} vervangingsopgaven kunnen meeliften met een plan."
        )
    if not items:
        return ""
    return (
        "<h2>Aandachtspunten voor de programmeertafel</h2>"
        "<p>Wat de analyse in dit gebied vond en waar de tafel over moet besluiten; de onderbouwing staat in "
        "de hoofdstukken hieronder.</p><ol>" + "".join(f"<li>{i}</li>" for i in items) + "</ol>"
    )


def _section_policy(d: Dossier) -> str:
    if not d.goals:
        return "<h2>1. Beleid / policy goals</h2><p>Voor dit gebied zijn geen beleidsdoelen geregistreerd.</p>"
    level = {
        d.area.code: "dit gebied",
        **{c.code: "buurt" for c in d.children},
        **{p.code: str(p.level) for p in d.parents},
    }
    rows = []
    for g in sorted(d.goals, key=lambda g: (g.theme, g.key)):
        unit = g.unit or ""
        if g.target is not None and g.current is not None:
            dist = num(g.target - g.current, 1, unit)
        else:
            dist = "nog niet gemeten" if g.current is None else "–"
        rows.append(
            (
                g.theme,
                g.name or g.indicator,
                g.indicator,
                str(g.kind),
                num(g.target, 1, unit) if g.target is not None else (g.norm or "–"),
                num(g.current, 1, unit) if g.current is not None else "–",
                dist,
                g.horizon_year or "–",
                level.get(g.area or "", "geometrie"),
                g.source_document or "–",
            )
        )
    measured = sum(1 for g in d.goals if g.current is not None)
    return "".join(
        [
            "<h2>1. Beleid / policy goals</h2>",
            f"<p>{num(len(d.goals))} doelen gelden hier, ook die van de wijk en de gemeente. Normerend: een harde "
            "eis; ambiërend: een streven. "
            + (
                f"Van {num(measured)} van de {num(len(d.goals))} doelen is de huidige waarde bekend.</p>"
                if measured
                else "Van geen van de doelen is de huidige waarde vastgelegd: de afstand tot het doel is onbekend.</p>"
            ),
            table(
                (
                    "thema",
                    "doel",
                    "indicator",
                    "soort",
                    "doel­waarde",
                    "huidig",
                    "afstand",
                    "jaar",
                    "geldt voor",
                    "document",
                ),
                rows,
                numeric=(4, 5, 6, 7),
            ),
            _sources(d, ("policy",)),
        ]
    )


def _timeline(d: Dossier) -> str:
    rows = []
    for p in d.plans:
        if p.start and p.end:
            s, e = p.start, p.end
        elif p.earliest_start:
            s = p.earliest_start
            e = s + dt.timedelta(days=(p.duration_days or 90) - 1)
        else:
            continue
        rows.append(
            {
                "key": p.key,
                "name": _plan_name(p),
                "owner": _owner(d, p.owner, p.sensitive),
                "start": s.isoformat(),
                "end": e.isoformat(),
                "own_start": s.isoformat(),
                "own_end": e.isoformat(),
                "segments": [],
                "fixed": p.hardness == "besloten" or p.phase in ("realisatie", "beheer"),
                "excavation": p.excavation,
                "surface_renewal": p.surface_renewal,
            }
        )
    if not rows:
        return "<p>Geen van de plannen heeft al een planning.</p>"
    prog = parse_programme(
        {"plans": rows, "horizon": {"from": d.horizon.first_year, "to": d.horizon.last_year}}, "plannen"
    )
    prog.street_names = {}
    return f'<div class="figure">{gantt.svg(prog, "owner")}</div>'


def _section_plans(d: Dossier) -> str:
    colours = _owner_colours(d)
    rows = []
    for p in d.plans:
        rows.append(
            (
                p.id,
                _plan_name(p),
                _owner(d, p.owner, p.sensitive),
                f"{p.phase} / {p.hardness}",
                ", ".join(p.asset_types),
                _period(p),
                "ja" if p.excavation else "nee",
                eur(p.budget_eur),
            )
        )
    by_owner = Counter(p.owner for p in d.plans)
    budget = sum(p.budget_eur or 0 for p in d.plans)
    m = plan_map(d)
    unscheduled = sum(1 for p in d.plans if not p.scheduled)
    return "".join(
        [
            "<h2>2. Plannen / plans</h2>",
            f"<p>{num(len(d.plans))} plannen van {num(len(by_owner))} partijen, samen {eur(budget)} begroot; "
            f"{num(unscheduled)} hebben nog geen datum. De kaart toont de plannen per eigenaar, de koppelkansen "
            "(groen) en de graafrustconflicten (rood).</p>",
            legend(
                [(colours[o], f"{_owner(d, o)} ({by_owner[o]})") for o in sorted(by_owner)]
                + [(COUPLING, "koppelkans"), (CONFLICT, "graafrustconflict")]
                + ([("#888", "plan buiten het gebied (partner)")] if d.partners else [])
            ),
            f'<div class="figure">{m.render(caption="plannen in het gebied")}</div>',
            table(
                ("id", "plan", "eigenaar", "fase / hardheid", "assettypen", "periode", "graaft", "budget"),
                rows,
                numeric=(7,),
            ),
            _sources(d, ("plans",)),
            "<h3>Tijdlijn van de plannen (eigen planning)</h3>",
            _timeline(d),
        ]
    )


def _section_assets(d: Dossier) -> str:
    if not d.assets:
        return "<h2>3. Assets / beheerobjecten</h2><p>Er zijn geen assets in dit gebied geregistreerd.</p>"
    types = Counter(a.asset_type for a in d.assets)
    cond: dict[str, Counter[int | None]] = defaultdict(Counter)
    due: dict[str, Counter[str]] = defaultdict(Counter)
    h = d.horizon
    mid = h.first_year + 4
    for a in d.assets:
        cond[a.asset_type][a.condition] += 1
        year, why = due_year(a, h)
        if year is not None:
            due[a.asset_type]["now" if why == "achterstallig" else ("soon" if year <= mid else "later")] += 1
    rows = []
    for t, n in types.most_common():
        c = cond[t]
        rows.append(
            (
                t,
                n,
                *(c.get(k, 0) or "" for k in range(1, 7)),
                c.get(None, 0) or "",
                due[t]["now"] or "",
                due[t]["soon"] or "",
                due[t]["later"] or "",
            )
        )
    total_due = sum(sum(v.values()) for v in due.values())
    poor = sum(1 for a in d.assets if a.condition is not None and a.condition >= h.condition_threshold)
    length = sum(a.geometry.length for a in d.assets if shapely.get_dimensions(a.geometry) == 1) / 1000
    return "".join(
        [
            "<h2>3. Assets / beheerobjecten</h2>",
            f"<p>{num(len(d.assets))} assets ({num(length, 1)} km leidingen, wegen en paden); {num(poor)} in matige of "
            f"slechte staat (conditie {h.condition_threshold} of slechter, NEN 2767). {num(total_due)} zijn vóór "
            f"{h.last_year + 1} aan vervanging toe:"
            f" achterstallig, binnen vijf jaar (t/m {mid}) of later in de horizon.</p>",
            table(
                (
                    "type",
                    "aantal",
                    *(CONDITION_NL[k] for k in range(1, 7)),
                    "onbekend",
                    "achterstallig",
                    f"t/m {mid}",
                    f"{mid + 1}–{h.last_year}",
                ),
                rows,
                numeric=range(1, 12),
            ),
            _sources(d, ("assets",)),
        ]
    )


def _section_environment(d: Dossier) -> str:
    rows = []
    for r in d.layers:
        layer = r["layer"]
        unit = layer.unit or ""
        title = layer.title or layer.name
        if not r["features"]:
            rows.append((title, "geen gegevens in dit gebied", "", "", "", "", ""))
            continue
        worst = r.get("worst_share")
        rows.append(
            (
                title,
                num(r["features"]),
                num(r.get("min"), 2, unit) if "min" in r else "–",
                num(r.get("mean"), 2, unit) if "mean" in r else "–",
                num(r.get("max"), 2, unit) if "max" in r else "–",
                (
                    f"{pct(worst[1], 0)} van het gebied "
                    f"{'≥' if layer.higher_is_worse else '≤'} {num(worst[0], 1, unit)}"
                    if worst
                    else "–"
                ),
                ", ".join(f"{k} ({n})" for k, n in r.get("classes", [])) or "–",
            )
        )
    env = environment_map(d)
    fig = ""
    if env is not None:
        layer = d.heat_layer["layer"]
        fig = (
            f"<h3>Kaart: {esc(layer.title or layer.name)}</h3>"
            f"<p>Lichtgeel is gunstig, donkerrood het slechtst in dit gebied "
            f"({num(d.heat_layer['min'], 1)} tot {esc(num(d.heat_layer['max'], 1, layer.unit or ''))}).</p>"
            f'<div class="figure">{env.render(caption=layer.name)}</div>'
        )
    return "".join(
        [
            "<h2>4. Omgeving / environment</h2>",
            "<p>Waarden van de omgevingslagen binnen het gebied; het gemiddelde is naar oppervlakte gewogen.</p>",
            table(
                ("laag", "vlakken", "laagste", "gemiddeld", "hoogste", "slechtste kwart", "klassen"),
                rows,
                numeric=(1, 2, 3, 4),
            ),
            _sources(d, ("environment",)),
            fig,
        ]
    )


def _section_vital(d: Dossier) -> str:
    if not d.vital:
        return (
            "<h2>5. Vitale systemen / vital systems</h2>"
            "<p>Geen elementen van vitale systemen in of voor dit gebied.</p>"
        )
    rows, klass = [], []
    for v in d.vital:
        ex = v.get("exceeded_year")
        rows.append(
            (
                v["name"],
                v["system"],
                _owner(d, v["owner"]),
                v["where"],
                num(v["capacity"], 0, v["unit"]),
                num(v["load"], 0, v["unit"]),
                pct(v["utilisation"], 0),
                f"vol in {ex}"
                if ex
                else ("ruimte: " + num(v.get("margin"), 0, v["unit"]) if v.get("margin") is not None else "–"),
            )
        )
        klass.append("bad" if ex else "")
    parts = [
        "<h2>5. Vitale systemen / vital systems</h2>",
        "<p>Elementen met capaciteit die in het gebied liggen of het gebied voeden, met de bezetting nu en "
        "het jaar waarin de capaciteit opraakt door de geplande woningbouw.</p>",
        table(
            (
                "element",
                "systeem",
                "beheerder",
                "ligging",
                "capaciteit",
                "belasting",
                "bezetting",
                "capaciteitsanalyse",
            ),
            rows,
            numeric=(4, 5, 6),
            row_class=klass,
        ),
        _sources(d, ("vital",)),
    ]
    for c in d.capacity:
        plans = ", ".join(f"{p['plan']} ({p['dwellings']} woningen in {p['year']})" for p in c.get("plans", []))
        parts.append(
            f"<p><b>Capaciteitsknelpunt:</b> {esc(c['name'])} raakt vol in {c['exceeded_year']} "
            f"(tekort {num(-(c.get('margin') or 0), 0, c['unit'])}); oorzaak: {esc(plans) or 'groei van de vraag'}. "
            "Plannen die hier aansluiten, moeten op netuitbreiding wachten of die meenemen.</p>"
        )
    parts.append(_analysis_source(d, "capacity", "capaciteitsanalyse"))
    return "".join(parts)


def _section_candidates(d: Dossier) -> str:
    parts = ["<h2>6. Kandidaatprojecten / replacement candidates</h2>"]
    if not d.candidates:
        parts.append("<p>De analyse vond in dit gebied geen assets die binnen de horizon vervangen moeten worden.</p>")
        return "".join(parts) + _analysis_source(d, "candidates", "analyse van vervangingsopgaven")
    cost = sum(c.get("cost_eur") or 0 for c in d.candidates)
    by_type = Counter(c["asset_type"] for c in d.candidates)
    rows = [
        (
            c["street_name"],
            c["asset_type"],
            _owner(d, c["owner"]),
            c["assets"],
            f"{c['first_year']}–{c['last_year']}",
            eur(c.get("cost_eur")),
            ", ".join(f"{k} {v}" for k, v in (c.get("reasons") or {}).items()),
        )
        for c in sorted(d.candidates, key=lambda c: (c["first_year"], c["street_name"]))[:60]
    ]
    m = candidate_map(d)
    parts += [
        f"<p>{num(len(d.candidates))} vervangingsopgaven per straat en assettype, samen ongeveer {eur(cost)}: "
        + ", ".join(f"{t} {n}" for t, n in by_type.most_common())
        + f". {num(len(d.candidate_couplings))} daarvan kunnen meeliften met een geregistreerd plan. Op de kaart: "
        "donkerder is eerder aan de beurt.</p>",
        f'<div class="figure">{m.render(caption="vervangingsopgaven")}</div>',
        table(("straat", "type", "eigenaar", "assets", "jaren", "kosten", "reden"), rows, numeric=(3, 5)),
        f'<p class="note">De eerste 60 van {len(d.candidates)}.</p>' if len(d.candidates) > 60 else "",
        _analysis_source(d, "candidates", "analyse van vervangingsopgaven"),
    ]
    return "".join(parts)


def _section_pairs(d: Dossier) -> str:
    by_key = {**d.partners, **{p.key: p for p in d.plans}}

    def name(k: str) -> str:
        p = by_key.get(k)
        return (_plan_name(p) + (" (buiten het gebied)" if k in d.partners else "")) if p else k

    parts = [
        "<h2>7. Koppelkansen en graafrustconflicten / couplings and no-dig conflicts</h2>",
        f"<p>{num(len(d.couplings))} koppelkansen: plannen op dezelfde plek binnen korte tijd, die samen één sleuf "
        f"kunnen delen. {num(len(d.conflicts))} graafrustconflicten: een partij graaft waar kort ervoor nieuw is "
        "bestraat.</p>",
    ]
    if d.couplings:
        rows = [
            (
                name(c["a"]),
                name(c["b"]),
                num(c.get("distance_m"), 1, "m"),
                num(c.get("gap_days"), 0, "dagen"),
                eur(c["explanation"].get("saving_eur")),
                c["explanation"]["text"],
            )
            for c in sorted(d.couplings, key=lambda c: -c.get("score", 0))
        ]
        saving = sum(c["explanation"].get("saving_eur") or 0 for c in d.couplings)
        parts.append(f"<h3>Koppelkansen (samen ongeveer {eur(saving)} besparing)</h3>")
        parts.append(
            table(("plan A", "plan B", "afstand", "tussentijd", "besparing", "toelichting"), rows, numeric=(2, 3, 4))
        )
    if d.conflicts:
        rows = [
            (
                name(c["renewal"]),
                name(c["plan"]),
                num(c.get("overlap_days"), 0, "dagen"),
                f"{c['explanation'].get('no_dig_from')} t/m {c['explanation'].get('no_dig_to')}",
                c["explanation"]["text"],
            )
            for c in d.conflicts
        ]
        parts.append("<h3>Graafrustconflicten</h3>")
        parts.append(
            table(
                ("nieuwe bestrating", "gravend werk", "overlap", "graafrust", "toelichting"),
                rows,
                numeric=(2,),
                row_class=["bad"] * len(rows),
            )
        )
    parts.append(_analysis_source(d, "plans", "koppel- en conflictanalyse"))
    return "".join(parts)


def _section_space(d: Dossier) -> str:
    parts = ["<h2>8. Ruimte in de ondergrond / underground space</h2>"]
    if not d.space:
        parts.append("<p>Voor alle straten van het gebied vond de analyse genoeg vrije ruimte in het profiel.</p>")
    else:
        rows = [
            (
                s["name"],
                s["street_id"],
                s.get("network") or "–",
                num(s["profile_width_m"], 1, "m"),
                num(s["occupied_m"], 1, "m"),
                num(s["free_m"], 1, "m"),
                num(s["required_m"], 1, "m"),
                ", ".join(s.get("planned_by") or []) or "–",
            )
            for s in d.space
        ]
        parts.append(
            "<p>In deze straten past het geplande net niet naast de bestaande kabels en leidingen: de tafel moet "
            "kiezen (ander tracé, leidingen bundelen of het profiel herinrichten).</p>"
        )
        parts.append(
            table(
                ("straat", "vak", "net", "profiel", "bezet", "vrij", "nodig", "gepland door"),
                rows,
                numeric=(3, 4, 5, 6),
                row_class=["bad"] * len(rows),
            )
        )
    return "".join(parts) + _analysis_source(d, "space", "analyse van de ondergrondse ruimte")


def _section_programme(d: Dossier) -> str:
    from openruimte.reports import bundles

    prog = d.programme
    if prog is None:
        return (
            "<h2>9. Voorgesteld programma / proposed programme</h2><p>Geen programma meegegeven: maak er een met "
            "<code>openruimte plan --out programme.json</code> en geef het mee met <code>--programme</code>.</p>"
        )
    if not prog.plans:
        return (
            f"<h2>9. Voorgesteld programma / proposed programme</h2>"
            f"<p>{esc(prog.source)} bevat geen werken in dit gebied.</p>"
        )
    own, new = sum(prog.openings("uncoordinated").values()), sum(prog.openings("programme").values())
    moved = sum(1 for p in prog.plans if (p.start, p.end) != (p.own_start, p.own_end))
    n_bundles = len(set(prog.bundles().values()))
    parts = [
        "<h2>9. Voorgesteld programma / proposed programme</h2>",
        f"<p>Uit {esc(prog.source)} ({prog.from_year}–{prog.to_year}): {num(len(prog.plans))} werken in dit gebied, "
        f"waarvan {num(moved)} een andere periode krijgen dan de eigen planning."
        f" In {num(n_bundles)} bundels delen werken "
        f"een sleuf. Straatopeningen in het gebied: {num(new)} in het programma tegen {num(own)} ongecoördineerd"
        f" ({pct((new - own) / own if own else None, signed=True)}).</p>",
        f'<div class="figure">{gantt.svg(prog, "street")}</div>',
    ]
    try:
        m = bundles.panel(
            prog, d.streets, [d.area, *d.neighbours], "programme", width=1000, bbox=d.area.geometry.bounds
        )
        parts.append("<h3>Bundels op de kaart</h3>")
        parts.append(
            "<p>Straatvakken gekleurd naar het aantal openingen in het programma"
            "; paars omrand waar werken een sleuf delen.</p>"
        )
        parts.append(f'<div class="figure">{m.render(caption="bundels")}</div>')
    except InputError as err:
        parts.append(f'<p class="note">Geen bundelkaart: {esc(err)}</p>')
    parts.append(gantt.bundle_table(prog))
    return "".join(parts)


def _section_sources(d: Dossier) -> str:
    rows = [
        (
            ds["name"],
            {
                "plans": "plannen",
                "assets": "assets",
                "policy": "beleid",
                "environment": "omgeving",
                "vital": "vitale systemen",
                "areas": "gebieden",
                "streets": "straten",
            }.get(ds["category"], ds["category"]),
            ds["source"],
            d.organisations.get(ds.get("owner") or "", ds.get("owner") or "–"),
            date_nl(ds.get("snapshot_date")) if ds.get("snapshot_date") else "–",
            date_nl(ds.get("imported_at")),
            num(ds.get("rows")),
        )
        for ds in d.datasets
    ]
    ana = [(k, date_nl(a["created_at"]), a["actor"]) for k, a in d.analyses.items()]
    return "".join(
        [
            "<h2>10. Bronnen en actualiteit / sources</h2>",
            "<p>De gegevens in dit dossier komen uit deze datasets van de gemeenschappelijke database. De stand is de "
            "peildatum van de dataset, anders de datum van import.</p>",
            table(
                ("dataset", "categorie", "bestand", "eigenaar", "peildatum", "geïmporteerd", "rijen"),
                rows,
                numeric=(6,),
            ),
            table(("analyse", "uitgevoerd", "door"), ana) if ana else "",
        ]
    )


def html(d: Dossier) -> str:
    body = "\n".join(
        [
            _section_area(d),
            _section_agenda(d),
            _section_policy(d),
            _section_plans(d),
            _section_assets(d),
            _section_environment(d),
            _section_vital(d),
            _section_candidates(d),
            _section_pairs(d),
            _section_space(d),
            _section_programme(d),
            _section_sources(d),
            generated_line(
                "Kaarten in RD New (EPSG:28992), getekend uit de database; geen achtergrondkaart van internet."
            ),
        ]
    )
    return page(f"Gebiedsdossier {d.area.name} ({d.area.code})", body)
