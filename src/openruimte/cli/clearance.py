"""Command: ``clearance`` (a design against the cables, pipes, trees and plans around it).

Exit codes: 0 every distance is kept, 1 at least one conflict, 2 the design or the distance table
cannot be used (the message says why)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from openruimte.cli._common import DbOption, _fail, _open, app, console
from openruimte.model import OpenRuimteError


@app.command("clearance")
def clearance(
    plan: Annotated[str | None, typer.Option("--plan", help="A plan as OWNER:ID (its trench or volume).")] = None,
    model: Annotated[
        str | None, typer.Option("--model", help="A registered model version (OWNER:PLAN_ID/LABEL@VERSION or #ID).")
    ] = None,
    geojson: Annotated[
        Path | None,
        typer.Option("--geojson", help="A GeoJSON file of designs (lines: trenches; polygons: buildings)."),
    ] = None,
    distances: Annotated[
        Path | None, typer.Option("--distances", help="A YAML file laid over the default minimum distances.")
    ] = None,
    json_out: Annotated[
        str | None, typer.Option("--json", help="Write the JSON report to this file ('-': print it).")
    ] = None,
    no_plans: Annotated[
        bool, typer.Option("--no-plans", help="Check against cables, pipes and trees only, not other plans.")
    ] = False,
    db: DbOption = None,
) -> None:
    """Check a design's distance to cables, pipes, trees and other plans: exit 0 clear, 1 conflict, 2 bad input."""
    from openruimte.cli.bim import _principal
    from openruimte.services import clearance as service
    from openruimte.store.permissions import View

    if sum(x is not None for x in (plan, model, geojson)) != 1:
        raise _fail("geef precies één ontwerp / give exactly one of --plan, --model, --geojson", 2)
    store = _open(db)
    try:
        report = service.run(
            View(store, _principal()), plan=plan, model=model, geojson=geojson, distances=distances,
            plans=not no_plans,
        )  # fmt: skip
    except OpenRuimteError as err:
        raise _fail(str(err), 2) from None
    finally:
        store.close()
    text = json.dumps(service.as_json(report), ensure_ascii=False, indent=2)
    if json_out == "-":
        typer.echo(text)
    else:
        if json_out is not None:
            Path(json_out).write_text(text, encoding="utf-8")
        _print(report)
    raise typer.Exit(0 if report["passed"] else 1)


def _print(report: dict) -> None:
    for d in report["designs"]:
        console.print(
            f"[bold]{d['label']}[/] ({d['kind']}, {d['depth_m']:g} m diep / deep: {d['depth_source']})", highlight=False
        )
    table = Table(title="Afstanden / clearance")
    for col in ("object", "net / network", "horizontaal (m)", "nodig", "verticaal (m)", "nodig", "resultaat", "diepte"):
        table.add_column(col, overflow="fold")
    for r in report["results"]:
        v = "—" if r["vertical_m"] is None else f"{r['vertical_m']:.2f}"
        rv = "—" if r["required_vertical_m"] is None else f"{r['required_vertical_m']:.2f}"
        depth = r["sources"].get("other_depth") or r["sources"].get("other_crown_diameter") or ""
        table.add_row(
            r["other_label"] or r["other"],
            r["network"],
            f"{r['horizontal_m']:.2f}",
            f"{r['required_horizontal_m']:.2f}",
            v,
            rv,
            "[green]voldoet[/]" if r["passed"] else "[red]conflict[/]",
            depth,
        )
    console.print(table)
    s = report["summary"]
    colour = "green" if not s["conflicts"] else "red"
    console.print(
        f"[{colour}]{s['conflicts']} conflict(en) van {s['checked']} objecten binnen bereik[/] / "
        f"{s['conflicts']} conflict(s) of {s['checked']} objects within reach; tabel / table: "
        f"{', '.join(report['distances'])}",
        highlight=False,
    )
