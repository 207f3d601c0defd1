"""The SQL of working together: threads, posts, mentions, documents, contacts,
programming-table meetings, agenda items and decisions, and the full-text search.

Reads take a :class:`~openruimte.model.access.Principal` and apply the one
visibility rule in SQL (:func:`subject_visible`): a row about plans is seen only
by whoever may see every one of those plans unmasked (a commercially sensitive
plan of another organisation is "een niet-genoemde partij": nothing about it);
a row about an area by the organisations at the table and its author; a
restricted row only by the organisations it names. Anonymous callers see none.
Writes go through the store's :class:`~openruimte.store.repository.Writer` and
append to the audit log in the same transaction.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from openruimte.model.access import Principal
from openruimte.store import tables as t
from openruimte.store.permissions import visible_clause
from openruimte.store.repository import Store, Writer

MARK_START, MARK_END = "\u27e6", "\u27e7"

# --------------------------------------------------------------------------- visibility


def plan_disclosed(principal: Principal, owner: Any, plan_id: Any) -> Any:
    """SQL: the plan ``owner:plan_id`` exists and ``principal`` may see it unmasked."""
    p = t.plans.alias("vis_plan")
    conds = [p.c.owner == owner, p.c.id == plan_id]
    clause = visible_clause(principal, p)
    if clause is not None:
        conds.append(clause)
    if not (principal.system or principal.coordinator):
        own = p.c.owner == principal.org if principal.org is not None else sa.false()
        conds.append(sa.or_(p.c.sensitive.is_(False), own))
    return sa.exists().where(*conds)


def restriction_text(orgs: Sequence[str]) -> str | None:
    return "," + ",".join(orgs) + "," if orgs else None


def restricted_orgs(value: str | None) -> list[str]:
    return [o for o in (value or "").split(",") if o]


def subject_visible(principal: Principal, table: sa.Table, author_col: Any) -> Any:
    """SQL: may ``principal`` see this row of ``table`` (a table with the subject columns)?"""
    if principal.system:
        return sa.true()
    if principal.org is None:
        return sa.false()
    c = table.c
    about_plans = sa.and_(
        c.plan_owner.is_not(None),
        plan_disclosed(principal, c.plan_owner, c.plan_id),
        sa.or_(c.plan2_owner.is_(None), plan_disclosed(principal, c.plan2_owner, c.plan2_id)),
    )
    about_area = sa.and_(c.plan_owner.is_(None), sa.true() if principal.sees_shared else author_col == principal.org)
    allowed = sa.or_(c.restricted.is_(None), c.restricted.contains(f",{principal.org},", autoescape=True))
    return sa.and_(sa.or_(about_plans, about_area), allowed)


def _subject_values(subject: Any, restricted: Sequence[str]) -> dict[str, Any]:
    keys = list(subject.plan_keys)
    one = keys[0].split(":", 1) if keys else (None, None)
    two = keys[1].split(":", 1) if len(keys) > 1 else (None, None)
    return {
        "subject_kind": subject.kind,
        "subject_key": subject.key,
        "plan_owner": one[0],
        "plan_id": one[1],
        "plan2_owner": two[0],
        "plan2_id": two[1],
        "restricted": restriction_text(restricted),
    }


def _utc(value: dt.datetime | None) -> str | None:
    if value is None:
        return None
    return (value if value.tzinfo else value.replace(tzinfo=dt.UTC)).isoformat()


# --------------------------------------------------------------------------- threads


def insert_thread(
    w: Writer, subject: Any, title: str, body: str, org: str, restricted: Sequence[str]
) -> tuple[int, int]:
    """A new thread with its first post; returns (thread key, post key)."""
    values = {
        **_subject_values(subject, restricted),
        "title": title,
        "author_org": org,
        "actor": w.actor,
        "status": "open",
        "created_at": w.now,
        "updated_at": w.now,
    }
    pk = int(w.conn.execute(sa.insert(t.threads).returning(t.threads.c.pk), values).scalar_one())
    w.audit(
        "insert", "threads", str(pk), after={k: v for k, v in values.items() if k not in ("created_at", "updated_at")}
    )
    post = insert_post(w, pk, body, org)
    return pk, post


def insert_post(w: Writer, thread_pk: int, body: str, org: str) -> int:
    values = {"thread_pk": thread_pk, "body": body, "author_org": org, "actor": w.actor, "created_at": w.now}
    pk = int(w.conn.execute(sa.insert(t.posts).returning(t.posts.c.pk), values).scalar_one())
    w.conn.execute(sa.update(t.threads).where(t.threads.c.pk == thread_pk).values(updated_at=w.now))
    w.audit("insert", "posts", str(pk), after={"thread": thread_pk, "org": org, "body": body})
    return pk


def resolve_thread(w: Writer, thread_pk: int, conclusion: str) -> None:
    before = w.conn.execute(
        sa.select(t.threads.c.status, t.threads.c.conclusion).where(t.threads.c.pk == thread_pk)
    ).one()
    w.conn.execute(
        sa.update(t.threads)
        .where(t.threads.c.pk == thread_pk)
        .values(status="resolved", conclusion=conclusion, resolved_at=w.now, resolved_by=w.actor, updated_at=w.now)
    )
    w.audit(
        "update",
        "threads",
        str(thread_pk),
        before={"status": before.status, "conclusion": before.conclusion},
        after={"status": "resolved", "conclusion": conclusion},
    )


def insert_mentions(w: Writer, post_pk: int, rows: Sequence[tuple[str, str | None, bool]]) -> None:
    if rows:
        w.conn.execute(
            sa.insert(t.mentions),
            [{"post_pk": post_pk, "token": tok, "org": org, "notified": told} for tok, org, told in rows],
        )


def thread_readers_check(conn: sa.Connection, thread_pk: int, principal: Principal) -> bool:
    """May ``principal`` read thread ``thread_pk`` (inside a transaction: for mentions)?"""
    th = t.threads
    query = sa.select(th.c.pk).where(th.c.pk == thread_pk, subject_visible(principal, th, th.c.author_org))
    return conn.execute(query).first() is not None


def _thread_dict(row: Any) -> dict[str, Any]:
    return {
        "id": row.pk,
        "subject_kind": row.subject_kind,
        "subject_key": row.subject_key,
        "title": row.title,
        "author_org": row.author_org,
        "status": row.status,
        "conclusion": row.conclusion,
        "resolved_at": _utc(row.resolved_at),
        "restricted_to": restricted_orgs(row.restricted),
        "plans": [k for k in (_key(row.plan_owner, row.plan_id), _key(row.plan2_owner, row.plan2_id)) if k],
        "created_at": _utc(row.created_at),
        "updated_at": _utc(row.updated_at),
    }


def _key(owner: str | None, plan_id: str | None) -> str | None:
    return f"{owner}:{plan_id}" if owner and plan_id else None


def threads(
    store: Store,
    principal: Principal,
    *,
    plan: tuple[str, str] | None = None,
    status: str | None = None,
    thread_pk: int | None = None,
    subject: Any = None,
) -> list[dict[str, Any]]:
    """Threads ``principal`` may see (of one plan, of one subject, open/resolved), newest first."""
    th = t.threads
    query = sa.select(th).where(subject_visible(principal, th, th.c.author_org)).order_by(th.c.pk.desc())
    if plan is not None:
        query = query.where(
            sa.or_(
                sa.and_(th.c.plan_owner == plan[0], th.c.plan_id == plan[1]),
                sa.and_(th.c.plan2_owner == plan[0], th.c.plan2_id == plan[1]),
            )
        )
    if subject is not None:
        query = query.where(th.c.subject_kind == subject.kind, th.c.subject_key == subject.key)
    if status:
        query = query.where(th.c.status == status)
    if thread_pk is not None:
        query = query.where(th.c.pk == thread_pk)
    with store.engine.connect() as conn:
        rows = [_thread_dict(r) for r in conn.execute(query)]
        if rows:
            counts = dict(
                conn.execute(
                    sa.select(t.posts.c.thread_pk, sa.func.count())
                    .where(t.posts.c.thread_pk.in_([r["id"] for r in rows]))
                    .group_by(t.posts.c.thread_pk)
                ).all()
            )
            for r in rows:
                r["posts"] = int(counts.get(r["id"], 0))
    return rows


def posts(store: Store, thread_pk: int) -> list[dict[str, Any]]:
    """The posts of a thread (check that the caller may see the thread first), oldest first."""
    p, m = t.posts, t.mentions
    with store.engine.connect() as conn:
        rows = conn.execute(sa.select(p).where(p.c.thread_pk == thread_pk).order_by(p.c.pk)).all()
        found: dict[int, list[str]] = {}
        if rows:
            for post_pk, token in conn.execute(
                sa.select(m.c.post_pk, m.c.token).where(m.c.post_pk.in_([r.pk for r in rows])).order_by(m.c.pk)
            ):
                found.setdefault(post_pk, []).append(token)
    return [
        {
            "id": r.pk,
            "body": r.body,
            "author_org": r.author_org,
            "actor": r.actor,
            "created_at": _utc(r.created_at),
            "mentions": found.get(r.pk, []),
        }
        for r in rows
    ]


# --------------------------------------------------------------------------- documents


def find_document(conn: sa.Connection, subject: Any, title: str) -> Any:
    d = t.documents
    return conn.execute(
        sa.select(d).where(d.c.subject_kind == subject.kind, d.c.subject_key == subject.key, d.c.title == title)
    ).first()


def insert_document_version(
    w: Writer,
    subject: Any,
    title: str,
    org: str,
    version: dict[str, Any],
    text: str,
    restricted: Sequence[str] = (),
) -> tuple[int, int]:
    """Add a document, or a new version of the subject's document with the same title.
    Returns (document key, version number)."""
    d, v = t.documents, t.document_versions
    existing = find_document(w.conn, subject, title)
    if existing is None:
        values = {
            **_subject_values(subject, restricted),
            "title": title,
            "owner_org": org,
            "current_version": 1,
            "text": text,
            "created_at": w.now,
            "updated_at": w.now,
        }
        doc_pk = int(w.conn.execute(sa.insert(d).returning(d.c.pk), values).scalar_one())
        number = 1
    else:
        doc_pk = existing.pk
        number = existing.current_version + 1
        w.conn.execute(sa.update(d).where(d.c.pk == doc_pk).values(current_version=number, text=text, updated_at=w.now))
    row = {**version, "document_pk": doc_pk, "version": number, "actor": w.actor, "uploaded_at": w.now}
    w.conn.execute(sa.insert(v), row)
    w.audit(
        "insert" if number == 1 else "update",
        "documents",
        str(doc_pk),
        after={"subject": subject.key, "title": title, "version": number, **version},
    )
    return doc_pk, number


def documents(
    store: Store, principal: Principal, *, plan: tuple[str, str] | None = None, document_pk: int | None = None
) -> list[dict[str, Any]]:
    d, v = t.documents, t.document_versions
    query = sa.select(d).where(subject_visible(principal, d, d.c.owner_org)).order_by(d.c.pk.desc())
    if plan is not None:
        query = query.where(
            sa.or_(
                sa.and_(d.c.plan_owner == plan[0], d.c.plan_id == plan[1]),
                sa.and_(d.c.plan2_owner == plan[0], d.c.plan2_id == plan[1]),
            )
        )
    if document_pk is not None:
        query = query.where(d.c.pk == document_pk)
    with store.engine.connect() as conn:
        docs = conn.execute(query).all()
        versions: dict[int, list[dict[str, Any]]] = {}
        if docs:
            for r in conn.execute(
                sa.select(v).where(v.c.document_pk.in_([x.pk for x in docs])).order_by(v.c.document_pk, v.c.version)
            ):
                versions.setdefault(r.document_pk, []).append(
                    {
                        "version": r.version,
                        "filename": r.filename,
                        "sha256": r.sha256,
                        "size": r.size,
                        "kind": r.kind,
                        "mime": r.mime,
                        "text_problem": r.text_problem,
                        "uploaded_by": r.actor,
                        "uploaded_at": _utc(r.uploaded_at),
                    }
                )
    return [
        {
            "id": x.pk,
            "subject_kind": x.subject_kind,
            "subject_key": x.subject_key,
            "title": x.title,
            "owner_org": x.owner_org,
            "current_version": x.current_version,
            "restricted_to": restricted_orgs(x.restricted),
            "plans": [k for k in (_key(x.plan_owner, x.plan_id), _key(x.plan2_owner, x.plan2_id)) if k],
            "versions": versions.get(x.pk, []),
            "created_at": _utc(x.created_at),
            "updated_at": _utc(x.updated_at),
        }
        for x in docs
    ]


def blob_shas(store: Store) -> list[str]:
    """Every blob a document version names (for backup)."""
    v = t.document_versions
    with store.engine.connect() as conn:
        return [r[0] for r in conn.execute(sa.select(v.c.sha256).distinct().order_by(v.c.sha256))]


# --------------------------------------------------------------------------- contacts


def insert_contact(w: Writer, contact: Any) -> int:
    owner, plan_id = contact.plan_key.split(":", 1) if contact.plan_key else (None, None)
    values = {
        "org": contact.org,
        "plan_owner": owner,
        "plan_id": plan_id,
        "name": contact.name,
        "role": contact.role,
        "email": contact.email,
        "phone": contact.phone,
        "created_at": w.now,
        "updated_at": w.now,
    }
    pk = int(w.conn.execute(sa.insert(t.contacts).returning(t.contacts.c.pk), values).scalar_one())
    w.audit(
        "insert", "contacts", str(pk), after={k: v for k, v in values.items() if k not in ("created_at", "updated_at")}
    )
    return pk


def contacts(
    store: Store, principal: Principal, *, plan: tuple[str, str] | None = None, org: str | None = None
) -> list[dict[str, Any]]:
    """Contacts ``principal`` may see: of plans it may see unmasked, or of organisations
    (anyone logged in); names, e-mail and phone only for organisations at the table,
    the contact's own organisation and the coordinator."""
    c = t.contacts
    if principal.org is None and not principal.system:
        return []
    if principal.system:
        vis = sa.true()
    else:
        vis = sa.or_(c.c.plan_owner.is_(None), plan_disclosed(principal, c.c.plan_owner, c.c.plan_id))
    query = sa.select(c).where(vis).order_by(c.c.org, c.c.pk)
    if plan is not None:
        query = query.where(c.c.plan_owner == plan[0], c.c.plan_id == plan[1])
    if org is not None:
        query = query.where(c.c.org == org, c.c.plan_owner.is_(None))
    with store.engine.connect() as conn:
        rows = conn.execute(query).all()
    out = []
    for r in rows:
        # the rule of collab/contacts.py personal_data_visible (the store imports no pure package)
        personal = principal.system or principal.sees_shared or principal.org == r.org
        out.append(
            {
                "id": r.pk,
                "org": r.org,
                "plan": _key(r.plan_owner, r.plan_id),
                "role": r.role,
                "name": r.name if personal else None,
                "email": r.email if personal else None,
                "phone": r.phone if personal else None,
                "personal_data": personal,
            }
        )
    return out


