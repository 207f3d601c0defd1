"""Schemathesis against our OpenAPI, in-process (ASGI): no generated request may
cause a server error, neither from the whole API's OpenAPI 3.1 nor from OGC API
Features' own OpenAPI 3.0 (``/ogc/api``: every collection's items with its
queryables). At least 1,000 cases in all (checked by the last test)."""

from __future__ import annotations

import dataclasses
import shutil
import tempfile
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from openruimte.api.app import create_app
from openruimte.settings import Settings
from openruimte.store import Store
from tests.factories import plan
from tests.test_notifications import A, setup

EXAMPLES = 40
MIN_CASES = 1000
CASES = {"count": 0, "operations": 0}


def _app():
    folder = Path(tempfile.mkdtemp(prefix="openruimte-fuzz-"))
    store = Store.open(f"sqlite:///{folder / 'fuzz.db'}")
    setup(store)
    current = {p.key: p for p in store.plans()}[f"{A}:pa"]
    with store.writer("test") as w:  # a notification to read
        w.upsert("plans", [dataclasses.replace(current, end=plan(end="2027-12-31").end)])
    return create_app(Settings(webhook_worker=False), store), store, folder


APP, STORE, FOLDER = _app()
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)
ogc_schema = schemathesis.openapi.from_asgi("/ogc/api", APP)


@pytest.fixture(scope="module", autouse=True)
def _cleanup():
    yield
    STORE.close()
    shutil.rmtree(FOLDER, ignore_errors=True)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_no_generated_request_causes_a_server_error(case):
    CASES["count"] += 1
    response = case.call()
    assert response.status_code < 500, (
        f"{case.method} {case.formatted_path} {case.query} -> {response.status_code}: {response.text[:500]}"
    )


@ogc_schema.parametrize()
@settings(
    max_examples=EXAMPLES // 2,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_no_generated_ogc_request_causes_a_server_error(case):
    CASES["count"] += 1
    response = case.call()
    assert response.status_code < 500, (
        f"{case.method} {case.formatted_path} {case.query} -> {response.status_code}: {response.text[:500]}"
    )


def test_zz_enough_cases_were_generated(request):
    if request.config.getoption("-k") or request.session.testsfailed:
        pytest.skip("runs after the whole fuzz module only")
    print(f"schemathesis: {CASES['count']} generated cases")
    assert CASES["count"] >= MIN_CASES, CASES
