"""Who may see a plan, for notifications.

PROVISIONAL: the lead replaces :func:`may_see` by the central permission filter
at merge; notifications call nothing else to decide what a recipient learns.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from openruimte.model.vocab import Visibility


@dataclass(frozen=True)
class Viewer:
    """An organisation that looks: its code and whether it sits at the programming
    table (is registered in ``organisations``)."""

    code: str
    at_table: bool = True


def may_see(plan: Any, org: Viewer) -> bool:
    """Whether ``org`` may see ``plan`` itself (not just "an undisclosed party").

    ``private``: the owner only; ``shared``: the owner and organisations at the
    programming table; ``public``: everyone. A commercially sensitive plan is
    never disclosed to anyone but its owner."""
    if plan.owner == org.code:
        return True
    if getattr(plan, "sensitive", False):
        return False
    visibility = Visibility(plan.visibility)
    if visibility is Visibility.PUBLIC:
        return True
    if visibility is Visibility.SHARED:
        return org.at_table
    return False
