"""The programme optimiser on the store: plans, street segments and replacement
candidates from the store, scores from the weighting framework, a scenario
(budgets, crews, planner weights and settings) from YAML; the programme saved
for the map.

Library first: ``openruimte plan`` calls these.
"""

from __future__ import annotations

import dataclasses
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import shapely

from openruimte.analysis.candidates import Candidate, Horizon, find_candidates
from openruimte.analysis.weighing import WeighingSettings, WeightsError, check_weights
from openruimte.model import Plan
from openruimte.planner import ProgrammeResult, Settings, Weights, candidate_plan, plan_programme

# --- issue 13 (planner branch): candidate windows per asset type, deadline, progress
from openruimte.planner.windows import own_starts, parse_rules
from openruimte.planner.windows import prepare as prepare_windows
from openruimte.services.weigh import read_yaml, weigh_plans, weights_from_mapping
from openruimte.store import Store

Step = Callable[[str], None]

#: planner settings a scenario may set, with their type
SCENARIO_SETTINGS: dict[str, type] = {
    "max_shift_years": int,
    "graafrust_days": int,
    "graafrust_distance_m": float,
    "segment_distance_m": float,
    "min_overlap_m": float,
    "point_snap_m": float,
    "budget_factor": float,
    "num_workers": int,
    "seed": int,
    "deterministic_time": float,
    "relative_gap": float,
    "decompose_above": int,
    "max_plans_per_model": int,
}
SCENARIO_KEYS = (
    "name",
    "budgets",
    "crew_capacity",
    "planner_weights",
    "settings",
    "weights",
    "preset",
    "candidate_slack_years",
    "candidate_windows",  # issue 13
    "hardness_shift_years",  # issue 13
)
#: a replacement candidate may be done this many years before its first or after its last due year
CANDIDATE_SLACK_YEARS = 0
#: a candidate is served by a registered plan of its owner and type covering this share of it
SERVED_SHARE = 0.5
SERVED_DISTANCE_M = 10.0


@dataclass
class Scenario:
    """What a scenario file sets; everything optional."""

    name: str | None = None
    budgets: dict[str, float | dict[int, float]] = field(default_factory=dict)
    crew_capacity: int | dict[str, int] | None = None
    planner_weights: dict[str, float] = field(default_factory=dict)
    settings: dict[str, Any] = field(default_factory=dict)
    weights: dict[str, float] | None = None
    weights_label: str | None = None
    candidate_slack_years: int = CANDIDATE_SLACK_YEARS
    #: issue 13: candidate window rules per asset type (None: the built-in rules)
    candidate_windows: dict[str, Any] | None = None
    hardness_shift_years: dict[str, int] | None = None


def _number(value: Any, where: str, *, integer: bool = False, minimum: float = 0.0) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise WeightsError(f"{where}: expected a number, got {value!r}")
    if integer and value != int(value):
        raise WeightsError(f"{where}: expected a whole number, got {value!r}")
    if value < minimum:
        raise WeightsError(f"{where}: must be at least {minimum:g}, got {value!r}")
    return int(value) if integer else float(value)


def _mapping(value: Any, where: str) -> Mapping[Any, Any]:
    if not isinstance(value, Mapping):
        raise WeightsError(f"{where}: expected a mapping, got {type(value).__name__}")
    return value


