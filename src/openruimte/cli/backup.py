"""Commands: ``backup OUT`` and ``restore IN`` (every table, any engine to any engine)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from openruimte.cli._common import DbOption, _fail, _open, app, console, err_console


@app.command()
def backup(
    out: Annotated[Path, typer.Argument(help="Archive to write (.zip).")],
    db: DbOption = None,
) -> None:
    """Back up every table (audit log and geometry included) to an engine-independent archive."""
    from rich.progress import Progress

    from openruimte.store.backup import backup as run

    store = _open(db)
    try:
        with Progress(console=err_console, transient=True) as bar:
            task = bar.add_task("back-up", total=None)
            counts = run(store, out, progress=lambda name, n: bar.update(task, description=name, completed=n))
    except OSError as err:
        raise _fail(f"cannot write {out}: {err.strerror or err}") from None
    finally:
        store.close()
    console.print(f"backed up {sum(counts.values())} rows of {len(counts)} tables to {out}")


@app.command()
def restore(
    archive: Annotated[Path, typer.Argument(help="Archive made by `openruimte backup`.")],
    db: DbOption = None,
    force: Annotated[bool, typer.Option("--force", help="Replace the data of a database that is not empty.")] = False,
) -> None:
    """Restore an archive into an empty database (all or nothing)."""
    from rich.progress import Progress

    from openruimte.store.backup import BackupError
    from openruimte.store.backup import restore as run

    if not archive.is_file():
        raise _fail(f"no such file: {archive}")
    store = _open(db)
    try:
        with Progress(console=err_console, transient=True) as bar:
            task = bar.add_task("restore", total=None)
            counts = run(
                store, archive, force=force, progress=lambda n_, n: bar.update(task, description=n_, completed=n)
            )
    except BackupError as err:
        raise _fail(str(err)) from None
    finally:
        store.close()
    console.print(f"restored {sum(counts.values())} rows of {len(counts)} tables from {archive}")
