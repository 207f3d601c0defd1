"""Read endpoints for assets, policy goals, areas, streets, environment layers,
vital systems, organisations and analysis results."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from openruimte.api import geo, params
from openruimte.api.deps import PrincipalDep, SettingsDep, StoreDep, ViewDep
from openruimte.api.errors import ApiError
from openruimte.io import registry
from openruimte.model import ASSET_GROUPS, Hardness, Phase
from openruimte.model.access import UNDISCLOSED, UNDISCLOSED_PARTY, Forbidden
from openruimte.model.vocab import KNOWN_THEMES
from openruimte.settings import SETTINGS_DOC

router = APIRouter(prefix="/api", tags=["resources"])

BBox = Annotated[str | None, Query(description="minx,miny,maxx,maxy in bbox-crs (default lon/lat WGS84).")]
BBoxCrs = Annotated[str | None, Query(alias="bbox-crs")]
Crs = Annotated[str | None, Query(description="Output CRS: EPSG:4326 (default) or EPSG:28992.")]


def _records(items: list[Any], key: str, crs: str, drop: tuple[str, ...] = ()) -> dict[str, Any]:
    recs = []
    for item in items:
        rec = item.to_record()
        rec.pop("geometry", None)
        for k in drop:
            rec.pop(k, None)
        recs.append(rec)
    ids = [str(getattr(i, key)) if key != "key" else i.key for i in items]
    return geo.collection(geo.features(recs, [i.geometry for i in items], ids, crs), numberReturned=len(items))


@router.get("/assets", summary="Assets as GeoJSON (use bbox: a city has many)")
def list_assets(
    view: ViewDep,
    settings: SettingsDep,
    bbox: BBox = None,
    bbox_crs: BBoxCrs = None,
    crs: Crs = None,
    asset_type: str | None = None,
    owner: str | None = None,
    limit: Annotated[int, Query(ge=1, le=100_000)] = 5_000,
) -> dict[str, Any]:
    box = params.parse_bbox(bbox, params.parse_crs(bbox_crs, name="bbox-crs"))
    items = view.assets(bbox=box, asset_types=params.parse_list(asset_type), owners=params.parse_list(owner))
    out = _records(items[:limit], "key", params.parse_crs(crs))
    out["numberMatched"] = len(items)
    return geo.respond(out)


@router.get("/policy", summary="Policy goals (kernregistratie beleid)")
def list_policy(view: ViewDep, crs: Crs = None) -> dict[str, Any]:
    goals = view.policy_goals()
    recs = []
    for g in goals:
        rec = g.to_record()
        rec.pop("geometry")
        rec["key"] = g.key
        recs.append(rec)
    return geo.respond(
        geo.collection(geo.features(recs, [g.geometry for g in goals], [g.key for g in goals], params.parse_crs(crs)))
    )


@router.get("/areas", summary="Buurten, wijken and the municipality")
def list_areas(view: ViewDep, level: str | None = None, crs: Crs = None) -> dict[str, Any]:
    return geo.respond(_records(view.areas(level=level), "code", params.parse_crs(crs)))


@router.get("/streets", summary="Street segments")
def list_streets(view: ViewDep, bbox: BBox = None, bbox_crs: BBoxCrs = None, crs: Crs = None) -> dict[str, Any]:
    box = params.parse_bbox(bbox, params.parse_crs(bbox_crs, name="bbox-crs"))
    return geo.respond(_records(view.streets(bbox=box), "id", params.parse_crs(crs)))


@router.get("/layers", summary="Environment layers (without features)")
def list_layers(view: ViewDep) -> list[dict[str, Any]]:
    return [layer.to_record() | {"features": len(layer.features)} for layer in view.layers()]


@router.get("/layers/{name}", summary="One environment layer with its features")
def get_layer(view: ViewDep, name: str, crs: Crs = None) -> dict[str, Any]:
    for layer in view.layers():
        if layer.name == name:
            out = _records(layer.features, "id", params.parse_crs(crs))
            out.update(name=layer.name, title=layer.title, unit=layer.unit)
            return geo.respond(out)
    raise ApiError(404, "not_found", f"no environment layer '{name}'")


@router.get("/vital", summary="Vital systems with their elements (substations: capacity, load)")
def list_vital(view: ViewDep, crs: Crs = None) -> dict[str, Any]:
    systems = view.vital_systems()
    recs, geoms, ids = [], [], []
    for s in systems:
        for e in s.elements:
            rec = e.to_record()
            rec.pop("geometry")
            rec.pop("service_area", None)
            rec.update(owner=s.owner, network_type=s.network_type, system_name=s.name, utilisation=e.utilisation)
            recs.append(rec)
            geoms.append(e.geometry)
            ids.append(f"{s.key}:{e.id}")
    return geo.respond(geo.collection(geo.features(recs, geoms, ids, params.parse_crs(crs))))


@router.get("/organisations", summary="Organisations at the programming table")
def list_organisations(view: ViewDep) -> list[dict[str, Any]]:
    return [o.to_record() for o in view.organisations()]


@router.get("/formats", summary="The readers the importer knows (format, kinds, file extensions)")
def list_formats() -> dict[str, Any]:
    return {
        "import_kinds": list(registry.import_kinds()),
        "exchange_formats": list(registry.exchange_formats()),
        "readers": [r.to_json() for r in registry.READERS.values()],
    }


ANALYSIS_KINDS = ("plans", "candidates", "capacity", "space", "weighing", "programme")


@router.get("/analysis", summary="Which analyses have been saved, and when (newest of each kind)")
def list_analyses(view: ViewDep) -> dict[str, Any]:
    saved = view.store.analysis_times()
    return {"analyses": {k: geo.json_value(saved[k]) for k in ANALYSIS_KINDS if k in saved}}


@router.get(
    "/analysis/{kind}",
    summary="The newest saved result of an analysis: plans, candidates, capacity, space, weighing or programme",
)
def get_analysis(view: ViewDep, kind: str) -> dict[str, Any]:
    if kind not in ANALYSIS_KINDS:
        raise ApiError(404, "not_found", f"no analysis kind '{kind}'; expected {', '.join(ANALYSIS_KINDS)}")
    try:
        saved = view.analysis(kind)
    except Forbidden as err:
        raise ApiError(403, "forbidden", str(err)) from None
    if saved is None:
        raise ApiError(
            404,
            "not_found",
            f"no {kind} analysis has been run; run `openruimte analyse` (or candidates, capacity, space, weigh, plan)",
        )
    return {
        "kind": kind,
        "created_at": geo.json_value(saved["created_at"]),
        "actor": saved["actor"],
        "result": saved["result"],
    }


@router.post("/analysis/plans", summary="Run the couplings and no-dig analysis over every plan (the coordinator)")
def run_plan_analysis(store: StoreDep, principal: PrincipalDep) -> dict[str, Any]:
    """The analysis sees every plan (private ones too); each reader gets the result filtered
    pair by pair (GET /api/analysis/plans)."""
    from openruimte.analysis.pairs import Parameters
    from openruimte.services import analyse as analysing

    if principal.anonymous:
        raise ApiError(401, "unauthenticated", "running an analysis needs the coordinator's token or login")
    if not (principal.coordinator or principal.system):
        raise ApiError(403, "forbidden", "only the coordinator runs analyses for the programming table")
    analysing.analyse_store(store, Parameters(), actor=principal.actor)
    saved = store.latest_analysis("plans")
    return {"kind": "plans", "created_at": geo.json_value(saved["created_at"]) if saved else None}


@router.get("/info", summary="Counts per category of information and owner")
def info(view: ViewDep) -> dict[str, Any]:
    return {k: dict(v) for k, v in view.counts().items()}


@router.get("/config", summary="What the UI needs: vocabularies and map settings")
def config(settings: SettingsDep, view: ViewDep) -> dict[str, Any]:
    return {
        "phases": [str(p) for p in Phase],
        "hardness": [str(h) for h in Hardness],
        "asset_groups": ASSET_GROUPS,
        "themes": list(KNOWN_THEMES),
        "organisations": [o.to_record() for o in view.organisations()]
        + [{"code": UNDISCLOSED, "name": UNDISCLOSED_PARTY.capitalize(), "kind": "overig"}],
        "base_map": settings.base_map,
        "public": {"min_phase": str(settings.public_min_phase), "min_hardness": str(settings.public_min_hardness)},
        "settings": SETTINGS_DOC,
    }
