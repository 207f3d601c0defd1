"""The plan-rule check in the browser (issue 15, "Done when"): in the demo, a plan with a model shows
its check in the plan panel (Dutch first) and the map has the rules layer and the part of the design
outside its bouwvlak in red. Chromium through Playwright on a live server over the demo store, offline."""

from __future__ import annotations

import pytest

from openruimte.model.access import SYSTEM
from openruimte.services import rulecheck
from openruimte.services.bim import footprints
from tests.support.auth import DEMO_MUNICIPALITY, token_headers
from tests.support.server import live_server
from tests.test_web_e2e import HEADERS, LOAD_TIMEOUT_MS, UI, api, browser  # noqa: F401 - the browser fixture


@pytest.fixture(scope="module")
def server(demo_store):
    HEADERS.update(token_headers(demo_store, DEMO_MUNICIPALITY, "coordinator"))
    with live_server(demo_store) as base:
        yield base


@pytest.fixture
def ui(browser, server):  # noqa: F811 - the browser fixture imported above
    tab = UI(browser, server)
    tab.login()
    tab.page.wait_for_url(server + "/")
    yield tab
    tab.close()


def _failing_plan(demo_store) -> str:
    for v in footprints(demo_store, SYSTEM):
        runs = rulecheck.history(demo_store, SYSTEM, v["plan"])
        if runs and runs[0]["status"] == "fail":
            return v["plan"]
    raise AssertionError("the demo should have a model whose plan-rule check fails")


def test_demo_models_are_checked_one_passes_one_fails(demo_store):
    statuses = {}
    for v in footprints(demo_store, SYSTEM):
        runs = rulecheck.history(demo_store, SYSTEM, v["plan"])
        assert runs and runs[0]["trigger"] == "upload"
        failed = [r["check"] for r in runs[0]["results"] if r["status"] == "fail"]
        statuses[v["plan"]] = (runs[0]["status"], failed)
    assert sorted(statuses.values()) == [("fail", ["bouwvlak"]), ("pass", [])]


def test_plan_panel_shows_the_check_and_the_map_the_part_outside(ui, server, demo_store):
    plan_key = _failing_plan(demo_store)
    owner, plan_id = plan_key.split(":", 1)
    ui.open_map()
    page = ui.page
    # the rules layer and the part outside the bouwvlak (red) are on the map
    page.wait_for_function("() => (window.openruimte.state.rulesCount || 0) > 0", timeout=LOAD_TIMEOUT_MS)
    assert page.get_attribute("#map", "data-rule-outside") == "1"
    assert page.evaluate("() => window.openruimte.map.getLayer('rule-outside-fill').paint") is not None
    page.wait_for_selector('[data-testid="layer-rules"] input', timeout=LOAD_TIMEOUT_MS)
    page.uncheck('[data-testid="layer-rules"] input')
    assert page.evaluate("() => window.openruimte.map.getLayoutProperty('rule-outside-fill', 'visibility')") == "none"
    page.check('[data-testid="layer-rules"] input')
    # the plan panel: the newest check, Dutch first, with the failing check and its message
    name = api(server, f"/api/plans/{owner}/{plan_id}")["properties"]["name"]
    page.fill("#search", name)
    page.wait_for_selector(f'#search-results li[data-key="{plan_key}"]', timeout=LOAD_TIMEOUT_MS)
    page.click(f'#search-results li[data-key="{plan_key}"]')
    page.wait_for_selector('[data-testid="rulecheck-status"]', timeout=LOAD_TIMEOUT_MS)
    assert page.get_attribute('[data-testid="rulecheck-status"]', "data-status") == "fail"
    section = page.inner_text('[data-testid="plan-rulecheck"]')
    assert "Toets aan de planregels" in section and "voldoet niet" in section
    assert "buiten het bouwvlak" in section
    assert page.get_attribute('li[data-check="bouwvlak"]', "data-status") == "fail"
    assert page.get_attribute('li[data-check="maximum_bouwhoogte"]', "data-status") == "pass"
    href = page.get_attribute('[data-testid="plan-rulecheck"] a', "href")
    assert href == f"/api/plans/{owner}/{plan_id}/rulecheck?format=html"
    ui.shot("plan-rulecheck")
    ui.assert_clean()
