"""Accounts: organisations at the programming table, users (argon2id password
hashes), API tokens (stored as SHA-256 hashes, with expiry and revocation),
login sessions and login rate limits.

Every change is written through :class:`openruimte.store.repository.Writer`
and so lands in the audit log in the same transaction. Secrets (passwords,
tokens, session cookies) are never stored or logged in the clear.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import hmac
import math
import re
import secrets as pysecrets
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from openruimte.model import Organisation
from openruimte.model.access import UNDISCLOSED, Principal, Role
from openruimte.model.errors import OpenRuimteError
from openruimte.store import tables as t
from openruimte.store.notifications import insert_notifications

TOKEN_PREFIX = "ort_"  # noqa: S105 - a marker that makes leaked tokens easy to find, not a secret
SESSION_HOURS = 8
#: failed logins within the window before further attempts are refused
MAX_FAILURES_PER_ACCOUNT = 5
MAX_FAILURES_PER_IP = 20
#: failures through one device cookie before it no longer exempts from the delays
MAX_FAILURES_PER_DEVICE = 5
#: the longest delay, in seconds, between attempts on one account / from one address
MAX_DELAY_ACCOUNT = 60
MAX_DELAY_IP = 300
FAILURE_WINDOW = dt.timedelta(minutes=15)
MIN_PASSWORD = 12
_hasher = PasswordHasher()  # argon2id, the library's (RFC 9106) defaults
_DUMMY_HASH = _hasher.hash("timing equaliser: never a real password")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class AccountError(OpenRuimteError):
    code = "account_error"
    status = 400


class LoginRefused(OpenRuimteError):
    code = "login_failed"
    status = 401


class TooManyAttempts(OpenRuimteError):
    code = "too_many_attempts"
    status = 429

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    """SQLite gives naive datetimes back (stored as UTC)."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(hashed: str, password: str) -> bool:
    try:
        return _hasher.verify(hashed, password)
    except (VerificationError, InvalidHashError):
        return False


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"a password needs at least {MIN_PASSWORD} characters")


# --------------------------------------------------------------------------- server secrets


def secret(store: Any, name: str) -> str:
    """A random server secret, made once per database and kept in it."""
    cached = getattr(store, "_secrets", None)
    if cached is None:
        cached = store._secrets = {}
    if name in cached:
        return cached[name]
    s = t.server_secrets
    with store.engine.connect() as conn:
        value = conn.execute(sa.select(s.c.value).where(s.c.name == name)).scalar()
    if value is None:
        try:
            with store.engine.begin() as conn:
                conn.execute(sa.insert(s), {"name": name, "value": pysecrets.token_hex(32)})
        except sa.exc.IntegrityError:
            pass  # another process made it first: use theirs
        with store.engine.connect() as conn:
            value = conn.execute(sa.select(s.c.value).where(s.c.name == name)).scalar_one()
    cached[name] = value
    return value


# --------------------------------------------------------------------------- organisations


def add_org(store: Any, code: str, name: str, kind: str, *, at_table: bool, actor: str) -> Organisation:
    """Register (or update) an organisation and whether it sits at the programming table."""
    if code == UNDISCLOSED:
        raise AccountError(f"'{UNDISCLOSED}' is reserved for undisclosed parties; choose another code")
    org = Organisation.from_record({"code": code, "name": name, "kind": kind})
    with store.writer(actor) as w:
        w.upsert_organisations([org])
        o = t.organisations
        old = w.conn.execute(sa.select(o.c.at_table).where(o.c.code == code)).scalar()
        if bool(old) != at_table:
            w.conn.execute(sa.update(o).where(o.c.code == code).values(at_table=at_table))
            w.audit("update", "organisations", code, {"at_table": bool(old)}, {"at_table": at_table})
    return org


def set_at_table(store: Any, codes: list[str], at_table: bool, *, actor: str) -> None:
    with store.writer(actor) as w:
        o = t.organisations
        for code in codes:
            w.conn.execute(sa.update(o).where(o.c.code == code).values(at_table=at_table))
            w.audit("update", "organisations", code, None, {"at_table": at_table})


def organisations(store: Any) -> list[dict[str, Any]]:
    with store.engine.connect() as conn:
        rows = conn.execute(sa.select(t.organisations).order_by(t.organisations.c.code)).all()
    return [{"code": r.code, "name": r.name, "kind": r.kind, "at_table": bool(r.at_table)} for r in rows]


def at_table(store: Any, code: str) -> bool:
    o = t.organisations
    with store.engine.connect() as conn:
        return bool(conn.execute(sa.select(o.c.at_table).where(o.c.code == code)).scalar())


def _require_org(conn: sa.Connection, code: str) -> None:
    if conn.execute(sa.select(t.organisations.c.code).where(t.organisations.c.code == code)).first() is None:
        raise AccountError(f"no organisation '{code}'; add it first with `openruimte org add {code} --name ...`")


