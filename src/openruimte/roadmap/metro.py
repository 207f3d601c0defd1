"""The metro map (SVG) of one organisation's status, drawn from the definition.

Deterministic layout: the lines run left to right in definition order, one row
each, stations at fixed steps; a side branch leaves its station downwards and
runs parallel below its line (dashed); every line bends to the end station on
the right. Information frames stand beside each line, under its name. Each
station is a ``<g class="station">`` with ``data-station``, ``data-line`` and
``data-state``; its circle is filled by state and carries the state's score
(0-4), so the map reads in black and white too. All text is SVG text (it
prints sharp and can be searched); the legend explains fills and signs.
"""

from __future__ import annotations

from html import escape
from typing import Any

from openruimte.roadmap.definition import Definition, Line, Station
from openruimte.roadmap.status import LABEL_EN, LABEL_NL, STATE_SCORE, STATES, State, Status, maturity

FILL = {
    State.NIET_GESTART: "#ffffff",
    State.VERKENNEN: "#fde9c9",
    State.IN_ONTWIKKELING: "#f4b14f",
    State.OPERATIONEEL: "#69b26c",
    State.GEBORGD: "#1d6e31",
}
INK = {s: ("#ffffff" if s is State.GEBORGD else "#1a1a1a") for s in STATES}
FONT = "DejaVu Sans, Arial, Helvetica, sans-serif"

LABEL_W = 270
DX = 150
ROW = 120
BRANCH_ROW = 95
HEAD = 110
LEGEND_H = 112
R = 13
END_R = 26


def _esc(value: Any) -> str:
    return escape(str(value), quote=True)


