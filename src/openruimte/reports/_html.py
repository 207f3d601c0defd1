"""Self-contained HTML pages: one file, inline CSS and SVG, no external reference.

Numbers in Dutch notation (1.234,5), dates as 1 maart 2028 where a person reads them.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Iterable, Sequence
from typing import Any

MONTHS = ("jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec")
MONTHS_LONG = (
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
)

#: colours of owners and bundles: distinct, readable on white (Tableau 20, darker half first)
PALETTE = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#17becf",
    "#bcbd22",
    "#7f7f7f",
    "#aec7e8",
    "#ffbb78",
    "#98df8a",
    "#ff9896",
    "#c5b0d5",
    "#c49c94",
    "#f7b6d2",
    "#9edae5",
    "#dbdb8d",
    "#393b79",
)

CSS = """
:root { --ink:#1d2a33; --muted:#5b6b76; --line:#d5dde2; --accent:#0b6e99; --bad:#b3261e; --good:#1e7b34; }
* { box-sizing: border-box; }
body { font-family: "DejaVu Sans", "Segoe UI", Arial, sans-serif; color: var(--ink); margin: 24px auto;
       max-width: 1180px; padding: 0 20px; line-height: 1.45; font-size: 14px; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 19px; margin: 28px 0 8px; border-bottom: 2px solid var(--accent); padding-bottom: 3px; }
h3 { font-size: 15px; margin: 18px 0 6px; }
p.lead { color: var(--muted); margin: 0 0 12px; }
p.note, .note { color: var(--muted); font-size: 12.5px; }
table { border-collapse: collapse; margin: 6px 0 12px; font-size: 12.5px; }
th, td { border-bottom: 1px solid var(--line); padding: 3px 8px; text-align: left; vertical-align: top; }
th { background: #eef3f6; font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.bad td { color: var(--bad); }
.better { color: var(--good); font-weight: 600; }
.worse { color: var(--bad); font-weight: 600; }
.kpis { display: flex; flex-wrap: wrap; gap: 10px; margin: 10px 0 16px; }
.kpi { border: 1px solid var(--line); border-radius: 6px; padding: 8px 12px; min-width: 150px; }
.kpi b { display: block; font-size: 22px; }
.kpi span { color: var(--muted); font-size: 12px; }
.legend { display: flex; flex-wrap: wrap; gap: 4px 14px; font-size: 12px; margin: 4px 0 10px; }
.legend i { display: inline-block; width: 14px; height: 10px; margin-right: 5px; vertical-align: middle;
            border: 1px solid rgba(0,0,0,.25); }
.figure { border: 1px solid var(--line); border-radius: 4px; padding: 4px; margin: 6px 0 4px; overflow-x: auto; }
svg { max-width: 100%; height: auto; }
svg text { font-family: "DejaVu Sans", Arial, sans-serif; }
.meta { color: var(--muted); font-size: 12.5px; }
.two { display: grid; grid-template-columns: 1fr 1fr; gap: 12px; }
.src { color: var(--muted); font-size: 11.5px; margin-top: -6px; }
@media print {
  body { margin: 0; max-width: none; font-size: 11px; }
  h2 { break-after: avoid; }
  table { font-size: 9.5px; width: 100%; }
  td.num, th.num { white-space: normal; }
  td, th { overflow-wrap: anywhere; padding: 2px 4px; }
  tr, .figure, .kpis { break-inside: avoid; }
  .figure { overflow: visible; }
  .figure svg { max-width: 100%; height: auto; }
}
"""


#: owner colours: no red or green (those mean conflict and coupling)
OWNER_COLOURS = tuple(c for c in PALETTE if c not in ("#d62728", "#2ca02c", "#ff9896", "#98df8a"))


def esc(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def num(value: float | int | None, digits: int = 0, unit: str = "") -> str:
    """Dutch notation: 1.234.567,8; '–' for None."""
    if value is None:
        return "–"
    text = f"{value:,.{digits}f}".replace(",", "_").replace(".", ",").replace("_", ".")
    return f"{text}\u00a0{unit}" if unit else text


def eur(value: float | None) -> str:
    return "–" if value is None else f"€\u00a0{num(value)}"


def pct(value: float | None, digits: int = 1, signed: bool = False) -> str:
    if value is None:
        return "–"
    text = num(abs(value) * 100 if signed else value * 100, digits) + "\u00a0%"
    if signed:
        text = ("−" if value < 0 else "+" if value > 0 else "±") + text
    return text


def date_nl(value: dt.date | dt.datetime | str | None) -> str:
    if value is None or value == "":
        return "–"
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            return value
    return f"{value.day} {MONTHS_LONG[value.month - 1]} {value.year}"


def short_date(value: dt.date | str | None) -> str:
    if value is None:
        return "–"
    d = dt.date.fromisoformat(value[:10]) if isinstance(value, str) else value
    return f"{MONTHS[d.month - 1]} {d.year}"


def table(
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    numeric: Iterable[int] = (),
    raw: Iterable[int] = (),
    row_class: Sequence[str] | None = None,
    cls: str = "",
) -> str:
    """An HTML table; ``numeric`` columns right-aligned, ``raw`` columns are HTML already."""
    numeric, raw = set(numeric), set(raw)
    head = "".join(
        f'<th class="num">{esc(h)}</th>' if i in numeric else f"<th>{esc(h)}</th>" for i, h in enumerate(headers)
    ).replace("\n", "<br>")
    body = []
    for n, row in enumerate(rows):
        cells = []
        for i, v in enumerate(row):
            text = str(v) if i in raw else esc(v)
            cells.append(f'<td class="num">{text}</td>' if i in numeric else f"<td>{text}</td>")
        klass = f' class="{row_class[n]}"' if row_class and row_class[n] else ""
        body.append(f"<tr{klass}>{''.join(cells)}</tr>")
    klass = f' class="{cls}"' if cls else ""
    return f"<table{klass}><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def kpis(items: Iterable[tuple[str, str]]) -> str:
    return (
        '<div class="kpis">'
        + "".join(f'<div class="kpi"><b>{v}</b><span>{esc(k)}</span></div>' for k, v in items)
        + "</div>"
    )


def legend(items: Iterable[tuple[str, str]], *, opacity: float = 1.0) -> str:
    """Coloured boxes with labels: (colour, label)."""
    return (
        '<div class="legend">'
        + "".join(f'<span><i style="background:{c};opacity:{opacity}"></i>{esc(label)}</span>' for c, label in items)
        + "</div>"
    )


def page(title: str, body: str, *, lang: str = "nl") -> str:
    """A complete, self-contained HTML document."""
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)}</title><style>{CSS}</style></head><body>\n{body}\n</body></html>\n"
    )


def generated_line(sources: str = "") -> str:
    now = dt.datetime.now().replace(microsecond=0)
    return f'<p class="meta">Gemaakt met OpenRuimte op {date_nl(now)} om {now:%H:%M}. {sources}</p>'
