"""Gantt chart of a programme: a bar per plan at its proposed period, its own
(uncoordinated) period as a faint bar behind it, bundles in one colour, the
no-dig period after a surface renewal hatched. HTML (inline SVG) and PNG."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from openruimte.model.access import shown_name, shown_owner
from openruimte.reports._html import PALETTE, esc, generated_line, kpis, legend, num, page, pct, table
from openruimte.reports.programme import PlanRow, Programme

Group = Literal["street", "owner"]
#: rows per PNG page: more plans go to further pages (gantt-2.png ...)
PNG_ROWS_PER_PAGE = 90
#: pages of PNG at most; beyond, the PNG says how many plans it leaves out
PNG_MAX_PAGES = 8
SINGLE = "#7d8f9b"  # a plan not in a bundle
OWN = "#9aa5ad"
NO_DIG = "#c0392b"

LABEL_W, CHART_W, ROW_H, HEAD_H = 360, 860, 17, 36


@dataclass
class Row:
    group: str | None = None
    plan: PlanRow | None = None


#: bundle colours: the palette without grey (a single work) and red (a no-dig violation)
BUNDLE_COLOURS = tuple(c for c in PALETTE if c not in ("#7f7f7f", "#d62728", "#ff9896", "#1f77b4"))


def bundle_colour(n: int | None) -> str:
    return SINGLE if not n else BUNDLE_COLOURS[(n - 1) % len(BUNDLE_COLOURS)]


def street_of(prog: Programme, p: PlanRow) -> str:
    if not p.segments:
        return "Niet aan een straat gekoppeld"
    names = [prog.street_names.get(s) for s in p.segments]
    named = [n for n in names if n]
    if named:
        return max(sorted(set(named)), key=named.count)
    return f"Straatvak {p.segments[0]}"


def rows(prog: Programme, group: Group, bundles: dict[str, int]) -> list[Row]:
    """Group headers and plan rows, groups in order of their first start, plans by bundle and start."""
    groups: dict[str, list[PlanRow]] = defaultdict(list)
    if group == "street" and not prog.street_names:
        for name, plans in connected(prog).items():
            groups[name] = plans
    else:
        for p in prog.plans:
            groups[p.owner if group == "owner" else street_of(prog, p)].append(p)
    out: list[Row] = []
    for name, plans in sorted(groups.items(), key=lambda kv: (min(p.start for p in kv[1]), kv[0])):
        out.append(Row(group=f"{name} ({len(plans)})"))
        plans.sort(key=lambda p: (p.start, bundles.get(p.key, 10**9), p.key))
        out.extend(Row(plan=p) for p in plans)
    return out


def connected(prog: Programme) -> dict[str, list[PlanRow]]:
    """Without street names: plans grouped by shared street segments (connected components)."""
    parent: dict[str, str] = {}

    def find(k: str) -> str:
        while parent.setdefault(k, k) != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    for p in prog.plans:
        for s in p.segments:
            parent[find("s:" + s)] = find("p:" + p.key)
    comps: dict[str, list[PlanRow]] = defaultdict(list)
    for p in prog.plans:
        comps[find("p:" + p.key) if p.segments else ""].append(p)
    out = {}
    for root, plans in comps.items():
        if not root:
            out["Niet aan een straat gekoppeld"] = plans
            continue
        segs = sorted({s for p in plans for s in p.segments})
        out[f"Straatvakken {segs[0]}" + (f" … {segs[-1]}" if len(segs) > 1 else "")] = plans
    return out


def span(prog: Programme) -> tuple[int, int]:
    """First and last year on the time axis."""
    lo = min([prog.from_year, *(min(p.start, p.own_start).year for p in prog.plans)])
    hi = max([prog.to_year, *(max(p.end, p.own_end).year for p in prog.plans)])
    return max(lo, prog.from_year - 1), min(hi, prog.to_year + 3)


def _violations(prog: Programme) -> set[str]:
    m = prog.metrics.get("programme", {})
    return {v.get("plan") for v in m.get("no_dig", []) if isinstance(v, dict)} | {
        v.get("renewal") for v in m.get("no_dig", []) if isinstance(v, dict)
    }


def score_text(p: PlanRow) -> str:
    """The plan's score and its breakdown per criterion, when the programme carries them."""
    score = p.extra.get("score")
    parts = p.extra.get("score_breakdown") or p.extra.get("breakdown")
    text = f"\nscore {num(score, 2)}" if isinstance(score, (int, float)) else ""
    if isinstance(parts, dict) and parts:
        shown = [(k, v) for k, v in parts.items() if isinstance(v, (int, float))]
        text += " (" + "; ".join(f"{k} {num(v, 2)}" for k, v in shown) + ")" if shown else ""
    return text


