"""Shared fixtures: a fresh store on SQLite and on a real PostgreSQL + PostGIS.

The PostGIS cluster is started once per session (tests/support/postgis.py).
Where it cannot be had, PostGIS tests skip with the reason; with CI=true a
skipped PostGIS test fails the run instead.
"""

from __future__ import annotations

import itertools
import os
from pathlib import Path

import pytest
from hypothesis import settings

from openruimte.store import Store
from tests.support import postgis

# In CI the property tests draw the same examples every run (a landing never depends on luck);
# run them locally to explore new ones (a failure found there becomes a fixed test).
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI", "").lower() == "true":
    settings.load_profile("ci")

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
DATA = SHARED / "data"
_counter = itertools.count()
#: the coordinator's password in the test demo store (the real demo makes a random one)
DEMO_PASSWORD = "test-coordinator-password"


def _skip_or_fail(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"PostGIS is required in CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session", autouse=True)
def _notifications_subscribed():
    """Plan changes notify partners through a store write hook, wired as the app and CLI wire it."""
    from openruimte.services.hooks import subscribe

    subscribe()


@pytest.fixture(scope="session", autouse=True)
def _data_dir(tmp_path_factory):
    """Uploaded documents of every test store go to a temporary data directory, never into the
    working directory (a PostGIS store has no file to keep them beside); tests may set their own."""
    if "OPENRUIMTE_DATA_DIR" not in os.environ:
        os.environ["OPENRUIMTE_DATA_DIR"] = str(tmp_path_factory.mktemp("data-dir"))
        yield
        os.environ.pop("OPENRUIMTE_DATA_DIR", None)
    else:
        yield


@pytest.fixture(scope="session")
def postgis_admin_url():
    given = os.environ.get("OPENRUIMTE_TEST_POSTGRES_URL")
    if given:
        yield given
        return
    try:
        cluster = postgis.Cluster().start()
    except postgis.PostGISUnavailable as err:
        _skip_or_fail(str(err))
        return
    try:
        yield cluster.admin_url
    finally:
        cluster.stop()


@pytest.fixture(params=["sqlite", "postgis"])
def db_url(request, tmp_path):
    """A URL of an empty database, once per engine."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'test.db'}"
    admin = request.getfixturevalue("postgis_admin_url")
    return postgis.new_database(admin, f"openruimte_test_{os.getpid()}_{next(_counter)}")


@pytest.fixture
def store(db_url):
    s = Store.open(db_url)
    yield s
    s.close()


@pytest.fixture
def shared_data():
    if not DATA.exists():
        pytest.skip(f"../shared/data is absent ({DATA}); CI provides it")
    return DATA


@pytest.fixture(scope="session")
def demo_store(tmp_path_factory):
    """A SQLite store with the demo town (scale 0.1) imported and analysed, shared by API and UI tests."""
    from rich.console import Console

    from openruimte.services.demo import run_demo

    folder = tmp_path_factory.mktemp("demo")
    store = Store.open(f"sqlite:///{folder / 'demo.db'}")
    log = Console(file=open(folder / "log.txt", "w"))
    run_demo(store, seed=2026, scale=0.1, out=folder / "files", console=log, password=DEMO_PASSWORD)
    yield store
    store.close()
