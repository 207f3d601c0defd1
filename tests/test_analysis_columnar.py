"""The columnar path of `openruimte analyse` (issue 12): the same bytes as the Plan-object
path, the same errors as import, the same pairs from the store, from the partitioned
engine and from Dask."""

from __future__ import annotations

import datetime as dt
import io as bytes_io

import numpy as np
import orjson
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from openruimte import io
from openruimte.analysis.arrays import PlanColumns
from openruimte.analysis.couplings import analyse_plans
from openruimte.analysis.pairs import Parameters, find_conflicts, find_couplings
from openruimte.analysis.partition import find_partitioned, hilbert_index, partitions
from openruimte.analysis.records import analyse_columns
from openruimte.io.plan_table import NeedsRowPath, read_plan_table
from openruimte.model import InputError
from openruimte.services import analyse_columns as run
from tests.factories import X0, Y0, plan
from tests.test_analysis_pairs import (
    as_dict_conflicts,
    as_dict_couplings,
    brute_conflicts,
    brute_couplings,
    random_plans,
)


def old_bytes(plans, params):
    """The result as the Plan-object path makes it (analysis.couplings.analyse_plans)."""
    return orjson.dumps(analyse_plans(plans, params).to_json())


def new_bytes(path, params):
    out = bytes_io.BytesIO()
    analyse_columns(run.columns_from_file(path), params).write(out)
    return out.getvalue()


def random_params(rng):
    return Parameters(
        max_distance_m=float(rng.uniform(0, 40)),
        max_gap_days=int(rng.integers(0, 1000)),
        graafrust_days=int(rng.integers(1, 1500)),
        graafrust_distance_m=float(rng.uniform(0, 20)),
    )


@pytest.mark.parametrize("seed", range(4))
def test_file_result_byte_for_byte_equal_to_the_plan_path(tmp_path, seed):
    rng = np.random.default_rng(seed)
    plans = random_plans(rng, 300)
    path = tmp_path / "plans.gpkg"
    io.write(path, "plans", plans)
    read_plan_table(path)  # the fast path takes it (raises NeedsRowPath otherwise)
    for params in (Parameters(), random_params(rng)):
        got, want = new_bytes(path, params), old_bytes(io.read(path, "plans").items, params)
        assert got == want
        doc = orjson.loads(got)
        assert len(doc["couplings"]) == len(find_couplings(PlanColumns.from_plans(plans), params).a)


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(2, 80))
def test_property_file_path_equals_brute_force_and_plan_path(tmp_path_factory, seed, n):
    rng = np.random.default_rng(seed)
    plans = random_plans(rng, n)
    path = tmp_path_factory.mktemp("p") / "plans.gpkg"
    io.write(path, "plans", plans)
    params = random_params(rng)
    cols = run.columns_from_file(path)
    assert as_dict_couplings(cols, find_couplings(cols, params)).keys() == brute_couplings(plans, params).keys()
    assert as_dict_conflicts(cols, find_conflicts(cols, params)).keys() == brute_conflicts(plans, params).keys()
    assert new_bytes(path, params) == old_bytes(plans, params)


def test_other_encodings_take_the_row_path_with_the_same_result(tmp_path):
    plans = random_plans(np.random.default_rng(7), 120)
    for name in ("plans.csv", "plans.geojson", "plans.xlsx"):
        path = tmp_path / name
        io.write(path, "plans", plans)
        with pytest.raises(NeedsRowPath):
            read_plan_table(path)
        assert new_bytes(path, Parameters()) == old_bytes(io.read(path, "plans").items, Parameters())


def _bad_file(tmp_path, **over):
    plans = random_plans(np.random.default_rng(3), 30)
    path = tmp_path / "bad.gpkg"
    io.write(path, "plans", plans)
    import pyogrio

    df_meta, _fids, geoms, fields = pyogrio.raw.read(path)
    names = list(df_meta["fields"])
    for key, (row, value) in over.items():
        col = fields[names.index(key)]
        if col.dtype.kind != "O":
            col = col.astype(object)
            fields[names.index(key)] = col
        col[row] = value
    path.unlink()
    pyogrio.raw.write(
        path, geoms, fields, names, layer="plans", driver="GPKG", crs="EPSG:28992", geometry_type="Unknown"
    )
    return path


@pytest.mark.parametrize(
    "over",
    [
        {"phase": (4, "ontwerpp")},
        {"asset_types": (2, "riool")},
        {"id": (5, " ")},
        {"owner": (1, "a:b")},
        {"id": (9, None)},
        {"excavation": (3, "misschien")},
        {"budget_eur": (6, "-5")},
    ],
)
def test_a_refused_file_gives_import_s_errors_row_by_row(tmp_path, over):
    path = _bad_file(tmp_path, **over)
    with pytest.raises(NeedsRowPath):
        read_plan_table(path)
    with pytest.raises(InputError) as got:
        run.columns_from_file(path)
    want = io.read(path, "plans")
    assert want.errors and [str(e) for e in got.value.errors] == [str(e) for e in want.errors]
    assert all(e.row is not None for e in got.value.errors)


