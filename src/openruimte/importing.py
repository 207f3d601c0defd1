"""Import a file into the store: read, check, derive areas, write in one transaction.

Library first: the CLI and the API both call :func:`import_file`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openruimte import io
from openruimte.analysis.areas import assign_areas
from openruimte.model import Category, Dataset, Organisation, OrganisationKind, Origin, RowError, Temporal
from openruimte.store import Store, WriteSummary

CATEGORY_OF = {
    "plans": Category.PLANS,
    "assets": Category.ASSETS,
    "policy": Category.POLICY,
    "layer": Category.ENVIRONMENT,
    "vital": Category.VITAL,
    "areas": Category.AREAS,
    "streets": Category.STREETS,
}


@dataclass
class ImportReport:
    """The outcome of one import: what was written, or every error that kept it out."""

    kind: str
    source: str
    rows: int
    dry_run: bool
    errors: list[RowError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    summary: WriteSummary | None = None
    new_organisations: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def guess_kind(code: str) -> OrganisationKind:
    """The kind of an organisation from the first word of its code (gemeente-x, netbeheerder-y ...)."""
    head = code.split("-", 1)[0].lower()
    try:
        return OrganisationKind(head)
    except ValueError:
        return OrganisationKind.OVERIG


def import_file(
    store: Store,
    kind: str,
    path: str | Path,
    *,
    actor: str = "cli",
    owner: str | None = None,
    crs: str | None = None,
    encoding: str | None = None,
    layer: str | None = None,
    fmt: str | None = None,
    make_valid: bool = False,
    dry_run: bool = False,
    level: str | None = None,
    layer_name: str | None = None,
    temporal: Temporal = Temporal.CURRENT,
    origin: Origin = Origin.INTERNAL,
    licence: str | None = None,
    snapshot_date: dt.date | None = None,
) -> ImportReport:
    """Read ``path`` as ``kind`` and write it in one transaction; nothing is written
    when any row is wrong, or when ``dry_run``."""
    path = Path(path)
    result = io.read(
        path,
        kind,
        fmt=fmt,
        crs=crs,
        encoding=encoding,
        owner=owner,
        layer=layer,
        make_valid=make_valid,
        level=level,
        layer_name=layer_name,
    )
    report = ImportReport(
        kind=kind,
        source=result.source,
        rows=result.rows,
        dry_run=dry_run,
        errors=result.errors,
        warnings=result.warnings,
    )
    if result.errors:
        return report
    items = result.items
    if kind in ("plans", "assets"):
        _derive_areas(store, items)
    dataset = Dataset(
        name=path.stem,
        category=CATEGORY_OF[kind],
        source=str(path.name),
        temporal=temporal,
        origin=origin,
        licence=licence,
        snapshot_date=snapshot_date,
        owner=owner,
    )
    report.summary, report.new_organisations = write_items(
        store, kind, items, dataset=dataset, actor=actor, dry_run=dry_run
    )
    return report


def write_items(
    store: Store, kind: str, items: list[Any], *, dataset: Dataset, actor: str, dry_run: bool = False
) -> tuple[WriteSummary, list[str]]:
    """Register unknown owners, record the dataset and upsert the items, in one transaction."""
    owners = sorted({i.owner for i in items if hasattr(i, "owner")})
    known = {o.code for o in store.organisations()}
    new = [Organisation(code=o, name=o, kind=guess_kind(o)) for o in owners if o not in known]
    with store.writer(actor, dry_run=dry_run) as w:
        if new:
            w.upsert_organisations(new)
        dataset_id = w.add_dataset(dataset, rows=len(items))
        summary = w.upsert(kind, items, dataset_id=dataset_id, source=dataset.source)
    return summary, [o.code for o in new]


def _derive_areas(store: Store, items: list[Any]) -> None:
    missing = [i for i in items if not i.area]
    if not missing:
        return
    areas = store.areas(level="buurt") or store.areas()
    if not areas:
        return
    for item, code in zip(missing, assign_areas([i.geometry for i in missing], areas), strict=True):
        item.area = code
