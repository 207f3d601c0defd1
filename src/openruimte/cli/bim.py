"""Commands: ``bim info|diff|list`` and the body of ``import ifc`` (BIM models of plans).

The CLI acts as the local system (it sees and may write everything, as every other
command); the audit log names ``cli:USER``.
"""

from __future__ import annotations

import dataclasses
import getpass
import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from openruimte.cli._common import DbOption, _fail, _open, app, console, err_console
from openruimte.model import OpenRuimteError

bim_app = typer.Typer(help="BIM-modellen (IFC) / BIM models: info, diff and list.", no_args_is_help=True)
app.add_typer(bim_app, name="bim")

AtOption = Annotated[
    str | None,
    typer.Option(
        "--at",
        help="Place a model without (usable) georeferencing: X,Y[,ROTATION] in RD (EPSG:28992) metres, rotation in "
        "degrees counter-clockwise.",
    ),
]


def _principal() -> Any:
    from openruimte.model.access import SYSTEM

    try:
        actor = f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        actor = "cli"
    return dataclasses.replace(SYSTEM, actor=actor)


def _store_for(model: str, db: str | None) -> Any:
    """The store when ``model`` names a registered version, None for a file (which must exist)."""
    from openruimte.services import bim

    if bim.is_version_ref(model):
        return _open(db)
    if not Path(model).exists():
        raise _fail(f"{model}: bestand niet gevonden en geen modelversie / no such file, and not a model version", 2)
    return None


def _progress():  # noqa: ANN202 - a rich Progress
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=err_console, transient=True,
    )  # fmt: skip


def import_ifc(file: Path, plan: str | None, label: str | None, at: str | None, db: str | None) -> None:
    """``openruimte import ifc FILE --plan OWNER:ID [--label TEXT] [--at X,Y[,ROTATION]]``."""
    from openruimte.bim.georef import parse_at
    from openruimte.services import bim

    if not plan:
        raise _fail("import ifc needs --plan OWNER:ID (the plan the model belongs to)")
    store = _open(db)
    try:
        with _progress() as bar:
            task = bar.add_task(f"plaatsen / placing {file.name}", total=None)
            result = bim.register_file(
                store,
                file,
                plan,
                principal=_principal(),
                label=label,
                at=parse_at(at) if at else None,
                progress=lambda done, total: bar.update(task, completed=done, total=total),
            )
    except OpenRuimteError as err:
        raise _fail(str(err)) from None
    finally:
        store.close()
    if result.get("ids_check"):  # bim-ids: the IDS check on upload (services/bimcheck.py)
        c = result["ids_check"]
        console.print(
            f"IDS-controle / check #{c['id']}: {c['status']} "
            f"({(c['summary'] or {}).get('failed', '-')} specificaties niet gehaald / failed)",
            highlight=False,
        )
    for w in result["georef"].get("warnings", []) + result["metadata"].get("warnings", []):
        err_console.print(f"[yellow]warning:[/] {w}", highlight=False)
    for a in result["georef"].get("assumptions", []):
        err_console.print(f"[cyan]aangenomen / assumed:[/] {a}", highlight=False)
    if result["unchanged"]:
        console.print(f"{file.name} is gelijk aan {result['ref']}; niets geregistreerd / identical, nothing registered")
        return
    g = result["georef"]
    console.print(
        f"geregistreerd / registered {result['ref']} (id #{result['id']}): {result['schema']}, "
        f"{result['metadata'].get('elements', 0)} elementen, {len(result['storeys'])} bouwlagen, "
        f"voetafdruk {result['metadata'].get('footprint_area_m2')} m², {result['bottom_m']} .. {result['top_m']} m; "
        f"plaatsing / placement: {g.get('method')} {g.get('crs')}"
    )


