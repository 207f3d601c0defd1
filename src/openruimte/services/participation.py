"""Residents' reactions on published plans (participation): place, report, moderate, export, delete.

Rules (README "Participation"):

- a resident reacts only on a plan the public map shows (public, at or past the
  configured phase and hardness), as an anonymous visitor: no account, no cookie;
- a reaction is visible to the public only after the plan's owner (its editors
  and admins) or the coordinator approves it; reports by others hide an approved
  reaction once they reach ``report_threshold`` until a moderator reviews it;
- abuse is limited per IP address (``rate_per_hour`` reactions and reports) and by a
  honeypot field, not by tracking: the address is kept only as an HMAC with a
  per-database secret and the day, and erased after a day;
- the e-mail address is shown only to the plan's moderators (to answer), never in a
  public answer or an export, and erased after ``retention_days``; the resident gets
  a receipt code to read (export) or delete their reaction at any time;
- every write appends to the audit log in the same transaction, without the text or
  any personal data (the log is kept for good; personal data is not).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any

import pyproj
import sqlalchemy as sa

from openruimte.collab.reactions import MAX_REASON, ReactionRefused, Status, after_report, check_draft
from openruimte.model import Hardness, Phase
from openruimte.model.access import ANONYMOUS, Forbidden, Principal
from openruimte.model.errors import OpenRuimteError
from openruimte.services.twin import NotFound, is_published
from openruimte.store import security
from openruimte.store import tables as t
from openruimte.store.permissions import View

#: IP hashes are kept this long (for the rate limits only)
IP_HASH_HOURS = 24


class RateLimited(OpenRuimteError):
    code = "rate_limited"
    status = 429


@dataclass(frozen=True)
class Rules:
    """The participation settings (OPENRUIMTE_REACTION_*)."""

    retention_days: int = 365
    report_threshold: int = 3
    rate_per_hour: int = 5
    min_phase: Phase = Phase.ONTWERP
    min_hardness: Hardness = Hardness.VOORGENOMEN

    @classmethod
    def from_env(cls, **override: Any) -> Rules:
        """From the one settings object (:mod:`openruimte.settings`, the ``OPENRUIMTE_*`` variables)."""
        from openruimte.settings import Settings

        settings = Settings()
        values: dict[str, Any] = {
            "retention_days": settings.reaction_retention_days,
            "report_threshold": settings.reaction_report_threshold,
            "rate_per_hour": settings.reaction_rate_per_hour,
            "min_phase": settings.public_min_phase,
            "min_hardness": settings.public_min_hardness,
        }
        values.update({k: v for k, v in override.items() if v is not None})
        return cls(**values)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _ip_hash(store: Any, ip: str | None, now: dt.datetime) -> str | None:
    if not ip:
        return None
    key = security.secret(store, "reaction-ip")
    return hmac.new(key.encode(), f"{now.date().isoformat()}|{ip}".encode(), hashlib.sha256).hexdigest()


def _receipt_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _published_plan(store: Any, owner: str, plan_id: str, rules: Rules) -> Any:
    found = View(store, ANONYMOUS).plan_row(owner, plan_id)
    if found is None or not is_published(found[0], rules.min_phase, rules.min_hardness):
        raise NotFound(f"geen gepubliceerd plan {owner}:{plan_id} / no published plan {owner}:{plan_id}")
    return found[0]


def _utc(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


# --------------------------------------------------------------------------- residents


def create(store: Any, owner: str, plan_id: str, body: dict[str, Any], ip: str | None, rules: Rules) -> dict[str, Any]:
    """Place a reaction (pending until approved); returns its id and the resident's receipt code."""
    plan = _published_plan(store, owner, plan_id, rules)
    draft = check_draft(body, plan.geometry)
    now = _now()
    purge(store, rules, now=now)
    iph = _ip_hash(store, ip, now)
    r = t.reactions
    token = secrets.token_urlsafe(18)
    with store.writer("anonymous") as w:
        if iph is not None:
            recent = w.conn.execute(
                sa.select(sa.func.count())
                .select_from(r)
                .where(r.c.ip_hash == iph, r.c.created_at >= now - dt.timedelta(hours=1))
            ).scalar_one()
            if recent >= rules.rate_per_hour:
                raise RateLimited(
                    f"te veel reacties vanaf dit adres; probeer het over een uur opnieuw / "
                    f"more than {rules.rate_per_hour} reactions from this address in an hour; try again later"
                )
        pk = w.conn.execute(
            sa.insert(r).returning(r.c.pk),
            {
                "plan_owner": owner,
                "plan_id": plan_id,
                "text": draft.text,
                "geometry": draft.point,
                "email": draft.email,
                "ip_hash": iph,
                "receipt_hash": _receipt_hash(token),
                "status": str(Status.PENDING),
                "reports": 0,
                "created_at": now,
            },
        ).scalar_one()
        w.audit(
            "insert",
            "reactions",
            f"{owner}:{plan_id}#{pk}",
            None,
            {"status": "pending", "email": draft.email is not None},
        )
    return {"id": int(pk), "status": "pending", "receipt": token}


