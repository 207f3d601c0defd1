"""``openruimte table``, ``thread``, ``document`` and ``contact``: working together around
plans from the command line (a local admin with access to the database; writes land
in the audit log as ``cli:<os user>``, on behalf of the organisation given with ``--org``)."""

from __future__ import annotations

import datetime as dt
import getpass
import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from openruimte.cli._common import DbOption, _fail, _open, app, console
from openruimte.model import OpenRuimteError

table_app = typer.Typer(help="The programming table: agenda from what changed, decisions.", no_args_is_help=True)
thread_app = typer.Typer(help="Discussions about plans, couplings, conflicts, areas and models.", no_args_is_help=True)
document_app = typer.Typer(help="Documents attached to plans (sniffed, versioned, searchable).", no_args_is_help=True)
contact_app = typer.Typer(help="Contact persons per organisation and per plan.", no_args_is_help=True)
app.add_typer(table_app, name="table")
app.add_typer(thread_app, name="thread")
app.add_typer(document_app, name="document")
app.add_typer(contact_app, name="contact")

OrgOption = Annotated[str, typer.Option("--org", help="The organisation on whose behalf this is written.")]
KindOption = Annotated[
    str, typer.Option("--kind", help="What the subject is: plan, coupling, conflict, area or model.")
]


def _principal(org: str | None = None):  # noqa: ANN202 - Principal, imported lazily
    from openruimte.model.access import Principal, Role

    try:
        actor = f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        actor = "cli"
    return Principal(org=org, role=Role.ADMIN, actor=actor, at_table=True, system=True, auth="system")


def _date(value: str, option: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"'{value}' is not a date; expected YYYY-MM-DD", param_hint=option) from None


# --------------------------------------------------------------------------- table


@table_app.command("agenda")
def table_agenda(
    since: Annotated[str, typer.Option("--since", help="Changes since this date (YYYY-MM-DD).")],
    out: Annotated[Path | None, typer.Option("--out", help="Write the agenda as HTML here.")] = None,
    pdf: Annotated[Path | None, typer.Option("--pdf", help="Also print it to this PDF (needs chromium).")] = None,
    meeting: Annotated[
        str | None, typer.Option("--meeting", help="Record a meeting on this date (YYYY-MM-DD) with this agenda.")
    ] = None,
    title: Annotated[str | None, typer.Option("--title", help="Title of the recorded meeting.")] = None,
    db: DbOption = None,
) -> None:
    """The programming table's agenda: new couplings and conflicts, changed plans, capacity and space, open threads."""
    from openruimte.services import collab

    since_date = _date(since, "--since")
    held_on = _date(meeting, "--meeting") if meeting else None
    store = _open(db)
    try:
        agenda = collab.build_agenda(store, _principal(), since_date, meeting_date=held_on)
        pk = collab.save_meeting(store, _principal(), agenda, held_on, title) if held_on else None
    except OpenRuimteError as err:
        raise _fail(str(err)) from None
    finally:
        store.close()
    grid = Table(title=f"Agenda programmeertafel — wijzigingen sinds {since_date}")
    for col in ("#", "Onderdeel", "Punt", "Plannen"):
        grid.add_column(col)
    for item in agenda.items:
        grid.add_row(str(item.number), item.section, item.title, ", ".join(item.plans))
    console.print(grid)
    if out:
        out.write_text(agenda.to_html(), encoding="utf-8")
        console.print(f"wrote {out}")
    if pdf:
        from openruimte.services.collab import agenda_pdf

        try:
            agenda_pdf(agenda, pdf)
        except OpenRuimteError as err:
            raise _fail(str(err)) from None
        console.print(f"wrote {pdf}")
    if pk is not None:
        console.print(f"meeting {pk} recorded ({held_on}, {len(agenda.items)} agenda items)")


@table_app.command("decide")
def table_decide(
    text: Annotated[str, typer.Argument(help="What was decided (besluit).")],
    date: Annotated[str, typer.Option("--date", help="Date of the decision (YYYY-MM-DD; default today).")] = "",
    plan: Annotated[list[str] | None, typer.Option("--plan", help="A plan (owner:id) it is about; repeatable.")] = None,
    thread: Annotated[int | None, typer.Option("--thread", help="The discussion it concludes.")] = None,
    meeting: Annotated[int | None, typer.Option("--meeting", help="The meeting it was taken in.")] = None,
    item: Annotated[int | None, typer.Option("--item", help="The agenda item number.")] = None,
    db: DbOption = None,
) -> None:
    """Record a decision of the programming table, linked to plans and a discussion."""
    from openruimte.collab.agenda import Decision
    from openruimte.services import collab

    when = _date(date, "--date") if date else dt.date.today()
    store = _open(db)
    try:
        decision = Decision(
            text=text, decided_on=when, plans=tuple(plan or ()), thread=thread, meeting=meeting, item=item
        )
        saved = collab.decide(store, _principal(), decision)
    except OpenRuimteError as err:
        raise _fail(str(err)) from None
    finally:
        store.close()
    console.print(f"decision {saved['id']} recorded ({when}): {text}", highlight=False)