@bim_app.command("info")
def info(
    model: Annotated[
        str, typer.Argument(help="An IFC file, or a registered version (OWNER:PLAN_ID/LABEL@VERSION or #ID).")
    ],
    db: DbOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the JSON document (the scripting contract).")] = False,
    at: AtOption = None,
) -> None:
    """What a model holds and where it lies: schema, unit, storeys, georeferencing, footprint, heights."""
    from openruimte.bim.georef import parse_at
    from openruimte.services import bim

    store = None
    try:
        store = _store_for(model, db)
        with _progress() as bar:
            task = bar.add_task(f"lezen / reading {Path(model).name}", total=None)
            doc = bim.info(
                store,
                _principal(),
                model,
                at=parse_at(at) if at else None,
                progress=lambda done, total: bar.update(task, completed=done, total=total),
            )
    except OpenRuimteError as err:
        raise _fail(str(err), 2) from None
    finally:
        if store is not None:
            store.close()
    if as_json:
        console.print_json(json.dumps(doc, default=str, ensure_ascii=False))
        return
    g = doc.get("georeferencing") or {}
    console.print(
        f"[bold]{doc.get('file')}[/]: {doc['schema']}, {doc.get('application') or '-'}, "
        f"project {doc.get('project_name')!r}, eenheid / unit {doc['length_unit']}"
    )
    table = Table(title="bouwlagen / storeys")
    for col in ("naam / name", "peil / elevation m", "elementen"):
        table.add_column(col)
    for s in doc["storeys"]:
        table.add_row(str(s["name"]), str(s["elevation_m"]), str(s["elements"]))
    console.print(table)
    if g:
        console.print(
            f"plaatsing / placement: {g['method']} {g['crs']} E {g['eastings']:.3f} N {g['northings']:.3f} "
            f"rotatie {g['rotation']:.4f}° schaal {g['scale']:g} ({g['confidence']})"
        )
        for a in g.get("assumptions", []):
            console.print(f"  aangenomen / assumed: {a}", highlight=False)
    console.print(
        f"voetafdruk / footprint: {doc.get('footprint_area_m2')} m² (EPSG:28992); "
        f"onderkant / bottom {doc['bottom_m']} m, "
        f"bovenkant / top {doc['top_m']} m; bruto vloeroppervlak / GFA {doc.get('gross_floor_area_m2')}"
    )
    for w in doc.get("warnings", []):
        err_console.print(f"[yellow]warning:[/] {w}", highlight=False)


@bim_app.command("diff")
def diff(
    old: Annotated[str, typer.Argument(help="The old version: an IFC file or a registered version.")],
    new: Annotated[str, typer.Argument(help="The new version: an IFC file or a registered version.")],
    db: DbOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the whole comparison as JSON.")] = False,
    out: Annotated[Path | None, typer.Option("--out", help="Also write the comparison (JSON) to this file.")] = None,
) -> None:
    """Two versions compared: elements added/removed/changed, footprint, height and storeys, in Dutch."""
    from openruimte.services import bim

    store = None
    try:
        if bim.is_version_ref(old) or bim.is_version_ref(new):
            store = _open(db)
        with console.status("vergelijken / comparing ..."):
            result = bim.diff(store, _principal(), old, new)
    except OpenRuimteError as err:
        raise _fail(str(err), 2) from None
    finally:
        if store is not None:
            store.close()
    if out is not None:
        out.write_text(json.dumps(result, default=str, ensure_ascii=False, indent=2), encoding="utf-8")
    if as_json:
        console.print_json(json.dumps(result, default=str, ensure_ascii=False))
        return
    console.print(f"[bold]{result['old']} → {result['new']}[/]")
    console.print(result["summary"], highlight=False)
    table = Table(title="gewijzigd / changed (first 20)")
    for col in ("GlobalId", "klasse", "naam", "wat / what"):
        table.add_column(col)
    for c in result["changed"][:20]:
        what = ", ".join(k for k in ("attributes", "properties", "geometry", "placement") if k in c)
        table.add_row(c["global_id"], c["class"], str(c.get("name") or ""), what)
    if result["changed"]:
        console.print(table)


@bim_app.command("list")
def list_(
    plan: Annotated[str, typer.Option("--plan", help="The plan: OWNER:ID.")],
    db: DbOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """The models of a plan and their versions."""
    from openruimte.services import bim

    store = _open(db)
    try:
        models = bim.list_models(store, _principal(), plan)
    except OpenRuimteError as err:
        raise _fail(str(err)) from None
    finally:
        store.close()
    if as_json:
        console.print_json(json.dumps(models, default=str, ensure_ascii=False))
        return
    if not models:
        console.print(f"geen modellen bij {plan} / no models")
        return
    table = Table(title=f"BIM-modellen / models: {plan}")
    for col in ("id", "versie / ref", "bestand / file", "schema", "m²", "top m", "geregistreerd / at", "door / by"):
        table.add_column(col)
    for m in models:
        for v in m["versions"]:
            table.add_row(
                f"#{v['id']}", v["ref"], v["file_name"], v["schema"], str(v["metadata"].get("footprint_area_m2")),
                str(v["top_m"]), str(v["created_at"])[:19], str(v["created_by"]),
            )  # fmt: skip
    console.print(table)
