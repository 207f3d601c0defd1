"""A real HTTP server (uvicorn) of the app on a free loopback port, in a thread."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx

from openruimte.api import Settings, create_app
from openruimte.api.app import server as serving
from openruimte.store import Store


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def live_server(store: Store, settings: Settings | None = None, *, patience_s: float = 20) -> Iterator[str]:
    """Serve the app over ``store``; yields the base URL (http://127.0.0.1:PORT).

    ``patience_s``: how long to wait for the first answer (the benchmarks give a busy
    machine minutes: under a load average of 10 the first request alone can take seconds)."""
    port = free_port()
    app = create_app(settings or Settings(), store=store)
    server = serving(app, "127.0.0.1", port)  # as `openruimte serve` runs it
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + patience_s
    while True:
        try:
            httpx.get(base + "/api/info", timeout=max(2.0, patience_s / 10))
            break
        except httpx.HTTPError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)
    try:
        yield base
    finally:
        server.should_exit = True
        thread.join(timeout=max(10.0, patience_s / 10))
