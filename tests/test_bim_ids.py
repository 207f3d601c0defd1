"""Information requirements (IDS): reading, auditing and checking.

The buildingSMART IDS 1.0 test cases (../shared/data/ids/testcases) encode the expected
outcome in the file name: every ``pass-`` case passes, every ``fail-`` case fails, every
``invalid-`` IDS is refused as invalid (it can never be satisfied, whatever the model).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from openruimte.bim import ids as bim_ids
from openruimte.bim.errors import BimError
from openruimte.bim.ils import builtin_ids, extra_checks, origin_check, storey_order_check
from tests.conftest import DATA
from tests.support.ifcmodels import Box, build_model

TESTCASES = DATA / "ids" / "testcases"
ROTTERDAM = DATA / "ids" / "nl" / "IDS Rotterdam BIM.ids"
CASES = sorted(TESTCASES.glob("*/*.ids")) if TESTCASES.is_dir() else []
needs_data = pytest.mark.skipif(not TESTCASES.is_dir(), reason="../shared/data is absent")


def _outcome(case: Path) -> str:
    try:
        document = bim_ids.read_ids(case)
    except bim_ids.IdsInvalid:
        return "invalid"
    report = bim_ids.check(bim_ids.open_model(case.with_suffix(".ifc")), [document], model_name=case.name)
    return "pass" if report.passed else "fail"


@needs_data
def test_all_buildingsmart_cases_are_present():
    assert len(CASES) == 167
    assert {c.name.split("-")[0] for c in CASES} == {"pass", "fail", "invalid"}


@needs_data
@pytest.mark.parametrize("case", CASES, ids=[f"{c.parent.name}/{c.stem}" for c in CASES])
def test_buildingsmart_ids_testcase(case: Path):
    expected = case.name.split("-")[0]
    assert _outcome(case) == expected


# ------------------------------------------------------------------ the cases ifctester alone gets wrong


@needs_data
@pytest.mark.parametrize(
    ("case", "line", "words"),
    [
        ("attribute/invalid-integers_cannot_be_expressed_as_floating_point_numbers_2_2.ids", 22, "'42'"),
        ("property/invalid-integer_values_cannot_be_stored_with_decimal_2_4.ids", 25, "integer"),
        ("property/invalid-integer_values_cannot_be_stored_with_decimal_3_4.ids", 25, "'42'"),
        ("attribute/invalid-booleans_must_be_specified_as_lowercase_strings_2_3.ids", 22, "'false'"),
        ("attribute/invalid-derived_attributes_cannot_be_checked_and_always_fail.ids", 19, "derived"),
        ("attribute/invalid-inverse_attributes_cannot_be_checked_and_always_fail.ids", 19, "inverse"),
        ("entity/invalid-entities_must_be_specified_as_uppercase_strings.ids", 19, "'IFCWALL'"),
        ("ids/invalid-prohibited_specifications_invalid_if_requirements_are_specified.ids", 16, "remove"),
    ],
)
def test_invalid_ids_names_the_line_and_the_fix(case: str, line: int, words: str):
    with pytest.raises(bim_ids.IdsInvalid) as err:
        bim_ids.read_ids(TESTCASES / case)
    (problem,) = err.value.errors
    assert problem.row == line, str(problem)
    assert problem.row_label == "line"
    assert "fix:" in problem.message and words in problem.message, problem.message


@needs_data
def test_an_optional_attribute_passes_when_null_but_fails_when_empty():
    ok = TESTCASES / "attribute" / "pass-an_optional_attribute_passes_if_null.ids"
    bad = TESTCASES / "attribute" / "fail-an_optional_attribute_fails_if_empty.ids"
    assert _outcome(ok) == "pass"
    assert _outcome(bad) == "fail"


def test_real_values_compare_with_a_relative_tolerance(tmp_path):
    model = build_model(boxes=(Box(0, 0, 1, 1, properties={"Breedte": 1000.0000005}),))
    ids = _ids(
        "<entity><name><simpleValue>IFCWALL</simpleValue></name></entity>",
        '<property dataType="IFCREAL"><propertySet><simpleValue>Pset_WallCommon</simpleValue></propertySet>'
        "<baseName><simpleValue>Breedte</simpleValue></baseName><value><simpleValue>1000</simpleValue></value>"
        "</property>",
    )
    report = bim_ids.check(model, [bim_ids.read_ids(ids, "t.ids")])
    assert report.passed
    model = build_model(boxes=(Box(0, 0, 1, 1, properties={"Breedte": 1000.01}),))
    report = bim_ids.check(model, [bim_ids.read_ids(ids, "t.ids")])
    assert not report.passed
    (failure,) = report.specifications[0].requirements[0].failures
    assert failure.ifc_class == "IfcWall" and "1000.01" in failure.reason


def _ids(applicability: str, requirements: str = "", *, spec_attrs: str = 'ifcVersion="IFC4"') -> bytes:
    req = f"<requirements>{requirements}</requirements>" if requirements else ""
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<ids xmlns="http://standards.buildingsmart.org/IDS" xmlns:xs="http://www.w3.org/2001/XMLSchema">\n'
        "<info><title>test</title></info>\n<specifications>\n"
        f'<specification name="s" {spec_attrs}>\n<applicability minOccurs="1" maxOccurs="unbounded">'
        f"{applicability}</applicability>\n{req}\n</specification>\n</specifications>\n</ids>\n"
    ).encode()


# ------------------------------------------------------------------ hostile and broken IDS files


def test_entities_are_refused(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("geheim")
    xxe = (
        f'<?xml version="1.0"?>\n<!DOCTYPE ids [<!ENTITY x SYSTEM "file://{secret}">]>\n'
        '<ids xmlns="http://standards.buildingsmart.org/IDS"><info><title>&x;</title></info></ids>'
    ).encode()
    with pytest.raises(bim_ids.IdsInvalid) as err:
        bim_ids.read_ids(xxe, "xxe.ids")
    assert err.value.errors[0].row == 2 and "DOCTYPE" in str(err.value) and "geheim" not in str(err.value)
    laughs = b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY a "aaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]><ids/>'
    with pytest.raises(bim_ids.IdsInvalid, match="DOCTYPE"):
        bim_ids.read_ids(laughs, "lol.ids")


def test_broken_and_foreign_files_name_line_and_fix():
    with pytest.raises(bim_ids.IdsInvalid) as err:
        bim_ids.read_ids(
            b'<?xml version="1.0"?>\n<ids xmlns="http://standards.buildingsmart.org/IDS">\n<info>', "cut.ids"
        )
    assert "cut.ids line" in str(err.value) and "not well-formed" in str(err.value)
    with pytest.raises(bim_ids.IdsInvalid, match="not an IDS file"):
        bim_ids.read_ids(b"<plan><naam>x</naam></plan>", "plan.xml")
    bad = _ids("<entity><name><simpleValue>IFCWALL</simpleValue></name></entity>", spec_attrs='ifcVersion="IFC5"')
    with pytest.raises(bim_ids.IdsInvalid) as err:
        bim_ids.read_ids(bad, "v.ids")
    assert err.value.errors[0].row == 5 and "IFC2X3, IFC4 and IFC4X3_ADD2" in str(err.value)


def test_too_large_ids_is_refused(monkeypatch):
    monkeypatch.setattr(bim_ids, "MAX_IDS_BYTES", 100)
    with pytest.raises(bim_ids.IdsInvalid, match="split it"):
        bim_ids.read_ids(b" " * 200 + b"<ids/>", "big.ids")


def test_unknown_entity_and_attribute_are_invalid():
    bad = _ids(
        "<entity><name><simpleValue>IFCMUUR</simpleValue></name></entity>",
        "<attribute><name><simpleValue>Naam</simpleValue></name></attribute>",
    )
    with pytest.raises(bim_ids.IdsInvalid) as err:
        bim_ids.read_ids(bad, "nl.ids")
    text = str(err.value)
    assert "'IFCMUUR' is not an IFC entity in IFC4" in text
    assert "'Naam' is not an attribute" in text


# ------------------------------------------------------------------ a real municipal IDS that predates IDS 1.0


@pytest.mark.skipif(not ROTTERDAM.is_file(), reason="../shared/data is absent")
def test_rotterdam_ids_is_read_with_warnings_naming_the_lines():
    document = bim_ids.read_ids(ROTTERDAM)
    assert document.title == "IDS Rotterdam BIM" and len(document.ids.specifications) == 19
    by_line = {w.line: w for w in document.warnings}
    assert "'True'" in by_line[26].message and "<simpleValue>true</simpleValue>" in by_line[26].fix
    assert "'NAME'" in by_line[135].message and "<simpleValue>Name</simpleValue>" in by_line[135].fix
    assert "wildcard" in by_line[153].message and "'.*'" in by_line[153].message
    assert "'VG.*'" in by_line[410].message
    assert "comparison" in by_line[576].message
    locatie = document.ids.specifications[3]
    assert locatie.name == "Locatie Check EPSG" and locatie.requirements[0].name == "Name"


@pytest.mark.skipif(not ROTTERDAM.is_file(), reason="../shared/data is absent")
def test_rotterdam_ids_is_refused_when_strict():
    with pytest.raises(bim_ids.IdsInvalid) as err:
        bim_ids.read_ids(ROTTERDAM, strict=True)
    assert err.value.errors[0].row == 26


def test_legacy_true_matches_the_boolean_and_false_does_not():
    spec = (
        "<entity><name><simpleValue>IFCWALL</simpleValue></name></entity>",
        "<property><propertySet><simpleValue>Pset_WallCommon</simpleValue></propertySet>"
        "<baseName><simpleValue>IsExternal</simpleValue></baseName><value><simpleValue>{}</simpleValue></value>"
        "</property>",
    )
    model = build_model(boxes=(Box(0, 0, 1, 1, properties={"IsExternal": True}),))
    yes = bim_ids.read_ids(_ids(spec[0], spec[1].format("True")), "t.ids")
    no = bim_ids.read_ids(_ids(spec[0], spec[1].format("False")), "f.ids")
    assert yes.warnings and no.warnings
    assert bim_ids.check(model, [yes]).passed
    assert not bim_ids.check(model, [no]).passed  # ifctester alone reads 'False' as True


# ------------------------------------------------------------------ models that are not IFC


def test_bad_models_are_refused_with_the_reason(tmp_path):
    (tmp_path / "a.ifc").write_text("this is a text file")
    with pytest.raises(BimError, match="not an IFC file"):
        bim_ids.open_model(tmp_path / "a.ifc")
    good = tmp_path / "good.ifc"
    build_model(good)
    cut = tmp_path / "cut.ifc"
    cut.write_bytes(good.read_bytes()[:-200])
    with pytest.raises(BimError, match="truncated"):
        bim_ids.open_model(cut)
    other = tmp_path / "ifc5.ifc"
    other.write_bytes(good.read_bytes().replace(b"FILE_SCHEMA(('IFC4'))", b"FILE_SCHEMA(('IFC5'))"))
    with pytest.raises(BimError, match="IFC5"):
        bim_ids.open_model(other)


# ------------------------------------------------------------------ the built-in BIM basis ILS


def test_builtin_ils_is_valid_ids_1_0():
    from importlib.resources import files

    from ifctester import ids as ifctester_ids

    data = files("openruimte.bim").joinpath("data", "ils-basis.ids").read_bytes()
    from lxml import etree

    assert list(ifctester_ids.get_schema().iter_errors(etree.ElementTree(etree.fromstring(data)))) == []
    document = builtin_ids("ils")
    assert document.warnings == []
    assert {s.identifier for s in document.ids.specifications} >= {"ILS 3.1", "ILS 3.3a", "ILS 3.4", "ILS 3.6"}


def _ils(model):
    report = bim_ids.check(model, [builtin_ids()], extra_checks=extra_checks())
    return {s.identifier: s for s in report.specifications}, report


def test_builtin_ils_on_a_tidy_model():
    boxes = tuple(
        Box(0, i, 1, i + 1, ifc_class="IfcWall", properties={"LoadBearing": True, "IsExternal": True}) for i in range(3)
    )
    specs, report = _ils(build_model(boxes=boxes))
    for ident in ("ILS 3.1", "ILS 3.3a", "ILS 3.3b", "ILS 3.4", "ILS 3.2", "ILS 3.3c"):
        assert specs[ident].passed, ident
    (walls,) = [s for s in report.specifications if s.name == "Pset_WallCommon bij IFCWALL"]
    assert walls.passed and walls.applicable == 3
    assert specs["ILS 3.2"].kind == "openruimte" and specs["ILS 3.2"].source.startswith("OpenRuimte")
    assert not specs["ILS 3.6"].passed  # no NL-SfB classification in the test model
    assert specs["ILS 3.6"].failed_elements == 3


def test_builtin_ils_finds_what_is_wrong():
    boxes = (
        Box(0, 0, 1, 1, ifc_class="IfcBuildingElementProxy", name="Iets"),
        Box(0, 0, 1, 1, ifc_class="IfcWall", name="Wand", properties={"IsExternal": True}),
    )
    model = build_model(project_name="", boxes=boxes, storeys=(("kelder", -3.0), ("begane grond", 0.0)))
    specs, report = _ils(model)
    assert not specs["ILS 3.1"].passed
    proxy = specs["ILS 3.4"].requirements[0].failures
    assert [(f.ifc_class, f.name, f.storey) for f in proxy] == [("IfcBuildingElementProxy", "Iets", "kelder")]
    (wall,) = [s for s in report.specifications if s.name == "Pset_WallCommon bij IFCWALL"]
    reasons = [f.reason for r in wall.requirements for f in r.failures]
    assert reasons == ["De eigenschappenset bevat de vereiste eigenschap niet (of die is leeg)"]
    order = specs["ILS 3.3c"].requirements[0].failures
    assert {f.name for f in order} == {"kelder", "begane grond"}
    assert "kelder (-3.00 m), begane grond (+0.00 m)" in order[0].reason


def test_model_far_from_its_origin_names_the_carrier_of_the_offset():
    model = build_model(boxes=(Box(155000, 463000, 155010, 463010, name="Ver weg"), Box(0, 0, 1, 1, name="Dichtbij")))
    from openruimte.bim.ids import _Describer

    result = origin_check(1000.0)(model, _Describer(model))
    assert not result.passed
    (failure,) = result.requirements[0].failures
    assert failure.name == "Ver weg" and "km van het nulpunt" in failure.reason
    assert "488.26 km" in failure.reason  # sqrt(155000² + 463000²) m


def test_storey_order_passes_when_names_sort_by_height():
    model = build_model(storeys=(("-01 kelder", -3.0), ("00 begane grond", 0.0), ("01 eerste", 3.0)), boxes=())
    from openruimte.bim.ids import _Describer

    assert storey_order_check(model, _Describer(model)).passed


def test_origin_check_follows_rotated_parent_placements():
    from openruimte.bim.ids import _Describer

    model = build_model(boxes=(Box(0, 0, 1, 1, name="Kind"),))
    (wall,) = model.by_type("IfcWall")
    parent = model.createIfcLocalPlacement(
        None,
        model.createIfcAxis2Placement3D(
            model.createIfcCartesianPoint((1000.0, 0.0, 0.0)),
            model.createIfcDirection((0.0, 0.0, 1.0)),
            model.createIfcDirection((0.0, 1.0, 0.0)),  # local x along world y: rotated 90°
        ),
    )
    wall.ObjectPlacement = model.createIfcLocalPlacement(
        parent, model.createIfcAxis2Placement3D(model.createIfcCartesianPoint((0.0, 2000.0, 0.0)), None, None)
    )
    # world = (1000, 0) + R·(0, 2000) = (1000 - 2000, 0) = (-1000, 0): 1000 m from the origin
    assert not origin_check(999.0)(model, _Describer(model)).passed
    assert origin_check(1001.0)(model, _Describer(model)).passed


@pytest.mark.parametrize("schema", ["IFC2X3", "IFC4", "IFC4X3_ADD2"])
def test_builtin_ils_runs_on_every_schema(schema):
    model = build_model(
        schema=schema, georef=None, boxes=(Box(0, 0, 1, 1, properties={"LoadBearing": True, "IsExternal": False}),)
    )
    specs, report = _ils(model)
    assert report.schema == schema
    for ident in ("ILS 3.1", "ILS 3.3a", "ILS 3.3b", "ILS 3.2", "ILS 3.3c"):
        assert specs[ident].passed and specs[ident].applicable >= 1, ident
    (walls,) = [s for s in report.specifications if s.name == "Pset_WallCommon bij IFCWALL"]
    assert walls.passed and walls.applicable == 1


def test_property_broad_phase_finds_exactly_what_the_facet_finds():
    """The narrower broad phase for a leading property facet gives the same applicable elements
    as evaluating the facet on every object (occurrence psets, type psets, quantities)."""
    import ifcopenshell.api.pset
    import ifcopenshell.api.root
    import ifcopenshell.api.type
    from ifctester import facet as ifctester_facet

    model = build_model(
        boxes=(
            Box(0, 0, 1, 1, properties={"IsExternal": True}),
            Box(1, 0, 2, 1, ifc_class="IfcSlab", properties={"IsExternal": False}),
            Box(2, 0, 3, 1, ifc_class="IfcWall"),
        )
    )
    wall_type = ifcopenshell.api.root.create_entity(model, ifc_class="IfcWallType", name="WT")
    typed = [w for w in model.by_type("IfcWall") if not w.IsDefinedBy]
    ifcopenshell.api.type.assign_type(model, related_objects=typed, relating_type=wall_type)
    pset = ifcopenshell.api.pset.add_pset(model, product=wall_type, name="Pset_WallCommon")
    ifcopenshell.api.pset.edit_pset(model, pset=pset, properties={"IsExternal": False})
    for name in ("Pset_WallCommon", "Pset_SlabCommon", "Pset_Nergens"):
        facet = ifctester_facet.Property(propertySet=name, baseName="IsExternal")
        everything = {e.id() for e in facet.filter(model, None) if facet(e)}
        narrowed = {e.id() for e in bim_ids._property_candidates(model, facet) if facet(e)}
        assert narrowed == everything, name
    assert (
        len(
            {
                e.id()
                for e in bim_ids._property_candidates(model, ifctester_facet.Property("Pset_WallCommon", "IsExternal"))
            }
        )
        >= 3
    )
