"""Use case of the BIM roadmap (routekaart): read the store, run the pure core
(:mod:`openruimte.roadmap`), save.

Definitions: the newest stored version of a name, else the one shipped with
OpenRuimte (stored as version 1 the first time an assessment uses it).
Assessments are read as one principal may see them (store/permissions.py
:func:`may_see_assessment`): the CLI passes ``--as ORG``, the API the caller.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from openruimte.model import InputError
from openruimte.model.access import Forbidden, Principal
from openruimte.roadmap import (
    SHIPPED,
    Assessment,
    Definition,
    State,
    Status,
    load_definition,
    maturity,
    parse_definition,
    progress,
    shipped_definition,
    status_at,
)
from openruimte.roadmap.evidence import Facts, Proposal, propose
from openruimte.roadmap.metro import metro_svg
from openruimte.roadmap.poster import SIZES, Entry, poster_html
from openruimte.roadmap.status import VISIBILITIES, parse_state
from openruimte.store import roadmap as rs
from openruimte.store import tables as t

#: tables another part of OpenRuimte may add (issue 14, BIM models and IDS): looked for by name,
#: their evidence skipped with a note when absent
IDS_TABLES = ("bim_ids_files",)
MODEL_TABLES = ("bim_models",)
CURRENT_DAYS = 365


def today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


# --------------------------------------------------------------------------- definitions


def get_definition(store: Any, name: str, version: int | None = None) -> Definition:
    """The newest stored version of ``name`` (or ``version``), else the shipped one."""
    row = rs.definition(store, name, version)
    if row is not None:
        if version is None and name in SHIPPED and row["owner"] is None:
            newer = shipped_definition(name)  # a newer OpenRuimte may ship a newer reading
            if newer.version > row["version"]:
                return newer
        return _parsed(row["text"], row["source_file"] or f"{name}.yaml")
    if name in SHIPPED and version in (None, 1):
        return shipped_definition(name)
    stored = sorted({r["name"] for r in rs.definitions(store)} | set(SHIPPED))
    what = f"{name} version {version}" if version is not None else name
    raise InputError(f"no roadmap {what}; known roadmaps: {', '.join(stored)} (load one with roadmap define)", name)


@functools.lru_cache(maxsize=64)
def _parsed(text: str, source: str) -> Definition:
    """A stored definition's text, parsed once per text (a stored version never changes)."""
    return parse_definition(text, source)


def _ensure_stored(store: Any, definition: Definition, principal: Principal) -> None:
    if rs.definition(store, definition.name, definition.version) is None and definition.name in SHIPPED:
        text = _shipped_text(definition.name)
        rs.save_definition(
            store,
            name=definition.name,
            version=definition.version,
            title=definition.title,
            content=definition.to_dict(),
            text=text,
            principal=principal,
            source_file=f"{definition.name}.yaml",
        )


def _shipped_text(name: str) -> str:
    from importlib import resources

    return (resources.files("openruimte.roadmap") / "definitions" / f"{name}.yaml").read_text(encoding="utf-8")


def define(store: Any, path: str | Path, principal: Principal, *, owner: str | None = None) -> Definition:
    """Load a definition file (validated; errors name file, line and key) as a stored version."""
    path = Path(path)
    definition = load_definition(path)
    rs.save_definition(
        store,
        name=definition.name,
        version=definition.version,
        title=definition.title,
        content=definition.to_dict(),
        text=path.read_text(encoding="utf-8"),
        principal=principal,
        owner=owner,
        source_file=path.name,
    )
    return definition


def definitions(store: Any) -> list[dict[str, Any]]:
    """Stored versions plus the shipped definitions not stored yet."""
    rows = rs.definitions(store)
    names = {r["name"] for r in rows}
    for name in SHIPPED:
        if name not in names:
            d = shipped_definition(name)
            rows.append({"name": d.name, "version": d.version, "title": d.title, "owner": None, "stored": False})
    return sorted(rows, key=lambda r: (r["name"], r["version"]))


