"""Working together around plans: the use cases of discussions, documents, contacts,
search and the programming table (agenda, meetings, decisions).

Each reads the store through the one visibility rule (store/collab.py in SQL,
model/access.py), runs the pure core (:mod:`openruimte.collab`) and writes through
the store's one write path with the audit log. Mentions tell the organisations
named (``@code`` or a user's ``@e-mail``) through the notification feed and its
webhooks, in the same transaction, and only when they may read the thread.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any, BinaryIO

from openruimte.collab import agenda as agenda_core
from openruimte.collab.contacts import Contact
from openruimte.collab.extract import extract_text
from openruimte.collab.files import FileRefused, check_upload
from openruimte.collab.threads import Subject, check_text, mentions, restriction, split_mentions
from openruimte.model.access import UNDISCLOSED, Forbidden, Principal, Role, disclosed, organisation, quarter
from openruimte.model.errors import OpenRuimteError
from openruimte.settings import Settings
from openruimte.store import Store
from openruimte.store import collab as sql
from openruimte.store import notifications as notes
from openruimte.store.blobs import blobs_of
from openruimte.store.permissions import View


class NotFound(OpenRuimteError):
    code = "not_found"
    status = 404


class Unauthenticated(OpenRuimteError):
    code = "unauthenticated"
    status = 401


_WRITERS = {Role.EDITOR, Role.ADMIN, Role.COORDINATOR}


def _writer(principal: Principal) -> str:
    """The organisation writing (an editor, admin or coordinator of it); the system writes as 'system'."""
    if principal.system:
        return principal.org or "system"
    if principal.org is None:
        raise Unauthenticated("writing needs a token (Authorization: Bearer TOKEN) or a login")
    if principal.role not in _WRITERS:
        raise Forbidden(
            f"only editors, admins and the coordinator may write (you are {principal.role} of {principal.org})"
        )
    return principal.org


def see_subject(store: Store, principal: Principal, subject: Subject) -> None:
    """Refuse a subject the principal may not see (unknown and invisible alike: not found);
    discussions, documents and contacts need a login."""
    if principal.org is None and not principal.system:
        raise Unauthenticated("discussions, documents and contacts need a login or a token")
    view = View(store, principal)
    for key in subject.plan_keys:
        owner, plan_id = key.split(":", 1)
        if owner == UNDISCLOSED or view.plan_row(owner, plan_id) is None:  # a masked plan: nothing about it
            raise NotFound(f"no plan {key}")
    if subject.kind == "area":
        if not (principal.system or principal.sees_shared):
            raise Forbidden("discussions about an area are for the organisations at the programming table")
        if not any(a.code == subject.key for a in store.areas()):
            raise NotFound(f"no area {subject.key}")


# --------------------------------------------------------------------------- threads


def _mention(w: Any, store: Store, thread_pk: int, post_pk: int, text: str, title: str, subject: Subject) -> list[str]:
    """Record the mentions of a post; tell the organisations that may read the thread."""
    tokens = mentions(text)
    if not tokens:
        return []
    orgs = [o.code for o in store.organisations()]
    found, unknown = split_mentions(tokens, orgs, sql.users_by_email(store))
    table = notes.at_table_orgs(w.conn)
    rows: list[tuple[str, str | None, bool]] = [(tok, None, False) for tok in unknown]
    told: list[str] = []
    notification_rows = []
    for token, org in found.items():
        may = sql.thread_readers_check(w.conn, thread_pk, organisation(org, at_table=org in table))
        rows.append((token, org, may))
        if may and org not in told:
            told.append(org)
            notification_rows.append(
                {
                    "recipient": org,
                    "plan_key": subject.plan_keys[0] if subject.plan_keys else None,
                    "change": "mention",
                    "before": None,
                    "after": {"thread": thread_pk, "post": post_pk},
                    "related": list(subject.plan_keys),
                    "disclosed": True,
                    "area": subject.key if subject.kind == "area" else None,
                    "quarter": quarter(w.now.date()),
                    "message": f"U wordt genoemd in de discussie '{title}' over {subject.key} (discussie {thread_pk})",
                    "created_at": w.now,
                    "read": False,
                }
            )
    sql.insert_mentions(w, post_pk, rows)
    notes.insert_notifications(w.conn, notification_rows, w.now)
    return told


def start_thread(
    store: Store,
    principal: Principal,
    subject: Subject,
    title: str | None,
    body: str | None,
    *,
    restricted_to: Sequence[str] = (),
) -> dict[str, Any]:
    """Open a thread about ``subject`` with its first post; returns the thread (with ``told``: who was notified)."""
    org = _writer(principal)
    title, body = check_text(title, body)
    see_subject(store, principal, subject)
    only = restriction(restricted_to)
    if only and not principal.system and org not in only:
        only = restriction([*only, org])
    known = {o.code for o in store.organisations()}
    missing = [o for o in only if o not in known]
    if missing:
        raise OpenRuimteError(f"restricted_to names unknown organisations: {', '.join(missing)}")
    with store.writer(principal.actor) as w:
        pk, post = sql.insert_thread(w, subject, title, body, org, only)
        told = _mention(w, store, pk, post, body, title, subject)
    return {**thread(store, principal, pk), "told": told}


def thread(store: Store, principal: Principal, thread_pk: int) -> dict[str, Any]:
    """One thread with its posts (not found: unknown or not visible)."""
    found = sql.threads(store, principal, thread_pk=thread_pk)
    if not found:
        raise NotFound(f"no discussion {thread_pk}")
    return {**found[0], "messages": sql.posts(store, thread_pk)}


def reply(store: Store, principal: Principal, thread_pk: int, body: str | None) -> dict[str, Any]:
    org = _writer(principal)
    current = thread(store, principal, thread_pk)
    _, body = check_text(None, body, need_title=False)
    subject = Subject(current["subject_kind"], current["subject_key"])
    with store.writer(principal.actor) as w:
        post = sql.insert_post(w, thread_pk, body, org)
        told = _mention(w, store, thread_pk, post, body, current["title"], subject)
    return {**thread(store, principal, thread_pk), "told": told}


def resolve(store: Store, principal: Principal, thread_pk: int, conclusion: str | None) -> dict[str, Any]:
    """Mark a thread resolved with its conclusion: its author's organisation, the owners of its
    plans, or the coordinator."""
    org = _writer(principal)
    current = thread(store, principal, thread_pk)
    owners = {k.split(":", 1)[0] for k in current["plans"]}
    if not (principal.system or principal.coordinator or org == current["author_org"] or org in owners):
        raise Forbidden("a discussion is resolved by its author's organisation, the plan's owner or the coordinator")
    _, conclusion = check_text(None, conclusion, need_title=False)
    with store.writer(principal.actor) as w:
        sql.resolve_thread(w, thread_pk, conclusion)
    return thread(store, principal, thread_pk)


def threads(store: Store, principal: Principal, **kwargs: Any) -> list[dict[str, Any]]:
    return sql.threads(store, principal, **kwargs)


# --------------------------------------------------------------------------- documents


def add_document(
    store: Store,
    principal: Principal,
    subject: Subject,
    filename: str | None,
    stream: BinaryIO,
    *,
    declared_type: str | None = None,
    title: str | None = None,
    limit: int | None = None,
    restricted_to: Sequence[str] = (),
) -> dict[str, Any]:
    """Keep an uploaded file with ``subject``: streamed to the blob store (refused past the
    limit), its type sniffed from its bytes (a lying name or type refused), its text
    extracted for search; a file with the title of an existing document becomes its next version."""
    org = _writer(principal)
    see_subject(store, principal, subject)
    limit = limit or Settings().max_upload_bytes
    blobs = blobs_of(store)
    from openruimte.collab.files import safe_name

    name = safe_name(filename)  # refuse traversal before a byte is stored
    received = blobs.receive(stream, limit, name)
    try:
        with received.path.open("rb") as whole:
            name, sniffed = check_upload(
                name, received.head, declared=declared_type, size=received.size, limit=limit, whole=whole
            )
        data = received.path.read_bytes()
        text, problem = extract_text(data, sniffed.kind)
    except BaseException:
        blobs.discard(received)
        raise
    blobs.keep(received)
    doc_title = (title or name).strip()[:500]
    version = {
        "filename": name,
        "sha256": received.sha256,
        "size": received.size,
        "kind": sniffed.kind,
        "mime": sniffed.mime,
        "text_problem": problem,
    }
    with store.writer(principal.actor) as w:
        pk, number = sql.insert_document_version(w, subject, doc_title, org, version, text, restriction(restricted_to))
    return {**document(store, principal, pk), "added_version": number}


def document(store: Store, principal: Principal, document_pk: int) -> dict[str, Any]:
    found = sql.documents(store, principal, document_pk=document_pk)
    if not found:
        raise NotFound(f"no document {document_pk}")
    return found[0]


def document_file(
    store: Store, principal: Principal, document_pk: int, version: int | None = None
) -> tuple[Path, dict[str, Any]]:
    """The blob of a document version the principal may see, and the version's record."""
    doc = document(store, principal, document_pk)
    wanted = version or doc["current_version"]
    for v in doc["versions"]:
        if v["version"] == wanted:
            path = blobs_of(store).path(v["sha256"])
            if not path.is_file():
                raise NotFound(
                    f"the file of document {document_pk} version {wanted} is missing from the data directory"
                )
            return path, v
    raise NotFound(f"document {document_pk} has no version {wanted}")


