"""The trade-off plot and table of ``openruimte plan --sweep``: street openings, cost and
disruption days of the programme and both baselines per value of the swept setting."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path
from typing import Any

SERIES = (
    ("programme", "programma / programme", "-o"),
    ("uncoordinated", "ongecoördineerd / uncoordinated", "--s"),
    ("enforced", "ongecoördineerd, graafrust gehandhaafd / enforced", ":^"),
)
PANELS = (
    ("street_openings", "straatopeningen / street openings", 1.0),
    ("cost_eur", "kosten / cost (M€)", 1e-6),
    ("disruption_days", "hinderdagen / disruption days (x1000)", 1e-3),
)


def write_table(rows: Sequence[dict[str, Any]], path: Path) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    return path


def write_plot(rows: Sequence[dict[str, Any]], name: str, prefix: Path) -> list[Path]:
    """``prefix``.png and ``prefix``.svg: one panel per measure, a line per programme."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    xs = [r[name] for r in rows]
    fig, axes = plt.subplots(1, len(PANELS), figsize=(13, 4), constrained_layout=True)
    for ax, (key, title, scale) in zip(axes, PANELS, strict=True):
        for prog, label, style in SERIES:
            ax.plot(xs, [r[f"{prog}.{key}"] * scale for r in rows], style, label=label)
        ax.set_title(title, fontsize=10)
        ax.set_xlabel(name)
        ax.set_xticks(xs)
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=8)
    fig.suptitle(f"Wat flexibiliteit oplevert / what flexibility buys ({name})", fontsize=11)
    out = [prefix.with_suffix(".png"), prefix.with_suffix(".svg")]
    for p in out:
        fig.savefig(p, dpi=110)
    plt.close(fig)
    return out
