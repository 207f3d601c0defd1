"""The plan-rule check as a self-contained Dutch HTML page (English below each message), and its JSON.

Takes the check document of :mod:`openruimte.services.rulecheck` (a dict), so the page is
the same for the CLI (``rules check --html``) and the API (``.../rulecheck?format=html``).
"""

from __future__ import annotations

import json
from typing import Any

from openruimte.reports._html import esc, generated_line, kpis, num, page, table

STATUS_NL = {
    "pass": "voldoet",
    "fail": "voldoet niet",
    "cannot_check": "niet te controleren",
    "not_applicable": "geen regel",
    "error": "fout",
}
STATUS_EN = {
    "pass": "passes",
    "fail": "fails",
    "cannot_check": "cannot be checked",
    "not_applicable": "no rule",
    "error": "error",
}
_COLOUR = {"pass": "#1e7b34", "fail": "#b3261e", "cannot_check": "#8a5a00", "not_applicable": "#5b6b76"}
PEIL_NL = {
    "model": "uit het model",
    "plan": "maaiveld (planhoogten)",
    "terrain": "terreinhoogte",
    "given": "opgegeven",
    "assumed": "aangenomen (0 m NAP)",
}


def to_json(doc: dict[str, Any], *, indent: int | None = 2) -> str:
    """The JSON report (``openruimte-rulecheck``)."""
    return json.dumps({"type": "openruimte-rulecheck", **doc}, ensure_ascii=False, indent=indent, default=str)


def _badge(status: str) -> str:
    colour = _COLOUR.get(status, "#5b6b76")
    return (
        f'<b style="color:{colour}">{esc(STATUS_NL.get(status, status))}</b>'
        f'<br><span class="note">{esc(STATUS_EN.get(status, status))}</span>'
    )


def _value(value: Any, unit: str | None) -> str:
    if value is None:
        return "–"
    if unit == "count":
        return num(value)
    return num(value, 2, "%" if unit == "%" else "m")


def _source(res: dict[str, Any]) -> str:
    parts = [esc(res.get("plan_id") or "")]
    if res.get("article"):
        parts.append(f"artikel / article: {esc(res['article'])}")
    if res.get("source_id"):
        parts.append(f'<span class="note">{esc(res["source_id"])}</span>')
    return "<br>".join(p for p in parts if p)


def to_html(doc: dict[str, Any]) -> str:
    """The Dutch report of one check run."""
    design = doc.get("design") or {}
    results = doc.get("results") or []
    status = doc.get("status", "")
    model = doc.get("model") or {}
    subject = model.get("ref") or model.get("file_name") or doc.get("plan") or design.get("name") or ""
    counts = {s: sum(1 for r in results if r["status"] == s) for s in ("pass", "fail", "cannot_check")}
    head = (
        f"<h1>Toets aan het bestemmingsplan / omgevingsplan</h1>"
        f'<p class="lead">{esc(subject)}: {_badge(status)}</p>'
        + kpis(
            [
                ("voldoet / pass", str(counts["pass"])),
                ("voldoet niet / fail", str(counts["fail"])),
                ("niet te controleren / cannot check", str(counts["cannot_check"])),
            ]
        )
    )
    rows, classes = [], []
    for res in results:
        rows.append(
            [
                f"{esc(res.get('name_nl', res['check']))}<br><span class='note'>{esc(res.get('name_en', ''))}</span>",
                _badge(res["status"]),
                _value(res.get("measured"), res.get("unit")),
                _value(res.get("limit"), res.get("unit")),
                f"{esc(res['message_nl'])}<br><span class='note'>{esc(res['message_en'])}</span>",
                _source(res),
            ]
        )
        classes.append("bad" if res["status"] == "fail" else "")
    body = table(
        ["Toets / check", "Uitkomst / result", "Gemeten / measured", "Grens / limit", "Toelichting / message",
         "Regel / rule"],
        rows,
        numeric=(2, 3),
        raw=(0, 1, 2, 3, 4, 5),
        row_class=classes,
    )  # fmt: skip
    facts = [
        ("Voetafdruk / footprint", num(design.get("footprint_area_m2"), 1, "m²")),
        ("Hoogste punt / highest point", _height(design.get("top_m"), design)),
        ("Goothoogte / gutter height", _height(design.get("gutter_m"), design)),
        ("Bouwlagen boven peil / storeys above peil", "–" if design.get("storeys") is None else str(design["storeys"])),
        (
            "Peil",
            f"{num(design.get('peil_m'), 2, 'm NAP')} ({esc(PEIL_NL.get(design.get('peil_source', ''), ''))})"
            if design.get("heights") == "NAP"
            else "maaiveld / ground level",
        ),
    ]
    notes = "".join(f"<li>{esc(n)}</li>" for n in design.get("notes") or [])
    s = doc.get("settings") or {}
    method = (
        "<h2>Werkwijze / method</h2><ul>"
        "<li>Bouwhoogte: hoogste punt min peil; goothoogte: bovenkant goot of boeiboord min peil; tolerantie "
        f"{num(s.get('height_tolerance_m'), 2, 'm')} (landelijke vergunningcheck). / Building height: highest "
        "point minus peil.</li>"
        f"<li>Bouwvlak: de voetafdruk ligt binnen het bouwvlak, tolerantie {num(s.get('bouwvlak_tolerance_m'), 2, 'm')}"
        "; het deel erbuiten staat als vlak in de JSON. / Footprint within the building plane.</li>"
        "<li>Bebouwingspercentage: geprojecteerde oppervlakte van het ontwerp plus de bestaande gebouwen in het "
        "bestemmingsvlak, gedeeld door dat vlak. / Coverage: projected area over the bestemmingsvlak.</li>"
        "<li>Bij meer regels van één soort op de voetafdruk geldt de strengste. / The strictest rule applies.</li>"
        f"</ul><ul>{notes}</ul>"
    )
    plans = ", ".join(esc(p) for p in doc.get("rules_plans") or []) or "–"
    when = doc.get("created_at")
    return page(
        f"Toets plan-regels {subject}",
        head
        + body
        + "<h2>Ontwerp / design</h2>"
        + table(["", ""], facts, raw=(1,))
        + f"<p class='meta'>Regels uit / rules from: {plans}</p>"
        + method
        + generated_line(f"Controle van {esc(when)}." if when else ""),
    )


def _height(value: Any, design: dict[str, Any]) -> str:
    if value is None:
        return "onbekend / unknown"
    return num(value, 2, "m NAP" if design.get("heights") == "NAP" else "m boven maaiveld")
