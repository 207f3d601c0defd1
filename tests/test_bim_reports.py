"""IDS check reports: JSON (stable shape), Dutch HTML (offline) and BCF 2.1 (one topic per failing element)."""

from __future__ import annotations

import io
import json
import re
import zipfile

from lxml import etree

from openruimte.bim import ids as bim_ids
from openruimte.bim import reports
from openruimte.bim.ils import builtin_ids, extra_checks
from tests.support.ifcmodels import Box, build_model

BOXES = (
    Box(2, 3, 12, 3.3, name="Gevel <zuid> & co"),
    Box(0, 0, 1, 1, ifc_class="IfcBuildingElementProxy", name="Ding", storey=1),
    Box(0, 0, 10, 10, z0=-0.3, height=0.3, ifc_class="IfcSlab", name="Vloer", properties={"LoadBearing": True}),
)


def _report():
    model = build_model(boxes=BOXES)
    report = bim_ids.check(model, [builtin_ids()], model_name="gebouw.ifc", extra_checks=extra_checks())
    return model, report


def test_json_shape_is_stable_and_round_trips():
    _, report = _report()
    data = json.loads(reports.to_json(report))
    assert data["format"] == "openruimte-bim-check" and data["format_version"] == 1
    assert set(data) >= {"status", "checked_at", "model", "summary", "ids", "specifications"}
    assert data["model"] == {"name": "gebouw.ifc", "schema": "IFC4", "project": "Testproject"}
    spec = next(s for s in data["specifications"] if s["identifier"] == "ILS 3.4")
    assert spec["usage"] == "prohibited" and spec["status"] == "fail"
    (failure,) = spec["requirements"][0]["failures"]
    assert set(failure) == {"global_id", "ifc_class", "name", "storey", "step_id", "reason", "reason_en"}
    assert failure["ifc_class"] == "IfcBuildingElementProxy" and failure["storey"] == "01 eerste verdieping"
    assert bim_ids.CheckReport.from_dict(data).as_dict() == data


def test_html_is_dutch_self_contained_and_escaped():
    _, report = _report()
    page = reports.to_html(report)
    assert page.startswith("<!DOCTYPE html>") and '<html lang="nl">' in page
    assert "Controle op informatie-eisen" in page and "voldoet niet" in page
    assert "OpenRuimte-controle (niet in IDS uit te drukken)" in page  # the Python-only checks are labelled
    # nothing is fetched when the page opens: no links, scripts, fonts, images or imports
    assert not re.search(r"<(link|script|img|iframe)\b|@import|@font-face|url\(|src=", page, re.I)
    assert "Gevel &lt;zuid&gt; &amp; co" in page and "<zuid>" not in page


def test_bcf_is_bcf_2_1_with_one_topic_per_failing_element():
    model, report = _report()
    data = reports.to_bcf(report, model)
    zf = zipfile.ZipFile(io.BytesIO(data))
    names = zf.namelist()
    version = etree.fromstring(zf.read("bcf.version"))
    assert version.tag == "Version" and version.get("VersionId") == "2.1"
    assert version.findtext("DetailedVersion") == "2.1"
    topics = {n.split("/")[0] for n in names if "/" in n}
    failing = report.failing_elements()
    spec_level = [s for s in report.specifications if not s.passed and not any(r.failures for r in s.requirements)]
    assert len(topics) == len(failing) + len(spec_level)
    seen = set()
    project_guid = model.by_type("IfcProject")[0].GlobalId
    for topic in topics:
        markup = etree.fromstring(zf.read(f"{topic}/markup.bcf"))
        assert [c.tag for c in markup] in (["Header", "Topic"], ["Header", "Topic", "Viewpoints"])
        t = markup.find("Topic")
        assert t.get("Guid") == topic and re.fullmatch(r"[0-9a-f-]{36}", topic)
        order = list(dict.fromkeys(c.tag for c in t))  # Labels may repeat
        expected = ["Title", "Priority", "Index", "Labels", "CreationDate", "CreationAuthor", "Description"]
        assert [tag for tag in expected if tag in order] == [tag for tag in order if tag in expected]
        assert markup.find("Header/File").get("IfcProject") == project_guid
        if markup.find("Viewpoints") is None:
            continue
        viewpoint = etree.fromstring(zf.read(f"{topic}/{markup.findtext('Viewpoints/Viewpoint')}"))
        assert [c.tag for c in viewpoint.find("Components")] == ["Selection", "Visibility"]
        guid = viewpoint.find("Components/Selection/Component").get("IfcGuid")
        seen.add(guid)
        camera = viewpoint.find("PerspectiveCamera")
        assert [c.tag for c in camera] == ["CameraViewPoint", "CameraDirection", "CameraUpVector", "FieldOfView"]
        element = model.by_guid(guid)
        target = element.ObjectPlacement.RelativePlacement.Location.Coordinates
        eye = [float(camera.findtext(f"CameraViewPoint/{a}")) for a in "XYZ"]
        look = [float(camera.findtext(f"CameraDirection/{a}")) for a in "XYZ"]
        hit = [e + 12.0 * d for e, d in zip(eye, look, strict=True)]  # the camera looks at the element
        assert all(abs(h - float(c)) < 1e-3 for h, c in zip(hit, target, strict=True))
    assert seen == {f.global_id for items in failing.values() for _, _, f in items[:1]}


def test_bcf_opens_in_bcf_client(tmp_path):
    from bcf.v2.bcfxml import BcfXml

    model, report = _report()
    path = tmp_path / "r.bcf"
    path.write_bytes(reports.to_bcf(report, model))
    bcf = BcfXml.load(path)
    assert bcf.version.version_id == "2.1"
    titles = [t.topic.title for t in bcf.topics.values()]
    assert any(t.startswith("IfcBuildingElementProxy 'Ding'") for t in titles)
    with_views = [t for t in bcf.topics.values() if t.viewpoints]
    assert with_views and all(
        v.visualization_info.perspective_camera for t in with_views for v in t.viewpoints.values()
    )


def test_bcf_is_capped_with_a_pointer_to_the_full_report():
    model = build_model(boxes=tuple(Box(i, 0, i + 1, 1, ifc_class="IfcBuildingElementProxy") for i in range(30)))
    report = bim_ids.check(model, [builtin_ids()], model_name="veel.ifc")
    zf = zipfile.ZipFile(io.BytesIO(reports.to_bcf(report, model, max_topics=10)))
    topics = {n.split("/")[0] for n in zf.namelist() if "/" in n}
    assert len(topics) == 10
    titles = [etree.fromstring(zf.read(f"{t}/markup.bcf")).findtext("Topic/Title") for t in topics]
    assert any(t.startswith("En nog ") for t in titles)