# --------------------------------------------------------------------------- programming table


def insert_meeting(w: Writer, held_on: dt.date, title: str, since: dt.date, items: Sequence[Any]) -> int:
    values = {"held_on": held_on, "title": title, "since": since, "actor": w.actor, "created_at": w.now}
    pk = int(w.conn.execute(sa.insert(t.meetings).returning(t.meetings.c.pk), values).scalar_one())
    if items:
        w.conn.execute(
            sa.insert(t.agenda_items),
            [
                {
                    "meeting_pk": pk,
                    "number": i.number,
                    "kind": i.kind,
                    "title": i.title,
                    "detail": i.detail,
                    "plans": list(i.plans),
                    "thread_pk": i.thread,
                }
                for i in items
            ],
        )
    w.audit("insert", "meetings", str(pk), after={**values, "items": len(items)})
    return pk


def insert_decision(w: Writer, decision: Any) -> int:
    values = {
        "meeting_pk": decision.meeting,
        "item_number": decision.item,
        "text": decision.text,
        "decided_on": decision.decided_on,
        "thread_pk": decision.thread,
        "actor": w.actor,
        "created_at": w.now,
    }
    pk = int(w.conn.execute(sa.insert(t.decisions).returning(t.decisions.c.pk), values).scalar_one())
    links = sorted({tuple(k.split(":", 1)) for k in decision.plans})
    if links:
        w.conn.execute(
            sa.insert(t.decision_plans), [{"decision_pk": pk, "plan_owner": o, "plan_id": i} for o, i in links]
        )
    w.audit("insert", "decisions", str(pk), after={**values, "plans": list(decision.plans)})
    return pk


