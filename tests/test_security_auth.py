"""Authentication and writes: tokens (hashed, expiry, revocation, 401), roles for
writes, login sessions (cookie flags, CSRF, rate limits, logout), argon2
password hashes, If-Match (428/412) and parallel updates of one plan (exactly
one wins per version), on SQLite and PostGIS."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from openruimte.api import Settings, create_app
from openruimte.cli import app as cli
from openruimte.store import security
from openruimte.store import tables as t
from tests.factories import X0, Y0
from tests.support.auth import ensure_org, token_headers

PASSWORD = "een lang wachtwoord 42"


def feature(owner="gemeente-x", pid="p1", **props):
    base = {"id": pid, "name": "Riool Kerkstraat", "owner": owner, "phase": "ontwerp", "asset_types": ["gemengd_riool"]}
    base.update(props)
    return {
        "type": "Feature",
        "properties": base,
        "geometry": {"type": "LineString", "coordinates": [[X0, Y0], [X0 + 80, Y0]]},
    }


@pytest.fixture
def app(store):
    ensure_org(store, "gemeente-x")
    ensure_org(store, "telecom-y")
    return create_app(Settings(), store=store)


def error(resp, status, code):
    assert resp.status_code == status, resp.text
    body = resp.json()["error"]
    assert body["code"] == code and body["status"] == status and body["message"]
    return body


# --------------------------------------------------------------------------- tokens


def test_tokens_are_stored_hashed_and_expire_and_revoke(store, app):
    token, token_id = security.create_token(store, "gemeente-x", "editor", expires_days=1, label="ci", actor="test")
    with store.engine.connect() as conn:
        row = conn.execute(sa.select(t.api_tokens)).one()
        everything = " ".join(str(v) for v in row)
        audit = " ".join(str(r) for r in conn.execute(sa.select(t.audit_log)).all())
    assert token not in everything and token not in audit and row.token_hash == security.sha256(token)
    client = TestClient(app)
    r = client.get("/api/plans", headers={"Authorization": f"Bearer {token}"})
    assert r.headers["cache-control"] == "private, no-cache" and "Authorization" in r.headers["vary"]
    assert "HTTPBearer" in client.get("/openapi.json").json()["components"]["securitySchemes"]
    ok = client.get("/api/session", headers={"Authorization": f"Bearer {token}"}).json()
    assert ok["org"] == "gemeente-x" and ok["role"] == "editor" and ok["auth"] == "token"
    for header in ("Bearer nope", "Basic abc", "Bearer", f"Token {token}"):
        r = client.get("/api/plans", headers={"Authorization": header})
        error(r, 401, "invalid_token")
        assert r.headers["www-authenticate"].startswith("Bearer")
    # expired: move the expiry into the past
    with store.engine.begin() as conn:
        conn.execute(sa.update(t.api_tokens).values(expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)))
    error(client.get("/api/plans", headers={"Authorization": f"Bearer {token}"}), 401, "invalid_token")
    assert security.tokens(store)[0]["state"] == "expired"
    fresh, fresh_id = security.create_token(store, "gemeente-x", "viewer", expires_days=None, label=None, actor="t")
    assert client.get("/api/plans", headers={"Authorization": f"Bearer {fresh}"}).status_code == 200
    security.revoke_token(store, fresh_id, actor="test")
    error(client.get("/api/plans", headers={"Authorization": f"Bearer {fresh}"}), 401, "invalid_token")
    assert [t_["state"] for t_ in security.tokens(store)] == ["expired", "revoked"]
    assert security.tokens(store)[1]["last_used_at"] is not None
    actions = [(a["table_name"], a["action"]) for a in store.audit(table="api_tokens")]
    assert actions == [("api_tokens", "revoke"), ("api_tokens", "insert"), ("api_tokens", "insert")]


def test_cli_prints_the_token_once_and_it_works(store, app, db_url):
    runner = CliRunner()
    r = runner.invoke(
        cli, ["token", "create", "--org", "telecom-y", "--role", "admin", "--expires", "30", "--db", db_url]
    )
    assert r.exit_code == 0, r.output
    token = r.output.strip().splitlines()[-1]
    assert token.startswith("ort_")
    listing = runner.invoke(cli, ["token", "list", "--db", db_url])
    assert token not in listing.output and token[:6] in listing.output
    assert TestClient(app).get("/api/session", headers={"Authorization": f"Bearer {token}"}).json()["role"] == "admin"
    made = runner.invoke(
        cli,
        ["user", "add", "x@gemeente-x.nl", "--org", "gemeente-x", "--password-stdin", "--db", db_url],
        input=PASSWORD,
    )
    assert made.exit_code == 0, made.output
    changed = runner.invoke(
        cli, ["user", "password", "x@gemeente-x.nl", "--password-stdin", "--db", db_url], input=PASSWORD + "!"
    )
    assert changed.exit_code == 0, changed.output
    with pytest.raises(security.LoginRefused):
        security.login(store, "x@gemeente-x.nl", PASSWORD, "127.0.0.1")
    assert security.login(store, "x@gemeente-x.nl", PASSWORD + "!", "127.0.0.1")[1].principal.role == "viewer"
    bad = runner.invoke(
        cli, ["user", "add", "x@y.nl", "--org", "nope", "--password-stdin", "--db", db_url], input=PASSWORD
    )
    assert bad.exit_code == 1 and "no organisation 'nope'" in bad.output


# --------------------------------------------------------------------------- roles for writes


def test_writes_need_editor_or_admin_of_the_owner(store, app):
    client = TestClient(app)
    error(client.post("/api/plans?crs=EPSG:28992", json=feature()), 401, "unauthenticated")
    for role, org, status in (
        ("viewer", "gemeente-x", 403),
        ("coordinator", "gemeente-x", 403),
        ("editor", "telecom-y", 403),
        ("admin", "telecom-y", 403),
        ("editor", "gemeente-x", 201),
    ):
        r = client.post("/api/plans?crs=EPSG:28992", json=feature(), headers=token_headers(store, org, role))
        assert r.status_code == status, (role, org, r.text)
    admin = token_headers(store, "gemeente-x", "admin")
    other = token_headers(store, "telecom-y", "editor")
    # a visible plan of another party: 403; an invisible one (private): 404, as if it did not exist
    public = feature(pid="p2", visibility="public")
    assert client.post("/api/plans?crs=EPSG:28992", json=public, headers=admin).status_code == 201
    r = client.put("/api/plans/gemeente-x/p2?crs=EPSG:28992", json=public, headers={**other, "If-Match": '"1"'})
    error(r, 403, "forbidden")
    error(client.delete("/api/plans/gemeente-x/p1", headers={**other, "If-Match": '"1"'}), 404, "not_found")
    assert client.delete("/api/plans/gemeente-x/p2", headers={**admin, "If-Match": '"1"'}).status_code == 204
    assert store.audit(table="plans", key="gemeente-x:p2")[0]["actor"].startswith("token:")


def test_if_match_is_required_and_checked(store, app):
    client = TestClient(app, headers=token_headers(store, "gemeente-x", "editor"))
    assert client.post("/api/plans?crs=EPSG:28992", json=feature()).status_code == 201
    body = error(client.put("/api/plans/gemeente-x/p1?crs=EPSG:28992", json=feature()), 428, "precondition_required")
    assert body["details"] == [{"current_version": 1}]
    error(
        client.patch("/api/plans/gemeente-x/p1", json={"type": "Feature", "properties": {}}),
        428,
        "precondition_required",
    )
    error(client.delete("/api/plans/gemeente-x/p1"), 428, "precondition_required")
    r = client.put("/api/plans/gemeente-x/p1?crs=EPSG:28992", json=feature(), headers={"If-Match": '"7"'})
    assert error(r, 412, "stale_version")["details"] == [{"current_version": 1}] and r.headers["etag"] == '"1"'
    error(
        client.put("/api/plans/gemeente-x/p1?crs=EPSG:28992", json=feature(), headers={"If-Match": "*"}),
        412,
        "stale_version",
    )
    r = client.put("/api/plans/gemeente-x/p1?crs=EPSG:28992", json=feature(), headers={"If-Match": 'W/"1"'})
    assert r.status_code == 200 and r.headers["etag"] == '"2"'


def test_parallel_updates_exactly_one_wins_per_version(store, app):
    editor = token_headers(store, "gemeente-x", "editor")
    TestClient(app, headers=editor).post("/api/plans?crs=EPSG:28992", json=feature())
    for version in (1, 2, 3):
        results: list[tuple[int, str]] = []
        barrier = threading.Barrier(6)

        def put(n: int, version: int, barrier: threading.Barrier, results: list[tuple[int, str]]) -> None:
            client = TestClient(app, headers={**editor, "If-Match": f'"{version}"'})
            barrier.wait()
            r = client.put("/api/plans/gemeente-x/p1?crs=EPSG:28992", json=feature(name=f"versie {version} door {n}"))
            results.append((r.status_code, r.text))

        threads = [threading.Thread(target=put, args=(n, version, barrier, results)) for n in range(6)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        codes = sorted(code for code, _ in results)
        assert codes == [200] + [412] * 5, results
        winner = next(text for code, text in results if code == 200)
        plan, meta = store.plan_row("gemeente-x", "p1")
        assert meta.version == version + 1 and plan.name in winner
    updates = [a for a in store.audit(table="plans", key="gemeente-x:p1") if a["action"] == "update"]
    assert [a["version"] for a in updates] == [4, 3, 2]  # one logged update per version, none lost


# --------------------------------------------------------------------------- logins, sessions, CSRF


@pytest.fixture
def user(store):
    security.add_user(store, "Jan@Gemeente-X.nl", "gemeente-x", "editor", PASSWORD, actor="test")
    return "jan@gemeente-x.nl"


def login(client, email, password, **headers):
    return client.post(
        "/login", data={"email": email, "password": password, "next": "/"}, headers=headers, follow_redirects=False
    )


def test_passwords_are_argon2id_hashes(store, app, user):
    with store.engine.connect() as conn:
        stored = conn.execute(sa.select(t.users.c.password_hash)).scalar_one()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    assert security.verify_password(stored, PASSWORD) and not security.verify_password(stored, PASSWORD + "!")
    with pytest.raises(security.AccountError, match="at least 12"):
        security.add_user(store, "kort@gemeente-x.nl", "gemeente-x", "viewer", "kort", actor="test")


def test_login_session_cookie_csrf_and_logout(store, app, user):
    client = TestClient(app, base_url="https://openruimte.test")
    assert client.get("/", follow_redirects=False).headers["location"] == "/login?next=/"
    page = client.get("/login")
    assert page.status_code == 200 and 'name="password"' in page.text and "cdn" not in page.text.lower()
    r = login(client, user, PASSWORD)
    assert r.status_code == 303 and r.headers["location"] == "/"
    cookies = r.headers.get_list("set-cookie")
    session = next(c for c in cookies if c.startswith("openruimte_session="))
    csrf_cookie = next(c for c in cookies if c.startswith("openruimte_csrf="))
    assert "HttpOnly" in session and "SameSite=strict" in session and "Secure" in session
    assert "HttpOnly" not in csrf_cookie
    with store.engine.connect() as conn:
        assert client.cookies["openruimte_session"] not in str(conn.execute(sa.select(t.sessions)).all())
    assert client.get("/").status_code == 200
    me = client.get("/api/session").json()
    assert me == {
        "authenticated": True,
        "org": "gemeente-x",
        "role": "editor",
        "at_table": True,
        "auth": "session",
        "user": user,
    }
    # unsafe requests with the cookie need the CSRF token (and an Origin of this server, if any)
    error(client.post("/api/plans?crs=EPSG:28992", json=feature()), 403, "csrf_failed")
    error(
        client.post("/api/plans?crs=EPSG:28992", json=feature(), headers={"X-CSRF-Token": "guess"}), 403, "csrf_failed"
    )
    csrf = client.cookies["openruimte_csrf"]
    evil = {"X-CSRF-Token": csrf, "Origin": "https://evil.example"}
    error(client.post("/api/plans?crs=EPSG:28992", json=feature(), headers=evil), 403, "csrf_failed")
    good = {"X-CSRF-Token": csrf, "Origin": "https://openruimte.test"}
    assert client.post("/api/plans?crs=EPSG:28992", json=feature(), headers=good).status_code == 201
    assert store.audit(table="plans", key="gemeente-x:p1")[0]["actor"] == f"user:{user}"
    # logout: a form post with the token; the session is gone from the database
    assert client.post("/logout", data={"csrf_token": "wrong"}).status_code == 403
    r = client.post("/logout", data={"csrf_token": csrf}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login"
    with store.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(t.sessions)).scalar_one() == 0
    assert client.get("/api/session").json()["authenticated"] is False


def test_login_refuses_other_origins_and_open_redirects(store, app, user):
    client = TestClient(app)
    assert login(client, user, PASSWORD, Origin="https://evil.example").status_code == 403
    r = client.post(
        "/login", data={"email": user, "password": PASSWORD, "next": "//evil.example/x"}, follow_redirects=False
    )
    assert r.status_code == 303 and r.headers["location"] == "/"


def _age_attempts(store, seconds):
    """Move every login attempt ``seconds`` into the past (time passes)."""
    with store.engine.begin() as conn:
        for row in conn.execute(sa.select(t.login_attempts.c.pk, t.login_attempts.c.at)).all():
            at = row.at if row.at.tzinfo else row.at.replace(tzinfo=dt.UTC)
            conn.execute(
                sa.update(t.login_attempts)
                .where(t.login_attempts.c.pk == row.pk)
                .values(at=at - dt.timedelta(seconds=seconds))
            )


def _just_now(store):
    """Every failed attempt as if it happened this moment (argon2 under load can take longer than a delay)."""
    with store.engine.begin() as conn:
        conn.execute(sa.update(t.login_attempts).values(at=dt.datetime.now(dt.UTC)))


def test_login_is_throttled_per_account_and_per_address_without_lockout(store, app, user):
    attacker = TestClient(app)
    for _ in range(security.MAX_FAILURES_PER_ACCOUNT):
        r = login(attacker, user, "verkeerd wachtwoord")
        assert r.status_code == 401 and "Onbekend e-mailadres of verkeerd wachtwoord" in r.text
    # past the free failures each attempt waits a doubling delay; inside it, refused unchecked
    _just_now(store)
    r = login(attacker, user, "verkeerd wachtwoord")
    assert r.status_code == 429 and "Te veel mislukte pogingen" in r.text
    assert 1 <= int(r.headers["retry-after"]) <= security.MAX_DELAY_ACCOUNT
    # the owner on a new device: refused while the delay runs, in after it (never locked out)
    owner = TestClient(app)
    _just_now(store)
    assert login(owner, user, PASSWORD).status_code == 429
    _age_attempts(store, security.MAX_DELAY_ACCOUNT)
    assert login(owner, user, PASSWORD).status_code == 303
    # unknown accounts from one address: after the per-address limit, slowed down too
    for n in range(security.MAX_FAILURES_PER_IP - security.MAX_FAILURES_PER_ACCOUNT):
        assert login(attacker, f"onbekend{n}@x.nl", "x" * 12).status_code == 401
    _just_now(store)
    assert login(attacker, "nog-een@x.nl", "x" * 12).status_code == 429
    # the window passes: the failures age out
    _age_attempts(store, 3600)
    assert login(attacker, "nog-een@x.nl", "x" * 12).status_code == 401


def test_the_delay_doubles_up_to_its_cap():
    free, cap = security.MAX_FAILURES_PER_ACCOUNT, security.MAX_DELAY_ACCOUNT
    delays = [security.throttle_delay(n, free, cap) for n in range(free + 10)]
    assert delays[:free] == [0.0] * free
    assert delays[free : free + 4] == [1.0, 2.0, 4.0, 8.0]
    assert max(delays) == cap and delays == sorted(delays)


def test_a_known_device_is_spared_the_delay_and_a_burst_is_audited_and_notified(store, app, user):
    security.add_user(store, "beheer@gemeente-x.nl", "gemeente-x", "admin", PASSWORD, actor="test")
    owner = TestClient(app)
    r = login(owner, user, PASSWORD)
    device = next(c for c in r.headers.get_list("set-cookie") if c.startswith("openruimte_device="))
    assert "HttpOnly" in device and "Path=/login" in device
    attacker = TestClient(app)
    for _ in range(security.MAX_FAILURES_PER_ACCOUNT + 1):
        login(attacker, user, "verkeerd wachtwoord")
    _just_now(store)
    assert login(attacker, user, PASSWORD).status_code == 429  # a new device waits
    assert login(owner, user, PASSWORD).status_code == 303  # the owner's browser does not
    # a forged device cookie is no device cookie
    forged = TestClient(app)
    forged.cookies.set("openruimte_device", "abc.def", path="/login")
    _just_now(store)
    assert login(forged, user, PASSWORD).status_code == 429
    # the burst: one audit entry and one notification, for the organisation's admins only
    throttles = [e for e in store.audit(table="login_attempts") if e["action"] == "throttle"]
    assert len(throttles) == 1 and throttles[0]["record_key"] == f"account:{user}"
    admin = token_headers(store, "gemeente-x", "admin")
    editor = token_headers(store, "gemeente-x", "editor")
    client = TestClient(app)
    seen = client.get("/api/notifications", headers=admin).json()["notifications"]
    assert [n["change"] for n in seen] == [["login.throttled"]] and user in seen[0]["message"]
    assert client.get("/api/notifications", headers=editor).json()["notifications"] == []


def test_only_the_coordinator_runs_the_analysis(store, app):
    client = TestClient(app)
    error(client.post("/api/analysis/plans"), 401, "unauthenticated")
    error(client.post("/api/analysis/plans", headers=token_headers(store, "gemeente-x", "admin")), 403, "forbidden")
    r = client.post("/api/analysis/plans", headers=token_headers(store, "gemeente-x", "coordinator"))
    assert r.status_code == 200 and r.json()["created_at"]
    assert store.latest_analysis("plans")["actor"].startswith("token:")


def test_the_one_write_path_checks_the_principal(store):
    """Writes are checked where they happen (Writer), not only in the routers."""
    from openruimte.model.access import Forbidden, Principal, Role
    from tests.factories import plan

    editor_x = Principal(org="gemeente-x", role=Role.EDITOR, actor="test")
    viewer_x = Principal(org="gemeente-x", role=Role.VIEWER, actor="test")
    editor_y = Principal(org="telecom-y", role=Role.EDITOR, actor="test")
    mine = plan(id="p1", owner="gemeente-x")
    for who in (viewer_x, editor_y):
        with pytest.raises(Forbidden, match="only editors and admins of gemeente-x"):
            with store.writer("test", principal=who) as w:
                w.upsert("plans", [mine])
    assert store.plans() == []  # nothing written
    with store.writer("test", principal=editor_x) as w:
        w.upsert("plans", [mine])
    with pytest.raises(Forbidden):
        with store.writer("test", principal=editor_y) as w:
            w.delete_plan("gemeente-x", "p1", 1)
    with pytest.raises(Forbidden):
        with store.writer("test", principal=editor_y) as w:
            w.delete("plans", ("gemeente-x", "p1"))
    assert [p.key for p in store.plans()] == ["gemeente-x:p1"]
