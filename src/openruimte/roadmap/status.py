"""States, self-assessments, the status at a date, the maturity index and progress.

Maturity index (README "BIM roadmap (routekaart)")::

    score(state)  = 0 niet gestart, 1 verkennen, 2 in ontwikkeling, 3 operationeel, 4 geborgd
    index(line)   = 100 * sum(score(s) for s in counted(line)) / (4 * len(counted(line)))
    counted(line) = the line's own stations, plus the side-branch stations that were boarded
                    (assessed above niet gestart)
    overall       = the mean of the line indices (every line weighs the same)

The end station counts in no index: it is where the lines arrive. Indices are
rounded to one decimal.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from openruimte.model import InputError
from openruimte.roadmap.definition import Definition, Station


class State(StrEnum):
    NIET_GESTART = "niet_gestart"
    VERKENNEN = "verkennen"
    IN_ONTWIKKELING = "in_ontwikkeling"
    OPERATIONEEL = "operationeel"
    GEBORGD = "geborgd"


STATES: tuple[State, ...] = tuple(State)
STATE_SCORE: dict[State, int] = {s: i for i, s in enumerate(STATES)}
MAX_SCORE = STATE_SCORE[State.GEBORGD]
LABEL_NL = {
    State.NIET_GESTART: "niet gestart",
    State.VERKENNEN: "verkennen",
    State.IN_ONTWIKKELING: "in ontwikkeling",
    State.OPERATIONEEL: "operationeel",
    State.GEBORGD: "geborgd",
}
LABEL_EN = {
    State.NIET_GESTART: "not started",
    State.VERKENNEN: "exploring",
    State.IN_ONTWIKKELING: "in development",
    State.OPERATIONEEL: "operational",
    State.GEBORGD: "embedded",
}
_ALIASES = {
    **{v.replace(" ", ""): k for k, v in LABEL_NL.items()},
    **{v.replace(" ", ""): k for k, v in LABEL_EN.items()},
    **{str(i): s for s, i in STATE_SCORE.items()},
}

VISIBILITIES = ("private", "shared", "public")


def parse_state(value: Any, source: str = "state") -> State:
    """A state from its code, its Dutch or English label or its score (0-4)."""
    text = str(value).strip().lower().replace("_", "").replace("-", "").replace(" ", "")
    for s in STATES:
        if text == s.value.replace("_", ""):
            return s
    if text in _ALIASES:
        return _ALIASES[text]
    known = ", ".join(f"{s.value} ({LABEL_NL[s]} / {LABEL_EN[s]})" for s in STATES)
    raise InputError(f"unknown state {value!r}; use one of: {known}", source)


@dataclass(frozen=True)
class Assessment:
    """One organisation's judgement of one station at one date (kept over time, never overwritten)."""

    org: str
    roadmap: str
    station: str
    state: State
    assessed_on: dt.date
    note: str | None = None
    #: links to what shows it: ``{"kind": "ids"|"plans"|...|"link", "text": ..., "ref": ...}``
    evidence: tuple[dict[str, Any], ...] = ()
    #: documents (names or URLs)
    documents: tuple[str, ...] = ()
    author: str = ""
    #: private (own organisation), shared (with ``shared_with``) or public
    visibility: str = "private"
    shared_with: tuple[str, ...] = ()
    definition_version: int | None = None
    pk: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "pk": self.pk,
            "org": self.org,
            "roadmap": self.roadmap,
            "definition_version": self.definition_version,
            "station": self.station,
            "state": str(self.state),
            "state_nl": LABEL_NL[self.state],
            "state_en": LABEL_EN[self.state],
            "assessed_on": self.assessed_on.isoformat(),
            "note": self.note,
            "evidence": list(self.evidence),
            "documents": list(self.documents),
            "author": self.author,
            "visibility": self.visibility,
            "shared_with": list(self.shared_with),
        }


@dataclass
class Status:
    """Where one organisation stands on one roadmap at one date."""

    org: str
    definition: Definition
    at: dt.date
    latest: dict[str, Assessment] = field(default_factory=dict)

    def state(self, station_id: str) -> State:
        found = self.latest.get(station_id)
        return found.state if found is not None else State.NIET_GESTART

    def boarded(self, station: Station) -> bool:
        return self.state(station.id) is not State.NIET_GESTART


def status_at(definition: Definition, assessments: list[Assessment], org: str, at: dt.date) -> Status:
    """The newest assessment per station on or before ``at`` (later dates win, then later records).
    Assessments of stations the definition does not have are ignored."""
    ids = {s.id for s in definition.stations()}
    chosen: dict[str, Assessment] = {}
    for a in assessments:
        if a.org != org or a.roadmap != definition.name or a.station not in ids or a.assessed_on > at:
            continue
        old = chosen.get(a.station)
        if old is None or (a.assessed_on, a.pk or 0) >= (old.assessed_on, old.pk or 0):
            chosen[a.station] = a
    return Status(org=org, definition=definition, at=at, latest=chosen)


def maturity(status: Status) -> dict[str, Any]:
    """The maturity index per line and overall (0-100, one decimal; formula in the module docstring)."""
    lines: dict[str, float] = {}
    for line in status.definition.lines:
        counted = list(line.stations) + [s for s in (line.branch.stations if line.branch else ()) if status.boarded(s)]
        total = sum(STATE_SCORE[status.state(s.id)] for s in counted)
        lines[line.id] = round(100 * total / (MAX_SCORE * len(counted)), 1) if counted else 0.0
    overall = round(sum(lines.values()) / len(lines), 1) if lines else 0.0
    return {"lines": lines, "overall": overall}


@dataclass
class Progress:
    """What changed for one organisation between two dates."""

    org: str
    since: dt.date
    until: dt.date
    before: dict[str, Any]
    after: dict[str, Any]
    #: (station, state at ``since``, state at ``until``), stations that changed, in definition order
    changes: list[tuple[Station, State, State]]

    def to_dict(self) -> dict[str, Any]:
        return {
            "org": self.org,
            "since": self.since.isoformat(),
            "until": self.until.isoformat(),
            "index_since": self.before,
            "index_until": self.after,
            "changes": [
                {
                    "station": s.id,
                    "line": s.line,
                    "name": s.name,
                    "from": str(a),
                    "to": str(b),
                    "from_nl": LABEL_NL[a],
                    "to_nl": LABEL_NL[b],
                    "steps": STATE_SCORE[b] - STATE_SCORE[a],
                }
                for s, a, b in self.changes
            ],
        }


def progress(
    definition: Definition, assessments: list[Assessment], org: str, since: dt.date, until: dt.date
) -> Progress:
    if since > until:
        raise InputError(f"--since {since} is after --until {until}; swap them", "progress")
    one = status_at(definition, assessments, org, since)
    two = status_at(definition, assessments, org, until)
    changes = [
        (s, one.state(s.id), two.state(s.id)) for s in definition.stations() if one.state(s.id) != two.state(s.id)
    ]
    return Progress(org, since, until, maturity(one), maturity(two), changes)
