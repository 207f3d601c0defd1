"""Reports of an IDS check: JSON, HTML (Dutch, self-contained, offline) and BCF 2.1.

JSON (:func:`to_json`) is :meth:`CheckReport.as_dict` — the shape is documented in the
README ("Information requirements (IDS)") and kept stable: ``format``
``"openruimte-bim-check"``, ``format_version`` 1; new keys may be added, none removed.

HTML (:func:`to_html`) is one file with inline CSS and system fonts: no web fonts, no
scripts, no CDN, nothing fetched when it is opened (ifctester's own template loads fonts
from the internet, so it is not used).

BCF (:func:`to_bcf`) is a BCF 2.1 zip: ``bcf.version``, ``project.bcfp`` and one folder per
topic with ``markup.bcf`` and, when the model is given and the element has a placement, a
``viewpoint.bcfv`` that selects the element (by IfcGuid) and looks at it with a perspective
camera, in the model's coordinates in metres, so a designer opens it in Revit, Archicad,
BlenderBIM/Bonsai or Solibri. One topic per failing element (all its failed requirements in
the description); one topic per specification that failed without elements (a required
specification with nothing applicable). At most ``max_topics`` topics; the rest is summed up
in a last topic that points to the JSON/HTML report.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import json
import math
import uuid
import zipfile
from typing import Any

from lxml import etree

from openruimte.bim.ids import CheckReport, SpecificationResult

#: Default cap on BCF topics (a model that fails everywhere would give one per element).
MAX_BCF_TOPICS = 2000
#: Rows per requirement shown in the HTML report (the JSON has all of them).
MAX_HTML_ROWS = 1000

_USAGE_NL = {"required": "verplicht", "optional": "optioneel", "prohibited": "verboden"}
_FACET_NL = {
    "entity": "entiteit",
    "attribute": "attribuut",
    "property": "eigenschap",
    "classification": "classificatie",
    "material": "materiaal",
    "partOf": "onderdeel van",
    "placement": "plaatsing",
    "name": "naam",
    "specification": "specificatie",
}


# --------------------------------------------------------------------------- JSON


def to_json(report: CheckReport, *, indent: int | None = 2) -> str:
    return json.dumps(report.as_dict(), ensure_ascii=False, indent=indent, default=str)


# --------------------------------------------------------------------------- HTML

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;margin:0;color:#1b1f24;
background:#f6f7f9;line-height:1.45}
main{max-width:1100px;margin:0 auto;padding:1.5rem}
h1{font-size:1.6rem;margin:.2rem 0}h2{font-size:1.25rem;margin:1.6rem 0 .4rem}h3{font-size:1.05rem;margin:1rem 0 .3rem}
.meta{color:#4a5560}.card{background:#fff;border:1px solid #dde1e6;border-radius:6px;padding:1rem 1.2rem;margin:.8rem 0}
.ok{background:#1e7d3a;color:#fff}.bad{background:#b3261e;color:#fff}.note{background:#8a5a00;color:#fff}
.badge{display:inline-block;white-space:nowrap;border-radius:4px;padding:.05rem .5rem;font-size:.85rem;font-weight:600}
table{border-collapse:collapse;width:100%;font-size:.9rem;background:#fff}
th,td{border:1px solid #dde1e6;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#eef1f4}td.num{text-align:right}code{font-family:ui-monospace,Consolas,monospace;font-size:.85rem}
.warn{border-left:4px solid #8a5a00}.extra{border-left:4px solid #3b5bdb}small{color:#4a5560}
@media print{body{background:#fff}.card{break-inside:avoid}}
"""


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value))


def _badge(passed: bool) -> str:
    return '<span class="badge ok">voldoet</span>' if passed else '<span class="badge bad">voldoet niet</span>'


