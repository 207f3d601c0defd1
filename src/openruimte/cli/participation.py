"""``openruimte reactions`` and ``openruimte volumes``: residents' reactions (requests under the AVG/GDPR,
moderation, retention) and plans' 3D attributes (#16)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from openruimte.cli._common import DbOption, _fail, _open, app, console

reactions_app = typer.Typer(help="Residents' reactions on public plans: list, export and delete on request, purge.")
app.add_typer(reactions_app, name="reactions")


def _rules(retention_days: int | None):  # noqa: ANN202
    from openruimte.services.participation import Rules

    return Rules.from_env(retention_days=retention_days)


@reactions_app.command("list")
def reactions_list(
    status: Annotated[str | None, typer.Option("--status", help="pending, approved, rejected or hidden.")] = None,
    db: DbOption = None,
) -> None:
    """Every reaction with its plan, status and reports (newest first); e-mail addresses are not shown."""
    from openruimte.model.access import SYSTEM
    from openruimte.services.participation import moderation_list
    from openruimte.store.permissions import View

    if status is not None and status not in ("pending", "approved", "rejected", "hidden"):
        raise _fail(f"--status must be pending, approved, rejected or hidden, got '{status}'")
    with _open(db) as store:
        found = moderation_list(View(store, SYSTEM), status)
    out = Table(title=f"Reacties / reactions ({len(found)})")
    for col in ("id", "plan", "status", "reports", "created", "text"):
        out.add_column(col, overflow="fold")
    for r in found:
        out.add_row(str(r["id"]), r["plan"], r["status"], str(r["reports"]), r["created_at"][:16], r["text"][:120])
    console.print(out)


@reactions_app.command("export")
def reactions_export(
    email: Annotated[str, typer.Option("--email", help="The resident's e-mail address (their request).")],
    out: Annotated[Path | None, typer.Option("--out", help="Write the JSON here instead of printing it.")] = None,
    db: DbOption = None,
) -> None:
    """Everything kept of the reactions that hold this e-mail address (a resident's request for their data)."""
    from openruimte.services.participation import export_by_email

    with _open(db) as store:
        found = export_by_email(store, email)
    text = json.dumps({"email": email, "reactions": found}, ensure_ascii=False, indent=2)
    if out is None:
        typer.echo(text)
    else:
        out.write_text(text, encoding="utf-8")
        console.print(f"{len(found)} reactions written to {out}")


@reactions_app.command("delete")
def reactions_delete(
    email: Annotated[str, typer.Option("--email", help="The resident's e-mail address (their request).")],
    db: DbOption = None,
) -> None:
    """Delete every reaction that holds this e-mail address (logged in the audit log without the address)."""
    import getpass

    from openruimte.services.participation import delete_by_email

    with _open(db) as store:
        n = delete_by_email(store, email, actor=f"cli:{getpass.getuser()}")
    console.print(f"{n} reactions deleted")


@reactions_app.command("purge")
def reactions_purge(
    retention_days: Annotated[
        int | None, typer.Option("--retention-days", min=1, help="Override OPENRUIMTE_REACTION_RETENTION_DAYS.")
    ] = None,
    db: DbOption = None,
) -> None:
    """Erase personal data past its time now (the server also does this with every new reaction)."""
    from openruimte.services.participation import purge

    with _open(db) as store:
        done = purge(store, _rules(retention_days), actor="cli")
    console.print(f"erased: {done['emails']} e-mail addresses, {done['ip_hashes']} IP hashes")


@app.command()
def volumes(
    file: Annotated[Path, typer.Argument(help="CSV or JSON: plan (OWNER:ID), height_m, storeys, depth_m, width_m.")],
    db: DbOption = None,
) -> None:
    """Set plans' 3D attributes (planned height or storeys, trench depth and width) from a file, all or nothing."""
    import getpass

    from openruimte.model import InputError
    from openruimte.services.twin import read_volumes, save_volumes

    try:
        found = read_volumes(file)
    except InputError as err:
        raise _fail(str(err)) from None
    with _open(db) as store:
        known = {(p.owner, p.id) for p in store.plans()}
        missing = [f"{o}:{i}" for o, i in found if (o, i) not in known]
        if missing:
            raise _fail(f"{file.name}: no such plans in the store: {', '.join(missing[:10])}")
        save_volumes(store, found, actor=f"cli:{getpass.getuser()}")
    console.print(f"{len(found)} plan volumes set from {file.name}")
