"""Validation of the information model: every wrong field is named, with what was expected."""

import datetime as dt

import pytest
import shapely

from openruimte.model import Asset, Phase, Plan, PolicyGoal, RecordInvalid, Visibility
from openruimte.model import parse as p
from openruimte.model.errors import FieldError
from tests.factories import X0, Y0, asset, plan, plan_record


def messages(err: RecordInvalid) -> dict[str, str]:
    return {e.field: e.message for e in err.errors}


def test_plan_from_record_coerces_values():
    pl = plan(budget_eur="1.234,50", excavation="ja", surface_renewal="1", start="2027-03", end="2027-09")
    assert pl.budget_eur == 1234.5
    assert pl.excavation is True and pl.surface_renewal is True
    assert pl.start == dt.date(2027, 3, 1)
    assert pl.end == dt.date(2027, 9, 30)  # YYYY-MM as an end is the last day of the month
    assert pl.asset_types == ("gemengd_riool", "weg")
    assert pl.key == "gemeente-voorbeeldstad:p1"
    assert pl.visibility is Visibility.PRIVATE and pl.hardness.value == "voorgenomen"


def test_month_end_in_leap_year():
    assert p.date("end", "2028-02", end_of_period=True) == dt.date(2028, 2, 29)
    assert p.date("end", "2027-02", end_of_period=True) == dt.date(2027, 2, 28)


def test_unknown_asset_type_suggests_the_right_code():
    with pytest.raises(RecordInvalid) as exc:
        plan(asset_types="riool")
    assert messages(exc.value)["asset_types"] == "unknown asset type 'riool' (did you mean 'gemengd_riool'?)"


def test_unknown_phase_lists_the_vocabulary():
    with pytest.raises(RecordInvalid) as exc:
        plan(phase="uitvoering")
    msg = messages(exc.value)["phase"]
    assert "unknown phase 'uitvoering'" in msg


def test_all_wrong_fields_reported_at_once():
    with pytest.raises(RecordInvalid) as exc:
        plan(id="", phase="x", hardness="hard", start="2027-13-01", budget_eur="veel")
    assert set(messages(exc.value)) >= {"id", "phase", "hardness", "start", "budget_eur"}


def test_end_before_start():
    with pytest.raises(RecordInvalid) as exc:
        plan(start="2027-06-01", end="2027-05-31")
    assert messages(exc.value)["end"] == "end 2027-05-31 is before start 2027-06-01"


def test_start_without_end():
    with pytest.raises(RecordInvalid) as exc:
        plan(end=None)
    assert messages(exc.value)["end"] == "start and end come together: give both or neither"


def test_unscheduled_plan_is_fine():
    pl = plan(start=None, end=None, earliest_start="2028-01", latest_end="2029-12", duration_days=90)
    assert not pl.scheduled and pl.duration_days == 90
    assert pl.latest_end == dt.date(2029, 12, 31)


def test_dutch_date_order_gets_a_hint():
    with pytest.raises(RecordInvalid) as exc:
        plan(start="01-03-2027")
    assert "write it as 2027-03-01" in messages(exc.value)["start"]


def test_self_intersecting_polygon_refused_or_repaired():
    bowtie = shapely.Polygon([(X0, Y0), (X0 + 10, Y0 + 10), (X0 + 10, Y0), (X0, Y0 + 10)])
    with pytest.raises(RecordInvalid) as exc:
        plan(geometry=bowtie)
    msg = messages(exc.value)["geometry"]
    assert msg.startswith("invalid geometry: Self-intersection") and "--make-valid" in msg
    fixed = Plan.from_record(plan_record(geometry=bowtie), make_valid=True)
    assert fixed.geometry.is_valid and fixed.geometry.geom_type in ("Polygon", "MultiPolygon")
    assert fixed.geometry.area == pytest.approx(50.0)


def test_coordinates_outside_the_netherlands():
    with pytest.raises(RecordInvalid) as exc:
        plan(geometry=shapely.Point(5.1, 52.1))
    assert "outside the Netherlands in EPSG:28992" in messages(exc.value)["geometry"]


def test_coordinates_rounded_to_millimetres():
    pl = plan(geometry=shapely.LineString([(X0 + 0.12345, Y0), (X0 + 10.00049, Y0 + 1)]))
    assert shapely.get_coordinates(pl.geometry)[:, 0].tolist() == [X0 + 0.123, X0 + 10.0]


def test_asset_due_year_and_condition_range():
    a = asset(replacement_year=None)
    assert a.due_year == 2025
    assert asset(replacement_year=2031).due_year == 2031
    with pytest.raises(RecordInvalid) as exc:
        asset(condition=7)
    assert messages(exc.value)["condition"] == "7 is above the maximum 6"


def test_asset_has_one_type():
    with pytest.raises(RecordInvalid) as exc:
        asset(asset_type="gas;elektriciteit")
    assert "an asset has one asset type" in messages(exc.value)["asset_type"]


def test_policy_goal_needs_area_or_geometry():
    with pytest.raises(RecordInvalid) as exc:
        PolicyGoal.from_record({"id": "g1", "owner": "gemeente-x", "theme": "hittestress", "indicator": "PET"})
    assert "area" in messages(exc.value)


@pytest.mark.parametrize("raw,expected", [("ja", True), ("Nee", False), ("TRUE", True), ("0", False), (1, True)])
def test_booleans(raw, expected):
    assert p.boolean("x", raw, default=False) is expected


def test_boolean_error():
    with pytest.raises(FieldError, match="expected ja/nee, true/false or 1/0, got 'misschien'"):
        p.boolean("graven", "misschien", default=True)


def test_phase_planning_text_and_mapping():
    pl = plan(phase_planning="ontwerp:2026-01/2026-06;realisatie:2027-03-01/..")
    assert pl.phase_planning == {
        Phase.ONTWERP: (dt.date(2026, 1, 1), dt.date(2026, 6, 30)),
        Phase.REALISATIE: (dt.date(2027, 3, 1), None),
    }
    assert plan(phase_planning={"ontwerp": ["2026-01", "2026-06"]}).phase_planning[Phase.ONTWERP][1] == dt.date(
        2026, 6, 30
    )


def test_to_record_round_trip():
    pl = plan(phase_planning="ontwerp:2026-01/2026-06")
    assert Plan.from_record(pl.to_record()) == pl
    a = asset()
    assert Asset.from_record(a.to_record()) == a


def test_a_huge_number_as_an_identifier_is_a_field_error():
    """Found by Hypothesis (tests/test_parsers_property.py): a float of 200+ digits as an id."""
    from openruimte.model import Plan, RecordInvalid

    with pytest.raises(RecordInvalid) as err:
        Plan.from_record({"id": 1e250, "name": "x", "owner": "o", "phase": "idee", "asset_types": "gas"})
    assert any(e.field == "id" and "longer than 200" in e.message for e in err.value.errors)
