"""First render of the programming map in headless Chromium (issue 4: target < 2 s at 10k plans).

For each size the plans of the analysis benchmark (``bench/_plans.py``: realistic
lines, polygons and points in street grids) go into a fresh SQLite store, the
app is served by uvicorn on a loopback port, and Debian's Chromium (Playwright,
the flags of the e2e tests, every host but 127.0.0.1 blocked: offline) opens
``/`` several times. The figure is the page's own ``firstRenderMs``: from
navigation start to the first idle frame with every plan drawn (the map sets
``data-first-render-ms`` then). Its steps (config, map load, plans fetched) and
the size and server time of the start-up request (``/api/map``: configuration,
areas, analysis and plans in one body) are printed beside it. The first load of
each size is "cold": the server renders the plans; later loads get them from the
server's response cache (unchanged data version). With every figure: the load
average and the CPU seconds the page load cost this process tree (the browser's
processes and the in-process server), which a busy machine inflates far less than
the wall-clock time.

Each page load logs in as a coordinator through the login page first (the
map needs a login); the figure counts from the map page's own navigation.

    .venv/bin/python bench/ui_render.py [--sizes 1000,10000] [--runs 5] [--viewport 1440x900]
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse

import httpx
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._plans import make_plans  # noqa: E402
from openruimte.model import Visibility  # noqa: E402
from openruimte.store import Store, security  # noqa: E402
from tests.support.server import live_server  # noqa: E402
from tests.support.system import ensure_command  # noqa: E402

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
TARGET_MS = 2000
console = Console(width=200)


@dataclasses.dataclass
class Run:
    first_render_ms: float
    steps: dict[str, float]
    cpu_s: float = 0.0
    load: float = 0.0


def tree_cpu() -> float:
    """CPU seconds (user + system) of this process and every live descendant (the browser's processes)."""
    parent: dict[int, int] = {}
    ticks: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parent[int(entry)] = int(fields[1])
        ticks[int(entry)] = int(fields[11]) + int(fields[12])
    me, total = os.getpid(), 0
    for pid, t in ticks.items():
        p = pid
        while p > 1 and p != me:
            p = parent.get(p, 0)
        if p == me:
            total += t
    return total / os.sysconf("SC_CLK_TCK")


USER, PASSWORD = "coordinator@bench.example", "bench-only-password-1"


def fill(db: Path, n: int) -> str:
    """The plans in a new store, a coordinator login and an API token (returned) for the same org."""
    plans = [dataclasses.replace(p, visibility=Visibility.PUBLIC) for p in make_plans(n)]
    with Store.open(str(db)) as store:
        with store.writer(actor="bench") as writer:
            writer.upsert("plans", plans)
        security.add_org(store, "gemeente-bench", "Gemeente Bench", "gemeente", at_table=True, actor="bench")
        security.add_user(store, USER, "gemeente-bench", "coordinator", PASSWORD, actor="bench")
        token, _ = security.create_token(
            store, "gemeente-bench", "coordinator", expires_days=1, label="bench", actor="bench"
        )
    return token


def serve(store: Store):
    """The app on a loopback port, with patience for a busy machine (five minutes for the first answer)."""
    from openruimte.api import Settings

    return live_server(store, Settings(webhook_worker=False), patience_s=300)


def open_once(browser, base: str, viewport: tuple[int, int]) -> Run:
    context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})

    def route(r) -> None:
        if urlparse(r.request.url).hostname == "127.0.0.1" or r.request.url.startswith(("data:", "blob:")):
            r.continue_()
        else:
            r.abort("internetdisconnected")

    context.route("**/*", route)
    page = context.new_page()
    cpu0 = tree_cpu()
    # the programming map needs a login; the figure counts from the map page's own navigation start
    page.goto(base + "/login?next=/")
    page.fill('[data-testid="login-email"]', USER)
    page.fill('[data-testid="login-password"]', PASSWORD)
    page.click('[data-testid="login-submit"]')
    page.wait_for_selector("#map[data-first-render-ms]", state="attached", timeout=180_000)
    perf = page.evaluate("() => window.openruimte && window.openruimte.perf")
    first = float(page.get_attribute("#map", "data-first-render-ms"))
    cpu = tree_cpu() - cpu0
    context.close()
    steps = {k: float(v) for k, v in ((perf or {}).get("steps") or {}).items()}
    return Run(first, steps, cpu, os.getloadavg()[0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000", help="plan counts, comma separated")
    parser.add_argument("--runs", type=int, default=5, help="page loads per size (the first one warms caches)")
    parser.add_argument("--viewport", default="1440x900")
    args = parser.parse_args()
    viewport = tuple(int(v) for v in args.viewport.split("x"))
    executable = ensure_command("chromium", "chromium")
    from playwright.sync_api import sync_playwright

    table = Table(title=f"First render of the programming map (target < {TARGET_MS:,} ms at 10k plans)")
    cols = (
        "plans",
        "/api/map",
        "server ms",
        "cold ms",
        "median ms",
        "p95 ms",
        "min ms",
        "CPU s cold / warm",
        "load",
        "steps (median ms)",
    )
    for col in cols:
        table.add_column(col, justify="left" if col.startswith("steps") else "right")
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    with tempfile.TemporaryDirectory(prefix="openruimte-ui-render-") as tmp, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        with Progress(console=console) as progress:
            task = progress.add_task("first render", total=len(sizes) * (args.runs + 1))
            for n in sizes:
                db = Path(tmp) / f"plans-{n}.db"
                progress.update(task, description=f"{n:,} plans: store")
                token = fill(db, n)
                with Store.open(str(db)) as store, serve(store) as base:
                    # cold: the server renders the plans for this first page load (nothing cached yet)
                    cold = open_once(browser, base, viewport)
                    progress.advance(task)
                    t0 = time.perf_counter()
                    response = httpx.get(base + "/api/map", headers={"Authorization": f"Bearer {token}"}, timeout=120)
                    if response.status_code == 404:  # before the one start-up request: the plans' request
                        t0 = time.perf_counter()
                        response = httpx.get(
                            base + "/api/plans",
                            params={"limit": 100000},
                            headers={"Authorization": f"Bearer {token}"},
                            timeout=120,
                        )
                    server_ms = (time.perf_counter() - t0) * 1000
                    size_mb = len(response.content) / 1e6
                    runs = []
                    for i in range(args.runs):
                        progress.update(task, description=f"{n:,} plans: page load {i + 1}/{args.runs}")
                        runs.append(open_once(browser, base, viewport))
                        progress.advance(task)
                timed = [r.first_render_ms for r in runs]
                steps = {k: statistics.median(r.steps.get(k, 0) for r in runs) for k in runs[0].steps}
                p95 = sorted(timed)[max(0, round(0.95 * len(timed)) - 1)]
                median = statistics.median(timed)
                colour = "green" if median < TARGET_MS else "red"
                table.add_row(
                    f"{n:,}",
                    f"{size_mb:,.1f} MB",
                    f"{server_ms:,.0f}",
                    f"{cold.first_render_ms:,.0f}",
                    f"[{colour}]{median:,.0f}[/]",
                    f"{p95:,.0f}",
                    f"{min(timed):,.0f}",
                    f"{cold.cpu_s:.1f} / {statistics.median(r.cpu_s for r in runs):.1f}",
                    f"{cold.load:.1f}-{max(r.load for r in runs):.1f}",
                    ", ".join(f"{k} {v:,.0f}" for k, v in steps.items()),
                )
        browser.close()
    console.print(table)
    console.print(
        "[dim]ms from navigation start. cold: the first page load after the data was written (the server"
        " renders the plans); the others get the rendered plans from the server's cache (same data"
        " version); server ms: one cached /api/map request over HTTP; CPU s: of the browser and the"
        " in-process server during one page load; load: 1-minute load average after the loads. Every load is a fresh browser"
        " context (no browser cache).[/]"
    )


if __name__ == "__main__":
    main()
