"""The ``openruimte`` command: each command opens the store, calls one library
function and turns library errors into a message that says the fix."""

from __future__ import annotations

import datetime as dt
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from openruimte.cli._common import DbOption, _fail, _open, app, console, err_console
from openruimte.io import registry
from openruimte.model import InputError, OpenRuimteError, Origin, Temporal

#: what ``import`` reads: the exchange kinds, one kind per national standard (io/registry.py),
#: ``ifc``: a BIM model of a plan (cli/bim.py); ``rules``: a plan's rules, IMRO2012 or STOP/TPOD (cli/rules.py)
ImportKind = StrEnum("ImportKind", {kind: kind for kind in (*registry.import_kinds(), "ifc", "rules")})  # type: ignore[misc]


class ExportKind(StrEnum):
    plans = "plans"
    assets = "assets"
    policy = "policy"
    layer = "layer"
    areas = "areas"
    vital = "vital"
    streets = "streets"
    buildings = "buildings"


#: the encodings of the exchange format (io/registry.py)
Format = StrEnum("Format", {name: name for name in registry.exchange_formats()})  # type: ignore[misc]


@app.command()
def init(db: DbOption = None) -> None:
    """Create the database (or bring it up to date)."""
    store = _open(db)
    from openruimte.store import database_url

    console.print(f"database ready at {database_url(db)} (schema revision {store.migrate()})")
    store.close()


@app.command("import")
def import_(
    kind: Annotated[ImportKind, typer.Argument(help="What the file holds.")],
    file: Annotated[
        Path,
        typer.Argument(
            help="; ".join(f"{r.name}: {r.description}" for r in registry.READERS.values())
            + " (io/registry.py); "
            + "ifc: an IFC model of a plan; "
            + "rules: an IMRO2012 plan GML, or a STOP/TPOD omgevingsplan folder or .zip."
        ),
    ],
    db: DbOption = None,
    owner: Annotated[str | None, typer.Option(help="Organisation code for rows without an owner.")] = None,
    crs: Annotated[str | None, typer.Option(help="CRS of the file's coordinates, e.g. EPSG:28992.")] = None,
    encoding: Annotated[str | None, typer.Option(help="Text encoding of a CSV/JSON file, e.g. cp1252.")] = None,
    layer: Annotated[str | None, typer.Option(help="GeoPackage layer or XLSX sheet to read.")] = None,
    fmt: Annotated[Format | None, typer.Option("--format", help="Format, when the extension does not say.")] = None,
    make_valid: Annotated[
        bool, typer.Option("--make-valid", help="Repair invalid geometries instead of refusing them.")
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Check everything and report all errors; write nothing.")
    ] = False,
    level: Annotated[str | None, typer.Option(help="Areas: buurt, wijk or gemeente.")] = None,
    name: Annotated[str | None, typer.Option(help="Layer: the layer's name (default: the file name).")] = None,
    future: Annotated[bool, typer.Option("--future", help="The dataset describes a future situation.")] = False,
    external: Annotated[bool, typer.Option("--external", help="The dataset comes from another organisation.")] = False,
    licence: Annotated[str | None, typer.Option(help="Licence of the dataset.")] = None,
    snapshot: Annotated[str | None, typer.Option(help="Date of the snapshot (YYYY-MM-DD).")] = None,
    imbor: Annotated[
        Path | None,
        typer.Option(help="BGT: the IMBOR data folder (crow-imbor2022/ ...); default $OPENRUIMTE_IMBOR_DIR."),
    ] = None,
    map_: Annotated[
        list[str] | None,
        typer.Option(
            "--map",
            help="KEY=COLUMN, KEY=const:VALUE, 'KEY={COL1}-{COL2}' or KEY=from:COLUMN:TABLE.csv (repeatable): "
            "where a key's value comes from in a file with its own columns.",
        ),
    ] = None,
    mapping: Annotated[
        Path | None, typer.Option("--mapping", help="A YAML file of the same mappings (KEY: COLUMN ...).")
    ] = None,
    bronhouder: Annotated[
        str | None,
        typer.Option(help="BGT: the source holder (e.g. G0228) whose objects --owner takes; others keep theirs."),
    ] = None,
    plan: Annotated[str | None, typer.Option("--plan", help="IFC: the plan of the model (OWNER:ID).")] = None,
    label: Annotated[str | None, typer.Option("--label", help="IFC: the model's name (default: file name).")] = None,
    at: Annotated[
        str | None, typer.Option("--at", help="IFC: place the model at X,Y[,ROTATION] (RD metres, degrees).")
    ] = None,
) -> None:
    """Import a file: all rows or none. Every error names file, row, field and value."""
    if kind is ImportKind.ifc:  # BIM models: cli/bim.py
        from openruimte.cli.bim import import_ifc

        import_ifc(file, plan, label, at, db)
        return
    if kind is ImportKind.rules:  # plan rules: cli/rules.py
        from openruimte.cli.rules import import_rules

        import_rules(file, owner, dry_run, db)
        return
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from openruimte.io.mapping import ColumnMapping
    from openruimte.services.importing import import_file

    try:
        column_mapping = ColumnMapping.parse(map_, mapping)
    except InputError as err:
        raise _fail(str(err)) from None
    store = _open(db)
    columns = (
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TextColumn("{task.completed:,.0f}"),
        TimeElapsedColumn(),
    )
    try:
        with Progress(*columns, console=err_console, transient=True) as bar:
            task = bar.add_task(f"importeren / importing {file.name}", total=None)
            report = import_file(
                store,
                kind.value,
                file,
                owner=owner,
                crs=crs,
                encoding=encoding,
                layer=layer,
                fmt=fmt.value if fmt else None,
                make_valid=make_valid,
                dry_run=dry_run,
                level=level,
                layer_name=name,
                temporal=Temporal.FUTURE if future else Temporal.CURRENT,
                origin=Origin.EXTERNAL if external else Origin.INTERNAL,
                licence=licence,
                snapshot_date=dt.date.fromisoformat(snapshot) if snapshot else None,
                imbor=imbor,
                bronhouder=bronhouder,
                mapping=column_mapping,
                progress=lambda n: bar.update(task, completed=n),
            )
    except InputError as err:
        raise _fail(str(err)) from None
    finally:
        store.close()
    _print_import(report, dry_run)


