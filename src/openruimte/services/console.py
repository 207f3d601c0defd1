"""What the use cases show on a console (rich): shared by the CLI and the demo."""

from __future__ import annotations

from rich.table import Table


def info_table(counts: dict) -> Table:  # type: ignore[type-arg]
    table = Table(title="OpenRuimte: inhoud / contents")
    table.add_column("category")
    table.add_column("owner / group")
    table.add_column("count", justify="right")
    for category, counter in counts.items():
        if not counter:
            table.add_row(category, "-", "0")
        for i, (key, n) in enumerate(sorted(counter.items())):
            table.add_row(category if i == 0 else "", key, f"{n:,}")
    return table
