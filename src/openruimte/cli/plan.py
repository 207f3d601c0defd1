"""``openruimte plan``: the programme optimiser over the store, with both baselines."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from openruimte.cli._common import DbOption, _fail, _open, app, console, err_console
from openruimte.cli.weigh import PresetOption, WeightsOption
from openruimte.model import OpenRuimteError


class Bucket(StrEnum):
    quarter = "quarter"
    year = "year"


@app.command()
def plan(
    db: DbOption = None,
    first_year: Annotated[int, typer.Option("--from", help="First year of the programme.")] = 2026,
    last_year: Annotated[int, typer.Option("--to", help="Last year of the programme.")] = 2040,
    bucket: Annotated[Bucket, typer.Option("--bucket", help="Planning period: quarter or year.")] = Bucket.quarter,
    weights: WeightsOption = None,
    preset_name: PresetOption = None,
    scenario: Annotated[
        Path | None,
        typer.Option(
            "--scenario", help="YAML: budgets per owner (per year), crew capacity per area, planner weights, settings."
        ),
    ] = None,
    time_limit: Annotated[float, typer.Option("--time-limit", help="Solver time limit in seconds.", min=1)] = 60.0,
    out: Annotated[Path | None, typer.Option("--out", help="Write programme.json here.")] = None,
    explain_id: Annotated[
        str | None, typer.Option("--explain", help="Explain why this plan (id or owner:id) got its period.")
    ] = None,
    candidates: Annotated[
        bool,
        typer.Option("--candidates/--no-candidates", help="Also programme the replacement candidates of the assets."),
    ] = True,
    sweep: Annotated[
        str | None,
        typer.Option(
            "--sweep",
            help="Trade-off curve: a programme per value, e.g. candidate_slack_years=0..3 (each within --time-limit).",
        ),
    ] = None,
    sweep_out: Annotated[
        Path, typer.Option("--sweep-out", help="Sweep output prefix: PREFIX.png, PREFIX.svg, PREFIX.csv.")
    ] = Path("sweep"),
) -> None:
    """Synthesise one programme of works: fewest street openings within windows, no-dig, budgets and crews."""
    import time

    from openruimte.cli.plan_sweep import CLI_RESERVE_S, parse_sweep, run_sweep, solver_progress  # issue 13
    from openruimte.services import plan as planning
    from openruimte.services import weigh as weighing

    begun = time.perf_counter()  # issue 13: the whole command keeps to --time-limit

    try:
        sc = planning.load_scenario(scenario) if scenario is not None else None
        if weights is not None or preset_name is not None or sc is None or sc.weights is None:
            w, label = weighing.load_weights(preset_name.value if preset_name else None, weights)
        else:
            assert sc.weights is not None
            w, label = sc.weights, sc.weights_label or str(scenario)
        settings = planning.make_settings(
            sc, from_year=first_year, to_year=last_year, bucket=bucket.value, time_limit_s=time_limit
        )
        swept = parse_sweep(sweep) if sweep is not None else None
    except (OpenRuimteError, ValueError) as err:
        raise _fail(str(err)) from None
    store = _open(db)
    kwargs = {
        "weights_label": label,
        "actor": "cli",
        "candidates": candidates,
        "scenario": sc.name if sc else None,
        "candidate_slack_years": sc.candidate_slack_years if sc else planning.CANDIDATE_SLACK_YEARS,
        "window_rules": sc.candidate_windows if sc else None,
    }
    try:
        if swept is not None:
            run_sweep(store, settings, w, swept, sweep_out, kwargs)
            return
        with solver_progress() as (step, progress):
            run = planning.plan_store(
                store,
                settings,
                w,
                **kwargs,
                step=step,
                progress=progress,
                deadline=begun + time_limit - CLI_RESERVE_S,
            )
    except OpenRuimteError as err:
        raise _fail(str(err)) from None
    finally:
        store.close()
    for warning in run.warnings:
        err_console.print(f"[yellow]warning:[/] {warning}", highlight=False)
    if out is not None:
        out.write_text(json.dumps(run.data, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    console.print(comparison_table(run.data))
    s = run.data["solver"]
    console.print(
        f"{len(run.data['plans'])} works ({run.data['candidates']} replacement candidates; "
        f"{run.data['candidates_served_by_plans']} more already served by a registered plan), "
        f"{sum(1 for p in run.data['plans'] if not p['fixed'])} movable; solver {s['status']}, "
        f"gap {s['gap']:.2%} (on what can move: {s['gap_movable']:.2%}); weights {label}"
        + (f"; programme in {out}" if out else "")
        + "; saved in the store"
    )
    if explain_id is not None:
        text = planning.explanation(run, explain_id)
        if text is None:
            raise _fail(f"no plan '{explain_id}' in the programme (give its id or owner:id)")
        console.print(text, highlight=False, markup=False)


def _budget_line(m: dict[str, Any]) -> str:
    shares = [u["spend"] / u["budget"] for per in m["budget_use"].values() for u in per.values() if u.get("budget")]
    peak = f", peak {max(shares):.0%}" if shares else ""
    return f"{len(m['budget_overruns'])} over{peak}"


def _pct(v: float | None) -> str:
    return f"{v:+.1%}" if v is not None else "-"


def comparison_table(data: dict[str, Any]) -> Table:
    m = data["metrics"]
    names = tuple(n for n in ("programme", "greedy", "uncoordinated", "enforced") if n in m)
    table = Table(title="programma tegenover de basislijnen / programme vs baselines")
    table.add_column("")
    heads = {
        "programme": "programma / programme",
        "greedy": "gretig / greedy",
        "uncoordinated": "ongecoördineerd / uncoordinated",
        "enforced": "ongecoörd., graafrust gehandhaafd / enforced",
    }
    for n in names:
        table.add_column(heads[n], justify="right")
    baselines = [b for b in ("uncoordinated", "enforced") if b in data["comparison"]]
    for b in baselines:
        table.add_column(f"vs {b}", justify="right")
    rows = (
        ("straatopeningen / street openings", "street_openings", "{:,}"),
        ("hinderdagen / disruption days", "disruption_days", "{:,}"),
        ("kosten / cost €", "cost_eur", "{:,.0f}"),
    )
    pad = [""] * len(baselines)
    for label, key, fmt in rows:
        changes = [data["comparison"][b].get(key) for b in baselines]
        table.add_row(label, *(fmt.format(m[n][key]) for n in names), *(_pct(c) for c in changes))
    nodig = data["no_dig_beyond_unavoidable"]
    table.add_row(
        "graafrust geschonden / no-dig violations",
        *(f"{m[n]['no_dig_violations']} ({nodig[n]} avoidable)" for n in names),
        *pad,
    )
    table.add_row("budget (owner-years)", *(_budget_line(m[n]) for n in names), *pad)
    table.add_row("verschoven / moved", *(str(m[n]["moved"]) for n in names), *pad)
    return table
