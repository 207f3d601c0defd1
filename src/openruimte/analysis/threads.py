"""Vectorised shapely calls over threads (issue 12).

shapely 2 releases the GIL inside its vectorised GEOS calls, so one call cut into
parts runs on several cores in threads; every element is computed by the same GEOS
call as before, so the values are identical. Small inputs run in one piece.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np

#: below this many elements a call is not split
MIN_SPLIT = 20_000


def workers() -> int:
    """Threads to use: the cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


_POOL: ThreadPoolExecutor | None = None


def _pool() -> ThreadPoolExecutor:
    global _POOL
    if _POOL is None:
        _POOL = ThreadPoolExecutor(max(1, workers()), thread_name_prefix="openruimte-geos")
    return _POOL


_BACKGROUND: ThreadPoolExecutor | None = None


def background() -> ThreadPoolExecutor:
    """A pool for independent tasks that run while the caller goes on (e.g. the shared
    lengths while the records are made); separate from :func:`split_call`'s pool, so a
    task here never waits behind (or for) a split call."""
    global _BACKGROUND
    if _BACKGROUND is None:
        _BACKGROUND = ThreadPoolExecutor(max(1, workers()), thread_name_prefix="openruimte-background")
    return _BACKGROUND


def split_call(fn: Callable[..., np.ndarray], *arrays: np.ndarray, **kwargs: Any) -> np.ndarray:
    """``fn(*arrays, **kwargs)`` for element-wise ``fn``, in parts over threads."""
    n = len(arrays[0]) if arrays else 0
    parts = min(workers(), max(1, n // MIN_SPLIT))
    if parts <= 1:
        return fn(*arrays, **kwargs)
    bounds = np.linspace(0, n, parts + 1).astype(int)
    futures = [
        _pool().submit(fn, *(a[lo:hi] for a in arrays), **kwargs)
        for lo, hi in zip(bounds[:-1], bounds[1:], strict=True)
    ]
    return np.concatenate([f.result() for f in futures])
