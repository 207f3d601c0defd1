"""Reports of a programme and of an area: ``gantt``, ``bundles``, ``compare``, ``dossier``."""

from __future__ import annotations

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
    from openruimte.services import reports

    store = _optional_store(db, needed=area is not None)
    try:
        prog = reports.read_programme(programme, store, area)
        if not prog.plans:
            raise _fail(f"no plans to draw{' in area ' + area if area else ''}")
        written = reports.gantt(prog, out, group.value, png)
    except InputError as err:
        raise _fail(str(err)) from None
    finally:
        if store is not None:
            store.close()
    _wrote(*written)


@app.command()
def bundles(
    programme: ProgrammeArg,
    out: Annotated[Path, typer.Option("--out", help="HTML file to write (self-contained, works offline).")],
    png: Annotated[Path | None, typer.Option("--png", help="Also a PNG of the three maps.")] = None,
    db: DbOption = None,
) -> None:
    """Map of the bundles: street openings per segment, programme against uncoordinated."""
    from openruimte.services import reports

    store = _open(db)
    try:
        written = reports.bundles(store, programme, out, png)
    except InputError as err:
        raise _fail(str(err)) from None
    finally:
        store.close()
    _wrote(*written)


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
    from openruimte.services import reports

    labels = label or ["A", "B"]
    if len(labels) != 2:
        raise _fail(f"give --label twice (one per scenario), got {len(labels)}")
    try:
        written = reports.compare(a, b, out, (labels[0], labels[1]))
    except InputError as err:
        raise _fail(str(err)) from None
    _wrote(*written)


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
    from openruimte.services import reports

    try:
        reports.read_programme_json(programme)  # a bad file fails before the database is opened
    except InputError as err:
        raise _fail(str(err)) from None
    store = _open(db)
    try:
        with console.status(f"gebiedsdossier {area} samenstellen / collecting ...") as status:
            dos, written = reports.dossier(store, area, out, programme=programme, pdf=pdf, step=status.update)
    except OpenRuimteError as err:
        raise _fail(str(err)) from None
    finally:
        store.close()
    console.print(
        f"{dos.area.name} ({area}): {len(dos.plans)} plans, {len(dos.couplings)} couplings, "
        f"{len(dos.conflicts)} no-dig conflicts, {len(dos.candidates)} replacement candidates"
    )
    _wrote(*written)
