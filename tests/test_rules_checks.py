"""Checks of a design against plan rules (rules/checks.py) and designs from IFC models made with
ifcopenshell.api (bim/sample.py): a model 1 m too high, 0.5 m outside its bouwvlak or one
storey too many fails exactly that check and passes the others."""

from __future__ import annotations

from pathlib import Path

import pytest
import shapely
import shapely.affinity

from openruimte.bim.extract import extract
from openruimte.bim.sample import write_sample
from openruimte.rules.checks import (
    CANNOT_CHECK,
    CHECKS,
    FAIL,
    NOT_APPLICABLE,
    PASS,
    CheckSettings,
    Design,
    check_design,
    overall,
    storeys_above_ground,
)
from openruimte.rules.model import Rule

E, N = 155_000.0, 463_000.0
PLAN = "NL.IMRO.9999.testplan-0001"


def rule(kind, geom, value=None, unit=None, sid=None, article="Wonen"):
    return Rule(kind=kind, value=value, unit=unit, geometry=geom, plan_id=PLAN, source_id=sid or f"{kind}-1",
                article=article, name=kind, bestemming="Wonen")  # fmt: skip


def plan_rules(*, height=12.0, gutter=12.0, storeys=4, pct=60.0):
    """A bestemmingsvlak 40 x 20 m with a bouwvlak of exactly the 30 x 12 m building and its maatvoering."""
    vlak = shapely.box(E - 5, N - 4, E + 35, N + 16)
    bouwvlak = shapely.box(E, N, E + 30, N + 12)
    return [
        rule("bestemmingsvlak", vlak, sid="bv-1"),
        rule("bouwvlak", bouwvlak, sid="bouwvlak-1"),
        rule("maximum_bouwhoogte", bouwvlak, height, "m", sid="mv-1"),
        rule("maximum_goothoogte", bouwvlak, gutter, "m", sid="mv-1"),
        rule("maximum_bouwlagen", bouwvlak, storeys, "count", sid="mv-2"),
        rule("maximum_bebouwingspercentage", vlak, pct, "%", sid="mv-3"),
    ]


def by_check(results):
    return {r.check: r for r in results}


# ------------------------------------------------------------------------------ pure


def test_all_pass_and_every_check_reported():
    design = Design(footprint=shapely.box(E, N, E + 30, N + 12), top_m=11.0, gutter_m=11.0, storeys=4,
                    peil_m=0.0, peil_source="given")  # fmt: skip
    results = check_design(design, plan_rules())
    assert [r.check for r in results] == list(CHECKS)
    assert all(r.status == PASS for r in results), [r.message_en for r in results]
    cov = by_check(results)["maximum_bebouwingspercentage"]
    assert cov.measured == pytest.approx(45.0)  # 360 / 800
    assert cov.source_id == "mv-3" and cov.plan_id == PLAN and cov.article == "Wonen"
    assert overall(results) == PASS


def test_height_minus_peil_with_tolerance():
    rules = plan_rules(height=10.0)
    fp = shapely.box(E, N, E + 30, N + 12)
    ok = by_check(check_design(Design(footprint=fp, top_m=12.04, peil_m=2.0, peil_source="model"), rules))
    assert ok["maximum_bouwhoogte"].status == PASS  # 10.04 within 0.05
    assert ok["maximum_bouwhoogte"].measured == pytest.approx(10.04)
    bad = by_check(check_design(Design(footprint=fp, top_m=12.06, peil_m=2.0, peil_source="model"), rules))
    assert bad["maximum_bouwhoogte"].status == FAIL
    assert "te hoog" in bad["maximum_bouwhoogte"].message_nl and "too high" in bad["maximum_bouwhoogte"].message_en
    strict = by_check(
        check_design(
            Design(footprint=fp, top_m=12.04, peil_m=2.0, peil_source="model"),
            rules,
            CheckSettings(height_tolerance_m=0.0),
        )  # fmt: skip
    )
    assert strict["maximum_bouwhoogte"].status == FAIL


def test_unknown_height_cannot_be_checked_and_missing_rules_not_applicable():
    fp = shapely.box(E, N, E + 30, N + 12)
    results = by_check(check_design(Design(footprint=fp), plan_rules()))
    assert results["maximum_bouwhoogte"].status == CANNOT_CHECK
    assert results["maximum_goothoogte"].status == CANNOT_CHECK
    assert results["maximum_bouwlagen"].status == CANNOT_CHECK
    assert results["bouwvlak"].status == PASS
    only_vlak = by_check(check_design(Design(footprint=fp, top_m=50.0), plan_rules()[:1]))
    assert {r.status for r in only_vlak.values()} == {NOT_APPLICABLE}
    assert overall(list(only_vlak.values())) == NOT_APPLICABLE


