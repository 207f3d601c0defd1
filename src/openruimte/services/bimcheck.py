"""Use case: check a BIM model against information requirements (IDS) and report.

A model is a file or a registered model version (``OWNER:PLAN_ID/LABEL@VERSION`` or
``#ID``, see :mod:`openruimte.services.bim`), read with the plan's visibility. The
requirements are IDS files, built-in sets (``ils``: the Dutch BIM basis ILS, with its
Python-only checks) and, for a registered version, the IDS files its organisation
registered (:mod:`openruimte.services.bimids`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from openruimte.bim import ids as bim_ids
from openruimte.bim import ils

Progress = Callable[[int, int], None]


def load_requirements(
    ids_paths: Sequence[str | Path] = (),
    builtin: Sequence[str] = (),
    *,
    strict: bool = False,
    origin_limit_m: float = ils.ORIGIN_LIMIT_M,
) -> tuple[list[bim_ids.IdsDocument], list[bim_ids.ExtraCheck]]:
    """Read every IDS file and built-in set; all IDS problems of all files are raised together."""
    documents: list[bim_ids.IdsDocument] = []
    extras: list[bim_ids.ExtraCheck] = []
    errors = []
    for path in ids_paths:
        try:
            documents.append(bim_ids.read_ids(Path(path), strict=strict))
        except bim_ids.IdsInvalid as err:
            errors.extend(err.errors)
    for name in builtin:
        if name not in ils.BUILTIN:
            raise bim_ids.IdsInvalid(
                f"unknown built-in IDS '{name}'; choose one of: {', '.join(sorted(ils.BUILTIN))}", "--builtin"
            )
        documents.append(ils.builtin_ids(name))
        extras.extend(ils.extra_checks(name, limit_m=origin_limit_m))
    if errors:
        raise bim_ids.IdsInvalid(errors, "IDS")
    return documents, extras


def open_source(
    source: str | Path, *, store: Any | None = None, principal: Any | None = None
) -> tuple[Any, str, dict[str, Any] | None]:
    """The model (ifcopenshell file), its display name and, for a registered version, its row."""
    from openruimte.services import bim as bim_service

    if store is not None and bim_service.is_version_ref(str(source)):
        row = bim_service.resolve_version(store, principal, str(source))
        path = bim_service.model_path(store, principal, str(source))
        name = bim_service.version_json(row, geometry=False)["ref"]
        return bim_ids.open_model(path, max_bytes=bim_service.max_bytes()), name, row
    path = Path(source)
    return bim_ids.open_model(path, max_bytes=bim_service.max_bytes()), path.name, None


def check(
    source: str | Path,
    ids_paths: Sequence[str | Path] = (),
    builtin: Sequence[str] = (),
    *,
    store: Any | None = None,
    principal: Any | None = None,
    strict: bool = False,
    origin_limit_m: float = ils.ORIGIN_LIMIT_M,
    progress: Progress | None = None,
) -> tuple[bim_ids.CheckReport, Any]:
    """``bim check``: the report and the opened model (for the BCF viewpoints).

    The requirements are read before the model is opened, so a bad IDS is reported at once.
    """
    documents, extras = load_requirements(ids_paths, builtin, strict=strict, origin_limit_m=origin_limit_m)
    model, name, row = open_source(source, store=store, principal=principal)
    if not documents and not extras and row is not None:
        from openruimte.services import bimids

        documents = bimids.documents_for(store, row["owner"])
    if not documents and not extras:
        raise bim_ids.IdsInvalid(
            "no information requirements given: pass --ids FILE.ids or --builtin ils"
            + (f" (organisation {row['owner']} has no registered IDS files)" if row is not None else ""),
            "bim check",
        )
    report = bim_ids.check(model, documents, model_name=name, extra_checks=extras, progress=progress)
    return report, model


# --------------------------------------------------------------------------- stored results (registered versions)


def check_registered(
    store: Any, principal: Any, row: dict[str, Any], model: Any = None, *, trigger: str = "upload"
) -> dict[str, Any] | None:
    """Check a registered model version against its organisation's IDS files and store the
    result (``None`` when the organisation registered none). A check that cannot run is
    stored as ``error`` with the reason: the registration itself stands."""
    from openruimte.services import bim as bim_service
    from openruimte.services import bimids
    from openruimte.store import bimids as register

    documents = bimids.documents_for(store, row["owner"])
    if not documents:
        return None
    ref = bim_service.version_json(row, geometry=False)["ref"]
    ids_pks = [d.info["register_pk"] for d in documents]
    try:
        if model is None:
            model = bim_ids.open_model(bim_service.model_path(store, principal, f"#{row['pk']}"))
        report = bim_ids.check(model, documents, model_name=ref)
        data = report.as_dict()
        values = {"ids_pks": ids_pks, "status": data["status"], "trigger": trigger, "summary": data["summary"],
                  "report": data, "error": None}  # fmt: skip
    except Exception as err:  # the model was registered; say why it could not be checked
        values = {"ids_pks": ids_pks, "status": "error", "trigger": trigger, "summary": {}, "report": None,
                  "error": f"{type(err).__name__}: {err}"}  # fmt: skip
    with store.writer(principal.actor) as writer:
        saved = register.add_result(writer, version_pk=row["pk"], ref=ref, values=values)
    return result_json(saved)


def result_json(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["pk"],
        "version_id": row["version_pk"],
        "status": row["status"],
        "trigger": row["trigger"],
        "ids": row["ids_pks"],
        "summary": row["summary"],
        "error": row.get("error"),
        "created_at": row["created_at"],
        "created_by": row["created_by"],
    }


def check_now(store: Any, principal: Any, version_id: int) -> dict[str, Any]:
    """Check a registered version again (on demand); editors and admins of the plan's owner."""
    from openruimte.model.access import Forbidden
    from openruimte.services import bim as bim_service

    row = bim_service.resolve_version(store, principal, f"#{version_id}")
    if not principal.may_write(row["owner"]):
        raise Forbidden(
            f"alleen redacteuren en beheerders van {row['owner']} mogen een controle starten / only editors and "
            f"admins of {row['owner']} may run a check"
        )
    result = check_registered(store, principal, row, trigger="demand")
    if result is None:
        raise bim_ids.IdsInvalid(
            f"organisatie {row['owner']} heeft geen IDS-bestanden geregistreerd / has no registered IDS files; "
            "fix: openruimte bim ids add --org CODE FILE.ids",
            "IDS",
        )
    return result


