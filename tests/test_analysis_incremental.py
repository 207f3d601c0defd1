"""The saved pairs, kept up to date on each write from the changed plans' neighbours,
always equal a full re-analysis (issue 12)."""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np
import shapely

from openruimte.analysis.arrays import PlanColumns
from openruimte.analysis.incremental import all_pairs, apply_change, pairs_touching
from openruimte.analysis.pairs import Parameters
from openruimte.model.access import Principal, Role
from openruimte.services import analyse_incremental as inc
from openruimte.services.analyse_columns import columns_from_store
from tests.factories import X0, Y0
from tests.test_analysis_pairs import random_plans


def full(store, params):
    return sorted(all_pairs(columns_from_store(store), params), key=lambda p: (p.kind, p.first, p.second))


def edit(rng, plan):
    """A random change: moved, another period, another owner's view of it."""
    choice = rng.integers(3)
    if choice == 0:
        dx, dy = rng.uniform(-40, 40, size=2)
        geom = shapely.transform(plan.geometry, lambda c: np.round(c + [dx, dy], 3))
        return dataclasses.replace(plan, geometry=geom)
    if choice == 1:
        start = dt.date(2026, 1, 1) + dt.timedelta(days=int(rng.integers(0, 3000)))
        return dataclasses.replace(plan, start=start, end=start + dt.timedelta(days=int(rng.integers(0, 600))))
    return dataclasses.replace(plan, excavation=not plan.excavation, surface_renewal=not plan.surface_renewal)


#: five kinds of reader: the system, an editor and a coordinator at the table, an outside viewer, the public
READERS = [
    Principal(system=True),
    Principal(org="gemeente-a", role=Role.EDITOR, at_table=True),
    Principal(org="netbeheerder-b", role=Role.VIEWER),
    Principal(org="telecom-c", role=Role.COORDINATOR, at_table=True),
    Principal(),
]


def mixed_plans(rng, n=90):
    """Random plans of three owners, public, shared and private in turn, every fifth sensitive."""
    owners = ["gemeente-a", "netbeheerder-b", "telecom-c"]
    return [
        dataclasses.replace(
            p, visibility=["public", "shared", "private"][i % 3], sensitive=bool(i % 5 == 0), owner=owners[i % 3]
        )
        for i, p in enumerate(random_plans(rng, n))
    ]


def test_pure_update_equals_full_analysis():
    rng = np.random.default_rng(1)
    params = Parameters()
    plans = random_plans(rng, 150)
    saved = all_pairs(PlanColumns.from_plans(plans), params)
    for _ in range(30):
        i = int(rng.integers(len(plans)))
        plans[i] = edit(rng, plans[i])
        cols = PlanColumns.from_plans(plans)
        saved = apply_change(saved, [plans[i].key], pairs_touching(cols, [plans[i].key], params))
        want = sorted(all_pairs(cols, params), key=lambda p: (p.kind, p.first, p.second))
        assert saved == want


def test_saved_pairs_follow_random_edits(store):
    rng = np.random.default_rng(7)
    params = Parameters(max_distance_m=15)
    plans = random_plans(rng, 120)
    with store.writer("test") as w:
        w.upsert("plans", plans[:100])
        inc.update_pairs(w, [], params)  # nothing saved yet: all pairs built
    assert inc.saved_pairs(store) == full(store, params)
    live = {p.key: p for p in plans[:100]}
    spare = plans[100:]
    for step in range(25):
        with store.writer("test") as w:
            what = rng.integers(4)
            if what == 0 and spare:
                new = spare.pop()
                w.upsert("plans", [new])
                live[new.key] = new
                changed = [new.key]
            elif what == 1:
                key = sorted(live)[int(rng.integers(len(live)))]
                gone = live.pop(key)
                w.delete("plans", (gone.owner, gone.id))
                changed = [key]
            else:
                keys = sorted(live)
                picked = [keys[int(j)] for j in rng.choice(len(keys), size=int(rng.integers(1, 4)), replace=False)]
                changed_plans = [edit(rng, live[k]) for k in picked]
                w.upsert("plans", changed_plans)
                live.update({p.key: p for p in changed_plans})
                changed = picked
            inc.update_pairs(w, changed)
        assert inc.saved_pairs(store) == full(store, params), f"step {step}"


