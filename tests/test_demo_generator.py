"""The Voorbeeldstad demo generator: determinism, counts, validity and planted situations.

Planted situations are checked by brute force against the definitions in
shared/spec/exchange.md (coupling: distance <= 10 m, gap <= 730 days ...; no-dig:
distance <= 5 m and a shared day with end+1 .. end+1095).
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
import time

import numpy as np
import pytest
import shapely

from openruimte.demo import DemoData, Street, generate
from openruimte.model import ASSET_TYPES, AreaLevel, Asset, Hardness, Phase, Plan, Visibility
from openruimte.model.geometry import RD_BOUNDS, check_geometry

MAX_DISTANCE_M, MAX_GAP_DAYS, NO_DIG_DAYS, NO_DIG_DISTANCE_M = 10.0, 730, 1095, 5.0
PLANTED_COUPLINGS = {
    ("gemeente-voorbeeldstad:GV-RIO-0001", "netbeheerder-noord:NBN-0001"),
    ("netbeheerder-noord:NBN-0002", "waterbedrijf-regio:WBR-0001"),
    ("gemeente-voorbeeldstad:GV-GRN-0001", "gemeente-voorbeeldstad:GV-RIO-0002"),
    ("provincie-middenland:PMI-0001", "telecom-stadsnet:SN-0001"),
}
PLANTED_CONFLICTS = {
    ("gemeente-voorbeeldstad:GV-WEG-0001", "telecom-glasnet:GLN-0001"),
    ("gemeente-voorbeeldstad:GV-RIO-0003", "waterbedrijf-regio:WBR-0002"),
}
TIMINGS: dict[str, float] = {}


@pytest.fixture(scope="module")
def demo() -> DemoData:
    t0 = time.perf_counter()
    data = generate(2026)
    TIMINGS["full"] = time.perf_counter() - t0
    return data


@pytest.fixture(scope="module")
def small() -> DemoData:
    return generate(2026, scale=0.1)


# --------------------------------------------------------------------------- brute-force analysis


def gap_days(a: Plan, b: Plan) -> int:
    assert a.start and a.end and b.start and b.end
    return max(0, (b.start - a.end).days, (a.start - b.end).days)


def is_coupling(a: Plan, b: Plan) -> bool:
    if a.key == b.key or not (a.scheduled and b.scheduled):
        return False
    if Phase.BEHEER in (a.phase, b.phase):
        return False
    if a.owner == b.owner and set(a.asset_types) & set(b.asset_types):
        return False
    if not (a.excavation or b.excavation):
        return False
    return a.geometry.distance(b.geometry) <= MAX_DISTANCE_M and gap_days(a, b) <= MAX_GAP_DAYS


def no_dig_overlap(r: Plan, x: Plan) -> int:
    """Days of x's window inside r's no-dig period (0 when it is no conflict)."""
    if not r.surface_renewal or r.end is None or x.key == r.key or not x.excavation or not x.scheduled:
        return 0
    if r.geometry.distance(x.geometry) > NO_DIG_DISTANCE_M:
        return 0
    assert x.start and x.end
    first, last = r.end + dt.timedelta(days=1), r.end + dt.timedelta(days=NO_DIG_DAYS)
    return max(0, (min(last, x.end) - max(first, x.start)).days + 1)


def all_couplings(plans: list[Plan]) -> set[tuple[str, str]]:
    found = set()
    for a, b in itertools.combinations(plans, 2):
        if is_coupling(a, b):
            found.add(tuple(sorted((a.key, b.key))))
    return found


def all_conflicts(plans: list[Plan]) -> set[tuple[str, str]]:
    return {(r.key, x.key) for r in plans if r.surface_renewal for x in plans if no_dig_overlap(r, x) > 0}


def every_geometry(data: DemoData) -> list[shapely.Geometry]:
    geoms = [a.geometry for a in data.areas] + [s.geometry for s in data.streets]
    geoms += [p.geometry for p in data.plans] + [a.geometry for a in data.assets]
    geoms += [g.geometry for g in data.policy_goals if g.geometry is not None]
    geoms += [f.geometry for layer in data.layers for f in layer.features]
    for system in data.vital_systems:
        for e in system.elements:
            geoms.append(e.geometry)
            if e.service_area is not None:
                geoms.append(e.service_area)
    return geoms


# --------------------------------------------------------------------------- determinism and size


def test_same_seed_same_hash_other_seed_other_hash() -> None:
    a, b, c = generate(7, scale=0.1), generate(7, scale=0.1), generate(8, scale=0.1)
    assert a.content_hash() == b.content_hash()
    assert a.content_hash() != c.content_hash()


def test_scale_changes_content(demo: DemoData, small: DemoData) -> None:
    assert small.content_hash() != demo.content_hash()
    assert len(small.assets) < len(demo.assets) / 5
    assert len(small.plans) < len(demo.plans) / 3


def test_generation_is_fast(demo: DemoData) -> None:
    assert TIMINGS["full"] < 30.0


def test_minimum_counts(demo: DemoData) -> None:
    levels = [a.level for a in demo.areas]
    assert levels.count(AreaLevel.GEMEENTE) == 1
    assert levels.count(AreaLevel.WIJK) >= 3
    assert levels.count(AreaLevel.BUURT) >= 10
    assert len(demo.streets) >= 2000
    assert len(demo.assets) >= 30_000
    assert len({a.asset_type for a in demo.assets}) >= 12
    assert len(demo.plans) >= 600
    assert len(demo.organisations) >= 7
    assert len({p.owner for p in demo.plans}) >= 7
    assert demo.planted["n_plans"] == len(demo.plans)
    assert demo.planted["n_assets"] == len(demo.assets)
    assert demo.planted["n_segments"] == len(demo.streets)


def test_identifiers_are_unique(demo: DemoData) -> None:
    assert len({p.key for p in demo.plans}) == len(demo.plans)
    assert len({a.key for a in demo.assets}) == len(demo.assets)
    assert len({s.id for s in demo.streets}) == len(demo.streets)
    assert len({g.key for g in demo.policy_goals}) == len(demo.policy_goals)
    owners = {o.code for o in demo.organisations}
    assert {p.owner for p in demo.plans} <= owners
    assert {a.owner for a in demo.assets} <= owners
    assert all(re.fullmatch(r"[a-z]+-\d{6}", a.id) for a in demo.assets)


# --------------------------------------------------------------------------- geometry


def test_geometries_valid_rounded_and_in_rd(demo: DemoData) -> None:
    geoms = np.array(every_geometry(demo), dtype=object)
    assert shapely.is_valid(geoms).all()
    assert not shapely.is_empty(geoms).any()
    coords = shapely.get_coordinates(geoms)
    assert np.array_equal(coords, np.round(coords, 3))
    x0, y0, x1, y1 = RD_BOUNDS
    assert coords[:, 0].min() >= x0 and coords[:, 0].max() <= x1
    assert coords[:, 1].min() >= y0 and coords[:, 1].max() <= y1
    for g in geoms[::7]:
        assert check_geometry("geometry", g).equals_exact(g, 0)


def test_model_accepts_every_plan_and_a_sample_of_assets(demo: DemoData) -> None:
    for plan in demo.plans:
        again = Plan.from_record(plan.to_record())
        assert again.key == plan.key and again.phase_planning == plan.phase_planning
        assert again.start == plan.start and again.end == plan.end
    for asset in demo.assets[::97]:
        assert Asset.from_record(asset.to_record()).key == asset.key


def test_streets(demo: DemoData) -> None:
    assert {s.kind for s in demo.streets} == {"ring", "main", "residential", "centre"}
    for s in demo.streets:
        assert isinstance(s, Street) and s.geometry.geom_type == "LineString"
        assert s.name and s.geometry.length <= 150.5 and s.profile_width_m > 0
    buurten = {a.code for a in demo.areas if a.level == AreaLevel.BUURT}
    assert {s.area for s in demo.streets} <= buurten


def test_areas_tile_the_municipality(demo: DemoData) -> None:
    gemeente = next(a for a in demo.areas if a.level == AreaLevel.GEMEENTE)
    wijken = [a for a in demo.areas if a.level == AreaLevel.WIJK]
    buurten = [a for a in demo.areas if a.level == AreaLevel.BUURT]
    assert re.fullmatch(r"GM\d{4}", gemeente.code)
    assert all(re.fullmatch(r"WK\d{6}", w.code) and w.parent == gemeente.code for w in wijken)
    wijk_codes = {w.code for w in wijken}
    for b in buurten:
        assert re.fullmatch(r"BU\d{8}", b.code) and b.parent in wijk_codes and b.code[2:8] == b.parent[2:]
        assert gemeente.geometry.buffer(0.01).contains(b.geometry)
    for a, b in itertools.combinations(buurten, 2):
        assert a.geometry.intersection(b.geometry).area < 1e-3, (a.code, b.code)
    assert sum(b.geometry.area for b in buurten) == pytest.approx(gemeente.geometry.area, rel=1e-6)
    assert len({b.name for b in buurten}) == len(buurten)


# --------------------------------------------------------------------------- assets


def test_asset_vocabulary_owners_and_depths(demo: DemoData) -> None:
    owner_of = {
        "elektriciteit": {"netbeheerder-noord"},
        "gas": {"netbeheerder-noord"},
        "drinkwater": {"waterbedrijf-regio"},
        "warmte": {"warmtebedrijf-stad"},
        "telecom": {"telecom-glasnet", "telecom-stadsnet"},
        "gemengd_riool": {"gemeente-voorbeeldstad"},
        "hemelwaterafvoer": {"gemeente-voorbeeldstad"},
        "bomen": {"gemeente-voorbeeldstad"},
        "openbare_verlichting": {"gemeente-voorbeeldstad"},
        "voetpad": {"gemeente-voorbeeldstad", "provincie-middenland"},
        "weg": {"gemeente-voorbeeldstad", "provincie-middenland"},
    }
    depth = {
        "gas": (0.6, 1.0),
        "elektriciteit": (0.6, 1.0),
        "drinkwater": (1.0, 1.2),
        "telecom": (0.4, 0.7),
        "warmte": (0.8, 1.2),
        "gemengd_riool": (1.5, 4.0),
        "hemelwaterafvoer": (1.5, 4.0),
    }
    for a in demo.assets:
        assert a.asset_type in ASSET_TYPES
        if a.asset_type in owner_of:
            assert a.owner in owner_of[a.asset_type], a.key
        if a.asset_type in depth:
            lo, hi = depth[a.asset_type]
            assert a.depth_m is not None and lo <= a.depth_m <= hi, a.key
        assert a.visibility == (Visibility.PRIVATE if a.asset_type == "telecom" else Visibility.SHARED)
        if a.condition is not None:
            assert 1 <= a.condition <= 6
    sewers = [a for a in demo.assets if a.key.startswith("gemeente-voorbeeldstad:riool-")]
    assert {a.material for a in sewers} >= {"beton", "pvc", "gres", "metselwerk"}
    assert all(a.install_year and a.expected_life_years and a.diameter_mm for a in sewers)
    paving = [a for a in demo.assets if a.asset_type in ("weg", "fietspad", "voetpad")]
    assert all(isinstance(a.attributes["last_renewal_year"], int) for a in paving)


def test_utility_lines_run_along_their_street(demo: DemoData) -> None:
    streets = {s.id: s for s in demo.streets}
    for a in demo.assets[::53]:
        sid = a.attributes.get("street_id")
        if sid is None or "offset_m" not in a.attributes:
            continue
        street, offset = streets[sid], a.attributes["offset_m"]
        assert abs(offset) <= street.profile_width_m / 2
        middle = shapely.line_interpolate_point(a.geometry, 0.5, normalized=True)
        assert street.geometry.distance(middle) == pytest.approx(abs(offset), abs=0.3), a.key


# --------------------------------------------------------------------------- plans


def test_plans_cover_phases_hardness_and_windows(demo: DemoData, small: DemoData) -> None:
    for data in (demo, small):
        assert {p.phase for p in data.plans} == set(Phase)
        assert {p.hardness for p in data.plans} == set(Hardness)
    assert {p.visibility for p in demo.plans} == set(Visibility)
    scheduled = [p for p in demo.plans if p.scheduled]
    unscheduled = [p for p in demo.plans if not p.scheduled]
    assert unscheduled and all(p.earliest_start and p.latest_end and p.duration_days for p in unscheduled)
    for p in scheduled:
        assert dt.date(2026, 1, 1) <= p.start <= p.end <= dt.date(2040, 12, 31)  # type: ignore[operator]
    assert any(p.phase_planning for p in demo.plans)
    assert any(p.surface_renewal for p in demo.plans)
    themes = {t for p in demo.plans for t in p.themes}
    assert themes >= {
        "hittestress",
        "wateroverlast",
        "energietransitie",
        "mobiliteit",
        "woningbouw",
        "vervanging",
        "biodiversiteit",
    }
    assert all(set(p.asset_types) <= set(ASSET_TYPES) for p in demo.plans)
    buurten = {a.code for a in demo.areas if a.level == AreaLevel.BUURT}
    assert all(p.area in buurten for p in demo.plans)
    assert {p.geometry.geom_type for p in demo.plans} >= {"LineString", "Polygon", "Point"}


def test_plan_assets_match_their_owner(demo: DemoData) -> None:
    allowed = {
        "netbeheerder-noord": {"elektriciteit", "gas"},
        "waterbedrijf-regio": {"drinkwater"},
        "warmtebedrijf-stad": {"warmte"},
        "telecom-glasnet": {"telecom"},
        "telecom-stadsnet": {"telecom"},
    }
    for p in demo.plans:
        if p.owner in allowed:
            assert set(p.asset_types) <= allowed[p.owner], p.key


# --------------------------------------------------------------------------- planted situations


@pytest.mark.parametrize("fixture", ["demo", "small"])
def test_planted_couplings_hold_by_definition(fixture: str, request: pytest.FixtureRequest) -> None:
    data: DemoData = request.getfixturevalue(fixture)
    recorded = data.planted["couplings"] + data.planted["incidental_couplings"]
    assert {(c["a"], c["b"]) for c in data.planted["couplings"]} == PLANTED_COUPLINGS
    for c in recorded:
        a, b = data.plan(c["a"]), data.plan(c["b"])
        assert c["a"] < c["b"]
        assert is_coupling(a, b), c
        assert a.geometry.distance(b.geometry) == pytest.approx(c["distance_m"], abs=1e-3)
        assert gap_days(a, b) == c["gap_days"]
        assert {data.street(s).name for s in c["street_ids"]} == {c["street"]}


@pytest.mark.parametrize("fixture", ["demo", "small"])
def test_planted_no_dig_conflicts_hold_by_definition(fixture: str, request: pytest.FixtureRequest) -> None:
    data: DemoData = request.getfixturevalue(fixture)
    assert {(c["renewal"], c["plan"]) for c in data.planted["no_dig_conflicts"]} == PLANTED_CONFLICTS
    for c in data.planted["no_dig_conflicts"]:
        r, x = data.plan(c["renewal"]), data.plan(c["plan"])
        assert r.surface_renewal and r.end is not None and x.excavation and x.scheduled
        assert r.geometry.distance(x.geometry) <= NO_DIG_DISTANCE_M
        assert no_dig_overlap(r, x) == c["overlap_days"] > 0
    road, fibre = (data.plan(k) for k in sorted(PLANTED_CONFLICTS)[1])
    assert road.end == dt.date(2027, 6, 30) and "telecom" in fibre.asset_types
    assert fibre.start is not None and 0 < (fibre.start - road.end).days <= NO_DIG_DAYS


def test_brute_force_analysis_finds_the_planted_pairs(small: DemoData) -> None:
    couplings = all_couplings(small.plans)
    conflicts = all_conflicts(small.plans)
    assert PLANTED_COUPLINGS <= couplings
    assert PLANTED_CONFLICTS <= conflicts
    # plans that are not scheduled are never part of a result
    unscheduled = {p.key for p in small.plans if not p.scheduled}
    assert not any(a in unscheduled or b in unscheduled for a, b in couplings | conflicts)


def _served_housing(data: DemoData, area: shapely.Geometry) -> list[tuple[Plan, int]]:
    out = []
    for p in data.plans:
        if "woningbouw" in p.asset_types and area.covers(p.geometry.centroid):
            out.append((p, data.planted["dwellings"][p.key]))
    return out


@pytest.mark.parametrize("fixture", ["demo", "small"])
def test_planted_overloaded_substation(fixture: str, request: pytest.FixtureRequest) -> None:
    data: DemoData = request.getfixturevalue(fixture)
    record = data.planted["overloaded_substation"]
    kw = data.planted["kw_per_dwelling"]
    housing = [p for p in data.plans if "woningbouw" in p.asset_types]
    assert {p.key for p in housing} == set(data.planted["dwellings"])
    for p in housing:
        assert f"({data.planted['dwellings'][p.key]} woningen)" in p.name
    grid = next(s for s in data.vital_systems if s.id == record["system"])
    stations = [e for e in grid.elements if e.kind == "onderstation"]
    assert len(stations) >= 4
    gemeente = next(a for a in data.areas if a.level == AreaLevel.GEMEENTE).geometry
    assert sum(e.service_area.area for e in stations) == pytest.approx(gemeente.area, rel=1e-6)
    for a, b in itertools.combinations(stations, 2):
        assert a.service_area.intersection(b.service_area).area < 1e-3
    for e in stations:
        served = _served_housing(data, e.service_area)
        total = e.load + sum(n for _, n in served) * kw
        if e.id == record["substation"]:
            assert e.capacity == record["capacity_kw"] and e.load == record["load_kw"]
            assert total > e.capacity
            assert set(record["housing_plans"]) <= {p.key for p, _ in served}
            year = record["exceeds_in_year"]
            before = e.load + sum(n for p, n in served if (p.end or p.latest_end).year < year) * kw
            assert before <= e.capacity
        else:
            assert total <= e.capacity, e.id


@pytest.mark.parametrize("fixture", ["demo", "small"])
def test_planted_heat_network_does_not_fit(fixture: str, request: pytest.FixtureRequest) -> None:
    data: DemoData = request.getfixturevalue(fixture)
    record = data.planted["heat_does_not_fit"]
    space = data.planted["cable_space_m"]
    street = data.street(record["street_id"])
    assert street.kind == "centre" and street.profile_width_m == record["profile_width_m"]
    lanes = {
        (a.asset_type, a.attributes["offset_m"])
        for a in data.assets
        if a.attributes.get("street_id") == street.id and a.asset_type in space
    }
    occupied = sum(space[t] for t, _ in lanes)
    assert occupied == pytest.approx(record["occupied_width_m"])
    assert street.profile_width_m - occupied < space["warmte"]
    assert all(abs(o) <= street.profile_width_m / 2 for _, o in lanes)
    heat = data.plan(record["heat_plan"])
    assert heat.asset_types == ("warmte",) and heat.geometry.distance(street.geometry) < 1.0


# --------------------------------------------------------------------------- context


def test_policy_goals(demo: DemoData) -> None:
    themes = {"hittestress", "wateroverlast", "energietransitie", "woningbouw", "biodiversiteit"}
    buurten = [a.code for a in demo.areas if a.level == AreaLevel.BUURT]
    for code in buurten:
        assert {g.theme for g in demo.policy_goals if g.area == code} >= themes
    assert {str(g.kind) for g in demo.policy_goals} == {"normerend", "ambierend"}
    assert all(
        g.indicator and g.target is not None and g.unit and g.horizon_year and g.source_document
        for g in demo.policy_goals
    )


def test_environment_layers(demo: DemoData) -> None:
    layers = {layer.name: layer for layer in demo.layers}
    heat, flood, social = layers["hittestress"], layers["waterdiepte"], layers["sociale_index"]
    assert len(heat.features) > 1000 and all(f.value is not None for f in heat.features)
    centre = next(a for a in demo.areas if a.code == "WK099900").geometry
    inner = [f.value for f in heat.features if centre.contains(f.geometry.centroid)]
    outer = [f.value for f in heat.features if not centre.contains(f.geometry.centroid)]
    assert np.mean(inner) > np.mean(outer) + 2
    assert all(f.value >= 0 for f in flood.features) and max(f.value for f in flood.features) > 0.2
    assert len(social.features) == sum(a.level == AreaLevel.BUURT for a in demo.areas)
    assert layers["oppervlaktewater"].features[0].value_class == "gracht"


def test_vital_systems(demo: DemoData) -> None:
    types = {s.network_type for s in demo.vital_systems}
    assert {"elektriciteit", "warmte"} <= types
    for s in demo.vital_systems:
        assert s.elements and all(e.system == s.id for e in s.elements)
        assert all(e.capacity and e.load is not None for e in s.elements)