def default_roadmap(store: Any, org: str) -> str:
    """Provinces follow ``provincies``, everyone else ``gemeenten`` (unless told)."""
    with store.engine.connect() as conn:
        kind = conn.execute(sa.select(t.organisations.c.kind).where(t.organisations.c.code == org)).scalar()
    if kind is None:
        raise InputError(f"unknown organisation {org!r}; see openruimte org list", org)
    return "provincies" if kind == "provincie" else "gemeenten"


# --------------------------------------------------------------------------- assessments


def _assessment(row: dict[str, Any]) -> Assessment:
    return Assessment(
        org=row["org"],
        roadmap=row["roadmap"],
        station=row["station"],
        state=State(row["state"]),
        assessed_on=row["assessed_on"],
        note=row["note"],
        evidence=tuple(row["evidence"] or ()),
        documents=tuple(row["documents"] or ()),
        author=row["author"],
        visibility=row["visibility"],
        shared_with=tuple(row["shared_with"] or ()),
        definition_version=row["definition_version"],
        pk=row["pk"],
    )


def assessments(store: Any, principal: Principal, roadmap: str, org: str | None = None) -> list[Assessment]:
    return [_assessment(r) for r in rs.assessments(store, principal, roadmap=roadmap, org=org)]


def history(store: Any, principal: Principal, roadmap: str, org: str | None = None) -> list[Assessment]:
    """The visible assessments of a known roadmap (and organisation, when given), oldest first."""
    get_definition(store, roadmap)
    if org is not None and org not in rs.organisation_names(store):
        raise InputError(f"unknown organisation {org!r}; see openruimte org list", org)
    return assessments(store, principal, roadmap, org)


def assess(
    store: Any,
    principal: Principal,
    *,
    org: str,
    station: str,
    state: str,
    roadmap: str | None = None,
    on: dt.date | None = None,
    note: str | None = None,
    links: list[str] | None = None,
    documents: list[str] | None = None,
    visibility: str = "private",
    shared_with: list[str] | None = None,
    evidence: list[dict[str, Any]] | None = None,
) -> int:
    """Record one assessment (kept beside the earlier ones); returns its key."""
    return assess_many(
        store,
        principal,
        [
            {
                "org": org,
                "roadmap": roadmap,
                "station": station,
                "state": state,
                "assessed_on": on,
                "note": note,
                "evidence": list(evidence or []) + [{"kind": "link", "text": u, "ref": u} for u in links or []],
                "documents": documents or [],
                "visibility": visibility,
                "shared_with": shared_with or [],
            }
        ],
    )[0]


def assess_many(store: Any, principal: Principal, items: list[dict[str, Any]]) -> list[int]:
    """Validate and record assessments in one transaction (all or none)."""
    rows = []
    known_orgs = set(rs.organisation_names(store))
    cache: dict[str, Definition] = {}
    for item in items:
        org = item["org"]
        if org not in known_orgs:
            raise InputError(f"unknown organisation {org!r}; add it first: openruimte org add {org} --name NAME", org)
        name = item.get("roadmap") or default_roadmap(store, org)
        definition = cache.get(name) or get_definition(store, name)
        cache[name] = definition
        definition.station(item["station"])  # refuses an unknown station, listing the known ones
        state = parse_state(item["state"])
        visibility = item.get("visibility") or "private"
        if visibility not in VISIBILITIES:
            raise InputError(f"visibility {visibility!r}; use one of: {', '.join(VISIBILITIES)}", "visibility")
        shared = sorted(set(item.get("shared_with") or []))
        unknown = [o for o in shared if o not in known_orgs]
        if unknown:
            raise InputError(f"shared with unknown organisation(s) {', '.join(unknown)}", "shared_with")
        if shared and visibility != "shared":
            raise InputError("--share-with needs --visibility shared", "shared_with")
        rows.append(
            {
                **item,
                "roadmap": name,
                "definition_version": definition.version,
                "state": str(state),
                "assessed_on": item.get("assessed_on") or today(),
                "visibility": visibility,
                "shared_with": shared,
            }
        )
    for definition in cache.values():
        _ensure_stored(store, definition, principal)
    return rs.add_assessments(store, rows, principal)


def status(store: Any, principal: Principal, roadmap: str, org: str, at: dt.date | None = None) -> Status:
    if org not in rs.organisation_names(store):
        raise InputError(f"unknown organisation {org!r}; see openruimte org list", org)
    definition = get_definition(store, roadmap)
    return status_at(definition, assessments(store, principal, roadmap, org), org, at or today())