@table_app.command("decisions")
def table_decisions(
    meeting: Annotated[int | None, typer.Option("--meeting", help="Only the decisions of this meeting.")] = None,
    out: Annotated[Path | None, typer.Option("--out", help="Write the besluitenlijst as HTML here.")] = None,
    db: DbOption = None,
) -> None:
    """The decisions (besluitenlijst)."""
    from openruimte.services import collab

    store = _open(db)
    try:
        rows = collab.decisions(store, _principal(), meeting_pk=meeting)
        page = collab.besluitenlijst(store, _principal(), meeting) if out else None
    finally:
        store.close()
    grid = Table(title="Besluitenlijst")
    for col in ("#", "Datum", "Besluit", "Plannen", "Discussie"):
        grid.add_column(col)
    for d in rows:
        grid.add_row(str(d["id"]), d["decided_on"], d["text"], ", ".join(d["plans"]), str(d["thread"] or ""))
    console.print(grid)
    if out and page is not None:
        out.write_text(page, encoding="utf-8")
        console.print(f"wrote {out}")


# --------------------------------------------------------------------------- thread


@thread_app.command("start")
def thread_start(
    subject: Annotated[str, typer.Argument(help="The subject's key: owner:id (a plan), owner:id|owner:id, area code.")],
    title: Annotated[str, typer.Option("--title", help="Subject line.")],
    body: Annotated[str, typer.Option("--body", help="The first message (@code and @e-mail mention).")],
    org: OrgOption,
    kind: KindOption = "plan",
    only: Annotated[
        list[str] | None, typer.Option("--only", help="Restrict it to this organisation (repeatable; yours too).")
    ] = None,
    db: DbOption = None,
) -> None:
    """Start a discussion."""
    from openruimte.collab import Subject
    from openruimte.services import collab

    store = _open(db)
    try:
        th = collab.start_thread(store, _principal(org), Subject(kind, subject), title, body, restricted_to=only or ())
    except OpenRuimteError as err:
        raise _fail(str(err)) from None
    finally:
        store.close()
    told = f"; told: {', '.join(th['told'])}" if th["told"] else ""
    console.print(f"discussion {th['id']} started about {subject}{told}", highlight=False)


@thread_app.command("reply")
def thread_reply(
    thread_id: Annotated[int, typer.Argument(help="The discussion.")],
    body: Annotated[str, typer.Option("--body", help="The message.")],
    org: OrgOption,
    db: DbOption = None,
) -> None:
    """Reply to a discussion."""
    from openruimte.services import collab

    store = _open(db)
    try:
        th = collab.reply(store, _principal(org), thread_id, body)
    except OpenRuimteError as err:
        raise _fail(str(err)) from None
    finally:
        store.close()
    console.print(f"discussion {thread_id}: {len(th['messages'])} messages", highlight=False)


@thread_app.command("resolve")
def thread_resolve(
    thread_id: Annotated[int, typer.Argument(help="The discussion.")],
    conclusion: Annotated[str, typer.Option("--conclusion", help="What the discussion concluded.")],
    org: OrgOption,
    db: DbOption = None,
) -> None:
    """Mark a discussion resolved with its conclusion."""
    from openruimte.services import collab

    store = _open(db)
    try:
        collab.resolve(store, _principal(org), thread_id, conclusion)
    except OpenRuimteError as err:
        raise _fail(str(err)) from None
    finally:
        store.close()
    console.print(f"discussion {thread_id} resolved", highlight=False)


@thread_app.command("list")
def thread_list(
    plan: Annotated[str | None, typer.Option("--plan", help="Only the discussions about this plan (owner:id).")] = None,
    db: DbOption = None,
) -> None:
    """List discussions (all, or of one plan)."""
    from openruimte.services import collab

    store = _open(db)
    try:
        key = tuple(plan.split(":", 1)) if plan and ":" in plan else None
        rows = collab.threads(store, _principal(), plan=key)
    finally:
        store.close()
    grid = Table(title="Discussies")
    for col in ("#", "Onderwerp", "Over", "Status", "Berichten"):
        grid.add_column(col)
    for r in rows:
        grid.add_row(str(r["id"]), r["title"], r["subject_key"], r["status"], str(r["posts"]))
    console.print(grid)


