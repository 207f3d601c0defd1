"""Reading the notifications of one organisation, page by page."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

from openruimte.store import Store
from openruimte.store import tables as t

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
