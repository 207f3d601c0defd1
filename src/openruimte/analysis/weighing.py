"""The weighting framework (afwegingskader): one score per plan from criteria of
all five categories of information, each normalised to 0..1, with a breakdown.

Pure: plans, assets, policy goals, environment layers, couplings and grid
bottlenecks in, a :class:`Weighing` out; no I/O.

Criteria and formulas (``ref_year`` = first year of the horizon, default 2026):

``asset_urgency`` (assets)
    The assets of the plan's own asset types within ``asset_distance_m`` of the plan.
    Per asset ``u = max((condition - 1) / 5, clip(1 - (replacement_year - ref_year) / horizon_years, 0, 1))``
    (NEN 2767 condition 1 = excellent .. 6 = very bad; replacement year explicit, else
    install year + expected life; overdue counts 1). The criterion is the mean ``u`` of
    those assets; 0 when there are none.
``policy_fit`` (policy)
    The goals of the plan's area (its buurt, the wijk and gemeente above it, or a goal
    geometry the plan touches) whose theme is one of the plan's themes, plus every goal
    the plan names in ``goals``. Per goal a gap ``g = min(1, |target - current| /
    (0.25 * max(|target|, |current|)))`` (0.5 when either is unknown) times a weight
    ``k`` (normerend 1.0, ambierend 0.75); the criterion is ``1 - prod(1 - k * g)``.
``environment`` (environment)
    Per layer (heat stress, flood, social index) the worst value of the features the
    plan touches, scaled min-max over the layer (reversed when lower is worse); the
    criterion is the mean over the layers present (0 for a plan touching none).
``coupling_value`` (plans)
    From the coupling analysis: ``0.5 * min(1, n / 3) + 0.5 * saving / max_saving``
    with ``n`` the plan's couplings and ``saving`` their summed saving in euros.
``grid_relief`` (vital systems)
    A plan on an electricity (factor 1.0) or heat network (0.6) inside the service
    area of an exceeded substation: ``factor * (0.5 + 0.5 * min(1, overload / 0.2))``
    with ``overload`` = peak load / capacity - 1; 0 otherwise.
``feasibility`` (plans: financing and feasibility)
    ``0.4 * hardness + 0.4 * phase + 0.2 * budget`` with hardness indicatief 0,
    voorgenomen 0.5, besloten 1; phase idee 0 .. beheer 1 in equal steps; budget 1
    when a budget is known.

The score is ``sum(w_c * c) / sum(w_c)``: 0..1.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from openruimte.analysis.areas import assign_areas
from openruimte.model import (
    Area,
    Asset,
    EnvironmentLayer,
    Hardness,
    OpenRuimteError,
    Phase,
    Plan,
    PolicyGoal,
    PolicyKind,
)

CRITERIA: tuple[str, ...] = (
    "asset_urgency",
    "policy_fit",
    "environment",
    "coupling_value",
    "grid_relief",
    "feasibility",
)

#: Dutch labels for reports
LABELS: dict[str, str] = {
    "asset_urgency": "urgentie assets",
    "policy_fit": "beleidsfit",
    "environment": "omgeving",
    "coupling_value": "koppelwaarde",
    "grid_relief": "netontlasting",
    "feasibility": "haalbaarheid",
}

PRESETS: dict[str, dict[str, float]] = {
    # the asset manager's view: replace what is due, bundle what is near
    "assetgericht": {
        "asset_urgency": 0.45,
        "policy_fit": 0.10,
        "environment": 0.05,
        "coupling_value": 0.20,
        "grid_relief": 0.05,
        "feasibility": 0.15,
    },
    # the policy view: serve the goals (heat, water, energy, housing) first
    "opgavegericht": {
        "asset_urgency": 0.10,
        "policy_fit": 0.40,
        "environment": 0.15,
        "coupling_value": 0.10,
        "grid_relief": 0.15,
        "feasibility": 0.10,
    },
    # the area view: where the environment and the neighbourhood need it most, together
    "gebiedsgericht": {
        "asset_urgency": 0.15,
        "policy_fit": 0.20,
        "environment": 0.30,
        "coupling_value": 0.20,
        "grid_relief": 0.05,
        "feasibility": 0.10,
    },
}
DEFAULT_PRESET = "opgavegericht"

KIND_WEIGHT = {PolicyKind.NORMEREND: 1.0, PolicyKind.AMBIEREND: 0.75}
HARDNESS_SCORE = {Hardness.INDICATIEF: 0.0, Hardness.VOORGENOMEN: 0.5, Hardness.BESLOTEN: 1.0}
GRID_FACTOR = {"elektriciteit": 1.0, "warmte": 0.6}


class WeightsError(OpenRuimteError, ValueError):
    """Weights that cannot be used; the message names the source and key."""


def check_weights(weights: Mapping[str, Any], source: str = "weights", prefix: str = "") -> dict[str, float]:
    """Weights per criterion (missing criteria get 0); unknown names, non-numbers,
    negative weights and an all-zero set raise :class:`WeightsError` naming ``source``
    and the key (``prefix`` + criterion)."""
    out = dict.fromkeys(CRITERIA, 0.0)
    for key, value in weights.items():
        where = f"{source}: {prefix}{key}"
        if key not in CRITERIA:
            raise WeightsError(f"{where}: unknown criterion '{key}'; known: {', '.join(CRITERIA)}")
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise WeightsError(f"{where}: the weight must be a number, got {value!r}")
        if value < 0:
            raise WeightsError(f"{where}: the weight is negative ({value}); weights are 0 or more")
        out[key] = float(value)
    if sum(out.values()) <= 0:
        raise WeightsError(f"{source}: all weights are zero; give at least one criterion a positive weight")
    return out


def preset(name: str) -> dict[str, float]:
    if name not in PRESETS:
        raise WeightsError(f"unknown preset '{name}'; presets: {', '.join(PRESETS)}")
    return dict(PRESETS[name])


@dataclass(frozen=True)
class WeighingSettings:
    ref_year: int = 2026
    horizon_years: int = 15
    asset_distance_m: float = 10.0
    heat_layer: str = "hittestress"
    flood_layer: str = "waterdiepte"
    social_layer: str = "sociale_index"
    coupling_count_ref: int = 3
    overload_ref: float = 0.2


@dataclass(frozen=True)
class Bottleneck:
    """An exceeded substation: its service area and peak load over capacity (0.1 = 10 % over)."""

    id: str
    area: BaseGeometry
    overload: float


@dataclass
class Weighing:
    """Scores of a set of plans with the criteria behind them."""

    keys: list[str]
    names: list[str]
    owners: list[str]
    criteria: np.ndarray  # (plans, len(CRITERIA)) in 0..1
    weights: dict[str, float]
    details: list[dict[str, Any]]
    warnings: list[str] = field(default_factory=list)
    preset: str | None = None

    @property
    def scores(self) -> np.ndarray:
        return score_matrix(self.criteria, self.weights)

    def ranks(self, scores: np.ndarray | None = None) -> np.ndarray:
        """1 = best; ties broken by key."""
        s = self.scores if scores is None else scores
        order = sorted(range(len(self.keys)), key=lambda i: (-s[i], self.keys[i]))
        out = np.empty(len(order), dtype=np.int64)
        out[order] = np.arange(1, len(order) + 1)
        return out

    def score_of(self) -> dict[str, float]:
        return {k: float(s) for k, s in zip(self.keys, self.scores, strict=True)}

    def breakdown(self, i: int) -> dict[str, dict[str, float]]:
        """Per criterion its value (0..1), weight (share of the total) and contribution to the score."""
        total = sum(self.weights.values())
        return {
            c: {
                "value": round(float(self.criteria[i, j]), 4),
                "weight": round(self.weights[c] / total, 4),
                "contribution": round(float(self.criteria[i, j]) * self.weights[c] / total, 4),
            }
            for j, c in enumerate(CRITERIA)
        }

    def to_json(self, sensitivity: list[dict[str, Any]] | None = None) -> dict[str, Any]:
        scores, ranks = self.scores, self.ranks()
        order = np.argsort(ranks)
        out: dict[str, Any] = {
            "preset": self.preset,
            "weights": self.weights,
            "criteria": list(CRITERIA),
            "warnings": self.warnings,
            "plans": [
                {
                    "key": self.keys[i],
                    "name": self.names[i],
                    "owner": self.owners[i],
                    "rank": int(ranks[i]),
                    "score": round(float(scores[i]), 4),
                    "breakdown": self.breakdown(i),
                    "details": self.details[i],
                }
                for i in order.tolist()
            ],
        }
        if sensitivity is not None:
            out["sensitivity"] = sensitivity
        return out


def score_matrix(criteria: np.ndarray, weights: Mapping[str, float]) -> np.ndarray:
    w = np.array([weights.get(c, 0.0) for c in CRITERIA], dtype=float)
    if not len(criteria):
        return np.zeros(0)
    return criteria @ (w / w.sum())


# --------------------------------------------------------------------------- criteria


def asset_urgency(
    plans: Sequence[Plan], assets: Sequence[Asset], settings: WeighingSettings
) -> tuple[np.ndarray, list[dict[str, Any]]]:
    out = np.zeros(len(plans))
    details: list[dict[str, Any]] = [{} for _ in plans]
    by_type: dict[str, list[Asset]] = defaultdict(list)
    for a in assets:
        by_type[a.asset_type].append(a)
    trees = {
        t: (shapely.STRtree(np.array([a.geometry for a in items], dtype=object)), items) for t, items in by_type.items()
    }
    for i, p in enumerate(plans):
        urg: list[float] = []
        for t in p.asset_types:
            if t not in trees:
                continue
            tree, items = trees[t]
            hits = tree.query(p.geometry, predicate="dwithin", distance=settings.asset_distance_m)
            urg.extend(asset_u(items[h], settings) for h in hits.tolist())
        if urg:
            out[i] = float(np.mean(urg))
            details[i] = {"assets": len(urg), "max": round(max(urg), 3)}
    return out, details


def asset_u(asset: Asset, settings: WeighingSettings) -> float:
    """Urgency of one asset, 0..1 (see the module doc)."""
    cond = (min(max(asset.condition, 1), 6) - 1) / 5 if asset.condition is not None else 0.0
    year = asset.replacement_year
    if year is None and asset.install_year is not None and asset.expected_life_years is not None:
        year = asset.install_year + asset.expected_life_years
    due = 0.0
    if year is not None:
        due = min(1.0, max(0.0, 1.0 - (year - settings.ref_year) / settings.horizon_years))
    return max(cond, due)


def goal_gap(goal: PolicyGoal) -> float:
    """Distance from current to target, 0..1 (0.5 when unknown)."""
    if goal.current is None or goal.target is None:
        return 0.5
    scale = 0.25 * max(abs(goal.target), abs(goal.current))
    if scale == 0:
        return 0.0
    return min(1.0, abs(goal.target - goal.current) / scale)


def _resolve(
    ref: str, plan: Plan, by_key: Mapping[str, PolicyGoal], by_id: Mapping[str, list[PolicyGoal]]
) -> PolicyGoal | None:
    """The goal a plan's reference means: ``owner:id``, or a bare id (the plan owner's, else the only one)."""
    g = by_key.get(ref)
    if g is None:
        same = [x for x in by_id.get(ref, ()) if x.owner == plan.owner] or by_id.get(ref, [])
        g = same[0] if len(same) == 1 else None
    return g


def _unknown(plan: Plan, ref: str) -> str:
    return f"plan {plan.key} ({plan.name}) refers to policy goal '{ref}', which is not in the registry"


def unknown_goal_refs(plans: Sequence[Plan], goals: Sequence[PolicyGoal]) -> list[str]:
    """A warning per goal reference of a plan that matches no goal in the registry."""
    by_key = {g.key: g for g in goals}
    by_id: dict[str, list[PolicyGoal]] = defaultdict(list)
    for g in goals:
        by_id[g.id].append(g)
    return [_unknown(p, ref) for p in plans for ref in p.goals if _resolve(ref, p, by_key, by_id) is None]


def policy_fit(
    plans: Sequence[Plan],
    goals: Sequence[PolicyGoal],
    areas: Sequence[Area],
    plan_areas: Sequence[str | None],
) -> tuple[np.ndarray, list[dict[str, Any]], list[str]]:
    """Policy fit per plan, its goals, and warnings for goal references that do not exist."""
    out = np.zeros(len(plans))
    details: list[dict[str, Any]] = [{} for _ in plans]
    warnings: list[str] = []
    parents = {a.code: a.parent for a in areas}
    by_key = {g.key: g for g in goals}
    by_id: dict[str, list[PolicyGoal]] = defaultdict(list)
    for g in goals:
        by_id[g.id].append(g)
    by_area: dict[str, list[PolicyGoal]] = defaultdict(list)
    with_geom = [g for g in goals if g.area is None and g.geometry is not None]
    for g in goals:
        if g.area is not None:
            by_area[g.area].append(g)
    tree = shapely.STRtree(np.array([g.geometry for g in with_geom], dtype=object)) if with_geom else None
    for i, p in enumerate(plans):
        chain, code, seen_codes = [], plan_areas[i], set()
        while code and code not in seen_codes:
            seen_codes.add(code)
            chain.append(code)
            code = parents.get(code)
        near = [g for c in chain for g in by_area.get(c, ())]
        if tree is not None:
            near += [with_geom[k] for k in tree.query(p.geometry, predicate="intersects").tolist()]
        themes = set(p.themes)
        chosen = {g.key: g for g in near if g.theme in themes}
        linked = []
        for ref in p.goals:
            g = _resolve(ref, p, by_key, by_id)
            if g is None:
                warnings.append(_unknown(p, ref))
                continue
            chosen[g.key] = g
            linked.append(g.key)
        if chosen:
            rest = 1.0
            for g in chosen.values():
                rest *= 1.0 - KIND_WEIGHT.get(g.kind, 0.75) * goal_gap(g)
            out[i] = 1.0 - rest
            details[i] = {"goals": sorted(chosen), "linked": linked}
    return out, details, warnings


def _layer_scaled(layer: EnvironmentLayer) -> tuple[Any, np.ndarray] | None:
    feats = [f for f in layer.features if f.value is not None]
    if not feats:
        return None
    values = np.array([f.value for f in feats], dtype=float)
    lo, hi = float(values.min()), float(values.max())
    scaled = (values - lo) / (hi - lo) if hi > lo else np.zeros(len(values))
    if not layer.higher_is_worse:
        scaled = 1.0 - scaled
    return shapely.STRtree(np.array([f.geometry for f in feats], dtype=object)), scaled


def environment(
    plans: Sequence[Plan], layers: Sequence[EnvironmentLayer], settings: WeighingSettings
) -> tuple[np.ndarray, list[dict[str, Any]]]:
    wanted = (settings.heat_layer, settings.flood_layer, settings.social_layer)
    present = [(lay.name, s) for lay in layers if lay.name in wanted and (s := _layer_scaled(lay)) is not None]
    details: list[dict[str, Any]] = [{} for _ in plans]
    if not present or not plans:
        return np.zeros(len(plans)), details
    geoms = np.array([p.geometry for p in plans], dtype=object)
    cols = np.zeros((len(plans), len(present)))
    for j, (name, (tree, scaled)) in enumerate(present):
        qi, ti = tree.query(geoms, predicate="intersects")
        np.maximum.at(cols[:, j], qi, scaled[ti])
        for i in np.unique(qi).tolist():
            details[i][name] = round(float(cols[i, j]), 3)
    return cols.mean(axis=1), details


def coupling_value(
    keys: Sequence[str], couplings: Iterable[Mapping[str, Any]], settings: WeighingSettings
) -> tuple[np.ndarray, list[dict[str, Any]]]:
    index = {k: i for i, k in enumerate(keys)}
    n, saving = np.zeros(len(keys)), np.zeros(len(keys))
    for c in couplings:
        eur = float((c.get("explanation") or {}).get("saving_eur", 0.0) or 0.0)
        for side in ("a", "b"):
            if c[side] in index:
                n[index[c[side]]] += 1
                saving[index[c[side]]] += eur
    top = saving.max() if len(saving) else 0.0
    out = 0.5 * np.minimum(1.0, n / settings.coupling_count_ref) + (0.5 * saving / top if top > 0 else 0.0)
    details = [{"couplings": int(n[i]), "saving_eur": round(float(saving[i]))} if n[i] else {} for i in range(len(n))]
    return out, details


def grid_relief(
    plans: Sequence[Plan], bottlenecks: Sequence[Bottleneck], settings: WeighingSettings
) -> tuple[np.ndarray, list[dict[str, Any]]]:
    out = np.zeros(len(plans))
    details: list[dict[str, Any]] = [{} for _ in plans]
    if not bottlenecks:
        return out, details
    tree = shapely.STRtree(np.array([b.area for b in bottlenecks], dtype=object))
    for i, p in enumerate(plans):
        factor = max((GRID_FACTOR.get(t, 0.0) for t in p.asset_types), default=0.0)
        if not factor:
            continue
        hits = tree.query(p.geometry, predicate="intersects").tolist()
        if hits:
            b = max((bottlenecks[h] for h in hits), key=lambda b: b.overload)
            out[i] = factor * (0.5 + 0.5 * min(1.0, max(0.0, b.overload) / settings.overload_ref))
            details[i] = {"substation": b.id, "overload": round(b.overload, 3)}
    return out, details


def feasibility(plans: Sequence[Plan]) -> np.ndarray:
    last = len(Phase) - 1
    return np.array(
        [
            0.4 * HARDNESS_SCORE.get(p.hardness, 0.0) + 0.4 * p.phase.rank / last + 0.2 * (1.0 if p.budget_eur else 0.0)
            for p in plans
        ]
    )


def weigh(
    plans: Sequence[Plan],
    weights: Mapping[str, float],
    *,
    assets: Sequence[Asset] = (),
    goals: Sequence[PolicyGoal] = (),
    areas: Sequence[Area] = (),
    layers: Sequence[EnvironmentLayer] = (),
    couplings: Iterable[Mapping[str, Any]] = (),
    bottlenecks: Sequence[Bottleneck] = (),
    settings: WeighingSettings | None = None,
    preset_name: str | None = None,
) -> Weighing:
    """Score every plan on the six criteria and combine them with ``weights``."""
    settings = settings or WeighingSettings()
    weights = check_weights(weights)
    plans = list(plans)
    keys = [p.key for p in plans]
    found = assign_areas([p.geometry for p in plans], [a for a in areas if str(a.level) == "buurt"] or list(areas))
    plan_areas = [p.area or a for p, a in zip(plans, found, strict=True)]
    c_asset, d_asset = asset_urgency(plans, assets, settings)
    c_policy, d_policy, warnings = policy_fit(plans, goals, areas, plan_areas)
    c_env, d_env = environment(plans, layers, settings)
    c_coup, d_coup = coupling_value(keys, couplings, settings)
    c_grid, d_grid = grid_relief(plans, bottlenecks, settings)
    c_feas = feasibility(plans)
    matrix = np.column_stack([c_asset, c_policy, c_env, c_coup, c_grid, c_feas]) if plans else np.zeros((0, 6))
    details = []
    for i in range(len(plans)):
        d: dict[str, Any] = {"area": plan_areas[i]}
        for name, src in (
            ("asset_urgency", d_asset),
            ("policy_fit", d_policy),
            ("environment", d_env),
            ("coupling_value", d_coup),
            ("grid_relief", d_grid),
        ):
            if src[i]:
                d[name] = src[i]
        details.append(d)
    return Weighing(
        keys=keys,
        names=[p.name for p in plans],
        owners=[p.owner for p in plans],
        criteria=np.clip(matrix, 0.0, 1.0),
        weights=weights,
        details=details,
        warnings=warnings,
        preset=preset_name,
    )


# --------------------------------------------------------------------------- sensitivity


def kendall_tau(x: np.ndarray, y: np.ndarray, chunk: int = 512) -> float:
    """Kendall's tau-b between two score vectors (ties handled), in chunks of rows."""
    n = len(x)
    if n < 2:
        return 1.0
    conc = disc = tie_x = tie_y = 0
    for lo in range(0, n, chunk):
        hi = min(n, lo + chunk)
        dx = np.sign(x[lo:hi, None] - x[None, :])
        dy = np.sign(y[lo:hi, None] - y[None, :])
        upper = np.arange(lo, hi)[:, None] < np.arange(n)[None, :]
        prod = dx * dy
        conc += int(((prod > 0) & upper).sum())
        disc += int(((prod < 0) & upper).sum())
        tie_x += int(((dx == 0) & (dy != 0) & upper).sum())
        tie_y += int(((dy == 0) & (dx != 0) & upper).sum())
    denom = math.sqrt((conc + disc + tie_x) * (conc + disc + tie_y))
    return (conc - disc) / denom if denom else 1.0


