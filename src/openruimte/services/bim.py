"""Use case: BIM models of plans (register, list, read, compare, footprints for the map).

Reads follow the plan's visibility (store/permissions.py :class:`View`: a model is
seen by whoever sees its plan unmasked); writes need an editor or admin of the
plan's owning organisation. A registration is all-or-nothing: the file is parsed
and placed first; rows, audit log and the original file go in together, and a
failure leaves neither rows nor a new file behind.

Version references (CLI and API)::

    OWNER:PLAN_ID/LABEL@VERSION   one version (e.g. gemeente:P-12/gebouw-a@2)
    OWNER:PLAN_ID/LABEL           the newest version of that model
    OWNER:PLAN_ID                 the newest version of the plan's only model
    #ID                           a version by its id (as listed by ``bim list``)

Entry points for other use cases (e.g. the IDS check, ``bim check``):
:func:`model_path` gives the original IFC file of a version a principal may see,
:func:`resolve_version` its row, :func:`is_version_ref` tells a reference from a path.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import shapely

from openruimte.bim import diff as bim_diff
from openruimte.bim.errors import BimError
from openruimte.bim.extract import ModelInfo, check_file, extract, open_model
from openruimte.model.access import Forbidden, Principal
from openruimte.model.errors import OpenRuimteError
from openruimte.store import bim as register
from openruimte.store.permissions import View

Progress = Callable[[int, int], None]
_REF = re.compile(r"^(?P<owner>[^:/@#\s]+):(?P<plan>[^/@]+?)(?:/(?P<label>[^@]+?))?(?:@(?P<version>\d+))?$")


class NotFound(OpenRuimteError):
    code = "not_found"
    status = 404


def max_bytes() -> int:
    """The largest model accepted (``bim_max_bytes`` of :mod:`openruimte.settings`)."""
    from openruimte.settings import Settings

    return Settings().bim_max_bytes


def parse_plan(text: str) -> tuple[str, str]:
    owner, sep, plan_id = str(text).partition(":")
    if not sep or not owner or not plan_id:
        raise BimError(f"--plan {text!r}: verwacht EIGENAAR:ID / expected OWNER:ID, e.g. --plan gemeente:P-12")
    return owner, plan_id


def is_version_ref(text: str) -> bool:
    """Does ``text`` name a registered version (rather than a file)?"""
    text = str(text)
    if Path(text).exists():
        return False
    return text.startswith("#") or bool(_REF.match(text))


# ------------------------------------------------------------------------------ register


def register_file(
    store: Any,
    path: str | Path,
    plan: str,
    *,
    principal: Principal,
    label: str | None = None,
    at: tuple[float, float, float] | None = None,
    file_name: str | None = None,
    progress: Progress | None = None,
    limit: int | None = None,
    on_registered: Callable[[dict[str, Any], Path], Any] | None = None,
) -> dict[str, Any]:
    """Register ``path`` as the next version of model ``label`` of ``plan`` (``OWNER:ID``).

    Returns :func:`version_json` of the new version (``unchanged: True`` when the file is
    identical to the model's newest version: then nothing is written). ``on_registered``
    (e.g. the IDS check on upload) is called after the commit with that document and the
    stored file; what it returns is kept under ``"on_registered"``."""
    path = Path(path)
    file_name = file_name or path.name
    owner, plan_id = parse_plan(plan)
    if store.plan_row(owner, plan_id) is None or View(store, principal).plan_row(owner, plan_id) is None:
        raise NotFound(f"plan {owner}:{plan_id} bestaat niet (of u mag het niet zien) / not found")
    if not principal.may_write(owner):
        raise Forbidden(
            f"alleen redacteuren en beheerders van {owner} mogen modellen bij {owner}:{plan_id} registreren / only "
            f"editors and admins of {owner} may register models for this plan"
        )
    label = (label or Path(file_name).stem).strip()[:500] or "model"
    check_file(path, max_bytes=limit if limit is not None else max_bytes())
    f = open_model(path)
    info = extract(f, name=file_name, at=at, progress=progress, require_building=True, require_placement=True)
    if info.footprint is None or info.footprint.is_empty:
        raise BimError(
            f"{file_name}: geen voetafdruk: het model heeft geen elementen met geometrie / no footprint: the model has "
            "no elements with geometry"
        )
    sha = register.sha256_of(path)
    newest = register.version(store, owner=owner, plan_id=plan_id, label=label)
    if newest is not None and newest["sha256"] == sha:
        return {**version_json(newest), "unchanged": True}
    values = {
        "sha256": sha,
        "file_name": file_name[:500],
        "size_bytes": path.stat().st_size,
        "schema": info.schema,
        "metadata": _metadata(info),
        "georef": info.georef_json,
        "geometry": info.footprint,
        "bottom_m": info.bottom_m,
        "top_m": info.top_m,
        "storeys": info.storeys,
    }
    root = register.blob_dir(store)
    new_blob = False
    try:
        with store.writer(principal.actor) as writer:
            row = register.add_version(writer, owner=owner, plan_id=plan_id, label=label, values=values)
            new_blob = register.put_blob(root, sha, path)  # last step before the commit
    except BaseException:
        if new_blob:
            register.blob_path(root, sha).unlink(missing_ok=True)
        raise
    # IDS (bim-ids): check the new version against its organisation's registered IDS files, result stored
    from openruimte.services import bimcheck

    ids_check = bimcheck.check_registered(store, principal, row, f)
    del f
    doc = {**version_json(row), "unchanged": False, "ids_check": ids_check}
    if on_registered is not None:
        doc["on_registered"] = on_registered(doc, register.blob_path(root, sha))
    return doc


def _metadata(info: ModelInfo) -> dict[str, Any]:
    doc = info.to_json()
    for key in ("footprint", "footprint_wgs84", "georeferencing", "storeys", "bottom_m", "top_m"):
        doc.pop(key, None)
    return doc


# ------------------------------------------------------------------------------ read


def version_json(row: dict[str, Any], *, geometry: bool = True) -> dict[str, Any]:
    ref = f"{row['owner']}:{row['plan_id']}/{row['label']}@{row['version']}"
    created = row.get("created_at")
    out = {
        "id": row["pk"],
        "ref": ref,
        "plan": f"{row['owner']}:{row['plan_id']}",
        "label": row["label"],
        "version": row["version"],
        "file_name": row["file_name"],
        "size_bytes": row["size_bytes"],
        "sha256": row["sha256"],
        "schema": row["schema"],
        "created_at": created.isoformat() if hasattr(created, "isoformat") else created,
        "created_by": row.get("created_by"),
        "bottom_m": row.get("bottom_m"),
        "top_m": row.get("top_m"),
        "storeys": row.get("storeys") or [],
        "metadata": row.get("metadata") or {},
        "georef": row.get("georef") or {},
    }
    if geometry:
        out["footprint"] = shapely.geometry.mapping(row["geometry"]) if row.get("geometry") is not None else None
    return out


def _visible_plans(store: Any, principal: Principal) -> set[tuple[str, str]]:
    cols = View(store, principal).plan_columns(())  # (masked plans by their opaque keys, as View.plans)
    return set(zip(cols["owner"], cols["id"], strict=True))


def list_models(store: Any, principal: Principal, plan: str) -> list[dict[str, Any]]:
    """The models of a plan with their versions (newest last)."""
    owner, plan_id = parse_plan(plan)
    if View(store, principal).plan_row(owner, plan_id) is None:
        raise NotFound(f"plan {owner}:{plan_id} bestaat niet (of u mag het niet zien) / not found")
    models: dict[str, dict[str, Any]] = {}
    for row in register.versions(store, plans=[(owner, plan_id)]):
        entry = models.setdefault(row["label"], {"label": row["label"], "plan": f"{owner}:{plan_id}", "versions": []})
        entry["versions"].append(version_json(row, geometry=False))
    return list(models.values())


def resolve_version(store: Any, principal: Principal, ref: str) -> dict[str, Any]:
    """The version row a reference names, if the principal may see its plan; :class:`NotFound` otherwise."""
    text = str(ref).strip()
    row = None
    if text.lstrip("#").isdigit():
        pk = int(text.lstrip("#"))
        row = register.version(store, pk=pk) if pk < 2**31 else None
    else:
        m = _REF.match(text)
        if m is None:
            raise BimError(
                f"{text!r} is geen bestand en geen modelversie / is neither a file nor a model version; use "
                "OWNER:PLAN_ID/LABEL@VERSION or #ID"
            )
        number = int(m["version"]) if m["version"] else None
        if m["label"] is None:
            labels = {r["label"] for r in register.versions(store, plans=[(m["owner"], m["plan"])])}
            if len(labels) > 1:
                raise BimError(
                    f"{text}: het plan heeft meer modellen ({', '.join(sorted(labels))}); noem er één / the plan has "
                    "several models; name one as OWNER:PLAN_ID/LABEL"
                )
        row = register.version(store, owner=m["owner"], plan_id=m["plan"], label=m["label"], number=number)
    if row is None or View(store, principal).plan_row(row["owner"], row["plan_id"]) is None:
        raise NotFound(f"modelversie {text} niet gevonden / model version not found")
    return row


def model_path(store: Any, principal: Principal, ref: str) -> Path:
    """The original IFC file of a version the principal may see (for the IDS check and downloads)."""
    row = resolve_version(store, principal, ref)
    path = register.blob_path(register.blob_dir(store), row["sha256"])
    if not path.is_file():
        raise BimError(f"het bestand van {ref} ontbreekt in {path.parent} / the model file is missing")
    return path


def info(
    store: Any | None,
    principal: Principal,
    source: str | Path,
    *,
    at: tuple[float, float, float] | None = None,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """``bim info``: the contract document of a file, or of a registered version (as registered)."""
    if store is not None and is_version_ref(str(source)):
        row = resolve_version(store, principal, str(source))
        doc = dict(row["metadata"])
        g = row["georef"]
        doc.update(
            registered=version_json(row, geometry=False)["ref"],
            id=row["pk"],
            storeys=row["storeys"],
            georeferencing={
                "method": g.get("method"),
                "crs": g.get("crs"),
                "eastings": g.get("eastings"),
                "northings": g.get("northings"),
                "orthogonal_height": g.get("orthogonal_height"),
                "rotation": g.get("rotation_deg"),
                "scale": g.get("scale"),
                "factors": g.get("factors"),
                "source": g.get("source"),
                "confidence": g.get("confidence"),
                "in_rd": g.get("in_rd"),
                "wcs_offset_m": g.get("wcs_offset_m"),
                "assumptions": g.get("assumptions", []),
                "warnings": g.get("warnings", []),
            },
            footprint=shapely.geometry.mapping(row["geometry"]),
            footprint_crs="EPSG:28992",
            bottom_m=row["bottom_m"],
            top_m=row["top_m"],
        )
        return doc
    path = Path(source)
    return extract(path, at=at, progress=progress, max_bytes=max_bytes()).to_json()


def _open_side(store: Any | None, principal: Principal, source: str) -> tuple[Any, ModelInfo, str]:
    if store is not None and is_version_ref(source):
        row = resolve_version(store, principal, source)
        path = register.blob_path(register.blob_dir(store), row["sha256"])
        name = version_json(row, geometry=False)["ref"]
    else:
        path, name = Path(source), Path(source).name
    f = open_model(path, max_bytes=max_bytes())
    model_info = extract(f, name=name, with_elements=True)
    return f, model_info, name


def diff(store: Any | None, principal: Principal, old: str, new: str) -> dict[str, Any]:
    """``bim diff``: two files or registered versions compared (see :mod:`openruimte.bim.diff`)."""
    old_f, old_info, old_name = _open_side(store, principal, str(old))
    new_f, new_info, new_name = _open_side(store, principal, str(new))
    result = bim_diff.compare(old_f, old_info, new_f, new_info)
    result["old"], result["new"] = old_name, new_name
    return result


def footprints(store: Any, principal: Principal, *, all_versions: bool = False) -> list[dict[str, Any]]:
    """Footprints (EPSG:28992) of the newest version of every model of the plans the principal sees."""
    plans = _visible_plans(store, principal)
    rows = register.versions(store, plans=plans, latest_only=not all_versions)
    return [{**version_json(r, geometry=False), "geometry": r["geometry"]} for r in rows]


def demo_sites(store: Any, count: int = 2) -> list[dict[str, Any]]:
    """Where the demo's generated buildings stand (deterministic): the first ``count`` shared or public
    housing plans, each a 30 x 12 m block at its representative point (``eastings``/``northings`` the
    block's corner, ``rotation_deg`` about it), 3-5 storeys of 3 m. The demo's bestemmingsplan is drawn
    around the same sites (services/rulecheck.py)."""
    chosen = []
    for plan in sorted(store.plans(), key=lambda p: p.key):
        if plan.dwellings and not plan.sensitive and str(plan.visibility) in ("shared", "public"):
            chosen.append(plan)
        if len(chosen) == count:
            break
    sites = []
    for i, plan in enumerate(chosen):
        point = plan.geometry.representative_point()
        sites.append(
            {
                "plan": plan,
                "eastings": round(point.x - 15.0, 3),
                "northings": round(point.y - 6.0, 3),
                "rotation_deg": 25.0 * i,
                "storeys": 3 + (plan.dwellings or 0) % 3,
                "width_m": 30.0,
                "depth_m": 12.0,
                "storey_height_m": 3.0,
            }
        )
    return sites


def add_demo_models(store: Any, out: Path, *, principal: Principal, count: int = 2) -> list[dict[str, Any]]:
    """Give ``count`` housing plans of the demo a generated building (deterministic, in Voorbeeldstad),
    so a new user sees footprints on the map. Returns the registered versions."""
    from openruimte.bim.sample import write_sample

    sites = demo_sites(store, count)
    folder = Path(out) / "bim"
    folder.mkdir(parents=True, exist_ok=True)
    # bim-ids: the owners require the BIM basis ILS, so the demo models are checked on upload
    from openruimte.services import bimids

    for owner in sorted({s["plan"].owner for s in sites}):
        bimids.register_builtin(store, principal, owner)
    done = []
    for i, site in enumerate(sites):
        plan = site["plan"]
        path = write_sample(
            folder / f"{plan.id}.ifc",
            eastings=site["eastings"],
            northings=site["northings"],
            rotation_deg=site["rotation_deg"],
            storeys=site["storeys"],
            name=f"Woongebouw {plan.name}"[:200],
            seed=i + 1,
            peil_m=0.0,
        )
        done.append(register_file(store, path, plan.key, principal=principal, label="woongebouw"))
    return done