def meetings(store: Store) -> list[dict[str, Any]]:
    m = t.meetings
    with store.engine.connect() as conn:
        return [
            {"id": r.pk, "held_on": r.held_on.isoformat(), "title": r.title, "since": r.since.isoformat()}
            for r in conn.execute(sa.select(m).order_by(m.c.held_on.desc(), m.c.pk.desc()))
        ]


def meeting_exists(store: Store, pk: int) -> bool:
    with store.engine.connect() as conn:
        return conn.execute(sa.select(t.meetings.c.pk).where(t.meetings.c.pk == pk)).first() is not None


def agenda_items(store: Store, meeting_pk: int) -> list[dict[str, Any]]:
    a = t.agenda_items
    with store.engine.connect() as conn:
        return [
            {
                "number": r.number,
                "kind": r.kind,
                "title": r.title,
                "detail": r.detail,
                "plans": list(r.plans or []),
                "thread": r.thread_pk,
            }
            for r in conn.execute(sa.select(a).where(a.c.meeting_pk == meeting_pk).order_by(a.c.number))
        ]


def decisions(
    store: Store, principal: Principal, *, plan: tuple[str, str] | None = None, meeting_pk: int | None = None
) -> list[dict[str, Any]]:
    """Decisions ``principal`` may see: every plan they link disclosed to it, the thread they
    link readable; without plans, for organisations at the table."""
    d, dp, th = t.decisions, t.decision_plans, t.threads
    if principal.org is None and not principal.system:
        return []
    query = sa.select(d).order_by(d.c.decided_on.desc(), d.c.pk.desc())
    if not principal.system:
        link = dp.alias("dp_hidden")
        hidden_plan = sa.exists().where(
            link.c.decision_pk == d.c.pk, sa.not_(plan_disclosed(principal, link.c.plan_owner, link.c.plan_id))
        )
        any_plan = sa.exists().where(dp.c.decision_pk == d.c.pk)
        thread_ok = sa.or_(
            d.c.thread_pk.is_(None),
            sa.exists().where(th.c.pk == d.c.thread_pk, subject_visible(principal, th, th.c.author_org)),
        )
        table_ok = sa.true() if principal.sees_shared else any_plan
        query = query.where(sa.not_(hidden_plan), thread_ok, table_ok)
    if plan is not None:
        query = query.where(
            sa.exists().where(dp.c.decision_pk == d.c.pk, dp.c.plan_owner == plan[0], dp.c.plan_id == plan[1])
        )
    if meeting_pk is not None:
        query = query.where(d.c.meeting_pk == meeting_pk)
    with store.engine.connect() as conn:
        rows = conn.execute(query).all()
        links: dict[int, list[str]] = {}
        if rows:
            for r in conn.execute(
                sa.select(dp).where(dp.c.decision_pk.in_([x.pk for x in rows])).order_by(dp.c.plan_owner, dp.c.plan_id)
            ):
                links.setdefault(r.decision_pk, []).append(f"{r.plan_owner}:{r.plan_id}")
    return [
        {
            "id": r.pk,
            "meeting": r.meeting_pk,
            "item": r.item_number,
            "text": r.text,
            "decided_on": r.decided_on.isoformat(),
            "plans": links.get(r.pk, []),
            "thread": r.thread_pk,
            "created_at": _utc(r.created_at),
        }
        for r in rows
    ]


