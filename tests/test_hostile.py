"""Hostile and bad input at the API: limits give clear 4xx answers, SQL is bound."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from openruimte.api.app import create_app
from openruimte.settings import Settings
from tests.factories import X0, Y0
from tests.support.auth import token_headers
from tests.test_api import feature

SRC = Path(__file__).resolve().parents[1] / "src" / "openruimte"


@pytest.fixture
def client(store):
    """An editor of the test plans' owner (gemeente-x): writes reach validation."""
    with TestClient(create_app(Settings(webhook_worker=False, max_vertices=50, max_body_bytes=200_000), store)) as c:
        c.headers.update(token_headers(store, "gemeente-x", "editor"))
        yield c


def test_too_many_vertices_is_a_422_naming_the_field(client):
    body = feature()
    body["geometry"]["coordinates"] = [[X0 + i, Y0 + (i % 2)] for i in range(51)]
    r = client.post("/api/plans?crs=EPSG:28992", json=body)
    assert r.status_code == 422
    err = r.json()["error"]
    assert err["details"][0]["field"] == "geometry" and "limit of 50" in err["message"]
    body["geometry"]["coordinates"] = body["geometry"]["coordinates"][:50]
    assert client.post("/api/plans?crs=EPSG:28992", json=body).status_code == 201


def test_an_oversized_body_is_413_before_it_is_parsed(client):
    body = feature()
    body["geometry"]["coordinates"] = [[X0 + i, Y0] for i in range(20_000)]
    r = client.post("/api/plans?crs=EPSG:28992", json=body)
    assert r.status_code == 413 and r.json()["error"]["code"] == "too_large"
    assert r.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize(
    "query",
    ["since=-1", "since=abc", "limit=0", "limit=100000", "since=1e99"],
)
def test_notification_feed_refuses_bad_parameters_with_422(client, store, query):
    r = client.get(f"/api/notifications?{query}", headers=token_headers(store, "org-x"))
    assert r.status_code == 422, r.text


def test_mark_read_only_touches_the_callers_notifications(client, store):
    headers = token_headers(store, "org-x")
    r = client.post("/api/notifications/read", json={"ids": [1, 2]}, headers=headers)
    assert r.status_code == 200 and r.json() == {"marked": 0}
    assert client.post("/api/notifications/read", json={"ids": ["a"]}, headers=headers).status_code == 422
    assert client.post("/api/notifications/read", json={"ids": [0]}, headers=headers).status_code == 422


def test_no_sql_is_built_from_strings():
    """Values reach the database as bound parameters only: no f-string, %- or
    +-built SQL outside the migrations (whose identifiers are constants)."""
    pattern = re.compile(
        r"(text|exec_driver_sql|execute)\(\s*(f[\"']|[\"'][^\"']*[\"']\s*(%|\+|\.format))"
        r"|[\"'](SELECT|INSERT|UPDATE|DELETE)\b[^\"']*[\"']\s*(%|\+|\.format)",
        re.IGNORECASE,
    )
    found = []
    for path in SRC.rglob("*.py"):
        if "migrations" in path.parts or "node_modules" in path.parts:
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if pattern.search(line):
                found.append(f"{path.relative_to(SRC)}:{n}: {line.strip()}")
    assert found == []
