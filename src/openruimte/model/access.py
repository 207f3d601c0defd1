"""Who may see what: the one visibility rule (pure; the store applies it in SQL).

Every reader applies this rule: the store's :class:`~openruimte.store.permissions.View`
(REST, exports, OGC API Features, vector tiles, analysis results, the public
map), the reports (Gantt, dossier: published to every party) and the change
notifications (an organisation as a whole).

Rules (README "Security model"):

``private``  the owning organisation only;
``shared``   the owner, the organisations at the programming table and the coordinator;
``public``   everyone, also without logging in.

Commercially sensitive plans of other organisations are *masked*
(:func:`mask_plan`): geometry, phase and period stay, everything that names the
party goes. What may not be seen at all is told only as "een niet-genoemde
partij ... in BUURT in KWARTAAL" (:func:`undisclosed_text`, :func:`quarter`).
The coordinator (the municipality's urban programmer) sees everything shared,
sensitive plans unmasked.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import hmac
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from openruimte.model.entities import Plan
from openruimte.model.errors import OpenRuimteError
from openruimte.model.vocab import Visibility

#: the owner code of masked plans (reserved: no organisation may take it)
UNDISCLOSED = "niet-genoemd"
#: the party that may not be named, Dutch and English (one spelling everywhere)
UNDISCLOSED_PARTY = "niet-genoemde partij"
UNDISCLOSED_PARTY_EN = "undisclosed party"
#: the name a masked plan carries, Dutch and English
UNDISCLOSED_NAME = "Werkzaamheden van een niet-genoemde partij"
UNDISCLOSED_NAME_EN = "Works by an undisclosed party"


class Role(StrEnum):
    """What a user or token of an organisation may do."""

    VIEWER = "viewer"
    EDITOR = "editor"
    ADMIN = "admin"
    COORDINATOR = "coordinator"


WRITE_ROLES = frozenset({Role.EDITOR, Role.ADMIN})


class Forbidden(OpenRuimteError):
    code = "forbidden"
    status = 403


@dataclass(frozen=True)
class Principal:
    """Who is asking: an organisation and a role, or nobody (anonymous), or the
    local system (CLI, analyses: sees everything)."""

    org: str | None = None
    role: Role | None = None
    #: written to the audit log: ``user:EMAIL``, ``token:ID``, ``anonymous`` or ``system``
    actor: str = "anonymous"
    #: is the organisation at the programming table (sees what others share)
    at_table: bool = False
    system: bool = False
    #: how the request was authenticated: none, token or session
    auth: str = "none"

    @property
    def anonymous(self) -> bool:
        return self.org is None and not self.system

    @property
    def coordinator(self) -> bool:
        return self.role is Role.COORDINATOR

    @property
    def sees_shared(self) -> bool:
        return self.system or self.coordinator or (self.org is not None and self.at_table)

    @property
    def cache_key(self) -> tuple[Any, ...]:
        """Two principals with the same key see exactly the same data (caches key on it)."""
        if self.system:
            return ("system",)
        if self.org is None:
            return ("anonymous",)
        return (self.org, "coordinator" if self.coordinator else "table" if self.at_table else "outside")

    def may_write(self, owner: str) -> bool:
        """Writes to an organisation's rows: its editors and admins only."""
        return self.system or (self.org == owner and self.role in WRITE_ROLES)


ANONYMOUS = Principal()
SYSTEM = Principal(actor="system", system=True, auth="system")
#: the reader of a published report (Gantt chart, area dossier): any party at the table
REPORT_READER = Principal(actor="report", at_table=True)


def organisation(code: str, *, at_table: bool = True) -> Principal:
    """An organisation as a whole (a viewer of it: its coordinator role does not unmask
    sensitive plans in the organisation's notifications)."""
    return Principal(org=code, role=Role.VIEWER, actor=f"org:{code}", at_table=at_table)


