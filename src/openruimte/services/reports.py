"""The report use cases (``gantt``, ``bundles``, ``compare``, ``dossier``): read
the programme file and the store once, run the pure report builders
(:mod:`openruimte.reports`: they never touch the database), write the files.

Library first: ``cli/reports.py`` calls these.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openruimte.model import InputError
from openruimte.store import Store


@dataclass
class Snapshot:
    """What a report reads of the store, read once: the same read methods as the store,
    answered from memory (the report builders take it where they took the store)."""

    _areas: list[Any]
    _plans: list[Any]
    _streets: list[Any]
    _policy_goals: list[Any]
    _assets: list[Any]
    _vital_systems: list[Any]
    _layers: list[Any]
    _organisations: list[Any]
    _datasets: list[Any]
    _analyses: dict[str, dict[str, Any] | None] = field(default_factory=dict)

    @classmethod
    def read(cls, store: Store, analyses: tuple[str, ...] = ("plans", "candidates", "capacity", "space")) -> Snapshot:
        return cls(
            store.areas(),
            store.plans(),
            store.streets(),
            store.policy_goals(),
            store.assets(),
            store.vital_systems(),
            store.layers(),
            store.organisations(),
            store.datasets(),
            {kind: store.latest_analysis(kind) for kind in analyses},
        )

    def areas(self) -> list[Any]:
        return self._areas

    def plans(self) -> list[Any]:
        return self._plans

    def streets(self) -> list[Any]:
        return self._streets

    def policy_goals(self) -> list[Any]:
        return self._policy_goals

    def assets(self) -> list[Any]:
        return self._assets

    def vital_systems(self) -> list[Any]:
        return self._vital_systems

    def layers(self) -> list[Any]:
        return self._layers

    def organisations(self) -> list[Any]:
        return self._organisations

    def datasets(self) -> list[Any]:
        return self._datasets

    def latest_analysis(self, kind: str) -> dict[str, Any] | None:
        return self._analyses.get(kind)


def read_programme(path: Path, store: Store | None = None, area: str | None = None) -> Any:
    """A programme.json, enriched from the store when there is one (street names, excavation,
    no-dig periods), restricted to ``area`` when given (needs the store)."""
    from openruimte.reports import enrich
    from openruimte.reports import read_programme as read

    prog = read(path)
    if store is not None:
        enrich(prog, store.plans(), store.streets())
    if area is not None:
        if store is None:
            raise InputError("--area needs the database", "--area")
        prog = restrict_to_area(prog, store.areas(), store.plans(), store.streets(), area)
    return prog


def restrict_to_area(prog: Any, areas: list[Any], plans: list[Any], streets: list[Any], code: str) -> Any:
    """Only the plans of area ``code`` (or its buurten): by the plan's area, its geometry or its streets."""
    by_code = {a.code: a for a in areas}
    if code not in by_code:
        raise InputError(f"no area '{code}' in the database", "--area")
    geom = by_code[code].geometry
    codes = {code, *(a.code for a in by_code.values() if a.parent == code)}
    keys = {p.key for p in plans if p.area in codes or p.geometry.intersects(geom)}
    street_ids = {s.id for s in streets if s.area in codes or s.geometry.intersects(geom)}
    return prog.restrict(
        {p.key for p in prog.plans if p.key in keys or p.area in codes or set(p.segments) & street_ids}
    )


def gantt(prog: Any, out: Path, group: str, png: Path | None = None) -> list[Path]:
    """The Gantt chart as HTML (and PNG pages); returns the files written."""
    from openruimte.reports import gantt as g

    g.write_html(prog, out, group)
    return [out, *(g.write_png(prog, png, group) if png else [])]


def bundles(store: Store, programme: Path, out: Path, png: Path | None = None) -> list[Path]:
    """The map of the bundles as HTML (and a PNG); returns the files written."""
    from openruimte.reports import bundles as b

    prog = read_programme(programme, store)
    streets, areas = store.streets(), store.areas()
    b.write_html(prog, streets, areas, out)
    if png:
        b.write_png(prog, streets, areas, png)
    return [out, *([png] if png else [])]


def compare(a: Path, b: Path, out: Path, labels: tuple[str, str] = ("A", "B")) -> list[Path]:
    """Two programmes side by side as HTML."""
    from openruimte.reports import compare as c
    from openruimte.reports import read_programme as read

    c.write_html(read(a), read(b), out, labels[0], labels[1])
    return [out]


def read_programme_json(path: Path | None) -> dict[str, Any] | None:
    if path is None:
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise InputError(f"cannot read the programme: {err}", str(path)) from None


def dossier(
    store: Store, area: str, out: Path, *, programme: Path | None = None, pdf: Path | None = None, step: Any = None
) -> tuple[Any, list[Path]]:
    """The area dossier (HTML, and PDF when asked): the store read once, the dossier built
    from that snapshot. Returns the dossier and the files written."""
    from openruimte.reports import dossier as d

    data = read_programme_json(programme)
    if step:
        step(f"gebiedsdossier {area} samenstellen / collecting ...")
    dos = d.collect(Snapshot.read(store), area, data, programme_source=str(programme or ""))
    out.write_text(d.html(dos), encoding="utf-8")
    if pdf:
        from openruimte.reports.pdf import html_to_pdf

        if step:
            step("PDF afdrukken / printing ...")
        html_to_pdf(out, pdf, title=f"Gebiedsdossier {dos.area.name} ({dos.area.code})")
    return dos, [out, *([pdf] if pdf else [])]