def test_pairs_saved_under_the_earlier_definition_are_rebuilt_on_the_next_write(store):
    """Records saved before the shared length became the exact zone (params without a
    "definition") are all replaced on the next write, not mixed with new ones."""
    import json

    import sqlalchemy as sa

    from openruimte.store import tables as t

    rng = np.random.default_rng(11)
    params = Parameters()
    plans = random_plans(rng, 60)
    with store.writer("test") as w:
        w.upsert("plans", plans)
        inc.update_pairs(w, [], params)
    old = json.dumps(params.as_dict(), sort_keys=True)  # as saved before DEFINITION
    stale = {"a": "x", "b": "y", "score": 0.0, "explanation": {"shared_m": -1.0}}
    with store.engine.begin() as conn:
        conn.execute(sa.update(t.analysis_pairs).values(params=old, record=stale))
    assert inc.saved_pairs(store) != full(store, params)
    moved = dataclasses.replace(plans[0], start=plans[0].start)  # any write
    with store.writer("test") as w:
        w.upsert("plans", [moved])
        inc.update_pairs(w, [moved.key])
    assert inc.saved_pairs(store) == full(store, params)
    with store.engine.connect() as conn:
        assert {json.loads(r.params)["definition"] for r in conn.execute(sa.select(t.analysis_pairs.c.params))} == {
            inc.DEFINITION
        }


def test_reads_filter_by_visibility(store):
    rng = np.random.default_rng(3)
    plans = random_plans(rng, 80)
    plans = [dataclasses.replace(p, visibility="public" if i % 2 else "private") for i, p in enumerate(plans)]
    with store.writer("test") as w:
        w.upsert("plans", plans)
        inc.update_pairs(w, [], Parameters())
    everything = inc.pairs_page(store, None, limit=10_000)[0]
    outsider = Principal(org="someone-else", role=Role.VIEWER)
    seen = inc.pairs_page(store, outsider, limit=10_000)[0]
    public = {p.key for p in plans if str(p.visibility) == "public"}
    assert seen["couplings"] == [c for c in everything["couplings"] if c["a"] in public and c["b"] in public]
    key = next(c["a"] for c in everything["couplings"])
    mine = inc.pairs_of_plan(store, key)
    assert mine["couplings"] == [c for c in everything["couplings"] if key in (c["a"], c["b"])]
    pages, after = [], 0
    while after is not None:
        page, after = inc.pairs_page(store, None, after=after, limit=7)
        pages += page["couplings"]
    assert pages == everything["couplings"]


def test_the_store_analysis_saves_the_pairs_that_writes_then_keep_up(store):
    from openruimte.services.analyse_columns import analyse_store_columns

    plans = random_plans(np.random.default_rng(5), 90)
    with store.writer("test") as w:
        w.upsert("plans", plans)
    analyse_store_columns(store, Parameters(), actor="test")
    assert inc.saved_pairs(store) == full(store, Parameters())
    moved = dataclasses.replace(plans[0], geometry=shapely.Point(X0 + 150, Y0 + 150))
    with store.writer("test") as w:
        w.upsert("plans", [moved])
        inc.update_pairs(w, [moved.key])
    assert inc.saved_pairs(store) == full(store, Parameters())


def test_the_api_s_full_analysis_saves_the_pairs_too(store):
    from openruimte.services import analyse as analysing

    plans = random_plans(np.random.default_rng(9), 60)
    with store.writer("test") as w:
        w.upsert("plans", plans)
    analysing.analyse_store(store, Parameters(), actor="test")
    assert inc.saved_pairs(store) == full(store, Parameters())