def may_see(principal: Principal, owner: str, visibility: Visibility | str) -> bool:
    """May ``principal`` see a row of ``owner`` with ``visibility`` (the store's
    ``visible_clause`` is the SQL twin)."""
    if principal.system or (principal.org is not None and owner == principal.org):
        return True
    vis = Visibility(visibility)
    return vis is Visibility.PUBLIC or (vis is Visibility.SHARED and principal.sees_shared)


def masked_for(principal: Principal, plan: Any) -> bool:
    """Is this (visible) plan shown to the principal only as works of an undisclosed party?"""
    return bool(plan.sensitive) and not principal.system and not principal.coordinator and plan.owner != principal.org


def disclosed(principal: Principal, plan: Any) -> bool:
    """May ``principal`` see ``plan`` itself, not just "an undisclosed party"?"""
    return may_see(principal, plan.owner, plan.visibility) and not masked_for(principal, plan)


def opaque_id(secret: str, key: str) -> str:
    """A stable id for a masked plan that cannot be turned back into its key without the server secret."""
    return hmac.new(secret.encode(), key.encode(), hashlib.sha256).hexdigest()[:20]


def mask_plan(plan: Plan, secret: str) -> Plan:
    """The plan as a non-owner sees a sensitive plan: geometry, phase, hardness and
    period stay; owner, name, id, asset types, themes, programme, budget,
    contact, goals, dwellings and the phase planning go."""
    return dataclasses.replace(
        plan,
        id=opaque_id(secret, plan.key),
        owner=UNDISCLOSED,
        name=UNDISCLOSED_NAME,
        asset_types=(),
        themes=(),
        programme=None,
        budget_eur=None,
        contact=None,
        goals=(),
        dwellings=None,
        phase_planning={},
    )


def shown_name(plan: Any, principal: Principal = REPORT_READER) -> str:
    """The plan's name as ``principal`` may read it."""
    return UNDISCLOSED_NAME if masked_for(principal, plan) else plan.name


def shown_owner(plan: Any, principal: Principal = REPORT_READER, names: dict[str, str] | None = None) -> str:
    """The plan's owner (its name when ``names`` has it) as ``principal`` may read it."""
    if masked_for(principal, plan):
        return UNDISCLOSED_PARTY if names is not None else UNDISCLOSED
    return (names or {}).get(plan.owner, plan.owner)


def quarter_code(date: dt.date | None) -> str | None:
    """``2027-K3`` (kwartaal) of a date, None without one."""
    if date is None:
        return None
    return f"{date.year}-K{(date.month - 1) // 3 + 1}"


def quarter(date: dt.date | None, lang: str = "nl") -> str:
    """The quarter of a date as text: ``2027-K3`` / ``Q3 2027``; without a date
    ``een nog niet geplande periode`` / ``a period not yet planned``."""
    code = quarter_code(date)
    if lang == "en":
        return f"Q{code[-1]} {code[:4]}" if code else "a period not yet planned"
    return code or "een nog niet geplande periode"


def undisclosed_text(what: str, area: str, date: dt.date | None, lang: str = "nl") -> str:
    """What is told of works that may not be named: ``een niet-genoemde partij
    {what} in {area} in {quarter}`` (``what``: the verb phrase in ``lang``)."""
    if lang == "en":
        return f"an {UNDISCLOSED_PARTY_EN} {what} in {area} in {quarter(date, 'en')}"
    return f"een {UNDISCLOSED_PARTY} {what} in {area} in {quarter(date)}"


def may_see_assessment(principal: Principal, org: str, visibility: str, shared_with: Sequence[str] = ()) -> bool:
    """A BIM roadmap self-assessment (issue 17) is the organisation's choice to show: ``private``
    the organisation only; ``shared`` the organisation and the organisations it chose
    (``shared_with``; not the programming table, not the coordinator); ``public`` everyone. The
    local system sees all."""
    if principal.system or (principal.org is not None and principal.org == org):
        return True
    if visibility == "public":
        return True
    return visibility == "shared" and principal.org is not None and principal.org in shared_with
