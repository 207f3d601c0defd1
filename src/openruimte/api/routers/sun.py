"""Sun and shadow: shadow polygons of a plan or model and the buildings around it at a moment (a map
layer), and sun hours on points for a day.

A plan or model the caller may not see is "not found" (its volume never leaves the store); the
buildings are the 3D city model, reference data open to everyone.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query

from openruimte.api import geo, params
from openruimte.api.deps import ViewDep
from openruimte.api.errors import ApiError
from openruimte.services import sun

router = APIRouter(prefix="/api/sun", tags=["sun"])

Crs = Annotated[str | None, Query(description="Output CRS: EPSG:4326 (default) or EPSG:28992.")]


@router.get("/shadow", summary="Shadow polygons at a moment (local time, Europe/Amsterdam)")
def get_shadow(
    view: ViewDep,
    at: Annotated[str, Query(description="Local date and time, e.g. 2027-03-21T12:00.")],
    plan: Annotated[str | None, Query(description="A plan as OWNER:ID with a planned height.")] = None,
    model: Annotated[str | None, Query(description="A model version (OWNER:PLAN_ID/LABEL@VERSION or #ID).")] = None,
    bbox: Annotated[str | None, Query(description="Without a design: the buildings' shadows in this box.")] = None,
    bbox_crs: Annotated[str | None, Query(alias="bbox-crs")] = None,
    buildings: Annotated[bool, Query(description="Include the buildings around (3D city model).")] = True,
    crs: Crs = None,
) -> Any:
    if plan is not None and model is not None:
        raise ApiError(422, "invalid_parameter", "give plan or model, not both")
    box = params.parse_bbox(bbox, params.parse_crs(bbox_crs, name="bbox-crs"))
    try:
        when = sun.core.local_time(at)
    except ValueError:
        raise ApiError(
            422, "invalid_parameter", f"at {at!r}: expected a date and time such as 2027-03-21T12:00"
        ) from None
    doc = sun.shadow(view, when, plan=plan, model=model, bbox=box, buildings=buildings)
    return geo.respond(sun.as_geojson(doc, params.parse_crs(crs)))


@router.post("/hours", summary="Sun hours on points for a day (the common test: 2 hours on 19 February or 21 March)")
def post_hours(
    view: ViewDep,
    points: Annotated[dict[str, Any], Body(description="A GeoJSON FeatureCollection of points (WGS84).")],
    date: Annotated[str, Body(description="The day, e.g. 2027-02-19.")],
    step_minutes: Annotated[float, Body(ge=1, le=60)] = 5.0,
    required_hours: Annotated[float, Body(ge=0, le=24)] = 2.0,
    plan: Annotated[str | None, Body()] = None,
    model: Annotated[str | None, Body()] = None,
    crs: Crs = None,
) -> Any:
    pts = sun.points_of_collection(points)
    doc = sun.hours(view, pts, date, step_minutes=step_minutes, required_hours=required_hours, plan=plan, model=model)
    return geo.respond(sun.as_geojson(doc, params.parse_crs(crs)))
