"""The use cases that follow every write of the store (its change hooks, store/hooks.py):
change notifications to partners (notify) and the saved analysis pairs (issue 12).
Subscribed wherever a store is opened for the app, the CLI and the demo."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from openruimte.notify import changes as notify_changes
from openruimte.store import hooks


def keep_pairs(writer: Any, kind: str, changes: Sequence[tuple[Any, Any]]) -> None:
    """The saved analysis pairs follow a plan write, in its transaction (nothing to do when no
    analysis was saved)."""
    if kind != "plans":
        return
    from openruimte.services.analyse_incremental import update_pairs

    keys = {(after if after is not None else before).key for before, after in changes}
    update_pairs(writer, keys)


def subscribe() -> None:
    """Notifications and the saved pairs follow every write (idempotent)."""
    notify_changes.subscribe()
    hooks.subscribe(keep_pairs)
