"""Webhooks: notifications POSTed as signed JSON, retried with backoff.

The body is JSON; ``X-OpenRuimte-Signature: sha256=<hex>`` is the HMAC-SHA256
of the raw body under the webhook's secret. The body carries ``timestamp``
(Unix seconds, also sent as ``X-OpenRuimte-Timestamp``) and the delivery ``id``
(``X-OpenRuimte-Delivery``): a receiver checks the signature, that the header
equals the signed timestamp and that it is recent, and ignores ids it has seen
(replays). Deliveries are queued in the transaction that writes the
notification; :func:`deliver_due` sends what is due, one attempt per row in
``webhook_attempts``, and retries failures with exponential backoff and jitter.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import ipaddress
import json
import random
import secrets
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from openruimte.model import OpenRuimteError
from openruimte.store import Store
from openruimte.store.notifications import (
    claim_delivery,
    delivery_target,
    due_deliveries,
    insert_webhook,
    record_attempt,
)

SIGNATURE_HEADER = "X-OpenRuimte-Signature"
TIMESTAMP_HEADER = "X-OpenRuimte-Timestamp"
DELIVERY_HEADER = "X-OpenRuimte-Delivery"
#: a receiver refuses bodies older (or newer) than this
TOLERANCE_S = 300


class WebhookError(OpenRuimteError):
    code = "invalid_webhook"
    status = 422


@dataclass(frozen=True)
class Policy:
    """How deliveries are retried (settings ``webhook_*`` of the server)."""

    max_attempts: int = 6
    backoff_s: float = 30.0
    timeout_s: float = 10.0
    #: a claimed delivery is not picked up by another worker for this long
    lease_s: float = 120.0


def check_url(url: str, *, allow_insecure: bool = False) -> str:
    """``https://`` anywhere, ``http://`` only to the loopback interface
    (unless ``allow_insecure``); anything else is refused."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise WebhookError(f"webhook URL '{url}' must be an http(s) URL with a host")
    if parts.username or parts.password:
        raise WebhookError(f"webhook URL '{url}' must not contain credentials; use --secret-file for signing")
    if parts.scheme == "http" and not allow_insecure and not _loopback(parts.hostname):
        raise WebhookError(
            f"webhook URL '{url}' is plain http to another machine; use https "
            "(or set OPENRUIMTE_WEBHOOK_ALLOW_INSECURE=true for a trusted network)"
        )
    return url


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def add_webhook(
    store: Store, org: str, url: str, *, secret: str | None = None, allow_insecure: bool = False, actor: str = "cli"
) -> tuple[int, str]:
    """Register a webhook of ``org``; returns its key and the secret (generated when not given)."""
    check_url(url, allow_insecure=allow_insecure)
    secret = secret or secrets.token_urlsafe(32)
    if len(secret) < 16:
        raise WebhookError("the webhook secret must have at least 16 characters")
    with store.writer(actor) as w:
        pk = insert_webhook(w, org, url, secret)
        if pk is None:
            raise WebhookError(f"unknown organisation '{org}'; register it first (it appears when it imports plans)")
    return pk, secret


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify(secret: str, body: bytes, signature: str, timestamp: str, *, now: float | None = None) -> bool:
    """What a receiver does: the signature matches, the header's timestamp is the
    signed one and it is within :data:`TOLERANCE_S` of now."""
    if not hmac.compare_digest(sign(secret, body), signature or ""):
        return False
    try:
        signed = json.loads(body)["timestamp"]
        ts = int(timestamp)
    except (ValueError, KeyError, TypeError):
        return False
    now = time.time() if now is None else now
    return signed == ts and abs(now - ts) <= TOLERANCE_S


def body_of(delivery_pk: int, notification: dict[str, Any], timestamp: int) -> bytes:
    kind = "thread.mention" if "mention" in notification.get("change", []) else "plan.changed"  # collab: mentions
    payload = {"id": delivery_pk, "timestamp": timestamp, "type": kind, "notification": notification}
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:  # a redirect is a failed attempt
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def _post(url: str, body: bytes, headers: dict[str, str], timeout: float) -> tuple[int | None, str | None]:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310 - checked scheme
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            return int(response.status), None
    except urllib.error.HTTPError as err:
        return int(err.code), f"HTTP {err.code}"
    except (urllib.error.URLError, OSError, ValueError) as err:
        return None, str(getattr(err, "reason", err))[:2000]


@dataclass
class DeliveryRun:
    sent: int = 0
    delivered: int = 0
    retrying: int = 0
    failed: int = 0


def backoff(policy: Policy, attempts: int, rng: random.Random | None = None) -> float:
    """Seconds before attempt ``attempts + 1``: base * 2^(attempts-1), with ±50 % jitter."""
    rng = rng or random.Random()  # noqa: S311 - jitter, not cryptography
    return policy.backoff_s * (2 ** (attempts - 1)) * rng.uniform(0.5, 1.5)


def deliver_due(store: Store, policy: Policy | None = None, *, limit: int = 100) -> DeliveryRun:
    """Send the deliveries that are due (one attempt each) and record every attempt."""
    policy = policy or Policy()
    run = DeliveryRun()
    now = dt.datetime.now(dt.UTC)
    for pk, attempts in due_deliveries(store, now, limit):
        # claim it: another worker that read the same row loses this update
        lease = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=policy.lease_s)
        if not claim_delivery(store, pk, attempts, now, lease):
            continue
        hook, note = delivery_target(store, pk)
        stamp = int(time.time())
        body = body_of(pk, note, stamp)
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "OpenRuimte-Webhook/1",
            SIGNATURE_HEADER: sign(hook.secret, body),
            TIMESTAMP_HEADER: str(stamp),
            DELIVERY_HEADER: str(pk),
        }
        started = time.perf_counter()
        status, error = _post(hook.url, body, headers, policy.timeout_s)
        took = (time.perf_counter() - started) * 1000
        ok = status is not None and 200 <= status < 300
        attempt = attempts + 1
        at = dt.datetime.now(dt.UTC)
        run.sent += 1
        values: dict[str, Any] = {"attempts": attempt}
        if ok:
            values.update(status="delivered", delivered_at=at)
            run.delivered += 1
        elif attempt >= policy.max_attempts:
            values.update(status="failed")
            run.failed += 1
        else:
            values.update(next_attempt_at=at + dt.timedelta(seconds=backoff(policy, attempt)))
            run.retrying += 1
        record_attempt(
            store,
            pk,
            {"attempt": attempt, "at": at, "status_code": status, "error": error, "duration_ms": took},
            values,
        )
    return run