def display_name(p: PlanRow) -> str:
    return shown_name(p)


def svg(prog: Programme, group: Group = "street") -> str:
    """The chart as inline SVG (no script): ``data-kind`` bar / own / nodig / group on its elements."""
    bundles = prog.bundles()
    lines = rows(prog, group, bundles)
    y0, y1 = span(prog)
    first, last = dt.date(y0, 1, 1).toordinal(), dt.date(y1 + 1, 1, 1).toordinal()
    per_day = CHART_W / (last - first)

    def x(d: dt.date) -> float:
        return LABEL_W + (min(max(d.toordinal(), first), last) - first) * per_day

    height = HEAD_H + ROW_H * len(lines) + 8
    width = LABEL_W + CHART_W + 40
    out = [
        f'<svg width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" '
        'aria-label="Gantt-diagram van het programma" font-size="11">',
        '<defs><pattern id="nodig" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
        f'<rect width="6" height="6" fill="#fff"/>'
        f'<line x1="0" y1="0" x2="0" y2="6" stroke="{NO_DIG}" stroke-width="2"/>'
        "</pattern></defs>",
    ]
    for year in range(y0, y1 + 2):
        xx = x(dt.date(year, 1, 1)) if year <= y1 else LABEL_W + CHART_W
        out.append(f'<line x1="{xx:.1f}" y1="{HEAD_H - 6}" x2="{xx:.1f}" y2="{height}" stroke="#c9d2d8"/>')
        if year <= y1:
            mid = x(dt.date(year, 7, 1))
            out.append(f'<text x="{mid:.1f}" y="{HEAD_H - 12}" text-anchor="middle" font-weight="600">{year}</text>')
    hx0, hx1 = x(dt.date(prog.from_year, 1, 1)), x(dt.date(prog.to_year, 12, 31))
    out.append(
        f'<rect x="{hx0:.1f}" y="{HEAD_H - 6}" width="{hx1 - hx0:.1f}" height="4" fill="#0b6e99" opacity=".5">'
        f"<title>Horizon {prog.from_year}–{prog.to_year}</title></rect>"
    )
    bad = _violations(prog)
    for i, row in enumerate(lines):
        y = HEAD_H + i * ROW_H
        if row.group is not None:
            out.append(
                f'<g data-kind="group"><rect x="0" y="{y}" width="{width}" height="{ROW_H}" fill="#eef3f6"/>'
                f'<text x="4" y="{y + 12.5}" font-weight="600">{esc(row.group)}</text></g>'
            )
            continue
        p = row.plan
        assert p is not None
        n = bundles.get(p.key)
        name = display_name(p)
        short = name if len(name) <= 44 else name[:42] + "…"
        tag = " · vast" if p.fixed else ""
        who = "" if group == "owner" else shown_owner(p)
        out.append(
            f'<text x="12" y="{y + 12.5}">{esc(short)}<tspan fill="#6b7b86" font-size="9.5"> '
            f"{esc(who)}{tag}</tspan></text>"
        )
        tip = (
            f"{name} ({shown_owner(p)})\nvoorstel {p.start:%d-%m-%Y} t/m {p.end:%d-%m-%Y}"
            f"{' (' + p.period + ')' if p.period else ''}"
            f"\neigen planning {p.own_start:%d-%m-%Y} t/m {p.own_end:%d-%m-%Y}"
            + (f"\nbundel {n}" if n else "")
            + (f"\n{p.reason}" if p.reason else "")
            + score_text(p)
        )
        ox, ow = x(p.own_start), max(x(p.own_end) - x(p.own_start), 1.5)
        out.append(
            f'<rect data-kind="own" data-key="{esc(p.key)}" x="{ox:.1f}" y="{y + 2}"'
            f' width="{ow:.1f}" height="{ROW_H - 4}" '
            f'fill="{OWN}" opacity=".35"/>'
        )
        if p.surface_renewal:
            nd0, nd1 = p.end + dt.timedelta(days=1), p.end + dt.timedelta(days=prog.graafrust_days)
            out.append(
                f'<rect data-kind="nodig" data-key="{esc(p.key)}" x="{x(nd0):.1f}" y="{y + 5}" '
                f'width="{max(x(nd1) - x(nd0), 1):.1f}" height="{ROW_H - 10}" fill="url(#nodig)" opacity=".7">'
                f"<title>graafrust na {esc(name)}: {nd0:%d-%m-%Y} t/m {nd1:%d-%m-%Y}</title></rect>"
            )
        bx, bw = x(p.start), max(x(p.end) - x(p.start), 2.0)
        stroke = f' stroke="{NO_DIG}" stroke-width="2"' if p.key in bad else (' stroke="#222"' if p.fixed else "")
        out.append(
            f'<rect data-kind="bar" data-key="{esc(p.key)}" data-bundle="{n or ""}" x="{bx:.1f}" y="{y + 3}" '
            f'width="{bw:.1f}" height="{ROW_H - 6}" rx="2" fill="{bundle_colour(n)}"{stroke}>'
            f"<title>{esc(tip)}</title></rect>"
        )
        if n:
            out.append(f'<text x="{bx + bw + 3:.1f}" y="{y + 12}" font-size="9.5" fill="#333">B{n}</text>')
    out.append("</svg>")
    return "".join(out)


