"""Put Voorbeeldstad together: shape, areas, streets, assets, plans, vital systems, context."""

from __future__ import annotations

import numpy as np
import shapely

from openruimte.demo._areas import build_areas
from openruimte.demo._assets import build_assets, segment_info
from openruimte.demo._context import build_goals, build_layers, link_goals, measure_goals
from openruimte.demo._data import DemoData
from openruimte.demo._names import DEVELOPMENT_NAMES, NamePool
from openruimte.demo._orgs import CABLE_SPACE_M, KW_PER_DWELLING, organisations
from openruimte.demo._plans import PlanBook, build_plans, ensure_coverage
from openruimte.demo._planted import choose_streets, plant_conflicts, plant_couplings, plant_heat, plant_housing
from openruimte.demo._shape import TownShape
from openruimte.demo._town import build_network
from openruimte.demo._vital import build_vital, housing_by_substation, set_loads, substations


def generate(seed: int = 2026, *, scale: float = 1.0) -> DemoData:
    """The demo municipality Voorbeeldstad, identical for identical ``seed`` and ``scale``.

    ``scale`` scales the numbers of assets and plans (0.1 for fast tests); the
    street network and the planted situations are the same at every scale.
    """
    if not scale > 0:
        raise ValueError(f"scale must be positive, got {scale}")
    rng = np.random.default_rng(seed)
    shape = TownShape.from_rng(rng)
    areas = build_areas(shape, rng)
    net = build_network(shape, areas, rng, NamePool(rng))
    chosen = choose_streets(net, rng)
    segs = segment_info(net, areas, rng, scale, keep=chosen.all_segments)
    assets = build_assets(rng, scale, segs, net, areas, force_ms={chosen.narrow})
    subs = substations(shape, areas, rng)
    book = PlanBook(rng, segs, net, areas)
    places = [DEVELOPMENT_NAMES[i] for i in rng.permutation(len(DEVELOPMENT_NAMES))]

    couplings = plant_couplings(book, chosen)
    conflicts, incidental = plant_conflicts(book, chosen)
    heat = plant_heat(book, chosen, assets)
    overloaded = subs[int(rng.integers(len(subs)))]
    avoid = shapely.union_all([net.canal.buffer(30.0), net.centre_disc])
    housing_keys = plant_housing(book, overloaded, avoid, places[:3])
    planted_keys = {p.key for p in book.plans}
    avoid = shapely.union_all([avoid, *[p.geometry.buffer(20.0) for p in book.plans if p.key in housing_keys]])
    build_plans(book, assets, scale, avoid, places[3:])
    ensure_coverage(book, keep=planted_keys)

    housing = housing_by_substation(subs, book.plans, book.dwellings)
    elements, substation = set_loads(subs, housing, overloaded.id, housing_keys, rng)
    vital = build_vital(elements, segs, areas, rng, scale)
    layers = build_layers(areas, net, rng)
    by_buurt: dict[str, int] = {}
    for p in book.plans:
        if p.key in book.dwellings and p.area is not None:
            by_buurt[p.area] = by_buurt.get(p.area, 0) + book.dwellings[p.key]
    heat_buurten = {str(a) for a, h in zip(segs.area, segs.heat, strict=True) if h}
    goals = build_goals(areas, by_buurt, heat_buurten, rng)
    # a stream of its own, so the goals' values and links leave everything drawn above unchanged
    policy_rng = np.random.default_rng([seed, 7])
    measure_goals(goals, layers, areas, policy_rng)
    linked = link_goals(book.plans, goals, areas, policy_rng)

    planted = {
        "couplings": couplings,
        "incidental_couplings": incidental,
        "no_dig_conflicts": conflicts,
        "overloaded_substation": substation,
        "heat_does_not_fit": heat,
        "dwellings": dict(book.dwellings),
        "kw_per_dwelling": KW_PER_DWELLING,
        "cable_space_m": dict(CABLE_SPACE_M),
        "parameters": {"max_distance_m": 10, "max_gap_days": 730, "graafrust_days": 1095, "graafrust_distance_m": 5},
        "n_plans": len(book.plans),
        "plans_with_goals": linked,
        "n_assets": len(assets),
        "n_segments": len(net.streets),
        "seed": seed,
        "scale": scale,
    }
    return DemoData(
        organisations=organisations(),
        areas=areas.all,
        streets=net.streets,
        plans=book.plans,
        assets=assets,
        policy_goals=goals,
        layers=layers,
        vital_systems=vital,
        planted=planted,
    )
