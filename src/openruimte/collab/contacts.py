"""Contact persons: who to call about a plan or at an organisation.

Personal data (name, e-mail, phone) is shown only to organisations at the
programming table, the contact's own organisation and the coordinator
(:func:`personal_data_visible`); others see the role and organisation only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from openruimte.model.errors import FieldError

#: the usual roles (others may be given; these are suggested in the UI)
ROLES = (
    "projectleider",
    "assetmanager",
    "omgevingsmanager",
    "programmeur",
    "contractmanager",
    "werkvoorbereider",
    "toezichthouder",
    "communicatieadviseur",
    "bestuurder",
)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^\+?[0-9 ()-]{6,20}$")


@dataclass(frozen=True)
class Contact:
    org: str
    name: str
    role: str
    email: str | None = None
    phone: str | None = None
    #: the plan (``owner:id``) this person is the contact for; None: for the organisation
    plan_key: str | None = None

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise FieldError("name", "a contact needs a name")
        role = self.role.strip().lower()
        if not role or not re.fullmatch(r"[a-z][a-z -]{1,60}", role):
            raise FieldError("role", f"'{self.role}' is not a role; e.g. {', '.join(ROLES[:3])}", self.role)
        object.__setattr__(self, "role", role)
        if self.email and not _EMAIL.match(self.email):
            raise FieldError("email", f"'{self.email}' is not an e-mail address", self.email)
        if self.phone and not _PHONE.match(self.phone):
            raise FieldError("phone", f"'{self.phone}' is not a phone number (digits, spaces, +, -)", self.phone)


def personal_data_visible(viewer_org: str | None, contact_org: str, *, sees_shared: bool, system: bool) -> bool:
    """May the viewer read the contact's name, e-mail and phone?"""
    return system or sees_shared or (viewer_org is not None and viewer_org == contact_org)