def results(store: Any, principal: Any, version_id: int) -> list[dict[str, Any]]:
    """The stored check results of a version the principal may see."""
    from openruimte.services import bim as bim_service
    from openruimte.store import bimids as register

    bim_service.resolve_version(store, principal, f"#{version_id}")  # visibility of the plan
    return [result_json(r) for r in register.results(store, version_pk=version_id)]


def stored_report(store: Any, principal: Any, version_id: int, check_id: int) -> bim_ids.CheckReport:
    """One stored report, as a :class:`CheckReport` (for the JSON, HTML and BCF downloads)."""
    from openruimte.services import bim as bim_service
    from openruimte.services.bim import NotFound
    from openruimte.store import bimids as register

    bim_service.resolve_version(store, principal, f"#{version_id}")
    row = register.result(store, check_id)
    if row is None or row["version_pk"] != version_id:
        raise NotFound(f"controle {check_id} van versie #{version_id} niet gevonden / check not found")
    if row["report"] is None:
        raise NotFound(f"controle {check_id} kon niet lopen / the check could not run: {row['error']}")
    return bim_ids.CheckReport.from_dict(row["report"])


def stored_bcf(store: Any, principal: Any, version_id: int, check_id: int) -> bytes:
    """The BCF of a stored report, with viewpoints from the version's original file."""
    from openruimte.bim import reports
    from openruimte.services import bim as bim_service

    report = stored_report(store, principal, version_id, check_id)
    model = bim_ids.open_model(bim_service.model_path(store, principal, f"#{version_id}"))
    return reports.to_bcf(report, model)


# --------------------------------------------------------------------------- report renderings (for the API and CLI)

#: the largest IDS file accepted (bytes)
MAX_IDS_BYTES = bim_ids.MAX_IDS_BYTES


def as_json(report: bim_ids.CheckReport) -> str:
    from openruimte.bim import reports

    return reports.to_json(report)


def as_html(report: bim_ids.CheckReport) -> str:
    from openruimte.bim import reports

    return reports.to_html(report)


def as_bcf(report: bim_ids.CheckReport, model: Any = None) -> bytes:
    from openruimte.bim import reports

    return reports.to_bcf(report, model)
