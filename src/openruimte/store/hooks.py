"""Change hooks of the store's one write path.

A hook is called by :class:`~openruimte.store.repository.Writer` inside the
writing transaction, after the rows are written, with the writer (its
``conn``, ``spatial``, ``now``, ``actor``), the kind of record and the changes as
``(before, after)`` pairs (``before`` None: inserted; ``after`` None: deleted). Whatever a hook writes
through ``writer.conn`` commits with the change or not at all; an exception
rolls the whole write back.

The store imports no use case: packages above it subscribe (``notify``
subscribes where the store is opened for the app and the CLI).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

#: ``hook(writer, kind, [(before, after), ...])``
ChangeHook = Callable[[Any, str, Sequence[tuple[Any, Any]]], None]

_HOOKS: list[ChangeHook] = []


def subscribe(hook: ChangeHook) -> ChangeHook:
    """Call ``hook`` on every write of this process (once, however often subscribed)."""
    if hook not in _HOOKS:
        _HOOKS.append(hook)
    return hook


def unsubscribe(hook: ChangeHook) -> None:
    if hook in _HOOKS:
        _HOOKS.remove(hook)


def subscribed() -> tuple[ChangeHook, ...]:
    return tuple(_HOOKS)


def changed(writer: Any, kind: str, changes: Sequence[tuple[Any, Any]]) -> None:
    """Tell every hook of ``changes`` (inside ``writer``'s transaction)."""
    if not changes:
        return
    for hook in tuple(_HOOKS):
        hook(writer, kind, changes)
