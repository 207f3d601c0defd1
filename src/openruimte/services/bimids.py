"""Use case: IDS files registered per organisation (versioned).

An organisation (its editors and admins) registers the IDS files with its information
requirements; every new model version of its plans is then checked against the newest
version of each (:func:`openruimte.services.bimcheck.check_registered`). A file is read and
audited before it is stored (an invalid IDS is refused whole, nothing written); pre-IDS-1.0
habits are kept as warnings, or refused with ``strict``. Registering the same content again
under the same name writes nothing. The list is readable by every signed-in principal
(requirements are meant to be known by those who must meet them).
"""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path
from typing import Any

from openruimte.bim import ids as bim_ids
from openruimte.model.access import Forbidden, Principal
from openruimte.model.errors import OpenRuimteError
from openruimte.store import bimids as ids_store


class NotFound(OpenRuimteError):
    code = "not_found"
    status = 404


def ids_json(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["pk"],
        "ref": f"{row['owner']}/{row['name']}@{row['version']}",
        "owner": row["owner"],
        "name": row["name"],
        "version": row["version"],
        "title": row["title"],
        "file_name": row["file_name"],
        "specifications": row["specifications"],
        "sha256": row["sha256"],
        "warnings": row["warnings"],
        "created_at": row["created_at"],
        "created_by": row["created_by"],
    }


def register(
    store: Any,
    principal: Principal,
    org: str,
    source: Path | bytes,
    *,
    name: str | None = None,
    file_name: str | None = None,
    strict: bool = False,
) -> dict[str, Any]:
    """Register an IDS file as the next version of requirement set ``name`` of ``org``."""
    if org not in {o.code for o in store.organisations()}:
        raise NotFound(f"organisatie {org} bestaat niet / organisation not found; add it with `openruimte org add`")
    if not principal.may_write(org):
        raise Forbidden(
            f"alleen redacteuren en beheerders van {org} mogen IDS-bestanden registreren / only editors and admins "
            f"of {org} may register IDS files"
        )
    if isinstance(source, bytes):
        data, file_name = source, file_name or "requirements.ids"
    else:
        path = Path(source)
        if path.stat().st_size > bim_ids.MAX_IDS_BYTES:
            raise bim_ids.IdsInvalid(f"larger than {bim_ids.MAX_IDS_BYTES} bytes; fix: split it", path.name)
        data, file_name = path.read_bytes(), file_name or path.name
    document = bim_ids.read_ids(data, file_name, strict=strict)  # refuses an invalid IDS before anything is written
    name = (name or Path(file_name).stem).strip()[:500] or "ids"
    newest = ids_store.newest_ids(store, owner=org, name=name)
    if newest is not None and newest["sha256"] == document.sha256:
        return {**ids_json(newest), "unchanged": True}
    values = {
        "sha256": document.sha256,
        "file_name": file_name[:500],
        "title": document.title[:1000],
        "specifications": len(document.ids.specifications),
        "warnings": [w.as_dict() for w in document.warnings],
        "content": base64.b64encode(data).decode("ascii"),
    }
    with store.writer(principal.actor) as writer:
        row = ids_store.add_ids(writer, owner=org, name=name, values=values)
    return {**ids_json(row), "unchanged": False}


def list_ids(
    store: Any, principal: Principal, *, org: str | None = None, all_versions: bool = False
) -> list[dict[str, Any]]:
    if not principal.system and principal.org is None:
        raise Forbidden("meld u aan om de IDS-bestanden te zien / sign in to see the IDS files")
    return [ids_json(r) for r in ids_store.ids_files(store, owner=org, latest_only=not all_versions)]


def documents_for(store: Any, owner: str) -> list[bim_ids.IdsDocument]:
    """The newest version of every IDS file of ``owner``, read (each named by its reference)."""
    out = []
    for row in ids_store.ids_files(store, owner=owner, latest_only=True):
        data = base64.b64decode(row["content"])
        if hashlib.sha256(data).hexdigest() != row["sha256"]:
            raise OpenRuimteError(f"IDS {ids_json(row)['ref']}: the stored file does not match its sha256")
        document = bim_ids.read_ids(data, f"{row['file_name']} ({ids_json(row)['ref']})")
        document.info["register_pk"] = row["pk"]
        out.append(document)
    return out


def register_builtin(store: Any, principal: Principal, org: str, builtin: str = "ils") -> dict[str, Any]:
    """Register a built-in IDS (``ils``: the BIM basis ILS) as one of ``org``'s IDS files (the demo does
    this, so its models are checked on upload). Its Python-only checks run with ``bim check --builtin``."""
    from importlib.resources import files

    from openruimte.bim.ils import BUILTIN

    data = files("openruimte.bim").joinpath("data", BUILTIN[builtin]).read_bytes()
    return register(store, principal, org, data, name=f"builtin-{builtin}", file_name=BUILTIN[builtin])
