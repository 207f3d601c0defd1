"""Working together: threads, posts, mentions, documents and their versions, contacts,
programming-table meetings, agenda items and decisions; full-text search (SQLite FTS5
with triggers; PostgreSQL GIN indexes on to_tsvector('dutch', ...)).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06
"""

# ruff: noqa: S608 - DDL from the constants below, no input

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

metadata = sa.MetaData()

# the tables as they are at this revision (frozen copies of store/tables.py)


def _subject_columns() -> list[sa.Column[Any]]:
    return [
        sa.Column("subject_kind", sa.String(16), nullable=False),
        sa.Column("subject_key", sa.String(1000), nullable=False),
        sa.Column("plan_owner", sa.String(200)),
        sa.Column("plan_id", sa.String(200)),
        sa.Column("plan2_owner", sa.String(200)),
        sa.Column("plan2_id", sa.String(200)),
        sa.Column("restricted", sa.String(2000)),
    ]


threads = sa.Table(
    "threads",
    metadata,
    sa.Column("pk", sa.Integer, primary_key=True, autoincrement=True),
    *_subject_columns(),
    sa.Column("title", sa.String(300), nullable=False),
    sa.Column("author_org", sa.String(200), nullable=False),
    sa.Column("actor", sa.String(200), nullable=False),
    sa.Column("status", sa.String(16), nullable=False, server_default="open"),
    sa.Column("conclusion", sa.Text),
    sa.Column("resolved_at", sa.DateTime(timezone=True)),
    sa.Column("resolved_by", sa.String(200)),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Index("ix_threads_plan", "plan_owner", "plan_id"),
)

