"""Use case: check a design against the plan rules at its location (issue 15, part 2).

A design is a registered model version (its footprint, highest point and storeys as the
BIM register placed them), an IFC file (placed the same way, not kept), or a plan's own
volume (its geometry with the planned height or storeys of ``plan_volumes``). The rules
are those in the store (table ``rules``: ``openruimte import rules``); the pure checks are
:mod:`openruimte.rules.checks`.

Peil (the reference level heights are measured from), in this order:
``given`` (``--peil``), ``model`` (a ``Peil`` property or IfcSite.RefElevation, see
:mod:`openruimte.bim.design`), ``terrain`` (the median ground level, ``ground_height_m``, of
the 3D BAG buildings within :data:`TERRAIN_M` of the footprint), else ``assumed`` 0 m NAP
with a warning. A plan's volume is measured from its ground level already (``plan``).

Every run of a registered version or plan is kept (``rule_checks``): a new model version
is checked in the transaction that registers it (a store write hook, subscribed in
:mod:`openruimte.services.hooks`), so the plan's history shows its checks going from fail
to pass. Runs are read by whoever may see the plan (model.access); running one on demand
and keeping it needs an editor or admin of the plan's owner.
"""

from __future__ import annotations

import logging
import statistics
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import shapely

from openruimte.model.access import Forbidden, Principal
from openruimte.model.errors import OpenRuimteError
from openruimte.rules.checks import (
    CheckSettings,
    Design,
    check_design,
    overall,
    storeys_above_ground,
)
from openruimte.rules.model import Rule
from openruimte.store import bim as register
from openruimte.store import rulechecks as store_checks
from openruimte.store.permissions import View

log = logging.getLogger("openruimte.rulecheck")

#: metres around the footprint searched for the terrain height (ground level of buildings)
TERRAIN_M = 50.0
#: runs returned by :func:`history` unless told
HISTORY_LIMIT = 100


class NotFound(OpenRuimteError):
    code = "not_found"
    status = 404


class CheckError(OpenRuimteError):
    code = "invalid_check"
    status = 400


def settings() -> CheckSettings:
    """The tolerances of :mod:`openruimte.settings` (``rules_*``)."""
    from openruimte.settings import Settings

    s = Settings()
    return CheckSettings(
        bouwvlak_tolerance_m=s.rules_bouwvlak_tolerance_m, height_tolerance_m=s.rules_height_tolerance_m
    )


# ------------------------------------------------------------------------------ designs


def _rule(row: dict[str, Any]) -> Rule:
    return Rule(
        kind=row["kind"],
        value=row["value"],
        unit=row["unit"],
        geometry=row["geometry"],
        plan_id=row["plan_id"],
        source_id=row["source_id"],
        article=row.get("article"),
        name=row.get("name") or "",
        regime=row.get("regime") or "imro2012",
        bestemming=row.get("bestemming"),
    )


def _peil(
    conn: Any, spatial: Any, footprint: Any, model_peil: float | None, model_from: str | None, given: float | None
) -> tuple[float, str, str]:
    if given is not None:
        return float(given), "given", "opgegeven / given (--peil)"
    if model_peil is not None:
        return float(model_peil), "model", f"model: {model_from}"
    heights = [
        float(b["ground_height_m"])
        for b in store_checks.buildings_near(conn, spatial, footprint, TERRAIN_M)
        if b["ground_height_m"] is not None
    ]
    if heights:
        return (
            round(statistics.median(heights), 3),
            "terrain",
            f"mediaan maaiveld van {len(heights)} gebouwen binnen {TERRAIN_M:g} m / median ground level of "
            f"{len(heights)} buildings within {TERRAIN_M:g} m",
        )
    return 0.0, "assumed", "niet gevonden: 0 m NAP aangenomen / not found: 0 m NAP assumed"


def _model_design(
    conn: Any,
    spatial: Any,
    *,
    name: str,
    footprint: Any,
    top_m: float | None,
    facts: dict[str, Any] | None,
    storeys: list[dict[str, Any]],
    given_peil: float | None,
    height_reference: str | None = None,
) -> Design:
    facts = facts or {}
    peil, source, peil_note = _peil(conn, spatial, footprint, facts.get("peil_m"), facts.get("peil_from"), given_peil)
    levels = facts.get("storeys") or storeys
    n, how = storeys_above_ground(levels, peil_m=peil, top_m=top_m)
    notes = [f"peil {peil:.2f} m NAP ({peil_note})", f"bouwlagen / storeys: {how}"]
    if facts.get("gutter_from"):
        notes.append(f"goothoogte / gutter height: {facts['gutter_from']}")
    if height_reference and height_reference != "NAP":
        notes.append(
            "het model noemt geen NAP: hoogten gelezen als OrthogonalHeight + model-z in m NAP / the model names no "
            f"height datum: heights read as OrthogonalHeight + model z in m NAP ({height_reference})"
        )
    return Design(
        footprint=footprint,
        name=name,
        top_m=top_m,
        gutter_m=facts.get("gutter_m"),
        storeys=n,
        heights="NAP",
        peil_m=peil,
        peil_source=source,
        notes=tuple(notes),
    )