def test_geometry_checks_on_arrays_send_bad_rows_to_the_row_path(tmp_path):
    good = random_plans(np.random.default_rng(1), 10)
    bow_tie = shapely.Polygon([(X0, Y0), (X0 + 10, Y0 + 10), (X0 + 10, Y0), (X0, Y0 + 10)])
    far = shapely.Point(10.0, 10.0)
    for geom in (bow_tie, far, shapely.MultiPoint([(X0, Y0), (X0 + 1, Y0)])):
        path = tmp_path / "g.gpkg"
        io.gpkg_format.write_table(
            path,
            ["id", "name", "owner", "phase", "asset_types"],
            [p.to_record() for p in good]
            + [{"id": "x", "name": "x", "owner": "o", "phase": "idee", "asset_types": "gas", "geometry": geom}],
            layer="plans",
        )
        with pytest.raises(NeedsRowPath):
            read_plan_table(path)
        with pytest.raises(InputError) as got:
            run.columns_from_file(path)
        assert [str(e) for e in got.value.errors] == [str(e) for e in io.read(path, "plans").errors]
        assert got.value.errors[0].row == 11 and got.value.errors[0].field == "geometry"


def test_columns_from_the_store_equal_the_plan_objects(store):
    plans = random_plans(np.random.default_rng(11), 200)
    with store.writer("test") as w:
        w.upsert("plans", plans)
    got = run.columns_from_store(store)
    want = PlanColumns.from_plans(store.plans())
    order = np.argsort(got.keys)
    worder = np.argsort(want.keys)
    for f in ("keys", "owners", "start", "end", "phase", "asset_mask", "excavation", "surface_renewal"):
        assert (getattr(got, f)[order] == getattr(want, f)[worder]).all(), f
    assert list(got.asset_types[order]) == list(want.asset_types[worder])
    assert shapely.equals_exact(got.geoms[order], want.geoms[worder], 0).all()
    result = run.analyse_store_columns(store, Parameters(), actor="test")
    assert orjson.dumps(result.to_json()) == old_bytes(store.plans(), Parameters())
    assert (
        store.latest_analysis("plans")["result"]["couplings"]
        == orjson.loads(old_bytes(store.plans(), Parameters()))["couplings"]
    )


# --------------------------------------------------------------------------- partitions and Dask


def test_hilbert_index_is_a_curve():
    x, y = np.meshgrid(np.arange(8), np.arange(8))
    d = hilbert_index(x.ravel(), y.ravel(), 3)
    assert sorted(d) == list(range(64))
    order = np.argsort(d)
    steps = np.abs(np.diff(x.ravel()[order])) + np.abs(np.diff(y.ravel()[order]))
    assert (steps == 1).all()


def crossing_plans(rng, n):
    """Random plans plus long lines that cross many partitions."""
    plans = random_plans(rng, n)
    for i in range(max(2, n // 10)):
        x, y = X0 + rng.uniform(0, 300), Y0 + rng.uniform(0, 300)
        plans.append(
            plan(
                id=f"long{i}",
                owner=["gemeente-a", "netbeheerder-b"][i % 2],
                asset_types="gas" if i % 2 else "telecom",
                start=dt.date(2027, 1, 1) + dt.timedelta(days=int(rng.integers(0, 500))),
                end=dt.date(2028, 6, 1),
                surface_renewal=bool(i % 3 == 0),
                geometry=shapely.LineString([(x - 250, y), (x + 250, y + rng.uniform(-50, 50))]),
            )
        )
    return plans


def same_pairs(cols, got, want):
    (gc, gk), (wc, wk) = got, want
    for f in ("a", "b", "distance_m", "gap_days"):
        assert (getattr(gc, f) == getattr(wc, f)).all(), f
    for f in ("renewal", "plan", "distance_m", "overlap_days"):
        assert (getattr(gk, f) == getattr(wk, f)).all(), f


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 120), st.integers(1, 12))
def test_property_partitioned_engine_equals_one_machine(seed, n, parts):
    rng = np.random.default_rng(seed)
    cols = PlanColumns.from_plans(crossing_plans(rng, n))
    params = random_params(rng)
    want = (find_couplings(cols, params), find_conflicts(cols, params))
    same_pairs(cols, find_partitioned(cols, params, parts), want)
    parts_found = partitions(cols, parts, max(params.max_distance_m, params.graafrust_distance_m))
    owned = np.concatenate([p.rows[p.owned] for p in parts_found])
    assert sorted(owned.tolist()) == list(range(len(cols)))  # every plan owned once


def test_borders_cross_plans():
    """The partitions of the test input do cut through plans (so the halo is exercised)."""
    cols = PlanColumns.from_plans(crossing_plans(np.random.default_rng(5), 300))
    parts = partitions(cols, 8, 10.0)
    assert sum(int((~p.owned).sum()) for p in parts) > 0


def test_dask_engine_on_a_two_worker_local_cluster_equals_one_machine():
    from openruimte.services.analyse_dask import dask_finder

    with dask_finder(workers=2, processes=False, parts=6) as finder:
        for seed in range(3):
            rng = np.random.default_rng(100 + seed)
            cols = PlanColumns.from_plans(crossing_plans(rng, 400))
            params = Parameters() if seed == 0 else random_params(rng)
            want = (find_couplings(cols, params), find_conflicts(cols, params))
            merged = finder(cols, params)
            same_pairs(cols, (merged.couplings, merged.conflicts), want)
            local = bytes_io.BytesIO()
            analyse_columns(cols, params).write(local)
            dask = bytes_io.BytesIO()
            analyse_columns(cols, params, finder=finder).write(dask)
            assert dask.getvalue() == local.getvalue()


def test_cli_role_names_are_the_store_s():
    from openruimte.cli.security import Role
    from openruimte.model.access import Role as StoreRole

    assert [r.value for r in Role] == [r.value for r in StoreRole]