def load_scenario(path: Path) -> Scenario:
    """A scenario YAML file; every error names the file and the key."""
    data = read_yaml(path)
    src = str(path)
    if data is None:
        return Scenario(name=path.stem)
    data = _mapping(data, src)
    for key in data:
        if key not in SCENARIO_KEYS:
            raise WeightsError(f"{src}: unknown key '{key}'; known: {', '.join(SCENARIO_KEYS)}")
    sc = Scenario(name=str(data.get("name") or path.stem))
    for owner, value in _mapping(data.get("budgets") or {}, f"{src}: budgets").items():
        where = f"{src}: budgets.{owner}"
        if isinstance(value, Mapping):
            per_year: dict[int, float] = {}
            for year, amount in value.items():
                try:
                    y = int(year)
                except (TypeError, ValueError):
                    raise WeightsError(f"{where}.{year}: expected a year, got {year!r}") from None
                per_year[y] = _number(amount, f"{where}.{year}")
            sc.budgets[str(owner)] = per_year
        else:
            sc.budgets[str(owner)] = _number(value, where)
    crew = data.get("crew_capacity")
    if isinstance(crew, Mapping):
        sc.crew_capacity = {
            str(a): int(_number(v, f"{src}: crew_capacity.{a}", integer=True, minimum=1)) for a, v in crew.items()
        }
    elif crew is not None:
        sc.crew_capacity = int(_number(crew, f"{src}: crew_capacity", integer=True, minimum=1))
    known = [f.name for f in dataclasses.fields(Weights)]
    for key, value in _mapping(data.get("planner_weights") or {}, f"{src}: planner_weights").items():
        if key not in known:
            raise WeightsError(f"{src}: planner_weights.{key}: unknown weight; known: {', '.join(known)}")
        sc.planner_weights[key] = _number(value, f"{src}: planner_weights.{key}")
    for key, value in _mapping(data.get("settings") or {}, f"{src}: settings").items():
        if key not in SCENARIO_SETTINGS:
            raise WeightsError(f"{src}: settings.{key}: unknown setting; known: {', '.join(SCENARIO_SETTINGS)}")
        if value is None and key in ("budget_factor", "deterministic_time"):
            sc.settings[key] = None
            continue
        integer = SCENARIO_SETTINGS[key] is int
        sc.settings[key] = _number(value, f"{src}: settings.{key}", integer=integer)
    if data.get("candidate_slack_years") is not None:
        sc.candidate_slack_years = int(
            _number(data["candidate_slack_years"], f"{src}: candidate_slack_years", integer=True)
        )
    # issue 13: windows per asset type and condition class; shifts per hardness
    if data.get("candidate_windows") is not None:
        try:
            parse_rules(_mapping(data["candidate_windows"], f"{src}: candidate_windows"), f"{src}: candidate_windows")
        except ValueError as err:
            raise WeightsError(str(err)) from None
        sc.candidate_windows = dict(data["candidate_windows"])
    if data.get("hardness_shift_years") is not None:
        sc.hardness_shift_years = {
            str(k): int(_number(v, f"{src}: hardness_shift_years.{k}", integer=True))
            for k, v in _mapping(data["hardness_shift_years"], f"{src}: hardness_shift_years").items()
        }
    if data.get("weights") is not None or data.get("preset") is not None:
        # weights: {criterion: w} with an optional preset inside, or preset: at the top
        given = data.get("weights") or {}
        doc: dict[str, Any] = {}
        if isinstance(given, Mapping) and "preset" in given:
            doc["preset"] = given["preset"]
            given = {k: v for k, v in given.items() if k != "preset"}
        if data.get("preset") is not None:
            doc["preset"] = data["preset"]
        if given or "preset" not in doc:
            doc["weights"] = given
        sc.weights, sc.weights_label = weights_from_mapping(doc, src)
    return sc


def make_settings(
    scenario: Scenario | None,
    *,
    from_year: int,
    to_year: int,
    bucket: str,
    time_limit_s: float,
    **overrides: Any,
) -> Settings:
    sc = scenario or Scenario()
    values: dict[str, Any] = dict(sc.settings)
    values.update({k: v for k, v in overrides.items() if v is not None})
    if to_year < from_year:
        raise WeightsError(f"--to {to_year} is before --from {from_year}")
    if sc.hardness_shift_years is not None:  # issue 13
        values["hardness_shift_years"] = {**Settings().hardness_shift_years, **sc.hardness_shift_years}
    return Settings(
        from_year=from_year,
        to_year=to_year,
        bucket=bucket,  # type: ignore[arg-type]
        time_limit_s=time_limit_s,
        budgets=sc.budgets,
        crew_capacity=sc.crew_capacity,
        weights=Weights(**sc.planner_weights),
        **values,
    )


@dataclass
class PlanRun:
    result: ProgrammeResult
    data: dict[str, Any]
    scores: dict[str, dict[str, Any]]
    warnings: list[str]


def served(candidates: Sequence[Candidate], plans: Sequence[Plan]) -> tuple[list[Candidate], list[Candidate]]:
    """(open, served): a candidate is served when a registered plan of the same owner and
    asset type covers at least SERVED_SHARE of it (within SERVED_DISTANCE_M) - that plan
    already is the replacement, so programming the candidate too would count the work twice."""
    if not candidates or not plans:
        return list(candidates), []
    zones = np.array([p.geometry.buffer(SERVED_DISTANCE_M, quad_segs=2) for p in plans], dtype=object)
    tree = shapely.STRtree(zones)
    open_, done = [], []
    for c in candidates:
        hits = [
            h
            for h in tree.query(c.geometry, predicate="intersects").tolist()
            if plans[h].owner == c.owner and c.asset_type in plans[h].asset_types
        ]
        share = 0.0
        if hits:
            cover = shapely.union_all(zones[hits])
            dim = shapely.get_dimensions(c.geometry)
            if dim == 0:
                share = 1.0 if c.geometry.intersects(cover) else 0.0
            else:
                measure = shapely.length if dim == 1 else shapely.area
                whole = float(measure(c.geometry))
                share = float(measure(shapely.intersection(c.geometry, cover))) / whole if whole else 1.0
        (done if share >= SERVED_SHARE else open_).append(c)
    return open_, done


