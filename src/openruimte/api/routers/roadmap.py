"""The BIM roadmap (routekaart): definitions, an organisation's status and metro map,
the poster wall, progress, assessments and the platform's evidence proposals.

Every read is made as the caller (store/permissions.py ``may_see_assessment``):
an organisation's private assessments show to its own users only, shared ones to
the organisations it chose, public ones to everyone (also without logging in).
Writes need an editor or admin of the organisation.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, Field

from openruimte.api.deps import PrincipalDep, StoreDep
from openruimte.api.errors import ApiError
from openruimte.services import roadmap as svc

router = APIRouter(prefix="/api/roadmap", tags=["roadmap"])

DateQ = Annotated[dt.date | None, Query(description="The date (YYYY-MM-DD); default today.")]
OrgQ = Annotated[str, Query(description="Organisation code.")]


class AssessmentIn(BaseModel):
    org: str
    station: str
    state: str = Field(description="niet_gestart, verkennen, in_ontwikkeling, operationeel or geborgd")
    date: dt.date | None = None
    note: str | None = Field(default=None, max_length=5000)
    links: list[str] = Field(default_factory=list, max_length=50)
    documents: list[str] = Field(default_factory=list, max_length=50)
    visibility: str = "private"
    shared_with: list[str] = Field(default_factory=list, max_length=100)


class AcceptIn(BaseModel):
    org: str
    station: str
    visibility: str = "private"
    shared_with: list[str] = Field(default_factory=list, max_length=100)


@router.get("/definitions", summary="Roadmap definitions (stored versions and the shipped ones)")
def list_definitions(store: StoreDep) -> dict[str, Any]:
    return {"definitions": svc.definitions(store)}


@router.get("/definitions/{name}", summary="One definition: lines, stations, criteria, frames")
def get_definition(store: StoreDep, name: str, version: int | None = None) -> dict[str, Any]:
    d = svc.get_definition(store, name, version)
    return {"name": d.name, "version": d.version, "definition": d.to_dict()}


@router.get("/{name}/status", summary="Where one organisation stands: stations, states, maturity index")
def status(store: StoreDep, principal: PrincipalDep, name: str, org: OrgQ, date: DateQ = None) -> dict[str, Any]:
    return svc.status_dict(store, principal, name, org, date)


@router.get("/{name}/map.svg", summary="The metro map of one organisation (SVG)")
def metro_map(
    store: StoreDep,
    principal: PrincipalDep,
    name: str,
    org: OrgQ,
    date: DateQ = None,
    lang: Annotated[str, Query(pattern="^(nl|en)$")] = "nl",
    legend: Annotated[bool, Query(description="Draw the legend (the poster wall draws it once).")] = True,
) -> Response:
    svg = svc.metro(store, principal, name, org, date, lang=lang, legend=legend)
    return Response(svg, media_type="image/svg+xml")


@router.get("/{name}/wall", summary="The poster wall: every organisation whose assessments the caller may see")
def wall(store: StoreDep, principal: PrincipalDep, name: str, date: DateQ = None) -> dict[str, Any]:
    return svc.wall_dict(store, principal, name, date)


@router.get("/{name}/progress", summary="Progress of one organisation between two dates")
def progress(
    store: StoreDep,
    principal: PrincipalDep,
    name: str,
    org: OrgQ,
    since: Annotated[dt.date, Query(description="From this date (YYYY-MM-DD).")],
    until: DateQ = None,
) -> dict[str, Any]:
    return svc.progress_of(store, principal, name, org, since, until)


@router.get("/{name}/assessments", summary="The assessments the caller may see (the history)")
def list_assessments(store: StoreDep, principal: PrincipalDep, name: str, org: str | None = None) -> dict[str, Any]:
    items = svc.history(store, principal, name, org)
    return {"assessments": [a.to_dict() for a in items], "numberReturned": len(items)}


@router.post("/{name}/assessments", status_code=201, summary="Record an assessment (editor or admin of the org)")
def add_assessment(store: StoreDep, principal: PrincipalDep, name: str, body: AssessmentIn) -> dict[str, Any]:
    if principal.anonymous:
        raise ApiError(401, "unauthorised", "log in or send an API token to record an assessment")
    pk = svc.assess(
        store,
        principal,
        org=body.org,
        station=body.station,
        state=body.state,
        roadmap=name,
        on=body.date,
        note=body.note,
        links=body.links,
        documents=body.documents,
        visibility=body.visibility,
        shared_with=body.shared_with,
    )
    return {"pk": pk}


@router.get("/{name}/evidence", summary="The platform's proposals for the caller's own organisation")
def evidence(store: StoreDep, principal: PrincipalDep, name: str, org: OrgQ) -> dict[str, Any]:
    return svc.evidence(store, principal, org, name).to_dict()


@router.post("/{name}/evidence/accept", status_code=201, summary="Accept a proposal: an assessment with its evidence")
def accept(store: StoreDep, principal: PrincipalDep, name: str, body: AcceptIn) -> dict[str, Any]:
    if principal.anonymous:
        raise ApiError(401, "unauthorised", "log in or send an API token to accept a proposal")
    pk = svc.accept(
        store,
        principal,
        body.org,
        body.station,
        roadmap=name,
        visibility=body.visibility,
        shared_with=body.shared_with,
    )
    return {"pk": pk}
