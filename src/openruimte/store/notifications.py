"""The SQL of change notifications and their webhooks: written inside the
writing transaction (``notify`` computes who to tell, through a store hook),
read page by page, and the webhook deliveries queued, claimed and logged."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

import numpy as np
import shapely
import sqlalchemy as sa

from openruimte.model import Plan
from openruimte.store import tables as t
from openruimte.store.mappers import MAPPERS
from openruimte.store.repository import Store, Writer

MAX_PAGE = 1000


def notifications(
    store: Store, org: str, *, since: int = 0, limit: int = 100, admin: bool = False
) -> list[dict[str, Any]]:
    """The notifications of ``org`` newer than the key ``since``, oldest first; those
    meant for the organisation's admins only when ``admin``."""
    n = t.notifications
    audience = [n.c.audience.is_(None)] if not admin else []
    query = (
        sa.select(n)
        .where(n.c.recipient == org, n.c.pk > since, *audience)
        .order_by(n.c.pk)
        .limit(max(1, min(limit, MAX_PAGE)))
    )
    with store.engine.connect() as conn:
        return [as_dict(r) for r in conn.execute(query)]


def as_dict(row: Any) -> dict[str, Any]:
    return {
        "id": row.pk,
        "recipient": row.recipient,
        "plan_key": row.plan_key,
        "change": row.change.split(","),
        "before": row.before,
        "after": row.after,
        "related": list(row.related or []),
        "disclosed": bool(row.disclosed),
        "area": row.area,
        "quarter": row.quarter,
        "message": row.message,
        "created_at": _utc(row.created_at).isoformat(),
        "read": bool(row.read),
        "audience": row.audience,
    }


def _utc(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def mark_read(store: Store, org: str, ids: list[int]) -> int:
    """Mark notifications of ``org`` read; returns how many were found."""
    n = t.notifications
    with store.engine.begin() as conn:
        result = conn.execute(sa.update(n).where(n.c.recipient == org, n.c.pk.in_(ids)).values(read=True))
    return int(result.rowcount or 0)


# -- written inside the writing transaction -----------------------------------------------------

#: above this many changed plans, candidates are read with one box around all of them
PER_PLAN_QUERIES = 100


def at_table_orgs(conn: sa.Connection) -> set[str]:
    """The organisations that sit at the programming table."""
    return {r.code for r in conn.execute(sa.select(t.organisations.c.code).where(t.organisations.c.at_table))}


def area_names(conn: sa.Connection, codes: set[str | None]) -> dict[str, str]:
    wanted = sorted(c for c in codes if c)
    if not wanted:
        return {}
    out = {}
    for i in range(0, len(wanted), 500):
        query = sa.select(t.areas.c.code, t.areas.c.name).where(t.areas.c.code.in_(wanted[i : i + 500]))
        out.update({code: name for code, name in conn.execute(query)})
    return out


def nearby_plans(conn: sa.Connection, spatial: Any, geoms: list[Any], reach: float) -> list[Plan]:
    """Current plans whose boxes come within ``reach`` of any of ``geoms``."""
    bounds = shapely.bounds(np.array(geoms, dtype=object))
    boxes = [(b[0] - reach, b[1] - reach, b[2] + reach, b[3] + reach) for b in bounds]
    if len(boxes) > PER_PLAN_QUERIES:
        arr = np.array(boxes)
        boxes = [(arr[:, 0].min(), arr[:, 1].min(), arr[:, 2].max(), arr[:, 3].max())]
    mapper = MAPPERS["plans"]
    seen: dict[int, Plan] = {}
    for box in boxes:
        for row in conn.execute(sa.select(t.plans).where(spatial.bbox_filter(t.plans, box))):
            if row.pk not in seen:
                seen[row.pk] = mapper.from_row(row)
    return list(seen.values())


def insert_notifications(conn: sa.Connection, rows: list[dict[str, Any]], now: dt.datetime) -> list[int]:
    """Write notification rows and queue a delivery per active webhook of each recipient."""
    if not rows:
        return []
    pks = [
        r[0]
        for r in conn.execute(
            sa.insert(t.notifications).returning(t.notifications.c.pk, sort_by_parameter_order=True), rows
        )
    ]
    _queue_deliveries(conn, list(zip(pks, [r["recipient"] for r in rows], strict=True)), now)
    return pks


def _queue_deliveries(conn: sa.Connection, notes: list[tuple[int, str]], now: dt.datetime) -> None:
    recipients = sorted({r for _, r in notes})
    hooks: dict[str, list[int]] = defaultdict(list)
    for i in range(0, len(recipients), 500):
        query = sa.select(t.webhooks.c.pk, t.webhooks.c.org).where(
            t.webhooks.c.org.in_(recipients[i : i + 500]), t.webhooks.c.active.is_(True)
        )
        for pk, org in conn.execute(query):
            hooks[org].append(pk)
    deliveries = [
        {
            "webhook_pk": hook,
            "notification_pk": pk,
            "status": "pending",
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
        }
        for pk, recipient in notes
        for hook in hooks.get(recipient, ())
    ]
    if deliveries:
        conn.execute(sa.insert(t.webhook_deliveries), deliveries)


# -- webhooks -----------------------------------------------------------------------------------


def insert_webhook(w: Writer, org: str, url: str, secret: str) -> int | None:
    """Register a webhook of ``org`` (audited); None when the organisation is unknown."""
    known = w.conn.execute(sa.select(t.organisations.c.code).where(t.organisations.c.code == org)).first()
    if known is None:
        return None
    pk = w.conn.execute(
        sa.insert(t.webhooks).returning(t.webhooks.c.pk),
        {"org": org, "url": url, "secret": secret, "active": True, "created_at": w.now},
    ).scalar_one()
    w.audit("insert", "webhooks", str(pk), after={"org": org, "url": url})
    return int(pk)


def webhooks(store: Store, org: str | None = None) -> list[dict[str, Any]]:
    query = sa.select(t.webhooks.c.pk, t.webhooks.c.org, t.webhooks.c.url, t.webhooks.c.active).order_by(
        t.webhooks.c.pk
    )
    if org:
        query = query.where(t.webhooks.c.org == org)
    with store.engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(query)]