def status_dict(store: Any, principal: Principal, roadmap: str, org: str, at: dt.date | None = None) -> dict[str, Any]:
    """The status as JSON: every station with its state and latest visible assessment, and the index."""
    st = status(store, principal, roadmap, org, at)
    d = st.definition
    names = rs.organisation_names(store)
    return {
        "roadmap": d.name,
        "version": d.version,
        "title": d.title,
        "reading": d.reading,
        "org": org,
        "org_name": names.get(org, org),
        "date": st.at.isoformat(),
        "index": maturity(st),
        "stations": [
            {
                "station": s.id,
                "line": s.line or "end",
                "name": s.name,
                "name_en": s.name_en,
                "branch": s.branch,
                "state": str(st.state(s.id)),
                "criteria": d.criteria(s),
                "evidence_kinds": list(s.evidence),
                "assessment": st.latest[s.id].to_dict() if s.id in st.latest else None,
            }
            for s in d.stations()
        ],
    }


def metro(
    store: Any,
    principal: Principal,
    roadmap: str,
    org: str,
    at: dt.date | None = None,
    *,
    lang: str = "nl",
    legend: bool = True,
) -> str:
    st = status(store, principal, roadmap, org, at)
    return metro_svg(st, org_name=rs.organisation_names(store).get(org, org), lang=lang, legend=legend)


def progress_of(
    store: Any, principal: Principal, roadmap: str, org: str, since: dt.date, until: dt.date | None = None
) -> dict[str, Any]:
    definition = get_definition(store, roadmap)
    result = progress(definition, assessments(store, principal, roadmap, org), org, since, until or today())
    return {**result.to_dict(), "org_name": rs.organisation_names(store).get(org, org)}


# --------------------------------------------------------------------------- the wall


def wall(
    store: Any, principal: Principal, roadmap: str, at: dt.date | None = None, orgs: list[str] | None = None
) -> list[Entry]:
    """Every organisation with a visible assessment on ``roadmap`` (or those named), sorted by name."""
    at = at or today()
    definition = get_definition(store, roadmap)
    visible = assessments(store, principal, roadmap)
    names = rs.organisation_names(store)
    codes = orgs if orgs else sorted({a.org for a in visible})
    unknown = [c for c in codes if c not in names]
    if unknown:
        raise InputError(f"unknown organisation(s) {', '.join(unknown)}; see openruimte org list", "orgs")
    entries = [Entry(c, names[c], status_at(definition, visible, c, at)) for c in codes]
    return sorted(entries, key=lambda e: (e.name.lower(), e.org))


def wall_dict(store: Any, principal: Principal, roadmap: str, at: dt.date | None = None) -> dict[str, Any]:
    at = at or today()
    definition = get_definition(store, roadmap)
    return {
        "roadmap": definition.name,
        "title": definition.title,
        "date": at.isoformat(),
        "lines": [{"id": line.id, "name": line.name, "colour": line.colour} for line in definition.lines],
        "organisations": [
            {"org": e.org, "name": e.name, "index": maturity(e.status)} for e in wall(store, principal, roadmap, at)
        ],
    }


def poster(
    store: Any,
    principal: Principal,
    roadmap: str,
    out: Path,
    *,
    at: dt.date | None = None,
    size: str = "A3",
    per_page: int | None = None,
    orgs: list[str] | None = None,
) -> Path:
    """The poster wall as HTML (``.html``) or PDF (``.pdf``, printed by headless Chromium)."""
    if size not in SIZES:
        raise InputError(f"paper size {size!r}; use one of: {', '.join(SIZES)}", "--paper")
    at = at or today()
    definition = get_definition(store, roadmap)
    html = poster_html(definition, wall(store, principal, roadmap, at, orgs), at, size=size, per_page=per_page)
    out = Path(out)
    if out.suffix.lower() == ".html":
        out.write_text(html, encoding="utf-8")
        return out
    if out.suffix.lower() != ".pdf":
        raise InputError(f"{out.name}: write the poster wall as .pdf or .html", out.name)
    page = out.with_name(out.stem + ".poster.html")
    page.write_text(html, encoding="utf-8")
    try:
        print_poster(page, out)
    finally:
        page.unlink(missing_ok=True)
    return out


