"""Map of the bundles: street segments coloured by how often they are opened under
the programme and uncoordinated, the segments where works share a trench
highlighted, the store's streets and areas as background. HTML (inline SVG) and PNG."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import shapely

from openruimte.model import InputError
from openruimte.reports._html import esc, generated_line, kpis, num, page, pct, table
from openruimte.reports.programme import Programme
from openruimte.reports.svgmap import SvgMap, bbox_of

#: openings per segment: class upper bounds and colours (light to dark)
CLASSES = ((1, "#fde0a0"), (2, "#fdae61"), (3, "#f46d43"), (5, "#d73027"), (10**9, "#7f0000"))
BUNDLE = "#6a3d9a"
FEWER, MORE = "#1a9850", "#d73027"


def colour(n: int) -> str:
    return next(c for bound, c in CLASSES if n <= bound)


def class_labels() -> list[tuple[str, str]]:
    out, lo = [], 1
    for bound, c in CLASSES:
        out.append((c, f"{lo}×" if bound == lo else (f"{lo}–{bound}×" if bound < 10**9 else f"≥ {lo}×")))
        lo = bound + 1
    return out


def _segments(prog: Programme, streets: Sequence[Any]) -> dict[str, Any]:
    by_id = {s.id: s for s in streets}
    used = {s for p in prog.plans for s in p.segments}
    missing = sorted(used - by_id.keys())
    if used and len(missing) == len(used):
        raise InputError(
            f"none of the {len(used)} street segments of the programme is in the database "
            f"(e.g. {missing[0]}); render with the --db the programme was made from",
            prog.source,
        )
    return {s: by_id[s] for s in used if s in by_id}


def panel(
    prog: Programme,
    streets: Sequence[Any],
    areas: Sequence[Any],
    scenario: str,
    *,
    width: int = 560,
    bbox: tuple[float, float, float, float] | None = None,
    diff: bool = False,
) -> SvgMap:
    """One map: background streets and areas, programme segments coloured by openings
    (or, with ``diff``, by the change programme − uncoordinated), bundle segments outlined."""
    segs = _segments(prog, streets)
    bbox = bbox or bbox_of(s.geometry for s in segs.values()) or bbox_of(s.geometry for s in streets)
    if bbox is None:
        raise InputError("no street geometry to draw: the database has no streets", prog.source)
    m = SvgMap(bbox, width=width, max_height=round(width * 1.1))
    box = m.box
    m.add_many(
        (a.geometry.boundary for a in areas if a.geometry.intersects(box)), kind="area", stroke="#9bb", width=0.8
    )
    m.add_many((s.geometry for s in streets if s.geometry.intersects(box)), kind="street", stroke="#c8c8c8", width=0.6)
    opened = prog.openings(scenario)
    own = prog.openings("uncoordinated")
    new = prog.openings("programme")
    shared = prog.bundle_segments(scenario if not diff else "programme")
    for sid, seg in sorted(segs.items()):
        name = prog.street_names.get(sid) or sid
        if sid in shared:
            m.add(seg.geometry, kind="bundle", stroke=BUNDLE, width=7, opacity=0.55, ident=sid)
        if diff:
            d = new.get(sid, 0) - own.get(sid, 0)
            col = FEWER if d < 0 else MORE if d > 0 else "#888"
            tip = f"{name} ({sid}): {own.get(sid, 0)}× → {new.get(sid, 0)}× geopend"
            m.add(seg.geometry, kind="segment", stroke=col, width=2.6 if d else 1.4, title=tip, ident=sid)
            continue
        n = opened.get(sid, 0)
        tip = f"{name} ({sid}): {n}× geopend" + (
            f"; bundel in {', '.join(sorted(shared[sid]))}" if sid in shared else ""
        )
        m.add(seg.geometry, kind="segment", stroke=colour(n) if n else "#888", width=2.6, title=tip, ident=sid)
    return m


def _totals(prog: Programme) -> tuple[int, int]:
    return sum(prog.openings("uncoordinated").values()), sum(prog.openings("programme").values())


def html(prog: Programme, streets: Sequence[Any], areas: Sequence[Any], *, title: str | None = None) -> str:
    title = title or "Programma: bundels op de kaart"
    segs = _segments(prog, streets)
    own, new = prog.openings("uncoordinated"), prog.openings("programme")
    tot_own, tot_new = _totals(prog)
    shared = prog.bundle_segments("programme")
    fewer = sum(1 for s in segs if new.get(s, 0) < own.get(s, 0))
    more = sum(1 for s in segs if new.get(s, 0) > own.get(s, 0))
    missing = len({s for p in prog.plans for s in p.segments} - segs.keys())
    bbox = bbox_of(s.geometry for s in segs.values())
    maps = [
        panel(prog, streets, areas, "uncoordinated", bbox=bbox),
        panel(prog, streets, areas, "programme", bbox=bbox),
        panel(prog, streets, areas, "programme", bbox=bbox, diff=True, width=800),
    ]
    legend_open = "".join(f'<span><i style="background:{c}"></i>{esc(label)}</span>' for c, label in class_labels())
    rows = sorted(segs, key=lambda s: (new.get(s, 0) - own.get(s, 0), s))[:25]
    body = [
        f"<h1>{esc(title)}</h1>",
        f'<p class="lead">Bundle map · {esc(Path(prog.source).name)} · horizon {prog.from_year}–{prog.to_year}</p>',
        kpis(
            [
                ("straatvakken met werk", num(len(segs))),
                ("straatopeningen ongecoördineerd", num(tot_own)),
                ("straatopeningen programma", num(tot_new)),
                ("verschil", pct((tot_new - tot_own) / tot_own if tot_own else None, signed=True)),
                ("straatvakken met een gedeelde sleuf", num(len(shared))),
            ]
        ),
        "<p>Een <b>straatopening</b> is een straatvak dat in een periode "
        f"({'kwartaal' if prog.bucket == 'quarter' else 'jaar'}) open ligt voor gravend werk. Links de eigen planning "
        "van alle partijen (ongecoördineerd), rechts het voorgestelde programma. Paars omrand: straatvakken waar "
        "twee of meer werken in dezelfde periode starten en één sleuf delen (een bundel). Grijs op de achtergrond: "
        "de overige straten en de buurtgrenzen uit de database.</p>",
        f'<div class="legend">{legend_open}<span><i style="background:{BUNDLE};opacity:.55"></i>bundel / shared trench'
        '</span><span><i style="background:#c8c8c8"></i>overige straten</span></div>',
        '<div class="two">',
        f"<div><h3>Ongecoördineerd / uncoordinated: {num(tot_own)} openingen"
        f'</h3><div class="figure">{maps[0].render(caption="ongecoördineerd")}</div></div>',
        f"<div><h3>Programma / programme: {num(tot_new)} openingen"
        f'</h3><div class="figure">{maps[1].render(caption="programma")}</div></div>',
        "</div>",
        "<h2>Verschil per straatvak / change per segment</h2>",
        f"<p>Groen: het programma opent het straatvak minder vaak ({num(fewer)} straatvakken); rood: vaker "
        f"({num(more)}); grijs: even vaak.</p>",
        f'<div class="legend"><span><i style="background:{FEWER}"></i>minder vaak open</span>'
        f'<span><i style="background:{MORE}"></i>vaker open'
        f'</span><span><i style="background:#888"></i>gelijk</span></div>',
        f'<div class="figure">{maps[2].render(caption="verschil")}</div>',
        "<h3>Grootste winst</h3>",
        table(
            ("straatvak", "straat", "ongecoördineerd", "programma", "verschil", "bundels (start)"),
            [
                (
                    s,
                    prog.street_names.get(s, "–"),
                    own.get(s, 0),
                    new.get(s, 0),
                    new.get(s, 0) - own.get(s, 0),
                    ", ".join(sorted(shared.get(s, ()))) or "–",
                )
                for s in rows
            ],
            numeric=(2, 3, 4),
        ),
    ]
    if missing:
        body.append(
            f'<p class="note">{missing} straatvakken van het programma'
            f" staan niet in de database en ontbreken op de kaart.</p>"
        )
    body.append(
        generated_line(f"Bron: {esc(Path(prog.source).name)}; straten en buurten uit de database (EPSG:28992).")
    )
    return page(title, "\n".join(body))


def write_html(prog: Programme, streets: Sequence[Any], areas: Sequence[Any], out: Path) -> Path:
    out.write_text(html(prog, streets, areas), encoding="utf-8")
    return out


def write_png(prog: Programme, streets: Sequence[Any], areas: Sequence[Any], out: Path) -> Path:
    """Three panels: uncoordinated, programme, change; bundle segments outlined."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.collections import LineCollection
    from matplotlib.lines import Line2D

    segs = _segments(prog, streets)
    bbox = bbox_of(s.geometry for s in segs.values())
    assert bbox is not None
    pad = 0.04 * max(bbox[2] - bbox[0], bbox[3] - bbox[1])
    box = shapely.box(bbox[0] - pad, bbox[1] - pad, bbox[2] + pad, bbox[3] + pad)
    back = [s.geometry for s in streets if s.geometry.intersects(box)]
    borders = [a.geometry.boundary for a in areas if a.geometry.intersects(box)]
    own, new = prog.openings("uncoordinated"), prog.openings("programme")
    tot_own, tot_new = _totals(prog)

    def lines(geoms: list[Any]) -> list[Any]:
        out = []
        for g in geoms:
            for part in getattr(g, "geoms", [g]):
                out.append(list(part.coords))
        return out

    fig, axes = plt.subplots(1, 3, figsize=(18, 7.2), dpi=110)
    panels = (
        ("uncoordinated", f"Ongecoördineerd: {num(tot_own)} openingen"),
        ("programme", f"Programma: {num(tot_new)} openingen"),
        ("diff", "Verschil per straatvak"),
    )
    for ax, (scenario, title) in zip(axes, panels, strict=True):
        ax.add_collection(LineCollection(lines(borders), colors="#9bb", linewidths=0.6, linestyles="dashed"))
        ax.add_collection(LineCollection(lines(back), colors="#cccccc", linewidths=0.4))
        shared = prog.bundle_segments("programme" if scenario == "diff" else scenario)
        ax.add_collection(
            LineCollection(
                lines([segs[s].geometry for s in segs if s in shared]), colors=BUNDLE, linewidths=5, alpha=0.5
            )
        )
        geoms, cols = [], []
        for sid, seg in segs.items():
            if scenario == "diff":
                d = new.get(sid, 0) - own.get(sid, 0)
                c = FEWER if d < 0 else MORE if d > 0 else "#888"
            else:
                n = (own if scenario == "uncoordinated" else new).get(sid, 0)
                c = colour(n) if n else "#888"
            for part in getattr(seg.geometry, "geoms", [seg.geometry]):
                geoms.append(list(part.coords))
                cols.append(c)
        ax.add_collection(LineCollection(geoms, colors=cols, linewidths=1.8))
        ax.set_xlim(box.bounds[0], box.bounds[2])
        ax.set_ylim(box.bounds[1], box.bounds[3])
        ax.set_aspect("equal")
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_title(title, fontsize=11, loc="left")
    handles = [Line2D([], [], color=c, lw=3, label=f"{label} geopend") for c, label in class_labels()]
    handles += [
        Line2D([], [], color=BUNDLE, lw=6, alpha=0.5, label="bundel (gedeelde sleuf)"),
        Line2D([], [], color=FEWER, lw=3, label="minder vaak open"),
        Line2D([], [], color=MORE, lw=3, label="vaker open"),
    ]
    fig.legend(handles=handles, loc="lower center", ncol=8, fontsize=8.5, frameon=False)
    fig.suptitle(
        f"Bundels en straatopeningen {prog.from_year}–{prog.to_year} ({Path(prog.source).name})", x=0.01, ha="left"
    )
    fig.subplots_adjust(left=0.01, right=0.99, top=0.9, bottom=0.08, wspace=0.03)
    fig.savefig(out)
    plt.close(fig)
    return out