def public_list(store: Any, owner: str, plan_id: str, rules: Rules) -> list[dict[str, Any]]:
    """The approved reactions of a published plan, as residents see them (no e-mail, no moderation data)."""
    _published_plan(store, owner, plan_id, rules)
    r = t.reactions
    with store.engine.connect() as conn:
        rows = conn.execute(
            sa.select(r.c.pk, r.c.text, r.c.geometry, r.c.created_at)
            .where(r.c.plan_owner == owner, r.c.plan_id == plan_id, r.c.status == str(Status.APPROVED))
            .order_by(r.c.created_at)
        ).all()
    return [
        {"id": row.pk, "text": row.text, "created_at": _utc(row.created_at).isoformat(), **_point(row.geometry)}
        for row in rows
    ]


def _point(geom: Any) -> dict[str, Any]:
    if geom is None:
        return {"point": None, "lonlat": None}
    lon, lat = pyproj.Transformer.from_crs(28992, 4326, always_xy=True).transform(geom.x, geom.y)
    return {"point": [round(geom.x, 2), round(geom.y, 2)], "lonlat": [round(lon, 7), round(lat, 7)]}


def report(store: Any, reaction_id: int, reason: str | None, ip: str | None, rules: Rules) -> dict[str, Any]:
    """A resident reports an approved reaction; at the threshold it is hidden until reviewed."""
    now = _now()
    iph = _ip_hash(store, ip, now)
    r, rep = t.reactions, t.reaction_reports
    with store.writer("anonymous") as w:
        row = w.conn.execute(sa.select(r).where(r.c.pk == reaction_id)).first()
        if row is None or row.status != str(Status.APPROVED):
            raise NotFound(f"geen zichtbare reactie {reaction_id} / no visible reaction {reaction_id}")
        _published_plan(store, row.plan_owner, row.plan_id, rules)
        if iph is not None:
            if w.conn.execute(
                sa.select(rep.c.pk).where(rep.c.reaction_pk == reaction_id, rep.c.ip_hash == iph)
            ).first():
                return {"id": reaction_id, "status": row.status, "reported": True}
            recent = w.conn.execute(
                sa.select(sa.func.count())
                .select_from(rep)
                .where(rep.c.ip_hash == iph, rep.c.created_at >= now - dt.timedelta(hours=1))
            ).scalar_one()
            if recent >= rules.rate_per_hour:
                raise RateLimited(
                    f"more than {rules.rate_per_hour} reports from this address in an hour; try again later"
                )
        w.conn.execute(
            sa.insert(rep),
            {
                "reaction_pk": reaction_id,
                "reason": (reason or "")[:MAX_REASON] or None,
                "ip_hash": iph,
                "created_at": now,
            },
        )
        reports = row.reports + 1
        status = after_report(Status(row.status), reports, rules.report_threshold)
        w.conn.execute(sa.update(r).where(r.c.pk == reaction_id).values(reports=reports, status=str(status)))
        w.audit(
            "report",
            "reactions",
            f"{row.plan_owner}:{row.plan_id}#{reaction_id}",
            {"status": row.status, "reports": row.reports},
            {"status": str(status), "reports": reports},
        )
    return {"id": reaction_id, "status": "reported", "reported": True}


