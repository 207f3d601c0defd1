"""``openruimte audit``: the append-only log of every write, newest first."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from rich.table import Table

from openruimte.cli._common import DbOption, _fail, _open, app, console


def _changes(entry: dict[str, Any]) -> str:
    """``field: before -> after`` per changed field (inserts and deletes: the fields given)."""
    before, after = entry.get("before") or {}, entry.get("after") or {}
    fields = sorted(set(before) | set(after))
    parts = []
    for f in fields:
        if f == "geometry":
            parts.append("geometry")
            continue
        b, a = before.get(f), after.get(f)
        parts.append(f"{f}: {json.dumps(b, ensure_ascii=False)} -> {json.dumps(a, ensure_ascii=False)}")
    return "; ".join(parts)


@app.command()
def audit(
    plan: Annotated[str | None, typer.Option("--plan", help="Only this plan: OWNER:ID.")] = None,
    table: Annotated[str | None, typer.Option("--table", help="Only this table (plans, assets, users, ...).")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="At most this many entries (newest first).")] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="Print the entries as JSON lines.")] = False,
    db: DbOption = None,
) -> None:
    """The audit log: who changed what and when, with before and after values (newest first)."""
    if plan is not None and ":" not in plan:
        raise _fail(f"--plan expects OWNER:ID (the plan's global key), got '{plan}'")
    with _open(db) as store:
        entries = store.audit(table="plans" if plan else table, key=plan, limit=limit)
    if as_json:
        for e in entries:
            typer.echo(json.dumps(e, default=str, ensure_ascii=False))
        return
    if not entries:
        console.print("geen wijzigingen gevonden / no changes found")
        return
    out = Table(title=f"Audit log{' of ' + plan if plan else ''} ({len(entries)} newest)")
    for col in ("when", "who", "action", "record", "version", "changes"):
        out.add_column(col, overflow="fold")
    for e in entries:
        out.add_row(
            str(e["at"])[:19],
            e["actor"] or "",
            e["action"],
            f"{e['table_name']} {e['record_key']}",
            "" if e["version"] is None else str(e["version"]),
            _changes(e),
        )
    console.print(out)
