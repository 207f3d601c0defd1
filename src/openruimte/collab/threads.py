"""Discussions: what a thread is about, who it is restricted to, whom it mentions.

A thread is about one *subject*: a plan (``plan``, key ``owner:id``), a coupling
or a no-dig conflict between two plans (``coupling`` / ``conflict``, key
``owner:id|owner:id``), an area (``area``, its code) or a BIM model version
(``model``, ``owner:id@version``: a model of a plan). Whoever may see the
subject sees the thread (every plan of it disclosed, :mod:`openruimte.model.access`);
a thread can be restricted to some organisations (for instance the two of a
coupling): then only they see it.

Mentions in a text: ``@organisatiecode`` names an organisation, ``@naam@domein.nl``
a user (by e-mail address); both are told through the notification feed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from openruimte.model.errors import FieldError

SUBJECT_KINDS = ("plan", "coupling", "conflict", "area", "model")
MAX_TITLE = 300
MAX_BODY = 20_000

_MENTION = re.compile(r"(?<![\w@.])@([A-Za-z0-9][\w.+-]*(?:@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)?)")
_PLAN_KEY = re.compile(r"^[^:|@\s]+:[^|@\s]+$")


@dataclass(frozen=True)
class Subject:
    """What a thread (or document, or contact) is about."""

    kind: str
    key: str

    def __post_init__(self) -> None:
        if self.kind not in SUBJECT_KINDS:
            raise FieldError(
                "subject", f"unknown subject kind '{self.kind}'; expected one of {', '.join(SUBJECT_KINDS)}"
            )
        if not self.plan_keys and self.kind != "area":
            raise FieldError("subject", f"'{self.key}' is not a {self.kind} key ({self._form()})", self.key)
        if self.kind == "area" and not self.key.strip():
            raise FieldError("subject", "an area subject needs the area's code")

    def _form(self) -> str:
        return {
            "plan": "owner:id",
            "coupling": "owner:id|owner:id",
            "conflict": "owner:id|owner:id",
            "model": "owner:id@version",
        }.get(self.kind, "code")

    @property
    def plan_keys(self) -> tuple[str, ...]:
        """The plans the subject is about (each must be disclosed to a reader of the thread)."""
        if self.kind == "plan":
            return (self.key,) if _PLAN_KEY.match(self.key) else ()
        if self.kind in ("coupling", "conflict"):
            parts = tuple(self.key.split("|"))
            return parts if len(parts) == 2 and all(_PLAN_KEY.match(p) for p in parts) else ()
        if self.kind == "model":
            plan, _, version = self.key.partition("@")
            return (plan,) if _PLAN_KEY.match(plan) and version else ()
        return ()

    @classmethod
    def plan(cls, owner: str, plan_id: str) -> Subject:
        return cls("plan", f"{owner}:{plan_id}")


def check_text(title: str | None, body: str | None, *, need_title: bool = True) -> tuple[str, str]:
    """Title and body, stripped and checked (lengths, not empty)."""
    title = (title or "").strip()
    body = (body or "").strip()
    if need_title and not title:
        raise FieldError("title", "a thread needs a title")
    if len(title) > MAX_TITLE:
        raise FieldError("title", f"is {len(title)} characters; at most {MAX_TITLE}")
    if not body:
        raise FieldError("body", "the text is empty")
    if len(body) > MAX_BODY:
        raise FieldError("body", f"is {len(body)} characters; at most {MAX_BODY}")
    return title, body


def mentions(text: str) -> list[str]:
    """The ``@`` mentions in ``text``, in order, once each (lower case; trailing dots dropped)."""
    out: list[str] = []
    for match in _MENTION.finditer(text):
        token = match.group(1).rstrip(".").lower()
        if token and token not in out:
            out.append(token)
    return out


def split_mentions(
    tokens: Iterable[str], orgs: Iterable[str], users: dict[str, str]
) -> tuple[dict[str, str], list[str]]:
    """Resolve mention tokens: ``{token: organisation to tell}`` (an organisation code, or a
    user's e-mail -> the user's organisation via ``users``) and the tokens that name nobody."""
    known = {o.lower(): o for o in orgs}
    found: dict[str, str] = {}
    unknown: list[str] = []
    for token in tokens:
        if "@" in token and token in users:
            found[token] = users[token]
        elif token in known:
            found[token] = known[token]
        else:
            unknown.append(token)
    return found, unknown


def restriction(orgs: Iterable[str] | None) -> tuple[str, ...]:
    """A thread's restriction: sorted distinct organisation codes (empty: not restricted)."""
    return tuple(sorted({o.strip() for o in orgs or () if o and o.strip()}))


def may_read_restricted(org: str | None, restricted: Iterable[str], *, system: bool = False) -> bool:
    """May an organisation read a thread with this restriction (empty: anyone who sees the subject)."""
    allowed = tuple(restricted)
    return system or not allowed or (org is not None and org in allowed)
