"""Candidate windows: when a replacement candidate may be carried out, from the
condition and the due year of its assets, per asset type.

Asset managers plan a replacement around the year it is due (install year +
expected life, or an explicit replacement year) and move it with the risk they
see in the asset's condition (NEN 2767: 1 excellent .. 6 very poor):

- condition 5-6 (``"5-6"``): the asset is failing; it is replaced now or next
  year, whatever its due year: the window counts from the horizon's first year;
- condition 3-4 (``"3-4"``): it is ageing as expected; the due year +/- 2 years
  (the spread a sewer or water company uses in its multi-year plan);
- condition 1-2 or unknown (``"1-2"``): replacement follows age alone, so there
  is more room, the more so where a late replacement harms little: +/- 2 years
  for networks where failure is dangerous or disruptive (gas, drinking water,
  sewers, heat, electricity), +/- 3 for the others, +/- 4 for low-risk assets
  (telecom ducts, lighting, green, footpaths and cycle paths).

A window is clamped to the horizon; an overdue asset counts as due in the first
year. The candidate's own year (where it would go if its owner planned alone,
the uncoordinated baseline) is the due year, or the first year for condition
5-6; within that year it starts in a quarter spread by a fixed hash of owner,
street and year (:func:`own_month`), not on 1 January. ``slack_years`` widens
every window either way (the trade-off sweep).

The scenario YAML may set the rules per asset type (``candidate_windows``),
each class as ``[years before, years after]`` (``"5-6"`` counted from the first
year, the others around the due year); ``default`` applies to every type not
named.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from openruimte.analysis.candidates import Candidate
from openruimte.model import Asset

CLASSES = ("5-6", "3-4", "1-2")

Span = tuple[int, int]

#: networks where a late replacement is dangerous or disruptive
HIGH_RISK = ("gas", "drinkwater", "gemengd_riool", "hemelwaterafvoer", "droogweerafvoer", "warmte", "elektriciteit")
#: assets where a late replacement harms little
LOW_RISK = ("telecom", "openbare_verlichting", "groen", "voetpad", "fietspad")


@dataclass(frozen=True)
class WindowRule:
    """Years before and after the anchor per condition class."""

    poor: Span = (0, 1)  # "5-6": from the first year
    fair: Span = (-2, 2)  # "3-4": around the due year
    good: Span = (-3, 3)  # "1-2" or unknown: around the due year

    def span(self, cls: str) -> Span:
        return {"5-6": self.poor, "3-4": self.fair, "1-2": self.good}[cls]

    def as_dict(self) -> dict[str, list[int]]:
        return {"5-6": list(self.poor), "3-4": list(self.fair), "1-2": list(self.good)}


def default_rules() -> dict[str, WindowRule]:
    rules = {"default": WindowRule()}
    rules.update({t: WindowRule(good=(-2, 2)) for t in HIGH_RISK})
    rules.update({t: WindowRule(good=(-4, 4)) for t in LOW_RISK})
    return rules


@dataclass(frozen=True)
class Window:
    """A candidate's window in years, its own (due) year and why."""

    first_year: int
    last_year: int
    own_year: int
    condition_class: str
    condition: int | None
    due_year: int
    #: the month its owner would start it alone (1, 4, 7 or 10: the first month of a quarter)
    own_month: int = 1


@dataclass
class WindowSettings:
    rules: dict[str, WindowRule] = field(default_factory=default_rules)
    slack_years: int = 0

    def rule(self, asset_type: str) -> WindowRule:
        return self.rules.get(asset_type) or self.rules.get("default") or WindowRule()

    def as_dict(self) -> dict[str, object]:
        return {"slack_years": self.slack_years, "rules": {k: v.as_dict() for k, v in sorted(self.rules.items())}}


def condition_class(condition: int | None) -> str:
    if condition is not None and condition >= 5:
        return "5-6"
    if condition is not None and condition >= 3:
        return "3-4"
    return "1-2"


def window_of(
    condition: int | None, due: int | None, rule: WindowRule, first: int, last: int, slack: int = 0
) -> tuple[int, int, int, str]:
    """(first year, last year, own year, class) for one candidate in the horizon ``first..last``."""
    cls = condition_class(condition)
    anchor = first if cls == "5-6" or due is None else min(max(due, first), last)
    before, after = rule.span(cls)
    lo = max(first, anchor + before - slack)
    hi = min(last, max(anchor + after + slack, lo))
    own = min(max(anchor, lo), hi)
    return lo, hi, own, cls


