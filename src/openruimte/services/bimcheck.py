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