def wrap(text: str, width: int) -> list[str]:
    """Words to lines of at most ``width`` characters (a longer word stands alone)."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        if current and len(current) + 1 + len(word) > width:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}" if current else word
    if current:
        lines.append(current)
    return lines


def _text(x: float, y: float, lines: list[str], *, size: float = 11, anchor: str = "middle", **attrs: str) -> str:
    extra = "".join(f' {k.replace("_", "-")}="{_esc(v)}"' for k, v in attrs.items())
    spans = "".join(
        f'<tspan x="{x:.1f}" dy="{0 if i == 0 else size * 1.2:.1f}">{_esc(t)}</tspan>' for i, t in enumerate(lines)
    )
    return f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}"{extra}>{spans}</text>'


class _Layout:
    def __init__(self, definition: Definition) -> None:
        self.d = definition
        self.x0 = 20 + LABEL_W + 50
        self.rows: dict[str, float] = {}
        y = HEAD + 40.0
        extent = 0
        for line in definition.lines:
            self.rows[line.id] = y
            extent = max(extent, len(line.stations) - 1)
            y += ROW
            if line.branch is not None:
                start = [s.id for s in line.stations].index(line.branch.departs_from)
                extent = max(extent, start + len(line.branch.stations))
                y += BRANCH_ROW
        self.bottom = y - ROW + 60
        self.extent = extent
        #: where every line leaves its row to bend to the end station
        self.bend_x = self.x0 + extent * DX + 40
        self.end_x = self.x0 + extent * DX + (DX + 90 if definition.end_station is not None else 40)
        self.end_y = (HEAD + 40 + self.bottom - 60) / 2
        self.width = int(self.end_x + (170 if definition.end_station is not None else 60))
        self.height = int(self.bottom + LEGEND_H + 10)

    def xy(self, line: Line, station: Station) -> tuple[float, float]:
        y = self.rows[line.id]
        main = [s.id for s in line.stations]
        if station.id in main:
            return self.x0 + main.index(station.id) * DX, y
        assert line.branch is not None  # noqa: S101 - a station not on the main line is on its branch
        start = main.index(line.branch.departs_from)
        k = [s.id for s in line.branch.stations].index(station.id)
        return self.x0 + (start + 1 + k) * DX, y + BRANCH_ROW


def station_svg(
    station: Station, status: Status, x: float, y: float, colour: str, *, r: float = R, above: bool = False
) -> str:
    state = status.state(station.id)
    found = status.latest.get(station.id)
    when = f" ({found.assessed_on.isoformat()})" if found is not None else ""
    tip = f"{station.name}: {LABEL_NL[state]} / {LABEL_EN[state]}{when}"
    if found is not None and found.note:
        tip += f" - {found.note}"
    parts = [
        f'<g class="station" data-station="{_esc(station.id)}" data-line="{_esc(station.line or "end")}" '
        f'data-state="{state}" tabindex="0">',
        f"<title>{_esc(tip)}</title>",
        f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r}" fill="{FILL[state]}" stroke="{colour}" stroke-width="4"/>',
        _text(x, y + 4, [str(STATE_SCORE[state])], size=11, font_weight="bold", fill=INK[state]),
    ]
    name = wrap(station.name, 20)
    top = y - r - 10 - 11 * 1.2 * (len(name) - 1) if above else y + r + 16
    parts.append(_text(x, top, name, size=11, fill="#1a1a1a"))
    parts.append("</g>")
    return "".join(parts)


def metro_svg(status: Status, *, org_name: str | None = None, lang: str = "nl", legend: bool = True) -> str:
    """The metro map of ``status`` as a standalone SVG document."""
    d = status.definition
    lay = _Layout(d)
    if not legend:
        lay.height -= LEGEND_H
    index = maturity(status)
    title = d.title if lang == "nl" or not d.title_en else d.title_en
    who = org_name or status.org
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {lay.width} {lay.height}" '
        f'width="{lay.width}" height="{lay.height}" class="metro-map" data-roadmap="{_esc(d.name)}" '
        f'data-version="{d.version}" data-org="{_esc(status.org)}" data-date="{status.at.isoformat()}" '
        f'data-index="{index["overall"]}" font-family="{FONT}" role="img">',
        f"<title>{_esc(title)}: {_esc(who)} ({status.at.isoformat()})</title>",
        f'<rect x="0" y="0" width="{lay.width}" height="{lay.height}" fill="#ffffff"/>',
        _text(20, 34, [f"{title} - {who}"], size=22, anchor="start", font_weight="bold", fill="#1a1a1a"),
        _text(
            20,
            60,
            [
                f"Stand op {status.at.isoformat()} · volwassenheidsindex {index['overall']:.1f} / 100 "
                f"(maturity index, as of {status.at.isoformat()})"
            ],
            size=13,
            anchor="start",
            fill="#333333",
        ),
        _text(
            20,
            80,
            wrap(d.reading, int((lay.width - 40) / 5.8))[:3],
            size=10,
            anchor="start",
            fill="#666666",
            class_="reading",
        ),
    ]
    end_station = d.end_station
    for line in d.lines:
        y = lay.rows[line.id]
        xs = [lay.xy(line, s)[0] for s in line.stations]
        # the line: from its label to its last station, then bending to the end station
        path = f"M {lay.x0 - 40:.1f} {y:.1f} L {xs[-1]:.1f} {y:.1f}"
        if end_station is not None:
            mid = (lay.bend_x + lay.end_x) / 2
            path += (
                f" L {lay.bend_x:.1f} {y:.1f} C {mid:.1f} {y:.1f} {mid:.1f} {lay.end_y:.1f} "
                f"{lay.end_x - END_R:.1f} {lay.end_y:.1f}"
            )
        out.append(
            f'<path class="line" data-line="{_esc(line.id)}" d="{path}" fill="none" stroke="{line.colour}" '
            f'stroke-width="9" stroke-linecap="round"/>'
        )
        if line.branch is not None:
            bx, _ = lay.xy(line, next(s for s in line.stations if s.id == line.branch.departs_from))
            last_x = lay.xy(line, line.branch.stations[-1])[0]
            by = y + BRANCH_ROW
            out.append(
                f'<path class="branch" data-line="{_esc(line.id)}" data-branch="{_esc(line.branch.id)}" '
                f'd="M {bx:.1f} {y:.1f} C {bx:.1f} {by:.1f} {bx:.1f} {by:.1f} {bx + DX * 0.6:.1f} {by:.1f} '
                f'L {last_x:.1f} {by:.1f}" fill="none" stroke="{line.colour}" stroke-width="7" '
                f'stroke-dasharray="14 7" stroke-linecap="round"/>'
            )
            out.append(
                _text(
                    bx - 10,
                    by + 4,
                    [f"zijtak: {line.branch.name}"],
                    size=11,
                    anchor="end",
                    font_style="italic",
                    fill=line.colour,
                )
            )
        # the line's name, its index and its information frames beside it
        name = line.name if lang == "nl" or not line.name_en else line.name_en
        label = wrap(name, 34)
        out.append(_text(20, y - 24, label, size=13, anchor="start", font_weight="bold", fill=line.colour))
        ly = y - 24 + 13 * 1.2 * len(label) + 2
        out.append(
            _text(
                20,
                ly,
                [f"index {index['lines'][line.id]:.1f}"],
                size=11,
                anchor="start",
                fill="#333333",
                class_="line-index",
                data_line=line.id,
            )
        )
        fx = 20.0
        fy = ly + 8
        for frame in line.frames:
            w = 12 + 6.3 * len(frame.name)
            if fx + w > LABEL_W + 20:
                fx, fy = 20.0, fy + 20
            out.append(
                f'<g class="frame" data-frame="{_esc(frame.id)}" data-line="{_esc(line.id)}">'
                f'<rect x="{fx:.1f}" y="{fy:.1f}" width="{w:.1f}" height="16" rx="3" fill="#f4f4f6" '
                f'stroke="{line.colour}" stroke-width="1"/>'
                + _text(fx + w / 2, fy + 12, [frame.name], size=10, fill="#1a1a1a")
                + "</g>"
            )
            fx += w + 6
        departs = line.branch.departs_from if line.branch is not None else None
        for station in line.all_stations():
            x, sy = lay.xy(line, station)
            # the branch leaves downwards: the name of its departure station stands above the line
            out.append(station_svg(station, status, x, sy, line.colour, above=station.id == departs))
    if end_station is not None:
        state = status.state(end_station.id)
        found = status.latest.get(end_station.id)
        when = f" ({found.assessed_on.isoformat()})" if found is not None else ""
        out += [
            f'<g class="station end-station" data-station="{_esc(end_station.id)}" data-line="end" '
            f'data-state="{state}" tabindex="0">',
            f"<title>{_esc(end_station.name)}: {LABEL_NL[state]} / {LABEL_EN[state]}{when}</title>",
            f'<circle cx="{lay.end_x:.1f}" cy="{lay.end_y:.1f}" r="{END_R + 7}" fill="#ffffff" stroke="#1a1a1a" '
            f'stroke-width="3"/>',
            f'<circle cx="{lay.end_x:.1f}" cy="{lay.end_y:.1f}" r="{END_R}" fill="{FILL[state]}" stroke="#1a1a1a" '
            f'stroke-width="3"/>',
            _text(lay.end_x, lay.end_y + 6, [str(STATE_SCORE[state])], size=16, font_weight="bold", fill=INK[state]),
            _text(lay.end_x, lay.end_y + END_R + 26, wrap(end_station.name, 20), size=12, font_weight="bold"),
            _text(lay.end_x, lay.end_y - END_R - 16, ["eindstation / end station"], size=10, fill="#555555"),
            "</g>",
        ]
    if legend:
        out.append(legend_svg(20, lay.bottom + 10, end=end_station is not None))
    out.append("</svg>")
    return "\n".join(out)


def legend_svg(x: float, y: float, *, end: bool = True) -> str:
    """Fills and scores of the states, the side branch, a frame and the end station."""
    parts = [f'<g class="legend" transform="translate({x:.1f},{y:.1f})">']
    parts.append(_text(0, 12, ["Legenda / legend"], size=12, anchor="start", font_weight="bold"))
    for i, state in enumerate(STATES):
        cx = 12 + i * 175
        parts.append(
            f'<g class="legend-state" data-state="{state}"><circle cx="{cx}" cy="36" r="11" fill="{FILL[state]}" '
            f'stroke="#1a1a1a" stroke-width="2"/>'
            + _text(cx, 40, [str(STATE_SCORE[state])], size=10, font_weight="bold", fill=INK[state])
            + _text(cx + 18, 34, [LABEL_NL[state]], size=11, anchor="start")
            + _text(cx + 18, 47, [LABEL_EN[state]], size=9, anchor="start", fill="#555555")
            + "</g>"
        )
    parts.append(
        '<path d="M 0 72 L 44 72" stroke="#555555" stroke-width="6" stroke-dasharray="10 5"/>'
        + _text(52, 76, ["zijtak / side branch"], size=11, anchor="start")
        + '<rect x="210" y="64" width="60" height="16" rx="3" fill="#f4f4f6" stroke="#555555"/>'
        + _text(240, 76, ["kader"], size=10)
        + _text(278, 76, ["informatiekader / information frame"], size=11, anchor="start")
    )
    if end:
        parts.append(
            '<circle cx="530" cy="72" r="10" fill="#ffffff" stroke="#1a1a1a" stroke-width="2"/>'
            + '<circle cx="530" cy="72" r="6" fill="#ffffff" stroke="#1a1a1a" stroke-width="2"/>'
            + _text(546, 76, ["eindstation / end station"], size=11, anchor="start")
        )
    parts.append(
        _text(
            0,
            98,
            ["Het cijfer in een station is de score van zijn staat (0-4) / the number is the score"],
            size=11,
            anchor="start",
            fill="#333333",
        )
    )
    parts.append("</g>")
    return "".join(parts)
