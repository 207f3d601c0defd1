"""Run analyses on a file or on the store, and keep the results for the map.

Library first: the CLI and the API call these.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import shapely

from openruimte import io
from openruimte.analysis.candidates import Horizon, find_candidates
from openruimte.analysis.capacity import CapacityResult, CapacitySettings, network_capacity
from openruimte.analysis.couplings import PlanAnalysis, UnitCosts, analyse_plans
from openruimte.analysis.pairs import Parameters
from openruimte.analysis.space import SpaceResult, underground_space
from openruimte.analysis.weighing import unknown_goal_refs
from openruimte.model import InputError, Plan
from openruimte.store import Store

Progress = Callable[[int], None]


def plans_from_file(path: str | Path, **read_options: Any) -> list[Plan]:
    """Plans of a file in any encoding ``import`` reads; every error raises."""
    result = io.read(path, "plans", **read_options)
    result.raise_if_errors()
    return result.items


def analyse(
    plans: list[Plan], params: Parameters, *, costs: UnitCosts | None = None, progress: Progress | None = None
) -> PlanAnalysis:
    return analyse_plans(plans, params, costs=costs, progress=progress)


def analyse_store(store: Store, params: Parameters, *, actor: str, progress: Progress | None = None) -> PlanAnalysis:
    """Analyse every plan in the store and save the result for the map."""
    result = analyse_plans(store.plans(), params, progress=progress)
    with store.writer(actor) as w:
        w.save_analysis("plans", params.as_dict(), result.to_json())
        # issue 12 (scale): the pairs one by one, kept up to date on each plan write
        from openruimte.services.analyse_incremental import save_records

        save_records(w.conn, result.couplings, result.conflicts, params)
    return result


def write_json(result: Any, out: Path) -> None:
    """Any analysis result (anything with ``to_json``) as a JSON file."""
    data = result.to_json() if hasattr(result, "to_json") else result
    out.write_text(json.dumps(data, ensure_ascii=False, indent=1, default=str), encoding="utf-8")


def _save(store: Store, kind: str, parameters: dict[str, Any], result: dict[str, Any], actor: str) -> None:
    with store.writer(actor) as w:
        w.save_analysis(kind, parameters, result)


def candidates_in_store(store: Store, horizon: Horizon, params: Parameters, *, actor: str) -> dict[str, Any]:
    """Replacement candidates from the store's assets, with their couplings to
    registered plans; saved for the map."""
    found = find_candidates(store.assets(), store.streets(), horizon)
    plans = store.plans()
    cand_plans = [c.as_plan() for c in found]
    side = np.array([False] * len(plans) + [True] * len(cand_plans))
    couplings = analyse_plans([*plans, *cand_plans], params, between=side).couplings
    result = {
        "parameters": {
            "first_year": horizon.first_year,
            "last_year": horizon.last_year,
            "condition_threshold": horizon.condition_threshold,
        },
        "candidates": [c.to_json() for c in found],
        "couplings_with_plans": [
            {k: v for k, v in c.items() if k != "explanation"} | {"text": c["explanation"]["text"]} for c in couplings
        ],
        "total_cost_eur": round(sum(c.cost_eur for c in found), -3),
    }
    _save(store, "candidates", result["parameters"], result, actor)
    return result


def capacity_in_store(store: Store, settings: CapacitySettings, *, actor: str) -> CapacityResult:
    result = network_capacity(store.plans(), store.vital_systems(), settings)
    _save(store, "capacity", result.to_json()["parameters"], result.to_json(), actor)
    return result


def space_in_store(store: Store, network: str, *, actor: str, required_m: float | None = None) -> SpaceResult:
    result = underground_space(
        store.streets(), store.assets(), network=network, plans=store.plans(), required_m=required_m
    )
    _save(store, "space", {"network": network, "required_m": result.required_m}, result.to_json(), actor)
    return result


def pairs_geojson(result: PlanAnalysis, plans: list[Plan], out: Path) -> int:
    """Couplings and conflicts as lines between the nearest points of the two plans
    (GeoJSON, WGS84), for QGIS or the map. Returns the number of features."""
    from openruimte.io.crs import to_wgs84

    by_key = {p.key: p for p in plans}
    features: list[dict[str, Any]] = []
    lines: list[Any] = []
    for c in result.couplings:
        lines.append(shapely.shortest_line(by_key[c["a"]].geometry, by_key[c["b"]].geometry))
        props = {k: v for k, v in c.items() if k != "explanation"} | {
            "kind": "coupling",
            "text": c["explanation"]["text"],
        }
        features.append({"type": "Feature", "properties": props})
    for k in result.conflicts:
        lines.append(shapely.shortest_line(by_key[k["renewal"]].geometry, by_key[k["plan"]].geometry))
        props = {key: v for key, v in k.items() if key != "explanation"} | {
            "kind": "conflict",
            "text": k["explanation"]["text"],
        }
        features.append({"type": "Feature", "properties": props})
    for feat, geom in zip(features, to_wgs84(lines), strict=True):
        feat["geometry"] = shapely.geometry.mapping(geom)
    doc = {"type": "FeatureCollection", "name": "analysis", "features": features}
    out.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return len(features)


__all__ = [
    "InputError",
    "analyse",
    "analyse_store",
    "candidates_in_store",
    "capacity_in_store",
    "pairs_geojson",
    "plans_from_file",
    "space_in_store",
    "unknown_goal_refs",
    "write_json",
]
