"""Commands: ``notifications`` (the feed of an organisation) and ``webhook add|list|deliver``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from openruimte.cli._common import DbOption, _fail, _open, app, console

webhook_app = typer.Typer(help="Webhooks: notifications POSTed as signed JSON (HMAC-SHA256), retried with backoff.")
app.add_typer(webhook_app, name="webhook")

OrgOption = Annotated[str, typer.Option("--org", help="Organisation code.")]


@app.command()
def notifications(
    org: OrgOption,
    db: DbOption = None,
    since: Annotated[int, typer.Option("--since", help="Only notifications with a larger id.", min=0)] = 0,
    limit: Annotated[int, typer.Option("--limit", help="At most this many.", min=1, max=1000)] = 100,
) -> None:
    """Change notifications of an organisation: plans that couple or conflict with its plans changed."""
    from openruimte.model.access import UNDISCLOSED
    from openruimte.store.notifications import notifications as feed

    store = _open(db)
    try:
        items = feed(store, org, since=since, limit=limit, admin=True)  # the operator of the database
    finally:
        store.close()
    if not items:
        console.print(f"geen meldingen voor {org} / no notifications (since {since})")
        return
    console.print(f"[bold]Meldingen / notifications: {org}[/]")
    for n in items:
        console.print(
            f"#{n['id']} {n['created_at'][:19]}  {n['plan_key'] or f'({UNDISCLOSED} / undisclosed)'}  "
            f"[{', '.join(n['change'])}]  uw plannen / yours: {', '.join(n['related'])}",
            highlight=False,
        )
        console.print(f"    {n['message']}", highlight=False, markup=False)
    console.print(f"volgende / next: --since {items[-1]['id']}")


@webhook_app.command("add")
def webhook_add(
    org: OrgOption,
    url: Annotated[str, typer.Argument(help="https URL (http only to 127.0.0.1/localhost).")],
    db: DbOption = None,
    secret_file: Annotated[
        Path | None,
        typer.Option("--secret-file", help="File holding the signing secret (default: a new one, printed once)."),
    ] = None,
) -> None:
    """Register a webhook for an organisation's notifications."""
    from openruimte.model import OpenRuimteError
    from openruimte.notify.webhooks import add_webhook
    from openruimte.settings import Settings

    secret = None
    if secret_file is not None:
        try:
            secret = secret_file.read_text(encoding="utf-8").strip()
        except OSError as err:
            raise _fail(f"cannot read the secret file {secret_file}: {err.strerror}") from None
    store = _open(db)
    try:
        pk, secret = add_webhook(store, org, url, secret=secret, allow_insecure=Settings().webhook_allow_insecure)
    except OpenRuimteError as err:
        raise _fail(str(err)) from None
    finally:
        store.close()
    console.print(f"webhook {pk} for {org}: {url}")
    if secret_file is None:
        console.print(f"secret (shown once; verify X-OpenRuimte-Signature with it): {secret}", highlight=False)


@webhook_app.command("list")
def webhook_list(
    db: DbOption = None,
    org: Annotated[str | None, typer.Option("--org", help="Only this organisation.")] = None,
) -> None:
    """Webhooks and their deliveries (attempts, status)."""
    from openruimte.store.notifications import deliveries, webhooks

    store = _open(db)
    try:
        hooks, sent = webhooks(store, org), deliveries(store, org)
    finally:
        store.close()
    if not hooks:
        console.print("geen webhooks / no webhooks")
    for h in hooks:
        mine = [d for d in sent if d["webhook_pk"] == h["pk"]]
        counts = {s: sum(d["status"] == s for d in mine) for s in ("pending", "delivered", "failed")}
        state = ", ".join(f"{n} {s}" for s, n in counts.items())
        console.print(f"webhook {h['pk']}  {h['org']}  {h['url']}  ({state})", highlight=False)


@webhook_app.command("deliver")
def webhook_deliver(
    db: DbOption = None,
    max_attempts: Annotated[int, typer.Option("--max-attempts", help="Attempts before giving up.", min=1)] = 6,
    backoff: Annotated[float, typer.Option("--backoff", help="Seconds before the 2nd attempt (doubles).", min=0)] = 30,
) -> None:
    """Send the webhook deliveries that are due now (the server does this itself every few seconds)."""
    from openruimte.notify.webhooks import Policy, deliver_due

    store = _open(db)
    try:
        run = deliver_due(store, Policy(max_attempts=max_attempts, backoff_s=backoff), limit=10_000)
    finally:
        store.close()
    console.print(f"sent {run.sent}: {run.delivered} delivered, {run.retrying} to retry later, {run.failed} given up")
