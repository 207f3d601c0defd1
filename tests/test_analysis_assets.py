"""Replacement candidates, network capacity and underground space on small hand-made data."""

import datetime as dt

import pytest
import shapely

from openruimte.analysis.candidates import Horizon, due_year, find_candidates
from openruimte.analysis.capacity import CapacitySettings, network_capacity
from openruimte.analysis.space import underground_space
from openruimte.model import StreetSegment, VitalElement, VitalSystem
from tests.factories import X0, Y0, asset, line, plan


def street(sid, dy=0.0, width=5.0, name="Kerkstraat"):
    return StreetSegment(id=sid, name=name, profile_width_m=width, geometry=line(dy=dy))


def test_due_year_rules():
    h = Horizon(2026, 2040, 4)
    assert due_year(asset(install_year=1960, expected_life_years=60, condition=2), h) == (2026, "achterstallig")
    assert due_year(asset(install_year=1980, expected_life_years=50, condition=2), h) == (2030, "leeftijd")
    assert due_year(asset(install_year=2000, expected_life_years=80, condition=5), h) == (2026, "conditie")
    assert due_year(asset(install_year=2000, expected_life_years=80, condition=4), h) == (2028, "conditie")
    assert due_year(asset(install_year=2000, expected_life_years=80, condition=3), h) == (None, None)
    assert due_year(asset(replacement_year=2035, install_year=1900, expected_life_years=10, condition=1), h) == (
        2035,
        "leeftijd",
    )


def test_candidates_group_per_street_and_type_and_couple_with_plans():
    s1, s2 = street("s1"), street("s2", dy=200, name="Dorpsstraat")
    assets = [
        asset(
            id="r1",
            install_year=1965,
            expected_life_years=70,
            condition=2,
            attributes={"street_id": "s1"},
            geometry=line(length=50),
        ),
        asset(
            id="r2",
            install_year=1970,
            expected_life_years=70,
            condition=2,
            attributes={},
            geometry=line(dx=50, dy=1, length=50),
        ),
        asset(id="r3", install_year=1990, expected_life_years=70, condition=2, geometry=line(dy=200)),  # not due
        asset(
            id="g1",
            asset_type="gas",
            owner="netbeheerder-noord",
            install_year=1960,
            expected_life_years=60,
            condition=3,
            geometry=line(dy=2),
        ),
    ]
    found = find_candidates(assets, [s1, s2], Horizon(2026, 2040))
    by_id = {c.id: c for c in found}
    assert set(by_id) == {"VC-gemengd_riool-s1", "VC-gas-s1"}
    sewer = by_id["VC-gemengd_riool-s1"]
    assert sewer.asset_ids == ["r1", "r2"] and (sewer.first_year, sewer.last_year) == (2035, 2040)
    assert sewer.cost_eur == 1_400.0 * 100 and sewer.street_name == "Kerkstraat"
    p = sewer.as_plan()
    assert p.excavation and p.start == dt.date(2035, 1, 1) and p.end == dt.date(2040, 12, 31)


def test_capacity_exceeded_in_the_year_housing_is_completed():
    area_a = shapely.box(X0 - 1000, Y0 - 1000, X0, Y0 + 1000)
    area_b = shapely.box(X0, Y0 - 1000, X0 + 1000, Y0 + 1000)
    system = VitalSystem(
        id="net",
        owner="netbeheerder-noord",
        name="MS",
        network_type="elektriciteit",
        elements=[
            VitalElement(
                id="A",
                system="net",
                kind="onderstation",
                capacity=1000,
                load=900,
                geometry=shapely.Point(X0 - 500, Y0),
                service_area=area_a,
            ),
            VitalElement(
                id="B",
                system="net",
                kind="onderstation",
                capacity=1000,
                load=100,
                geometry=shapely.Point(X0 + 500, Y0),
                service_area=area_b,
            ),
        ],
    )
    housing = [
        plan(
            id="h1",
            asset_types="woningbouw",
            dwellings=20,
            start="2027-01-01",
            end="2028-06-30",
            geometry=shapely.box(X0 - 300, Y0, X0 - 200, Y0 + 100),
        ),
        plan(
            id="h2",
            asset_types="woningbouw",
            dwellings=10,
            start="2029-01-01",
            end="2029-12-31",
            geometry=shapely.box(X0 - 300, Y0 + 200, X0 - 200, Y0 + 300),
        ),
        plan(
            id="h3",
            asset_types="gebiedsontwikkeling",
            dwellings=100,
            start="2030-01-01",
            end="2031-12-31",
            geometry=shapely.box(X0 + 100, Y0, X0 + 200, Y0 + 100),
        ),
        plan(id="h4", asset_types="woningbouw", geometry=shapely.box(X0 + 100, Y0, X0 + 200, Y0 + 100)),
    ]
    result = network_capacity(housing, [system], CapacitySettings(kw_per_dwelling=3.5))
    a, b = result.elements
    assert a.total(2028) == 970 and a.total(2029) == 1005 and a.exceeded_year == 2029
    assert b.total(2031) == 450 and b.exceeded_year is None
    assert result.skipped == [{"plan": "gemeente-voorbeeldstad:h4", "reason": "no dwellings given"}]
    data = result.to_json()
    assert data["exceeded"] == ["A"] and data["elements"][0]["margin"] == -5.0


def test_heat_network_does_not_fit_in_a_full_narrow_street():
    narrow, wide = street("narrow", width=5.0), street("wide", dy=300, width=12.0)
    cables = []
    for i, (kind, off) in enumerate(
        [
            ("gemengd_riool", 0.0),
            ("drinkwater", 0.6),
            ("gas", 1.2),
            ("elektriciteit", 1.7),
            ("telecom", 2.2),
            ("telecom", -2.2),
        ]
    ):
        cables.append(asset(id=f"n{i}", asset_type=kind, attributes={"street_id": "narrow", "offset_m": off}))
        cables.append(asset(id=f"w{i}", asset_type=kind, attributes={"street_id": "wide", "offset_m": off}))
    cables.append(
        asset(id="loose", asset_type="elektriciteit", attributes={}, geometry=line(dy=-1.2))
    )  # snapped by distance
    heat = plan(id="heat", owner="warmtebedrijf-stad", asset_types="warmte", geometry=line(dx=10, length=30))
    result = underground_space([narrow, wide], cables, network="warmte", plans=[heat])
    seg = {s.street_id: s for s in result.segments}
    assert seg["narrow"].occupied_m == pytest.approx(
        1.5 + 0.8 + 0.6 + 0.6 + 0.4 + 0.4 + 0.6
    )  # the loose cable counts too
    assert not seg["narrow"].fits and seg["wide"].fits
    assert [s.street_id for s in result.problems()] == ["narrow"]
    assert result.to_json()["planned_does_not_fit"] == ["narrow"]