def test_assumed_peil_is_said():
    fp = shapely.box(E, N, E + 30, N + 12)
    r = by_check(check_design(Design(footprint=fp, top_m=11.0), plan_rules()))["maximum_bouwhoogte"]
    assert r.status == PASS and "warning" in r.details and "0 m NAP" in r.message_nl


def test_outside_part_as_geometry_and_tolerance():
    rules = plan_rules()
    fp = shapely.box(E + 0.5, N, E + 30.5, N + 12)  # 0.5 m east of the bouwvlak
    r = by_check(check_design(Design(footprint=fp, top_m=11.0, peil_source="given"), rules))["bouwvlak"]
    assert r.status == FAIL
    assert r.measured == pytest.approx(0.5)
    assert r.geometry.area == pytest.approx(6.0)
    assert r.geometry.equals(shapely.box(E + 30, N, E + 30.5, N + 12))
    assert r.source_id == "bouwvlak-1"
    near = shapely.box(E + 0.04, N, E + 30.04, N + 12)
    r2 = by_check(check_design(Design(footprint=near), rules))["bouwvlak"]
    assert r2.status == PASS and r2.measured == pytest.approx(0.04)
    loose = by_check(check_design(Design(footprint=fp), rules, CheckSettings(bouwvlak_tolerance_m=0.6)))
    assert loose["bouwvlak"].status == PASS


def test_footprint_entirely_outside_its_bouwvlak_in_the_same_bestemmingsvlak():
    fp = shapely.box(E - 4, N + 13, E + 6, N + 15.5)  # in the bestemmingsvlak, beside the bouwvlak
    r = by_check(check_design(Design(footprint=fp), plan_rules()))["bouwvlak"]
    assert r.status == FAIL and r.geometry.area == pytest.approx(fp.area)
    far = shapely.Point(E - 4, N + 15.5).distance(shapely.box(E, N, E + 30, N + 12))
    assert r.measured == pytest.approx(far, abs=0.001)


def test_strictest_value_rule_over_two_areas():
    fp = shapely.box(E, N, E + 30, N + 12)
    west, east = shapely.box(E - 5, N - 4, E + 15, N + 16), shapely.box(E + 15, N - 4, E + 35, N + 16)
    rules = plan_rules()[:2] + [
        rule("maximum_bouwhoogte", west, 12.0, "m", sid="west"),
        rule("maximum_bouwhoogte", east, 9.0, "m", sid="east"),
        rule("maximum_bouwhoogte", shapely.box(E + 30, N, E + 40, N + 12), 3.0, "m", sid="touching"),
    ]
    r = by_check(check_design(Design(footprint=fp, top_m=10.0, peil_source="given"), rules))["maximum_bouwhoogte"]
    assert r.status == FAIL and r.limit == 9.0 and r.source_id == "east"
    assert "strengste" in r.message_nl and "strictest" in r.message_en
    assert {x["source_id"] for x in r.details["rules"]} == {"west", "east"}  # the touching one does not apply


def test_coverage_counts_existing_buildings_once():
    fp = shapely.box(E, N, E + 30, N + 12)
    existing = (
        ("bag-1", shapely.box(E - 5, N + 13, E + 15, N + 16)),  # 60 m2 in the vlak
        ("bag-2", shapely.box(E + 10, N + 2, E + 20, N + 6)),  # under the design: counted once
        ("bag-3", shapely.box(E + 100, N, E + 110, N + 10)),  # elsewhere
    )
    r = by_check(check_design(Design(footprint=fp, existing=existing), plan_rules(pct=50.0)))[
        "maximum_bebouwingspercentage"
    ]
    assert r.measured == pytest.approx(100 * 420 / 800)
    assert r.status == FAIL
    assert [b["id"] for b in r.details["existing_buildings"]] == ["bag-1", "bag-2"]
    assert r.details["built_area_m2"] == pytest.approx(420.0)


def test_storeys_above_ground():
    storeys = [
        {"name": "-1 kelder", "elevation_m": -3.0, "elements": 4},
        {"name": "00", "elevation_m": 0.6, "elements": 5},
        {"name": "01", "elevation_m": 3.6, "elements": 5},
        {"name": "dak", "elevation_m": 6.6, "elements": 1},
    ]
    n, how = storeys_above_ground(storeys, peil_m=0.6, top_m=6.9)
    assert n == 2 and "00" in how and "kelder" not in how
    assert storeys_above_ground([], peil_m=0.0, top_m=None)[0] is None


