"""Residents' reactions on public plans (participation), the pure rules.

A reaction has text (1..2,000 characters), a point (RD New) near the plan and,
optionally, an e-mail address for an answer. It is ``pending`` until the plan's
owner or the coordinator approves (``approved``) or rejects (``rejected``) it;
reports by other residents hide an approved reaction (``hidden``) once they reach
the threshold, until a moderator looks again. A form whose honeypot field is
filled in is refused as a bot's. Personal data (e-mail, the hashed IP address)
is kept for a retention period only (services/participation.py purges it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import shapely
from shapely.geometry.base import BaseGeometry

from openruimte.model.errors import OpenRuimteError

MAX_TEXT = 2000
MAX_EMAIL = 320
MAX_REASON = 500
#: how far from the plan a reaction's point may lie (m)
MAX_DISTANCE_M = 250.0
_EMAIL = re.compile(r"^[^@\s<>\"']{1,64}@[^@\s<>\"']+\.[^@\s<>\"']{2,}$")


class Status(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    HIDDEN = "hidden"


class ReactionRefused(OpenRuimteError):
    """A reaction (or report) that is not accepted; the message says why and what to do."""

    code = "reaction_refused"
    status = 422


@dataclass(frozen=True)
class Draft:
    text: str
    point: BaseGeometry | None
    email: str | None


def check_draft(body: dict[str, Any], plan_geometry: BaseGeometry) -> Draft:
    """A reaction as a resident sent it, checked: text, point near the plan, e-mail, honeypot."""
    if str(body.get("website") or "").strip():
        raise ReactionRefused("het formulier is niet door een mens ingevuld / the form was not filled in by a person")
    text = str(body.get("text") or "").strip()
    if not text:
        raise ReactionRefused("field text: schrijf een reactie / write a reaction (1 to 2,000 characters)")
    if len(text) > MAX_TEXT:
        raise ReactionRefused(f"field text: {len(text)} characters, at most {MAX_TEXT}; shorten the reaction")
    email = str(body.get("email") or "").strip() or None
    if email is not None and (len(email) > MAX_EMAIL or not _EMAIL.match(email)):
        raise ReactionRefused(f"field email: '{email}' is not an e-mail address; leave it empty or correct it")
    point = None
    x, y = body.get("x"), body.get("y")
    if x is not None or y is not None:
        try:
            point = shapely.Point(float(x), float(y))
        except (TypeError, ValueError):
            raise ReactionRefused("fields x, y: expected RD New coordinates (EPSG:28992) in metres") from None
        if point.distance(plan_geometry) > MAX_DISTANCE_M:
            raise ReactionRefused(
                f"fields x, y: the point is {point.distance(plan_geometry):.0f} m from the plan; "
                f"place it within {MAX_DISTANCE_M:.0f} m of the plan"
            )
    return Draft(text=text, point=point, email=email)


def after_report(status: Status, reports: int, threshold: int) -> Status:
    """An approved reaction is hidden once its reports reach the threshold, until reviewed."""
    if status is Status.APPROVED and reports >= threshold:
        return Status.HIDDEN
    return status