# --------------------------------------------------------------------------- document


@document_app.command("add")
def document_add(
    subject: Annotated[str, typer.Argument(help="The subject's key (a plan: owner:id).")],
    file: Annotated[Path, typer.Argument(help="The file (PDF, office, image, DWG/DXF, IFC, text, CSV).")],
    org: OrgOption,
    kind: KindOption = "plan",
    title: Annotated[
        str | None, typer.Option("--title", help="Title (default: the file name; same: new version).")
    ] = None,
    db: DbOption = None,
) -> None:
    """Attach a file; its type is read from its bytes, its text indexed for search."""
    from openruimte.collab import Subject
    from openruimte.services import collab

    if not file.is_file():
        raise typer.BadParameter(f"{file} is not a file", param_hint="FILE")
    store = _open(db)
    try:
        with file.open("rb") as fh:
            doc = collab.add_document(store, _principal(org), Subject(kind, subject), file.name, fh, title=title)
    except OpenRuimteError as err:
        raise _fail(str(err)) from None
    finally:
        store.close()
    v = doc["versions"][-1]
    console.print(
        f"document {doc['id']} '{doc['title']}' version {doc['added_version']}: {v['kind']} ({v['mime']}), "
        f"{v['size']} bytes, sha256 {v['sha256'][:12]}…",
        highlight=False,
    )


@document_app.command("list")
def document_list(
    plan: Annotated[str | None, typer.Option("--plan", help="Only the documents of this plan (owner:id).")] = None,
    db: DbOption = None,
) -> None:
    """List documents and their versions."""
    from openruimte.services import collab

    store = _open(db)
    try:
        key = tuple(plan.split(":", 1)) if plan and ":" in plan else None
        rows = collab.documents(store, _principal(), plan=key)
    finally:
        store.close()
    grid = Table(title="Documenten")
    for col in ("#", "Titel", "Over", "Versie", "Type", "Bytes"):
        grid.add_column(col)
    for r in rows:
        v = r["versions"][-1] if r["versions"] else {}
        grid.add_row(
            str(r["id"]),
            r["title"],
            r["subject_key"],
            str(r["current_version"]),
            v.get("kind", ""),
            str(v.get("size", "")),
        )
    console.print(grid)


# --------------------------------------------------------------------------- contact


@contact_app.command("add")
def contact_add(
    org: OrgOption,
    name: Annotated[str, typer.Option("--name", help="The person's name.")],
    role: Annotated[str, typer.Option("--role", help="projectleider, assetmanager, omgevingsmanager, ...")],
    email: Annotated[str | None, typer.Option("--email", help="E-mail address.")] = None,
    phone: Annotated[str | None, typer.Option("--phone", help="Phone number.")] = None,
    plan: Annotated[
        str | None, typer.Option("--plan", help="The plan (owner:id) this person is the contact for.")
    ] = None,
    db: DbOption = None,
) -> None:
    """Add a contact person of an organisation (or of one of its plans)."""
    from openruimte.collab import Contact
    from openruimte.services import collab

    store = _open(db)
    try:
        saved = collab.add_contact(
            store, _principal(org), Contact(org=org, name=name, role=role, email=email, phone=phone, plan_key=plan)
        )
    except OpenRuimteError as err:
        raise _fail(str(err)) from None
    finally:
        store.close()
    console.print(f"contact {saved['id']}: {name} ({saved['role']}, {org})", highlight=False)


@contact_app.command("list")
def contact_list(
    org: Annotated[str | None, typer.Option("--org", help="Only this organisation's own contacts.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    db: DbOption = None,
) -> None:
    """List contact persons."""
    from openruimte.services import collab

    store = _open(db)
    try:
        rows = collab.contacts(store, _principal(), org=org)
    finally:
        store.close()
    if as_json:
        console.print_json(json.dumps(rows))
        return
    grid = Table(title="Contactpersonen")
    for col in ("Organisatie", "Plan", "Rol", "Naam", "E-mail", "Telefoon"):
        grid.add_column(col)
    for r in rows:
        grid.add_row(r["org"], r["plan"] or "", r["role"], r["name"] or "", r["email"] or "", r["phone"] or "")
    console.print(grid)
