"""Commands: ``sun shadow`` (shadow polygons at a moment) and ``sun hours`` (sun hours on points for a day).

Exit codes: 0 done (``sun hours``: every point has at least ``--required-hours``), 1 ``sun hours``:
a point has fewer, 2 the input cannot be used (the message says why)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from openruimte.cli._common import DbOption, _fail, _open, app, console
from openruimte.model import OpenRuimteError

sun_app = typer.Typer(help="Zon en schaduw / sun and shadow: shadow polygons and sun hours.", no_args_is_help=True)
app.add_typer(sun_app, name="sun")

PlanOpt = Annotated[str | None, typer.Option("--plan", help="A plan as OWNER:ID with a planned height or storeys.")]
ModelOpt = Annotated[
    str | None, typer.Option("--model", help="A registered model version (OWNER:PLAN_ID/LABEL@VERSION or #ID).")
]
VolumesOpt = Annotated[
    Path | None, typer.Option("--volumes", help="A GeoJSON file of designed volumes (polygons with height_m).")
]
NoBuildingsOpt = Annotated[
    bool, typer.Option("--no-buildings", help="Leave out the store's buildings (3D city model).")
]


def _write(doc: dict, out: Path | None) -> None:
    if out is not None:
        out.write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")


@sun_app.command("shadow")
def shadow(
    at: Annotated[str, typer.Option("--at", help="Local date and time (Europe/Amsterdam), e.g. 2027-03-21T12:00.")],
    plan: PlanOpt = None,
    model: ModelOpt = None,
    volumes: VolumesOpt = None,
    bbox: Annotated[
        str | None, typer.Option("--bbox", help="Without a design: the buildings' shadows in minx,miny,maxx,maxy (RD).")
    ] = None,
    geojson_out: Annotated[
        Path | None, typer.Option("--geojson", help="Write the shadow polygons as GeoJSON (WGS84) to this file.")
    ] = None,
    no_buildings: NoBuildingsOpt = False,
    db: DbOption = None,
) -> None:
    """Shadow polygons of a design and the buildings around it at one moment."""
    from openruimte.cli.bim import _principal
    from openruimte.services import sun
    from openruimte.store.permissions import View

    box = None
    if bbox is not None:
        try:
            box = tuple(float(v) for v in bbox.split(","))
            assert len(box) == 4  # noqa: S101
        except (ValueError, AssertionError):
            raise _fail(f"--bbox {bbox!r}: expected minx,miny,maxx,maxy in RD New metres", 2) from None
    store = _open(db)
    try:
        doc = sun.shadow(
            View(store, _principal()), at, plan=plan, model=model, geojson=volumes, bbox=box,  # type: ignore[arg-type]
            buildings=not no_buildings,
        )  # fmt: skip
    except (OpenRuimteError, ValueError) as err:
        raise _fail(str(err), 2) from None
    finally:
        store.close()
    _write(sun.as_geojson(doc), geojson_out)
    console.print(
        f"{doc['at']}: zon / sun azimut {doc['azimuth_deg']:.1f}°, hoogte / elevation {doc['elevation_deg']:.1f}° "
        f"({doc['latitude']:.4f}, {doc['longitude']:.4f})",
        highlight=False,
    )
    if not doc["sun_up"]:
        console.print("de zon staat onder de horizon: geen schaduw / the sun is below the horizon: no shadow")
    table = Table(title="Schaduw / shadow")
    for col in ("object", "rol / role", "hoogte (m)", "schaduwlengte (m)", "oppervlak (m²)"):
        table.add_column(col)
    for feat in doc["features"]:
        p = feat["properties"]
        if p["role"] == "design" or len(doc["features"]) <= 30:
            table.add_row(p["label"], p["role"], f"{p['height_m']:.1f}", f"{p['shadow_length_m'] or 0:.1f}",
                          f"{feat['geometry'].area:.0f}")  # fmt: skip
    console.print(table)
    console.print(
        f"{doc['buildings']} gebouwen in de omgeving / buildings around ({doc['buildings_without_height']} zonder "
        f"hoogte / without height); {doc['assumptions']}",
        highlight=False,
    )


@sun_app.command("hours")
def hours(
    points: Annotated[
        Path, typer.Option("--points", help="A GeoJSON file of points (optional height_m and facade normal_deg).")
    ],
    date: Annotated[str, typer.Option("--date", help="The day, e.g. 2027-02-19 or 2027-03-21.")],
    step_minutes: Annotated[float, typer.Option("--step-minutes", help="Time step in minutes (1..60).")] = 5.0,
    required_hours: Annotated[
        float, typer.Option("--required-hours", help="Hours of sun a point needs to pass (the common test: 2).")
    ] = 2.0,
    plan: PlanOpt = None,
    model: ModelOpt = None,
    volumes: VolumesOpt = None,
    geojson_out: Annotated[
        Path | None, typer.Option("--geojson", help="Write the points with their sun hours as GeoJSON (WGS84).")
    ] = None,
    no_buildings: NoBuildingsOpt = False,
    db: DbOption = None,
) -> None:
    """Sun hours on points for one day: exit 0 every point has the required hours, 1 one has fewer."""
    from openruimte.cli.bim import _principal
    from openruimte.services import sun
    from openruimte.store.permissions import View

    store = _open(db)
    try:
        doc = sun.hours(
            View(store, _principal()), sun.points_of_geojson(points), date, step_minutes=step_minutes,
            plan=plan, model=model, geojson=volumes, buildings=not no_buildings, required_hours=required_hours,
        )  # fmt: skip
    except OpenRuimteError as err:
        raise _fail(str(err), 2) from None
    finally:
        store.close()
    _write(sun.as_geojson(doc), geojson_out)
    table = Table(title=f"Zonuren / sun hours {doc['date']} (daglicht / daylight {doc['daylight_hours']:.1f} h)")
    for col in ("punt / point", "uren / hours", "resultaat", "in de zon / in sun"):
        table.add_column(col, overflow="fold")
    for feat in doc["features"]:
        p = feat["properties"]
        table.add_row(p["key"], f"{p['hours']:.2f}", "[green]voldoet[/]" if p["passes"] else "[red]te weinig[/]",
                      ", ".join(p["in_sun"]))  # fmt: skip
    console.print(table)
    failing = sum(not f["properties"]["passes"] for f in doc["features"])
    raise typer.Exit(1 if failing else 0)
