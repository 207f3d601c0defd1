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
from openruimte.io import registry
from openruimte.model import Category, Dataset, InputError, Organisation, OrganisationKind, Origin, RowError, Temporal
from openruimte.settings import vertex_limit
from openruimte.store import Store, WriteSummary

#: the category of each import kind: the exchange kinds, then the national standards (reader registry)
CATEGORY_OF = {
    "plans": Category.PLANS,
    "assets": Category.ASSETS,
    "policy": Category.POLICY,
    "layer": Category.ENVIRONMENT,
    "vital": Category.VITAL,
    "areas": Category.AREAS,
    "streets": Category.STREETS,
} | {name: reader.category for name, reader in registry.standards().items()}
#: national standards: the kind stored, licence and whether the data is another party's
EXTERNAL_KINDS = {name: (r.stores, r.licence, r.origin) for name, r in registry.standards().items()}


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
    #: what the file held, per feature type (national standards)
    counts: dict[str, int] = field(default_factory=dict)

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
    imbor: str | Path | None = None,
    progress: Any = None,
) -> ImportReport:
    """Read ``path`` as ``kind`` and write it in one transaction; nothing is written
    when any row is wrong, or when ``dry_run``."""
    with vertex_limit():
        return _import_file(
            store, kind, path, actor=actor, owner=owner, crs=crs, encoding=encoding, layer=layer, fmt=fmt,
            make_valid=make_valid, dry_run=dry_run, level=level, layer_name=layer_name, temporal=temporal,
            origin=origin, licence=licence, snapshot_date=snapshot_date, imbor=imbor, progress=progress,
        )  # fmt: skip


def _import_file(
    store: Store,
    kind: str,
    path: str | Path,
    *,
    actor: str,
    owner: str | None,
    crs: str | None,
    encoding: str | None,
    layer: str | None,
    fmt: str | None,
    make_valid: bool,
    dry_run: bool,
    level: str | None,
    layer_name: str | None,
    temporal: Temporal,
    origin: Origin,
    licence: str | None,
    snapshot_date: dt.date | None,
    imbor: str | Path | None,
    progress: Any,
) -> ImportReport:
    path = Path(path)
    stored_kind = kind
    if kind in EXTERNAL_KINDS:
        dataset = Dataset(
            name=path.stem,
            category=CATEGORY_OF[kind],
            source=str(path.name),
            temporal=temporal,
            origin=EXTERNAL_KINDS[kind][2],
            licence=licence or EXTERNAL_KINDS[kind][1],
            snapshot_date=snapshot_date,
            owner=owner,
        )
        return import_external(
            store,
            kind,
            path,
            dataset=dataset,
            actor=actor,
            dry_run=dry_run,
            owner=owner,
            crs=crs,
            encoding=encoding,
            imbor=imbor,
            progress=progress,
        )
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
        counts=dict(result.summary),
    )
    if result.errors:
        return report
    items = result.items
    if stored_kind in ("plans", "assets"):
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
        store, stored_kind, items, dataset=dataset, actor=actor, dry_run=dry_run
    )
    return report


class _Rollback(Exception):
    """Leaves the import transaction without writing (errors found, or a dry run)."""


class BatchWriter:
    """Writes batches of read items inside one open transaction: unknown owners
    registered, areas derived, rows upserted. Readers of large files call it
    as they go, so memory stays bounded while the import stays all-or-nothing."""

    def __init__(self, writer: Any, store: Store, kind: str, dataset_id: int, source: str) -> None:
        self.writer = writer
        self.kind = kind
        self.dataset_id = dataset_id
        self.source = source
        self.known = {o.code for o in store.organisations()}
        self.areas = (store.areas(level="buurt") or store.areas()) if kind in ("plans", "assets") else []
        self.summary = WriteSummary(kind, dataset_id=dataset_id)
        self.new_organisations: list[str] = []
        self.count = 0
        self.first_snapshot: dt.date | None = None

    def __call__(self, batch: list[Any]) -> None:
        if not batch:
            return
        owners = sorted({i.owner for i in batch if hasattr(i, "owner")} - self.known)
        if owners:
            self.writer.upsert_organisations([Organisation(code=o, name=o, kind=guess_kind(o)) for o in owners])
            self.known.update(owners)
            self.new_organisations.extend(owners)
        if self.areas:
            _assign(batch, self.areas)
        done = self.writer.upsert(self.kind, batch, dataset_id=self.dataset_id, source=self.source)
        self.summary.inserted += done.inserted
        self.summary.updated += done.updated
        self.summary.unchanged += done.unchanged
        self.count += len(batch)
        if self.first_snapshot is None:
            self.first_snapshot = _snapshot_of(batch)


