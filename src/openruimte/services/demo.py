"""The demo use case (``openruimte demo``): generate Voorbeeldstad (pure,
:mod:`openruimte.demo`), write it as exchange files and import them through the
same importers a municipality uses, analyse, and make the demo logins."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from openruimte.demo.files import DEMO_FILES, write_demo_files
from openruimte.model import InputError
from openruimte.services.console import info_table
from openruimte.services.importing import ImportReport, import_file

__all__ = ["DEMO_FILES", "analyse_demo", "run_demo", "write_demo_files"]

#: the demo's coordinator (the municipality's urban programmer)
DEMO_COORDINATOR = "coordinator@voorbeeldstad.nl"
#: an editor of the grid operator, to see the table as a party sees it
DEMO_EDITOR = "planner@netbeheer-noord.nl"


def run_demo(
    store: Any, *, seed: int, scale: float, out: Path, console: Console, password: str | None = None
) -> dict[str, ImportReport]:
    """Generate, write, import and summarise the demo municipality. Its organisations sit at the
    programming table; the coordinator gets ``password`` or a new random one, printed once."""
    from openruimte.demo import generate
    from openruimte.services.hooks import subscribe

    subscribe()  # the demo's writes notify partners as the app's and the CLI's do

    started = time.perf_counter()
    with console.status(f"Voorbeeldstad genereren / generating (seed {seed}, scale {scale}) ..."):
        data = generate(seed, scale=scale)
        todo = write_demo_files(data, out)
    console.print(f"Voorbeeldstad generated in {time.perf_counter() - started:.1f} s, files in {out}/")
    with store.writer("demo") as w:
        w.upsert_organisations(data.organisations)
    from openruimte.store import security

    security.set_at_table(store, [o.code for o in data.organisations], True, actor="demo")
    reports: dict[str, ImportReport] = {}
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console) as progress:
        task = progress.add_task("importeren / importing", total=len(todo))
        for kind, path, options in todo:
            progress.update(task, description=f"importeren / importing {path.name}")
            report = import_file(store, kind, path, actor="demo", **options)
            if report.errors:
                raise InputError(report.errors, report.source)
            reports[path.name] = report
            progress.advance(task)
    from openruimte.services.twin import read_volumes, save_volumes  # 3D twin (#16)

    save_volumes(store, read_volumes(out / "planvolumes.csv"), actor="demo")  # 3D twin (#16)
    console.print(info_table(store.counts()))
    _print_planted(console, data.planted)
    with console.status("analyseren / analysing ..."):
        summary = analyse_demo(store)
    for line in summary:
        console.print(f"  - {line}", highlight=False)
    _plan_rules(store, out, console)  # plan rules (issue 15): before the models, so their upload is checked
    _bim_models(store, out, console)  # BIM models (issue 14)
    # --- roadmap (issue 17): demo self-assessments on the BIM roadmap; belongs in services/demo.py
    from openruimte.services.roadmap import demo_roadmap

    n_roadmap = demo_roadmap(store, actor="demo")
    console.print(f"  - routekaart / roadmap: {n_roadmap} demo self-assessments", highlight=False)
    # --- end roadmap
    from openruimte.services.collab_demo import add_collab_demo  # working together (issue 18)

    for line in add_collab_demo(store):
        console.print(f"  - {line}", highlight=False)
    _coordinator(store, console, password)
    return reports


def _plan_rules(store: Any, out: Path, console: Console) -> None:
    """Voorbeeldstad's bestemmingsplan (IMRO2012 GML, demo/imro.py) around the demo's building sites,
    imported by the real importer (``openruimte import rules``)."""
    from openruimte.demo.imro import Site, write_bestemmingsplan
    from openruimte.services.bim import demo_sites
    from openruimte.services.rules import import_rules

    sites = [
        Site(
            eastings=s["eastings"], northings=s["northings"], width_m=s["width_m"], depth_m=s["depth_m"],
            rotation_deg=s["rotation_deg"], storeys=s["storeys"], storey_height_m=s["storey_height_m"],
        )
        for s in demo_sites(store)
    ]  # fmt: skip
    if not sites:
        return
    path = write_bestemmingsplan(out / "bestemmingsplan.gml", sites)
    from openruimte.demo._orgs import GEMEENTE
    from openruimte.services.rules import read_plan, record, records

    def key(r: dict[str, Any]) -> tuple[Any, ...]:
        return (r["kind"], r["value"], r["unit"], r["plan_id"], r["source_id"], r["geometry"].normalize().wkb_hex)

    plan = read_plan(path)
    new = sorted(key(record(r)) for r in plan.rules)
    if sorted(key(r) for r in records(store, plan_ids=plan.plan_ids)) == new:  # a second demo run writes nothing
        console.print(f"  - bestemmingsplan / plan rules: {len(new)} regels / rules (ongewijzigd / unchanged)")
        return
    result = import_rules(store, path, owner=GEMEENTE, actor="demo")
    console.print(f"  - bestemmingsplan / plan rules: {result.stored['inserted']} regels / rules", highlight=False)


def _bim_models(store: Any, out: Path, console: Console) -> None:
    """Two housing plans get a generated IFC building (services/bim.py), shown as footprints on the map."""
    import dataclasses

    from openruimte.model.access import SYSTEM
    from openruimte.services.bim import add_demo_models

    with console.status("BIM-modellen plaatsen / placing BIM models ..."):
        versions = add_demo_models(store, out, principal=dataclasses.replace(SYSTEM, actor="demo"))
    for v in versions:
        area = v["metadata"].get("footprint_area_m2")
        console.print(f"  - BIM-model / model {v['ref']} ({area} m²)", highlight=False)


def _coordinator(store: Any, console: Console, password: str | None) -> None:
    """The logins of the demo: the coordinator, and an editor of the grid operator (to see what a party
    sees: others' sensitive plans masked, undisclosed coordination). A fresh random password per run,
    shown once (no password is stored in clear); ``password`` (tests) is used for both."""
    import secrets

    from openruimte.demo._orgs import GEMEENTE, NETBEHEERDER
    from openruimte.store import security

    console.print("[bold]Inloggen / log in[/bold] on /login (the public map /publiek needs no login):")
    for email, org, role in ((DEMO_COORDINATOR, GEMEENTE, "coordinator"), (DEMO_EDITOR, NETBEHEERDER, "editor")):
        chosen = password or secrets.token_urlsafe(12)
        if security.user_exists(store, email):
            security.set_password(store, email, chosen, actor="demo")
        else:
            security.add_user(store, email, org, role, chosen, actor="demo")
        shown = "" if password else f"  wachtwoord / password: {chosen}"
        console.print(f"  {email} ({role} / {org}){shown}", highlight=False)
    if not password:
        console.print("  (alleen nu getoond / shown only now; `openruimte demo` again makes new ones)")


def analyse_demo(store: Any) -> list[str]:
    """Run every analysis on the store (results saved for the map); one line each."""
    from openruimte.analysis.candidates import Horizon
    from openruimte.analysis.capacity import CapacitySettings
    from openruimte.analysis.pairs import Parameters
    from openruimte.services import analyse as analysing

    plans = analysing.analyse_store(store, Parameters(), actor="demo")
    cands = analysing.candidates_in_store(store, Horizon(), Parameters(), actor="demo")
    cap = analysing.capacity_in_store(store, CapacitySettings(), actor="demo")
    space = analysing.space_in_store(store, "warmte", actor="demo")
    over = ", ".join(f"{e.name or e.id} ({e.exceeded_year})" for e in cap.exceeded()) or "none"
    full = ", ".join(f"{s.name} ({s.street_id})" for s in space.problems()[:5]) or "none"
    return [
        f"koppelkansen / coupling opportunities: {len(plans.couplings)}; "
        f"graafrust-conflicten / no-dig conflicts: {len(plans.conflicts)}",
        f"vervangingsopgaven / replacement candidates: {len(cands['candidates'])} "
        f"({len(cands['couplings_with_plans'])} couplings with registered plans)",
        f"netcapaciteit overschreden / substations over capacity: {over}",
        f"warmtenet past niet / heat network does not fit: {full}",
    ]


def _print_planted(console: Console, planted: dict[str, Any]) -> None:
    """The situations the demo holds on purpose, for the analysis to find."""
    console.print("[bold]Geplante situaties / planted situations[/bold] (for the analysis to find):")
    for name, value in planted.items():
        if isinstance(value, (int, float, str)):
            continue
        console.print(f"  - {name}: {_short(value)}", highlight=False)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 200 else text[:197] + "..."
