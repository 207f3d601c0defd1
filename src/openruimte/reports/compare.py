"""Two scenarios side by side: the metrics of both programmes and their baselines,
budget use per owner and year, the plans whose period differs, and the settings
and weights that differ."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from openruimte.reports._html import esc, eur, generated_line, num, page, pct, table
from openruimte.reports.programme import SCENARIO_NL, SCENARIOS, Programme

#: (metric key, Dutch label, unit kind): lower is better for all of them
METRICS = (
    ("street_openings", "straatopeningen (straatvak × periode)", "n"),
    ("disruption_days", "hinderdagen (straatvak × dag)", "n"),
    ("cost_eur", "kosten totaal", "eur"),
    ("civil_cost_eur", "graaf- en straatwerk", "eur"),
    ("bundling_saving_eur", "besparing door bundelen", "eur+"),
    ("no_dig_violations", "graafrust-schendingen", "n"),
    ("no_dig_avoidable", "waarvan vermijdbaar", "n"),
    ("budget_overruns", "budgetoverschrijdingen (eigenaar-jaar)", "len"),
    ("window_violations", "buiten het venster", "len"),
    ("moved", "verschoven werken", "n"),
)


#: top-level keys of programme.json that describe the scenario, compared when present
EXTRA_SETTINGS = ("weights", "preset", "budgets_file", "scenario")


def _value(m: Mapping[str, Any], key: str, kind: str) -> float | None:
    v = m.get(key)
    if kind == "len":
        return float(len(v)) if isinstance(v, list) else None
    return float(v) if isinstance(v, (int, float)) else None


def _fmt(v: float | None, kind: str) -> str:
    return eur(v) if kind.startswith("eur") else num(v)


def flatten(d: Any, prefix: str = "") -> dict[str, Any]:
    """Nested settings as dotted keys."""
    if not isinstance(d, Mapping):
        return {prefix: d}
    out: dict[str, Any] = {}
    for k, v in d.items():
        key = f"{prefix}.{k}" if prefix else str(k)
        if isinstance(v, Mapping) and v:
            out.update(flatten(v, key))
        else:
            out[key] = v
    return out


def metrics_table(a: Programme, b: Programme, la: str, lb: str) -> str:
    heads = ["maatstaf"]
    cols: list[tuple[Programme, str]] = []
    for prog, label in ((a, la), (b, lb)):
        for s in SCENARIOS:
            if s in prog.metrics:
                heads.append(f"{label}:\n{SCENARIO_NL[s].lower()}")
                cols.append((prog, s))
    heads.append(f"{lb} − {la}\n(programma)")
    rows, classes = [], []
    for key, label, kind in METRICS:
        vals = [_value(p.metrics[s], key, kind) for p, s in cols]
        if all(v is None for v in vals):
            continue
        va = _value(a.metrics.get("programme", {}), key, kind)
        vb = _value(b.metrics.get("programme", {}), key, kind)
        if va is None or vb is None:
            diff = "–"
        else:
            d = vb - va
            better = d > 0 if kind == "eur+" else d < 0
            rel = f" ({pct(d / va, signed=True)})" if va else ""
            klass = "better" if better else "worse" if d else ""
            diff = f'<span class="{klass}">{"+" if d > 0 else ""}{_fmt(d, kind)}{rel}</span>'
        rows.append([label, *(_fmt(v, kind) for v in vals), diff])
        classes.append("")
    gaps = [p.data.get("solver", {}).get("gap") for p, s in cols]
    rows.append(
        [
            "optimaliteitsgat solver",
            *(pct(g, 2) if s == "programme" and g is not None else "–" for g, (_, s) in zip(gaps, cols, strict=True)),
            "",
        ]
    )
    return table(heads, rows, numeric=range(1, len(heads)), raw=(len(heads) - 1,))


def budget_table(a: Programme, b: Programme, la: str, lb: str) -> str:
    """Spend per owner and year under both programmes, against the budget where one is set."""
    ua = a.metrics.get("programme", {}).get("budget_use", {})
    ub = b.metrics.get("programme", {}).get("budget_use", {})
    owners = sorted(set(ua) | set(ub))
    if not owners:
        return "<p>De programma's bevatten geen budgetgebruik.</p>"
    years = sorted({y for u in (ua, ub) for o in u.values() for y in o}, key=int)
    rows = []
    for owner in owners:
        for label, use, prog in ((la, ua, a), (lb, ub, b)):
            per = use.get(owner, {})
            budget = prog.data.get("budgets", {}).get(owner, {}).get("per_year", {})
            cells = []
            for y in years:
                spend = per.get(y, {}).get("spend")
                cap = per.get(y, {}).get("budget", budget.get(y))
                if spend is None:
                    cells.append("–")
                    continue
                text = num(spend / 1000) if spend else "0"
                over = cap is not None and spend > cap + 0.5
                cells.append(f'<span class="worse">{text}</span>' if over else text)
            rows.append([owner, label, *cells])
    note = (
        '<p class="note">Uitgaven in duizenden euro per jaar (k€); <span class="worse">rood</span>: boven het '
        "budget van die eigenaar in dat jaar.</p>"
    )
    return note + table(
        ["eigenaar", "scenario", *years], rows, numeric=range(2, len(years) + 2), raw=range(2, len(years) + 2)
    )


def differing_plans(a: Programme, b: Programme, la: str, lb: str, limit: int = 300) -> str:
    pa, pb = a.by_key(), b.by_key()
    both = sorted(pa.keys() & pb.keys())
    diff = [k for k in both if (pa[k].start, pa[k].end) != (pb[k].start, pb[k].end)]
    only_a, only_b = sorted(pa.keys() - pb.keys()), sorted(pb.keys() - pa.keys())
    parts = [
        f"<p>{num(len(diff))} van de {num(len(both))} werken in beide scenario's hebben een andere periode."
        + (f" Alleen in {esc(la)}: {num(len(only_a))}." if only_a else "")
        + (f" Alleen in {esc(lb)}: {num(len(only_b))}." if only_b else "")
        + "</p>"
    ]
    rows = []
    for k in diff[:limit]:
        x, y = pa[k], pb[k]
        shift = (y.start - x.start).days
        rows.append(
            (
                k,
                x.name,
                x.owner,
                x.period or a.label(a.bucket_of(x.start)),
                y.period or b.label(b.bucket_of(y.start)),
                f"{'+' if shift > 0 else ''}{num(shift)}",
                f"{x.own_start:%Y-%m}",
            )
        )
    if rows:
        parts.append(
            table(
                ("werk", "naam", "eigenaar", f"periode {la}", f"periode {lb}", "verschil (dagen)", "eigen start"),
                rows,
                numeric=(5,),
            )
        )
    if len(diff) > limit:
        parts.append(f'<p class="note">De eerste {limit} van {len(diff)} werken.</p>')
    return "".join(parts)


def differing_settings(a: Programme, b: Programme, la: str, lb: str) -> str:
    fa, fb = (
        flatten({"settings": p.settings, **{k: p.data[k] for k in EXTRA_SETTINGS if k in p.data}}) for p in (a, b)
    )
    keys = sorted(k for k in fa.keys() | fb.keys() if fa.get(k) != fb.get(k))
    if not keys:
        return "<p>De instellingen en gewichten van beide scenario's zijn gelijk.</p>"
    return table(("instelling", la, lb), [(k, _show(fa.get(k)), _show(fb.get(k))) for k in keys])


def _show(v: Any) -> str:
    if v is None:
        return "–"
    if isinstance(v, float):
        return num(v, 2 if v % 1 else 0)
    if isinstance(v, (list, tuple)):
        return ", ".join(map(str, v)) or "–"
    return str(v)


def html(a: Programme, b: Programme, la: str = "A", lb: str = "B") -> str:
    title = f"Scenario's naast elkaar: {la} en {lb}"
    body = [
        f"<h1>{esc(title)}</h1>",
        f'<p class="lead">Scenarios side by side · {esc(la)} = {esc(Path(a.source).name)}, {esc(lb)} = '
        f"{esc(Path(b.source).name)} · horizon {a.from_year}–{a.to_year} en {b.from_year}–{b.to_year}</p>",
        "<h2>Uitkomsten / metrics</h2>",
        "<p>Per scenario het voorgestelde programma en de twee vergelijkingen uit dezelfde berekening: "
        "ongecoördineerd (ieder werk op de eigen planning) en gretig bundelen. Lager is beter, behalve bij de "
        'besparing; in de laatste kolom <span class="better">groen</span> waar '
        f"{esc(lb)} beter is dan {esc(la)}.</p>",
        metrics_table(a, b, la, lb),
        "<h2>Instellingen en gewichten die verschillen / settings</h2>",
        differing_settings(a, b, la, lb),
        "<h2>Budgetgebruik per eigenaar en jaar / budget use</h2>",
        budget_table(a, b, la, lb),
        "<h2>Werken met een andere periode / plans that moved</h2>",
        differing_plans(a, b, la, lb),
        generated_line(f"Bronnen: {esc(a.source)}, {esc(b.source)}."),
    ]
    return page(title, "\n".join(body))


def write_html(a: Programme, b: Programme, out: Path, la: str = "A", lb: str = "B") -> Path:
    out.write_text(html(a, b, la, lb), encoding="utf-8")
    return out