def test_api_writes_keep_the_saved_pairs_equal_to_a_full_analysis(store):
    from fastapi.testclient import TestClient

    from openruimte.api import Settings, create_app
    from openruimte.services import analyse as analysing
    from tests.support.auth import token_headers

    others = [dataclasses.replace(p, owner="netbeheerder-y") for p in random_plans(np.random.default_rng(4), 40)]
    with store.writer("test") as w:
        w.upsert("plans", others)
    analysing.analyse_store(store, Parameters(), actor="test")
    client = TestClient(create_app(Settings(), store=store))
    client.headers.update(token_headers(store, "gemeente-x", "editor"))

    def feature(x, start="2026-03-01", end="2032-09-30"):
        return {
            "type": "Feature",
            "properties": {
                "id": "p1",
                "name": "Riool",
                "owner": "gemeente-x",
                "phase": "ontwerp",
                "asset_types": ["gemengd_riool"],
                "start": start,
                "end": end,
            },
            "geometry": {"type": "LineString", "coordinates": [[X0 + x, Y0 + 100], [X0 + x + 200, Y0 + 120]]},
        }

    assert client.post("/api/plans?crs=EPSG:28992", json=feature(50)).status_code == 201
    assert inc.saved_pairs(store) == full(store, Parameters())
    assert any("gemeente-x:p1" in (p.first, p.second) for p in inc.saved_pairs(store))
    r = client.put("/api/plans/gemeente-x/p1?crs=EPSG:28992", json=feature(120), headers={"If-Match": '"1"'})
    assert r.status_code == 200, r.text
    assert inc.saved_pairs(store) == full(store, Parameters())
    assert client.delete("/api/plans/gemeente-x/p1", headers={"If-Match": '"2"'}).status_code == 204
    assert inc.saved_pairs(store) == full(store, Parameters())
    assert not any("gemeente-x:p1" in (p.first, p.second) for p in inc.saved_pairs(store))


def test_a_plan_s_saved_pairs_read_as_the_view_reads_the_whole_result(store):
    from openruimte.services import analyse as analysing
    from openruimte.store.permissions import View

    plans = mixed_plans(np.random.default_rng(12))
    with store.writer("test") as w:
        w.upsert("plans", plans)
    analysing.analyse_store(store, Parameters(), actor="test")
    for principal in READERS:
        view = View(store, principal)
        whole = view.analysis("plans")["result"]
        for p in plans[:30]:
            key = p.key
            want = {
                "couplings": [c for c in whole["couplings"] if key in (c["a"], c["b"])],
                "conflicts": [c for c in whole["conflicts"] if key in (c["renewal"], c["plan"])],
                "undisclosed": [u for u in whole.get("undisclosed", []) if u["plan"] == key],
            }
            assert inc.plan_pairs_for_view(view, key) == want, (principal, key)


def test_the_map_s_analysis_follows_writes_as_a_new_full_analysis_would(store):
    """``View.analysis("plans")`` (the map's start-up, ``/api/analysis/plans``, the OGC couplings and
    conflicts) serves the pairs the writes keep: after edits, for every caller, the same as a full
    analysis run afresh."""
    from openruimte.services import analyse as analysing
    from openruimte.store.permissions import View

    rng = np.random.default_rng(21)
    plans = mixed_plans(rng)
    with store.writer("test") as w:
        w.upsert("plans", plans)
    analysing.analyse_store(store, Parameters(), actor="test")
    principals = READERS
    before = View(store, principals[0]).analysis("plans")["result"]
    with store.writer("test") as w:
        changed = [edit(rng, p) for p in plans[:12]]
        changed.append(dataclasses.replace(plans[12], start=None, end=None))
        w.upsert("plans", changed)
        w.delete("plans", (plans[13].owner, plans[13].id))
    served = {i: View(store, p).analysis("plans")["result"] for i, p in enumerate(principals)}
    assert served[0] != before and plans[12].key in served[0]["unscheduled"]
    analysing.analyse_store(store, Parameters(), actor="test")
    for i, principal in enumerate(principals):
        assert served[i] == View(store, principal).analysis("plans")["result"], principal