# --------------------------------------------------------------------------- search

_WORD = re.compile(r"\w+", re.UNICODE)
MAX_TERMS = 12


def terms(q: str) -> list[str]:
    """The words of a query (letters and digits only: no query syntax gets through)."""
    return [w.lower() for w in _WORD.findall(q or "")][:MAX_TERMS]


def _snippet_html(raw: str | None) -> str:
    text = html.escape(raw or "")
    return text.replace(MARK_START, "<mark>").replace(MARK_END, "</mark>")


class _Engine:
    """Where SQLite (FTS5) and PostgreSQL (tsvector, 'dutch') differ: the match and the snippet."""

    def __init__(self, dialect: str, words: list[str]) -> None:
        self.dialect = dialect
        self.words = words
        if dialect == "sqlite":
            self.query = " AND ".join(f'"{w}"*' for w in words)
        else:
            self.query = " & ".join(f"{w}:*" for w in words)

    # kind offsets in the SQLite index (migration 0010)
    OFFSETS = {"plans": 0, "threads": 1, "posts": 2, "documents": 3}
    PG_EXPR = {
        "plans": "name || ' ' || coalesce(programme,'') || ' ' || coalesce(area,'') || ' ' || id || ' ' || owner",
        "threads": "title || ' ' || coalesce(conclusion,'')",
        "posts": "body",
        "documents": "title || ' ' || coalesce(text,'')",
    }

    def select(self, table: sa.Table, columns: list[Any], where: Any, limit: int) -> Any:
        """``columns``, a snippet and a rank of the best ``limit`` rows of ``table`` that match,
        filtered by ``where``. Two steps: the best rows are found without snippets (cheap), then
        the snippets are made for those rows only."""
        name = table.name
        if self.dialect == "sqlite":
            # the FTS5 match runs once (a materialised CTE of rowids and ranks of this kind), then
            # the rows are joined by primary key; snippets are made afterwards for the best rows only
            offset = self.OFFSETS[name]
            hits = (
                sa.select(sa.literal_column("rowid").label("fts_rowid"), sa.literal_column("rank").label("rank"))
                .select_from(sa.text("search_fts"))
                .where(
                    sa.text("search_fts MATCH :fts_query").bindparams(fts_query=self.query),
                    sa.literal_column("rowid").op("%")(4) == offset,
                )
                .cte("hits")
                .prefix_with("MATERIALIZED")
            )
            pk_of_hit = (hits.c.fts_rowid - offset).self_group().op("/")(4)  # integer division: the row's key
            return (
                sa.select(*columns, hits.c.fts_rowid, hits.c.rank)
                .select_from(hits.join(table, table.c.pk == pk_of_hit))
                .where(where)
                .order_by(hits.c.rank)
                .limit(limit)
            )
        expr = sa.literal_column(f"to_tsvector('dutch'::regconfig, {self._qualified(name)})")
        query = sa.func.to_tsquery(sa.literal_column("'dutch'::regconfig"), sa.bindparam("ts_query", self.query))
        rank = -sa.func.ts_rank(expr, query)
        best = sa.select(table.c.pk).where(expr.op("@@")(query), where).order_by(rank).limit(limit).correlate(None)
        headline = sa.func.ts_headline(
            sa.literal_column("'dutch'::regconfig"),
            sa.literal_column(self._qualified(name)),
            query,
            f"StartSel={MARK_START}, StopSel={MARK_END}, MaxWords=24, MinWords=10, MaxFragments=1",
        )
        return (
            sa.select(*columns, headline.label("snippet"), rank.label("rank"))
            .where(where, table.c.pk.in_(best.scalar_subquery()))
            .order_by(sa.literal_column("rank"))
        )

    def _qualified(self, name: str) -> str:
        expr = self.PG_EXPR[name]
        for col in ("name", "programme", "area", "id", "owner", "title", "conclusion", "body", "text"):
            expr = re.sub(rf"\b(?<!\.){col}\b(?!\s*\()", f"{name}.{col}", expr)
        return expr


