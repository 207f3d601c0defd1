"""The optimisation instance: plans as items with their allowed start periods,
segment classes, no-dig pairs, budgets and crew capacity.

An item's *options* are the start dates it may take, one per start bucket. A
plan in phase realisatie/beheer or with hardness ``besloten`` and dates is
fixed (one option: its own dates). A plan with dates that is indicative or
intended may move whole buckets (its dates shifted by whole months, so it keeps
its place within the bucket) up to ``max_shift_years`` either way, never
before ``earliest_start`` nor past ``latest_end``. An unscheduled plan may start
in any bucket of its window (at the bucket's first day, or at
``earliest_start`` inside the first one) and lasts ``duration_days`` or a
default by asset type.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter, defaultdict, deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from openruimte.model import Hardness, Phase, Plan
from openruimte.planner.metrics import nodig_pairs
from openruimte.planner.periods import Periods, add_months
from openruimte.planner.segments import SegmentLike, SegmentMap, map_segments
from openruimte.planner.settings import DEFAULT_DURATION, Settings

FIXED_PHASES = frozenset({Phase.REALISATIE, Phase.BEHEER})
#: budgets are compared in units of this many euros (costs rounded up, budgets down)
EUR_UNIT = 100


@dataclass(frozen=True)
class Option:
    """One allowed execution: start bucket and the days (ordinals, end inclusive)."""

    bucket: int
    start: int
    end: int


@dataclass
class Item:
    """A plan in the instance."""

    index: int
    plan: Plan
    fixed: bool
    reason: str
    own: Option
    options: list[Option]
    segments: tuple[int, ...] = ()
    area: str | None = None
    candidate: bool = False
    #: why start buckets were taken away: reason -> buckets
    removed: dict[str, list[int]] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return self.plan.key

    @property
    def owner(self) -> str:
        return self.plan.owner

    @property
    def excavation(self) -> bool:
        return self.plan.excavation

    @property
    def renewal(self) -> bool:
        return self.plan.surface_renewal

    @property
    def movable(self) -> bool:
        return len(self.options) > 1

    @property
    def duration_days(self) -> int:
        return self.own.end - self.own.start + 1

    def remove(self, reason: str, keep: list[Option]) -> None:
        gone = sorted({o.bucket for o in self.options} - {o.bucket for o in keep})
        if gone:
            self.removed.setdefault(reason, []).extend(gone)
        self.options = keep


@dataclass(frozen=True)
class SegmentClass:
    """Street segments touched by exactly the same excavating items."""

    items: tuple[int, ...]
    segments: tuple[int, ...]
    length_m: float


@dataclass
class Instance:
    settings: Settings
    periods: Periods
    items: list[Item]
    segmap: SegmentMap
    classes: list[SegmentClass]
    #: (renewal item, excavating item) pairs the solver keeps apart
    nodig: list[tuple[int, int]]
    #: pairs it cannot keep apart: (renewal, excavation, reason)
    excused: list[tuple[int, int, str]]
    #: owner -> year -> budget (euros) the programme must hold
    budgets: dict[str, dict[int, float]]
    budget_source: dict[str, str]
    #: (owner, year, budget asked, fixed spend) where fixed plans alone exceed the budget
    budget_raised: list[tuple[str, int, float, float]]
    crew: dict[str, int]
    scores: dict[str, float]
    skipped: list[tuple[str, str]]
    by_key: dict[str, int] = field(default_factory=dict)
    classes_of: list[list[int]] = field(default_factory=list)
    #: (owner, year) -> budget in units of EUR_UNIT, never below what fixed items spend
    caps: dict[tuple[str, int], int] = field(default_factory=dict)
    #: (area, bucket) -> works at once, never below the fixed works there
    crew_caps: dict[tuple[str, int], int] = field(default_factory=dict)
    #: item -> (partner, item is the renewal) for the no-dig pairs
    partners: list[list[tuple[int, bool]]] = field(default_factory=list)
    #: (renewal key, excavation key) -> "straat" | "afstand": every pair a no-dig period links
    linked: dict[tuple[str, str], str] = field(default_factory=dict)
    _arrays: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self.by_key = {it.key: it.index for it in self.items}
        self.classes_of = [[] for _ in self.items]
        for c, cls in enumerate(self.classes):
            for i in cls.items:
                self.classes_of[i].append(c)
        self.partners = [[] for _ in self.items]
        for r, x in self.nodig:
            self.partners[r].append((x, True))
            self.partners[x].append((r, False))
        self.caps = _caps(self)
        self.crew_caps = _crew_caps(self)

    def item(self, key: str) -> Item:
        return self.items[self.by_key[key]]

    def arrays(self, i: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """:func:`option_arrays` of item ``i``, kept (options do not change once the instance is built)."""
        got = self._arrays.get(i)
        if got is None:
            got = self._arrays[i] = option_arrays(self.items[i].options, self.periods)
        return got


# --------------------------------------------------------------------------- options


def is_fixed(plan: Plan) -> str | None:
    """Why a scheduled plan is fixed at its dates, or None."""
    if not plan.scheduled:
        return None
    if plan.phase in FIXED_PHASES:
        return f"fase {plan.phase}"
    if plan.hardness == Hardness.BESLOTEN:
        return "besloten"
    return None


def default_duration(plan: Plan, durations: Mapping[str, int]) -> int:
    if plan.duration_days:
        return int(plan.duration_days)
    return max((durations.get(t, DEFAULT_DURATION) for t in plan.asset_types), default=DEFAULT_DURATION)


def _shifted(plan: Plan, periods: Periods, settings: Settings) -> tuple[list[Option], dict[str, list[int]]]:
    """Options of a movable plan with dates: whole-bucket shifts within the window."""
    assert plan.start is not None and plan.end is not None
    own_b, dur = periods.of(plan.start), (plan.end - plan.start).days
    reach = settings.shift_years(plan.hardness) * periods.per_year
    out, removed = [], defaultdict(list)
    for k in range(-reach, reach + 1):
        b = own_b + k
        start = add_months(plan.start, k * periods.months)
        end = start.toordinal() + dur
        if not 0 <= b < periods.n:
            continue
        if (plan.earliest_start and start < plan.earliest_start) or (
            plan.latest_end and end > plan.latest_end.toordinal()
        ):
            removed["venster"].append(b)
            continue
        out.append(Option(b, start.toordinal(), end))
    return out, dict(removed)


def _windowed(plan: Plan, periods: Periods, dur: int) -> list[Option]:
    """Options of an unscheduled plan: a start in each bucket of its window."""
    lo = max(plan.earliest_start.toordinal() if plan.earliest_start else 0, periods.first_day)
    hi = plan.latest_end.toordinal() if plan.latest_end else None
    out = []
    for b in range(periods.of(lo), periods.n):
        start = max(periods.start_day(b), lo)
        if hi is not None and start + dur - 1 > hi:
            break
        out.append(Option(b, start, start + dur - 1))
    return out


def make_item(
    index: int, plan: Plan, periods: Periods, settings: Settings, own_start: dt.date | None = None
) -> Item | str:
    """The plan as an item, or the reason it is left out. ``own_start``: where an unscheduled
    plan (a replacement candidate: its due year) would go if its owner planned alone."""
    first, last = periods.first_day, periods.last_day
    fixed = is_fixed(plan)
    if plan.scheduled:
        assert plan.start is not None and plan.end is not None
        s, e = plan.start.toordinal(), plan.end.toordinal()
        own = Option(periods.of(s), s, e)
        if fixed:
            reach = e + (settings.graafrust_days if plan.surface_renewal else 0)
            if reach < first or s > last:
                return "buiten de horizon"
            return Item(index, plan, True, fixed, own, [own])
        options, removed = _shifted(plan, periods, settings)
        if not options:
            if e < first or s > last:
                return "buiten de horizon"
            return Item(index, plan, True, "geen ruimte in venster", own, [own], removed=removed)
        return Item(index, plan, False, "verschuifbaar", own, options, removed=removed)
    options = _windowed(plan, periods, default_duration(plan, settings.durations))
    if not options:
        return "venster korter dan de duur of buiten de horizon"
    own = options[0]
    if own_start is not None:
        day = own_start.toordinal()
        own = min(options, key=lambda o: (abs(o.start - day), o.start))
    return Item(index, plan, len(options) == 1, "ongepland", own, options)


# --------------------------------------------------------------------------- no-dig


def nodig_overlap(r: Option, x: Option, days: int) -> int:
    """Days of x's execution inside the no-dig period after r ends (the plain rule, no shared opening)."""
    return max(0, min(x.end, r.end + days) - max(x.start, r.end + 1) + 1)


