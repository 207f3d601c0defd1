"""Commands: ``rules export|plans|check`` and the body of ``import rules`` (plan rules, issue 15).

The CLI acts as the local system (it may write everything); the audit log names ``cli:USER``.

Exit codes of ``rules check`` (scripts and CI pipelines rely on them): 0 every applicable
check passes (a check that cannot be done is listed, with why), 1 at least one fails,
2 the input cannot be used (the message says why).
"""

from __future__ import annotations

import dataclasses
import getpass
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from openruimte.cli._common import DbOption, _fail, _open, app, console, err_console
from openruimte.model import OpenRuimteError

rules_app = typer.Typer(
    help="Planregels / plan rules (IMRO2012, STOP/TPOD): export, list the imported plans, check a design.",
    no_args_is_help=True,
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


# ------------------------------------------------------------------------------ check (a design)

_STATUS = {
    "pass": "[green]voldoet[/]",
    "fail": "[bold red]voldoet niet[/]",
    "cannot_check": "[yellow]niet te controleren[/]",
    "not_applicable": "[dim]geen regel[/]",
}


@rules_app.command("check")
def check(
    model: Annotated[Path | None, typer.Argument(help="An IFC file (placed by its georeferencing or --at).")] = None,
    plan: Annotated[
        str | None,
        typer.Option("--plan", help="Check a plan (OWNER:ID): its model's newest version, else its own volume."),
    ] = None,
    model_ref: Annotated[
        str | None, typer.Option("--model", help="With --plan: which model (its label, or a version id).")
    ] = None,
    json_out: Annotated[
        str | None, typer.Option("--json", help="Write the JSON report to this file ('-': print it instead).")
    ] = None,
    html_out: Annotated[Path | None, typer.Option("--html", help="Write the Dutch HTML report to this file.")] = None,
    peil: Annotated[
        float | None, typer.Option("--peil", help="The reference level (peil) in m NAP, instead of model/terrain.")
    ] = None,
    tolerance: Annotated[
        float | None,
        typer.Option("--tolerance", min=0.0, help="How far (m) a footprint may lie outside its bouwvlak (0.05)."),
    ] = None,
    height_tolerance: Annotated[
        float | None, typer.Option("--height-tolerance", min=0.0, help="How far (m) a height may exceed (0.05).")
    ] = None,
    at: Annotated[
        str | None, typer.Option("--at", help="Place a file without georeferencing: X,Y[,ROTATION] in RD metres.")
    ] = None,
    keep: Annotated[
        bool, typer.Option("--keep/--no-keep", help="With --plan: keep the run in the plan's check history.")
    ] = True,
    db: DbOption = None,
) -> None:
    """Check a design against the plan rules at its location: exit 0 all pass, 1 any fails, 2 invalid input."""
    from openruimte.bim.georef import parse_at
    from openruimte.cli.bim import _principal, _progress
    from openruimte.reports import rulecheck as report
    from openruimte.services import rulecheck

    if (model is None) == (plan is None):
        raise _fail("geef een IFC-bestand of --plan EIGENAAR:ID / give an IFC file or --plan OWNER:ID", 2)
    if model is not None and not model.is_file():
        raise _fail(f"{model}: bestand niet gevonden / file not found", 2)
    s = rulecheck.settings()
    if tolerance is not None:
        s = dataclasses.replace(s, bouwvlak_tolerance_m=tolerance)
    if height_tolerance is not None:
        s = dataclasses.replace(s, height_tolerance_m=height_tolerance)
    store = _open(db)
    try:
        if plan is not None:
            doc = rulecheck.check_plan(store, _principal(), plan, model=model_ref, peil=peil, save=keep, settings_=s)
        else:
            with _progress() as bar:
                task = bar.add_task(f"plaatsen / placing {model.name}", total=None)  # type: ignore[union-attr]
                doc = rulecheck.check_file(
                    store,
                    model,  # type: ignore[arg-type]
                    peil=peil,
                    at=parse_at(at) if at else None,
                    settings_=s,
                    progress=lambda done, total: bar.update(task, completed=done, total=total),
                )
    except OpenRuimteError as err:
        raise _fail(str(err), 2) from None
    finally:
        store.close()
    if json_out == "-":
        console.print_json(report.to_json(doc))
    else:
        _print(doc)
        if json_out:
            Path(json_out).write_text(report.to_json(doc), encoding="utf-8")
            err_console.print(f"JSON: {json_out}")
    if html_out is not None:
        html_out.write_text(report.to_html(doc), encoding="utf-8")
        err_console.print(f"HTML: {html_out}")
    raise typer.Exit(1 if doc["status"] == "fail" else 0)


def _print(doc: dict) -> None:
    design = doc["design"]
    title = (doc.get("model") or {}).get("ref") or (doc.get("model") or {}).get("file_name") or doc.get("plan")
    table = Table(title=f"Toets plan-regels / plan-rule check: {title}", show_lines=False)
    for col in ("toets / check", "uitkomst", "gemeten", "grens", "toelichting", "regel / rule"):
        table.add_column(col)
    for r in doc["results"]:
        unit = {"count": "", None: ""}.get(r["unit"], f" {r['unit']}")
        table.add_row(
            r["name_nl"],
            _STATUS.get(r["status"], r["status"]),
            "–" if r["measured"] is None else f"{r['measured']:g}{unit}",
            "–" if r["limit"] is None else f"{r['limit']:g}{unit}",
            r["message_nl"],
            " ".join(x for x in (r.get("plan_id"), r.get("article"), r.get("source_id")) if x),
        )
    console.print(table)
    for note in design.get("notes") or []:
        console.print(f"  {note}", style="dim", highlight=False)
    if not doc.get("rules_plans"):
        console.print(
            "Geen plan-regels op deze plek (openruimte import rules FILE) / no plan rules at this location",
            style="yellow",
        )
