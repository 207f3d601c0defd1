"""Property: any valid plan survives a trip through every encoding unchanged."""

import datetime as dt
import tempfile
from pathlib import Path

import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openruimte import io
from openruimte.model import ASSET_TYPES, Hardness, Phase, Plan, Visibility

TEXT = (
    st.text(alphabet=st.characters(codec="utf-8", categories=("L", "N", "P", "S", "Zs")), min_size=1, max_size=40)
    .map(str.strip)
    .filter(bool)
)
THEME = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=15)
DATES = st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2045, 12, 31))
X = st.floats(min_value=10_000, max_value=290_000).map(lambda v: round(v, 3))
Y = st.floats(min_value=300_000, max_value=620_000).map(lambda v: round(v, 3))


@st.composite
def geometries(draw):
    x, y = draw(X), draw(Y)
    kind = draw(st.sampled_from(["point", "line", "polygon"]))
    if kind == "point":
        return shapely.Point(x, y)
    steps = draw(st.lists(st.tuples(st.floats(1, 500), st.floats(-500, 500)), min_size=1, max_size=6))
    coords = [(x, y)]
    for dx, dy in steps:
        coords.append((round(coords[-1][0] + dx, 3), round(coords[-1][1] + dy, 3)))
    if kind == "line":
        return shapely.LineString(coords)
    w, h = draw(st.floats(1, 300)), draw(st.floats(1, 300))
    return shapely.box(x, y, round(x + w, 3), round(y + h, 3))


@st.composite
def plans(draw):
    scheduled = draw(st.booleans())
    start = draw(DATES) if scheduled else None
    end = start + dt.timedelta(days=draw(st.integers(0, 2000))) if scheduled else None
    optional = lambda s: draw(st.one_of(st.none(), s))  # noqa: E731
    return Plan(
        id=draw(TEXT.filter(lambda s: ":" not in s and "/" not in s)),
        name=draw(TEXT),
        owner=draw(st.from_regex(r"[a-z]{3,10}-[a-z]{3,10}", fullmatch=True)),
        phase=draw(st.sampled_from(list(Phase))),
        hardness=draw(st.sampled_from(list(Hardness))),
        asset_types=tuple(draw(st.lists(st.sampled_from(ASSET_TYPES), min_size=1, max_size=4, unique=True))),
        themes=tuple(draw(st.lists(THEME, max_size=3, unique=True))),
        programme=optional(TEXT),
        area=optional(TEXT),
        start=start,
        end=end,
        earliest_start=optional(DATES),
        latest_end=None,
        duration_days=optional(st.integers(1, 3000)),
        excavation=draw(st.booleans()),
        surface_renewal=draw(st.booleans()),
        budget_eur=optional(st.floats(0, 1e9).map(lambda v: round(v, 2))),
        contact=optional(TEXT),
        visibility=draw(st.sampled_from(list(Visibility))),
        geometry=draw(geometries()),
    )


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(plans(), min_size=1, max_size=5, unique_by=lambda p: (p.owner, p.id)))
def test_any_plans_round_trip_in_every_encoding(items):
    with tempfile.TemporaryDirectory() as tmp:
        for fmt in ("csv", "xlsx", "gpkg", "geojson", "jsonfg"):
            path = Path(tmp) / f"plans.{fmt}"
            io.write(path, "plans", items)
            result = io.read(path, "plans")
            assert result.errors == [], (fmt, [str(e) for e in result.errors])
            assert result.items == items, fmt
