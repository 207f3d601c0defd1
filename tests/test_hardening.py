"""Hardening found by an outside test (issue #20): formula injection in text
exports, identifiers, oversized chunked bodies, login throttling without
lockout, proxy-aware client addresses."""

from __future__ import annotations

import csv

import pytest

from openruimte import io
from openruimte.io.csv_format import neutralise, restore
from tests.factories import plan

FORMULAS = ['=HYPERLINK("http://x")', "+1+1", "-2+3+cmd|' /C calc'!A0", "@SUM(A1)"]


@pytest.mark.parametrize("value", FORMULAS)
def test_csv_export_neutralises_formulas_and_reads_them_back(tmp_path, value):
    plans = [plan(id="p1", name=value, programme=value, contact="'" + value)]
    path = tmp_path / "plans.csv"
    io.write(path, "plans", plans)
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    for key in ("name", "programme"):
        assert rows[0][key] == "'" + value  # a spreadsheet shows it as text
    assert rows[0]["contact"] == "''" + value  # a quote of our own is kept apart from the user's
    back = io.read(path, "plans")
    assert back.errors == []
    assert back.items == plans  # lossless


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("plain", "plain"),
        ("'quoted", "'quoted"),
        ("a=b", "a=b"),
        ("=x", "'=x"),
        ("'=x", "''=x"),
        ("\tx", "'\tx"),
        ("\r=x", "'\r=x"),
        ("", ""),
    ],
)
def test_neutralise_is_undone_by_restore(value, written):
    assert neutralise(value) == written
    assert restore(written) == value


def test_numbers_are_not_quoted():
    assert neutralise(-5) == -5
    assert neutralise(-2.5) == -2.5


# --------------------------------------------------------------------------- bodies and identifiers

import socket  # noqa: E402

from fastapi.testclient import TestClient  # noqa: E402

from openruimte.api import Settings, create_app  # noqa: E402
from tests.support.auth import token_headers  # noqa: E402
from tests.support.server import live_server  # noqa: E402
from tests.test_api import feature  # noqa: E402


def _chunks(total: int, size: int = 1 << 20):
    sent = 0
    while sent < total:
        yield b"x" * size
        sent += size


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("/api/plans?crs=EPSG:28992", "application/json"),
        ("/api/notifications/read", "application/json"),
        ("/login", "application/x-www-form-urlencoded"),
    ],
)
def test_an_oversized_chunked_body_is_413(store, path, kind):
    app = create_app(Settings(webhook_worker=False, max_body_bytes=1_000_000), store)
    with TestClient(app, headers=token_headers(store, "gemeente-x", "editor")) as client:
        r = client.post(path, content=_chunks(5_000_000), headers={"content-type": kind})
    assert r.status_code == 413, r.text
    assert r.json()["error"]["code"] == "too_large"


def test_a_chunked_200_mb_body_over_a_real_connection_is_413(store):
    """Sent as a client would: Transfer-Encoding: chunked, no Content-Length."""
    with live_server(store, Settings(webhook_worker=False)) as base:
        host, port = base.removeprefix("http://").split(":")
        with socket.create_connection((host, int(port)), timeout=30) as sock:
            sock.sendall(
                f"POST /api/plans HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
                "Transfer-Encoding: chunked\r\n\r\n".encode()
            )
            chunk = b"%x\r\n" % (1 << 20) + b"x" * (1 << 20) + b"\r\n"
            try:
                for _ in range(200):
                    sock.sendall(chunk)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the server answered and closed before the end: as it should
            answer = b""
            while b"\r\n\r\n" not in answer:
                data = sock.recv(65536)
                if not data:
                    break
                answer += data
    assert answer.split(b"\r\n", 1)[0] in (b"HTTP/1.1 413 Request Entity Too Large", b"HTTP/1.1 413 Content Too Large")


@pytest.mark.parametrize("bad", ["a/b", "a:b", "tab\there"])
def test_ids_with_slash_colon_or_control_characters_are_422(store, bad):
    app = create_app(Settings(webhook_worker=False), store)
    with TestClient(app, headers=token_headers(store, "gemeente-x", "editor")) as client:
        r = client.post("/api/plans?crs=EPSG:28992", json=feature(id=bad))
    assert r.status_code == 422, r.text
    err = r.json()["error"]
    assert err["details"][0]["field"] == "id" and "an identifier may not contain" in err["message"]


def test_an_id_rule_message_names_the_position():
    from openruimte.model import Plan, RecordInvalid

    with pytest.raises(RecordInvalid, match=r"may not contain '/' \(at position 6 of 'riool/3'\)"):
        Plan.from_record({**plan().to_record(), "id": "riool/3"})


# --------------------------------------------------------------------------- proxies and CORS


