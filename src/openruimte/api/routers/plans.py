"""Plans (planinformatie): list with filters, read, create, update, delete, history, export.

Geometry is GeoJSON in WGS84 unless ``crs=EPSG:28992``; validation and messages
are the importer's (one model, one set of coercers).
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Header, Query, Request, Response
from fastapi.responses import FileResponse
from starlette.background import BackgroundTask

from openruimte import io
from openruimte.api import geo, params
from openruimte.api.cache import cached
from openruimte.api.deps import PrincipalDep, StoreDep, ViewDep
from openruimte.api.errors import ApiError
from openruimte.model import Plan
from openruimte.model.access import Principal
from openruimte.store import PlanFilter, RowMeta, StaleVersion
from openruimte.store.permissions import View

router = APIRouter(prefix="/api/plans", tags=["plans"])

Csv = Annotated[str | None, Query(description="Comma-separated values; any of them matches.")]


def plan_filter(
    bbox: Annotated[str | None, Query(description="minx,miny,maxx,maxy in bbox-crs (default lon/lat WGS84).")] = None,
    bbox_crs: Annotated[str | None, Query(alias="bbox-crs", description="EPSG:4326 (default) or EPSG:28992.")] = None,
    phase: Csv = None,
    hardness: Csv = None,
    owner: Csv = None,
    asset_type: Csv = None,
    theme: Csv = None,
    start: Annotated[
        str | None, Query(description="Period start (YYYY, YYYY-MM or YYYY-MM-DD): plans running then.")
    ] = None,
    end: Annotated[str | None, Query(description="Period end, inclusive.")] = None,
) -> PlanFilter:
    return PlanFilter(
        bbox=params.parse_bbox(bbox, params.parse_crs(bbox_crs, name="bbox-crs")),
        phases=params.parse_list(phase),
        hardness=params.parse_list(hardness),
        owners=params.parse_list(owner),
        asset_types=params.parse_list(asset_type),
        themes=params.parse_list(theme),
        period=params.parse_period(start, end),
    )


FilterDep = Annotated[PlanFilter, Depends(plan_filter)]


def plan_properties(plan: Plan, meta: RowMeta | None = None) -> dict[str, Any]:
    rec = plan.to_record()
    rec.pop("geometry")
    rec["key"] = plan.key
    if meta is not None:
        rec.update(version=meta.version, updated_at=meta.updated_at, source=meta.source)
    return rec


def plan_features(rows: list[tuple[Plan, RowMeta]], crs: str) -> list[dict[str, Any]]:
    return geo.features(
        [plan_properties(p, m) for p, m in rows], [p.geometry for p, _ in rows], [p.key for p, _ in rows], crs
    )


def search(rows: list[tuple[Plan, RowMeta]], q: str | None) -> list[tuple[Plan, RowMeta]]:
    if not q:
        return rows
    needle = q.strip().lower()
    return [
        (p, m)
        for p, m in rows
        if needle in p.name.lower() or needle in p.key.lower() or needle in (p.area or "").lower()
    ]


@router.get("", summary="Plans as GeoJSON, filtered")
def list_plans(
    request: Request,
    view: ViewDep,
    flt: FilterDep,
    q: Annotated[str | None, Query(description="Search in name, key and area.")] = None,
    crs: Annotated[str | None, Query(description="Output CRS: EPSG:4326 (default) or EPSG:28992.")] = None,
    limit: Annotated[int, Query(ge=1, le=100_000)] = 10_000,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> dict[str, Any]:
    out_crs = params.parse_crs(crs)

    def render() -> bytes:
        rows = search(view.plan_rows(flt), q)
        page = rows[offset : offset + limit]
        doc = geo.collection(plan_features(page, out_crs), numberMatched=len(rows), numberReturned=len(page))
        return geo.FeatureCollectionResponse(doc).body

    return cached(request, view, render)  # type: ignore[return-value]


@router.get("/export", summary="The filtered plans as a file (geojson, jsonfg, gpkg, csv, xlsx)")
def export_plans(
    view: ViewDep,
    flt: FilterDep,
    q: str | None = None,
    format: Annotated[str, Query(description="geojson, jsonfg, gpkg, csv or xlsx")] = "geojson",
) -> FileResponse:
    if format not in io.FORMAT_NAMES:
        raise ApiError(
            400, "invalid_format", f"unknown format '{format}'; expected one of {', '.join(io.FORMAT_NAMES)}"
        )
    plans = [p for p, _ in search(view.plan_rows(flt), q)]
    tmp = Path(tempfile.mkdtemp(prefix="openruimte-export-"))
    suffix = {"jsonfg": "fg.json"}.get(format, format)
    path = tmp / f"plannen.{suffix}"
    io.write(path, "plans", plans, fmt=format)
    return FileResponse(path, filename=path.name, background=BackgroundTask(_cleanup, tmp))


def _cleanup(folder: Path) -> None:
    import shutil

    shutil.rmtree(folder, ignore_errors=True)


def _get(view: View, owner: str, plan_id: str) -> tuple[Plan, RowMeta]:
    """A plan the principal may see (unknown and invisible plans are alike: 404)."""
    found = view.plan_row(owner, plan_id)
    if found is None:
        raise ApiError(404, "not_found", f"no plan {owner}:{plan_id}")
    return found


def _etag(version: int) -> str:
    return f'"{version}"'


def _may_write(principal: Principal, owner: str) -> None:
    if principal.anonymous:
        raise ApiError(
            401,
            "unauthenticated",
            "writing needs a token (Authorization: Bearer TOKEN) or a login",
            headers={"WWW-Authenticate": 'Bearer realm="openruimte"'},
        )
    if not principal.may_write(owner):
        raise ApiError(
            403,
            "forbidden",
            f"only editors and admins of {owner} may change its plans (you are {principal.role} of {principal.org})",
        )


def _expected_version(if_match: str | None, key: str, meta: RowMeta) -> int:
    """The version named by If-Match (required: no lost updates)."""
    if if_match is None:
        raise ApiError(
            428,
            "precondition_required",
            f"changing plan {key} needs If-Match with its version (the ETag of GET /api/plans/"
            f"{key.replace(':', '/')}); it is at {_etag(meta.version)}",
            [{"current_version": meta.version}],
            headers={"ETag": _etag(meta.version)},
        )
    value = if_match.strip()
    value = value.removeprefix("W/").strip('"')
    if not (value.isascii() and value.isdigit()) or len(value) > 18:
        raise ApiError(
            412,
            "stale_version",
            f"If-Match {if_match} is not a version of plan {key}; it is at {_etag(meta.version)}",
            [{"current_version": meta.version}],
            headers={"ETag": _etag(meta.version)},
        )
    return int(value)


def _stale(err: StaleVersion, key: str) -> ApiError:
    if err.current is None:
        return ApiError(404, "not_found", f"no plan {key}")
    return ApiError(
        412,
        "stale_version",
        f"plan {key} is at version {err.current}, not {err.expected}; read it again and redo the change",
        [{"current_version": err.current}],
        headers={"ETag": _etag(err.current)},
    )


@router.get("/{owner}/{plan_id}", summary="One plan (ETag = its version)")
def get_plan(view: ViewDep, owner: str, plan_id: str, response: Response, crs: str | None = None) -> dict[str, Any]:
    plan, meta = _get(view, owner, plan_id)
    response.headers["ETag"] = _etag(meta.version)
    return plan_features([(plan, meta)], params.parse_crs(crs))[0]


def _plan_from_feature(
    feature: dict[str, Any], crs: str, owner: str | None = None, plan_id: str | None = None, base: Plan | None = None
) -> Plan:
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        raise ApiError(422, "invalid_record", "expected a GeoJSON Feature with properties and geometry")
    props = dict(feature.get("properties") or {})
    if base is not None:  # PATCH: the given properties over the current ones
        props = {**base.to_record(), **props}
    for key, value in (("owner", owner), ("id", plan_id)):
        if value is not None:
            if props.get(key) not in (None, value):
                raise ApiError(422, "invalid_record", f"field {key}: '{props[key]}' differs from the URL ({value})")
            props[key] = value
    given = feature.get("geometry")
    props["geometry"] = base.geometry if base is not None and given is None else geo.geometry_in(given, crs)
    return Plan.from_record(props)


@router.post("", status_code=201, summary="Create a plan (a GeoJSON Feature); needs editor or admin of its owner")
def create_plan(
    store: StoreDep,
    principal: PrincipalDep,
    response: Response,
    feature: Annotated[dict[str, Any], Body()],
    crs: str | None = None,
) -> dict[str, Any]:
    plan = _plan_from_feature(feature, params.parse_crs(crs))
    _may_write(principal, plan.owner)
    if store.plan_row(plan.owner, plan.id) is not None:
        raise ApiError(409, "exists", f"plan {plan.key} exists; update it with PUT /api/plans/{plan.owner}/{plan.id}")
    with store.writer(principal.actor, principal=principal) as w:
        w.upsert("plans", [plan], source="api")
    response.headers["Location"] = f"/api/plans/{plan.owner}/{plan.id}"
    saved, meta = _get(View(store, principal), plan.owner, plan.id)
    response.headers["ETag"] = _etag(meta.version)
    return plan_features([(saved, meta)], "EPSG:4326")[0]


def _change(
    store: StoreDep,
    view: View,
    principal: Principal,
    owner: str,
    plan_id: str,
    response: Response,
    feature: dict[str, Any],
    crs: str | None,
    if_match: str | None,
    patch: bool,
) -> dict[str, Any]:
    key = f"{owner}:{plan_id}"
    current, meta = _get(view, owner, plan_id)
    _may_write(principal, owner)
    expected = _expected_version(if_match, key, meta)
    plan = _plan_from_feature(feature, params.parse_crs(crs), owner, plan_id, base=current if patch else None)
    try:
        with store.writer(principal.actor, principal=principal) as w:
            version = w.replace_plan(plan, expected, source="api")
    except StaleVersion as err:
        raise _stale(err, key) from None
    saved, meta = _get(view, owner, plan_id)
    response.headers["ETag"] = _etag(version)
    return plan_features([(saved, meta)], "EPSG:4326")[0]


@router.put("/{owner}/{plan_id}", summary="Replace a plan; If-Match with its version is required (no lost updates)")
def update_plan(
    store: StoreDep,
    view: ViewDep,
    principal: PrincipalDep,
    owner: str,
    plan_id: str,
    response: Response,
    feature: Annotated[dict[str, Any], Body()],
    crs: str | None = None,
    if_match: Annotated[str | None, Header()] = None,
) -> dict[str, Any]:
    return _change(store, view, principal, owner, plan_id, response, feature, crs, if_match, patch=False)


@router.patch("/{owner}/{plan_id}", summary="Change some properties (and/or the geometry) of a plan; If-Match required")
def patch_plan(
    store: StoreDep,
    view: ViewDep,
    principal: PrincipalDep,
    owner: str,
    plan_id: str,
    response: Response,
    feature: Annotated[dict[str, Any], Body()],
    crs: str | None = None,
    if_match: Annotated[str | None, Header()] = None,
) -> dict[str, Any]:
    return _change(store, view, principal, owner, plan_id, response, feature, crs, if_match, patch=True)


@router.delete("/{owner}/{plan_id}", status_code=204, summary="Delete a plan; If-Match required")
def delete_plan(
    store: StoreDep,
    view: ViewDep,
    principal: PrincipalDep,
    owner: str,
    plan_id: str,
    if_match: Annotated[str | None, Header()] = None,
) -> Response:
    key = f"{owner}:{plan_id}"
    _, meta = _get(view, owner, plan_id)
    _may_write(principal, owner)
    expected = _expected_version(if_match, key, meta)
    try:
        with store.writer(principal.actor, principal=principal) as w:
            w.delete_plan(owner, plan_id, expected)
    except StaleVersion as err:
        raise _stale(err, key) from None
    return Response(status_code=204)


@router.get("/{owner}/{plan_id}/history", summary="Every change of this plan (audit log)")
def plan_history(view: ViewDep, owner: str, plan_id: str) -> dict[str, Any]:
    entries = view.history(owner, plan_id)
    if not entries:
        raise ApiError(404, "not_found", f"no plan {owner}:{plan_id}")
    return {"key": f"{owner}:{plan_id}", "history": [geo.json_value(e) for e in entries]}


@router.get("/{owner}/{plan_id}/analysis", summary="Couplings and no-dig conflicts of this plan, with explanations")
def plan_analysis(view: ViewDep, owner: str, plan_id: str) -> dict[str, Any]:
    plan, _ = _get(view, owner, plan_id)
    key = plan.key
    # issue 12 (scale): from the saved pairs of this plan (kept up to date on every write) when there are any
    from openruimte.services.analyse_incremental import plan_pairs_for_view

    served = plan_pairs_for_view(view, key)
    if served is not None:
        at = view.store.analysis_times().get("plans")
        return {"key": key, "analysed_at": geo.json_value(at) if at else None, **served}
    saved = view.analysis("plans")
    result = saved["result"] if saved else {"couplings": [], "conflicts": [], "undisclosed": []}
    return {
        "key": key,
        "analysed_at": geo.json_value(saved["created_at"]) if saved else None,
        "couplings": [c for c in result["couplings"] if key in (c["a"], c["b"])],
        "conflicts": [c for c in result["conflicts"] if key in (c["renewal"], c["plan"])],
        "undisclosed": [u for u in result.get("undisclosed", []) if u["plan"] == key],
    }
