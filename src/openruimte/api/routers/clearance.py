"""Clearance of a plan or model from the cables, pipes, trees and plans around it, as GeoJSON for the map.

Read through the caller's view: a plan or model the caller may not see is "not found", and only the
cables and pipes the caller may see are checked (as ``/api/assets`` shows them: a KLIC delivery is
private to the organisation that imported it). The distances are the package's table with the
``OPENRUIMTE_CLEARANCE_DISTANCES`` file laid over it (``GET /api/clearance/distances``).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from openruimte.api import geo, params
from openruimte.api.deps import SettingsDep, ViewDep
from openruimte.api.errors import ApiError
from openruimte.services import clearance

router = APIRouter(prefix="/api/clearance", tags=["clearance"])


@router.get("", summary="Clearance conflicts of a plan or model version (lines between the design and each object)")
def get_clearance(
    view: ViewDep,
    settings: SettingsDep,
    plan: Annotated[str | None, Query(description="The design: a plan as OWNER:ID.")] = None,
    model: Annotated[
        str | None, Query(description="The design: a model version (OWNER:PLAN_ID/LABEL@VERSION or #ID).")
    ] = None,
    plans: Annotated[bool, Query(description="Also check against the other plans that dig there.")] = True,
    crs: Annotated[str | None, Query(description="Output CRS: EPSG:4326 (default) or EPSG:28992.")] = None,
) -> Any:
    if (plan is None) == (model is None):
        raise ApiError(422, "invalid_parameter", "give exactly one of plan (OWNER:ID) or model")
    report = clearance.run(view, plan=plan, model=model, settings=settings, plans=plans)
    out = clearance.as_geojson(report, params.parse_crs(crs))
    out["passed"] = report["passed"]
    out["distances"] = report["distances"]
    return geo.respond(out)


@router.get("/distances", summary="The minimum distances in force, with their basis and sources")
def get_distances(settings: SettingsDep) -> dict[str, Any]:
    return clearance.table(None, settings).to_json()