def _version_storeys(row: dict[str, Any]) -> list[dict[str, Any]]:
    """Storey levels of a version registered before bim/design.py: model elevation + OrthogonalHeight."""
    g = row.get("georef") or {}
    base = float(g.get("orthogonal_height") or 0.0) * float(g.get("map_unit_m") or 1.0)
    return [
        {**s, "elevation_m": None if s.get("elevation_m") is None else s["elevation_m"] + base}
        for s in row.get("storeys") or []
    ]


def design_of_version(conn: Any, spatial: Any, row: dict[str, Any], *, peil: float | None = None) -> Design:
    """The design of a registered model version (a row of ``bim_model_versions`` with its plan)."""
    facts = (row.get("metadata") or {}).get("design")
    return _model_design(
        conn,
        spatial,
        name=f"{row['owner']}:{row['plan_id']}/{row['label']}@{row['version']}",
        footprint=row["geometry"],
        top_m=row.get("top_m"),
        facts=facts,
        storeys=_version_storeys(row),
        given_peil=peil,
        height_reference=(row.get("metadata") or {}).get("height_reference"),
    )


def design_of_plan(conn: Any, spatial: Any, owner: str, plan_id: str) -> Design:
    """A plan's own volume: its areal geometry, planned height and storeys above its ground level."""
    geom = store_checks.plan_geometry(conn, owner, plan_id)
    parts = [g for g in shapely.get_parts(geom) if g.geom_type in ("Polygon", "MultiPolygon")] if geom else []
    if not parts:
        raise CheckError(
            f"plan {owner}:{plan_id} heeft geen vlak (alleen lijnen of punten): er is geen voetafdruk om te "
            "controleren / has no area (only lines or points): no footprint to check; fix: register a model or "
            "give the plan a polygon"
        )
    vol = store_checks.plan_volume(conn, owner, plan_id) or {}
    height = vol.get("height_m")
    if height is None and vol.get("storeys") is not None:
        height = vol["storeys"] * (vol.get("storey_height_m") or 3.0)
    notes = ["hoogten boven maaiveld uit de planattributen / heights above ground level from the plan's attributes"]
    if not vol:
        notes.append("het plan heeft geen hoogte of bouwlagen (openruimte volumes) / the plan has no height or storeys")
    return Design(
        footprint=shapely.union_all(parts),
        name=f"{owner}:{plan_id}",
        top_m=height,
        gutter_m=None,
        storeys=vol.get("storeys"),
        heights="relative",
        peil_m=0.0,
        peil_source="plan",
        notes=tuple(notes),
    )


def _existing(conn: Any, spatial: Any, rules: list[Rule]) -> tuple[tuple[str, Any], ...]:
    areas = [r.geometry for r in rules if r.kind in ("bestemmingsvlak", "maximum_bebouwingspercentage")]
    if not areas:
        return ()
    rows = store_checks.buildings_near(conn, spatial, shapely.union_all(areas), 0.0)
    return tuple((str(b["id"]), b["geometry"]) for b in rows)


def evaluate(conn: Any, spatial: Any, design: Design, settings_: CheckSettings | None = None) -> dict[str, Any]:
    """The checks of ``design`` against the rules in the store at its location: the check document."""
    settings_ = settings_ or settings()
    rules = [_rule(r) for r in store_checks.rules_near(conn, spatial, design.footprint, settings_.search_m)]
    if any(r.kind in ("bestemmingsvlak", "maximum_bebouwingspercentage") for r in rules):
        design = Design(**{**_fields(design), "existing": _existing(conn, spatial, rules)})
    results = check_design(design, rules, settings_)
    return {
        "status": overall(results),
        "design": design_json(design),
        "results": [r.to_json() for r in results],
        "rules_plans": sorted({r.plan_id for r in rules}),
        "settings": {
            "bouwvlak_tolerance_m": settings_.bouwvlak_tolerance_m,
            "height_tolerance_m": settings_.height_tolerance_m,
        },
    }


def _fields(design: Design) -> dict[str, Any]:
    return {f: getattr(design, f) for f in Design.__dataclass_fields__}


def design_json(design: Design) -> dict[str, Any]:
    return {
        "name": design.name,
        "footprint_area_m2": round(float(design.footprint.area), 2),
        "footprint": shapely.geometry.mapping(design.footprint),
        "top_m": design.top_m,
        "gutter_m": design.gutter_m,
        "storeys": design.storeys,
        "heights": design.heights,
        "peil_m": design.peil_m,
        "peil_source": design.peil_source,
        "notes": list(design.notes),
        "existing_buildings": len(design.existing),
    }