def to_html(report: CheckReport) -> str:
    """The report as one self-contained Dutch HTML page."""
    data = report.as_dict()
    out = [
        "<!DOCTYPE html>",
        '<html lang="nl"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>IDS-controle {_e(report.model_name)}</title>",
        f"<style>{_CSS}</style></head><body><main>",
        "<h1>Controle op informatie-eisen (IDS)</h1>",
        f'<p class="meta">Model <strong>{_e(report.model_name)}</strong> ({_e(report.schema)}), project '
        f"<strong>{_e(report.project or '(zonder naam)')}</strong>, gecontroleerd op {_e(report.checked_at)}.</p>",
        f'<div class="card"><p>Resultaat: {_badge(report.passed)} &nbsp; '
        f"{data['summary']['passed']} van {data['summary']['specifications']} specificaties gehaald; "
        f"{data['summary']['failed_elements']} elementen met bevindingen.</p>",
        "<p><small>English: this report lists, per specification of the information requirements, "
        "which elements of the model do not meet which requirement and why.</small></p></div>",
    ]
    out.append("<h2>Eisenbestanden</h2>")
    for doc in report.documents:
        version = f", versie {_e(doc['version'])}" if doc.get("version") else ""
        out.append(f'<div class="card"><strong>{_e(doc["title"])}</strong> <small>({_e(doc["name"])}{version})</small>')
        if doc["warnings"]:
            out.append(
                f'<div class="card warn"><p><span class="badge note">let op</span> Dit bestand volgt IDS 1.0 niet '
                f"helemaal; het is gelezen zoals het bedoeld lijkt ({len(doc['warnings'])} meldingen):</p><ul>"
            )
            for w in doc["warnings"]:
                out.append(
                    f"<li>regel {_e(w['line'])}: {_e(w.get('message_nl') or w['message'])}. "
                    f"<em>Oplossing:</em> <code>{_e(w['fix'])}</code></li>"
                )
            out.append("</ul></div>")
        out.append("</div>")
    if any(s.kind == "openruimte" for s in report.specifications):
        out.append(
            "<p><small>Specificaties gemarkeerd als <em>OpenRuimte-controle</em> kan IDS niet uitdrukken; "
            "OpenRuimte controleert ze zelf en rapporteert ze hier op dezelfde manier.</small></p>"
        )
    out.append("<h2>Overzicht</h2><table><thead><tr><th>#</th><th>Specificatie</th><th>Bron</th><th>Gebruik</th>")
    out.append("<th>Toepasbaar</th><th>Met bevindingen</th><th>Resultaat</th></tr></thead><tbody>")
    for i, spec in enumerate(report.specifications, start=1):
        out.append(
            f'<tr><td class="num">{i}</td><td><a href="#spec-{i}">'
            f"{_e(spec.identifier + ' ' if spec.identifier else '')}"
            f"{_e(spec.name)}</a></td><td>{_e(spec.source)}</td><td>{_e(_USAGE_NL.get(spec.usage, spec.usage))}</td>"
            f'<td class="num">{spec.applicable}</td><td class="num">{spec.failed_elements}</td>'
            f"<td>{_badge(spec.passed)}</td></tr>"
        )
    out.append("</tbody></table>")
    for i, spec in enumerate(report.specifications, start=1):
        out.append(_spec_html(i, spec))
    out.append(
        "<p><small>Gemaakt door OpenRuimte. De JSON- en BCF-uitvoer van dezelfde controle bevatten alle "
        "bevindingen; BCF opent in het eigen BIM-programma.</small></p></main></body></html>"
    )
    return "\n".join(out)


def _spec_html(i: int, spec: SpecificationResult) -> str:
    extra = " extra" if spec.kind == "openruimte" else ""
    out = [f'<section class="card{extra}" id="spec-{i}">']
    title = f"{spec.identifier} {spec.name}" if spec.identifier else spec.name
    out.append(f"<h2>{i}. {_e(title)} {_badge(spec.passed)}</h2>")
    label = "OpenRuimte-controle (niet in IDS uit te drukken)" if spec.kind == "openruimte" else "IDS"
    out.append(
        f'<p class="meta">{_e(label)} · bron {_e(spec.source)} · {_e(_USAGE_NL.get(spec.usage, spec.usage))} · '
        f"IFC {_e(', '.join(spec.ifc_versions))}</p>"
    )
    if spec.description:
        out.append(f"<p>{_e(spec.description)}</p>")
    if spec.instructions:
        out.append(f"<p><em>Instructie:</em> {_e(spec.instructions)}</p>")
    if spec.applicability:
        applies = _e("; ".join(spec.applicability))
        out.append(f"<p><strong>Geldt voor:</strong> {applies} — {spec.applicable} elementen.</p>")
    if spec.message:
        out.append(f'<p><span class="badge note">let op</span> {_e(spec.message)}</p>')
    for req in spec.requirements:
        facet = _FACET_NL.get(req.facet, req.facet)
        out.append(
            f'<h3>{_e(req.description)} {_badge(req.passed)}</h3><p class="meta">{_e(facet)} · '
            f"{_e(_USAGE_NL.get(req.cardinality, req.cardinality))} · {req.checked} gecontroleerd, "
            f"{len(req.failures)} niet gehaald</p>"
        )
        if not req.failures:
            continue
        out.append(
            "<table><thead><tr><th>GlobalId</th><th>Klasse</th><th>Naam</th><th>Bouwlaag</th><th>Reden</th>"
            "</tr></thead><tbody>"
        )
        for f in req.failures[:MAX_HTML_ROWS]:
            out.append(
                f"<tr><td><code>{_e(f.global_id or f'#{f.step_id}')}</code></td><td>{_e(f.ifc_class)}</td>"
                f"<td>{_e(f.name)}</td><td>{_e(f.storey)}</td><td>{_e(f.reason)}</td></tr>"
            )
        out.append("</tbody></table>")
        hidden = len(req.failures) - MAX_HTML_ROWS
        if hidden > 0:
            out.append(f"<p><small>... en nog {hidden} elementen (zie het JSON- of BCF-rapport).</small></p>")
    out.append("</section>")
    return "\n".join(out)