def closes(r: Option, x: Option, periods: Periods) -> bool:
    """The renewal ``r`` closes the opening ``x`` digs in: ``x`` ends by the end of the period
    in which ``r`` ends (dig first, pave last, in one period). A work that ends before the
    renewal does is never in its no-dig period either."""
    return x.end <= periods.period_end(r.end)


def nodig_hit(r: Option, x: Option, days: int, periods: Periods) -> int:
    """Days the excavation ``x`` digs in the no-dig period of the renewal ``r`` under the
    shared-opening rule, as the solver and the baselines keep it: 0 when ``r`` closes the
    opening ``x`` digs in; otherwise the days of ``x`` after ``r`` ends up to ``graafrust_days``
    after the end of ``r``'s last period. The no-dig period really starts when the opening
    ``r`` closes ends, at the latest at the end of that period, so this window contains it
    (the rule is kept with a margin of less than one period; :mod:`metrics` counts exactly)."""
    last = periods.period_end(r.end)
    if x.end <= last:
        return 0
    return max(0, min(x.end, last + days) - max(x.start, r.end + 1) + 1)


def _nodig_pairs(items: list[Item], linked: Mapping[tuple[str, str], str]) -> list[tuple[int, int]]:
    """(renewal, excavation) item pairs on a shared segment or within the no-dig distance."""
    index = {it.key: it.index for it in items}
    pairs = {(index[r], index[x]) for r, x in linked if r in index and x in index}
    return sorted((r, x) for r, x in pairs if r != x and _can_pair(items[r], items[x]))


