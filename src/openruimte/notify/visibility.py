"""What a recipient organisation of a notification may learn of a plan: the same
rule as every read path (:mod:`openruimte.store.permissions`), applied to the
organisation as a whole (a viewer of it: its coordinator role does not unmask
sensitive plans in the organisation's feed)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from openruimte.store.permissions import Principal, Role, masked_for
from openruimte.store.permissions import may_see as principal_may_see


@dataclass(frozen=True)
class Viewer:
    """An organisation that looks: its code and whether it sits at the programming table."""

    code: str
    at_table: bool = True

    @property
    def principal(self) -> Principal:
        return Principal(org=self.code, role=Role.VIEWER, actor=f"org:{self.code}", at_table=self.at_table)


def may_see(plan: Any, org: Viewer) -> bool:
    """Whether ``org`` may see ``plan`` itself, not just "an undisclosed party"."""
    principal = org.principal
    return principal_may_see(principal, plan.owner, plan.visibility) and not masked_for(principal, plan)
