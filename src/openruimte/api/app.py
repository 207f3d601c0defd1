"""The app factory: settings validated on load, nothing done at import time."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from openruimte.api import auth, errors
from openruimte.api.errors import error_body
from openruimte.api.routers import (
    bim,
    bimcheck,
    clearance,
    collab,
    imports,
    mapdata,
    notifications,
    ogc,
    participation,
    plans,
    public,
    resources,
    roadmap,
    rulecheck,
    rules,
    sun,
    tiles,
    twin,
    web,
)
from openruimte.model.geometry import VERTEX_LIMIT
from openruimte.services.hooks import subscribe as subscribe_write_hooks
from openruimte.settings import Settings
from openruimte.store import Store

log = logging.getLogger("openruimte.webhooks")

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data: blob: https://service.pdok.nl; "
        "style-src 'self' 'unsafe-inline'; worker-src 'self' blob:; child-src blob:; "
        "connect-src 'self' https://service.pdok.nl; frame-ancestors 'none'"
    ),
}


#: paths whose answers depend on who asks (store/permissions.py)
PER_PRINCIPAL = ("/api", "/ogc", "/tiles")


class LimitsAndHeaders:
    """Refuses bodies over the limit with 413 (also without Content-Length) and
    adds security headers to every response."""

    def __init__(
        self, app: ASGIApp, max_body: int, max_vertices: int | None = None, max_upload: int | None = None
    ) -> None:
        self.app = app
        self.max_body = max_body
        self.max_vertices = max_vertices
        #: BIM model uploads (POST /api/bim/...) have their own, larger limit
        self.max_upload = max_upload

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length")
        max_body = self.max_body
        if self.max_upload and scope.get("method") == "POST" and scope.get("path", "").startswith("/api/bim/"):
            max_body = self.max_upload + 64 * 1024  # the file plus the multipart framing
        if length is not None and length.isdigit() and int(length) > max_body:
            await self._too_large(send, max_body)
            return
        seen = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > max_body:
                    raise _TooLarge(max_body)
            return message

        per_principal = scope.get("path", "").startswith(PER_PRINCIPAL)

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = list(message.get("headers", []))
                if per_principal:  # answers differ per caller: never from a shared cache
                    given = b"".join(v for k, v in headers if k.lower() == b"cache-control")
                    if b"no-store" not in given:
                        headers = [(k, v) for k, v in headers if k.lower() != b"cache-control"]
                        headers.append((b"cache-control", b"private, no-cache"))
                    headers.append((b"vary", b"Authorization, Cookie"))
                present = {k.lower() for k, _ in headers}
                extra = [
                    (k.lower().encode(), v.encode())
                    for k, v in SECURITY_HEADERS.items()
                    if k.lower().encode() not in present
                ]
                message["headers"] = headers + extra
            await send(message)

        token = VERTEX_LIMIT.set(self.max_vertices)  # the request's handlers and readers see it
        try:
            await self.app(scope, limited_receive, send_with_headers)
        except _TooLarge:
            if not started:
                await self._too_large(send, max_body)
        finally:
            VERTEX_LIMIT.reset(token)

    async def _too_large(self, send: Send, max_body: int) -> None:
        import json

        body = json.dumps(error_body(413, "too_large", f"the request body is larger than {max_body} bytes")).encode()
        headers = [(b"content-type", b"application/json")]
        headers += [(k.lower().encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]
        await send({"type": "http.response.start", "status": 413, "headers": headers})
        await send({"type": "http.response.body", "body": body})


class _TooLarge(HTTPException):
    """Raised while a body is read past the limit. An HTTPException, so that
    FastAPI's body parsing lets it through (it turns other errors into 400) and
    the error handler answers 413; the middleware answers it for the rest."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the request body is larger than {limit} bytes")


async def _deliver_webhooks(store: Store, settings: Settings, stop: asyncio.Event) -> None:
    """The webhook delivery task: every ``webhook_interval_s``, send what is due (in a thread)."""
    from openruimte.notify.webhooks import Policy, deliver_due

    policy = Policy(max_attempts=settings.webhook_max_attempts, backoff_s=settings.webhook_backoff_s)
    while not stop.is_set():
        try:
            await asyncio.to_thread(deliver_due, store, policy)
        except Exception:  # a database hiccup must not end the task; it is logged and retried
            log.exception("webhook delivery run failed")
        try:
            await asyncio.wait_for(stop.wait(), timeout=settings.webhook_interval_s)
        except TimeoutError:
            pass


def create_app(settings: Settings | None = None, store: Store | None = None) -> FastAPI:
    """The OpenRuimte web app over ``store`` (or the database the settings name)."""
    settings = settings or Settings()
    subscribe_write_hooks()  # plan changes notify partners and keep the saved pairs (store write hooks)
    own_store = store is None
    store = store or Store.open(settings.database_url)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        stop = asyncio.Event()
        worker = asyncio.create_task(_deliver_webhooks(store, settings, stop)) if settings.webhook_worker else None
        yield
        stop.set()
        if worker is not None:
            await worker
        if own_store:
            store.close()

    app = FastAPI(
        docs_url=None,
        redoc_url=None,
        title="OpenRuimte",
        description=(
            "Gedeelde informatieomgeving voor integraal programmeren / "
            "shared information environment for integral programming"
        ),
        version="0.1.0",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.store = store
    errors.install(app)
    routers = (
        auth,
        plans,
        mapdata,
        imports,
        collab,
        notifications,
        public,
        resources,
        roadmap,
        tiles,
        ogc,
        bim,
        bimcheck,
        rules,  # plan rules (#15)
        rulecheck,
        twin,
        participation,
        clearance,
        sun,
        web,
    )
    for router in (r.router for r in routers):
        app.include_router(router)
    web.mount_static(app)
    twin.mount(app)  # 3D twin bundle (#16)
    app.add_middleware(
        LimitsAndHeaders,
        max_body=settings.max_body_bytes,
        max_vertices=settings.max_vertices,
        max_upload=settings.bim_max_bytes,
    )
    origins = [o.strip() for o in settings.cors_origins.split(",") if o.strip()]
    if origins:  # browser clients on other origins (README "Security model"); credentials never
        from starlette.middleware.cors import CORSMiddleware

        app.add_middleware(
            CORSMiddleware,
            allow_origins=origins,
            allow_methods=["GET", "HEAD", "OPTIONS"],
            allow_headers=["Authorization", "Accept", "If-None-Match"],
            expose_headers=["ETag", "Link", "Content-Crs", "OGC-NumberMatched"],
            allow_credentials=False,
            max_age=600,
        )
    proxies = settings.forwarded_allow_ips.strip()
    if proxies:  # the client's address from the named proxies' X-Forwarded-For; from nobody else
        from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=proxies)
    return app


def server(app: FastAPI, host: str, port: int) -> Any:
    """The uvicorn server that ``openruimte serve`` runs (the tests run the same).

    uvicorn's own proxy handling is off: by default it trusts X-Forwarded-For
    from loopback, which lets anyone on the machine choose their address. The
    app trusts the proxies of ``forwarded_allow_ips`` only (:func:`create_app`)."""
    import uvicorn

    return uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="warning", proxy_headers=False))