# --------------------------------------------------------------------------- BCF 2.1


def _xml(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _sub(parent: etree._Element, tag: str, text: Any = None, **attrs: str) -> etree._Element:
    el = etree.SubElement(parent, tag, **attrs)
    if text is not None:
        el.text = str(text)
    return el


class _Placer:
    """Element positions in metres in the model's own coordinates (what BCF viewpoints use)."""

    def __init__(self, model: Any) -> None:
        import ifcopenshell.util.unit

        self.model = model
        try:
            self.scale = float(ifcopenshell.util.unit.calculate_unit_scale(model))
        except Exception:  # no units: IFC's default is metres
            self.scale = 1.0
        self._cache: dict[int, Any] = {}

    def _matrix(self, placement: Any) -> Any:
        import ifcopenshell.util.placement as placement_util
        import numpy as np

        key = placement.id()
        if key in self._cache:
            return self._cache[key]
        self._cache[key] = np.eye(4)  # guards against cycles
        if placement.is_a("IfcLocalPlacement"):
            local = placement_util.get_axis2placement(placement.RelativePlacement)
            parent = placement.PlacementRelTo
            matrix = self._matrix(parent) @ local if parent is not None else local
        else:
            matrix = np.eye(4)
        self._cache[key] = matrix
        return matrix

    def position(self, step_id: int) -> tuple[float, float, float] | None:
        try:
            element = self.model.by_id(step_id)
        except RuntimeError:
            return None
        placement = getattr(element, "ObjectPlacement", None)
        if placement is None:
            return None
        m = self._matrix(placement)
        return (float(m[0, 3]) * self.scale, float(m[1, 3]) * self.scale, float(m[2, 3]) * self.scale)


def _camera(target: tuple[float, float, float], distance: float = 12.0) -> dict[str, tuple[float, float, float]]:
    """A perspective camera south-west of and above the target, looking at it."""
    d = (1.0, 1.0, -0.8)
    n = math.sqrt(sum(c * c for c in d))
    direction = tuple(c / n for c in d)
    position = tuple(t - c * distance for t, c in zip(target, direction, strict=True))
    # up = (direction x Z) x direction, normalised: perpendicular to the view, pointing upwards
    right = (direction[1], -direction[0], 0.0)
    up = (
        right[1] * direction[2] - right[2] * direction[1],
        right[2] * direction[0] - right[0] * direction[2],
        right[0] * direction[1] - right[1] * direction[0],
    )
    un = math.sqrt(sum(c * c for c in up))
    up = tuple(c / un for c in up)
    if up[2] < 0:
        up = tuple(-c for c in up)
    return {"CameraViewPoint": position, "CameraDirection": direction, "CameraUpVector": up}


def to_bcf(report: CheckReport, model: Any = None, *, max_topics: int = MAX_BCF_TOPICS) -> bytes:
    """The failures as a BCF 2.1 zip (bytes)."""
    now = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    project_guid = None
    if model is not None:
        projects = model.by_type("IfcProject")
        project_guid = projects[0].GlobalId if projects else None
    placer = _Placer(model) if model is not None else None
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        version = etree.Element("Version", VersionId="2.1")
        _sub(version, "DetailedVersion", "2.1")
        zf.writestr("bcf.version", _xml(version))
        project = etree.Element("ProjectExtension")
        proj = _sub(project, "Project", ProjectId=str(uuid.uuid4()))
        _sub(proj, "Name", f"IDS-controle {report.model_name}")
        _sub(project, "ExtensionSchema", "")
        zf.writestr("project.bcfp", _xml(project))

        topics: list[dict[str, Any]] = []
        for spec in report.specifications:
            if not spec.passed and not any(r.failures for r in spec.requirements):
                topics.append(
                    {
                        "title": f"Specificatie niet gehaald: {spec.name}",
                        "labels": [spec.name],
                        "description": spec.message or "De specificatie is niet gehaald.",
                        "element": None,
                    }
                )
        for _step, items in report.failing_elements().items():
            failure = items[0][2]
            lines = [f"{s.name} — {r.description}: {f.reason}" for s, r, f in items]
            topics.append(
                {
                    "title": f"{failure.ifc_class} '{failure.name or failure.global_id or failure.step_id}': "
                    f"{len(items)} {'eis' if len(items) == 1 else 'eisen'} niet gehaald",
                    "labels": sorted({s.name for s, _, _ in items}),
                    "description": "\n".join(lines)
                    + (f"\nBouwlaag: {failure.storey}" if failure.storey else "")
                    + f"\nGlobalId: {failure.global_id or '-'} (#{failure.step_id})",
                    "element": failure,
                }
            )
        if len(topics) > max_topics:
            rest = len(topics) - (max_topics - 1)
            topics = topics[: max_topics - 1] + [
                {
                    "title": f"En nog {rest} elementen met bevindingen",
                    "labels": [],
                    "description": f"Dit BCF-bestand toont {max_topics - 1} bevindingen; de overige {rest} staan in "
                    "het JSON- en HTML-rapport van dezelfde controle.",
                    "element": None,
                }
            ]
        for index, topic in enumerate(topics, start=1):
            _write_topic(zf, topic, index, report, project_guid, placer, now)
    return buf.getvalue()


def _write_topic(
    zf: zipfile.ZipFile,
    topic: dict[str, Any],
    index: int,
    report: CheckReport,
    project_guid: str | None,
    placer: _Placer | None,
    now: str,
) -> None:
    guid = str(uuid.uuid4())
    markup = etree.Element("Markup")
    header = _sub(markup, "Header")
    file_attrs = {"isExternal": "true"}
    if project_guid:
        file_attrs["IfcProject"] = project_guid
    file_el = _sub(header, "File", **file_attrs)
    _sub(file_el, "Filename", report.model_name)
    _sub(file_el, "Date", report.checked_at)
    t = _sub(markup, "Topic", Guid=guid, TopicType="Error", TopicStatus="Open")
    _sub(t, "Title", topic["title"][:250])
    _sub(t, "Priority", "Normal")
    _sub(t, "Index", index)
    for label in topic["labels"]:
        _sub(t, "Labels", label)
    _sub(t, "CreationDate", now)
    _sub(t, "CreationAuthor", "OpenRuimte")
    _sub(t, "Description", topic["description"])
    element = topic["element"]
    viewpoint = None
    if element is not None and element.global_id:
        viewpoint = etree.Element("VisualizationInfo", Guid=str(uuid.uuid4()))
        components = _sub(viewpoint, "Components")
        selection = _sub(components, "Selection")
        _sub(selection, "Component", IfcGuid=element.global_id)
        _sub(components, "Visibility", DefaultVisibility="true")
        position = placer.position(element.step_id) if placer is not None else None
        if position is not None:
            camera = _sub(viewpoint, "PerspectiveCamera")
            for name, vector in _camera(position).items():
                holder = _sub(camera, name)
                for axis, value in zip("XYZ", vector, strict=True):
                    _sub(holder, axis, f"{value:.4f}")
            _sub(camera, "FieldOfView", "60")
        vp = _sub(markup, "Viewpoints", Guid=viewpoint.get("Guid"))
        _sub(vp, "Viewpoint", "viewpoint.bcfv")
    zf.writestr(f"{guid}/markup.bcf", _xml(markup))
    if viewpoint is not None:
        zf.writestr(f"{guid}/viewpoint.bcfv", _xml(viewpoint))