def _can_pair(r: Item, x: Item) -> bool:
    return r.renewal and x.excavation


def _restrict(items: list[Item], pairs: list[tuple[int, int]], days: int, periods: Periods) -> tuple[list, list]:
    """Take away options that break a no-dig period with a fixed partner; keep the movable pairs."""
    keep, excused = [], []
    fixed_partners: dict[int, list[tuple[int, bool]]] = defaultdict(list)
    for r, x in pairs:
        ri, xi = items[r], items[x]
        if ri.movable and xi.movable:
            keep.append((r, x))
        elif ri.movable:
            fixed_partners[r].append((x, True))
        elif xi.movable:
            fixed_partners[x].append((r, False))
        elif nodig_hit(ri.options[0], xi.options[0], days, periods):
            excused.append((r, x, "beide vastgelegd"))
    for i in sorted(fixed_partners):
        for j, is_renewal in _restrict_item(items, i, fixed_partners[i], days, periods):
            excused.append((i, j, _NO_ROOM) if is_renewal else (j, i, _NO_ROOM))
    return keep, excused


_NO_ROOM = "geen periode zonder graafrust"


def _restrict_item(
    items: list[Item], i: int, partners: list[tuple[int, bool]], days: int, periods: Periods
) -> list[tuple[int, bool]]:
    """Keep the options of item ``i`` clear of its fixed partners' no-dig periods, or, when
    none is, those with the fewest days in them; the partners then still hit are returned."""
    it = items[i]

    def hit(o: Option, j: int, is_renewal: bool) -> int:
        other = items[j].options[0]
        return nodig_hit(o, other, days, periods) if is_renewal else nodig_hit(other, o, days, periods)

    totals = [sum(hit(o, j, r) for j, r in partners) for o in it.options]
    keep = [o for o, t in zip(it.options, totals, strict=True) if t == min(totals)]
    for j, r in partners:
        gone = sorted({o.bucket for o in it.options if hit(o, j, r)} - {o.bucket for o in keep})
        if gone:
            reason = f"graafrust zou {items[j].key} raken" if r else f"graafrust na {items[j].key}"
            it.removed.setdefault(reason, []).extend(gone)
    it.options = keep
    return [(j, r) for j, r in partners if any(hit(o, j, r) for o in keep)]