def widened(candidates: Sequence[Candidate], years: int, first: int, last: int) -> list[Candidate]:
    """Candidates whose window runs ``years`` before their first and after their last due year."""
    return [
        dataclasses.replace(
            c, first_year=max(first, c.first_year - years), last_year=min(last, max(c.last_year + years, first))
        )
        for c in candidates
    ]


def plan_store(
    store: Store,
    settings: Settings,
    weights: Mapping[str, float],
    *,
    weights_label: str,
    actor: str,
    candidates: bool = True,
    condition_threshold: int = 4,
    scenario: str | None = None,
    candidate_slack_years: int = CANDIDATE_SLACK_YEARS,
    step: Step | None = None,
    window_rules: Mapping[str, Any] | None = None,
    deadline: float | None = None,
    progress: Any = None,
    save: bool = True,
) -> PlanRun:
    """Weigh, then synthesise the programme for the store's plans (and replacement
    candidates); the programme JSON is saved as analysis kind ``programme``.

    Issue 13: candidate windows from condition and due year per asset type (``window_rules``:
    the scenario's ``candidate_windows``, see planner/windows.py); ``deadline`` (perf_counter)
    for the whole run including saving; ``progress(stage, share, objective, gap)``; ``save``."""
    say = step or (lambda _text: None)
    weights = check_weights(weights, source=weights_label)
    say("gegevens laden / loading plans, streets and assets")
    plans = store.plans()
    streets = store.streets()
    found: list[Candidate] = []
    done: list[Candidate] = []
    assets: list = []
    if candidates:
        say("vervangingsopgaven zoeken / finding replacement candidates")
        assets = store.assets()
        due = find_candidates(assets, streets, Horizon(settings.from_year, settings.to_year, condition_threshold))
        found, done = served(due, plans)
    # issue 13: windows from condition and due year, per asset type
    found, wins, window_settings = prepare_windows(
        found, assets, settings.from_year, settings.to_year, window_rules, candidate_slack_years
    )
    cand_plans = [candidate_plan(c, settings) for c in found]
    say("afwegen / weighing plans")
    t0 = time.perf_counter()
    wset = WeighingSettings(ref_year=settings.from_year, horizon_years=settings.to_year - settings.from_year + 1)
    weighing = weigh_plans(store, [*plans, *cand_plans], weights, settings=wset, preset_name=weights_label)
    scores = weighing.score_of()
    weigh_s = time.perf_counter() - t0
    say(f"optimaliseren / optimising ({len(plans)} plans, {len(found)} candidates)")
    reserve = 1.0 + 0.0004 * (len(plans) + len(found))  # issue 13: saving the programme after the solver
    result = plan_programme(
        plans,
        streets,
        settings,
        candidates=found,
        scores=scores,
        own_starts=own_starts(wins),
        deadline=deadline,
        reserve_s=reserve,
        progress=progress,
    )
    say("opslaan / saving")
    breakdown = {
        k: {"score": round(scores[k], 4), "breakdown": weighing.breakdown(i), "details": weighing.details[i]}
        for i, k in enumerate(weighing.keys)
    }
    data = result.to_json()
    data["timings_s"]["weighing"] = round(weigh_s, 3)
    for entry in data["plans"]:
        b = breakdown.get(entry["key"])
        if b is not None:
            entry["score"] = b["score"]
            entry["score_breakdown"] = b["breakdown"]
    data["scenario"] = scenario
    data["weighing"] = {
        "preset": weights_label,
        "weights": weights,
        "planner_weights": settings.weights.as_dict(),
        "warnings": weighing.warnings,
    }
    data["candidates"] = len(found)
    data["candidates_served_by_plans"] = len(done)
    data["candidate_slack_years"] = candidate_slack_years if candidates else None
    data["candidate_windows"] = window_settings.as_dict() if candidates else None
    data["candidate_window_classes"] = dict(sorted(Counter(w.condition_class for w in wins.values()).items()))
    if not save:  # issue 13: a sweep run is not the programme
        return PlanRun(result=result, data=data, scores=breakdown, warnings=weighing.warnings)
    with store.writer(actor) as w:
        w.save_analysis(
            "programme",
            {
                "from": settings.from_year,
                "to": settings.to_year,
                "bucket": settings.bucket,
                "weights": weights_label,
                "scenario": scenario,
            },
            data,
        )
    return PlanRun(result=result, data=data, scores=breakdown, warnings=weighing.warnings)


__all__ = ["PlanRun", "Scenario", "load_scenario", "make_settings", "plan_store"]


def explanation(run: Any, given: str) -> str | None:
    """Why a plan (its key, or an id) got its period, with its score sentence (the same text
    for the CLI and the API); None when the programme has no such plan."""
    from openruimte.planner.explain import explain_with_score, resolve_key

    key = resolve_key(run.result, given)
    if key is None:
        return None
    return explain_with_score(run.result, key, run.scores.get(key), run.data["weighing"]["preset"])
