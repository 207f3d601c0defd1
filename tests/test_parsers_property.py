"""Property: whatever a file or a field holds, the parsers answer with a value or
with our own errors (FieldError per field, RowError per row, InputError per
file), never with another exception."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openruimte import io
from openruimte.model import InputError, Phase, Plan, RecordInvalid
from openruimte.model import parse as p
from openruimte.model.entities import parse_phase_planning
from openruimte.model.errors import FieldError, RowError

FAST = settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
SLOW = settings(max_examples=120, deadline=None, suppress_health_check=list(HealthCheck))

ANY = st.one_of(
    st.none(),
    st.text(max_size=60),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.binary(max_size=20),
    st.lists(st.text(max_size=10), max_size=4),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=3),
)
DATEISH = st.one_of(ANY, st.from_regex(r"-?\d{1,5}(-\d{1,3}(-\d{1,3})?)?", fullmatch=True))


def ours(call):
    try:
        call()
    except FieldError:
        pass


@FAST
@given(ANY)
def test_coercers_raise_field_errors_only(value):
    ours(lambda: p.text("f", value, required=True))
    ours(lambda: p.enum("f", value, Phase, label="phase"))
    ours(lambda: p.code_list("f", value, ("a", "b"), label="code"))
    ours(lambda: p.string_list("f", value))
    ours(lambda: p.boolean("f", value, default=False))
    ours(lambda: p.number("f", value, minimum=0))
    ours(lambda: p.integer("f", value, minimum=1))


@FAST
@given(DATEISH, st.booleans())
def test_dates_raise_field_errors_only(value, end):
    ours(lambda: p.date("f", value, end_of_period=end))


PLANNING = st.one_of(
    ANY,
    st.lists(
        st.tuples(st.sampled_from([*map(str, Phase), "x", ""]), DATEISH.map(str), DATEISH.map(str)), max_size=4
    ).map(lambda xs: ";".join(f"{a}:{b}/{c}" for a, b, c in xs)),
    st.dictionaries(st.sampled_from([*map(str, Phase), "zz"]), st.lists(DATEISH, max_size=3), max_size=3),
)


@FAST
@given(PLANNING)
def test_phase_planning_raises_field_errors_only(value):
    ours(lambda: parse_phase_planning("phase_planning", value))


@FAST
@given(
    st.dictionaries(
        st.sampled_from(
            [
                "id",
                "name",
                "owner",
                "phase",
                "asset_types",
                "start",
                "end",
                "geometry",
                "visibility",
                "sensitive",
                "budget_eur",
                "phase_planning",
            ]
        ),
        ANY,
    )
)
def test_records_raise_record_invalid_only(record):
    try:
        Plan.from_record(record)
    except RecordInvalid:
        pass


CELL = st.one_of(
    st.text(max_size=30),
    st.sampled_from(
        [
            "2027-01-01",
            "ontwerp",
            "weg",
            "POINT (155000 463000)",
            "POLYGON ((0 0, 1 1, 1 0, 0 0))",
            "LINESTRING (1e400 2, 3 4)",
            '"',
            "",
            "nan",
        ]
    ),
)


def check_read(path: Path, kind: str = "plans", **kw) -> None:
    try:
        result = io.read(path, kind, **kw)
    except InputError:
        return
    assert all(isinstance(e, RowError) for e in result.errors)


@SLOW
@given(st.lists(st.lists(CELL, min_size=0, max_size=9), min_size=0, max_size=6), st.sampled_from([",", ";", "\t"]))
def test_csv_reader_answers_with_row_errors(rows, sep):
    header = sep.join(["id", "name", "owner", "phase", "asset_types", "start", "end", "geometry", "phase_planning"])
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "x.csv"
        path.write_text("\n".join([header, *(sep.join(r) for r in rows)]), encoding="utf-8")
        check_read(path, crs="EPSG:28992")


@SLOW
@given(st.binary(max_size=400))
def test_csv_reader_survives_arbitrary_bytes(data):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "x.csv"
        path.write_bytes(data)
        check_read(path)


JSONISH = st.recursive(
    st.one_of(
        st.none(), st.booleans(), st.integers(-(10**20), 10**20), st.floats(allow_nan=False), st.text(max_size=15)
    ),
    lambda kids: st.one_of(st.lists(kids, max_size=4), st.dictionaries(st.text(max_size=10), kids, max_size=4)),
    max_leaves=25,
)
GEOMETRY = st.one_of(
    JSONISH,
    st.builds(
        lambda t, c: {"type": t, "coordinates": c},
        st.sampled_from(["Point", "LineString", "Polygon", "MultiPolygon", "GeometryCollection", "Nope"]),
        JSONISH,
    ),
    st.just(shapely.geometry.mapping(shapely.Point(5.1, 52.1))),
)


@SLOW
@given(
    st.lists(
        st.builds(
            lambda props, geom, typ: {"type": typ, "properties": props, "geometry": geom},
            st.one_of(
                JSONISH,
                st.fixed_dictionaries(
                    {"id": CELL, "name": CELL, "owner": CELL, "phase": CELL, "asset_types": CELL, "start": CELL}
                ),
            ),
            GEOMETRY,
            st.sampled_from(["Feature", "feature", None]),
        ),
        max_size=4,
    ),
    st.sampled_from(["FeatureCollection", "Feature", "x"]),
)
def test_geojson_reader_answers_with_row_errors(features, typ):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "x.geojson"
        path.write_text(json.dumps({"type": typ, "features": features}), encoding="utf-8")
        check_read(path)


@SLOW
@given(st.binary(max_size=300))
def test_geojson_reader_survives_arbitrary_bytes(data):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "x.geojson"
        path.write_bytes(data)
        check_read(path)


def test_vertex_limit_is_configurable_and_names_row_and_field(tmp_path, monkeypatch):
    monkeypatch.setenv("OPENRUIMTE_MAX_VERTICES", "10")
    ring = shapely.Point(155_000, 463_000).buffer(50, quad_segs=8)  # 33 vertices
    path = tmp_path / "many.csv"
    path.write_text(f'id,name,owner,phase,asset_types,geometry\nv1,Veel,gemeente-a,idee,weg,"{ring.wkt}"\n')
    result = io.read(path, "plans", crs="EPSG:28992")
    [err] = result.errors
    assert err.row == 2 and err.field == "geometry" and "limit of 10" in err.message
    monkeypatch.setenv("OPENRUIMTE_MAX_VERTICES", "100")
    assert io.read(path, "plans", crs="EPSG:28992").errors == []
