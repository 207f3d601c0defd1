"""Reports of a programme and of an area: ``gantt``, ``bundles``, ``compare``, ``dossier``."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from openruimte.cli._common import DbOption, _fail, _open, app, console
from openruimte.model import InputError, OpenRuimteError

ProgrammeArg = Annotated[Path, typer.Argument(help="programme.json written by `openruimte plan --out`.")]


class GroupBy(StrEnum):
    street = "street"
    owner = "owner"


def _read(path: Path, store: Any = None, area: str | None = None) -> Any:
    from openruimte.reports import enrich, read_programme

    prog = read_programme(path)
    if store is not None:
        enrich(prog, store.plans(), store.streets())
    if area is not None:
        prog = _restrict(prog, store, area)
    return prog


def _restrict(prog: Any, store: Any, code: str) -> Any:
    """Only the plans of area ``code`` (or its buurten): by the plan's area, its geometry or its streets."""
    areas = {a.code: a for a in store.areas()}
    if code not in areas:
        raise InputError(f"no area '{code}' in the database", "--area")
    geom = areas[code].geometry
    codes = {code, *(a.code for a in areas.values() if a.parent == code)}
    plans = {p.key for p in store.plans() if p.area in codes or p.geometry.intersects(geom)}
    streets = {s.id for s in store.streets() if s.area in codes or s.geometry.intersects(geom)}
    return prog.restrict({p.key for p in prog.plans if p.key in plans or p.area in codes or set(p.segments) & streets})


def _optional_store(db: str | None, needed: bool) -> Any:
    """The store when one is named or exists (street names, excavation, no-dig periods); else None."""
    from openruimte.settings import Settings
    from openruimte.store.repository import DEFAULT_DB

    if needed or db or Settings().database_url or Path(DEFAULT_DB).exists():
        return _open(db)
    return None


def _wrote(*paths: Path) -> None:
    for p in paths:
        console.print(f"wrote {p} ({p.stat().st_size / 1024:,.0f} kB)")


@app.command()
def gantt(
    programme: ProgrammeArg,
    out: Annotated[Path, typer.Option("--out", help="HTML file to write (self-contained, works offline).")],
    png: Annotated[
        Path | None, typer.Option("--png", help="Also a PNG; more than 90 rows continue in NAME-2.png, NAME-3.png ...")
    ] = None,
    group: Annotated[GroupBy, typer.Option("--group", help="Group the bars per street or per owner.")] = GroupBy.street,
    area: Annotated[
        str | None, typer.Option("--area", help="Only the plans of this area code (needs the database).")
    ] = None,
    db: DbOption = None,
) -> None:
    """Gantt chart of a programme: proposed and own periods, bundles, no-dig periods."""
    from openruimte.reports import gantt as g

    store = _optional_store(db, needed=area is not None)
    try:
        prog = _read(programme, store, area)
        if not prog.plans:
            raise _fail(f"no plans to draw{' in area ' + area if area else ''}")
        g.write_html(prog, out, group.value)
        pngs = g.write_png(prog, png, group.value) if png else []
    except InputError as err:
        raise _fail(str(err)) from None
    finally:
        if store is not None:
            store.close()
    _wrote(out, *pngs)


@app.command()
def bundles(
    programme: ProgrammeArg,
    out: Annotated[Path, typer.Option("--out", help="HTML file to write (self-contained, works offline).")],
    png: Annotated[Path | None, typer.Option("--png", help="Also a PNG of the three maps.")] = None,
    db: DbOption = None,
) -> None:
    """Map of the bundles: street openings per segment, programme against uncoordinated."""
    from openruimte.reports import bundles as b

    store = _open(db)
    try:
        prog = _read(programme, store)
        streets, areas = store.streets(), store.areas()
        b.write_html(prog, streets, areas, out)
        if png:
            b.write_png(prog, streets, areas, png)
    except InputError as err:
        raise _fail(str(err)) from None
    finally:
        store.close()
    _wrote(out, *([png] if png else []))


@app.command()
def compare(
    a: Annotated[Path, typer.Argument(help="First programme.json.")],
    b: Annotated[Path, typer.Argument(help="Second programme.json.")],
    out: Annotated[Path, typer.Option("--out", help="HTML file to write.")],
    label: Annotated[
        list[str] | None, typer.Option("--label", help="Names of the two scenarios (give twice; default A and B).")
    ] = None,
) -> None:
    """Two scenarios side by side: metrics, budgets per owner and year, moved plans, settings."""
    from openruimte.reports import compare as c
    from openruimte.reports import read_programme

    labels = label or ["A", "B"]
    if len(labels) != 2:
        raise _fail(f"give --label twice (one per scenario), got {len(labels)}")
    try:
        c.write_html(read_programme(a), read_programme(b), out, labels[0], labels[1])
    except InputError as err:
        raise _fail(str(err)) from None
    _wrote(out)


@app.command()
def dossier(
    area: Annotated[str, typer.Option("--area", help="Area code (buurt or wijk), e.g. BU09990002.")],
    out: Annotated[Path, typer.Option("--out", help="HTML file to write.")],
    programme: Annotated[
        Path | None, typer.Option("--programme", help="programme.json: add the proposed programme for the area.")
    ] = None,
    pdf: Annotated[Path | None, typer.Option("--pdf", help="Also print the dossier to PDF (needs Chromium).")] = None,
    db: DbOption = None,
) -> None:
    """Area dossier: all five categories, maps, couplings, conflicts and the programme of one area."""
    from openruimte.reports import dossier as d
    from openruimte.reports.pdf import html_to_pdf

    data = None
    if programme is not None:
        try:
            data = json.loads(programme.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
            raise _fail(f"{programme}: cannot read the programme: {err}") from None
    store = _open(db)
    try:
        with console.status(f"gebiedsdossier {area} samenstellen / collecting ..."):
            dos = d.collect(store, area, data, programme_source=str(programme or ""))
            out.write_text(d.html(dos), encoding="utf-8")
        if pdf:
            with console.status("PDF afdrukken / printing ..."):
                html_to_pdf(out, pdf, title=f"Gebiedsdossier {dos.area.name} ({dos.area.code})")
    except OpenRuimteError as err:
        raise _fail(str(err)) from None
    finally:
        store.close()
    console.print(
        f"{dos.area.name} ({area}): {len(dos.plans)} plans, {len(dos.couplings)} couplings, "
        f"{len(dos.conflicts)} no-dig conflicts, {len(dos.candidates)} replacement candidates"
    )
    _wrote(out, *([pdf] if pdf else []))