def _summary(prog: Programme) -> str:
    m = prog.metrics
    p, u = m.get("programme", {}), m.get("uncoordinated", {})
    items = [("plannen in het programma", num(len(prog.plans)))]
    if p and u:
        items += [
            (
                "straatopeningen programma / ongecoördineerd",
                f"{num(p.get('street_openings'))} / {num(u.get('street_openings'))}",
            ),
            (
                "hinderdagen programma / ongecoördineerd",
                f"{num(p.get('disruption_days'))} / {num(u.get('disruption_days'))}",
            ),
            ("graafrust-schendingen programma", num(p.get("no_dig_violations"))),
        ]
    cmp = prog.data.get("comparison", {}).get("uncoordinated", {})
    if cmp.get("street_openings") is not None:
        items.append(("minder straatopeningen dan ongecoördineerd", pct(-cmp["street_openings"])))
    gap = prog.data.get("solver", {}).get("gap")
    if gap is not None:
        items.append(("optimaliteitsgat van de solver", pct(gap, 2)))
    return kpis(items)


def bundle_table(prog: Programme, limit: int = 200) -> str:
    bundles = prog.bundles()
    members: dict[int, list[PlanRow]] = defaultdict(list)
    for p in prog.plans:
        if p.key in bundles:
            members[bundles[p.key]].append(p)
    if not members:
        return "<p>Geen bundels: geen twee gravende werken starten in dezelfde periode in hetzelfde straatvak.</p>"
    rows_ = []
    for n, ps in sorted(members.items())[:limit]:
        streets = sorted({street_of(prog, p) for p in ps})
        period = prog.label(prog.bucket_of(min(p.start for p in ps)))
        parties = sorted({shown_owner(p) for p in ps})
        swatch = f'<i style="display:inline-block;width:12px;height:10px;background:{bundle_colour(n)}"></i> B{n}'
        rows_.append(
            (swatch, period, ", ".join(streets), len(ps), ", ".join(parties), "; ".join(display_name(p) for p in ps))
        )
    note = f'<p class="note">De eerste {limit} van {len(members)} bundels.</p>' if len(members) > limit else ""
    return (
        table(("bundel", "start", "straat", "werken", "partijen", "werken in de bundel"), rows_, numeric=(3,), raw=(0,))
        + note
    )


