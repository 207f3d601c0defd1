"""End-to-end tests of the 3D view (#16): ``/3d`` (logged in) and ``/publiek/3d`` in Debian's Chromium.

A real server over the analysed demo store (with its buildings and plan volumes), the
network blocked for every host but 127.0.0.1 (the view works offline). What is drawn is
checked in the scene graph (a test hook, ``window.openruimte3d``) and in pixels: a pixel at
an object's projected centre must change when that object is switched off. Screenshots
land in test-artifacts/ (gitignored).
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from urllib.parse import urlparse

import httpx
import pytest

from openruimte.model import Hardness, Phase
from openruimte.model.access import ANONYMOUS
from openruimte.services.demo import DEMO_COORDINATOR
from openruimte.services.twin import is_published
from openruimte.store.permissions import View
from tests.conftest import DEMO_PASSWORD
from tests.support.auth import DEMO_MUNICIPALITY, coordinator_view, token_headers
from tests.support.server import live_server
from tests.support.system import ensure_command

ROOT = Path(__file__).resolve().parent.parent
WEB = ROOT / "src" / "openruimte" / "web"
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
TIMEOUT_MS = 120_000
IGNORED_CONSOLE = ("GL Driver Message", "GPU stall due to ReadPixels")


def ensure_bundle() -> None:
    """The 3D bundle is built at ``make install``; build it again when a source is newer."""
    bundle = WEB / "bundle" / "twin.js"
    sources = list((WEB / "twin").glob("*.js"))
    if bundle.exists() and bundle.stat().st_mtime >= max(s.stat().st_mtime for s in sources):
        return
    if not (WEB / "node_modules" / "esbuild").exists():
        pytest.fail("the web UI's npm packages are missing: run `make install`")
    subprocess.run(["npm", "run", "build", "--prefix", str(WEB)], check=True, capture_output=True)


@pytest.fixture(scope="module")
def server(demo_store):
    ensure_bundle()
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


class Tab:
    """A tab on the live server, offline but for 127.0.0.1, recording console errors."""

    def __init__(self, browser, base: str):
        self.base = base
        self.context = browser.new_context(viewport={"width": 1280, "height": 800})
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.blocked: list[str] = []
        self.context.route("**/*", self._route)
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda exc: self.errors.append(f"pageerror: {exc}"))

    def _route(self, route):
        url = route.request.url
        if url.startswith(("data:", "blob:")) or urlparse(url).hostname == "127.0.0.1":
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort("internetdisconnected")

    def _console(self, msg):
        if msg.type == "error" and not any(s in msg.text for s in IGNORED_CONSOLE):
            self.errors.append(f"console: {msg.text}")

    def login(self) -> None:
        self.page.goto(self.base + "/login?next=/3d")
        self.page.fill('[data-testid="login-email"]', DEMO_COORDINATOR)
        self.page.fill('[data-testid="login-password"]', DEMO_PASSWORD)
        self.page.click('[data-testid="login-submit"]')
        self.page.wait_for_url(self.base + "/3d")

    def open(self, path: str) -> None:
        self.page.goto(self.base + path)
        self.page.wait_for_selector('#scene[data-ready="true"]', state="attached", timeout=TIMEOUT_MS)
        self.page.evaluate("window.openruimte3d.whenIdle()")

    def stats(self) -> dict:
        return self.page.evaluate("window.openruimte3d.stats()")

    def pixel(self, x: float, y: float) -> list[int]:
        return self.page.evaluate("([x, y]) => window.openruimte3d.pixel(x, y)", [x, y])

    def drawn(self, layer: str, x: float, y: float) -> bool:
        """Is ``layer`` drawn at CSS pixel (x, y)? The pixel changes when the layer is switched off."""
        on = self.pixel(x, y)
        self.page.evaluate("(l) => window.openruimte3d.show(l, false)", layer)
        off = self.pixel(x, y)
        self.page.evaluate("(l) => window.openruimte3d.show(l, true)", layer)
        return sum(abs(a - b) for a, b in zip(on[:3], off[:3], strict=True)) > 30

    def shot(self, name: str) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"twin-{name}.png"
        self.page.screenshot(path=str(path))
        return path

    def assert_clean(self) -> None:
        assert not self.errors, "errors in the browser console:\n" + "\n".join(self.errors)
        assert not self.blocked, "the page asked for other hosts than 127.0.0.1:\n" + "\n".join(self.blocked)

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def tab(browser, server):
    t = Tab(browser, server)
    yield t
    t.close()


def published_keys(store) -> set[str]:
    return {p.key for p in View(store, ANONYMOUS).plans() if is_published(p, Phase.ONTWERP, Hardness.VOORGENOMEN)}


def test_public_3d_shows_buildings_and_only_published_plans(tab, demo_store):
    tab.open("/publiek/3d")
    stats = tab.stats()
    assert stats["buildings"] > 500
    published = published_keys(demo_store)
    assert published and set(stats["planKeys"]) == published
    private = {p.key for p in coordinator_view(demo_store).plans()} - published
    assert private and not private & set(stats["planKeys"])
    assert stats["pipes"] == 0  # cables and pipes are not on the public map
    body = tab.page.content()
    for key in private:
        assert key not in body
    # a plan is drawn: its pixels change when the plans are switched off
    key = sorted(published)[0]
    at = tab.page.evaluate("(k) => window.openruimte3d.focus('plan', k, [25, 40, 35])", key)
    assert tab.drawn("plans", at["x"], at["y"])
    assert tab.page.evaluate("([x, y]) => window.openruimte3d.pick(x, y)", [at["x"], at["y"]])["key"] == key
    tab.shot("public")
    tab.assert_clean()


def test_3d_draws_buildings_a_plan_volume_and_a_pipe_below_the_surface(tab, demo_store):
    tab.login()
    tab.open("/3d")
    stats = tab.stats()
    assert stats["buildings"] > 500 and stats["buildingTiles"] > 5
    assert {p.key for p in coordinator_view(demo_store).plans()} == set(stats["planKeys"])
    assert "volume" in stats["kinds"] and "trench" in stats["kinds"]
    assert stats["volumeTop"] > stats["groundY"] + 10  # planned storeys above the ground
    assert stats["trenchBottom"] < stats["groundY"] - 1  # trenches below it
    assert stats["pipes"] > 0 and stats["pipeTop"] < stats["groundY"]  # every pipe below the surface
    tab.shot("overview")
    # a planned building volume (the demo's area development with storeys) in pixels
    volume = stats["planKeys"]
    solids = httpx.get(
        tab.base + "/api/twin/plans", headers=token_headers(demo_store, DEMO_MUNICIPALITY, "coordinator"), timeout=30
    ).json()["plans"]
    with_model = {m["plan"] for m in stats["models"]}  # their BIM model is drawn instead of the volume
    key = next(p["key"] for p in solids if p["kind"] == "volume" and p["key"] in volume and p["key"] not in with_model)
    at = tab.page.evaluate("(k) => window.openruimte3d.focus('plan', k, [80, 60, 110])", key)
    assert tab.drawn("plans", at["x"], at["y"])
    tab.page.mouse.click(at["x"], at["y"])
    tab.page.wait_for_selector('[data-testid="twin-panel"]:not([hidden])')
    assert tab.page.get_attribute('[data-testid="twin-panel"]', "data-key") == key
    tab.shot("volume")
    # a placed BIM model (IFC converted to glTF on the server) stands on its footprint, drawn in pixels
    assert stats["models"], "the demo's BIM models are placed in the scene"
    model = stats["models"][0]
    at = tab.page.evaluate("(r) => window.openruimte3d.focusModel(r, [25, 20, 35])", model["ref"])
    assert tab.drawn("models", at["x"], at["y"])
    low, high = model["box"][:3], model["box"][3:]
    placed = httpx.get(
        tab.base + "/api/twin/models", headers=token_headers(demo_store, DEMO_MUNICIPALITY, "coordinator"), timeout=30
    ).json()["models"]
    meta = next(m for m in placed if m["ref"] == model["ref"])
    assert high[1] - low[1] == pytest.approx(meta["top_m"] - meta["bottom_m"], abs=0.05)
    assert low[1] == pytest.approx(meta["height"] + meta["bottom_m"], abs=0.05)  # NAP, as the model says
    tab.page.mouse.click(at["x"], at["y"])
    tab.page.wait_for_function("() => document.querySelector('[data-testid=twin-panel]').dataset.kind === 'model'")
    tab.shot("model")
    # a pipe: from below the surface it is drawn; from above, the opaque ground hides it until see-through
    pipe = tab.page.evaluate("() => window.openruimte3d.focusPipe()")
    assert pipe["y"] < pipe["groundY"]
    assert tab.drawn("pipes", pipe["screen"]["x"], pipe["screen"]["y"])
    tab.shot("pipe-below")
    tab.assert_clean()


def test_ground_hides_pipes_until_it_is_made_see_through(tab):
    tab.login()
    tab.open("/3d")
    pipe = tab.page.evaluate("() => window.openruimte3d.focusPipe()")
    # look at the same pipe from 25 m above the ground
    at = tab.page.evaluate("() => window.openruimte3d.lookFromAbove(25)")
    assert not tab.drawn("pipes", at["x"], at["y"]), "an opaque ground must hide the pipe"
    tab.page.check("#see-through")
    assert tab.drawn("pipes", at["x"], at["y"]), "through a see-through ground the pipe is visible"
    assert "ondergrond=1" in tab.page.evaluate("new Promise(r => setTimeout(() => r(location.hash), 500))")
    assert pipe["theme"]
    tab.shot("see-through")
    tab.assert_clean()


def test_sun_position_and_the_link_restores_camera_and_filters(tab, browser):
    tab.login()
    tab.open("/3d")
    tab.page.fill("#sun-date", "2026-06-21")
    tab.page.fill("#sun-time", "13:40")
    tab.page.dispatch_event("#sun-time", "change")
    # solar noon at 5.39 E is about 11:40 UTC (13:40 CEST); the altitude there is 90 - 52.16 + 23.44 = 61.3 degrees
    altitude = int(tab.page.get_attribute('[data-testid="twin-sun"]', "data-altitude"))
    azimuth = int(tab.page.get_attribute('[data-testid="twin-sun"]', "data-azimuth"))
    assert 60 <= altitude <= 62 and 170 <= azimuth <= 190
    tab.page.select_option("#f-phase", ["realisatie", "voorbereiding"])
    tab.page.select_option("#colour-by", "owner")
    shown = tab.page.get_attribute('[data-testid="twin-plan-count"]', "data-count")
    tab.page.evaluate("() => window.openruimte3d.focus('plan', window.openruimte3d.stats().planKeys[0], [40, 70, 20])")
    url = tab.page.evaluate("new Promise(r => setTimeout(() => r(location.href), 600))")
    assert "fase=voorbereiding%2Crealisatie" in url and "zon=2026-06-21T13%3A40" in url
    camera = tab.page.evaluate("() => window.openruimte3d.cameraState()")
    again = Tab(browser, tab.base)
    try:
        again.context.add_cookies(tab.context.cookies())
        again.open(urlparse(url).path + "#" + urlparse(url).fragment)
        assert again.page.get_attribute('[data-testid="twin-plan-count"]', "data-count") == shown
        assert again.page.eval_on_selector("#colour-by", "e => e.value") == "owner"
        restored = again.page.evaluate("() => window.openruimte3d.cameraState()")
        assert all(abs(a - b) < 0.2 for a, b in zip(camera, restored, strict=True))
        assert int(again.page.get_attribute('[data-testid="twin-sun"]', "data-altitude")) == altitude
        again.assert_clean()
    finally:
        again.close()
    tab.assert_clean()


def test_reaction_placed_in_3d_is_invisible_until_approved(tab, demo_store, server):
    tab.open("/publiek/3d")
    key = sorted(published_keys(demo_store))[-1]
    at = tab.page.evaluate("(k) => window.openruimte3d.focus('plan', k, [25, 40, 35])", key)
    tab.page.mouse.click(at["x"], at["y"])
    form = tab.page.wait_for_selector('[data-testid="reaction-form"]')
    assert form is not None
    text = "Graag de bomen terugplaatsen na het werk (e2e)"
    tab.page.fill('[data-testid="reaction-form"] textarea', text)
    tab.page.fill('[data-testid="reaction-form"] input[type=email]', "bewoner@example.org")
    tab.page.click('[data-testid="reaction-form"] button[type=submit]')
    tab.page.wait_for_selector('[data-testid="reaction-form"] .result[data-receipt]')
    owner, plan_id = key.split(":", 1)
    public = httpx.get(f"{server}/api/public/plans/{owner}/{plan_id}/reactions", timeout=30).json()
    assert text not in json.dumps(public)  # not approved: invisible to the public
    tab.page.mouse.click(at["x"], at["y"])
    tab.page.wait_for_selector('[data-testid="reaction-list"]')
    assert text not in tab.page.inner_text('[data-testid="twin-panel"]')
    coord = token_headers(demo_store, DEMO_MUNICIPALITY, "coordinator")
    queue = httpx.get(f"{server}/api/reactions", params={"status": "pending"}, headers=coord, timeout=30).json()
    made = next(r for r in queue["reactions"] if r["text"] == text)
    assert made["email"] == "bewoner@example.org"
    approved = httpx.post(f"{server}/api/reactions/{made['id']}/approve", headers=coord, timeout=30)
    assert approved.json()["status"] == "approved"
    tab.page.mouse.click(at["x"], at["y"])
    tab.page.wait_for_function(
        "(t) => document.querySelector('[data-testid=\"reaction-list\"]').innerText.includes(t)", arg=text
    )
    assert "bewoner@example.org" not in tab.page.content()
    tab.shot("reaction")
    tab.assert_clean()


def test_designer_uploads_a_model_version_from_the_3d_panel(tab, demo_store, tmp_path):
    from openruimte.bim.sample import write_sample
    from openruimte.services.demo import DEMO_EDITOR

    tab.page.goto(tab.base + "/login?next=/3d")
    tab.page.fill('[data-testid="login-email"]', DEMO_EDITOR)
    tab.page.fill('[data-testid="login-password"]', DEMO_PASSWORD)
    tab.page.click('[data-testid="login-submit"]')
    tab.page.wait_for_url(tab.base + "/3d")
    tab.open("/3d")
    solids = httpx.get(
        tab.base + "/api/twin/plans", headers=token_headers(demo_store, "netbeheerder-noord", "editor"), timeout=30
    ).json()["plans"]
    plan = next(p for p in solids if p["owner"] == "netbeheerder-noord" and p["kind"] == "trench")
    at = tab.page.evaluate("(k) => window.openruimte3d.focus('plan', k, [25, 40, 35])", plan["key"])
    tab.page.mouse.click(at["x"], at["y"])
    form = tab.page.wait_for_selector('[data-testid="model-upload"]')
    ifc = write_sample(tmp_path / "station.ifc", eastings=plan["anchor"][0], northings=plan["anchor"][1], storeys=1)
    form.query_selector('input[type="file"]').set_input_files(str(ifc))
    tab.page.click('[data-testid="model-upload"] button[type=submit]')
    tab.page.wait_for_function(
        "() => document.querySelector('[data-testid=model-upload] .result').innerText.includes('1')", timeout=120_000
    )
    tab.page.wait_for_function(
        "(k) => window.openruimte3d.stats().models.some((m) => m.plan === k)", arg=plan["key"], timeout=120_000
    )
    tab.shot("upload")
    tab.assert_clean()
