"""Rendered responses kept while the store's data stays the same, with ETags.

The programming map asks for every plan at once; rendering 10k plans takes the
server 1-2 s (read, transform to WGS84, encode) and the result only changes when
something is written. An entry is keyed by the store's data version (the newest
audit entry: it grows with every write), the request's path and query, and the
caller's visibility scope (``Principal.cache_key``: anonymous, an organisation
at or outside the programming table, a coordinator), which is resolved anew on
every request, after authentication: two callers who may see different plans
never share an entry, and a revoked token never reaches the cache. The ETag lets a browser revalidate with
``If-None-Match`` and get a 304 without a body.
"""

from __future__ import annotations

import gc
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from fastapi import Request, Response

from openruimte.store.permissions import View

#: total size of the kept bodies; the least recently used go first
DEFAULT_MAX_BYTES = 256 * 1024 * 1024


class ResponseCache:
    """Rendered bodies of one data version (a newer version empties it), least recently used first out."""

    def __init__(self, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.max_bytes = max_bytes
        self._lock = threading.Lock()
        self._version: int | None = None
        self._entries: OrderedDict[tuple[Any, ...], tuple[bytes, str]] = OrderedDict()
        self._bytes = 0

    def get(self, version: int, key: tuple[Any, ...], render: Callable[[], bytes]) -> tuple[bytes, str]:
        with self._lock:
            if version != self._version:
                self._entries.clear()
                self._bytes = 0
                self._version = version
            hit = self._entries.get(key)
            if hit is not None:
                self._entries.move_to_end(key)
                return hit
        with gc_paused():
            body = render()  # outside the lock: other requests go on meanwhile
        entry = (body, '"' + hashlib.sha256(body).hexdigest()[:32] + '"')
        with self._lock:
            # kept only while its version is still the newest (a write may have come meanwhile)
            if version == self._version and key not in self._entries and len(body) <= self.max_bytes:
                self._entries[key] = entry
                self._bytes += len(body)
                while self._bytes > self.max_bytes:
                    _, (old, _) = self._entries.popitem(last=False)
                    self._bytes -= len(old)
        return entry


_gc_lock = threading.Lock()
_gc_renders = 0
_gc_was_enabled = False


@contextmanager
def gc_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off while a response is rendered. A render of 10,000 plans
    or a tile of buildings makes hundreds of thousands of short-lived objects (none in a cycle:
    reference counting frees them all) and each few thousand of them set off a collection that walks
    the whole server's heap: 20-40 % of a cold render's time. The collector is on again (when it was
    on) as soon as no render is running; renders in other threads share one pause."""
    global _gc_renders, _gc_was_enabled
    with _gc_lock:
        if _gc_renders == 0:
            _gc_was_enabled = gc.isenabled()
            gc.disable()
        _gc_renders += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_renders -= 1
            if _gc_renders == 0 and _gc_was_enabled:
                gc.enable()


def cached(request: Request, view: View, render: Callable[[], bytes], media_type: str = "application/json") -> Response:
    """The rendered body for this request (from the cache when the data has not changed), or 304."""
    cache: ResponseCache | None = getattr(request.app.state, "response_cache", None)
    if cache is None:
        cache = request.app.state.response_cache = ResponseCache()
    key = (request.url.path, str(request.url.query), view.principal.cache_key)
    body, etag = cache.get(view.data_version(), key, render)
    headers = {"ETag": etag, "Cache-Control": "private, no-cache", "Vary": "Authorization, Cookie"}
    if etag in {t.strip() for t in request.headers.get("if-none-match", "").split(",")}:
        return Response(status_code=304, headers=headers)
    return Response(body, media_type=media_type, headers=headers)