# --------------------------------------------------------------------------- money and crews


def spend(item: Item, opt: Option, periods: Periods) -> dict[int, float]:
    """Euros per calendar year in the horizon: the budget spread evenly over the days."""
    return dict(_spend(item.plan.budget_eur or 0.0, opt.start, opt.end, periods.from_year, periods.to_year))


@lru_cache(maxsize=1 << 18)
def _spend(budget: float, start: int, end: int, from_year: int, to_year: int) -> tuple[tuple[int, float], ...]:
    if budget <= 0:
        return ()
    dur = end - start + 1
    out = []
    first = max(from_year, dt.date.fromordinal(start).year)
    last = min(to_year, dt.date.fromordinal(end).year)
    for year in range(first, last + 1):
        lo = max(start, dt.date(year, 1, 1).toordinal())
        hi = min(end, dt.date(year, 12, 31).toordinal())
        out.append((year, budget * (hi - lo + 1) / dur))
    return tuple(out)


def spend_units(item: Item, opt: Option, periods: Periods) -> dict[int, int]:
    """:func:`spend` in whole budget units, rounded up (so unit sums bound the euros)."""
    return dict(_spend_units(item.plan.budget_eur or 0.0, opt.start, opt.end, periods.from_year, periods.to_year))


@lru_cache(maxsize=1 << 18)
def _spend_units(budget: float, start: int, end: int, from_year: int, to_year: int) -> tuple[tuple[int, int], ...]:
    return tuple((y, math.ceil(v / EUR_UNIT - 1e-9)) for y, v in _spend(budget, start, end, from_year, to_year))


def budget_units(budget: float) -> int:
    return math.floor(budget / EUR_UNIT + 1e-9)


def _budgets(items: list[Item], periods: Periods, settings: Settings) -> tuple[dict, dict, list]:
    """Budget per owner-year: given, else budget_factor x the uncoordinated peak; never below fixed spend."""
    own: dict[str, dict[int, float]] = defaultdict(lambda: defaultdict(float))
    fixed: dict[str, dict[int, float]] = defaultdict(lambda: defaultdict(float))
    for it in items:
        for y, v in spend(it, it.own, periods).items():
            own[it.owner][y] += v
        if not it.movable:
            for y, v in spend(it, it.options[0], periods).items():
                fixed[it.owner][y] += v
    budgets: dict[str, dict[int, float]] = {}
    source: dict[str, str] = {}
    years = range(periods.from_year, periods.to_year + 1)
    for owner in sorted({it.owner for it in items}):
        given = settings.budgets.get(owner)
        if isinstance(given, Mapping):
            budgets[owner], source[owner] = {int(y): float(v) for y, v in given.items()}, "opgegeven per jaar"
        elif given is not None:
            budgets[owner], source[owner] = dict.fromkeys(years, float(given)), "opgegeven"
        elif settings.budget_factor is not None and own[owner]:
            peak = max(own[owner].values())
            budgets[owner] = dict.fromkeys(years, settings.budget_factor * peak)
            source[owner] = f"{settings.budget_factor:g} x ongecoördineerde piek"
    raised = []
    for owner, per_year in budgets.items():
        for y, b in per_year.items():
            f = fixed[owner].get(y, 0.0)
            if f > b:
                raised.append((owner, y, b, f))
                per_year[y] = f
    return budgets, source, raised