def html(prog: Programme, group: Group = "street", *, title: str | None = None, intro: str = "") -> str:
    title = title or "Programma: planning per werk (Gantt)"
    by = "straat" if group == "street" else "eigenaar"
    body = [
        f"<h1>{esc(title)}</h1>",
        f'<p class="lead">Programme Gantt chart · {esc(Path(prog.source).name)}'
        f" · horizon {prog.from_year}–{prog.to_year}, "
        f"per {'kwartaal' if prog.bucket == 'quarter' else 'jaar'}</p>",
        intro,
        _summary(prog),
        "<p>Elke regel is één werk, gegroepeerd per "
        f"{by}. De gekleurde balk is de voorgestelde periode; de lichte balk erachter is de eigen planning van de "
        "eigenaar (ongecoördineerd). Werken die in dezelfde periode in hetzelfde straatvak starten, vormen een "
        "<b>bundel</b> (B1, B2 …) en hebben dezelfde kleur: zij delen één sleuf. Gearceerd: de graafrust na een "
        "nieuwe bestrating. Een rode rand: dit werk raakt een graafrustperiode.</p>",
        legend(
            [
                (SINGLE, "voorgestelde periode, geen bundel / proposed"),
                (BUNDLE_COLOURS[1], "bundel (kleur per bundel) / bundle"),
                (OWN, "eigen planning / own (uncoordinated)"),
            ]
        )
        + f'<div class="legend"><span>'
        f'<i style="background:repeating-linear-gradient(45deg,{NO_DIG} 0 2px,#fff 2px 5px)">'
        f'</i>graafrust / no-dig period</span><span><i style="border:2px solid {NO_DIG};background:#fff"></i>'
        'raakt graafrust / violates no-dig</span><span><i style="border:1px solid #222;background:#fff"></i>'
        "vast (één mogelijke periode)</span></div>",
        f'<div class="figure">{svg(prog, group)}</div>',
        "<h2>Bundels / bundles</h2>",
        bundle_table(prog),
    ]
    if not prog.enriched:
        body.append(
            '<p class="note">Zonder database (--db) zijn straatnamen, graafwerk en nieuwe bestrating niet bekend: '
            "straatvakken staan met hun code en alle werken tellen als gravend.</p>"
        )
    body.append(generated_line(f"Bron: {esc(Path(prog.source).name)}."))
    return page(title, "\n".join(body))


def write_html(prog: Programme, out: Path, group: Group = "street") -> Path:
    out.write_text(html(prog, group), encoding="utf-8")
    return out


# ------------------------------------------------------------------ PNG


def paginate(lines: list[Row], rows_per_page: int) -> list[list[Row]]:
    """Pages of at most ``rows_per_page`` rows; a group cut by a page break gets its header again."""
    pages: list[list[Row]] = [[]]
    header: str | None = None
    for row in lines:
        if row.group is not None:
            header = row.group
        if len(pages[-1]) >= rows_per_page or (row.group is not None and len(pages[-1]) >= rows_per_page - 1):
            pages.append([])
            if row.group is None and header is not None:
                pages[-1].append(Row(group=f"{header} (vervolg)"))
        pages[-1].append(row)
    return pages


def png_paths(out: Path, pages: int) -> list[Path]:
    return [out if i == 0 else out.with_name(f"{out.stem}-{i + 1}{out.suffix}") for i in range(pages)]


