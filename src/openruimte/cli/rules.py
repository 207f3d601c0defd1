"""Commands: ``rules export|plans`` and the body of ``import rules`` (plan rules, issue 15).

The CLI acts as the local system (it may write everything); the audit log names ``cli:USER``.
"""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from openruimte.cli._common import DbOption, _fail, _open, app, console, err_console
from openruimte.model import OpenRuimteError

rules_app = typer.Typer(
    help="Planregels / plan rules (IMRO2012, STOP/TPOD): export and list the imported plans.", no_args_is_help=True
)
app.add_typer(rules_app, name="rules")


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


def import_rules(file: Path, owner: str | None, dry_run: bool, db: str | None) -> None:
    """``openruimte import rules FILE|FOLDER [--owner ORG] [--dry-run]``."""
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from openruimte.services import rules

    store = _open(db)
    try:
        with Progress(SpinnerColumn(), TextColumn("{task.description}"), TextColumn("{task.completed:,.0f}"),
                      TimeElapsedColumn(), console=err_console, transient=True) as bar:  # fmt: skip
            task = bar.add_task(f"planregels lezen / reading plan rules {file.name}", total=None)
            result = rules.import_rules(
                store, file, owner=owner, actor=_actor(), dry_run=dry_run,
                progress=lambda n: bar.update(task, completed=n),
            )  # fmt: skip
    except OpenRuimteError as err:
        raise _fail(str(err)) from None
    finally:
        store.close()
    _print_import(result)


def _print_import(result: Any) -> None:
    for warning in result.plan.warnings:
        err_console.print(f"[yellow]warning:[/] {warning}", highlight=False)
    plan = result.plan
    title = f"{plan.plan_name or plan.source} ({plan.regime}): {', '.join(plan.plan_ids)}"
    table = Table(title=title)
    table.add_column("soort / kind")
    table.add_column("regels / rules", justify="right")
    table.add_column("gecontroleerd / checked")
    for row in result.summary():
        table.add_row(row["kind"], str(row["count"]), "ja / yes" if row["checked"] else "nee / no (kept, listed)")
    console.print(table)
    if plan.unresolved:
        console.print(
            f"niet gevonden / unresolved: {len(plan.unresolved)} locatie(s) of koppeling(en); see the warnings",
            highlight=False,
        )
    if result.dry_run:
        console.print("dry run: niets opgeslagen / nothing stored")
    else:
        stored = result.stored
        console.print(
            f"opgeslagen / stored {stored['inserted']} regels / rules"
            + (f", {stored['removed']} vervangen / replaced" if stored["removed"] else "")
            + f" (dataset #{stored['dataset_id']})",
            highlight=False,
        )


@rules_app.command("export")
def export(
    out: Annotated[Path, typer.Argument(help="The GeoJSON file to write (OUT.geojson).")],
    db: DbOption = None,
    crs: Annotated[
        str,
        typer.Option(help="EPSG:28992 (RD New, with the legacy GeoJSON 'crs' member) or EPSG:4326 (WGS84)."),
    ] = "EPSG:28992",
    kind: Annotated[list[str] | None, typer.Option(help="Only rules of this kind (repeatable).")] = None,
    plan_id: Annotated[list[str] | None, typer.Option("--plan-id", help="Only this plan's rules (repeatable).")] = None,
    bbox: Annotated[str | None, typer.Option(help="Only rules in MINX,MINY,MAXX,MAXY (EPSG:28992).")] = None,
) -> None:
    """Write every plan rule as a GeoJSON feature (kind, value, unit, plan_id, source_id, article, name, regime)."""
    from openruimte.services import rules

    box = None
    if bbox:
        try:
            box = tuple(float(v) for v in bbox.split(","))
        except ValueError:
            box = ()
        if len(box) != 4:
            raise _fail(f"--bbox {bbox}: expected four numbers MINX,MINY,MAXX,MAXY in EPSG:28992")
    store = _open(db)
    try:
        counts = rules.export_geojson(store, out, crs=crs, bbox=box, kinds=kind, plan_ids=plan_id)  # type: ignore[arg-type]
    except OpenRuimteError as err:
        raise _fail(str(err)) from None
    finally:
        store.close()
    total = sum(counts.values())
    details = ", ".join(f"{k} {n}" for k, n in sorted(counts.items()))
    console.print(f"{total} regels / rules -> {out} ({details or 'none'})", highlight=False)


@rules_app.command("plans")
def plans(db: DbOption = None) -> None:
    """The plans whose rules are imported, with the number of rules per kind."""
    from openruimte.services import rules

    store = _open(db)
    try:
        found = rules.plans(store)
    finally:
        store.close()
    table = Table(title="plannen met regels / plans with rules")
    for col in ("plan", "regime", "owner", "rules", "kinds"):
        table.add_column(col)
    for p in found:
        kinds = ", ".join(f"{k} {n}" for k, n in sorted(p["kinds"].items()))
        table.add_row(p["plan_id"], p["regime"], p["owner"] or "-", str(p["rules"]), kinds)
    console.print(table)
