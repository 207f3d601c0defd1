"""The weighting framework on the store: weights from a preset or a YAML file,
criteria from every category in the store, the result saved for the map.

Library first: the CLI (``openruimte weigh``, ``openruimte plan``) calls these.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from openruimte.analysis.capacity import CapacitySettings, network_capacity
from openruimte.analysis.couplings import analyse_plans
from openruimte.analysis.pairs import Parameters
from openruimte.analysis.weighing import (
    CRITERIA,
    DEFAULT_PRESET,
    PRESETS,
    Bottleneck,
    Weighing,
    WeighingSettings,
    WeightsError,
    check_weights,
    preset,
    sensitivity,
    weigh,
)
from openruimte.model import Plan
from openruimte.store import Store


def read_yaml(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise WeightsError(f"{path}: cannot read the file ({err.strerror or err})") from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        raise WeightsError(f"{path}{where}: not valid YAML ({getattr(err, 'problem', None) or err})") from None


def weights_from_mapping(data: Any, source: str) -> tuple[dict[str, float], str]:
    """Weights from a parsed YAML document: ``{preset: NAME, weights: {criterion: w}}``,
    or criteria at the top level. A preset is the base that given weights override."""
    if not isinstance(data, Mapping):
        raise WeightsError(f"{source}: expected a mapping of criterion: weight, got {type(data).__name__}")
    data = dict(data)
    base_name = data.pop("preset", None)
    nested = data.pop("weights", None)
    if nested is not None and data:
        raise WeightsError(f"{source}: unknown key '{next(iter(data))}' (give criteria under 'weights')")
    given = nested if nested is not None else data
    prefix = "weights." if nested is not None else ""
    if not isinstance(given, Mapping):
        raise WeightsError(f"{source}: weights: expected a mapping of criterion: weight, got {type(given).__name__}")
    if base_name is not None:
        try:
            base = preset(str(base_name))
        except WeightsError as err:
            raise WeightsError(f"{source}: preset: {err}") from None
    else:
        base = {}
    check_weights({**dict.fromkeys(CRITERIA, 1.0), **given}, source=source, prefix=prefix)
    weights = check_weights({**base, **given}, source=source)
    label = f"{base_name} + {source}" if base_name is not None and given else str(base_name or source)
    return weights, label


def load_weights(preset_name: str | None = None, path: Path | None = None) -> tuple[dict[str, float], str]:
    """Weights and a label saying where they came from (``--preset`` or ``--weights FILE``)."""
    if path is not None and preset_name is not None:
        raise WeightsError("give --preset or --weights, not both (a weights file may name its base 'preset')")
    if path is not None:
        return weights_from_mapping(read_yaml(path), str(path))
    name = preset_name or DEFAULT_PRESET
    return preset(name), name


def bottlenecks(store: Store, plans: Sequence[Plan], first_year: int, last_year: int) -> list[Bottleneck]:
    """Exceeded substations with their service area and peak overload, from the capacity analysis."""
    systems = store.vital_systems()
    result = network_capacity(plans, systems, CapacitySettings(first_year=first_year, last_year=last_year))
    areas = {(s.id, e.id): e.service_area for s in systems for e in s.elements}
    out = []
    for e in result.exceeded():
        peak = max([e.load, *(e.total(y) for y in e.added_by_year)])
        area = areas.get((e.system, e.id))
        if area is not None and e.capacity > 0:
            out.append(Bottleneck(id=e.id, area=area, overload=peak / e.capacity - 1.0))
    return out


def weigh_plans(
    store: Store,
    plans: Sequence[Plan],
    weights: Mapping[str, float],
    *,
    settings: WeighingSettings | None = None,
    preset_name: str | None = None,
    params: Parameters | None = None,
) -> Weighing:
    """Weigh ``plans`` (the store's, plus any replacement candidates as plans) against the store's
    assets, policy, environment layers, couplings among them and grid bottlenecks."""
    settings = settings or WeighingSettings()
    couplings = analyse_plans(list(plans), params or Parameters()).couplings if plans else []
    return weigh(
        plans,
        weights,
        assets=store.assets(),
        goals=store.policy_goals(),
        areas=store.areas(),
        layers=store.layers(),
        couplings=couplings,
        bottlenecks=bottlenecks(store, plans, settings.ref_year, settings.ref_year + settings.horizon_years - 1),
        settings=settings,
        preset_name=preset_name,
    )


def weigh_store(
    store: Store,
    weights: Mapping[str, float],
    *,
    actor: str,
    preset_name: str | None = None,
    settings: WeighingSettings | None = None,
    with_sensitivity: bool = False,
) -> tuple[Weighing, dict[str, Any]]:
    """Weigh every plan in the store; the JSON result (with sensitivity when asked) is saved for the map."""
    result = weigh_plans(store, store.plans(), weights, settings=settings, preset_name=preset_name)
    data = result.to_json(sensitivity(result) if with_sensitivity else None)
    with store.writer(actor) as w:
        w.save_analysis("weighing", {"preset": preset_name, "weights": result.weights}, data)
    return result, data


__all__ = [
    "CRITERIA",
    "PRESETS",
    "WeightsError",
    "bottlenecks",
    "load_weights",
    "read_yaml",
    "weigh_plans",
    "weigh_store",
    "weights_from_mapping",
]
