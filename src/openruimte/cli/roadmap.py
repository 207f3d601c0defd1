"""``openruimte roadmap``: the BIM roadmap (routekaart): definitions, self-assessments,
the metro map, the poster wall, export and evidence from the platform.

Reads are made as one organisation sees them (``--as ORG``): ``show`` defaults to
the organisation itself, ``compare`` and ``export`` to what is public. So an
organisation's private assessments never end up on a shared poster or export.
Writes are made by the local admin and land in the audit log as ``cli:<os user>``.
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from openruimte.cli._common import DbOption, _fail, _open, app, console
from openruimte.model import OpenRuimteError
from openruimte.model.access import ANONYMOUS, Principal, Role

roadmap_app = typer.Typer(
    help="De BIM-routekaart / the BIM roadmap: define, assess, show, compare, export, evidence.",
    no_args_is_help=True,
)
app.add_typer(roadmap_app, name="roadmap")

RoadmapOption = Annotated[
    str | None,
    typer.Option("--roadmap", help="Roadmap name (default: provincies for a province, else gemeenten)."),
]
DateOption = Annotated[
    str | None, typer.Option("--date", help="The date (YYYY-MM-DD) to show or record; default today.")
]
AsOption = Annotated[
    str | None,
    typer.Option("--as", help="See it as this organisation sees it (its own, shared with it, public)."),
]


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


def _writer() -> Principal:
    return Principal(actor=_actor(), system=True, auth="cli")


def _viewer(org: str | None) -> Principal:
    if org is None:
        return ANONYMOUS
    return Principal(org=org, role=Role.VIEWER, actor=_actor(), auth="cli")


def _date(value: str | None, option: str = "--date") -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise _fail(f"{option} {value!r} is not a date; write it as YYYY-MM-DD, e.g. 2026-06-01") from None


@roadmap_app.command("define")
def define(
    file: Annotated[Path | None, typer.Argument(help="A definition file (YAML or JSON).")] = None,
    owner: Annotated[str | None, typer.Option("--owner", help="The organisation whose own definition it is.")] = None,
    check: Annotated[bool, typer.Option("--check", help="Only validate the file; store nothing.")] = False,
    list_: Annotated[bool, typer.Option("--list", help="List the stored and shipped definitions.")] = False,
    db: DbOption = None,
) -> None:
    """Load a roadmap definition (validated; errors name file, line and key) as a new version."""
    from openruimte.roadmap import load_definition
    from openruimte.services import roadmap as svc

    if file is None and not list_:
        raise _fail("give a definition FILE, or --list")
    try:
        if file is not None and check:
            d = load_definition(file)
            console.print(f"{file.name}: roadmap {d.name} version {d.version} is valid ({len(d.stations())} stations)")
            return
        store = _open(db)
        try:
            if file is not None:
                d = svc.define(store, file, _writer(), owner=owner)
                console.print(
                    f"roadmap {d.name} version {d.version} stored: {len(d.lines)} lines, {len(d.stations())} stations",
                    highlight=False,
                )
            if list_:
                table = Table(title="routekaarten / roadmaps")
                for col in ("name", "version", "title", "owner", "stored"):
                    table.add_column(col)
                for r in svc.definitions(store):
                    table.add_row(
                        r["name"],
                        str(r["version"]),
                        r["title"],
                        r.get("owner") or "-",
                        "yes" if r.get("stored", True) else "shipped",
                    )
                console.print(table)
        finally:
            store.close()
    except OpenRuimteError as err:
        raise _fail(str(err)) from None


@roadmap_app.command("assess")
def assess(
    org: Annotated[str, typer.Option("--org", help="The organisation that assesses itself.")],
    station: Annotated[str, typer.Option("--station", help="The station id (see roadmap show).")],
    state: Annotated[
        str,
        typer.Option("--state", help="niet_gestart, verkennen, in_ontwikkeling, operationeel or geborgd (or 0-4)."),
    ],
    roadmap: RoadmapOption = None,
    date: DateOption = None,
    note: Annotated[str | None, typer.Option("--note", help="A note with the assessment.")] = None,
    link: Annotated[list[str] | None, typer.Option("--link", help="Evidence link (repeatable).")] = None,
    document: Annotated[list[str] | None, typer.Option("--document", help="A document (repeatable).")] = None,
    visibility: Annotated[
        str, typer.Option("--visibility", help="private (own organisation), shared or public.")
    ] = "private",
    share_with: Annotated[
        list[str] | None, typer.Option("--share-with", help="With --visibility shared: an organisation (repeatable).")
    ] = None,
    db: DbOption = None,
) -> None:
    """Record the state of one station (kept beside the earlier assessments)."""
    from openruimte.services import roadmap as svc

    on = _date(date)
    store = _open(db)
    try:
        pk = svc.assess(
            store,
            _writer(),
            org=org,
            station=station,
            state=state,
            roadmap=roadmap,
            on=on,
            note=note,
            links=link or [],
            documents=document or [],
            visibility=visibility,
            shared_with=share_with or [],
        )
    except OpenRuimteError as err:
        raise _fail(str(err)) from None
    finally:
        store.close()
    console.print(f"assessment {pk}: {org} {station} = {state} ({visibility})", highlight=False)


@roadmap_app.command("show")
def show(
    org: Annotated[str, typer.Option("--org", help="The organisation whose metro map to show.")],
    roadmap: RoadmapOption = None,
    date: DateOption = None,
    out: Annotated[Path | None, typer.Option("--out", help="Write the metro map as SVG.")] = None,
    since: Annotated[
        str | None, typer.Option("--since", help="Also show the progress since this date (YYYY-MM-DD).")
    ] = None,
    as_: AsOption = None,
    lang: Annotated[str, typer.Option("--lang", help="Language of the map's line names: nl or en.")] = "nl",
    as_json: Annotated[bool, typer.Option("--json", help="Print the status as JSON.")] = False,
    db: DbOption = None,
) -> None:
    """The status of one organisation: stations, states, maturity index; the metro map with --out."""
    from openruimte.roadmap.status import LABEL_NL, State
    from openruimte.services import roadmap as svc

    at = _date(date)
    start = _date(since, "--since")
    store = _open(db)
    try:
        principal = _viewer(as_ or org)
        name = roadmap or svc.default_roadmap(store, org)
        doc = svc.status_dict(store, principal, name, org, at)
        if out is not None:
            out.write_text(svc.metro(store, principal, name, org, at, lang=lang), encoding="utf-8")
        prog = svc.progress_of(store, principal, name, org, start, at) if start is not None else None
    except OpenRuimteError as err:
        raise _fail(str(err)) from None
    finally:
        store.close()
    if as_json:
        console.print_json(json.dumps({**doc, "progress": prog}, default=str))
        return
    table = Table(title=f"{doc['title']} - {doc['org_name']} ({doc['date']})")
    for col in ("line", "station", "name", "state", "assessed"):
        table.add_column(col)
    for s in doc["stations"]:
        a = s["assessment"]
        table.add_row(s["line"], s["station"], s["name"], LABEL_NL[State(s["state"])], a["assessed_on"] if a else "-")
    console.print(table)
    lines = ", ".join(f"{k} {v:.1f}" for k, v in doc["index"]["lines"].items())
    console.print(f"volwassenheidsindex / maturity index: {doc['index']['overall']:.1f} ({lines})", highlight=False)
    if prog is not None:
        console.print(
            f"voortgang / progress {prog['since']} -> {prog['until']}: index "
            f"{prog['index_since']['overall']:.1f} -> {prog['index_until']['overall']:.1f}",
            highlight=False,
        )
        for c in prog["changes"]:
            console.print(f"  {c['station']}: {c['from_nl']} -> {c['to_nl']}", highlight=False)
    if out is not None:
        console.print(f"metro map written to {out}", highlight=False)


@roadmap_app.command("compare")
def compare(
    roadmap: Annotated[str, typer.Option("--roadmap", help="The roadmap: gemeenten, provincies or a stored one.")],
    date: DateOption = None,
    out: Annotated[Path | None, typer.Option("--out", help="Write the poster wall: WALL.pdf or WALL.html.")] = None,
    paper: Annotated[str, typer.Option("--paper", help="Poster paper size: A3 or A0 (landscape).")] = "A3",
    per_page: Annotated[
        int | None, typer.Option("--per-page", help="Maps per sheet (default 4 on A3, 12 on A0).", min=1)
    ] = None,
    org: Annotated[
        list[str] | None, typer.Option("--org", help="Only these organisations (repeatable; default all visible).")
    ] = None,
    as_: AsOption = None,
    db: DbOption = None,
) -> None:
    """Organisations side by side: maturity index per line; the poster wall with --out."""
    from openruimte.roadmap import maturity
    from openruimte.services import roadmap as svc

    at = _date(date)
    store = _open(db)
    try:
        principal = _viewer(as_)
        entries = svc.wall(store, principal, roadmap, at, org or None)
        definition = svc.get_definition(store, roadmap)
        if out is not None:
            from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

            with Progress(
                SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=console, transient=True
            ) as bar:
                bar.add_task(f"posterwand / poster wall {out.name}", total=None)
                svc.poster(
                    store, principal, roadmap, out, at=at, size=paper.upper(), per_page=per_page, orgs=org or None
                )
    except OpenRuimteError as err:
        raise _fail(str(err)) from None
    finally:
        store.close()
    table = Table(title=f"{definition.title} ({(at or svc.today()).isoformat()})")
    table.add_column("organisation")
    for line in definition.lines:
        table.add_column(line.id, justify="right")
    table.add_column("index", justify="right")
    for e in entries:
        index = maturity(e.status)
        table.add_row(
            e.name, *(f"{index['lines'][line.id]:.1f}" for line in definition.lines), f"{index['overall']:.1f}"
        )
    console.print(table)
    if out is not None:
        console.print(f"poster wall of {len(entries)} organisations written to {out}", highlight=False)


@roadmap_app.command("export")
def export(
    out: Annotated[Path, typer.Option("--out", help="FILE.json (with status and index) or FILE.csv.")],
    roadmap: Annotated[str, typer.Option("--roadmap", help="The roadmap.")] = "gemeenten",
    org: Annotated[str | None, typer.Option("--org", help="Only this organisation.")] = None,
    as_: AsOption = None,
    db: DbOption = None,
) -> None:
    """Export the visible assessments (the whole history)."""
    from openruimte.services import roadmap as svc

    store = _open(db)
    try:
        n = svc.export(store, _viewer(as_), roadmap, out, org=org)
    except OpenRuimteError as err:
        raise _fail(str(err)) from None
    finally:
        store.close()
    console.print(f"{n} assessments written to {out}", highlight=False)


@roadmap_app.command("evidence")
def evidence(
    org: Annotated[str, typer.Option("--org", help="The organisation.")],
    roadmap: RoadmapOption = None,
    accept: Annotated[
        str | None, typer.Option("--accept", help="Accept the proposal for this station (records an assessment).")
    ] = None,
    visibility: Annotated[
        str, typer.Option("--visibility", help="With --accept: private, shared or public.")
    ] = "private",
    share_with: Annotated[
        list[str] | None, typer.Option("--share-with", help="With --accept and shared: an organisation (repeatable).")
    ] = None,
    db: DbOption = None,
) -> None:
    """What the platform shows of an organisation, proposed per station; never set without --accept."""
    from openruimte.roadmap.status import LABEL_NL
    from openruimte.services import roadmap as svc

    store = _open(db)
    try:
        if accept is not None:
            pk = svc.accept(
                store, _writer(), org, accept, roadmap=roadmap, visibility=visibility, shared_with=share_with or []
            )
            console.print(f"assessment {pk}: proposal for {accept} accepted", highlight=False)
            return
        report = svc.evidence(store, _writer(), org, roadmap)
    except OpenRuimteError as err:
        raise _fail(str(err)) from None
    finally:
        store.close()
    for note in report.facts.notes:
        console.print(f"[yellow]let op / note:[/] {note}", highlight=False)
    if not report.proposals:
        console.print(f"geen voorstellen / no proposals for {org} on {report.roadmap}", highlight=False)
        return
    table = Table(title=f"voorstellen / proposals: {org} ({report.roadmap})")
    for col in ("station", "now", "proposed", "evidence"):
        table.add_column(col)
    for p in report.proposals:
        table.add_row(p.station, LABEL_NL[p.current], LABEL_NL[p.state], "; ".join(e["text"] for e in p.evidence))
    console.print(table)
    console.print("accept one with: openruimte roadmap evidence --org ORG --accept STATION", highlight=False)