def print_poster(html_file: Path, pdf: Path) -> Path:
    """Print a poster page to PDF at the paper size its CSS names (headless Chromium, offline)."""
    from openruimte.reports.pdf import print_pdf

    return print_pdf(html_file, pdf, print_background=True, prefer_css_page_size=True)


# --------------------------------------------------------------------------- export


def export(store: Any, principal: Principal, roadmap: str, out: Path, *, org: str | None = None) -> int:
    """The visible assessments (history) as JSON (with status and index per organisation) or CSV."""
    items = history(store, principal, roadmap, org)
    out = Path(out)
    if out.suffix.lower() == ".csv":
        buf = io.StringIO()
        fields = [
            "org",
            "roadmap",
            "definition_version",
            "station",
            "state",
            "assessed_on",
            "note",
            "evidence",
            "documents",
            "author",
            "visibility",
            "shared_with",
        ]
        w = csv.DictWriter(buf, fieldnames=fields)
        w.writeheader()
        for a in items:
            rec = a.to_dict()
            rec["evidence"] = "; ".join(e.get("ref") or e.get("text") or "" for e in a.evidence)
            rec["documents"] = "; ".join(a.documents)
            rec["shared_with"] = "; ".join(a.shared_with)
            w.writerow({k: rec[k] for k in fields})
        out.write_text(buf.getvalue(), encoding="utf-8")
    elif out.suffix.lower() == ".json":
        at = today()
        definition = get_definition(store, roadmap)
        orgs = sorted({a.org for a in items})
        doc = {
            "roadmap": definition.name,
            "version": definition.version,
            "date": at.isoformat(),
            "organisations": [{"org": o, "index": maturity(status_at(definition, items, o, at))} for o in orgs],
            "assessments": [a.to_dict() for a in items],
        }
        out.write_text(json.dumps(doc, indent=2, ensure_ascii=False), encoding="utf-8")
    else:
        raise InputError(f"{out.name}: export as .json or .csv", out.name)
    return len(items)


# --------------------------------------------------------------------------- evidence from the platform


def _table_count(conn: sa.Connection, names: tuple[str, ...], org: str) -> tuple[int | None, str | None]:
    """Rows of the first of ``names`` that exists (of ``org`` when it has an owner column); None when none exists."""
    inspector = sa.inspect(conn)
    for name in names:
        if inspector.has_table(name):
            table = sa.Table(name, sa.MetaData(), autoload_with=conn)
            query = sa.select(sa.func.count()).select_from(table)
            for col in ("owner", "org"):
                if col in table.c:
                    query = query.where(table.c[col] == org)
                    break
            return int(conn.execute(query).scalar_one()), name
    return None, None


def _checked_versions(conn: sa.Connection, org: str) -> int:
    """Model versions of ``org`` checked against information requirements (IDS)."""
    v, m, c = t.bim_model_versions, t.bim_models, t.bim_check_results
    query = (
        sa.select(sa.func.count(sa.distinct(c.c.version_pk)))
        .select_from(c.join(v, v.c.pk == c.c.version_pk).join(m, m.c.pk == v.c.model_pk))
        .where(m.c.owner == org)
    )
    return int(conn.execute(query).scalar_one())