def write_png(
    prog: Programme, out: Path, group: Group = "street", *, rows_per_page: int = PNG_ROWS_PER_PAGE
) -> list[Path]:
    """The chart as PNG pages of ``rows_per_page`` rows: ``out``, then ``out-2.png`` ...; returns the files."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt
    from matplotlib.collections import PatchCollection
    from matplotlib.patches import Patch, Rectangle

    def day(d: dt.date) -> float:
        return float(mdates.date2num(d))

    bundles = prog.bundles()
    lines = rows(prog, group, bundles)
    chunks = paginate(lines, rows_per_page)
    left_out = 0
    if len(chunks) > PNG_MAX_PAGES:
        left_out = sum(1 for c in chunks[PNG_MAX_PAGES:] for r in c if r.plan)
        chunks = chunks[:PNG_MAX_PAGES]
    y0, y1 = span(prog)
    bad = _violations(prog)
    paths = png_paths(out, len(chunks))
    for n, (chunk, path) in enumerate(zip(chunks, paths, strict=True), 1):
        fig_h = 1.6 + 0.19 * len(chunk)
        fig, ax = plt.subplots(figsize=(16, fig_h), dpi=110)
        own_r, nodig_r, bars, faces, edges, widths = [], [], [], [], [], []
        for i, row in enumerate(chunk):
            if row.group is not None:
                ax.axhspan(i - 0.5, i + 0.5, color="#e3ebf0", zorder=0)
                continue
            p = row.plan
            assert p is not None
            b = bundles.get(p.key)
            own_r.append(Rectangle((day(p.own_start), i - 0.4), (p.own_end - p.own_start).days + 1, 0.8))
            if p.surface_renewal:
                nodig_r.append(Rectangle((day(p.end) + 1, i - 0.22), prog.graafrust_days, 0.45))
            bars.append(Rectangle((day(p.start), i - 0.31), max((p.end - p.start).days + 1, 8), 0.62))
            faces.append(bundle_colour(b))
            edges.append(NO_DIG if p.key in bad else ("#222" if p.fixed else faces[-1]))
            widths.append(1.4 if p.key in bad else 0.6)
            if b:
                ax.text(day(p.end) + 25, i, f"B{b}", va="center", fontsize=6.5, color="#333", zorder=3)
        ax.add_collection(PatchCollection(own_r, facecolor=OWN, alpha=0.35, edgecolor="none", zorder=1))
        ax.add_collection(
            PatchCollection(
                nodig_r, facecolor="white", edgecolor=NO_DIG, hatch="////", linewidth=0, alpha=0.7, zorder=1
            )
        )
        ax.add_collection(PatchCollection(bars, facecolors=faces, edgecolors=edges, linewidths=widths, zorder=2))
        labels = []
        for row in chunk:
            if row.group is not None:
                labels.append(row.group)
            else:
                p = row.plan
                assert p is not None
                name = display_name(p)
                name = name if len(name) <= 40 else name[:38] + "…"
                labels.append(f"{name}  ({shown_owner(p)}{', vast' if p.fixed else ''})")
        ax.set_yticks(range(len(chunk)), labels, fontsize=7)
        for tick, row in zip(ax.get_yticklabels(), chunk, strict=True):
            if row.group is not None:
                tick.set_fontweight("bold")
        ax.set_ylim(len(chunk) - 0.5, -0.5)
        ax.set_xlim(dt.date(y0, 1, 1), dt.date(y1 + 1, 1, 1))
        ax.xaxis.set_major_locator(mdates.YearLocator())
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
        ax.xaxis.tick_top()
        ax.tick_params(axis="x", labelsize=8)
        ax.grid(axis="x", color="#c9d2d8", linewidth=0.6)
        ax.axvspan(dt.date(prog.to_year + 1, 1, 1), dt.date(y1 + 1, 1, 1), color="#f2f2f2", zorder=0)
        ax.set_axisbelow(True)
        for side in ("right", "bottom"):
            ax.spines[side].set_visible(False)
        page_note = f" — pagina {n}/{len(paths)}" if len(paths) > 1 else ""
        more = f"; {left_out} werken staan niet op deze PNG's, zie de HTML" if left_out and n == len(paths) else ""
        ax.set_title(
            f"Programma {prog.from_year}–{prog.to_year}: {len(prog.plans)}"
            f" werken, per {'straat' if group == 'street' else 'eigenaar'}"
            f"{page_note}{more}",
            loc="left", fontsize=11, pad=22,
        )  # fmt: skip
        handles = [
            Patch(color=SINGLE, label="voorgestelde periode"),
            Patch(color=BUNDLE_COLOURS[1], label="bundel (kleur per bundel, B-nummer)"),
            Patch(color=OWN, alpha=0.35, label="eigen planning (ongecoördineerd)"),
            Patch(facecolor="white", edgecolor=NO_DIG, hatch="////", label="graafrust na nieuwe bestrating"),
            Patch(facecolor="white", edgecolor=NO_DIG, linewidth=1.4, label="raakt graafrust"),
        ]
        fig.legend(handles=handles, loc="lower center", ncol=5, fontsize=8, frameon=False)
        fig.subplots_adjust(left=0.25, right=0.985, top=1 - 0.75 / fig_h, bottom=0.45 / fig_h)
        fig.savefig(path)
        plt.close(fig)
    return paths