def documents(store: Store, principal: Principal, **kwargs: Any) -> list[dict[str, Any]]:
    return sql.documents(store, principal, **kwargs)


# --------------------------------------------------------------------------- contacts


def add_contact(store: Store, principal: Principal, contact: Contact) -> dict[str, Any]:
    """A contact person of an organisation (or of one of its plans): written by its editors and admins."""
    if not principal.may_write(contact.org):
        if principal.org is None:
            raise Unauthenticated("writing needs a token (Authorization: Bearer TOKEN) or a login")
        raise Forbidden(f"only editors and admins of {contact.org} may add its contacts")
    if contact.plan_key:
        owner, plan_id = contact.plan_key.split(":", 1)
        if owner == UNDISCLOSED or View(store, principal).plan_row(owner, plan_id) is None:
            raise NotFound(f"no plan {contact.plan_key}")
    if contact.org not in {o.code for o in store.organisations()}:
        raise NotFound(f"no organisation {contact.org}")
    with store.writer(principal.actor) as w:
        pk = sql.insert_contact(w, contact)
    return next(c for c in sql.contacts(store, principal) if c["id"] == pk)


def contacts(store: Store, principal: Principal, **kwargs: Any) -> list[dict[str, Any]]:
    return sql.contacts(store, principal, **kwargs)


