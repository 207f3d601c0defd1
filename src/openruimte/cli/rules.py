"""Commands: ``rules check`` (a design against the plan rules at its location).

Exit codes of ``rules check`` (scripts and CI pipelines rely on them): 0 every applicable
check passes (a check that cannot be done is listed, with why), 1 at least one fails,
2 the input cannot be used (the message says why).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from openruimte.cli._common import DbOption, _fail, _open, app, console, err_console
from openruimte.model import OpenRuimteError

rules_app = typer.Typer(help="Plan-regels / plan rules: check a design.", no_args_is_help=True)
app.add_typer(rules_app, name="rules")

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
    import dataclasses

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