def facts(store: Any, org: str, *, on: dt.date | None = None) -> Facts:
    """What the store holds of ``org`` that can show where it stands."""
    on = on or today()
    notes: list[str] = []
    p, a = t.plans.c, t.assets.c
    with store.engine.connect() as conn:
        plans = conn.execute(sa.select(p.phase_planning, p.updated_at).where(p.owner == org)).all()
        n_assets = conn.execute(sa.select(sa.func.count()).where(a.owner == org)).scalar_one()
        n_imbor = conn.execute(
            sa.select(sa.func.count()).where(a.owner == org, a.imbor_type.is_not(None), a.imbor_type != "")
        ).scalar_one()
        ds = t.datasets.c
        n_buildings = conn.execute(
            sa.select(sa.func.count())
            .select_from(t.buildings.join(t.datasets, t.buildings.c.dataset_id == ds.pk))
            .where(ds.owner == org)
        ).scalar_one()
        ids, _ = _table_count(conn, IDS_TABLES, org)
        checked = _checked_versions(conn, org) if ids is not None else None
        models, _ = _table_count(conn, MODEL_TABLES, org)
    if ids is None:
        notes.append(
            "geen IDS-tabellen in deze database (BIM/IDS nog niet geïnstalleerd): IDS-bewijs overgeslagen / "
            "no IDS tables in this database: IDS evidence skipped"
        )
    if models is None:
        notes.append(
            "geen tabel met BIM-modellen in deze database: alleen CityJSON-gebouwen geteld / "
            "no BIM model table in this database: only CityJSON buildings counted"
        )
    horizon = on - dt.timedelta(days=CURRENT_DAYS)
    with_phases = [r for r in plans if r.phase_planning]
    current = [r for r in with_phases if r.updated_at is not None and r.updated_at.date() >= horizon]
    return Facts(
        org=org,
        ids_requirements=ids,
        models_checked=checked,
        plans=len(plans),
        plans_with_phases=len(with_phases),
        plans_current=len(current),
        assets=int(n_assets),
        assets_imbor=int(n_imbor),
        buildings=int(n_buildings),
        bim_models_placed=models,
        notes=tuple(notes),
    )


@dataclass
class EvidenceReport:
    org: str
    roadmap: str
    proposals: list[Proposal]
    facts: Facts

    def to_dict(self) -> dict[str, Any]:
        return {
            "org": self.org,
            "roadmap": self.roadmap,
            "proposals": [p.to_dict() for p in self.proposals],
            "notes": list(self.facts.notes),
        }


def evidence(store: Any, principal: Principal, org: str, roadmap: str | None = None) -> EvidenceReport:
    """Proposals from the platform for ``org`` (its own editors and admins, or the local system)."""
    if not (principal.system or principal.org == org):
        raise Forbidden(f"only {org} itself may see the evidence the platform holds of it")
    roadmap = roadmap or default_roadmap(store, org)
    definition = get_definition(store, roadmap)
    st = status_at(definition, assessments(store, principal, roadmap, org), org, today())
    f = facts(store, org)
    return EvidenceReport(org, roadmap, propose(definition, st, f), f)


def accept(
    store: Any,
    principal: Principal,
    org: str,
    station: str,
    *,
    roadmap: str | None = None,
    visibility: str = "private",
    shared_with: list[str] | None = None,
    note: str | None = None,
) -> int:
    """Accept the platform's proposal for one station: an assessment with the evidence linked."""
    report = evidence(store, principal, org, roadmap)
    found = [p for p in report.proposals if p.station == station]
    if not found:
        open_ = ", ".join(p.station for p in report.proposals) or "none"
        raise InputError(f"no proposal for station {station!r} of {org}; open proposals: {open_}", station)
    p = found[0]
    text = note or f"Voorstel van OpenRuimte geaccepteerd / platform proposal accepted: {p.state}"
    return assess(
        store,
        principal,
        org=org,
        station=station,
        state=str(p.state),
        roadmap=report.roadmap,
        note=text,
        visibility=visibility,
        shared_with=shared_with,
        evidence=list(p.evidence),
    )


# --------------------------------------------------------------------------- demo


def demo_roadmap(store: Any, *, actor: str = "demo") -> int:
    """The demo's assessments: three municipalities and the twelve provinces at two dates
    (generated deterministically by :mod:`openruimte.demo._roadmap`); returns how many."""
    from openruimte.demo import _roadmap as gen
    from openruimte.store import security

    system = Principal(actor=actor, system=True, auth="system")
    names = rs.organisation_names(store)
    for org in gen.organisations():
        if org.code not in names:
            security.add_org(store, org.code, org.name, str(org.kind), at_table=False, actor=actor)
    rows: list[dict[str, Any]] = []
    for name, orgs in (("gemeenten", gen.MUNICIPALITIES), ("provincies", gen.PROVINCES)):
        definition = get_definition(store, name)
        stations = [(s.id, s.line or "end", s.branch) for s in definition.stations()]
        rows += gen.assessments(name, [code for code, _ in orgs], stations)
    return len(assess_many(store, system, rows))