# --------------------------------------------------------------------------- users


def add_user(store: Any, email: str, org: str, role: Role | str, password: str, *, actor: str) -> int:
    email = email.strip().lower()
    if not _EMAIL.match(email):
        raise AccountError(f"'{email}' is not an e-mail address")
    role = Role(role)
    check_password(password)
    with store.writer(actor) as w:
        _require_org(w.conn, org)
        u = t.users
        if w.conn.execute(sa.select(u.c.pk).where(u.c.email == email)).first() is not None:
            raise AccountError(f"user {email} exists")
        pk = w.conn.execute(
            sa.insert(u).returning(u.c.pk),
            {
                "email": email,
                "org": org,
                "role": str(role),
                "password_hash": hash_password(password),
                "created_at": w.now,
            },
        ).scalar_one()
        w.audit("insert", "users", email, None, {"org": org, "role": str(role)})
    return int(pk)


def set_password(store: Any, email: str, password: str, *, actor: str) -> None:
    """A new password for an existing user; their open sessions end."""
    check_password(password)
    email = email.strip().lower()
    with store.writer(actor) as w:
        u = t.users
        pk = w.conn.execute(sa.select(u.c.pk).where(u.c.email == email)).scalar()
        if pk is None:
            raise AccountError(f"no user {email}")
        w.conn.execute(sa.update(u).where(u.c.pk == pk).values(password_hash=hash_password(password)))
        w.conn.execute(sa.delete(t.sessions).where(t.sessions.c.user_pk == pk))
        w.audit("update", "users", email, None, {"password": "changed"})


def user_exists(store: Any, email: str) -> bool:
    with store.engine.connect() as conn:
        return conn.execute(sa.select(t.users.c.pk).where(t.users.c.email == email.strip().lower())).first() is not None


def users(store: Any) -> list[dict[str, Any]]:
    u = t.users
    with store.engine.connect() as conn:
        rows = conn.execute(sa.select(u).order_by(u.c.org, u.c.email)).all()
    return [
        {"email": r.email, "org": r.org, "role": r.role, "disabled": bool(r.disabled), "last_login_at": r.last_login_at}
        for r in rows
    ]


# --------------------------------------------------------------------------- API tokens


def create_token(
    store: Any, org: str, role: Role | str, *, expires_days: int | None, label: str | None, actor: str
) -> tuple[str, int]:
    """A new token (returned once, never stored) and its id."""
    role = Role(role)
    if expires_days is not None and expires_days < 1:
        raise AccountError("--expires must be at least 1 day")
    token = TOKEN_PREFIX + pysecrets.token_urlsafe(32)
    with store.writer(actor) as w:
        _require_org(w.conn, org)
        a = t.api_tokens
        expires = w.now + dt.timedelta(days=expires_days) if expires_days else None
        pk = w.conn.execute(
            sa.insert(a).returning(a.c.pk),
            {
                "token_hash": sha256(token),
                "prefix": token[:10],
                "org": org,
                "role": str(role),
                "label": label,
                "created_at": w.now,
                "expires_at": expires,
            },
        ).scalar_one()
        w.audit(
            "insert",
            "api_tokens",
            str(pk),
            None,
            {"org": org, "role": str(role), "expires_at": expires, "label": label},
        )
    return token, int(pk)


def tokens(store: Any) -> list[dict[str, Any]]:
    a = t.api_tokens
    with store.engine.connect() as conn:
        rows = conn.execute(sa.select(a).order_by(a.c.pk)).all()
    out = []
    for r in rows:
        expires = _aware(r.expires_at)
        state = "revoked" if r.revoked_at else "expired" if expires and expires <= now() else "active"
        out.append(
            {
                "id": r.pk,
                "prefix": r.prefix,
                "org": r.org,
                "role": r.role,
                "label": r.label,
                "created_at": _aware(r.created_at),
                "expires_at": expires,
                "last_used_at": _aware(r.last_used_at),
                "state": state,
            }
        )
    return out


def revoke_token(store: Any, token_id: int, *, actor: str) -> None:
    a = t.api_tokens
    with store.writer(actor) as w:
        row = w.conn.execute(sa.select(a).where(a.c.pk == token_id)).first()
        if row is None:
            raise AccountError(f"no token {token_id}; `openruimte token list` shows the ids")
        if row.revoked_at is None:
            w.conn.execute(sa.update(a).where(a.c.pk == token_id).values(revoked_at=w.now))
            w.audit("revoke", "api_tokens", str(token_id), None, {"revoked_at": w.now})


