"""Couplings and no-dig conflicts equal a brute-force reading of the spec, pair by pair."""

import datetime as dt
import itertools

import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from openruimte.analysis.arrays import PlanColumns
from openruimte.analysis.pairs import Parameters, find_conflicts, find_couplings
from openruimte.model import Phase
from tests.factories import X0, Y0, plan

D0 = dt.date(2026, 1, 1)


def brute_couplings(plans, p):
    out = {}
    for a, b in itertools.combinations(plans, 2):
        if not (a.scheduled and b.scheduled) or Phase.BEHEER in (a.phase, b.phase):
            continue
        if a.owner == b.owner and set(a.asset_types) & set(b.asset_types):
            continue
        if not (a.excavation or b.excavation):
            continue
        d = a.geometry.distance(b.geometry)
        gap = max(0, (b.start - a.end).days, (a.start - b.end).days)
        if d <= p.max_distance_m and gap <= p.max_gap_days:
            ka, kb = sorted([a.key, b.key])
            out[(ka, kb)] = (d, gap)
    return out


def brute_conflicts(plans, p):
    out = {}
    for r in plans:
        if not (r.surface_renewal and r.end):
            continue
        first, last = r.end + dt.timedelta(days=1), r.end + dt.timedelta(days=p.graafrust_days)
        for x in plans:
            if x is r or not x.excavation or not x.scheduled:
                continue
            d = r.geometry.distance(x.geometry)
            overlap = (min(x.end, last) - max(x.start, first)).days + 1
            if d <= p.graafrust_distance_m and overlap > 0:
                out[(r.key, x.key)] = (d, overlap)
    return out


def as_dict_couplings(cols, res):
    return {(cols.keys[a], cols.keys[b]): (d, g) for a, b, d, g in zip(res.a, res.b, res.distance_m, res.gap_days)}


def as_dict_conflicts(cols, res):
    return {
        (cols.keys[r], cols.keys[x]): (d, o)
        for r, x, d, o in zip(res.renewal, res.plan, res.distance_m, res.overlap_days)
    }


def random_plans(rng, n):
    owners = ["gemeente-a", "netbeheerder-b", "telecom-c"]
    types = ["gas", "elektriciteit", "gemengd_riool", "weg", "telecom", "bomen"]
    plans = []
    for i in range(n):
        x, y = X0 + rng.uniform(0, 300), Y0 + rng.uniform(0, 300)
        kind = rng.integers(3)
        if kind == 0:
            geom = shapely.Point(round(x, 3), round(y, 3))
        elif kind == 1:
            geom = shapely.LineString(
                [(round(x, 3), round(y, 3)), (round(x + rng.uniform(-60, 60), 3), round(y + rng.uniform(-60, 60), 3))]
            )
        else:
            geom = shapely.box(
                round(x, 3), round(y, 3), round(x + rng.uniform(1, 30), 3), round(y + rng.uniform(1, 30), 3)
            )
        scheduled = rng.random() > 0.1
        start = D0 + dt.timedelta(days=int(rng.integers(0, 3000)))
        end = start + dt.timedelta(days=int(rng.integers(0, 800)))
        plans.append(
            plan(
                id=f"p{i:03d}",
                owner=owners[rng.integers(3)],
                phase=list(Phase)[rng.integers(7)].value,
                asset_types=";".join(rng.choice(types, size=rng.integers(1, 3), replace=False)),
                start=start if scheduled else None,
                end=end if scheduled else None,
                excavation=bool(rng.random() > 0.3),
                surface_renewal=bool(rng.random() > 0.7),
                geometry=geom,
            )
        )
    return plans


@pytest.mark.parametrize("seed", range(5))
def test_equal_to_brute_force(seed):
    rng = np.random.default_rng(seed)
    plans = random_plans(rng, 250)
    cols = PlanColumns.from_plans(plans)
    for params in (
        Parameters(),
        Parameters(max_distance_m=25, max_gap_days=100, graafrust_days=365, graafrust_distance_m=0),
    ):
        got = as_dict_couplings(cols, find_couplings(cols, params))
        want = brute_couplings(plans, params)
        assert got.keys() == want.keys()
        for k in want:
            assert got[k][0] == pytest.approx(want[k][0]) and got[k][1] == want[k][1]
        got_c = as_dict_conflicts(cols, find_conflicts(cols, params))
        want_c = brute_conflicts(plans, params)
        assert got_c.keys() == want_c.keys()
        for k in want_c:
            assert got_c[k][0] == pytest.approx(want_c[k][0]) and got_c[k][1] == want_c[k][1]