posts = sa.Table(
    "posts",
    metadata,
    sa.Column("pk", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("thread_pk", sa.Integer, sa.ForeignKey("threads.pk", ondelete="CASCADE"), nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("author_org", sa.String(200), nullable=False),
    sa.Column("actor", sa.String(200), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Index("ix_posts_thread", "thread_pk", "pk"),
)

mentions = sa.Table(
    "mentions",
    metadata,
    sa.Column("pk", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("post_pk", sa.Integer, sa.ForeignKey("posts.pk", ondelete="CASCADE"), nullable=False),
    #: as written (an organisation code or a user's e-mail address), lower case
    sa.Column("token", sa.String(320), nullable=False),
    #: the organisation told; None when the token names nobody
    sa.Column("org", sa.String(200)),
    #: False when the organisation may not see the thread (then it is not told)
    sa.Column("notified", sa.Boolean, nullable=False),
    sa.Index("ix_mentions_post", "post_pk"),
)

documents = sa.Table(
    "documents",
    metadata,
    sa.Column("pk", sa.Integer, primary_key=True, autoincrement=True),
    *_subject_columns(),
    sa.Column("title", sa.String(500), nullable=False),
    sa.Column("owner_org", sa.String(200), nullable=False),
    sa.Column("current_version", sa.Integer, nullable=False),
    #: the extracted text of the current version (for search)
    sa.Column("text", sa.Text),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Index("ix_documents_plan", "plan_owner", "plan_id"),
)

document_versions = sa.Table(
    "document_versions",
    metadata,
    sa.Column("pk", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("document_pk", sa.Integer, sa.ForeignKey("documents.pk", ondelete="CASCADE"), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("filename", sa.String(200), nullable=False),
    #: the blob (store/blobs.py): content-addressed, one copy per distinct content
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("size", sa.BigInteger, nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("mime", sa.String(200), nullable=False),
    sa.Column("text_problem", sa.String(1000)),
    sa.Column("actor", sa.String(200), nullable=False),
    sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
    sa.UniqueConstraint("document_pk", "version", name="uq_document_versions_version"),
    sa.Index("ix_document_versions_sha256", "sha256"),
)

contacts = sa.Table(
    "contacts",
    metadata,
    sa.Column("pk", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("org", sa.String(200), nullable=False),
    #: the plan this person is the contact for (None: for the organisation)
    sa.Column("plan_owner", sa.String(200)),
    sa.Column("plan_id", sa.String(200)),
    sa.Column("name", sa.String(300), nullable=False),
    sa.Column("role", sa.String(100), nullable=False),
    sa.Column("email", sa.String(320)),
    sa.Column("phone", sa.String(40)),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Index("ix_contacts_plan", "plan_owner", "plan_id"),
)

meetings = sa.Table(
    "meetings",
    metadata,
    sa.Column("pk", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("held_on", sa.Date, nullable=False),
    sa.Column("title", sa.String(300), nullable=False),
    #: the agenda covered the changes since this date
    sa.Column("since", sa.Date, nullable=False),
    sa.Column("actor", sa.String(200), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)

agenda_items = sa.Table(
    "agenda_items",
    metadata,
    sa.Column("pk", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("meeting_pk", sa.Integer, sa.ForeignKey("meetings.pk", ondelete="CASCADE"), nullable=False),
    sa.Column("number", sa.Integer, nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("title", sa.String(1000), nullable=False),
    sa.Column("detail", sa.Text),
    sa.Column("plans", sa.JSON, nullable=False),
    sa.Column("thread_pk", sa.Integer, sa.ForeignKey("threads.pk", ondelete="SET NULL")),
    sa.UniqueConstraint("meeting_pk", "number", name="uq_agenda_items_number"),
)

decisions = sa.Table(
    "decisions",
    metadata,
    sa.Column("pk", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("meeting_pk", sa.Integer, sa.ForeignKey("meetings.pk", ondelete="SET NULL")),
    sa.Column("item_number", sa.Integer),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("decided_on", sa.Date, nullable=False),
    sa.Column("thread_pk", sa.Integer, sa.ForeignKey("threads.pk", ondelete="SET NULL")),
    sa.Column("actor", sa.String(200), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)

decision_plans = sa.Table(
    "decision_plans",
    metadata,
    sa.Column("decision_pk", sa.Integer, sa.ForeignKey("decisions.pk", ondelete="CASCADE"), primary_key=True),
    sa.Column("plan_owner", sa.String(200), primary_key=True),
    sa.Column("plan_id", sa.String(200), primary_key=True),
    sa.Index("ix_decision_plans_plan", "plan_owner", "plan_id"),
)


TABLES = (
    threads,
    posts,
    mentions,
    documents,
    document_versions,
    contacts,
    meetings,
    agenda_items,
    decisions,
    decision_plans,
)

#: what each kind contributes to the full-text index: (table, rowid offset, title SQL, body SQL)
SQLITE_FTS = {
    "plans": (
        0,
        "new.name",
        "coalesce(new.programme,'') || ' ' || coalesce(new.area,'') || ' ' || new.id || ' ' || new.owner",
    ),
    "threads": (1, "new.title", "coalesce(new.conclusion,'')"),
    "posts": (2, "''", "new.body"),
    "documents": (3, "new.title", "coalesce(new.text,'')"),
}
PG_FTS = {
    "plans": "name || ' ' || coalesce(programme,'') || ' ' || coalesce(area,'') || ' ' || id || ' ' || owner",
    "threads": "title || ' ' || coalesce(conclusion,'')",
    "posts": "body",
    "documents": "title || ' ' || coalesce(text,'')",
}


def upgrade() -> None:
    bind = op.get_bind()
    metadata.create_all(bind, tables=list(TABLES))
    if bind.dialect.name == "sqlite":
        op.execute("CREATE VIRTUAL TABLE search_fts USING fts5(title, body, tokenize='unicode61 remove_diacritics 2')")
        for table, (offset, title, body) in SQLITE_FTS.items():
            row = f"(new.pk * 4 + {offset}, {title}, {body})"
            old = f"old.pk * 4 + {offset}"
            op.execute(
                f"CREATE TRIGGER {table}_fts_insert AFTER INSERT ON {table} BEGIN "
                f"INSERT INTO search_fts(rowid, title, body) VALUES {row}; END"
            )
            op.execute(
                f"CREATE TRIGGER {table}_fts_update AFTER UPDATE ON {table} BEGIN "
                f"DELETE FROM search_fts WHERE rowid = {old}; "
                f"INSERT INTO search_fts(rowid, title, body) VALUES {row}; END"
            )
            op.execute(
                f"CREATE TRIGGER {table}_fts_delete AFTER DELETE ON {table} BEGIN "
                f"DELETE FROM search_fts WHERE rowid = {old}; END"
            )
        title, body = SQLITE_FTS["plans"][1:]
        op.execute(
            "INSERT INTO search_fts(rowid, title, body) SELECT pk * 4, "
            + title.replace("new.", "")
            + ", "
            + body.replace("new.", "")
            + " FROM plans"
        )
    elif bind.dialect.name == "postgresql":
        for table, expr in PG_FTS.items():
            op.execute(f"CREATE INDEX ix_{table}_fts ON {table} USING gin (to_tsvector('dutch'::regconfig, {expr}))")


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for table in SQLITE_FTS:
            for what in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_fts_{what}")
        op.execute("DROP TABLE IF EXISTS search_fts")
    elif bind.dialect.name == "postgresql":
        for table in PG_FTS:
            op.execute(f"DROP INDEX IF EXISTS ix_{table}_fts")
    for table in reversed(TABLES):
        op.drop_table(table.name)
