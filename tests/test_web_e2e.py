"""End-to-end tests of the browser UI: the programming map at ``/`` and the public map at ``/publiek``.

A real server (uvicorn, tests/support/server.py) over the analysed demo store and
Debian's Chromium driven by Playwright. Every page runs with the network blocked
for every host but 127.0.0.1: the UI must work offline. The programming map is
used as the demo's coordinator, logged in through the login page; the public
map without logging in. Screenshots and the
first-render time land in test-artifacts/ (gitignored).
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from urllib.parse import urlparse

import httpx
import pytest

from openruimte.api import Settings
from openruimte.api.routers.public import is_published
from openruimte.model import Visibility
from openruimte.services.demo import DEMO_COORDINATOR, DEMO_EDITOR
from tests.conftest import DEMO_PASSWORD
from tests.support.auth import DEMO_MUNICIPALITY, coordinator_view, token_headers
from tests.support.server import live_server
from tests.support.system import ensure_command

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
LOAD_TIMEOUT_MS = 90_000
# Console noise of software WebGL in headless Chromium: warnings, never errors; listed for clarity.
IGNORED_CONSOLE = ("GL Driver Message", "GPU stall due to ReadPixels")


#: the API calls of the tests themselves run with the coordinator's token
HEADERS: dict[str, str] = {}


@pytest.fixture(scope="module")
def server(demo_store):
    HEADERS.update(token_headers(demo_store, DEMO_MUNICIPALITY, "coordinator"))
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


class UI:
    """One browser tab on the live server, offline but for 127.0.0.1, recording console errors."""

    def __init__(self, browser, base: str, viewport: dict[str, int] | None = None, **context_args):
        self.base = base
        self.context = browser.new_context(viewport=viewport or {"width": 1440, "height": 900}, **context_args)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.blocked: list[str] = []
        self.requests: list[str] = []
        self.context.route("**/*", self._route)
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda exc: self.errors.append(f"pageerror: {exc}"))
        self.page.on("request", lambda req: self.requests.append(req.url))

    def _route(self, route):
        url = route.request.url
        host = urlparse(url).hostname
        if url.startswith(("data:", "blob:")) or host == "127.0.0.1":
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort("internetdisconnected")

    def _console(self, msg):
        if msg.type == "error" and not any(s in msg.text for s in IGNORED_CONSOLE):
            self.errors.append(f"console: {msg.text}")

    def login(self, email: str = DEMO_COORDINATOR, password: str = DEMO_PASSWORD, path: str = "/") -> None:
        """Log in through the login page (the programming map sends anonymous visitors there)."""
        self.page.goto(self.base + path)
        self.page.wait_for_selector('[data-testid="login-form"]')
        self.page.fill('[data-testid="login-email"]', email)
        self.page.fill('[data-testid="login-password"]', password)
        self.page.click('[data-testid="login-submit"]')

    def open_map(self, hash_: str = "") -> float:
        """Open the programming map; returns seconds until the plans are drawn."""
        t0 = time.perf_counter()
        self.page.goto(self.base + "/" + hash_)
        self.page.wait_for_selector('#map[data-plans-loaded="true"]', state="attached", timeout=LOAD_TIMEOUT_MS)
        return time.perf_counter() - t0

    def wait_plans(self, count: int) -> None:
        self.page.wait_for_function(
            """n => { const m = document.getElementById('map');
                     return m.dataset.plansLoaded === 'true' && m.dataset.plansCount === String(n); }""",
            arg=count,
            timeout=LOAD_TIMEOUT_MS,
        )

    def idle(self, handle: str = "window.openruimte.map") -> None:
        """Wait until the map has drawn everything (after a repaint)."""
        # Resolve with nothing: the idle event's target is the Map, far too big to send back to Python.
        self.page.evaluate(
            f"() => new Promise(r => {{ const m = {handle}; m.once('idle', () => r()); m.triggerRepaint(); }})"
        )

    def rendered_keys(self) -> set[str]:
        return set(self.page.evaluate("window.openruimte.renderedPlanKeys()"))

    def shot(self, name: str) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"web-{name}.png"
        self.page.screenshot(path=str(path))
        return path

    def assert_clean(self) -> None:
        assert not self.errors, "errors in the browser console:\n" + "\n".join(self.errors)
        assert not self.blocked, "the page asked for other hosts than 127.0.0.1:\n" + "\n".join(self.blocked)

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def ui(browser, server):
    tab = UI(browser, server)
    tab.login()
    tab.page.wait_for_url(server + "/")
    yield tab
    tab.close()


def api(server: str, path: str, **params):
    resp = httpx.get(server + path, params=params, headers=HEADERS, timeout=30)
    resp.raise_for_status()
    return resp.json()


def best_coupling(server: str) -> dict:
    couplings = api(server, "/api/analysis/plans")["result"]["couplings"]
    assert couplings, "the demo store should have coupling opportunities"
    return max(couplings, key=lambda c: c["score"])


# --------------------------------------------------------------------------- the programming map


def test_map_draws_every_plan_and_logs_first_render(ui, server, demo_store, record_property):
    seconds = ui.open_map()
    total = api(server, "/api/plans", limit=1)["numberMatched"]
    seen = coordinator_view(demo_store).plans()
    assert total == len(seen) > 0
    page = ui.page
    assert page.get_attribute("#map", "data-plans-count") == str(total)
    assert page.get_attribute("#plan-count", "data-count") == str(total)
    # Every plan of the municipality is drawn in the first view (queryRenderedFeatures).
    assert ui.rendered_keys() == {p.key for p in seen}
    assert page.get_attribute("#whoami", "data-role") == "coordinator"
    # The offline base map: buurt names and the legend by owner.
    assert page.locator(".area-label").count() == sum(1 for a in demo_store.areas() if str(a.level) == "buurt")
    assert page.locator("#legend li").count() >= 2
    perf = page.evaluate("window.openruimte.perf")
    record_property("first_render_ms", perf["firstRenderMs"])
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    record_property("plans_drawn_ms", perf.get("plansDrawnMs"))
    (ARTIFACTS / "web-perf.json").write_text(
        json.dumps(
            {
                "first_render_ms": perf["firstRenderMs"],
                "plans_drawn_ms": perf.get("plansDrawnMs"),
                "steps_ms": perf["steps"],
                "wall_clock_s": round(seconds, 2),
                "plans": total,
            },
            indent=2,
        )
    )
    print(
        f"\nfirst render of the programming map: {perf['firstRenderMs']} ms after navigation, complete with base map "
        f"(plans first drawn at {perf.get('plansDrawnMs')} ms; {total} plans; steps {perf['steps']}); wall clock {seconds:.2f} s"
    )
    ui.shot("map")
    ui.assert_clean()


def test_one_start_up_request_sent_early_and_a_link_with_filters_asks_for_itself(ui, server):
    """map-early.js sends /api/map at the page's start and app.js takes its answer (one request, not
    two); a link with filters is not answered with the unfiltered plans."""
    ui.page.goto("about:blank")
    ui.requests.clear()  # the log-in's own landing on the map
    ui.open_map()
    starts = [u for u in ui.requests if urlparse(u).path == "/api/map"]
    assert starts == [server + "/api/map?"]
    phase = api(server, "/api/config")["phases"][2]
    count = api(server, "/api/plans", phase=phase, limit=1)["numberMatched"]
    ui.page.goto("about:blank")
    ui.requests.clear()
    ui.open_map(f"#phase={phase}")
    ui.wait_plans(count)
    starts = [u for u in ui.requests if urlparse(u).path == "/api/map"]
    assert starts == [server + f"/api/map?phase={phase}"]
    assert ui.page.get_attribute("#plan-count", "data-count") == str(count)
    ui.assert_clean()


def test_phase_filter_requeries_the_plans(ui, server):
    ui.open_map()
    counts = {
        ph: api(server, "/api/plans", phase=ph, limit=1)["numberMatched"] for ph in api(server, "/api/config")["phases"]
    }
    total = api(server, "/api/plans", limit=1)["numberMatched"]
    phase = max((ph for ph, n in counts.items() if 0 < n < total), key=lambda ph: counts[ph])
    expected = {f["id"] for f in api(server, "/api/plans", phase=phase)["features"]}
    page = ui.page
    page.check(f'#filter-phase input[value="{phase}"]')
    ui.wait_plans(counts[phase])
    assert page.get_attribute("#plan-count", "data-count") == str(counts[phase])
    assert ui.rendered_keys() == expected
    for fmt in ("geojson", "xlsx"):
        href = page.get_attribute(f"#download-{fmt}", "href")
        assert f"format={fmt}" in href and f"phase={phase}" in href
    # The export link gives the same selection.
    exported = httpx.get(server + page.get_attribute("#download-geojson", "href"), headers=HEADERS, timeout=30).json()
    assert len(exported["features"]) == counts[phase]
    ui.shot("filter-phase")
    # A second phase widens the selection (any of them matches).
    other = next(ph for ph, n in counts.items() if ph != phase and n > 0)
    page.check(f'#filter-phase input[value="{other}"]')
    ui.wait_plans(counts[phase] + counts[other])
    page.click("#filter-reset")
    ui.wait_plans(total)
    ui.assert_clean()


def test_period_slider_and_colour_by(ui, server):
    ui.open_map()
    page = ui.page
    expected = api(server, "/api/plans", start="2030", end="2032", limit=1)["numberMatched"]
    page.focus("#filter-from")
    for _ in range(4):
        page.keyboard.press("ArrowRight")
    page.focus("#filter-to")
    for _ in range(8):
        page.keyboard.press("ArrowLeft")
    assert page.inner_text("#period-label") == "2030–2032"
    ui.wait_plans(expected)
    assert "start=2030" in page.get_attribute("#download-xlsx", "href")
    assert len(ui.rendered_keys()) == expected
    # Colour by phase, then by asset type: the legend follows.
    phases = set(api(server, "/api/config")["phases"])
    page.select_option("#color-by", "phase")
    values = set(
        page.locator("#legend .legend-list:not(.extra) li").evaluate_all("els => els.map(e => e.dataset.value)")
    )
    assert values and values <= phases
    page.select_option("#color-by", "asset_type")
    values = set(
        page.locator("#legend .legend-list:not(.extra) li").evaluate_all("els => els.map(e => e.dataset.value)")
    )
    assert values and not values & phases
    # The view is in the URL: a reload keeps the period and the colouring.
    page.reload()
    page.wait_for_selector('#map[data-plans-loaded="true"]', state="attached", timeout=LOAD_TIMEOUT_MS)
    assert page.get_attribute("#map", "data-plans-count") == str(expected)
    assert page.input_value("#color-by") == "asset_type"
    ui.shot("period-colour")
    ui.assert_clean()


def test_search_selects_a_coupled_plan_and_explains_the_coupling(ui, server):
    coupling = best_coupling(server)
    a = coupling["a"]
    owner, plan_id = a.split(":", 1)
    plan = api(server, f"/api/plans/{owner}/{plan_id}")["properties"]
    ui.open_map()
    page = ui.page
    page.fill("#search", plan["name"])
    page.wait_for_selector(f'#search-results li[data-key="{a}"]', timeout=LOAD_TIMEOUT_MS)
    page.click(f'#search-results li[data-key="{a}"]')
    page.wait_for_selector("#plan-panel .coupling-text", timeout=LOAD_TIMEOUT_MS)
    assert page.inner_text("#plan-title") == plan["name"]
    texts = page.locator("#plan-panel .coupling-text").all_inner_texts()
    assert coupling["explanation"]["text"] in texts
    partner = page.locator(f'#plan-couplings button[data-key="{coupling["b"]}"]')
    assert partner.count() == 1
    # All attributes with Dutch labels, and the history.
    assert "Eigenaar" in page.inner_text("#plan-panel dl.attrs")
    page.wait_for_selector("#plan-history li")
    ui.shot("plan-panel")
    ui.assert_clean()


def test_clicking_a_plan_on_the_map_shows_its_couplings(ui, server):
    coupling = best_coupling(server)
    a, b = coupling["a"], coupling["b"]
    ui.open_map()
    page = ui.page
    page.evaluate("key => window.openruimte.selectPlan(key)", a)
    page.wait_for_selector("#plan-panel .coupling-text", timeout=LOAD_TIMEOUT_MS)
    page.click("#plan-close")
    page.wait_for_function("() => !window.openruimte.map.isMoving()")
    page.wait_for_selector('#map[data-plans-loaded="true"]', state="attached")
    ui.idle()
    # A point on plan a that is on the canvas (not under the legend) and not on a coupling node.
    target = page.evaluate(
        """key => {
            const o = window.openruimte;
            for (const f of [0.25, 0.75, 0.4, 0.6, 0.1, 0.9, 0.5]) {
                const p = o.planScreenPoint(key, f);
                const el = document.elementFromPoint(p.pageX, p.pageY);
                if (!el || el.tagName !== 'CANVAS') continue;
                const layers = o.layersAt(p.x, p.y);
                if (layers.some(l => /^(couplings|conflicts)-node$|^capacity$|^candidates$/.test(l))) continue;
                if (o.planKeysAt(p.x, p.y).includes(key)) return p;
            }
            return null;
        }""",
        a,
    )
    assert target, f"plan {a} is not clickable on the map"
    page.mouse.click(target["pageX"], target["pageY"])
    page.wait_for_selector("#plan-panel:not([hidden]) .coupling-text", timeout=LOAD_TIMEOUT_MS)
    title = page.inner_text("#plan-title")
    names = {api(server, "/api/plans/" + k.replace(":", "/", 1))["properties"]["name"] for k in (a, b)}
    assert title in names
    assert coupling["explanation"]["text"] in page.locator("#plan-panel .coupling-text").all_inner_texts()
    ui.shot("map-click")
    ui.assert_clean()


def test_timeline_draws_bars_and_selects_a_plan(ui, server):
    ui.open_map()
    page = ui.page
    page.click("#timeline-toggle")
    page.select_option("#timeline-scope", "all")
    page.wait_for_selector("#timeline rect.tl-bar", timeout=LOAD_TIMEOUT_MS)
    scheduled = [
        f for f in api(server, "/api/plans")["features"] if f["properties"]["start"] and f["properties"]["end"]
    ]
    assert page.locator("#timeline rect.tl-bar").count() == len(scheduled)
    # Couplings are drawn as connectors between bars.
    assert page.locator("#timeline path.tl-link.coupling").count() > 0
    # Group per owner: one group per organisation with scheduled plans.
    page.select_option("#timeline-group", "owner")
    owners = {f["properties"]["owner"] for f in scheduled}
    page.wait_for_function("n => document.querySelectorAll('#timeline .tl-group').length === n", arg=len(owners))
    coupling = best_coupling(server)
    bar = page.locator(f'#timeline rect.tl-bar[data-key="{coupling["a"]}"]')
    bar.click()
    page.wait_for_selector("#plan-panel .coupling-text", timeout=LOAD_TIMEOUT_MS)
    assert page.locator(f'#timeline .tl-row.selected[data-key="{coupling["a"]}"]').count() == 1
    assert page.locator(f'#timeline .tl-row.partner[data-key="{coupling["b"]}"]').count() == 1
    page.select_option("#timeline-group", "street")
    page.wait_for_selector("#timeline rect.tl-bar")
    ui.shot("timeline")
    ui.assert_clean()


def test_language_switch_to_english_is_remembered(ui):
    ui.open_map()
    page = ui.page
    assert page.inner_text("#filters summary >> nth=0").startswith("Fase")
    page.click("#lang-switch")
    assert page.get_attribute("html", "lang") == "en"
    assert page.inner_text("#filters summary >> nth=0").startswith("Phase")
    assert re.search(r"\d+ of \d+ plans", page.inner_text("#plan-count"))
    assert page.inner_text("#lang-switch") == "NL"
    assert "design" in page.inner_text("#filter-phase")
    page.reload()
    page.wait_for_selector('#map[data-plans-loaded="true"]', state="attached", timeout=LOAD_TIMEOUT_MS)
    assert page.get_attribute("html", "lang") == "en"
    assert page.inner_text("#timeline-toggle").strip().endswith("Timeline")
    ui.shot("english")
    page.click("#lang-switch")
    assert page.inner_text("#filters summary >> nth=0").startswith("Fase")
    ui.assert_clean()


def test_every_layer_works_offline_without_console_errors(ui, server):
    ui.open_map()
    page = ui.page
    page.wait_for_function("() => window.openruimte.state.envMeta.length > 0", timeout=LOAD_TIMEOUT_MS)
    for layer in ("candidates", "capacity", "space", "assets"):
        page.check(f"#layer-{layer}")
    env = [m["name"] for m in api(server, "/api/layers")]
    assert "hittestress" in env
    page.check("#layer-env-hittestress")
    page.wait_for_selector("#candidate-list li", timeout=LOAD_TIMEOUT_MS)
    page.wait_for_selector(".cap-label", timeout=LOAD_TIMEOUT_MS)
    env_drawn = "names => names.every(n => window.openruimte.map.getLayer('env-' + n + '-fill'))"
    page.wait_for_function(env_drawn, arg=["hittestress"], timeout=LOAD_TIMEOUT_MS)
    ui.idle()
    assert (
        page.evaluate("() => window.openruimte.map.queryRenderedFeatures({layers: ['env-hittestress-fill']}).length")
        > 0
    )
    ui.shot("analysis-layers")
    # Every environment layer loads (choropleth by value).
    for name in env:
        page.check(f"#layer-env-{name}")
    page.wait_for_function(env_drawn, arg=env, timeout=LOAD_TIMEOUT_MS)
    assert page.locator("#legend .ramp").count() >= 2
    # Zoom in where the assets are (vector tiles from zoom 14) and click one.
    space = api(server, "/api/analysis/space")["result"]["does_not_fit"]
    street = next(f for f in api(server, "/api/streets")["features"] if f["id"] == space[0]["street_id"])
    lon, lat = street["geometry"]["coordinates"][len(street["geometry"]["coordinates"]) // 2]
    page.evaluate(
        "c => { window.openruimte.map.jumpTo({center: c, zoom: 17.5}); }", [lon, lat]
    )  # returns nothing: a Map is huge
    ui.idle()
    for name in env:
        page.uncheck(f"#layer-env-{name}")
    ui.idle()
    assets = page.evaluate(
        "() => window.openruimte.map.queryRenderedFeatures({layers: ['assets-line', 'assets-point']}).length"
    )
    assert assets > 0
    assert page.locator(".street-label").count() > 0
    # Click an asset with a depth: the popup shows its attributes.
    target = page.evaluate(
        """() => {
            const o = window.openruimte, m = o.map, r = m.getCanvas().getBoundingClientRect();
            const higher = /^(couplings|conflicts)-|^capacity$|^candidates$|^plans-|^space$/;
            for (const f of m.queryRenderedFeatures({layers: ['assets-line']})) {
                if (f.properties.depth_m === undefined) continue;
                const cs = f.geometry.type === 'LineString' ? f.geometry.coordinates : f.geometry.coordinates[0];
                const p = m.project(cs[Math.floor(cs.length / 2)]);
                const el = document.elementFromPoint(r.left + p.x, r.top + p.y);
                if (!el || el.tagName !== 'CANVAS') continue;
                const layers = o.layersAt(p.x, p.y);
                if (layers.some(l => higher.test(l)) || layers[0] !== 'assets-line') continue;
                return {x: r.left + p.x, y: r.top + p.y, key: f.properties.key};
            }
            return null;
        }"""
    )
    assert target, "no clickable asset in view"
    page.mouse.click(target["x"], target["y"])
    popup = page.locator(".or-popup .pop[data-full]")  # with the full record from /api/assets
    popup.wait_for(timeout=LOAD_TIMEOUT_MS)
    text = popup.inner_text()
    assert "Diepte (m)" in text and "Bronhouder" in text and target["key"] in text
    ui.shot("assets")
    page.click("#timeline-toggle")
    page.wait_for_selector("#timeline rect.tl-bar, #timeline .tl-empty", timeout=LOAD_TIMEOUT_MS)
    # The public page in the same offline tab.
    page.goto(ui.base + "/publiek")
    page.wait_for_selector('#public-map[data-loaded="true"]', state="attached", timeout=LOAD_TIMEOUT_MS)
    ui.assert_clean()


# --------------------------------------------------------------------------- the public map


def test_public_map_shows_only_published_plans(browser, server, demo_store):
    phone = UI(
        browser, server, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, device_scale_factor=2
    )
    try:
        page = phone.page
        page.goto(server + "/publiek")
        page.wait_for_selector('#public-map[data-loaded="true"]', state="attached", timeout=LOAD_TIMEOUT_MS)
        settings = Settings()
        plans = demo_store.plans()
        published = {p.key for p in plans if is_published(p, settings)}
        hidden = [p for p in plans if p.key not in published]
        assert published and hidden
        assert any(p.visibility is Visibility.PRIVATE for p in hidden)
        assert set(page.evaluate("window.publiek.keys()")) == published
        cards = set(page.locator("#public-list .card").evaluate_all("els => els.map(e => e.dataset.key)"))
        assert cards == published
        html = page.content()
        for p in hidden:
            assert p.key not in html, f"unpublished plan {p.key} ({p.visibility}) appears on the public page"
        private_names = {p.name for p in plans if p.visibility is Visibility.PRIVATE} - {
            p.name for p in plans if p.key in published
        }
        text = page.inner_text("body")
        assert not [n for n in private_names if n in text]
        # Only the public endpoint for plans: never /api/plans nor the plan tiles.
        paths = [urlparse(u).path for u in phone.requests]
        assert "/api/public/plans" in paths
        assert not [p for p in paths if p.startswith(("/api/plans", "/tiles/plans", "/api/analysis"))]
        # Readable on a phone: no horizontal scrolling, a viewport meta, the list below the map.
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        assert page.locator('meta[name="viewport"]').count() == 1
        phone.shot("public-phone")
        # Filtering by 'now' and searching narrow the list.
        page.click('#public-when button[data-when="now"]')
        now_count = page.locator("#public-list .card").count()
        assert now_count <= len(published)
        page.click('#public-when button[data-when="all"]')
        first = sorted(published)[0]
        name = next(p.name for p in plans if p.key == first)
        page.fill("#public-search", name)
        assert page.locator(f'#public-list .card[data-key="{first}"]').count() == 1
        page.click("#lang-switch")
        assert "works" in page.inner_text("#pub-list-title")
        phone.assert_clean()
    finally:
        phone.close()


def test_public_map_on_desktop(ui, server):
    page = ui.page
    page.goto(server + "/publiek")
    page.wait_for_selector('#public-map[data-loaded="true"]', state="attached", timeout=LOAD_TIMEOUT_MS)
    first = page.locator("#public-list .card").first
    key = first.get_attribute("data-key")
    first.click()
    page.wait_for_selector(".maplibregl-popup", timeout=LOAD_TIMEOUT_MS)
    assert page.locator(f'#public-list .card.selected[data-key="{key}"]').count() == 1
    ui.idle("window.publiek.map")
    ui.shot("public-desktop")
    ui.assert_clean()


# --------------------------------------------------------------------------- login, CSRF, logout


def test_login_csrf_and_logout(browser, server):
    tab = UI(browser, server)
    try:
        page = tab.page
        page.goto(server + "/")
        page.wait_for_url(server + "/login?next=/")  # the programming map needs a login
        assert page.inner_text("h1").endswith("Inloggen")
        page.click("#lang-switch")
        assert page.inner_text('label[for="password"]') == "Password"
        page.click("#lang-switch")
        tab.login(password="niet het wachtwoord", path="/login")
        assert page.inner_text('[data-testid="login-error"]') == "Onbekend e-mailadres of verkeerd wachtwoord."
        tab.errors.clear()  # the browser logs the 401 of the refused form
        tab.login(path="/login")
        page.wait_for_url(server + "/")
        page.wait_for_selector('#map[data-plans-loaded="true"]', state="attached", timeout=LOAD_TIMEOUT_MS)
        page.wait_for_function("document.getElementById('whoami').textContent.includes('coordinator')")
        assert DEMO_COORDINATOR in page.inner_text("#whoami")
        cookies = {c["name"]: c for c in tab.context.cookies()}
        assert cookies["openruimte_session"]["httpOnly"] and cookies["openruimte_session"]["sameSite"] == "Strict"
        assert page.evaluate("document.cookie").count("openruimte_session") == 0  # out of reach of scripts
        # A write with the session cookie but without the CSRF token is refused before anything else;
        # with the token it reaches the role check (a coordinator does not write).
        body = {"type": "Feature", "properties": {}, "geometry": None}
        without = page.evaluate(
            """b => fetch('/api/plans', {method: 'POST', headers: {'Content-Type': 'application/json'},
                                          body: JSON.stringify(b)}).then(r => r.json())""",
            body,
        )
        assert without["error"]["code"] == "csrf_failed"
        with_token = page.evaluate(
            """b => fetch('/api/plans', {method: 'POST', headers: {'Content-Type': 'application/json',
                      'X-CSRF-Token': window.OR.util.csrfToken()}, body: JSON.stringify(b)}).then(r => r.json())""",
            body,
        )
        assert with_token["error"]["code"] in ("invalid_record", "forbidden")
        tab.errors.clear()  # the refused fetches are logged as failed requests
        page.click('[data-testid="logout"]')
        page.wait_for_url(server + "/login")
        assert page.evaluate("fetch('/api/session').then(r => r.json())")["authenticated"] is False
        page.goto(server + "/")
        page.wait_for_url(server + "/login?next=/")
        tab.assert_clean()
    finally:
        tab.close()


def test_a_party_sees_sensitive_plans_masked_and_undisclosed_couplings(browser, server, demo_store):
    """The grid operator's editor: the telecom's sensitive roll-out is drawn as works of an undisclosed
    party, and a coupling with a plan it may not see says only area and quarter."""
    from openruimte.model.access import UNDISCLOSED
    from openruimte.store.permissions import View
    from tests.support.auth import principal

    seen = View(demo_store, principal("netbeheerder-noord", "editor")).plans()
    masked = {p.key for p in seen if p.owner == UNDISCLOSED}
    assert masked, "the demo has sensitive plans of other parties"
    tab = UI(browser, server)
    try:
        tab.login(email=DEMO_EDITOR)
        tab.page.wait_for_url(server + "/")
        tab.page.wait_for_selector('#map[data-plans-loaded="true"]', state="attached", timeout=LOAD_TIMEOUT_MS)
        page = tab.page
        assert page.get_attribute("#map", "data-plans-count") == str(len(seen))
        keys = set(page.evaluate("Array.from(window.openruimte.state.all.keys())"))
        assert keys == {p.key for p in seen} and masked <= keys
        result = page.evaluate("fetch('/api/analysis/plans').then(r => r.json())")["result"]
        told = result["undisclosed"]
        assert told and all(u["plan"] in keys for u in told)
        page.evaluate("k => window.openruimte.selectPlan(k)", told[0]["plan"])
        page.wait_for_selector("#plan-undisclosed .undisclosed-text", timeout=LOAD_TIMEOUT_MS)
        texts = page.locator("#plan-undisclosed .undisclosed-text").all_inner_texts()
        assert told[0]["text"] in texts and "een niet-genoemde partij" in told[0]["text"]
        page.wait_for_function("document.getElementById('sidebar').innerText.includes('Alleen voor de coördinator')")
        tab.shot("party-undisclosed")
        tab.assert_clean()
    finally:
        tab.close()


# --------------------------------------------------------------------------- the proposed programme (issue 7)


def test_plan_panel_shows_the_proposed_programme(ui, server, demo_store):
    """A programme saved by the planner (here: the real CP-SAT planner over the best coupling's two
    plans) shows in the plan panel of the coordinator: proposed period against its own planning."""
    from openruimte.planner import Settings as PlannerSettings
    from openruimte.planner import plan_programme

    coupling = best_coupling(server)
    plans = [p for p in demo_store.plans() if p.key in (coupling["a"], coupling["b"])]
    result = plan_programme(plans, demo_store.streets(), PlannerSettings(time_limit_s=10, num_workers=1))
    programme = result.to_json()
    with demo_store.writer(actor="test") as w:
        w.save_analysis("programme", {"test": True}, programme)
    entry = next(e for e in programme["plans"] if e["key"] == coupling["a"])
    ui.open_map()
    page = ui.page
    # the coordinator's analyses (the programme among them) load after the first render
    page.wait_for_function("() => window.openruimte.state.analysis.programme instanceof Map", timeout=LOAD_TIMEOUT_MS)
    owner, plan_id = coupling["a"].split(":", 1)
    name = api(server, f"/api/plans/{owner}/{plan_id}")["properties"]["name"]
    page.fill("#search", name)
    page.wait_for_selector(f'#search-results li[data-key="{coupling["a"]}"]', timeout=LOAD_TIMEOUT_MS)
    page.click(f'#search-results li[data-key="{coupling["a"]}"]')
    page.wait_for_selector('[data-testid="plan-programme"]', timeout=LOAD_TIMEOUT_MS)
    text = page.inner_text('[data-testid="plan-programme"]')
    assert text.startswith("Voorgesteld programma: " + entry["period"])
    assert ("zoals de eigen planning" in text) == (entry["shift_periods"] == 0)
    ui.shot("plan-programme")
    ui.assert_clean()


def test_bim_footprints_layer_and_plan_panel_versions(ui, server, demo_store):
    """The demo's generated IFC buildings: a footprint layer that can be switched off, and the plan
    panel listing the model's versions with the original to download."""
    from openruimte.model.access import SYSTEM
    from openruimte.services.bim import footprints

    registered = footprints(demo_store, SYSTEM)
    assert registered, "the demo registers BIM models"
    plan_key = registered[0]["plan"]
    ui.open_map()
    page = ui.page
    page.wait_for_function("() => (window.openruimte.state.bimCount || 0) > 0", timeout=LOAD_TIMEOUT_MS)
    assert page.evaluate("() => window.openruimte.state.bimCount") == len(registered)
    page.wait_for_selector('[data-testid="layer-bim"] input', timeout=LOAD_TIMEOUT_MS)
    page.uncheck('[data-testid="layer-bim"] input')
    assert page.evaluate("() => window.openruimte.map.getLayoutProperty('bim-fill', 'visibility')") == "none"
    page.check('[data-testid="layer-bim"] input')
    owner, plan_id = plan_key.split(":", 1)
    name = api(server, f"/api/plans/{owner}/{plan_id}")["properties"]["name"]
    page.fill("#search", name)
    page.wait_for_selector(f'#search-results li[data-key="{plan_key}"]', timeout=LOAD_TIMEOUT_MS)
    page.click(f'#search-results li[data-key="{plan_key}"]')
    page.wait_for_selector('[data-testid="plan-bim"] li[data-version]', timeout=LOAD_TIMEOUT_MS)
    text = page.inner_text('[data-testid="plan-bim"]')
    assert "woongebouw" in text and "IFC4" in text
    href = page.get_attribute('[data-testid="plan-bim"] a', "href")
    assert href == f"/api/bim/versions/{registered[0]['id']}/file"
    # bim-ids: the demo's owners require the BIM basis ILS, so each version has an IDS report and a BCF
    page.wait_for_selector('[data-testid="ids-links"] a', timeout=LOAD_TIMEOUT_MS)
    report = page.get_attribute('[data-testid="ids-links"] a', "href")
    assert report.startswith(f"/api/bim/versions/{registered[0]['id']}/checks/") and report.endswith("/report.html")
    assert "IDS-rapport" in page.inner_text('[data-testid="ids-links"]')
    ui.shot("plan-bim")
    ui.assert_clean()