def _caps(inst: Instance) -> dict[tuple[str, int], int]:
    fixed: dict[tuple[str, int], int] = defaultdict(int)
    for it in inst.items:
        if not it.movable:
            for y, u in spend_units(it, it.options[0], inst.periods).items():
                fixed[(it.owner, y)] += u
    return {
        (owner, y): max(budget_units(b), fixed[(owner, y)])
        for owner, per_year in inst.budgets.items()
        for y, b in per_year.items()
    }


def _crew_caps(inst: Instance) -> dict[tuple[str, int], int]:
    if not inst.crew:
        return {}
    fixed: dict[tuple[str, int], int] = defaultdict(int)
    for it in inst.items:
        if not it.movable and it.area in inst.crew:
            for b in active_buckets(inst.periods, it.options[0]):
                fixed[(it.area, b)] += 1
    last = max((inst.periods.of(o.end) for it in inst.items for o in it.options), default=0)
    buckets = range(max(inst.periods.n, last + 1))  # works may run past the horizon
    return {(a, b): max(cap, fixed[(a, b)]) for a, cap in inst.crew.items() for b in buckets}


def active_buckets(periods: Periods, opt: Option) -> range:
    """Buckets an option is active in, from the horizon's first on; buckets after the horizon's
    end count too (a work that runs or is pushed past the horizon still opens the street then),
    the same way for every programme."""
    return _active(periods, opt.start, opt.end)


@lru_cache(maxsize=1 << 18)
def _active(periods: Periods, start: int, end: int) -> range:
    return range(max(0, periods.of(start)), periods.of(end) + 1)


def _crew(items: list[Item], settings: Settings) -> dict[str, int]:
    cap = settings.crew_capacity
    if cap is None:
        return {}
    areas = sorted({it.area for it in items if it.area})
    if isinstance(cap, Mapping):
        return {a: int(cap[a]) for a in areas if a in cap}
    return dict.fromkeys(areas, int(cap))


def _area(plan: Plan, segs: tuple[int, ...], segmap: SegmentMap) -> str | None:
    if plan.area:
        return plan.area
    counts = Counter(segmap.areas[s] for s in segs if segmap.areas[s])
    return min(counts, key=lambda a: (-counts[a], a)) if counts else None


# --------------------------------------------------------------------------- assembly


def _classes(items: list[Item], segmap: SegmentMap) -> list[SegmentClass]:
    members: dict[int, list[int]] = defaultdict(list)
    for it in items:
        if it.excavation:
            for s in it.segments:
                members[s].append(it.index)
    groups: dict[tuple[int, ...], list[int]] = defaultdict(list)
    for s in sorted(members):
        groups[tuple(sorted(members[s]))].append(s)
    return [
        SegmentClass(items=k, segments=tuple(v), length_m=float(segmap.lengths[list(v)].sum()))
        for k, v in sorted(groups.items())
    ]


def build_instance(
    plans: Sequence[Plan],
    segments: Sequence[SegmentLike] | SegmentMap,
    settings: Settings | None = None,
    *,
    scores: Mapping[str, float] | None = None,
    candidate_keys: frozenset[str] = frozenset(),
    own_starts: Mapping[str, dt.date] | None = None,
) -> Instance:
    """Everything the solver and the baselines need, from plans and street segments (pure).
    ``own_starts``: the own start of unscheduled plans (candidates: their due year)."""
    own_starts = own_starts or {}
    settings = settings or Settings()
    periods = Periods(settings.from_year, settings.to_year, settings.buckets_per_year)
    items: list[Item] = []
    skipped: list[tuple[str, str]] = []
    for plan in sorted(plans, key=lambda p: p.key):
        made = make_item(len(items), plan, periods, settings, own_starts.get(plan.key))
        if isinstance(made, str):
            skipped.append((plan.key, made))
        else:
            made.candidate = plan.key in candidate_keys
            items.append(made)
    segmap = segments if isinstance(segments, SegmentMap) else _map(items, segments, settings)
    for it in items:
        it.segments = segmap.of_plan.get(it.key, ())
        it.area = _area(it.plan, it.segments, segmap)
    linked = nodig_pairs([it.plan for it in items], segmap, settings)
    pairs, excused = _restrict(items, _nodig_pairs(items, linked), settings.graafrust_days, periods)
    pairs, more = _arc_consistency(items, pairs, settings.graafrust_days, periods)
    budgets, source, raised = _budgets(items, periods, settings)
    return Instance(
        settings=settings,
        periods=periods,
        items=items,
        segmap=segmap,
        classes=_classes(items, segmap),
        nodig=pairs,
        excused=excused + more,
        budgets=budgets,
        budget_source=source,
        budget_raised=raised,
        crew=_crew(items, settings),
        scores={k: float(v) for k, v in (scores or {}).items()},
        skipped=skipped,
        linked=linked,
    )