def _print_import(report: Any, dry_run: bool) -> None:
    for warning in report.warnings:
        err_console.print(f"[yellow]warning:[/] {warning}", highlight=False)
    if report.counts:
        console.print(counts_table(report.source, report.counts))
    if report.errors:
        for e in report.errors:
            err_console.print(str(e), highlight=False, markup=False)
        raise _fail(f"{len(report.errors)} error(s) in {report.source}; nothing was imported")
    if report.preview:
        console.print(preview_table(report.preview))
    s = report.summary
    assert s is not None
    verb = "would import" if dry_run else "imported"
    console.print(
        f"{verb} {report.rows} rows from {report.source}: "
        f"{s.inserted} new, {s.updated} updated, {s.unchanged} unchanged"
        + (" (dry run: nothing written)" if dry_run else "")
    )
    if report.new_organisations:
        verb = "would register" if dry_run else "registered"
        console.print(f"{verb} organisations: {', '.join(report.new_organisations)}")


def preview_table(records: list[dict[str, Any]]) -> Table:
    """The first records of a dry run as they would be stored."""
    keys = list(dict.fromkeys(k for r in records for k in r))
    table = Table(title=f"de eerste {len(records)} rijen zoals ze opgeslagen worden / the first rows as stored")
    for key in keys:
        table.add_column(key, overflow="fold")
    for r in records:
        table.add_row(*[_cell(r.get(k)) for k in keys])
    return table


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return ";".join(str(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}={v}" for k, v in value.items())
    return str(value)


@app.command()
def export(
    kind: Annotated[ExportKind, typer.Argument(help="What to export.")],
    out: Annotated[
        Path, typer.Argument(help="Output file; the extension gives the format (buildings also .city.json).")
    ],
    db: DbOption = None,
    fmt: Annotated[Format | None, typer.Option("--format", help="geojson, jsonfg, gpkg, csv or xlsx.")] = None,
    owner: Annotated[list[str] | None, typer.Option(help="Only these owners (repeatable).")] = None,
    phase: Annotated[list[str] | None, typer.Option(help="Plans: only these phases (repeatable).")] = None,
    layer: Annotated[str | None, typer.Option(help="Layer: which environment layer.")] = None,
) -> None:
    """Export records in one of the exchange encodings."""
    from openruimte import io
    from openruimte.store import PlanFilter

    store = _open(db)
    try:
        if kind is ExportKind.plans:
            items = store.plans(PlanFilter(owners=owner or (), phases=phase or ()))
        elif kind is ExportKind.assets:
            items = store.assets(owners=owner or ())
        elif kind is ExportKind.policy:
            items = store.policy_goals()
        elif kind is ExportKind.areas:
            items = store.areas()
        elif kind is ExportKind.vital:
            items = store.vital_systems()
        elif kind is ExportKind.streets:
            items = store.streets()
        elif kind is ExportKind.buildings:
            from openruimte.io.cityjson import write_buildings

            n = write_buildings(out, store.buildings(), fmt.value if fmt else None)
            console.print(f"wrote {n} {kind.value} to {out}")
            return
        else:
            layers = store.layers()
            if layer is None and len(layers) != 1:
                raise _fail(f"name the layer with --layer; layers: {', '.join(lay.name for lay in layers) or 'none'}")
            items = [lay for lay in layers if layer is None or lay.name == layer]
            if not items:
                raise _fail(f"no layer '{layer}'; layers: {', '.join(lay.name for lay in layers)}")
        n = io.write(out, kind.value, items, fmt=fmt.value if fmt else None)
    except InputError as err:
        raise _fail(str(err)) from None
    finally:
        store.close()
    console.print(f"wrote {n} {kind.value} to {out}")


@app.command()
def info(db: DbOption = None) -> None:
    """Counts per category of information and per owner."""
    store = _open(db)
    try:
        counts = store.counts()
    finally:
        store.close()
    from openruimte.services.console import info_table

    console.print(info_table(counts))


def counts_table(source: str, counts: dict[str, int]) -> Table:
    table = Table(title=f"{source}: per type")
    table.add_column("type")
    table.add_column("count", justify="right")
    for name, n in sorted(counts.items()):
        table.add_row(name, f"{n:,}")
    return table


@app.command()
def analyse(
    plans: Annotated[
        Path | None, typer.Option("--plans", help="Plans file (any format import reads); default: the store.")
    ] = None,
    db: DbOption = None,
    max_distance_m: Annotated[float, typer.Option(help="Couplings: largest distance in metres.")] = 10.0,
    max_gap_days: Annotated[int, typer.Option(help="Couplings: largest gap in days.")] = 730,
    graafrust_days: Annotated[int, typer.Option(help="No-dig period after a surface renewal, in days.")] = 1095,
    graafrust_distance_m: Annotated[float, typer.Option(help="No-dig conflicts: largest distance in metres.")] = 5.0,
    out: Annotated[Path | None, typer.Option(help="Write the result JSON (the exchange spec's encoding) here.")] = None,
    geojson: Annotated[Path | None, typer.Option(help="Write couplings and conflicts as lines (GeoJSON) here.")] = None,
    crs: Annotated[str | None, typer.Option(help="--plans: CRS of the file's coordinates.")] = None,
    encoding: Annotated[str | None, typer.Option(help="--plans: text encoding.")] = None,
    engine: Annotated[
        str,
        typer.Option(
            help="Where the pairs are found: 'local' (this process) or 'dask' (plans partitioned in space over "
            "Dask workers; a LocalCluster on this machine unless --scheduler names one)."
        ),
    ] = "local",
    scheduler: Annotated[
        str | None,
        typer.Option(help="--engine dask: address of a running Dask scheduler, e.g. tcp://10.0.0.5:8786."),
    ] = None,
    workers: Annotated[
        int | None, typer.Option(help="--engine dask without --scheduler: workers of the LocalCluster (default 2).")
    ] = None,
) -> None:
    """Coupling opportunities and no-dig conflicts, exactly as the exchange spec defines them."""
    # issue 12: the columnar path (services/analyse_columns.py); kept light so the command starts fast
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from openruimte.analysis.pairs import Parameters
    from openruimte.services import analyse_columns as run

    if engine not in run.ENGINES:
        raise _fail(f"--engine {engine}: expected one of {', '.join(run.ENGINES)}")
    if engine != "dask" and (scheduler or workers):
        raise _fail("--scheduler and --workers go with --engine dask")
    params = Parameters(max_distance_m, max_gap_days, graafrust_days, graafrust_distance_m)
    if plans is not None and plans.suffix.lower() == ".gpkg":
        from openruimte.io.gpkg_format import import_pyogrio

        import_pyogrio()  # before the progress bar's thread starts: without pandas (see there)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    goal_warnings: list[str] = []
    stats: dict[str, Any] = {}
    options = {"engine": engine, "scheduler": scheduler, "workers": workers, "stats": stats}
    try:
        with run.gc_paused(), Progress(*columns, console=err_console, transient=True) as progress:
            if plans is not None:
                task = progress.add_task(f"lezen / reading {plans.name}", total=None)
                cols = run.columns_from_file(plans, crs=crs, encoding=encoding)
                progress.update(task, total=2 * len(cols), description="analyseren / analysing")
                result = run.find_pairs(cols, params, progress=lambda n: progress.advance(task, n), **options)
            else:
                from openruimte.analysis.weighing import unknown_goal_refs

                store = _open(db)
                try:
                    task = progress.add_task("analyseren / analysing", total=None)
                    result = run.analyse_store_columns(
                        store, params, actor="cli", progress=lambda n: progress.advance(task, n), **options
                    )
                    goal_warnings = unknown_goal_refs(run.goal_refs_in_store(store), store.policy_goals())
                finally:
                    store.close()
            if out is not None:
                task = progress.add_task(
                    "schrijven / writing", total=len(result.couplings.a) + len(result.conflicts.renewal)
                )
                result.write(out, progress=lambda n: progress.advance(task, n))
    except InputError as err:
        raise _fail(str(err)) from None
    for warning in goal_warnings:
        err_console.print(f"[yellow]warning:[/] {warning}", highlight=False)
    if geojson is not None:
        run.pairs_geojson(result, geojson)
    if stats:
        peaks = ", ".join(f"{mb:,.0f}" for mb in stats.get("worker_peak_mb", []))
        err_console.print(
            f"dask: {stats['workers']} workers, {stats['partitions']} partitions, "
            f"{stats['plans_sent']:,} plans sent (halos included); peak memory per worker (MB): {peaks or '-'}",
            highlight=False,
        )
    console.print(
        f"{result.plans} plans ({int((~result.cols.scheduled).sum())} unscheduled): "
        f"{len(result.couplings.a)} coupling opportunities, {len(result.conflicts.renewal)} no-dig conflicts"
        + (f"; result in {out}" if out else "")
        + (f"; lines in {geojson}" if geojson else "")
        + ("" if plans is not None else "; saved in the store for the map")
    )


@app.command()
def candidates(
    db: DbOption = None,
    first_year: Annotated[int, typer.Option("--from", help="First year of the horizon.")] = 2026,
    last_year: Annotated[int, typer.Option("--to", help="Last year of the horizon.")] = 2040,
    condition: Annotated[int, typer.Option(help="NEN 2767 condition from which an asset is due (1..6).")] = 4,
    out: Annotated[Path | None, typer.Option(help="Write the result JSON here.")] = None,
) -> None:
    """Replacement candidates (asset-driven): due assets per street segment and type, with their couplings."""
    from openruimte.analysis.candidates import Horizon
    from openruimte.analysis.pairs import Parameters
    from openruimte.services import analyse as analysing

    store = _open(db)
    try:
        with console.status("vervangingsopgaven zoeken / finding replacement candidates ..."):
            result = analysing.candidates_in_store(
                store, Horizon(first_year, last_year, condition), Parameters(), actor="cli"
            )
    finally:
        store.close()
    if out:
        analysing.write_json(result, out)
    found = result["candidates"]
    console.print(
        f"{len(found)} replacement candidates ({sum(c['assets'] for c in found):,} assets due "
        f"{first_year}-{last_year}, about € {result['total_cost_eur']:,.0f}); "
        f"{len(result['couplings_with_plans'])} couplings with registered plans"
    )
    table = Table(title="grootste opgaven / largest candidates")
    for col in ("candidate", "owner", "assets", "years", "cost €"):
        table.add_column(col)
    for c in sorted(found, key=lambda c: -c["cost_eur"])[:10]:
        table.add_row(
            f"{c['asset_type']} {c['street_name'] or c['street_id'] or ''}",
            c["owner"],
            str(c["assets"]),
            f"{c['first_year']}-{c['last_year']}",
            f"{c['cost_eur']:,.0f}",
        )
    console.print(table)


@app.command()
def capacity(
    db: DbOption = None,
    kw_per_dwelling: Annotated[float, typer.Option(help="Added demand per dwelling in kW.")] = 3.5,
    first_year: Annotated[int, typer.Option("--from", help="First year.")] = 2026,
    last_year: Annotated[int, typer.Option("--to", help="Last year.")] = 2040,
    out: Annotated[Path | None, typer.Option(help="Write the result JSON here.")] = None,
) -> None:
    """Network capacity: demand of new housing per substation and year, against capacity and load."""
    from openruimte.analysis.capacity import CapacitySettings
    from openruimte.services import analyse as analysing

    store = _open(db)
    try:
        result = analysing.capacity_in_store(
            store, CapacitySettings(kw_per_dwelling, first_year, last_year), actor="cli"
        )
    finally:
        store.close()
    if out:
        analysing.write_json(result, out)
    table = Table(title=f"onderstations / substations ({kw_per_dwelling} kW per woning)")
    for col in ("substation", "capacity", "load now", f"load {last_year}", "exceeded in", "margin"):
        table.add_column(col, justify="right")
    for e in result.to_json()["elements"]:
        table.add_row(
            e["name"] or e["id"],
            f"{e['capacity']:,.0f}",
            f"{e['load']:,.0f}",
            f"{e['by_year'][str(last_year)]:,.0f}",
            str(e["exceeded_year"] or "-"),
            f"{e['margin']:,.0f}",
        )
    console.print(table)
    for s in result.skipped:
        err_console.print(f"[yellow]skipped[/] {s['plan']}: {s['reason']}", highlight=False)


@app.command()
def space(
    db: DbOption = None,
    network: Annotated[str, typer.Option(help="The new network to fit (asset type), e.g. warmte.")] = "warmte",
    width: Annotated[
        float | None, typer.Option(help="Width the new network needs in metres (default: its norm width).")
    ] = None,
    out: Annotated[Path | None, typer.Option(help="Write the result JSON here.")] = None,
) -> None:
    """Underground space: street segments where a new network does not fit beside the cables and pipes present."""
    from openruimte.services import analyse as analysing

    store = _open(db)
    try:
        result = analysing.space_in_store(store, network, actor="cli", required_m=width)
    finally:
        store.close()
    if out:
        analysing.write_json(result, out)
    problems = result.problems()
    console.print(
        f"{network} ({result.required_m} m) does not fit in {len(problems)} of {len(result.segments)} street segments"
    )
    table = Table(title="te vol / too full")
    for col in ("street", "profile m", "occupied m", "free m", "planned by"):
        table.add_column(col)
    for s in problems[:15]:
        table.add_row(
            f"{s.name} ({s.street_id})",
            f"{s.profile_width_m}",
            f"{s.occupied_m}",
            f"{s.free_m}",
            ", ".join(s.planned_by),
        )
    console.print(table)


@app.command()
def serve(
    db: DbOption = None,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    forwarded_allow_ips: Annotated[
        str | None,
        typer.Option(
            "--forwarded-allow-ips",
            help="Proxies whose X-Forwarded-For is trusted (addresses or networks, comma-separated); "
            "default $OPENRUIMTE_FORWARDED_ALLOW_IPS, else none.",
        ),
    ] = None,
) -> None:
    """Serve the programming map, the public map, the REST API and OGC API Features."""
    serve_app(db, host, port, forwarded_allow_ips)


def serve_app(db: str | None, host: str, port: int, forwarded_allow_ips: str | None = None) -> None:
    from openruimte.api import Settings, create_app
    from openruimte.api.app import server
    from openruimte.store import database_url

    settings = Settings(database_url=database_url(db))
    if forwarded_allow_ips is not None:
        settings = settings.model_copy(update={"forwarded_allow_ips": forwarded_allow_ips})
    application = create_app(settings)
    console.print(
        f"OpenRuimte: programmeerkaart / programming map at http://{host}:{port}/  "
        "(public map /publiek, API /docs, OGC /ogc)"
    )
    server(application, host, port).run()


@app.command()
def demo(
    db: DbOption = None,
    seed: Annotated[int, typer.Option(help="Seed of the generator: the same seed gives the same town.")] = 2026,
    scale: Annotated[float, typer.Option(help="Scale of the town (1.0 = full size).")] = 1.0,
    out: Annotated[Path, typer.Option(help="Where the demo's exchange files are written.")] = Path("demo-data"),
    serve_after: Annotated[bool, typer.Option("--serve/--no-serve", help="Serve the map afterwards.")] = True,
    port: Annotated[int, typer.Option(help="Port for --serve.")] = 8000,
) -> None:
    """Generate Voorbeeldstad, import it through the normal importers, analyse it, summarise, and serve the map."""
    from openruimte.services.demo import run_demo

    store = _open(db)
    try:
        run_demo(store, seed=seed, scale=scale, out=out, console=console)
    except OpenRuimteError as err:
        raise _fail(str(err)) from None
    finally:
        store.close()
    if serve_after:
        serve_app(db, "127.0.0.1", port)


# commands of other topics register themselves on ``app`` when imported
from openruimte.cli import _topics  # noqa: E402, F401


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)
