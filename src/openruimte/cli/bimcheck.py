"""Commands: ``bim check`` (a model against information requirements, IDS) and ``bim ids add|list``
(IDS files registered per organisation).

Exit codes of ``bim check`` (scripts and CI pipelines rely on them): 0 every specification
passes, 1 at least one fails, 2 the IDS or the model cannot be used (the message says why).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from openruimte.cli._common import DbOption, _fail, _open, console, err_console
from openruimte.cli.bim import _principal, _progress, _store_for, bim_app
from openruimte.model import OpenRuimteError

_USAGE_NL = {"required": "verplicht", "optional": "optioneel", "prohibited": "verboden"}


@bim_app.command("check")
def check(
    model: Annotated[
        str, typer.Argument(help="An IFC file, or a registered version (OWNER:PLAN_ID/LABEL@VERSION or #ID).")
    ],
    ids: Annotated[
        list[Path] | None, typer.Option("--ids", help="An IDS 1.0 file with the information requirements (repeatable).")
    ] = None,
    builtin: Annotated[
        list[str] | None,
        typer.Option("--builtin", help="A built-in set of requirements: 'ils' (the Dutch BIM basis ILS)."),
    ] = None,
    json_out: Annotated[
        str | None,
        typer.Option("--json", help="Write the JSON report to this file ('-': print it instead of the table)."),
    ] = None,
    html_out: Annotated[Path | None, typer.Option("--html", help="Write the Dutch HTML report to this file.")] = None,
    bcf_out: Annotated[
        Path | None, typer.Option("--bcf", help="Write a BCF 2.1 file: one topic per failing element.")
    ] = None,
    strict: Annotated[
        bool,
        typer.Option("--strict", help="Refuse pre-IDS-1.0 habits (True for true, * wildcards) instead of warning."),
    ] = False,
    origin_limit: Annotated[
        float,
        typer.Option("--origin-limit", min=1.0, help="--builtin ils: how far (m) from the origin the model may lie."),
    ] = 1000.0,
    db: DbOption = None,
) -> None:
    """Check a model against information requirements (IDS): exit 0 all pass, 1 any fails, 2 invalid input."""
    from openruimte.services import bimcheck

    for path in ids or []:
        if not path.is_file():
            raise _fail(f"{path}: IDS-bestand niet gevonden / IDS file not found", 2)
    store = None
    try:
        store = _store_for(model, db)
        with _progress() as bar:
            task = bar.add_task(f"controleren / checking {Path(model).name}", total=None)
            report, ifc = bimcheck.check(
                model,
                ids or [],
                builtin or [],
                store=store,
                principal=_principal(),
                strict=strict,
                origin_limit_m=origin_limit,
                progress=lambda done, total: bar.update(task, completed=done, total=total),
            )
    except OpenRuimteError as err:
        raise _fail(str(err), 2) from None
    finally:
        if store is not None:
            store.close()
    for doc in report.documents:
        for w in doc["warnings"]:
            err_console.print(
                f"[yellow]warning:[/] {doc['name']} line {w['line']}: {w['message']}; fix: {w['fix']}", highlight=False
            )
    if html_out is not None:
        html_out.write_text(bimcheck.as_html(report), encoding="utf-8")
    if bcf_out is not None:
        bcf_out.write_bytes(bimcheck.as_bcf(report, ifc))
    if json_out == "-":
        typer.echo(bimcheck.as_json(report))
    else:
        if json_out is not None:
            Path(json_out).write_text(bimcheck.as_json(report), encoding="utf-8")
        _print_summary(report)
    raise typer.Exit(0 if report.passed else 1)


def _print_summary(report) -> None:  # noqa: ANN001 - CheckReport
    table = Table(title=f"IDS-controle / check: {report.model_name} ({report.schema})")
    for col in ("specificatie / specification", "bron / source", "gebruik", "toepasbaar", "afgekeurd", "resultaat"):
        table.add_column(col, overflow="fold")
    for s in report.specifications:
        table.add_row(
            f"{s.identifier + ' ' if s.identifier else ''}{s.name}",
            s.source,
            _USAGE_NL.get(s.usage, s.usage),
            str(s.applicable),
            str(s.failed_elements),
            "[green]voldoet[/]" if s.passed else "[red]voldoet niet[/]",
        )
    console.print(table)
    failed = [s for s in report.specifications if not s.passed]
    if failed:
        console.print(
            f"[red]{len(failed)} van {len(report.specifications)} specificaties niet gehaald[/] / "
            f"{len(failed)} of {len(report.specifications)} specifications fail",
            highlight=False,
        )
    else:
        console.print("[green]alle specificaties gehaald / every specification passes[/]")


ids_app = typer.Typer(
    help="IDS-bestanden van organisaties / IDS files registered per organisation.", no_args_is_help=True
)
bim_app.add_typer(ids_app, name="ids")


@ids_app.command("add")
def ids_add(
    file: Annotated[Path, typer.Argument(help="The IDS 1.0 file.")],
    org: Annotated[str, typer.Option("--org", help="The organisation's code.")],
    name: Annotated[
        str | None, typer.Option("--name", help="Name of the requirement set (default: the file name); a new version.")
    ] = None,
    strict: Annotated[bool, typer.Option("--strict", help="Refuse pre-IDS-1.0 habits instead of warning.")] = False,
    db: DbOption = None,
) -> None:
    """Register an IDS file for an organisation (a new version when the name exists); new models are checked."""
    from openruimte.services import bimids

    if not file.is_file():
        raise _fail(f"{file}: IDS-bestand niet gevonden / IDS file not found", 2)
    store = _open(db)
    try:
        row = bimids.register(store, _principal(), org, file, name=name, strict=strict)
    except OpenRuimteError as err:
        raise _fail(str(err), 2) from None
    finally:
        store.close()
    for w in row.get("warnings", []):
        err_console.print(f"[yellow]warning:[/] {file.name} line {w['line']}: {w['message']}; fix: {w['fix']}")
    if row.get("unchanged"):
        console.print(f"{file.name} is gelijk aan {row['ref']}; niets geregistreerd / identical, nothing registered")
        return
    console.print(
        f"geregistreerd / registered {row['ref']} (id #{row['id']}): {row['title']}, "
        f"{row['specifications']} specificaties"
    )


@ids_app.command("list")
def ids_list(
    org: Annotated[str | None, typer.Option("--org", help="Only this organisation.")] = None,
    all_versions: Annotated[bool, typer.Option("--all", help="Every version, not only the newest.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    db: DbOption = None,
) -> None:
    """The registered IDS files (newest version of each, or --all)."""
    from openruimte.services import bimids

    store = _open(db)
    try:
        rows = bimids.list_ids(store, _principal(), org=org, all_versions=all_versions)
    except OpenRuimteError as err:
        raise _fail(str(err)) from None
    finally:
        store.close()
    if as_json:
        typer.echo(json.dumps(rows, default=str, ensure_ascii=False, indent=2))
        return
    if not rows:
        console.print("geen IDS-bestanden geregistreerd / no IDS files registered")
        return
    table = Table(title="IDS-bestanden / IDS files")
    for col in ("id", "ref", "titel / title", "specificaties", "sha256", "geregistreerd / at", "door / by"):
        table.add_column(col, overflow="fold")
    for r in rows:
        table.add_row(
            f"#{r['id']}", r["ref"], r["title"], str(r["specifications"]), r["sha256"][:12],
            str(r["created_at"])[:19], str(r["created_by"]),
        )  # fmt: skip
    console.print(table)
