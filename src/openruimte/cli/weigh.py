"""``openruimte weigh``: the weighting framework (afwegingskader) over the store's plans."""

from __future__ import annotations

import csv
import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from openruimte.analysis.weighing import CRITERIA, LABELS, PRESETS
from openruimte.cli._common import DbOption, _fail, _open, app, console, err_console
from openruimte.io.csv_format import neutralise
from openruimte.model import OpenRuimteError

Preset = StrEnum("Preset", {name: name for name in PRESETS})  # type: ignore[misc]

PresetOption = Annotated[
    Preset | None,
    typer.Option("--preset", help="Preset weights: assetgericht, opgavegericht (default) or gebiedsgericht."),
]
WeightsOption = Annotated[
    Path | None,
    typer.Option("--weights", help="YAML file with weights per criterion (optionally 'preset:' as the base)."),
]


@app.command()
def weigh(
    db: DbOption = None,
    preset_name: PresetOption = None,
    weights: WeightsOption = None,
    out: Annotated[Path | None, typer.Option("--out", help="Write scores with their breakdown (JSON) here.")] = None,
    csv_out: Annotated[Path | None, typer.Option("--csv", help="Write one row per plan (CSV) here.")] = None,
    with_sensitivity: Annotated[
        bool, typer.Option("--sensitivity", help="Show how the ranking moves when each weight changes by ±20 %.")
    ] = False,
    top: Annotated[int, typer.Option("--top", help="Plans shown in the table.", min=1)] = 20,
) -> None:
    """Score every plan on six criteria (assets, policy, environment, couplings, grid, feasibility)."""
    from openruimte.services import weigh as weighing

    try:
        w, label = weighing.load_weights(preset_name.value if preset_name else None, weights)
    except OpenRuimteError as err:
        raise _fail(str(err)) from None
    store = _open(db)
    try:
        with console.status("afwegen / weighing plans ..."):
            result, data = weighing.weigh_store(
                store, w, actor="cli", preset_name=label, with_sensitivity=with_sensitivity
            )
    except OpenRuimteError as err:
        raise _fail(str(err)) from None
    finally:
        store.close()
    for warning in result.warnings:
        err_console.print(f"[yellow]warning:[/] {warning}", highlight=False)
    if out is not None:
        out.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    if csv_out is not None:
        write_csv(data, csv_out)
    console.print(scores_table(data, top, label))
    if with_sensitivity:
        console.print(sensitivity_table(data["sensitivity"]))
    console.print(
        f"{len(data['plans'])} plans weighed with {label}"
        + (f"; scores in {out}" if out else "")
        + (f"; table in {csv_out}" if csv_out else "")
        + "; saved in the store"
    )


def write_csv(data: dict[str, Any], path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(["rank", "key", "name", "owner", "score", *CRITERIA])
        for p in data["plans"]:
            values = [p["breakdown"][c]["value"] for c in CRITERIA]
            out.writerow([p["rank"], p["key"], neutralise(p["name"]), neutralise(p["owner"]), p["score"], *values])


def scores_table(data: dict[str, Any], top: int, label: str) -> Table:
    weights = data["weights"]
    total = sum(weights.values())
    table = Table(title=f"afweging / weighing ({label})")
    table.add_column("#", justify="right")
    table.add_column("plan")
    table.add_column("owner")
    table.add_column("score", justify="right")
    for c in CRITERIA:
        table.add_column(f"{LABELS[c]}\n{weights[c] / total:.0%}", justify="right")
    for p in data["plans"][:top]:
        table.add_row(
            str(p["rank"]),
            f"{p['name']} ({p['key']})",
            p["owner"],
            f"{p['score']:.3f}",
            *(f"{p['breakdown'][c]['value']:.2f}" for c in CRITERIA),
        )
    return table


def sensitivity_table(rows: list[dict[str, Any]]) -> Table:
    table = Table(title="gevoeligheid / sensitivity (each weight ±20 %)")
    for col in ("criterion", "weight", "Kendall tau", "moved", "max shift", "moving most"):
        table.add_column(col, justify="left" if col in ("criterion", "moving most") else "right")
    for r in rows:
        movers = ", ".join(f"{m['key']} {m['from']}→{m['to']}" for m in r["movers"][:3]) or "-"
        table.add_row(
            LABELS[r["criterion"]],
            f"x{r['factor']:g}",
            f"{r['kendall_tau']:.3f}",
            str(r["moved"]),
            str(r["max_shift"]),
            movers,
        )
    return table