def token_principal(store: Any, token: str) -> Principal | None:
    """The principal of a valid token; None for an unknown, revoked or expired one."""
    a = t.api_tokens
    moment = now()
    with store.engine.connect() as conn:
        row = conn.execute(sa.select(a).where(a.c.token_hash == sha256(token))).first()
    if row is None or row.revoked_at is not None:
        return None
    expires = _aware(row.expires_at)
    if expires is not None and expires <= moment:
        return None
    last = _aware(row.last_used_at)
    if last is None or moment - last > dt.timedelta(minutes=1):  # at most one write a minute per token
        with store.engine.begin() as conn:
            conn.execute(sa.update(a).where(a.c.pk == row.pk).values(last_used_at=moment))
    return Principal(
        org=row.org, role=Role(row.role), actor=f"token:{row.pk}", at_table=at_table(store, row.org), auth="token"
    )


# --------------------------------------------------------------------------- sessions and logins


@dataclass(frozen=True)
class Session:
    principal: Principal
    csrf: str
    email: str
    expires_at: dt.datetime
    #: the device cookie to keep (or set) in this browser
    device: str | None = None


def throttle_delay(failures: int, free: int, cap: float) -> float:
    """Seconds to wait after the latest failure: none for the first ``free``
    failures, then 1, 2, 4 ... seconds, never more than ``cap``."""
    if failures < free:
        return 0.0
    return float(min(cap, 2 ** (failures - free)))


def device_token(store: Any, email: str) -> str:
    """A device cookie value (OWASP "device cookies"): proof that this browser
    logged in as ``email`` before. It is signed, not stored."""
    nonce = pysecrets.token_urlsafe(12)
    return f"{nonce}.{_device_mac(store, email, nonce)}"


def _device_mac(store: Any, email: str, nonce: str) -> str:
    return hmac.new(secret(store, "device").encode(), f"{email}\n{nonce}".encode(), hashlib.sha256).hexdigest()[:32]


def _device_nonce(store: Any, email: str, token: str | None) -> str | None:
    """The nonce of a valid device cookie for ``email``, else None."""
    nonce, _, mac = (token or "").partition(".")
    if not nonce or len(token or "") > 200:
        return None
    return nonce if hmac.compare_digest(mac, _device_mac(store, email, nonce)) else None


def login(store: Any, email: str, password: str, ip: str, device: str | None = None) -> tuple[str, Session]:
    """Check a password and open a session; returns the cookie value (never stored) and the session.

    Throttling without lockout (OWASP "Blocking Brute Force Attacks", README
    "Security model"): failures are counted per account and per address over
    :data:`FAILURE_WINDOW`. Past :data:`MAX_FAILURES_PER_ACCOUNT` (or
    :data:`MAX_FAILURES_PER_IP`) each further attempt must wait a delay that
    doubles with every failure up to :data:`MAX_DELAY_ACCOUNT` seconds
    (:data:`MAX_DELAY_IP`); an attempt inside the delay is refused before the
    password is checked (429 with ``retry_after``) and does not count. The
    owner is never locked out: from a browser that logged in before (a valid
    device cookie with fewer than :data:`MAX_FAILURES_PER_DEVICE` failures) the
    account and address delays do not apply, and from any other browser the
    right password works once the delay (at most a minute) has passed. The
    attempt that starts throttling is written to the audit log and notified
    to the organisation's admins."""
    email = (email or "").strip().lower()[:320]
    moment = now()
    la = t.login_attempts
    since = moment - FAILURE_WINDOW
    nonce = _device_nonce(store, email, device)
    with store.engine.connect() as conn:

        def failures(column: Any, value: str) -> tuple[int, dt.datetime | None]:
            query = sa.select(sa.func.count(), sa.func.max(la.c.at)).where(
                column == value, la.c.at >= since, la.c.success == sa.false()
            )
            count, latest = conn.execute(query).one()
            return int(count), _aware(latest)

        trusted = nonce is not None and failures(la.c.device, nonce)[0] < MAX_FAILURES_PER_DEVICE
        if not trusted:
            waits = []
            for (count, latest), free, cap in (
                (failures(la.c.email, email), MAX_FAILURES_PER_ACCOUNT, MAX_DELAY_ACCOUNT),
                (failures(la.c.ip, ip), MAX_FAILURES_PER_IP, MAX_DELAY_IP),
            ):
                if latest is not None:
                    waits.append(latest + dt.timedelta(seconds=throttle_delay(count, free, cap)) - moment)
            wait = max((w.total_seconds() for w in waits), default=0.0)
            if wait > 0:
                raise TooManyAttempts(
                    f"te veel mislukte pogingen; probeer het over {math.ceil(wait)} seconden opnieuw / "
                    f"too many failed attempts; try again in {math.ceil(wait)} seconds",
                    retry_after=math.ceil(wait),
                )
        user = conn.execute(sa.select(t.users).where(t.users.c.email == email)).first()
    # the hash is checked also for unknown users, so the answer takes as long either way
    ok = verify_password(user.password_hash if user is not None else _DUMMY_HASH, password or "")
    ok = ok and user is not None and not user.disabled
    with store.writer(f"login:{ip}") as w:
        w.conn.execute(sa.insert(la), {"at": moment, "ip": ip, "email": email, "success": ok, "device": nonce})
        if not ok:
            _note_burst(w, email, ip, user.org if user is not None else None, moment)
    if not ok:  # the failed attempt is committed first: it counts
        raise LoginRefused("onbekend e-mailadres of verkeerd wachtwoord / unknown e-mail address or wrong password")
    with store.engine.begin() as conn:
        cookie = pysecrets.token_urlsafe(32)
        csrf = pysecrets.token_urlsafe(32)
        expires = moment + dt.timedelta(hours=SESSION_HOURS)
        conn.execute(
            sa.insert(t.sessions),
            {
                "session_hash": sha256(cookie),
                "user_pk": user.pk,
                "csrf_token": csrf,
                "created_at": moment,
                "expires_at": expires,
                "ip": ip,
            },
        )
        conn.execute(sa.update(t.users).where(t.users.c.pk == user.pk).values(last_login_at=moment))
        conn.execute(sa.delete(t.sessions).where(t.sessions.c.expires_at < moment))
        conn.execute(sa.delete(la).where(la.c.at < moment - dt.timedelta(days=30)))  # kept a month for review
    found = _session(store, user, csrf, expires)
    return cookie, dataclasses.replace(found, device=device if nonce is not None else device_token(store, email))


