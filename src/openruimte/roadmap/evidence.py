"""Evidence from the platform itself: what OpenRuimte holds of an organisation can
*propose* a state for the stations that list that kind of evidence. A proposal is
never set silently: someone accepts it (``openruimte roadmap evidence --accept``),
which records an assessment with the evidence linked.

Rules (README "BIM roadmap (routekaart)"); a proposal is made only when it is
above the station's current state, and never above ``operationeel`` (``geborgd``
is about policy, processes and budget, which the platform cannot see):

``ids``           IDS requirements registered -> in ontwikkeling; and models checked against them -> operationeel
``plans``         plans registered -> verkennen; with phases -> in ontwikkeling; at least half of the plans with
                  a phase planning and changed in the last 365 days -> operationeel
``assets_imbor``  some assets typed with IMBOR -> in ontwikkeling; 90 % or more -> operationeel
``models_3d``     CityJSON buildings or placed BIM models -> in ontwikkeling; both -> operationeel
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from openruimte.roadmap.definition import Definition
from openruimte.roadmap.status import LABEL_EN, LABEL_NL, STATE_SCORE, State, Status


@dataclass(frozen=True)
class Facts:
    """What the platform holds for one organisation (None: that table does not exist in this database)."""

    org: str
    ids_requirements: int | None = None
    models_checked: int | None = None
    plans: int = 0
    plans_with_phases: int = 0
    plans_current: int = 0
    assets: int = 0
    assets_imbor: int = 0
    buildings: int = 0
    bim_models_placed: int | None = None
    #: what could not be looked at, and why
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Proposal:
    station: str
    line: str
    name: str
    current: State
    state: State
    #: each: {"kind", "text", "ref"}
    evidence: tuple[dict[str, Any], ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        return {
            "station": self.station,
            "line": self.line,
            "name": self.name,
            "current": str(self.current),
            "state": str(self.state),
            "state_nl": LABEL_NL[self.state],
            "state_en": LABEL_EN[self.state],
            "evidence": list(self.evidence),
        }


def _judge(kind: str, f: Facts) -> tuple[State, str, str] | None:
    """The state one kind of evidence supports, with its reason and a reference; None: no evidence."""
    if kind == "ids":
        if not f.ids_requirements:
            return None
        checked = f.models_checked or 0
        text = f"{f.ids_requirements} IDS-eisenset(s) geregistreerd, {checked} model(len) getoetst"
        state = State.OPERATIONEEL if checked else State.IN_ONTWIKKELING
        return state, text, f"openruimte:ids?owner={f.org}"
    if kind == "plans":
        if not f.plans:
            return None
        text = (
            f"{f.plans} plan(nen) in OpenRuimte, {f.plans_with_phases} met faseplanning, "
            f"{f.plans_current} met faseplanning en bijgewerkt in de laatste 365 dagen"
        )
        if 2 * f.plans_current >= f.plans:
            state = State.OPERATIONEEL
        elif f.plans_with_phases:
            state = State.IN_ONTWIKKELING
        else:
            state = State.VERKENNEN
        return state, text, f"openruimte:plans?owner={f.org}"
    if kind == "assets_imbor":
        if not f.assets_imbor:
            return None
        share = f.assets_imbor / f.assets if f.assets else 0
        text = f"{f.assets_imbor} van {f.assets} assets ({share:.0%}) getypeerd met IMBOR"
        state = State.OPERATIONEEL if share >= 0.9 else State.IN_ONTWIKKELING
        return state, text, f"openruimte:assets?owner={f.org}"
    if kind == "models_3d":
        placed = f.bim_models_placed or 0
        if not f.buildings and not placed:
            return None
        text = f"{f.buildings} CityJSON-gebouw(en), {placed} geplaatst(e) BIM-model(len)"
        state = State.OPERATIONEEL if f.buildings and placed else State.IN_ONTWIKKELING
        return state, text, f"openruimte:3d?owner={f.org}"
    return None


def propose(definition: Definition, status: Status, facts: Facts) -> list[Proposal]:
    """Proposals for the stations whose evidence supports a higher state than the current one."""
    out = []
    for station in definition.stations():
        if not station.evidence:
            continue
        judged = [(kind, _judge(kind, facts)) for kind in station.evidence]
        found = [(kind, j) for kind, j in judged if j is not None]
        if not found:
            continue
        best = max(STATE_SCORE[j[0]] for _, j in found)
        current = status.state(station.id)
        if best <= STATE_SCORE[current]:
            continue
        state = next(j[0] for _, j in found if STATE_SCORE[j[0]] == best)
        evidence = tuple({"kind": kind, "text": j[1], "ref": j[2]} for kind, j in found)
        out.append(Proposal(station.id, station.line or "end", station.name, current, state, evidence))
    return out