def _map(items: list[Item], segments: Sequence[SegmentLike], settings: Settings) -> SegmentMap:
    return map_segments(
        [it.plan for it in items],
        segments,
        distance_m=settings.segment_distance_m,
        min_overlap_m=settings.min_overlap_m,
        point_snap_m=settings.point_snap_m,
    )


def option_arrays(options: Sequence[Option], periods: Periods) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(starts, ends, last day of the period each ends in) of options, as arrays."""
    starts = np.fromiter((o.start for o in options), dtype=np.int64, count=len(options))
    ends = np.fromiter((o.end for o in options), dtype=np.int64, count=len(options))
    lasts = np.fromiter((periods.period_end(o.end) for o in options), dtype=np.int64, count=len(options))
    return starts, ends, lasts


def hit_matrix(r: tuple[np.ndarray, ...], x: tuple[np.ndarray, ...], days: int) -> np.ndarray:
    """:func:`nodig_hit` > 0 for every (renewal option, excavation option), vectorised."""
    _, r_end, r_last = r
    x_start, x_end, _ = x
    last = r_last[:, None]
    return (x_end[None, :] > last) & (
        np.minimum(x_end[None, :], last + days) >= np.maximum(x_start[None, :], r_end[:, None] + 1)
    )


def _arc_consistency(items: list[Item], pairs: list[tuple[int, int]], days: int, periods: Periods) -> tuple[list, list]:
    """Drop options of movable pairs that no option of the partner tolerates, to a fixpoint
    (a work list: a pair is looked at again when one of its items lost options); a pair that
    would leave an item without options is excused instead. Pairs that cannot conflict are dropped."""
    arrays: dict[int, tuple[np.ndarray, ...]] = {}

    def arr(i: int) -> tuple[np.ndarray, ...]:
        if i not in arrays:
            arrays[i] = option_arrays(items[i].options, periods)
        return arrays[i]

    of_item: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for r, x in pairs:
        of_item[r].append((r, x))
        of_item[x].append((r, x))
    state = dict.fromkeys(sorted(pairs), "active")
    queue = deque(sorted(pairs))
    queued = set(queue)
    excused = []
    while queue:
        pair = queue.popleft()
        queued.discard(pair)
        if state[pair] != "active":
            continue
        r, x = pair
        hit = hit_matrix(arr(r), arr(x), days)
        if not hit.any():
            state[pair] = "dropped"
            continue
        r_keep = ~hit.all(axis=1)
        x_keep = ~hit.all(axis=0)
        if not r_keep.any() or not x_keep.any():
            excused.append((r, x, "geen combinatie zonder graafrust"))
            state[pair] = "excused"
            continue
        for i, keep, reason in (
            (r, r_keep, f"graafrust zou {items[x].key} raken"),
            (x, x_keep, f"graafrust na {items[r].key}"),
        ):
            if keep.all():
                continue
            items[i].remove(reason, [o for o, k in zip(items[i].options, keep.tolist(), strict=True) if k])
            arrays.pop(i, None)
            for other in of_item[i]:
                if other != pair and state[other] == "active" and other not in queued:
                    queue.append(other)
                    queued.add(other)
    return [p for p, st in state.items() if st == "active"], excused