def _note_burst(w: Any, email: str, ip: str, org: str | None, moment: dt.datetime) -> None:
    """The failure that starts throttling an account or an address: an audit
    entry, and a notification to the account's organisation (its admins read
    the organisation's feed)."""
    la = t.login_attempts
    since = moment - FAILURE_WINDOW
    for column, value, limit, what in (
        (la.c.email, email, MAX_FAILURES_PER_ACCOUNT, "account"),
        (la.c.ip, ip, MAX_FAILURES_PER_IP, "address"),
    ):
        count = w.conn.execute(
            sa.select(sa.func.count()).where(column == value, la.c.at >= since, la.c.success == sa.false())
        ).scalar_one()
        if count != limit:
            continue
        after = {"email": email, "ip": ip, "failures": int(count), "window_minutes": FAILURE_WINDOW.seconds // 60}
        w.audit("throttle", "login_attempts", f"{what}:{value}", after=after)
        if org is not None:
            message = (
                f"{count} mislukte inlogpogingen op {email} (adres {ip}) binnen "
                f"{FAILURE_WINDOW.seconds // 60} minuten; inloggen wordt vertraagd / "
                f"{count} failed logins for {email} (address {ip}) within "
                f"{FAILURE_WINDOW.seconds // 60} minutes; logins are slowed down"
            )
            add_security_notification(w.conn, org, "login.throttled", after, message, moment)


def add_security_notification(
    conn: sa.Connection, org: str, change: str, details: dict[str, Any], message: str, moment: dt.datetime
) -> int:
    """A notification for the admins of ``org`` (audience ``admin``: other members
    do not see it in the feed), queued for the organisation's webhooks too."""
    row = {
        "recipient": org,
        "plan_key": None,
        "change": change,
        "before": None,
        "after": details,
        "related": [],
        "disclosed": True,
        "area": None,
        "quarter": None,
        "message": message,
        "created_at": moment,
        "read": False,
        "audience": Role.ADMIN.value,
    }
    return insert_notifications(conn, [row], moment)[0]


def _session(store: Any, user: Any, csrf: str, expires: dt.datetime) -> Session:
    principal = Principal(
        org=user.org,
        role=Role(user.role),
        actor=f"user:{user.email}",
        at_table=at_table(store, user.org),
        auth="session",
    )
    return Session(principal=principal, csrf=csrf, email=user.email, expires_at=expires)


def session(store: Any, cookie: str) -> Session | None:
    """The session of a cookie value, None when unknown or expired (or its user disabled)."""
    s, u = t.sessions, t.users
    with store.engine.connect() as conn:
        row = conn.execute(
            sa.select(s.c.csrf_token, s.c.expires_at, u)
            .join(u, u.c.pk == s.c.user_pk)
            .where(s.c.session_hash == sha256(cookie))
        ).first()
    if row is None or row.disabled:
        return None
    expires = _aware(row.expires_at)
    if expires is None or expires <= now():
        return None
    return _session(store, row, row.csrf_token, expires)


def logout(store: Any, cookie: str) -> None:
    with store.engine.begin() as conn:
        conn.execute(sa.delete(t.sessions).where(t.sessions.c.session_hash == sha256(cookie)))
