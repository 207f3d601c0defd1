"""The plan panel's "Afstanden (kabels, leidingen, bomen)" and "Schaduw" sections (issue 15) in Chromium:
a conflict line and the shadow layer are drawn on the programming map. A real server over the analysed
demo store, the page offline but for 127.0.0.1 (the UI class of test_web_e2e)."""

from __future__ import annotations

import pytest

from openruimte.services import clearance, twin
from tests.support.auth import coordinator_view
from tests.support.server import live_server
from tests.support.system import ensure_command
from tests.test_web_e2e import CHROMIUM_ARGS, UI


@pytest.fixture(scope="module")
def server(demo_store):
    with live_server(demo_store) as base:
        yield base


@pytest.fixture(scope="module")
def browser():
    executable = ensure_command("chromium", "chromium")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def ui(browser, server):
    tab = UI(browser, server)
    tab.login()
    tab.page.wait_for_url(server + "/")
    yield tab
    tab.close()


def _plans(demo_store):
    """A demo plan that digs with a clearance conflict, and one with a planned height."""
    view = coordinator_view(demo_store)
    solids = twin.plan_solids(view, public=False)["plans"]
    volume = next(p["key"] for p in solids if p["kind"] == "volume" and p["owner"] != "undisclosed")
    for p in solids:
        if p["kind"] != "trench" or p["owner"] == "undisclosed":
            continue
        report = clearance.run(view, plan=p["key"])
        if not report["passed"] and any(
            r["geometry"].geom_type == "LineString" and not r["passed"] for r in report["results"]
        ):
            return p["key"], volume
    pytest.fail("the demo has no digging plan with a clearance conflict")


def _rendered(ui, layer):
    return ui.page.evaluate(
        "l => window.openruimte.map.queryRenderedFeatures({ layers: [l] }).map(f => f.properties.role)", layer
    )


def test_clearance_conflicts_and_the_shadow_are_drawn(ui, demo_store):
    trench, volume = _plans(demo_store)
    ui.open_map()
    page = ui.page
    page.evaluate("k => window.openruimte.selectPlan(k)", trench)
    page.wait_for_selector('[data-testid="plan-clearance"]', timeout=30_000)
    assert page.locator("#plan-clearance h3").inner_text() == "Afstanden (kabels, leidingen, bomen)"
    page.click('[data-testid="clearance-compute"]')
    page.wait_for_selector('[data-testid="clearance-result"][data-conflicts]', timeout=60_000)
    assert int(page.get_attribute('[data-testid="clearance-result"]', "data-conflicts")) > 0
    assert page.locator(".clearance-list li.conflict").count() > 0
    ui.idle()
    roles = _rendered(ui, "rules-env-clearance-lines")
    assert "conflict" in roles
    ui.shot("clearance")

    page.evaluate("k => window.openruimte.selectPlan(k)", volume)
    page.wait_for_selector('[data-testid="plan-shadow"]', timeout=30_000)
    assert page.locator("#plan-shadow h3").inner_text() == "Schaduw"
    page.fill('[data-testid="shadow-at"]', "2027-03-21T12:00")
    page.click('[data-testid="shadow-compute"]')
    page.wait_for_selector('[data-testid="shadow-result"][data-features]', timeout=60_000)
    assert "azimut" in page.locator('[data-testid="shadow-summary"]').inner_text()
    ui.idle()
    roles = _rendered(ui, "rules-env-shadow-fill")
    assert "design" in roles
    ui.shot("shadow")
    # English second
    page.evaluate("window.OR.i18n.set('en')")
    page.evaluate("k => window.openruimte.selectPlan(k)", trench)
    page.wait_for_function(
        "() => { const e = document.querySelector('#plan-clearance h3'); return e && e.textContent.startsWith('Clearance'); }",
        timeout=30_000,
    )
    page.evaluate("window.OR.i18n.set('nl')")
    ui.assert_clean()
