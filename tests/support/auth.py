"""Credentials for tests: organisations, API tokens and the principals they stand for."""

from __future__ import annotations

from openruimte.model.access import Principal, Role
from openruimte.store import security
from openruimte.store.permissions import View

DEMO_MUNICIPALITY = "gemeente-voorbeeldstad"


def ensure_org(store, code: str, *, at_table: bool = True, kind: str = "overig") -> None:
    known = {o["code"]: o for o in security.organisations(store)}
    if code not in known or known[code]["at_table"] != at_table:
        name = known[code]["name"] if code in known else code
        security.add_org(store, code, name, known.get(code, {}).get("kind", kind), at_table=at_table, actor="test")


def token_headers(store, org: str, role: str = "viewer", *, at_table: bool = True) -> dict[str, str]:
    """An Authorization header for a new token of ``role`` at ``org`` (made at the table unless told)."""
    ensure_org(store, org, at_table=at_table)
    token, _ = security.create_token(store, org, role, expires_days=None, label="test", actor="test")
    return {"Authorization": f"Bearer {token}"}


def principal(org: str | None, role: str | None = "viewer", *, at_table: bool = True) -> Principal:
    if org is None:
        return Principal()
    return Principal(org=org, role=Role(role), actor="test", at_table=at_table, auth="token")


def coordinator_view(store) -> View:
    """What the demo's coordinator sees (the tests of the UI, REST and OGC run as them)."""
    return View(store, principal(DEMO_MUNICIPALITY, "coordinator"))