# ------------------------------------------------------------------------------ runs


def _parse_plan(plan: str) -> tuple[str, str]:
    owner, sep, plan_id = str(plan).partition(":")
    if not sep or not owner or not plan_id:
        raise CheckError(f"--plan {plan!r}: verwacht EIGENAAR:ID / expected OWNER:ID, e.g. --plan gemeente:P-12")
    return owner, plan_id


def _visible(store: Any, principal: Principal, owner: str, plan_id: str) -> None:
    if View(store, principal).plan_row(owner, plan_id) is None:
        raise NotFound(f"plan {owner}:{plan_id} bestaat niet (of u mag het niet zien) / not found")


def _version_for(store: Any, owner: str, plan_id: str, model: str | None) -> dict[str, Any] | None:
    rows = register.versions(store, plans=[(owner, plan_id)], latest_only=True)
    if model is not None:
        text = str(model).lstrip("#")
        if text.isdigit():
            row = register.version(store, pk=int(text))
            if row is None or (row["owner"], row["plan_id"]) != (owner, plan_id):
                raise NotFound(f"modelversie #{text} hoort niet bij {owner}:{plan_id} / model version not of this plan")
            return row
        found = [r for r in rows if r["label"] == model]
        if not found:
            raise NotFound(f"{owner}:{plan_id} heeft geen model {model!r} / the plan has no model {model!r}")
        return found[0]
    if len(rows) > 1:
        raise CheckError(
            f"{owner}:{plan_id} heeft meer modellen ({', '.join(r['label'] for r in rows)}); kies er één met --model "
            "/ the plan has several models; choose one with --model LABEL"
        )
    return rows[0] if rows else None


def check_plan(
    store: Any,
    principal: Principal,
    plan: str,
    *,
    model: str | None = None,
    peil: float | None = None,
    save: bool = True,
    trigger: str = "manual",
    settings_: CheckSettings | None = None,
) -> dict[str, Any]:
    """Check a plan: the newest version of its model (``model``: a label or version id), or its own
    volume when it has no model. Kept in the history when ``save`` (needs write access to the plan)."""
    owner, plan_id = _parse_plan(plan)
    _visible(store, principal, owner, plan_id)
    if save and not principal.may_write(owner):
        raise Forbidden(
            f"alleen redacteuren en beheerders van {owner} mogen een controle van {owner}:{plan_id} bewaren / only "
            f"editors and admins of {owner} may keep a check of this plan"
        )
    row = _version_for(store, owner, plan_id, model)
    with store.engine.connect() as conn:
        if row is not None:
            design = design_of_version(conn, store.spatial, row, peil=peil)
        else:
            design = design_of_plan(conn, store.spatial, owner, plan_id)
        doc = evaluate(conn, store.spatial, design, settings_)
    doc.update(_subject(owner, plan_id, row))
    if save:
        with store.writer(principal.actor, principal=principal) as w:
            saved = store_checks.add_run(w, _values(doc, row, trigger))
        doc.update(id=saved["pk"], created_at=_iso(saved["created_at"]), created_by=saved["created_by"])
    return doc


def _subject(owner: str, plan_id: str, row: dict[str, Any] | None) -> dict[str, Any]:
    out: dict[str, Any] = {"plan": f"{owner}:{plan_id}", "subject": "model" if row is not None else "plan"}
    if row is not None:
        out["model"] = {
            "id": row["pk"],
            "ref": f"{row['owner']}:{row['plan_id']}/{row['label']}@{row['version']}",
            "label": row["label"],
            "version": row["version"],
            "file_name": row.get("file_name"),
        }
    return out


def _values(doc: dict[str, Any], row: dict[str, Any] | None, trigger: str) -> dict[str, Any]:
    owner, plan_id = doc["plan"].split(":", 1)
    design = {**doc["design"], "model": doc.get("model"), "rules_plans": doc["rules_plans"],
              "settings": doc["settings"]}  # fmt: skip
    return {
        "owner": owner,
        "plan_id": plan_id,
        "version_pk": row["pk"] if row is not None else None,
        "subject": doc["subject"],
        "status": doc["status"],
        "trigger": trigger,
        "design": design,
        "results": doc["results"],
    }


