"""The poster wall: many organisations' metro maps side by side, as one printable HTML
document (A3 or A0, landscape; headless Chromium prints it to PDF).

Each sheet holds ``per_page`` maps in a grid, a heading (roadmap, date, the
reading it follows) and the legend. Organisations are in the order given (the
use case sorts them by name). Everything is inline: the page needs no network.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from html import escape

from openruimte.roadmap.definition import Definition
from openruimte.roadmap.metro import legend_svg, metro_svg
from openruimte.roadmap.status import Status, maturity

#: paper sizes in mm (landscape) and the default number of maps per sheet
SIZES = {"A3": (420, 297, 4), "A0": (1189, 841, 12)}


@dataclass(frozen=True)
class Entry:
    org: str
    name: str
    status: Status


def grid(per_page: int) -> tuple[int, int]:
    """Columns and rows for ``per_page`` maps on a landscape sheet."""
    cols = max(1, math.ceil(math.sqrt(per_page)))
    rows = max(1, math.ceil(per_page / cols))
    return cols, rows


def sheets(entries: list[Entry], per_page: int) -> list[list[Entry]]:
    return [entries[i : i + per_page] for i in range(0, len(entries), per_page)] or [[]]


def poster_html(
    definition: Definition, entries: list[Entry], at: dt.date, *, size: str = "A3", per_page: int | None = None
) -> str:
    if size not in SIZES:
        raise ValueError(f"paper size {size!r}; use one of {', '.join(SIZES)}")
    width, height, default = SIZES[size]
    per_page = per_page or default
    cols, rows = grid(per_page)
    scale = width / 420
    pages = sheets(entries, per_page)
    out = [
        "<!doctype html>",
        '<html lang="nl"><head><meta charset="utf-8">',
        f"<title>{escape(definition.title)} - posterwand {at.isoformat()}</title>",
        "<style>",
        f"@page {{ size: {width}mm {height}mm; margin: 0; }}",
        "* { box-sizing: border-box; }",
        "body { margin: 0; font-family: 'DejaVu Sans', Arial, sans-serif; color: #1a1a1a; }",
        f".sheet {{ width: {width}mm; height: {height}mm; padding: {8 * scale:.1f}mm; display: flex;"
        " flex-direction: column; break-after: page; page-break-after: always; overflow: hidden; }",
        ".sheet:last-child { break-after: auto; page-break-after: auto; }",
        f".sheet h1 {{ font-size: {16 * scale:.1f}pt; margin: 0 0 1mm 0; }}",
        f".sheet .sub {{ font-size: {8 * scale:.1f}pt; color: #555; margin: 0 0 {3 * scale:.1f}mm 0; }}",
        f".wall {{ flex: 1; display: grid; grid-template-columns: repeat({cols}, 1fr);"
        f" grid-template-rows: repeat({rows}, 1fr); gap: {4 * scale:.1f}mm; min-height: 0; }}",
        ".card { border: 0.3mm solid #999; border-radius: 2mm; padding: 2mm; display: flex;"
        " flex-direction: column; min-height: 0; }",
        f".card h2 {{ font-size: {10 * scale:.1f}pt; margin: 0; display: flex; justify-content: space-between; }}",
        f".card .lines {{ font-size: {7 * scale:.1f}pt; color: #333; margin: 0.5mm 0; }}",
        ".card svg { flex: 1; width: 100%; height: 100%; min-height: 0; }",
        f".legend svg {{ height: {14 * scale:.1f}mm; }}",
        "</style></head><body>",
    ]
    for n, page in enumerate(pages, 1):
        out.append(f'<section class="sheet" data-sheet="{n}">')
        out.append(
            f"<h1>{escape(definition.title)} · posterwand / poster wall · {at.isoformat()}"
            f" <small>({n}/{len(pages)})</small></h1>"
        )
        out.append(f'<p class="sub">{escape(definition.reading)} Bron / source: {escape(definition.source)}.</p>')
        out.append('<div class="wall">')
        for entry in page:
            index = maturity(entry.status)
            lines = " · ".join(f"{line.name}: {index['lines'][line.id]:.0f}" for line in definition.lines)
            svg = metro_svg(entry.status, org_name=entry.name, legend=False)
            svg = svg.replace("<svg ", '<svg preserveAspectRatio="xMidYMid meet" ', 1)
            out.append(
                f'<article class="card" data-org="{escape(entry.org)}" data-index="{index["overall"]}">'
                f"<h2><span>{escape(entry.name)}</span><span>index {index['overall']:.1f}</span></h2>"
                f'<p class="lines">{escape(lines)}</p>{svg}</article>'
            )
        if not page:
            out.append("<p>Geen zichtbare zelfevaluaties / no visible self-assessments.</p>")
        out.append("</div>")
        out.append(
            '<div class="legend"><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1000 106">'
            f"{legend_svg(4, 2, end=definition.end_station is not None)}</svg></div>"
        )
        out.append("</section>")
    out.append("</body></html>")
    return "\n".join(out)