def line_at(dx, dy=0.0, length=50.0):
    return shapely.LineString([(X0 + dx, Y0 + dy), (X0 + dx + length, Y0 + dy)])


def test_boundaries_are_inclusive():
    a = plan(id="a", owner="o1", geometry=line_at(0), start="2027-01-01", end="2027-01-31")
    at_10 = plan(
        id="b", owner="o2", geometry=line_at(0, 10.0), start="2029-01-30", end="2029-02-01"
    )  # gap 730 (2028 is a leap year)
    past = plan(id="c", owner="o2", geometry=line_at(0, 10.001), start="2027-01-01", end="2027-01-31")
    late = plan(id="d", owner="o2", geometry=line_at(0, 1), start="2029-01-31", end="2029-02-02")  # gap 731
    cols = PlanColumns.from_plans([a, at_10, past, late])
    res = find_couplings(cols, Parameters())
    assert [(cols.keys[i], cols.keys[j], g) for i, j, g in zip(res.a, res.b, res.gap_days)] == [("o1:a", "o2:b", 730)]


def test_same_owner_needs_disjoint_asset_types_and_one_must_dig():
    a = plan(id="a", owner="o", asset_types="gas", geometry=line_at(0))
    same = plan(id="b", owner="o", asset_types="gas;weg", geometry=line_at(0, 1))
    other = plan(id="c", owner="o", asset_types="elektriciteit", geometry=line_at(0, 2))
    dry = [
        plan(id="d", owner="p", excavation="nee", geometry=line_at(0, 3)),
        plan(id="e", owner="q", excavation="nee", geometry=line_at(0, 4)),
    ]
    beheer = plan(id="f", owner="r", phase="beheer", geometry=line_at(0, 5))
    unscheduled = plan(id="g", owner="s", start=None, end=None, geometry=line_at(0, 6))
    cols = PlanColumns.from_plans([a, same, other, *dry, beheer, unscheduled])
    res = find_couplings(cols, Parameters())
    pairs = {(cols.keys[i], cols.keys[j]) for i, j in zip(res.a, res.b)}
    assert ("o:a", "o:b") not in pairs and ("o:a", "o:c") in pairs and ("o:b", "o:c") in pairs
    assert ("p:d", "q:e") not in pairs and ("o:a", "p:d") in pairs
    assert not any("r:f" in p or "s:g" in p for p in pairs)


def test_no_dig_window_across_a_leap_day():
    renewal = plan(
        id="r",
        owner="gemeente",
        surface_renewal="ja",
        excavation="nee",
        start="2027-01-01",
        end="2027-06-30",
        geometry=line_at(0),
    )
    # no-dig period with graafrust_days 1095: 2027-07-01 .. 2030-06-29 (2028 is a leap year)
    starts_on_last_day = plan(id="x1", owner="telecom", start="2030-06-29", end="2030-07-30", geometry=line_at(0, 5))
    starts_after = plan(id="x2", owner="telecom", start="2030-06-30", end="2030-07-30", geometry=line_at(0, 5))
    ends_on_renewal_end = plan(id="x3", owner="telecom", start="2027-06-01", end="2027-06-30", geometry=line_at(0, 5))
    inside = plan(id="x4", owner="telecom", start="2027-06-15", end="2027-07-14", geometry=line_at(0, 0))
    too_far = plan(id="x5", owner="telecom", start="2028-01-01", end="2028-01-31", geometry=line_at(0, 5.001))
    cols = PlanColumns.from_plans([renewal, starts_on_last_day, starts_after, ends_on_renewal_end, inside, too_far])
    res = find_conflicts(cols, Parameters())
    got = {cols.keys[x]: int(o) for x, o in zip(res.plan, res.overlap_days)}
    assert got == {"telecom:x1": 1, "telecom:x4": 14}


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(2, 60))
def test_property_equal_to_brute_force(seed, n):
    rng = np.random.default_rng(seed)
    plans = random_plans(rng, n)
    cols = PlanColumns.from_plans(plans)
    params = Parameters(
        max_distance_m=float(rng.uniform(0, 40)),
        max_gap_days=int(rng.integers(0, 1000)),
        graafrust_days=int(rng.integers(1, 1500)),
        graafrust_distance_m=float(rng.uniform(0, 20)),
    )
    assert as_dict_couplings(cols, find_couplings(cols, params)).keys() == brute_couplings(plans, params).keys()
    assert as_dict_conflicts(cols, find_conflicts(cols, params)).keys() == brute_conflicts(plans, params).keys()