def due_deliveries(store: Store, now: dt.datetime, limit: int) -> list[tuple[int, int]]:
    """``(delivery key, attempts so far)`` of the pending deliveries due at ``now``, oldest due first."""
    d = t.webhook_deliveries
    with store.engine.connect() as conn:
        due = conn.execute(
            sa.select(d.c.pk, d.c.attempts)
            .where(d.c.status == "pending", d.c.next_attempt_at <= now)
            .order_by(d.c.next_attempt_at, d.c.pk)
            .limit(limit)
        ).all()
    return [(pk, attempts) for pk, attempts in due]


def claim_delivery(store: Store, pk: int, attempts: int, now: dt.datetime, lease: dt.datetime) -> bool:
    """Claim a due delivery until ``lease``: another worker that read the same row loses this update."""
    d = t.webhook_deliveries
    with store.engine.begin() as conn:
        claimed = conn.execute(
            sa.update(d)
            .where(d.c.pk == pk, d.c.status == "pending", d.c.attempts == attempts)
            .where(d.c.next_attempt_at <= now)
            .values(next_attempt_at=lease)
        ).rowcount
    return bool(claimed)


def delivery_target(store: Store, pk: int) -> tuple[Any, dict[str, Any]]:
    """The webhook row and the notification (as a dict) of delivery ``pk``."""
    d, w, n = t.webhook_deliveries, t.webhooks, t.notifications
    with store.engine.connect() as conn:
        hook = conn.execute(sa.select(w).join(d, d.c.webhook_pk == w.c.pk).where(d.c.pk == pk)).one()
        note = conn.execute(sa.select(n).join(d, d.c.notification_pk == n.c.pk).where(d.c.pk == pk)).one()
    return hook, as_dict(note)


def record_attempt(store: Store, pk: int, attempt: dict[str, Any], values: dict[str, Any]) -> None:
    """Log one attempt of delivery ``pk`` and update the delivery with ``values``."""
    d = t.webhook_deliveries
    with store.engine.begin() as conn:
        conn.execute(sa.insert(t.webhook_attempts), {"delivery_pk": pk, **attempt})
        conn.execute(sa.update(d).where(d.c.pk == pk).values(**values))


def deliveries(store: Store, org: str | None = None) -> list[dict[str, Any]]:
    """Deliveries with their attempts (newest first)."""
    d, w, a = t.webhook_deliveries, t.webhooks, t.webhook_attempts
    query = sa.select(d, w.c.org, w.c.url).join(w, d.c.webhook_pk == w.c.pk).order_by(d.c.pk.desc())
    if org:
        query = query.where(w.c.org == org)
    with store.engine.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(query)]
        for row in rows:
            query = sa.select(a).where(a.c.delivery_pk == row["pk"]).order_by(a.c.pk)
            row["attempt_log"] = [dict(x._mapping) for x in conn.execute(query)]
    return rows
