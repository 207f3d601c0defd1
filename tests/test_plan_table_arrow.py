"""The Arrow reading of `io/plan_table.py` without pyarrow's pandas shims (issue 12): the
dictionary indices read from the buffers and NaN taken as blank give what pyarrow's own
`fill_null`/`to_numpy` and the NaN-to-null conversion gave."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from openruimte.io import plan_table


@pytest.mark.parametrize("seed", range(20))
def test_indices_from_buffers_equal_pyarrow(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 300))
    values = [None if rng.random() < 0.2 else f"v{int(rng.integers(0, 9))}" for _ in range(n)]
    column = pa.array(values, pa.string())
    lo = int(rng.integers(0, n))
    for part in (column, column.slice(lo), column.slice(lo, max(0, n - lo - 1))):
        encoded = part.dictionary_encode()
        none = len(encoded.dictionary)  # where a null goes (after the distinct values)
        want = np.asarray(encoded.indices.fill_null(none).to_numpy(zero_copy_only=False), dtype=np.int64)
        assert np.array_equal(plan_table._indices(encoded.indices, none=none), want)


def test_nan_and_null_in_a_number_column_are_both_blank(monkeypatch):
    """NaN reaches the coercer as None (blank), like a null; before, the column's NaNs were
    turned into nulls first (pyarrow's ``if_else`` with a null scalar, which imports pandas)."""
    column = pa.array([1.5, float("nan"), None, 1.5, float("nan"), 2.0], pa.float64())
    assert plan_table._coerce("budget_eur", column, len(column)) is None  # accepted, not kept
    real = plan_table._coercer("budget_eur")
    seen = []
    monkeypatch.setattr(plan_table, "_coercer", lambda key: lambda v: seen.append(v) or real(v))
    plan_table._coerce("budget_eur", column, len(column))
    assert sorted(seen, key=repr) == sorted([1.5, 2.0, None, None], key=repr)
