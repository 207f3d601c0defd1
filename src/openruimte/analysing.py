"""Run analyses on a file or on the store, and keep the results for the map.

Library first: the CLI and the API call these.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import shapely

from openruimte import io
from openruimte.analysis.couplings import PlanAnalysis, UnitCosts, analyse_plans
from openruimte.analysis.pairs import Parameters
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
    return result


def write_json(result: PlanAnalysis, out: Path) -> None:
    out.write_text(json.dumps(result.to_json(), ensure_ascii=False, indent=1), encoding="utf-8")


def pairs_geojson(result: PlanAnalysis, plans: list[Plan], out: Path) -> int:
    """Couplings and conflicts as lines between the nearest points of the two plans
    (GeoJSON, WGS84), for QGIS or the map. Returns the number of features."""
    from openruimte.io.crs import to_wgs84

    by_key = {p.key: p for p in plans}
    features: list[dict[str, Any]] = []
    lines: list[Any] = []
    for c in result.couplings:
        lines.append(shapely.shortest_line(by_key[c["a"]].geometry, by_key[c["b"]].geometry))
        props = {k: v for k, v in c.items() if k != "explanation"} | {"kind": "coupling", "text": c["explanation"]["text"]}
        features.append({"type": "Feature", "properties": props})
    for k in result.conflicts:
        lines.append(shapely.shortest_line(by_key[k["renewal"]].geometry, by_key[k["plan"]].geometry))
        props = {key: v for key, v in k.items() if key != "explanation"} | {"kind": "conflict", "text": k["explanation"]["text"]}
        features.append({"type": "Feature", "properties": props})
    for feat, geom in zip(features, to_wgs84(lines), strict=True):
        feat["geometry"] = shapely.geometry.mapping(geom)
    doc = {"type": "FeatureCollection", "name": "analysis", "features": features}
    out.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return len(features)


__all__ = ["InputError", "analyse", "analyse_store", "pairs_geojson", "plans_from_file", "write_json"]