# --------------------------------------------------------------------------- search


def search(store: Store, principal: Principal, q: str, *, limit: int = 50) -> list[dict[str, Any]]:
    return sql.search(store, principal, q, limit=max(1, min(limit, 200)))


# --------------------------------------------------------------------------- the programming table


def _since_dt(since: dt.date) -> dt.datetime:
    return dt.datetime.combine(since, dt.time(), tzinfo=dt.UTC)


def build_agenda(
    store: Store, principal: Principal, since: dt.date, *, meeting_date: dt.date | None = None
) -> agenda_core.Agenda:
    """The agenda of what changed since ``since`` as ``principal`` may see it."""
    if principal.org is None and not principal.system:
        raise Unauthenticated("the agenda is for the organisations at the programming table; log in")
    view = View(store, principal)
    plans = {p.key: p for p in store.plans()}
    shown = {k: p for k, p in plans.items() if disclosed(principal, p)}
    names = {k: p.name for k, p in shown.items()}
    saved = view.analysis("plans")
    result = saved["result"] if saved else {}
    before = sql.analysis_before(store, "plans", _since_dt(since))
    changed_since = saved is not None and saved["created_at"] is not None
    events = []
    for entry in sql.plan_audit_since(store, _since_dt(since)):
        key = entry["record_key"]
        if key in shown:
            events.append(entry)
        elif entry["action"] == "delete" and key not in plans:
            owner = key.split(":", 1)[0]
            if principal.system or principal.coordinator or principal.org == owner:
                events.append(entry)
    plan_events = [
        agenda_core.PlanEvent(
            key=e["record_key"],
            name=names.get(e["record_key"]) or str((e["before"] or {}).get("name") or e["record_key"]),
            action=e["action"],
            at=e["at"],
            before=e["before"] or {},
            after=e["after"] or {},
        )
        for e in events
    ]
    capacity: list[dict[str, Any]] = []
    space: list[dict[str, Any]] = []
    if principal.system or principal.coordinator:
        cap = view.analysis("capacity")
        if cap:
            exceeded = set(cap["result"].get("exceeded") or [])
            capacity = [e for e in cap["result"].get("elements", []) if e and e.get("id") in exceeded]
        spc = view.analysis("space")
        if spc:
            space = [s for s in spc["result"].get("does_not_fit", []) if s and s.get("planned_by")]
    open_threads = sql.threads(store, principal, status="open")
    return agenda_core.build_agenda(
        since,
        names=names,
        couplings=result.get("couplings", []) if changed_since else [],
        couplings_before=(before or {}).get("couplings") if before is not None else None,
        conflicts=result.get("conflicts", []) if changed_since else [],
        conflicts_before=(before or {}).get("conflicts") if before is not None else None,
        undisclosed=[u for u in result.get("undisclosed", [])],
        plan_events=plan_events,
        capacity=capacity,
        space=space,
        open_threads=open_threads,
        meeting_date=meeting_date,
    )


