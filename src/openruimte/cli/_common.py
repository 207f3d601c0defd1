"""What every command module shares: the Typer app, consoles, ``--db`` and errors."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

app = typer.Typer(
    name="openruimte",
    help="OpenRuimte: shared information environment for integral programming of works in public space.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console(soft_wrap=True)
err_console = Console(stderr=True, soft_wrap=True)

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db", help="Database: a SQLite file path or a URL (default: $OPENRUIMTE_DATABASE_URL or openruimte.db)."
    ),
]


def _open(db: str | None):  # noqa: ANN202 - Store, imported lazily
    from openruimte.services.hooks import subscribe
    from openruimte.store import Store

    subscribe()  # plan changes notify partners (a store write hook)
    try:
        return Store.open(db)
    except Exception as err:  # any engine error: say which database and why
        from openruimte.store import database_url

        raise typer.BadParameter(f"cannot open the database {database_url(db)}: {err}", param_hint="--db") from None


def _fail(message: str, code: int = 1) -> typer.Exit:
    err_console.print(f"[bold red]error:[/] {message}", highlight=False)
    return typer.Exit(code)