def search(store: Store, principal: Principal, q: str, *, limit: int = 50) -> list[dict[str, Any]]:
    """Plans, threads (title, conclusion and posts) and documents (title and text) matching
    ``q`` that ``principal`` may see; the visibility rule is in the SQL, so snippets and
    counts of what it may not see are never computed for it."""
    words = terms(q)
    if not words or (principal.org is None and not principal.system):
        return [] if not words else _search_public(store, principal, words, limit)
    eng = _Engine(store.dialect, words)
    p, th, po, d = t.plans, t.threads, t.posts, t.documents
    queries = [
        (
            "plan",
            eng.select(
                p,
                [p.c.owner, p.c.id, p.c.name],
                sa.and_(sa.true(), plan_disclosed(principal, p.c.owner, p.c.id)),
                limit,
            ),
        ),
        (
            "thread",
            eng.select(
                th,
                [th.c.pk, th.c.title, th.c.plan_owner, th.c.plan_id],
                subject_visible(principal, th, th.c.author_org),
                limit,
            ),
        ),
        (
            "post",
            eng.select(
                po,
                [th.c.pk, th.c.title, th.c.plan_owner, th.c.plan_id],
                sa.and_(th.c.pk == po.c.thread_pk, subject_visible(principal, th, th.c.author_org)),
                limit,
            ),
        ),
        (
            "document",
            eng.select(
                d,
                [d.c.pk, d.c.title, d.c.plan_owner, d.c.plan_id],
                subject_visible(principal, d, d.c.owner_org),
                limit,
            ),
        ),
    ]
    return _collect(store, queries, limit, eng.query if eng.dialect == "sqlite" else None)