def _fail_logins(base: str, n: int, forwarded_for) -> list[int]:
    import httpx

    codes = []
    for i in range(n):
        r = httpx.post(
            base + "/login",
            data={"email": f"x{i}@x.nl", "password": "x" * 12},
            headers={"X-Forwarded-For": forwarded_for(i)},
        )
        codes.append(r.status_code)
    return codes


def test_spoofed_forwarded_for_does_not_bypass_the_address_limit(store):
    from openruimte.store import security

    n = security.MAX_FAILURES_PER_IP
    with live_server(store, Settings(webhook_worker=False)) as base:  # no proxy named: headers ignored
        codes = _fail_logins(base, n + 5, lambda i: f"203.0.113.{i}")
    # every failure counted against the connection's own address, so the address is throttled
    assert codes[:n] == [401] * n and 429 in codes[n:]
    assert _recorded_addresses(store) == {"127.0.0.1"}


def test_a_named_proxy_passes_the_client_address(store):
    from openruimte.store import security

    n = security.MAX_FAILURES_PER_IP
    with live_server(store, Settings(webhook_worker=False, forwarded_allow_ips="127.0.0.1")) as base:
        codes = _fail_logins(base, n + 5, lambda i: f"203.0.113.{i}")  # every client its own address
        assert set(codes) == {401}
        same = _fail_logins(base, n + 5, lambda i: "198.51.100.7")  # one client behind the proxy
    assert 429 in same[n:]
    ips = _recorded_addresses(store)
    assert "127.0.0.1" not in ips and {"198.51.100.7", "203.0.113.0", "203.0.113.24"} <= ips


def _recorded_addresses(store) -> set[str]:
    import sqlalchemy as sa

    from openruimte.store import tables as t

    with store.engine.connect() as conn:
        return set(conn.execute(sa.select(t.login_attempts.c.ip)).scalars())


def test_cors_is_off_by_default_and_an_allow_list_when_set(store):
    origin = "https://kaart.gemeente.nl"
    with TestClient(create_app(Settings(webhook_worker=False), store)) as client:
        r = client.get("/ogc/collections", headers={"Origin": origin})
        assert r.status_code == 200 and "access-control-allow-origin" not in r.headers
    app = create_app(Settings(webhook_worker=False, cors_origins=origin), store)
    with TestClient(app) as client:
        r = client.get("/ogc/collections", headers={"Origin": origin})
        assert r.headers["access-control-allow-origin"] == origin
        assert "access-control-allow-credentials" not in r.headers
        pre = client.options(
            "/ogc/collections/plans/items",
            headers={"Origin": origin, "Access-Control-Request-Method": "GET"},
        )
        assert pre.status_code == 200 and pre.headers["access-control-allow-origin"] == origin
        other = client.get("/ogc/collections", headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in other.headers


# --------------------------------------------------------------------------- one CRS parser

WEIRD_CRS = ["¹", "EPSG:¹", "EPSG:٣٣", "urn:ogc:def:crs:EPSG::²⁸⁹⁹²", "x" * 5000, "EPSG:99999999999", "\x00"]


@pytest.mark.parametrize("value", WEIRD_CRS)
def test_a_malformed_crs_is_400_in_rest_and_ogc(store, value):
    with TestClient(create_app(Settings(webhook_worker=False), store)) as client:
        for path, param in [
            ("/api/plans", "crs"),
            ("/api/plans", "bbox-crs"),
            ("/ogc/collections/plans/items", "crs"),
            ("/ogc/collections/plans/items", "bbox-crs"),
        ]:
            params = {param: value}
            if param == "bbox-crs":
                params["bbox"] = "5,52,5.1,52.1"
            r = client.get(path, params=params)
            assert r.status_code == 400, (path, param, r.status_code, r.text)
            body = r.json()
            message = body["error"]["message"] if "error" in body else body["description"]
            assert "EPSG:28992" in message or "CRS84" in message, message


@pytest.mark.parametrize("value", ["¹", "EPSG:¹", "x" * 5000])
def test_a_malformed_crs_is_a_message_in_the_cli(tmp_path, value):
    from typer.testing import CliRunner

    from openruimte.cli import app as cli

    path = tmp_path / "plans.csv"
    io.write(path, "plans", [plan()])
    result = CliRunner().invoke(cli, ["import", "plans", str(path), "--crs", value, "--db", str(tmp_path / "x.db")])
    assert result.exit_code != 0 and result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output and "CRS" in result.output


@pytest.mark.parametrize("value", ["nan,1,2,3", "inf,0,1,1", "¹,0,1,1"])
def test_a_non_finite_bbox_is_400(store, value):
    with TestClient(create_app(Settings(webhook_worker=False), store)) as client:
        assert client.get("/api/plans", params={"bbox": value}).status_code == 400
        assert client.get("/ogc/collections/plans/items", params={"bbox": value}).status_code == 400