def sensitivity(weighing: Weighing, change: float = 0.2, movers: int = 5) -> list[dict[str, Any]]:
    """For each weight x (1 - change) and x (1 + change): Kendall tau against the base
    ranking, the largest rank shift and the plans that move most."""
    base_scores, base_ranks = weighing.scores, weighing.ranks()
    out = []
    for c in CRITERIA:
        for factor in (1.0 - change, 1.0 + change):
            if weighing.weights[c] == 0:
                continue
            w = dict(weighing.weights)
            w[c] *= factor
            scores = score_matrix(weighing.criteria, w)
            ranks = weighing.ranks(scores)
            shift = ranks - base_ranks
            order = sorted(range(len(shift)), key=lambda i: (-abs(int(shift[i])), int(base_ranks[i])))
            out.append(
                {
                    "criterion": c,
                    "factor": round(factor, 3),
                    "kendall_tau": round(kendall_tau(base_scores, scores), 4),
                    "max_shift": int(np.abs(shift).max()) if len(shift) else 0,
                    "moved": int((shift != 0).sum()),
                    "movers": [
                        {"key": weighing.keys[i], "from": int(base_ranks[i]), "to": int(ranks[i])}
                        for i in order[:movers]
                        if shift[i] != 0
                    ],
                }
            )
    return out


def score_sentence(score: Mapping[str, Any], preset: str) -> str:
    """A plan's score as one sentence (CLI and API alike): ``Score 0.512 uit het
    afwegingskader (balanced): Assets 0.80 x 30% = 0.240; ...``, criteria without weight left out."""
    parts = [
        f"{LABELS[c]} {b['value']:.2f} x {b['weight']:.0%} = {b['contribution']:.3f}"
        for c in CRITERIA
        if (b := score["breakdown"][c])["weight"] > 0
    ]
    return f"Score {score['score']:.3f} uit het afwegingskader ({preset}): " + ("; ".join(parts) + ".")