def import_external(
    store: Store,
    kind: str,
    path: Path,
    *,
    dataset: Dataset,
    actor: str,
    dry_run: bool,
    owner: str | None,
    crs: str | None,
    encoding: str | None,
    imbor: str | Path | None,
    progress: Any = None,
) -> ImportReport:
    """KLIC/IMKL, BGT/IMGeo or CityJSON, streamed into one transaction that
    commits only when the whole file was read without errors (and not a dry run)."""
    stored_kind = EXTERNAL_KINDS[kind][0]
    report = ImportReport(kind=kind, source=path.name, rows=0, dry_run=dry_run)
    try:
        with store.writer(actor) as w:
            sink = BatchWriter(w, store, stored_kind, w.add_dataset(dataset, rows=0), dataset.source)
            result = read_external(
                kind,
                path,
                owner=owner,
                crs=crs,
                encoding=encoding,
                snapshot_date=dataset.snapshot_date,
                imbor=imbor,
                sink=sink,
                progress=progress,
            )
            if not result.errors:
                sink(result.items)
            report.source, report.rows = result.source, result.rows
            report.errors, report.warnings, report.counts = result.errors, result.warnings, dict(result.summary)
            report.summary, report.new_organisations = sink.summary, sink.new_organisations
            if result.errors or dry_run:
                raise _Rollback
            w.finish_dataset(
                sink.dataset_id, rows=sink.count, snapshot_date=dataset.snapshot_date or sink.first_snapshot
            )
    except _Rollback:
        pass
    return report


def read_external(
    kind: str,
    path: Path,
    *,
    owner: str | None,
    crs: str | None,
    encoding: str | None,
    snapshot_date: dt.date | None,
    imbor: str | Path | None,
    sink: Any = None,
    progress: Any = None,
) -> io.ReadResult:
    """A national standard (KLIC/IMKL, BGT/IMGeo, CityJSON ...: the reader registry);
    a file that cannot be read at all becomes one error. Readers that stream hand
    their items to ``sink`` in batches."""
    import inspect

    reader = registry.standards()[kind].load()
    params = inspect.signature(reader).parameters
    given: dict[str, Any] = {
        "owner": owner,
        "snapshot_date": snapshot_date,
        "crs": crs,
        "encoding": encoding,
        "progress": progress,
    }
    options = {k: v for k, v in given.items() if k in params}
    if "owner" in params and owner is None and params["owner"].default is inspect.Parameter.empty:
        options["owner"] = ""  # a reader that needs an owner (BGT) takes the empty one: every row names its own
    try:
        if "imbor" in params:
            options["imbor"] = load_imbor(imbor)
        return reader(path, **options, **_streaming(reader, sink))
    except InputError as err:
        return io.ReadResult(kind=kind, source=path.name, crs="", errors=err.errors)


def _streaming(reader: Any, sink: Any) -> dict[str, Any]:
    """Pass the sink to a reader that takes one."""
    import inspect

    return {"sink": sink} if sink is not None and "sink" in inspect.signature(reader).parameters else {}


def load_imbor(folder: str | Path | None) -> Any:
    """The IMBOR vocabulary (kern + BGT alignment) from ``folder`` or ``$OPENRUIMTE_IMBOR_DIR``; None if neither."""
    from openruimte.io.imbor import ImborVocabulary
    from openruimte.settings import Settings

    folder = folder or Settings().imbor_dir
    if not folder:
        return None
    base = Path(folder)
    kern = base / "crow-imbor2022" / "imbor-kern.ttl"
    if not kern.exists():
        raise InputError(f"no IMBOR kern at {kern}; --imbor names the folder that holds crow-imbor2022/", base.name)
    alignment = base / "crow-imbor2025-alignments" / "IMBOR2025_BGT-IMGeo2.2_alignment.ttl"
    return ImborVocabulary.load(kern, alignment=alignment if alignment.exists() else None)


def _snapshot_of(items: list[Any]) -> dt.date | None:
    """The delivery date the reader found (KLIC), as the dataset's snapshot date."""
    for item in items[:1]:
        value = getattr(item, "attributes", {}).get("snapshot_date")
        if value:
            try:
                return dt.date.fromisoformat(str(value)[:10])
            except ValueError:
                return None
    return None


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
    if any(not i.area for i in items):
        _assign(items, store.areas(level="buurt") or store.areas())


def _assign(items: list[Any], areas: list[Any]) -> None:
    """Give items without an area the code of the area that holds them."""
    missing = [i for i in items if not i.area]
    if not missing or not areas:
        return
    for item, code in zip(missing, assign_areas([i.geometry for i in missing], areas), strict=True):
        item.area = code