def agenda_pdf(agenda: agenda_core.Agenda, pdf: Path) -> Path:
    """Print the agenda to ``pdf`` with chromium (reports/pdf.py)."""
    import tempfile

    from openruimte.reports.pdf import html_to_pdf

    with tempfile.TemporaryDirectory(prefix="openruimte-agenda-") as tmp:
        page = Path(tmp) / "agenda.html"
        page.write_text(agenda.to_html(), encoding="utf-8")
        return html_to_pdf(page, pdf, title=agenda.title)


def _chair(principal: Principal) -> None:
    if not (principal.system or principal.coordinator):
        if principal.org is None:
            raise Unauthenticated("the programming table's records need a login")
        raise Forbidden("meetings and decisions of the programming table are recorded by the coordinator")


def save_meeting(
    store: Store, principal: Principal, agenda: agenda_core.Agenda, held_on: dt.date, title: str | None = None
) -> int:
    """Record a meeting of the programming table with its agenda (the coordinator)."""
    _chair(principal)
    with store.writer(principal.actor) as w:
        return sql.insert_meeting(
            w, held_on, title or f"Programmeertafel {held_on.isoformat()}", agenda.since, agenda.items
        )


def decide(store: Store, principal: Principal, decision: agenda_core.Decision) -> dict[str, Any]:
    """Record a decision (besluit), linked to plans and a thread (the coordinator)."""
    _chair(principal)
    view = View(store, principal)
    for key in decision.plans:
        if ":" not in key or key.startswith(UNDISCLOSED + ":") or view.plan_row(*key.split(":", 1)) is None:
            raise NotFound(f"no plan {key}")
    if decision.thread is not None:
        thread(store, principal, decision.thread)
    if decision.meeting is not None and not sql.meeting_exists(store, decision.meeting):
        raise NotFound(f"no meeting {decision.meeting}")
    with store.writer(principal.actor) as w:
        pk = sql.insert_decision(w, decision)
    return next(d for d in sql.decisions(store, principal) if d["id"] == pk)


def decisions(store: Store, principal: Principal, **kwargs: Any) -> list[dict[str, Any]]:
    return sql.decisions(store, principal, **kwargs)


def meetings(store: Store, principal: Principal) -> list[dict[str, Any]]:
    """Meetings with their agenda items and decisions as ``principal`` may see them (items naming
    a plan it may not see are left out)."""
    if principal.org is None and not principal.system:
        return []
    shown = {p.key for p in store.plans() if disclosed(principal, p)}
    visible_threads = {t["id"] for t in sql.threads(store, principal)}
    out = []
    for m in sql.meetings(store):
        items = [
            i
            for i in sql.agenda_items(store, m["id"])
            if all(k in shown for k in i["plans"]) and (i["thread"] is None or i["thread"] in visible_threads)
        ]
        out.append({**m, "items": items, "decisions": sql.decisions(store, principal, meeting_pk=m["id"])})
    return out


def besluitenlijst(store: Store, principal: Principal, meeting_pk: int | None = None) -> str:
    rows = sql.decisions(store, principal, meeting_pk=meeting_pk)
    items = [
        agenda_core.Decision(
            text=d["text"],
            decided_on=dt.date.fromisoformat(d["decided_on"]),
            plans=tuple(d["plans"]),
            thread=d["thread"],
            item=d["item"],
            meeting=d["meeting"],
            id=d["id"],
        )
        for d in rows
    ]
    return agenda_core.besluitenlijst_html("Besluitenlijst programmeertafel", items)


__all__ = [
    "FileRefused",
    "NotFound",
    "Unauthenticated",
    "add_contact",
    "add_document",
    "agenda_pdf",
    "besluitenlijst",
    "build_agenda",
    "contacts",
    "decide",
    "decisions",
    "document",
    "document_file",
    "documents",
    "meetings",
    "reply",
    "resolve",
    "save_meeting",
    "search",
    "start_thread",
    "thread",
    "threads",
]