def check_file(
    store: Any | None,
    path: str | Path,
    *,
    peil: float | None = None,
    at: tuple[float, float, float] | None = None,
    settings_: CheckSettings | None = None,
    progress: Any = None,
) -> dict[str, Any]:
    """Check an IFC file (placed as the BIM register places it; nothing is kept)."""
    from openruimte.bim.extract import extract
    from openruimte.services.bim import max_bytes

    if store is None:
        raise CheckError("geen database met regels / no database with rules; fix: openruimte import rules FILE")
    info = extract(Path(path), at=at, progress=progress, max_bytes=max_bytes(), require_placement=True)
    if info.footprint is None or info.footprint.is_empty:
        raise CheckError(f"{Path(path).name}: geen voetafdruk / no footprint (no elements with geometry)")
    with store.engine.connect() as conn:
        design = _model_design(
            conn,
            store.spatial,
            name=Path(path).name,
            footprint=info.footprint,
            top_m=info.top_m,
            facts=info.design,
            storeys=info.storeys,
            given_peil=peil,
            height_reference=info.height_reference,
        )
        doc = evaluate(conn, store.spatial, design, settings_)
    doc.update(subject="model", plan=None, model={"file_name": Path(path).name})
    return doc


def on_write(writer: Any, kind: str, changes: Sequence[tuple[Any, Any]]) -> None:
    """The store hook: a new model version is checked in the transaction that registers it, when
    plan rules lie at its footprint (nothing is kept where no rules are). A check that fails,
    even on an SQL error, is rolled back to its savepoint and kept as an ``error`` run."""
    if kind != "bim_model_versions":
        return
    for _before, row in changes:
        if row is None or row.get("geometry") is None:
            continue
        conn, spatial = writer.conn, writer.spatial
        if not store_checks.rules_near(conn, spatial, row["geometry"]):
            continue
        try:
            # in a savepoint: on PostgreSQL a failed statement aborts the whole transaction,
            # and the registration around this check must stand
            with conn.begin_nested():
                design = design_of_version(conn, spatial, row)
                doc = evaluate(conn, spatial, design)
        except Exception as err:  # noqa: BLE001 - a check that cannot run is kept as such; the registration stands
            log.warning("plan-rule check of %s:%s failed: %s", row["owner"], row["plan_id"], err)
            doc = {"status": "error", "results": [], "rules_plans": [], "settings": {},
                   "design": {"name": str(row.get("label")), "error": f"{type(err).__name__}: {err}"}}  # fmt: skip
        doc.update(_subject(row["owner"], row["plan_id"], row))
        store_checks.add_run(writer, _values(doc, row, "upload"))


# ------------------------------------------------------------------------------ reads


def _iso(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def run_json(row: dict[str, Any]) -> dict[str, Any]:
    design = dict(row["design"])
    model = design.pop("model", None)
    rules_plans = design.pop("rules_plans", [])
    settings_ = design.pop("settings", {})
    return {
        "id": row["pk"],
        "plan": f"{row['owner']}:{row['plan_id']}",
        "subject": row["subject"],
        "model": model,
        "status": row["status"],
        "trigger": row["trigger"],
        "created_at": _iso(row["created_at"]),
        "created_by": row["created_by"],
        "design": design,
        "results": row["results"],
        "rules_plans": rules_plans,
        "settings": settings_,
    }


def history(store: Any, principal: Principal, plan: str, *, limit: int = HISTORY_LIMIT) -> list[dict[str, Any]]:
    """The plan's check runs, newest first (for those who may see the plan)."""
    owner, plan_id = _parse_plan(plan)
    _visible(store, principal, owner, plan_id)
    return [run_json(r) for r in store_checks.runs(store, owner, plan_id, limit=limit)]


def get_run(store: Any, principal: Principal, plan: str, run_id: int) -> dict[str, Any]:
    """One kept run of a plan (for those who may see the plan)."""
    owner, plan_id = _parse_plan(plan)
    _visible(store, principal, owner, plan_id)
    row = store_checks.run(store, run_id)
    if row is None or (row["owner"], row["plan_id"]) != (owner, plan_id):
        raise NotFound(f"geen controle {run_id} van {owner}:{plan_id} / no check {run_id} of this plan")
    return run_json(row)


def latest(store: Any, principal: Principal, plan: str) -> dict[str, Any] | None:
    runs = history(store, principal, plan, limit=1)
    return runs[0] if runs else None


def outside_features(store: Any, principal: Principal) -> list[dict[str, Any]]:
    """The newest run of every plan the principal sees, as features: the part of each design outside
    its bouwvlak (EPSG:28992 shapely geometries) with the status, for the map."""
    seen = {(p.owner, p.id) for p in View(store, principal).plans()}
    out = []
    for row in store_checks.latest_per_plan(store):
        if (row["owner"], row["plan_id"]) not in seen:
            continue
        for res in row["results"]:
            if res["check"] == "bouwvlak" and res.get("geometry"):
                out.append(
                    {
                        "geometry": shapely.geometry.shape(res["geometry"]),
                        "plan": f"{row['owner']}:{row['plan_id']}",
                        "run": row["pk"],
                        "status": res["status"],
                        "message_nl": res["message_nl"],
                        "message_en": res["message_en"],
                    }
                )
    return out
