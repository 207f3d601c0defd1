"""The use cases that follow every write of the store (its change hooks, store/hooks.py):
change notifications to partners (notify), the saved analysis pairs (issue 12) and the
plan-rule checks of new model versions (issue 15).
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


def check_rules(writer: Any, kind: str, changes: Sequence[tuple[Any, Any]]) -> None:
    """A new model version is checked against the plan rules at its footprint, in its transaction."""
    if kind != "bim_model_versions":
        return
    from openruimte.services.rulecheck import on_write

    on_write(writer, kind, changes)


def subscribe() -> None:
    """Notifications, the saved pairs and the plan-rule checks follow every write (idempotent)."""
    notify_changes.subscribe()
    hooks.subscribe(keep_pairs)
    hooks.subscribe(check_rules)