# ------------------------------------------------------------------------------ IFC models (ifcopenshell.api)


def _design(path):
    from openruimte.rules.checks import storeys_above_ground as count

    info = extract(path)
    facts = info.design
    n, _ = count(facts["storeys"], peil_m=0.0, top_m=info.top_m)
    return Design(footprint=info.footprint, top_m=info.top_m, gutter_m=facts["gutter_m"], storeys=n, peil_m=0.0,
                  peil_source="given")  # fmt: skip


@pytest.mark.parametrize(
    ("variant", "failing"),
    [
        ({}, None),
        ({"storey_height_m": 3.25}, "maximum_bouwhoogte"),  # 13.0 m: 1 m too high
        ({"eastings": E + 0.5}, "bouwvlak"),  # 0.5 m outside
        ({"storeys": 5, "storey_height_m": 2.4}, "maximum_bouwlagen"),  # 12.0 m, one storey too many
    ],
)
def test_ifc_model_fails_exactly_that_check(tmp_path, variant, failing):
    args = {"eastings": E, "northings": N, "storeys": 4, "storey_height_m": 3.0, **variant}
    path = write_sample(tmp_path / "m.ifc", **args)
    # the gutter of the flat roof is its top: a gutter limit above the height limit leaves the height check alone
    results = by_check(check_design(_design(path), plan_rules(height=12.0, gutter=13.5, storeys=4)))
    failed = sorted(c for c, r in results.items() if r.status == FAIL)
    assert failed == ([failing] if failing else []), [r.message_en for r in results.values()]
    assert all(r.status == PASS for c, r in results.items() if c != failing)
    if failing == "maximum_bouwhoogte":
        assert results[failing].measured == pytest.approx(13.0)
    if failing == "bouwvlak":
        assert results[failing].measured == pytest.approx(0.5)
        assert results[failing].geometry.area == pytest.approx(6.0, abs=0.01)
    if failing == "maximum_bouwlagen":
        assert results[failing].measured == 5 and results[failing].limit == 4


def test_model_peil_from_site_ref_elevation(tmp_path):
    import ifcopenshell

    path = write_sample(tmp_path / "m.ifc", eastings=E, northings=N, storeys=2)
    f = ifcopenshell.open(str(path))
    f.by_type("IfcSite")[0].RefElevation = 1200.0  # mm: peil 1.2 m NAP
    f.write(str(path))
    facts = extract(path).design
    assert facts["peil_m"] == pytest.approx(1.2) and facts["peil_from"] == "IfcSite.RefElevation"
    assert facts["gutter_m"] == pytest.approx(6.0)


# ------------------------------------------------------------------------------ real samples

GEMEENTESTAD = (
    Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "omgevingsplan" / "stop-tpod-gemeentestad"
)
DURPERVELD = GEMEENTESTAD.parent / "imro2012" / "2012_10.gml"


@pytest.mark.skipif(not GEMEENTESTAD.is_dir(), reason="../shared/data is absent")
def test_gemeentestad_omgevingsplan_heights_13_and_7_m():
    from openruimte.services.rules import read_plan

    rules = read_plan(GEMEENTESTAD).rules
    for limit in (13.0, 7.0):
        area = next(r.geometry for r in rules if r.kind == "maximum_bouwhoogte" and r.value == limit)
        spot = area.buffer(-6).representative_point() if not area.buffer(-6).is_empty else area.representative_point()
        fp = shapely.box(spot.x - 4, spot.y - 4, spot.x + 4, spot.y + 4)
        design = Design(footprint=fp, top_m=10.0, heights="relative", peil_source="plan")
        r = by_check(check_design(design, rules))["maximum_bouwhoogte"]
        assert r.limit == limit and r.status == (PASS if limit == 13.0 else FAIL)
        assert r.article and "2.14" in r.article


@pytest.mark.skipif(not DURPERVELD.is_file(), reason="../shared/data is absent")
def test_durperveld_a_design_on_a_bouwvlak_and_beside_it():
    from openruimte.services.rules import read_plan

    rules = read_plan(DURPERVELD).rules
    bouwvlak = max((r for r in rules if r.kind == "bouwvlak"), key=lambda r: r.geometry.area)
    inside = bouwvlak.geometry.buffer(-0.5)
    results = by_check(check_design(Design(footprint=inside, top_m=3.0, heights="relative"), rules))
    assert results["bouwvlak"].status == PASS
    moved = shapely.affinity.translate(inside, 3.0, 0.0)
    results = by_check(check_design(Design(footprint=moved, top_m=3.0, heights="relative"), rules))
    assert results["bouwvlak"].status == FAIL and results["bouwvlak"].geometry.area > 0
