"""The BIM roadmap page (/routekaart) in a real browser: Debian's Chromium driven by
Playwright over a live server with the demo store, offline but for 127.0.0.1
(the setup of tests/test_web_e2e.py)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse

import pytest

from openruimte.services.demo import DEMO_COORDINATOR
from tests.conftest import DEMO_PASSWORD
from tests.support.server import live_server
from tests.support.system import ensure_command

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
TIMEOUT = 60_000


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


class Page:
    def __init__(self, browser, base: str):
        self.base = base
        self.context = browser.new_context(viewport={"width": 1440, "height": 1000})
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.blocked: list[str] = []
        self.context.route("**/*", self._route)
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))

    def _route(self, route):
        url = route.request.url
        if url.startswith(("data:", "blob:")) or urlparse(url).hostname == "127.0.0.1":
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort("internetdisconnected")

    def open(self, hash_: str, loaded: str) -> None:
        self.page.goto(self.base + "/routekaart#" + hash_)
        self.page.wait_for_selector(f'{loaded}[data-loaded="true"]', state="attached", timeout=TIMEOUT)

    def shot(self, name: str) -> None:
        ARTIFACTS.mkdir(exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / name), full_page=True)

    def close(self) -> None:
        assert self.errors == [], self.errors
        assert self.blocked == [], self.blocked
        self.context.close()


def test_metro_map_of_one_province(server, browser):
    ui = Page(browser, server)
    ui.open("roadmap=provincies&org=provincie-utrecht&date=2026-06-01", "#rm-map")
    p = ui.page
    stations = p.locator("#rm-map g.station")
    assert stations.count() == 16
    states = {stations.nth(i).get_attribute("data-state") for i in range(16)}
    assert states - {"niet_gestart"}  # the demo assessed something
    assert {stations.nth(i).get_attribute("data-line") for i in range(16)} == {
        "ils-uniform",
        "otl-uniform",
        "begeleiding",
        "koppeling",
    }
    assert "Provincie Utrecht" in p.locator('[data-testid="rm-index"]').inner_text()
    # a station shows its state, assessment and criteria
    stations.nth(0).click()
    detail = p.locator('[data-testid="rm-detail"]')
    detail.wait_for(state="visible")
    assert "Criteria" in detail.inner_text()
    ui.shot("routekaart-map.png")
    # English second
    p.click('[data-testid="lang-switch"]')
    p.wait_for_function("document.querySelector('[data-testid=tab-map]').textContent === 'Metro map'")
    p.click('[data-testid="lang-switch"]')
    ui.close()


def test_poster_wall_and_progress(server, browser):
    ui = Page(browser, server)
    ui.open("roadmap=provincies&tab=wall&date=2026-06-01", "#rm-wall")
    p = ui.page
    cards = p.locator("#rm-wall article.card")
    assert cards.count() == 12
    assert cards.nth(0).locator("g.station").count() == 16
    names = [cards.nth(i).get_attribute("data-org") for i in range(12)]
    assert len(set(names)) == 12 and all(n.startswith("provincie-") for n in names)
    ui.shot("routekaart-wall.png")
    p.click('[data-testid="tab-progress"]')
    p.wait_for_selector('#rm-progress[data-loaded="true"]', state="attached", timeout=TIMEOUT)
    p.select_option('[data-testid="rm-porg"]', "provincie-zeeland")
    p.fill('[data-testid="rm-since"]', "2025-06-01")
    p.dispatch_event('[data-testid="rm-since"]', "change")
    p.wait_for_function(
        "() => { const el = document.getElementById('rm-progress');"
        " return el.dataset.loaded === 'true' && el.textContent.includes('Zeeland'); }",
        timeout=TIMEOUT,
    )
    changes = int(p.locator("#rm-progress").get_attribute("data-changes"))
    assert changes > 0 and p.locator("#rm-progress tbody tr").count() == changes
    assert "→" in p.locator('[data-testid="rm-delta"]').inner_text()
    ui.shot("routekaart-progress.png")
    ui.close()


def test_private_assessments_do_not_show_on_the_page(server, browser):
    """Anonymous: only Voorbeeldstad's public status; its coordinator also sees Rivierstad (shared with it),
    never Duinwijk (private)."""
    ui = Page(browser, server)
    ui.open("roadmap=gemeenten&tab=wall&date=2026-06-01", "#rm-wall")
    orgs = ui.page.locator("#rm-wall article.card")
    assert [orgs.nth(i).get_attribute("data-org") for i in range(orgs.count())] == ["gemeente-voorbeeldstad"]
    ui.page.goto(server + "/login")
    ui.page.fill('[data-testid="login-email"]', DEMO_COORDINATOR)
    ui.page.fill('[data-testid="login-password"]', DEMO_PASSWORD)
    ui.page.click('[data-testid="login-submit"]')
    ui.page.wait_for_url(lambda url: "/login" not in url, timeout=TIMEOUT)
    ui.open("roadmap=gemeenten&tab=wall&date=2026-06-01", "#rm-wall")
    orgs = ui.page.locator("#rm-wall article.card")
    seen = {orgs.nth(i).get_attribute("data-org") for i in range(orgs.count())}
    assert seen == {"gemeente-voorbeeldstad", "gemeente-rivierstad"}
    html = ui.page.content()
    assert "gemeente-duinwijk" not in html and "Duinwijk" not in html
    ui.close()
