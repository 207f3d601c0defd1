"""A programme as the reports read it: ``programme.json`` (``ProgrammeResult.to_json()``).

Only the keys the renderers need are required; later additions (weights, score
breakdowns, plan fields such as ``excavation``) are used when present. Plan facts
the file lacks (excavation, surface renewal, area, street names) can be filled
from the store with :func:`enrich`.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openruimte.model import InputError
from openruimte.model.errors import RowError

PLAN_KEYS = ("key", "name", "owner", "start", "end", "own_start", "own_end", "segments")
#: plan keys read into PlanRow fields; the others go to ``extra``
KNOWN_KEYS = (
    *PLAN_KEYS,
    "period",
    "fixed",
    "candidate",
    "reason",
    "shift_periods",
    "excavation",
    "surface_renewal",
    "area",
)
SCENARIOS = ("programme", "uncoordinated", "greedy")
#: Dutch names of the three programmes of one run
SCENARIO_NL = {"programme": "Programma", "uncoordinated": "Ongecoördineerd", "greedy": "Gretig bundelen"}


@dataclass
class PlanRow:
    """One plan of a programme: proposed and own (uncoordinated) dates, segments, facts."""

    key: str
    name: str
    owner: str
    start: dt.date
    end: dt.date
    own_start: dt.date
    own_end: dt.date
    segments: tuple[str, ...]
    period: str = ""
    fixed: bool = False
    candidate: bool = False
    reason: str = ""
    shift_periods: int = 0
    excavation: bool = True
    surface_renewal: bool = False
    area: str | None = None
    sensitive: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    def dates(self, scenario: str) -> tuple[dt.date, dt.date]:
        return (self.own_start, self.own_end) if scenario == "uncoordinated" else (self.start, self.end)


@dataclass
class Programme:
    """The parsed programme.json."""

    source: str
    data: dict[str, Any]
    plans: list[PlanRow]
    from_year: int
    to_year: int
    bucket: str
    #: segment id -> street name (from the store, when enriched)
    street_names: dict[str, str] = field(default_factory=dict)
    #: segment id -> area code (from the store, when enriched)
    segment_areas: dict[str, str | None] = field(default_factory=dict)
    enriched: bool = False

    @property
    def metrics(self) -> dict[str, dict[str, Any]]:
        return self.data.get("metrics", {})

    @property
    def settings(self) -> dict[str, Any]:
        return self.data.get("settings", {})

    @property
    def graafrust_days(self) -> int:
        return int(self.settings.get("graafrust_days") or 1095)

    def by_key(self) -> dict[str, PlanRow]:
        return {p.key: p for p in self.plans}

    # ------------------------------------------------------------ periods

    def bucket_of(self, d: dt.date) -> tuple[int, int]:
        return (d.year, (d.month - 1) // 3 if self.bucket == "quarter" else 0)

    def label(self, b: tuple[int, int]) -> str:
        return f"{b[0]}-K{b[1] + 1}" if self.bucket == "quarter" else str(b[0])

    def buckets(self, start: dt.date, end: dt.date) -> set[tuple[int, int]]:
        """(year, bucket) that [start, end] touches from the horizon's first day on, periods after
        its end included (as planner.metrics counts them)."""
        first = max(start, dt.date(self.from_year, 1, 1))
        last = end
        if last < first:
            return set()
        per = 4 if self.bucket == "quarter" else 1
        a = first.year * per + self.bucket_of(first)[1]
        b = last.year * per + self.bucket_of(last)[1]
        return {(n // per, n % per) for n in range(a, b + 1)}

    # ------------------------------------------------------------ bundles and openings

    def bundles(self, scenario: str = "programme") -> dict[str, int]:
        """Plan key -> bundle number, for plans sharing a street segment and a start period
        with another excavating plan; bundles are numbered 1.. by their earliest start."""
        parent: dict[str, str] = {}

        def find(k: str) -> str:
            while parent.setdefault(k, k) != k:
                parent[k] = parent[parent[k]]
                k = parent[k]
            return k

        groups: dict[tuple[str, tuple[int, int]], list[str]] = defaultdict(list)
        for p in self.plans:
            if not p.excavation:
                continue
            b = self.bucket_of(p.dates(scenario)[0])
            for s in p.segments:
                groups[(s, b)].append(p.key)
        for keys in groups.values():
            for k in keys[1:]:
                parent[find(k)] = find(keys[0])
        members: dict[str, list[str]] = defaultdict(list)
        for keys in groups.values():
            if len(keys) > 1:
                for k in keys:
                    members[find(k)].append(k)
        by_key = self.by_key()
        ordered = sorted(
            ({*v} for v in members.values()), key=lambda ks: min((by_key[k].dates(scenario)[0], k) for k in ks)
        )
        return {k: n for n, ks in enumerate(ordered, 1) for k in ks}

    def openings(self, scenario: str = "programme") -> dict[str, int]:
        """Segment id -> street openings: distinct periods with excavation (as planner.metrics counts them)."""
        periods: dict[str, set[tuple[int, int]]] = defaultdict(set)
        for p in self.plans:
            if not p.excavation:
                continue
            touched = self.buckets(*p.dates(scenario))
            for s in p.segments:
                periods[s] |= touched
        return {s: len(v) for s, v in periods.items() if v}

    def bundle_segments(self, scenario: str = "programme") -> dict[str, set[str]]:
        """Segment id -> periods in which two or more excavating works start there together."""
        starts: dict[tuple[str, tuple[int, int]], int] = defaultdict(int)
        for p in self.plans:
            if p.excavation:
                b = self.bucket_of(p.dates(scenario)[0])
                for s in p.segments:
                    starts[(s, b)] += 1
        out: dict[str, set[str]] = defaultdict(set)
        for (s, b), n in starts.items():
            if n > 1:
                out[s].add(self.label(b))
        return dict(out)

    def restrict(self, keys: set[str]) -> Programme:
        """The same programme with only the plans in ``keys``."""
        return Programme(
            self.source,
            self.data,
            [p for p in self.plans if p.key in keys],
            self.from_year,
            self.to_year,
            self.bucket,
            self.street_names,
            self.segment_areas,
            self.enriched,
        )


def _err(source: str, message: str, row: int | None = None, name: str | None = None) -> RowError:
    return RowError(source, message, None if row is None else row + 1, name, row_label="plan")


def _date(source: str, row: int, name: str, value: Any) -> dt.date:
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except (TypeError, ValueError):
        raise InputError(_err(source, f"expected a date YYYY-MM-DD, got {value!r}", row, name), source) from None


def parse_programme(data: Any, source: str = "programme.json") -> Programme:
    """Check and parse a programme; every problem raises InputError naming the field."""
    if not isinstance(data, dict) or not isinstance(data.get("plans"), list):
        raise InputError(_err(source, "not a programme: expected an object with a list 'plans'"), source)
    errors = []
    plans = []
    for i, raw in enumerate(data["plans"]):
        if not isinstance(raw, dict):
            errors.append(_err(source, "expected an object", i))
            continue
        missing = [k for k in PLAN_KEYS if k not in raw]
        if missing:
            errors.append(_err(source, f"{raw.get('key', '?')}: missing {', '.join(missing)}", i, missing[0]))
            continue
        plans.append(
            PlanRow(
                key=str(raw["key"]),
                name=str(raw["name"]),
                owner=str(raw["owner"]),
                start=_date(source, i, "start", raw["start"]),
                end=_date(source, i, "end", raw["end"]),
                own_start=_date(source, i, "own_start", raw["own_start"]),
                own_end=_date(source, i, "own_end", raw["own_end"]),
                segments=tuple(str(s) for s in raw["segments"] or ()),
                period=str(raw.get("period") or ""),
                fixed=bool(raw.get("fixed", False)),
                candidate=bool(raw.get("candidate", False)),
                reason=str(raw.get("reason") or ""),
                shift_periods=int(raw.get("shift_periods") or 0),
                excavation=bool(raw.get("excavation", True)),
                surface_renewal=bool(raw.get("surface_renewal", False)),
                area=raw.get("area"),
                extra={k: v for k, v in raw.items() if k not in KNOWN_KEYS},
            )
        )
    if errors:
        raise InputError(errors, source)
    horizon = data.get("horizon") or {}
    years = [d.year for p in plans for d in (p.start, p.own_start)]
    return Programme(
        source=source,
        data=data,
        plans=plans,
        from_year=int(horizon.get("from") or (min(years) if years else 2026)),
        to_year=int(horizon.get("to") or (max(years) if years else 2040)),
        bucket=str(horizon.get("bucket") or "quarter"),
    )


def read_programme(path: str | Path) -> Programme:
    """Read programme.json; a missing or malformed file raises InputError naming it."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"no such file: {path}", str(path)) from None
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise InputError(f"not a JSON file: {err}", str(path)) from None
    return parse_programme(data, str(path))


def enrich(programme: Programme, plans: list[Any], streets: list[Any]) -> Programme:
    """Fill plan facts the file lacks (excavation, surface renewal, area, sensitivity) from
    the store's plans, and street names and areas of the segments; keys in the file win."""
    by_key = {p.key: p for p in plans}
    raws = {r.get("key"): r for r in programme.data["plans"] if isinstance(r, dict)}
    for row in programme.plans:
        plan = by_key.get(row.key)
        if plan is None:
            continue
        raw = raws.get(row.key, {})
        if "excavation" not in raw:
            row.excavation = bool(plan.excavation)
        if "surface_renewal" not in raw:
            row.surface_renewal = bool(plan.surface_renewal)
        if "area" not in raw:
            row.area = plan.area
        row.sensitive = bool(getattr(plan, "sensitive", False))
    programme.street_names = {s.id: s.name for s in streets}
    programme.segment_areas = {s.id: s.area for s in streets}
    programme.enriched = True
    return programme
