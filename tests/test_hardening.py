"""Hardening found by an outside test (issue #20): formula injection in text
exports, identifiers, oversized chunked bodies, login throttling without
lockout, proxy-aware client addresses."""

from __future__ import annotations

import csv

import pytest

from openruimte import io
from openruimte.io.csv_format import neutralise, restore
from tests.factories import plan

FORMULAS = ['=HYPERLINK("http://x")', "+1+1", "-2+3+cmd|' /C calc'!A0", "@SUM(A1)"]


@pytest.mark.parametrize("value", FORMULAS)
def test_csv_export_neutralises_formulas_and_reads_them_back(tmp_path, value):
    plans = [plan(id="p1", name=value, programme=value, contact="'" + value)]
    path = tmp_path / "plans.csv"
    io.write(path, "plans", plans)
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    for key in ("name", "programme"):
        assert rows[0][key] == "'" + value  # a spreadsheet shows it as text
    assert rows[0]["contact"] == "''" + value  # a quote of our own is kept apart from the user's
    back = io.read(path, "plans")
    assert back.errors == []
    assert back.items == plans  # lossless


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("plain", "plain"),
        ("'quoted", "'quoted"),
        ("a=b", "a=b"),
        ("=x", "'=x"),
        ("'=x", "''=x"),
        ("\tx", "'\tx"),
        ("\r=x", "'\r=x"),
        ("", ""),
    ],
)
def test_neutralise_is_undone_by_restore(value, written):
    assert neutralise(value) == written
    assert restore(written) == value


def test_numbers_are_not_quoted():
    assert neutralise(-5) == -5
    assert neutralise(-2.5) == -2.5
