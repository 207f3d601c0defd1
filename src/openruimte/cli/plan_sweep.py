"""Issue 13: the progress bar of ``openruimte plan`` (stage, share of the time limit, objective
and gap) and ``--sweep`` (a programme per value of one setting: table, CSV, PNG and SVG)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from rich.table import Table

from openruimte.cli._common import console, err_console

#: seconds of the --time-limit kept for writing programme.json and printing the table
CLI_RESERVE_S = 0.5


@contextmanager
def solver_progress() -> Iterator[tuple[Any, Any]]:
    """A rich progress bar: the stage, the share of the time limit used, the objective and gap."""
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err_console, transient=True) as bar:
        task = bar.add_task("programmeren / planning", total=1.0)

        def step(text: str) -> None:
            bar.update(task, description=text)

        def progress(stage: str, share: float | None, objective: float | None, gap: float | None) -> None:
            text = f"{stage}"
            if objective is not None:
                text += f"  doel / objective {objective / 10:,.0f}"
            if gap is not None:
                text += f"  gap {gap:.2%}"
            bar.update(task, description=text, completed=share if share is not None else 0.0)

        yield step, progress


def parse_sweep(spec: str) -> Any:
    from openruimte.planner.sweep import parse_sweep as parse

    return parse(spec)


def run_sweep(store: Any, settings: Any, weights: Any, swept: Any, prefix: Path, kwargs: dict[str, Any]) -> None:
    """One programme per value (not saved as the programme); table, CSV, PNG and SVG."""
    import dataclasses
    import time

    from openruimte.planner.sweep import sweep_row
    from openruimte.reports.sweep import write_plot, write_table
    from openruimte.services import plan as planning

    rows = []
    for value in swept.values:
        begun = time.perf_counter()
        args = dict(kwargs)
        run_settings = settings
        if swept.name == "candidate_slack_years":
            args["candidate_slack_years"] = value
        else:
            run_settings = dataclasses.replace(settings, **{swept.name: value})
        with solver_progress() as (step, progress):
            step(f"{swept.name}={value}")
            run = planning.plan_store(
                store,
                run_settings,
                weights,
                **args,
                step=step,
                progress=progress,
                deadline=begun + settings.time_limit_s - CLI_RESERVE_S,
                save=False,
            )
        rows.append(sweep_row(swept.name, value, run.data))
    prefix.parent.mkdir(parents=True, exist_ok=True)
    written = [write_table(rows, prefix.with_suffix(".csv")), *write_plot(rows, swept.name, prefix)]
    console.print(sweep_table(rows, swept.name))
    console.print("written: " + ", ".join(str(p) for p in written))


def sweep_table(rows: list[dict[str, Any]], name: str) -> Table:
    table = Table(title=f"afweging / trade-off: {name}")
    for col in (
        name,
        "openings prog / unco / enforced",
        "vs unco",
        "vs enforced",
        "cost M€ prog / unco",
        "disruption days prog / unco",
        "no-dig avoidable",
        "gap",
    ):
        table.add_column(col, justify="right")
    for r in rows:
        table.add_row(
            str(r[name]),
            " / ".join(f"{r[p + '.street_openings']:,}" for p in ("programme", "uncoordinated", "enforced")),
            _pct(r["openings_vs_uncoordinated"]),
            _pct(r["openings_vs_enforced"]),
            f"{r['programme.cost_eur'] / 1e6:,.1f} / {r['uncoordinated.cost_eur'] / 1e6:,.1f}",
            f"{r['programme.disruption_days']:,} / {r['uncoordinated.disruption_days']:,}",
            str(r["programme.no_dig_avoidable"]),
            f"{r['gap']:.2%}",
        )
    return table


def _pct(v: float | None) -> str:
    return f"{v:+.1%}" if v is not None else "-"
