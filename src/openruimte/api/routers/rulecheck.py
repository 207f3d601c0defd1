"""Plan-rule checks of a plan's design (its model, or its own volume) against the rules at its location.

Whoever may see the plan sees its checks (model.access); running one and keeping it in the
history needs an editor or admin of the plan's owner. Reports as JSON (default), Dutch HTML
(``?format=html``), and the part of each design outside its bouwvlak as a map layer.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query
from fastapi.responses import HTMLResponse, Response

from openruimte.api.deps import PrincipalDep, StoreDep
from openruimte.api.errors import ApiError
from openruimte.api.geo import collection, features, respond
from openruimte.api.routers.plans import _may_write
from openruimte.reports import rulecheck as report
from openruimte.services import rulecheck

router = APIRouter(tags=["rules"])

_PRIVATE = {"Cache-Control": "private, no-store"}
Id = Annotated[int, Path(ge=1, le=2_147_483_647)]
Format = Annotated[Literal["json", "html"], Query(description="json (default) or html (the Dutch report)")]


def _out(doc: dict[str, Any], fmt: str) -> Any:
    if fmt == "html":
        headers = {**_PRIVATE, "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'"}
        return HTMLResponse(report.to_html(doc), headers=headers)
    return Response(report.to_json(doc, indent=None), media_type="application/json", headers=_PRIVATE)


@router.get(
    "/api/plans/{owner}/{plan_id}/rulecheck",
    summary="The newest plan-rule check of a plan (404 when it has none yet)",
    response_model=None,
)
def latest(store: StoreDep, principal: PrincipalDep, owner: str, plan_id: str, format: Format = "json") -> Any:  # noqa: A002
    doc = rulecheck.latest(store, principal, f"{owner}:{plan_id}")
    if doc is None:
        raise ApiError(404, "not_found", f"plan {owner}:{plan_id} has not been checked yet; POST to run a check")
    return _out(doc, format)


@router.get(
    "/api/plans/{owner}/{plan_id}/rulecheck/history",
    summary="Every plan-rule check of a plan, newest first (status per run: a design going from fail to pass)",
)
def history(
    store: StoreDep,
    principal: PrincipalDep,
    owner: str,
    plan_id: str,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[dict[str, Any]]:
    runs = rulecheck.history(store, principal, f"{owner}:{plan_id}", limit=limit)
    return [
        {k: r[k] for k in ("id", "plan", "subject", "model", "status", "trigger", "created_at", "created_by")}
        | {"failed": [x["check"] for x in r["results"] if x["status"] == "fail"]}
        for r in runs
    ]


@router.get("/api/plans/{owner}/{plan_id}/rulecheck/{run_id}", summary="One kept check run", response_model=None)
def one(
    store: StoreDep,
    principal: PrincipalDep,
    owner: str,
    plan_id: str,
    run_id: Id,
    format: Format = "json",  # noqa: A002
) -> Any:
    return _out(rulecheck.get_run(store, principal, f"{owner}:{plan_id}", run_id), format)


@router.post(
    "/api/plans/{owner}/{plan_id}/rulecheck",
    status_code=201,
    summary="Check the plan now (its model's newest version, or ?model=LABEL|ID; else its own volume); editors and "
    "admins of its owner",
)
def run(
    store: StoreDep,
    principal: PrincipalDep,
    owner: str,
    plan_id: str,
    model: str | None = None,
    peil: Annotated[float | None, Query(ge=-50, le=400, description="peil in m NAP (else from the model ...)")] = None,
) -> dict[str, Any]:
    _may_write(principal, owner)
    return rulecheck.check_plan(store, principal, f"{owner}:{plan_id}", model=model, peil=peil)


@router.get(
    "/api/rulecheck/outside",
    summary="The part of each checked design outside its bouwvlak (newest check per plan), GeoJSON WGS84",
)
def outside(store: StoreDep, principal: PrincipalDep) -> dict[str, Any]:
    items = rulecheck.outside_features(store, principal)
    geoms = [i.pop("geometry") for i in items]
    return respond(collection(features(items, geoms, [f"{i['plan']}#{i['run']}" for i in items])))