def receipt(store: Any, token: str) -> dict[str, Any]:
    """Everything kept about the reaction of this receipt (the resident's export)."""
    r = t.reactions
    with store.engine.connect() as conn:
        row = conn.execute(sa.select(r).where(r.c.receipt_hash == _receipt_hash(token))).first()
    if row is None:
        raise NotFound("geen reactie bij deze code / no reaction with this receipt code")
    return _full(row, with_email=True)


def delete_by_receipt(store: Any, token: str) -> dict[str, Any]:
    """Delete the reaction of this receipt (and its reports), on the resident's request."""
    r = t.reactions
    with store.writer("anonymous") as w:
        row = w.conn.execute(sa.select(r).where(r.c.receipt_hash == _receipt_hash(token))).first()
        if row is None:
            raise NotFound("geen reactie bij deze code / no reaction with this receipt code")
        w.conn.execute(sa.delete(t.reaction_reports).where(t.reaction_reports.c.reaction_pk == row.pk))
        w.conn.execute(sa.delete(r).where(r.c.pk == row.pk))
        w.audit(
            "delete",
            "reactions",
            f"{row.plan_owner}:{row.plan_id}#{row.pk}",
            {"status": row.status},
            {"reason": "request of the resident"},
        )
    return {"id": row.pk, "deleted": True}


def _full(row: Any, *, with_email: bool) -> dict[str, Any]:
    out = {
        "id": row.pk,
        "plan": f"{row.plan_owner}:{row.plan_id}",
        "text": row.text,
        "status": row.status,
        "reports": row.reports,
        "created_at": _utc(row.created_at).isoformat(),
        "reviewed_at": _utc(row.reviewed_at).isoformat() if row.reviewed_at else None,
        **_point(row.geometry),
    }
    if with_email:
        out["email"] = row.email
    return out


# --------------------------------------------------------------------------- moderators


def _moderates(principal: Principal, owner: str) -> bool:
    return principal.system or principal.coordinator or principal.org == owner


def moderation_list(view: View, status: str | None = None) -> list[dict[str, Any]]:
    """Reactions on the plans the principal moderates (its own organisation's; the coordinator: all),
    with the e-mail address (to answer), newest first."""
    p = view.principal
    if p.anonymous:
        raise Forbidden("log in to moderate reactions")
    r = t.reactions
    query = sa.select(r).order_by(r.c.pk.desc())
    if not (p.system or p.coordinator):
        query = query.where(r.c.plan_owner == p.org)
    if status:
        query = query.where(r.c.status == str(Status(status)))
    with view.store.engine.connect() as conn:
        rows = conn.execute(query).all()
    return [_full(row, with_email=True) for row in rows]


