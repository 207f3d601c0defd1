"""Webhooks: signed, retried with backoff, every attempt recorded; only to loopback in tests."""

from __future__ import annotations

import dataclasses
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from typer.testing import CliRunner

from openruimte.notify.webhooks import (
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    Policy,
    WebhookError,
    add_webhook,
    backoff,
    check_url,
    deliver_due,
    verify,
)
from openruimte.store.notifications import deliveries
from tests.factories import plan
from tests.support.auth import token_headers
from tests.test_notifications import A, B, setup

SECRET = "s3cret-for-the-test-0123456789"


class Receiver:
    """A loopback HTTP server that fails the first ``failures`` requests, then accepts."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.received: list[tuple[dict[str, str], bytes]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers["Content-Length"]))
                outer.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
                status = 503 if len(outer.received) <= outer.failures else 204
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    r = Receiver(failures=2)
    yield r
    r.close()


def change_pa(store):
    current = {p.key: p for p in store.plans()}[f"{A}:pa"]
    with store.writer("test") as w:
        w.upsert("plans", [dataclasses.replace(current, end=plan(end="2027-12-31").end)])


def test_delivery_is_signed_and_retried_until_it_succeeds(store, receiver):
    setup(store)
    add_webhook(store, B, receiver.url, secret=SECRET)
    change_pa(store)
    policy = Policy(max_attempts=5, backoff_s=0.05)
    runs = []
    for _ in range(20):
        runs.append(deliver_due(store, policy))
        if runs[-1].delivered:
            break
        time.sleep(0.2)
    assert sum(r.sent for r in runs) == 3 and runs[-1].delivered == 1
    assert len(receiver.received) == 3
    for headers, body in receiver.received:
        assert verify(SECRET, body, headers[SIGNATURE_HEADER.lower()], headers[TIMESTAMP_HEADER.lower()])
        assert not verify(
            "another-secret-0123456789", body, headers[SIGNATURE_HEADER.lower()], headers[TIMESTAMP_HEADER.lower()]
        )
        payload = json.loads(body)
        assert payload["notification"]["plan_key"] == f"{A}:pa" and payload["notification"]["recipient"] == B
    headers, body = receiver.received[-1]
    tampered = body.replace(b"2027-12-31", b"2029-12-31")
    assert not verify(SECRET, tampered, headers[SIGNATURE_HEADER.lower()], headers[TIMESTAMP_HEADER.lower()])
    # a replay later than the tolerance is refused
    later = int(headers[TIMESTAMP_HEADER.lower()]) + 3600
    assert not verify(SECRET, body, headers[SIGNATURE_HEADER.lower()], headers[TIMESTAMP_HEADER.lower()], now=later)
    [d] = deliveries(store, B)
    assert d["status"] == "delivered" and d["attempts"] == 3
    assert [a["status_code"] for a in d["attempt_log"]] == [503, 503, 204]
    assert deliver_due(store, policy).sent == 0  # nothing left


def test_gives_up_after_the_last_attempt(store):
    r = Receiver(failures=100)
    try:
        setup(store)
        add_webhook(store, B, r.url, secret=SECRET)
        change_pa(store)
        policy = Policy(max_attempts=2, backoff_s=0.0)
        assert deliver_due(store, policy).retrying == 1
        assert deliver_due(store, policy).failed == 1
        assert deliver_due(store, policy).sent == 0
        [d] = deliveries(store, B)
        assert d["status"] == "failed" and len(d["attempt_log"]) == 2
    finally:
        r.close()


def test_an_unreachable_receiver_is_an_attempt_not_a_crash(store):
    setup(store)
    add_webhook(store, B, "http://127.0.0.1:9/closed", secret=SECRET)
    change_pa(store)
    assert deliver_due(store, Policy(max_attempts=3, backoff_s=60)).retrying == 1
    [d] = deliveries(store, B)
    assert d["attempt_log"][0]["status_code"] is None and d["attempt_log"][0]["error"]


def test_urls_are_https_or_loopback():
    assert check_url("https://hooks.example.nl/x")
    assert check_url("http://127.0.0.1:8080/x") and check_url("http://localhost/x") and check_url("http://[::1]/x")
    for bad in ("http://hooks.example.nl/x", "ftp://127.0.0.1/x", "file:///etc/passwd", "https://u:p@h.nl/", "x"):
        with pytest.raises(WebhookError):
            check_url(bad)
    assert check_url("http://10.0.0.5/x", allow_insecure=True)


def test_backoff_grows_exponentially_with_jitter():
    import random

    rng = random.Random(1)
    waits = [backoff(Policy(backoff_s=10), n, rng) for n in range(1, 6)]
    for n, w in enumerate(waits, start=1):
        assert 0.5 * 10 * 2 ** (n - 1) <= w <= 1.5 * 10 * 2 ** (n - 1)
    assert len({round(backoff(Policy(backoff_s=10), 1), 6) for _ in range(20)}) > 1


def test_cli_add_and_deliver(store, db_url, receiver, tmp_path):
    from openruimte.cli import app

    setup(store)
    secret = tmp_path / "secret"
    secret.write_text(SECRET + "\n")
    run = CliRunner()
    result = run.invoke(app, ["webhook", "add", "--org", B, receiver.url, "--db", db_url, "--secret-file", str(secret)])
    assert result.exit_code == 0, result.output
    result = run.invoke(app, ["webhook", "add", "--org", B, "http://example.org/x", "--db", db_url])
    assert result.exit_code == 1 and "https" in result.output
    change_pa(store)
    receiver.failures = 0
    result = run.invoke(app, ["webhook", "deliver", "--db", db_url])
    assert result.exit_code == 0 and "1 delivered" in result.output, result.output
    headers, body = receiver.received[0]
    assert verify(SECRET, body, headers[SIGNATURE_HEADER.lower()], headers[TIMESTAMP_HEADER.lower()])
    result = run.invoke(app, ["webhook", "list", "--db", db_url])
    assert result.exit_code == 0 and "127.0.0.1" in result.output and B in result.output


def test_the_server_delivers_in_the_background(store, receiver):
    from fastapi.testclient import TestClient

    from openruimte.api.app import create_app
    from openruimte.settings import Settings

    setup(store)
    add_webhook(store, B, receiver.url, secret=SECRET)
    reader_b = token_headers(store, B, "viewer")
    receiver.failures = 0
    settings = Settings(webhook_interval_s=0.1, webhook_backoff_s=0.05)
    with TestClient(create_app(settings, store)) as client:
        change_pa(store)
        for _ in range(50):
            if receiver.received:
                break
            time.sleep(0.1)
        feed = client.get("/api/notifications", headers=reader_b).json()
    assert receiver.received and feed["numberReturned"] == 1
