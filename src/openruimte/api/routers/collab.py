"""Working together: discussions, documents, contacts, search and the programming table.

Thin over :mod:`openruimte.services.collab`; every read applies the one visibility
rule (what the caller may not see is "not found", also in search snippets and counts).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Body, File, Form, Query, UploadFile
from fastapi.responses import FileResponse, HTMLResponse, Response
from pydantic import BaseModel, Field

from openruimte.api.deps import PrincipalDep, SettingsDep, StoreDep
from openruimte.collab import Subject
from openruimte.collab.agenda import Decision
from openruimte.collab.contacts import Contact
from openruimte.services import collab as service

router = APIRouter(tags=["collab"])

Limit = Annotated[int, Query(ge=1, le=1000, description="At most this many, newest first.")]


class ThreadIn(BaseModel):
    title: str = Field(description="Onderwerp / subject of the discussion.")
    body: str = Field(description="The first message; @code or @e-mail mentions notify.")
    restricted_to: list[str] = Field(default_factory=list, description="Only these organisations (and yours) see it.")


class SubjectThreadIn(ThreadIn):
    subject_kind: str = Field(description="plan, coupling, conflict, area or model")
    subject_key: str = Field(description="owner:id; owner:id|owner:id; area code; owner:id@version")


class ReplyIn(BaseModel):
    body: str


class ResolveIn(BaseModel):
    conclusion: str = Field(description="The conclusion the discussion reached.")


class ContactIn(BaseModel):
    org: str
    name: str
    role: str = Field(description="projectleider, assetmanager, omgevingsmanager, ...")
    email: str | None = None
    phone: str | None = None
    plan: str | None = Field(None, description="owner:id of the plan this person is the contact for.")


class MeetingIn(BaseModel):
    held_on: dt.date
    since: dt.date = Field(description="The agenda covers the changes since this date.")
    title: str | None = None


class DecisionIn(BaseModel):
    text: str
    decided_on: dt.date
    plans: list[str] = Field(default_factory=list)
    thread: int | None = None
    meeting: int | None = None
    item: int | None = None


def _plan(owner: str, plan_id: str) -> Subject:
    return Subject.plan(owner, plan_id)


# --------------------------------------------------------------------------- threads


@router.get("/api/plans/{owner}/{plan_id}/threads", summary="Discussions about a plan")
def plan_threads(store: StoreDep, principal: PrincipalDep, owner: str, plan_id: str) -> dict[str, Any]:
    service.see_subject(store, principal, _plan(owner, plan_id))
    return {"threads": service.threads(store, principal, plan=(owner, plan_id))}


@router.post("/api/plans/{owner}/{plan_id}/threads", status_code=201, summary="Start a discussion about a plan")
def create_plan_thread(
    store: StoreDep, principal: PrincipalDep, owner: str, plan_id: str, data: Annotated[ThreadIn, Body()]
) -> dict[str, Any]:
    return service.start_thread(
        store, principal, _plan(owner, plan_id), data.title, data.body, restricted_to=data.restricted_to
    )


@router.post("/api/threads", status_code=201, summary="Start a discussion about a coupling, conflict, area or model")
def create_thread(store: StoreDep, principal: PrincipalDep, data: Annotated[SubjectThreadIn, Body()]) -> dict[str, Any]:
    subject = Subject(data.subject_kind, data.subject_key)
    return service.start_thread(store, principal, subject, data.title, data.body, restricted_to=data.restricted_to)


@router.get("/api/threads", summary="Discussions the caller may see (status=open|resolved)")
def list_threads(
    store: StoreDep,
    principal: PrincipalDep,
    status: Annotated[str | None, Query(pattern="^(open|resolved)$")] = None,
    limit: Limit = 200,
) -> dict[str, Any]:
    return {"threads": service.threads(store, principal, status=status)[:limit]}


@router.get("/api/threads/{thread_id}", summary="One discussion with its messages")
def get_thread(store: StoreDep, principal: PrincipalDep, thread_id: int) -> dict[str, Any]:
    return service.thread(store, principal, thread_id)


@router.post("/api/threads/{thread_id}/replies", status_code=201, summary="Reply to a discussion")
def reply(store: StoreDep, principal: PrincipalDep, thread_id: int, data: Annotated[ReplyIn, Body()]) -> dict[str, Any]:
    return service.reply(store, principal, thread_id, data.body)


@router.post("/api/threads/{thread_id}/resolve", summary="Mark a discussion resolved with its conclusion")
def resolve(
    store: StoreDep, principal: PrincipalDep, thread_id: int, data: Annotated[ResolveIn, Body()]
) -> dict[str, Any]:
    return service.resolve(store, principal, thread_id, data.conclusion)


# --------------------------------------------------------------------------- documents


@router.get("/api/plans/{owner}/{plan_id}/documents", summary="Documents of a plan")
def plan_documents(store: StoreDep, principal: PrincipalDep, owner: str, plan_id: str) -> dict[str, Any]:
    service.see_subject(store, principal, _plan(owner, plan_id))
    return {"documents": service.documents(store, principal, plan=(owner, plan_id))}


@router.post(
    "/api/plans/{owner}/{plan_id}/documents",
    status_code=201,
    summary="Attach a file to a plan (multipart field 'file'; same title: a new version)",
)
def upload_plan_document(
    store: StoreDep,
    principal: PrincipalDep,
    settings: SettingsDep,
    owner: str,
    plan_id: str,
    file: Annotated[UploadFile, File(description="PDF, office file, image, drawing (DWG/DXF), IFC, text or CSV.")],
    title: Annotated[str | None, Form(description="Title (default: the file name).")] = None,
) -> dict[str, Any]:
    return service.add_document(
        store,
        principal,
        _plan(owner, plan_id),
        file.filename,
        file.file,
        declared_type=file.content_type,
        title=title,
        limit=settings.max_upload_bytes,
    )


@router.get("/api/documents/{document_id}", summary="A document with its versions")
def get_document(store: StoreDep, principal: PrincipalDep, document_id: int) -> dict[str, Any]:
    return service.document(store, principal, document_id)


@router.get("/api/documents/{document_id}/file", summary="Download a document (current or given version)")
def download(
    store: StoreDep, principal: PrincipalDep, document_id: int, version: Annotated[int | None, Query(ge=1)] = None
) -> FileResponse:
    path, record = service.document_file(store, principal, document_id, version)
    name = record["filename"]
    ascii_name = "".join(ch if ch.isascii() and ch.isprintable() and ch not in '"\\;' else "_" for ch in name)
    headers = {
        "Content-Disposition": f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}",
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "default-src 'none'; sandbox",
        "Cache-Control": "private, no-store",
    }
    return FileResponse(path, media_type=record["mime"], headers=headers)


# --------------------------------------------------------------------------- contacts


@router.get("/api/plans/{owner}/{plan_id}/contacts", summary="Contact persons of a plan")
def plan_contacts(store: StoreDep, principal: PrincipalDep, owner: str, plan_id: str) -> dict[str, Any]:
    service.see_subject(store, principal, _plan(owner, plan_id))
    return {"contacts": service.contacts(store, principal, plan=(owner, plan_id))}


@router.get("/api/contacts", summary="Contact persons (of one organisation with ?org=)")
def list_contacts(
    store: StoreDep, principal: PrincipalDep, org: str | None = None, limit: Limit = 200
) -> dict[str, Any]:
    return {"contacts": service.contacts(store, principal, org=org)[:limit]}


@router.post("/api/contacts", status_code=201, summary="Add a contact person of your organisation (or its plan)")
def add_contact(store: StoreDep, principal: PrincipalDep, data: Annotated[ContactIn, Body()]) -> dict[str, Any]:
    contact = Contact(
        org=data.org, name=data.name, role=data.role, email=data.email, phone=data.phone, plan_key=data.plan
    )
    return service.add_contact(store, principal, contact)


# --------------------------------------------------------------------------- search


@router.get("/api/search", summary="Search plans, discussions and document text (what you may see)")
def search(
    store: StoreDep,
    principal: PrincipalDep,
    q: Annotated[str, Query(max_length=500, description="Words to find (all of them; word starts match).")],
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> dict[str, Any]:
    return {"results": service.search(store, principal, q, limit=limit)}


# --------------------------------------------------------------------------- the programming table


@router.get("/api/table/agenda", summary="The agenda from what changed since a date (json or html)")
def agenda(
    store: StoreDep,
    principal: PrincipalDep,
    since: dt.date,
    format: Annotated[str, Query(pattern="^(json|html)$")] = "json",
) -> Any:
    built = service.build_agenda(store, principal, since)
    if format == "html":
        return HTMLResponse(built.to_html())
    return built.to_json()


@router.get("/api/table/meetings", summary="Meetings of the programming table with agenda and decisions")
def list_meetings(store: StoreDep, principal: PrincipalDep, limit: Limit = 200) -> dict[str, Any]:
    return {"meetings": service.meetings(store, principal)[:limit]}


@router.post("/api/table/meetings", status_code=201, summary="Record a meeting with its agenda (coordinator)")
def add_meeting(store: StoreDep, principal: PrincipalDep, data: Annotated[MeetingIn, Body()]) -> dict[str, Any]:
    built = service.build_agenda(store, principal, data.since, meeting_date=data.held_on)
    pk = service.save_meeting(store, principal, built, data.held_on, data.title)
    return {"id": pk, **built.to_json()}


@router.get("/api/table/decisions", summary="Decisions (besluitenlijst); format=html for the list as a page")
def list_decisions(
    store: StoreDep,
    principal: PrincipalDep,
    meeting: int | None = None,
    format: Annotated[str, Query(pattern="^(json|html)$")] = "json",
) -> Any:
    if format == "html":
        return HTMLResponse(service.besluitenlijst(store, principal, meeting))
    return {"decisions": service.decisions(store, principal, meeting_pk=meeting)}


@router.post("/api/table/decisions", status_code=201, summary="Record a decision (coordinator)")
def add_decision(store: StoreDep, principal: PrincipalDep, data: Annotated[DecisionIn, Body()]) -> dict[str, Any]:
    decision = Decision(
        text=data.text,
        decided_on=data.decided_on,
        plans=tuple(data.plans),
        thread=data.thread,
        meeting=data.meeting,
        item=data.item,
    )
    return service.decide(store, principal, decision)


@router.get("/api/plans/{owner}/{plan_id}/decisions", summary="Decisions of the programming table about a plan")
def plan_decisions(store: StoreDep, principal: PrincipalDep, owner: str, plan_id: str) -> dict[str, Any]:
    service.see_subject(store, principal, _plan(owner, plan_id))
    return {"decisions": service.decisions(store, principal, plan=(owner, plan_id))}


@router.get("/agenda", include_in_schema=False)
def agenda_page(principal: PrincipalDep) -> Response:
    """The programming table's page (agenda, meetings, decisions): for logged-in parties."""
    from fastapi.responses import RedirectResponse

    from openruimte.api.routers.web import _page

    if principal.anonymous:
        return RedirectResponse("/login?next=/agenda", status_code=303)
    return _page("agenda.html")