def review(store: Any, principal: Principal, reaction_id: int, decision: str) -> dict[str, Any]:
    """Approve or reject a reaction: editors and admins of the plan's owner, or the coordinator."""
    status = {"approve": Status.APPROVED, "reject": Status.REJECTED}.get(decision)
    if status is None:
        raise ReactionRefused(f"decision '{decision}': expected approve or reject")
    r = t.reactions
    with store.writer(principal.actor) as w:
        row = w.conn.execute(sa.select(r).where(r.c.pk == reaction_id)).first()
        if row is None or not (_moderates(principal, row.plan_owner)):
            raise NotFound(f"no reaction {reaction_id} that you moderate")
        if not (principal.system or principal.coordinator or principal.may_write(row.plan_owner)):
            raise Forbidden("editors and admins of the plan's owner, or the coordinator, review reactions")
        values = {"status": str(status), "reviewed_at": w.now, "reviewed_by": principal.actor}
        if status is Status.APPROVED:
            values["reports"] = 0  # a reviewed reaction starts again; the reports stay in the table
        w.conn.execute(sa.update(r).where(r.c.pk == reaction_id).values(**values))
        w.audit(
            "review",
            "reactions",
            f"{row.plan_owner}:{row.plan_id}#{reaction_id}",
            {"status": row.status},
            {"status": str(status)},
        )
    return {"id": reaction_id, "status": str(status)}


def counts(view: View) -> dict[str, dict[str, int]]:
    """Reactions per plan and status, for the plans the principal sees unmasked (the programming map)."""
    keys = {p.key for p in view.plans()}
    r = t.reactions
    with view.store.engine.connect() as conn:
        rows = conn.execute(
            sa.select(r.c.plan_owner, r.c.plan_id, r.c.status, sa.func.count()).group_by(
                r.c.plan_owner, r.c.plan_id, r.c.status
            )
        ).all()
    out: dict[str, dict[str, int]] = {}
    for owner, plan_id, status, n in rows:
        key = f"{owner}:{plan_id}"
        if key in keys:
            out.setdefault(key, {})[status] = int(n)
    return out


# --------------------------------------------------------------------------- retention


def purge(store: Any, rules: Rules, *, now: dt.datetime | None = None, actor: str = "system") -> dict[str, int]:
    """Erase personal data past its time: e-mail addresses after ``retention_days``, IP hashes after a day."""
    now = now or _now()
    r, rep = t.reactions, t.reaction_reports
    mail_before = now - dt.timedelta(days=rules.retention_days)
    ip_before = now - dt.timedelta(hours=IP_HASH_HOURS)
    with store.writer(actor) as w:
        mails = w.conn.execute(
            sa.update(r).where(r.c.email.is_not(None), r.c.created_at < mail_before).values(email=None)
        ).rowcount
        ips = w.conn.execute(
            sa.update(r).where(r.c.ip_hash.is_not(None), r.c.created_at < ip_before).values(ip_hash=None)
        ).rowcount
        ips += w.conn.execute(
            sa.update(rep).where(rep.c.ip_hash.is_not(None), rep.c.created_at < ip_before).values(ip_hash=None)
        ).rowcount
        if mails or ips:
            w.audit("purge", "reactions", "personal-data", None, {"emails": mails, "ip_hashes": ips})
    return {"emails": mails, "ip_hashes": ips}


def export_by_email(store: Any, email: str) -> list[dict[str, Any]]:
    """Every reaction that still holds this e-mail address (a request by the resident, run by the administrator)."""
    r = t.reactions
    with store.engine.connect() as conn:
        rows = conn.execute(
            sa.select(r).where(sa.func.lower(r.c.email) == email.strip().lower()).order_by(r.c.pk)
        ).all()
    return [_full(row, with_email=True) for row in rows]


def delete_by_email(store: Any, email: str, *, actor: str) -> int:
    """Delete every reaction that holds this e-mail address."""
    r = t.reactions
    with store.writer(actor) as w:
        rows = w.conn.execute(
            sa.select(r.c.pk, r.c.plan_owner, r.c.plan_id).where(sa.func.lower(r.c.email) == email.strip().lower())
        ).all()
        for row in rows:
            w.conn.execute(sa.delete(t.reaction_reports).where(t.reaction_reports.c.reaction_pk == row.pk))
            w.conn.execute(sa.delete(r).where(r.c.pk == row.pk))
            w.audit(
                "delete",
                "reactions",
                f"{row.plan_owner}:{row.plan_id}#{row.pk}",
                None,
                {"reason": "request of the resident"},
            )
    return len(rows)
