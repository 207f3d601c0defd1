"""Demo self-assessments on the BIM roadmap: three municipalities and the twelve
provinces, each at two dates, so the poster wall and the progress views show
something real. Fictional: the states are drawn, not the organisations' own
judgement (every note says so). Deterministic: the same input gives the same rows.

Pure: the use case (services/roadmap.py) passes the stations of the definitions
and writes the rows.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

import numpy as np

from openruimte.model import Organisation, OrganisationKind

FIRST = dt.date(2025, 6, 1)
SECOND = dt.date(2026, 6, 1)
NOTE = "Demo: fictieve stand, getrokken door de demogenerator / fictional status drawn by the demo"
STATES = ("niet_gestart", "verkennen", "in_ontwikkeling", "operationeel", "geborgd")

#: (code, name, visibility, shared with)
MUNICIPALITIES: tuple[tuple[str, str], ...] = (
    ("gemeente-voorbeeldstad", "Gemeente Voorbeeldstad"),
    ("gemeente-rivierstad", "Gemeente Rivierstad"),
    ("gemeente-duinwijk", "Gemeente Duinwijk"),
)
#: the municipalities' choice of visibility: public, shared with Voorbeeldstad, private
MUNICIPAL_VISIBILITY = {
    "gemeente-voorbeeldstad": ("public", ()),
    "gemeente-rivierstad": ("shared", ("gemeente-voorbeeldstad",)),
    "gemeente-duinwijk": ("private", ()),
}
PROVINCES: tuple[tuple[str, str], ...] = tuple(
    (f"provincie-{code}", f"Provincie {name}")
    for code, name in (
        ("groningen", "Groningen"),
        ("fryslan", "Fryslân"),
        ("drenthe", "Drenthe"),
        ("overijssel", "Overijssel"),
        ("flevoland", "Flevoland"),
        ("gelderland", "Gelderland"),
        ("utrecht", "Utrecht"),
        ("noord-holland", "Noord-Holland"),
        ("zuid-holland", "Zuid-Holland"),
        ("zeeland", "Zeeland"),
        ("noord-brabant", "Noord-Brabant"),
        ("limburg", "Limburg"),
    )
)


def organisations() -> list[Organisation]:
    out = [Organisation(code=c, name=n, kind=OrganisationKind.GEMEENTE) for c, n in MUNICIPALITIES]
    out += [Organisation(code=c, name=n, kind=OrganisationKind.PROVINCIE) for c, n in PROVINCES]
    return out


def _rng(*parts: str) -> np.random.Generator:
    seed = int.from_bytes(hashlib.sha256("|".join(parts).encode()).digest()[:8], "big")
    return np.random.default_rng(seed)


def assessments(roadmap: str, orgs: list[str], stations: list[tuple[str, str, bool]]) -> list[dict[str, Any]]:
    """Rows for ``orgs`` on ``roadmap`` (stations: id, line, on the side branch): every station
    above niet gestart at :data:`FIRST`, and the stations that moved at :data:`SECOND`."""
    rows: list[dict[str, Any]] = []
    for org in orgs:
        rng = _rng(roadmap, org)
        level = float(rng.uniform(0.6, 2.9))
        boards_branch = bool(rng.random() < 0.5)
        visibility, shared = MUNICIPAL_VISIBILITY.get(org, ("public", ()))
        position: dict[str, int] = {}
        for station, line, branch in stations:
            k = position.get(line, 0)
            position[line] = k + 1
            if branch and not boards_branch:
                continue
            base = level - 0.45 * k + float(rng.normal(0, 0.6)) - (0.8 if line == "end" else 0)
            first = int(np.clip(round(base), 0, 4))
            step = int(rng.choice([0, 0, 1, 1, 2]))
            second = min(4, first + step)
            for on, state in ((FIRST, first), (SECOND, second)):
                if (on is FIRST and state == 0) or (on is SECOND and second == first):
                    continue
                rows.append(
                    {
                        "org": org,
                        "roadmap": roadmap,
                        "station": station,
                        "state": STATES[state],
                        "assessed_on": on,
                        "note": NOTE,
                        "visibility": visibility,
                        "shared_with": list(shared),
                    }
                )
    return rows