def _search_public(store: Store, principal: Principal, words: list[str], limit: int) -> list[dict[str, Any]]:
    """Anonymous callers find public plans only (discussions and documents need a login)."""
    eng = _Engine(store.dialect, words)
    p = t.plans
    return _collect(
        store,
        [("plan", eng.select(p, [p.c.owner, p.c.id, p.c.name], plan_disclosed(principal, p.c.owner, p.c.id), limit))],
        limit,
        eng.query if eng.dialect == "sqlite" else None,
    )


def _snippets(conn: sa.Connection, query: str, rowids: list[int]) -> dict[int, str]:
    """SQLite: the snippets of the given index rows (FTS5 makes them only in a MATCH query)."""
    if not rowids:
        return {}
    snippet = sa.func.snippet(sa.literal_column("search_fts"), -1, MARK_START, MARK_END, "…", 16)
    q = (
        sa.select(sa.literal_column("rowid"), snippet)
        .select_from(sa.text("search_fts"))
        .where(
            sa.text("search_fts MATCH :fts_query").bindparams(fts_query=query),
            sa.literal_column("rowid").in_(rowids),
        )
    )
    return {int(r[0]): r[1] for r in conn.execute(q)}


def _collect(
    store: Store, queries: list[tuple[str, Any]], limit: int, fts_query: str | None = None
) -> list[dict[str, Any]]:
    found: dict[tuple[str, str], dict[str, Any]] = {}
    with store.engine.connect() as conn:
        for kind, query in queries:
            rows = [r._mapping for r in conn.execute(query)]
            if fts_query is not None:  # SQLite
                snips = _snippets(conn, fts_query, [int(m["fts_rowid"]) for m in rows])
                rows = [{**m, "snippet": snips.get(int(m["fts_rowid"]))} for m in rows]
            for m in rows:
                if kind == "plan":
                    key = f"{m['owner']}:{m['id']}"
                    item = {"kind": "plan", "key": key, "title": m["name"], "plan": key}
                else:
                    item = {
                        "kind": "thread" if kind in ("thread", "post") else "document",
                        "key": str(m["pk"]),
                        "title": m["title"],
                        "plan": _key(m["plan_owner"], m["plan_id"]),
                    }
                item["snippet"] = _snippet_html(m["snippet"])
                item["rank"] = float(m["rank"] or 0)
                found.setdefault((item["kind"], item["key"]), item)
    results = sorted(found.values(), key=lambda i: (i["rank"], i["kind"], i["key"]))[:limit]
    for r in results:
        r.pop("rank")
    return results


# --------------------------------------------------------------------------- for the agenda


def analysis_before(store: Store, kind: str, when: dt.datetime) -> dict[str, Any] | None:
    """The newest saved result of ``kind`` saved before ``when`` (None: none)."""
    a = t.analysis_results
    with store.engine.connect() as conn:
        row = conn.execute(
            sa.select(a.c.result).where(a.c.kind == kind, a.c.created_at < when).order_by(a.c.pk.desc()).limit(1)
        ).first()
    return dict(row.result) if row is not None else None


def plan_audit_since(store: Store, when: dt.datetime) -> list[dict[str, Any]]:
    """The audit entries of plans written at or after ``when``, oldest first."""
    a = t.audit_log
    query = (
        sa.select(a)
        .where(a.c.table_name == "plans", a.c.at >= when, a.c.action.in_(["insert", "update", "delete"]))
        .order_by(a.c.pk)
    )
    with store.engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(query)]


def users_by_email(store: Store) -> dict[str, str]:
    u = t.users
    with store.engine.connect() as conn:
        return {e.lower(): o for e, o in conn.execute(sa.select(u.c.email, u.c.org).where(u.c.disabled.is_(False)))}