def candidate_windows(
    candidates: Sequence[Candidate],
    assets: Mapping[tuple[str, str], Asset] | Sequence[Asset],
    first: int,
    last: int,
    settings: WindowSettings | None = None,
) -> dict[str, Window]:
    """Candidate key -> its window: worst condition and earliest due year over its assets."""
    settings = settings or WindowSettings()
    by_id = assets if isinstance(assets, Mapping) else {(a.owner, a.id): a for a in assets}
    out = {}
    for c in candidates:
        members = [by_id[(c.owner, i)] for i in c.asset_ids if (c.owner, i) in by_id]
        conditions = [a.condition for a in members if a.condition is not None]
        dues = [a.due_year for a in members if a.due_year is not None]
        condition = max(conditions) if conditions else None
        due = min(dues) if dues else c.first_year
        lo, hi, own, cls = window_of(condition, due, settings.rule(c.asset_type), first, last, settings.slack_years)
        out[c.key] = Window(lo, hi, own, cls, condition, due, own_month(c.owner, c.street_id or c.id, own))
    return out


def own_month(owner: str, street: str, year: int) -> int:
    """The first month of the quarter in which ``owner`` would start its work in ``street`` in
    ``year`` when planning alone: spread over the year by a fixed hash of the three, so that
    parties that do not coordinate do not all start on 1 January (which would bundle their
    works by coincidence), while one owner's works in one street and year start together
    (an owner coordinates its own works)."""
    digest = hashlib.sha256(f"{owner}|{street}|{year}".encode()).digest()
    return 1 + 3 * (digest[0] % 4)


def windowed(candidates: Sequence[Candidate], windows: Mapping[str, Window]) -> list[Candidate]:
    """The candidates with their years set to their windows."""
    return [
        replace(c, first_year=windows[c.key].first_year, last_year=windows[c.key].last_year) if c.key in windows else c
        for c in candidates
    ]


def own_starts(windows: Mapping[str, Window]) -> dict[str, dt.date]:
    """Candidate key -> where its owner would start it alone (its own year, in the quarter of
    :func:`own_month`), for the uncoordinated baselines."""
    return {k: dt.date(w.own_year, w.own_month, 1) for k, w in windows.items()}


def parse_rules(data: Mapping[str, object], where: str) -> dict[str, WindowRule]:
    """``candidate_windows`` from a scenario: {asset type or default: {class: [before, after]}};
    a type inherits the classes it does not name from the built-in rule for it."""
    rules = default_rules()
    for key, spec in data.items():
        if not isinstance(spec, Mapping):
            raise ValueError(f"{where}.{key}: expected a mapping of condition classes, got {type(spec).__name__}")
        base = rules.get(str(key)) or rules["default"]
        values: dict[str, Span] = {}
        for cls, span in spec.items():
            name = str(cls)
            if name not in CLASSES:
                raise ValueError(f"{where}.{key}.{name}: unknown condition class; known: {', '.join(CLASSES)}")
            ok = (
                isinstance(span, Sequence)
                and not isinstance(span, str)
                and len(span) == 2
                and all(isinstance(v, int) and not isinstance(v, bool) for v in span)
            )
            if not ok or span[0] > span[1]:  # type: ignore[index]
                raise ValueError(
                    f"{where}.{key}.{name}: expected [years before, years after], e.g. [-2, 2]; got {span!r}"
                )
            field_name = {"5-6": "poor", "3-4": "fair", "1-2": "good"}[name]
            values[field_name] = (int(span[0]), int(span[1]))  # type: ignore[index]
        rules[str(key)] = replace(base, **values)
    return rules


def prepare(
    candidates: Sequence[Candidate],
    assets: Sequence[Asset],
    first: int,
    last: int,
    rules: Mapping[str, object] | None = None,
    slack_years: int = 0,
) -> tuple[list[Candidate], dict[str, Window], WindowSettings]:
    """Candidates with their windows set, the windows, and the settings used (from the
    scenario's ``candidate_windows`` mapping and ``candidate_slack_years``)."""
    ws = WindowSettings(parse_rules(rules or {}, "candidate_windows"), slack_years)
    wins = candidate_windows(candidates, assets, first, last, ws) if candidates else {}
    return windowed(candidates, wins), wins, ws
