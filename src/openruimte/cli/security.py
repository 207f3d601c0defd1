"""``openruimte org``, ``user`` and ``token``: organisations at the programming
table, user accounts and API tokens. Run by a local admin with access to the
database; every change lands in the audit log as ``cli:<os user>``."""

from __future__ import annotations

import getpass
import sys
from typing import Annotated, Any

import typer
from rich.table import Table

from openruimte.cli._common import DbOption, _fail, _open, app, console
from openruimte.model import OpenRuimteError, OrganisationKind
from openruimte.model.access import Role

org_app = typer.Typer(help="Organisations and whether they sit at the programming table.", no_args_is_help=True)
user_app = typer.Typer(help="User accounts for the login page.", no_args_is_help=True)
token_app = typer.Typer(help="API tokens (Authorization: Bearer TOKEN).", no_args_is_help=True)
app.add_typer(org_app, name="org")
app.add_typer(user_app, name="user")
app.add_typer(token_app, name="token")


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


def _when(value: object) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value is not None else "-"  # type: ignore[attr-defined]


@org_app.command("add")
def org_add(
    code: Annotated[str, typer.Argument(help="Organisation code, e.g. gemeente-voorbeeldstad.")],
    name: Annotated[str, typer.Option("--name", help="Full name.")],
    kind: Annotated[OrganisationKind, typer.Option("--kind", help="Kind of organisation.")] = OrganisationKind.OVERIG,
    table: Annotated[
        bool,
        typer.Option("--table/--no-table", help="At the programming table: sees what others share (default yes)."),
    ] = True,
    db: DbOption = None,
) -> None:
    """Add (or update) an organisation."""
    from openruimte.store import security

    store = _open(db)
    try:
        security.add_org(store, code, name, str(kind), at_table=table, actor=_actor())
    except OpenRuimteError as err:
        raise _fail(str(err)) from None
    finally:
        store.close()
    where = "aan de programmeertafel / at the table" if table else "niet aan de tafel / not at the table"
    console.print(f"organisation {code} ({name}, {kind}): {where}", highlight=False)


@org_app.command("list")
def org_list(db: DbOption = None) -> None:
    """List the organisations."""
    from openruimte.store import security

    store = _open(db)
    try:
        rows = security.organisations(store)
    finally:
        store.close()
    table = Table(title="organisaties / organisations")
    for col in ("code", "name", "kind", "at table"):
        table.add_column(col)
    for r in rows:
        table.add_row(r["code"], r["name"], r["kind"], "yes" if r["at_table"] else "no")
    console.print(table)


@user_app.command("add")
def user_add(
    email: Annotated[str, typer.Argument(help="E-mail address (the login name).")],
    org: Annotated[str, typer.Option("--org", help="Organisation code.")],
    role: Annotated[Role, typer.Option("--role", help="viewer, editor, admin or coordinator.")] = Role.VIEWER,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input (for scripts).")
    ] = False,
    db: DbOption = None,
) -> None:
    """Add a user; the password is asked for (twice) or read from standard input."""
    from openruimte.store import security

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("Wachtwoord / password", hide_input=True, confirmation_prompt=True)
    store = _open(db)
    try:
        security.add_user(store, email, org, _role(role), password, actor=_actor())
    except OpenRuimteError as err:
        raise _fail(str(err)) from None
    finally:
        store.close()
    console.print(f"user {email.strip().lower()} added: {role} of {org}", highlight=False)


@user_app.command("password")
def user_password(
    email: Annotated[str, typer.Argument(help="E-mail address of the user.")],
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input (for scripts).")
    ] = False,
    db: DbOption = None,
) -> None:
    """Set a new password for a user; their open sessions end."""
    from openruimte.store import security

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("Nieuw wachtwoord / new password", hide_input=True, confirmation_prompt=True)
    store = _open(db)
    try:
        security.set_password(store, email, password, actor=_actor())
    except OpenRuimteError as err:
        raise _fail(str(err)) from None
    finally:
        store.close()
    console.print(f"password of {email.strip().lower()} changed; their sessions have ended", highlight=False)


@user_app.command("list")
def user_list(db: DbOption = None) -> None:
    """List the users (never their passwords: only argon2 hashes are stored)."""
    from openruimte.store import security

    store = _open(db)
    try:
        rows = security.users(store)
    finally:
        store.close()
    table = Table(title="gebruikers / users")
    for col in ("email", "org", "role", "last login"):
        table.add_column(col)
    for r in rows:
        table.add_row(r["email"], r["org"], r["role"], _when(r["last_login_at"]))
    console.print(table)


@token_app.command("create")
def token_create(
    org: Annotated[str, typer.Option("--org", help="Organisation code the token acts for.")],
    role: Annotated[Role, typer.Option("--role", help="viewer, editor, admin or coordinator.")] = Role.VIEWER,
    expires: Annotated[
        int | None, typer.Option("--expires", help="Days until the token expires (default: never).")
    ] = None,
    label: Annotated[str | None, typer.Option("--label", help="What the token is for, shown in the list.")] = None,
    db: DbOption = None,
) -> None:
    """Create an API token and print it once (only its SHA-256 hash is kept)."""
    from openruimte.store import security

    store = _open(db)
    try:
        token, token_id = security.create_token(
            store, org, _role(role), expires_days=expires, label=label, actor=_actor()
        )
    except OpenRuimteError as err:
        raise _fail(str(err)) from None
    finally:
        store.close()
    console.print(
        f"token {token_id} for {role} of {org}"
        + (f", expires in {expires} days" if expires else ", no expiry")
        + ". Bewaar het nu, het wordt niet nog eens getoond / keep it now, it is not shown again:",
        highlight=False,
    )
    print(token)  # plain stdout: scripts read it with $(...)


@token_app.command("list")
def token_list(db: DbOption = None) -> None:
    """List the tokens: id, first characters, organisation, role, expiry, last use, state."""
    from openruimte.store import security

    store = _open(db)
    try:
        rows = security.tokens(store)
    finally:
        store.close()
    table = Table(title="API-tokens")
    for col in ("id", "token", "org", "role", "label", "expires", "last used", "state"):
        table.add_column(col)
    for r in rows:
        table.add_row(
            str(r["id"]),
            r["prefix"] + "…",
            r["org"],
            r["role"],
            r["label"] or "",
            _when(r["expires_at"]),
            _when(r["last_used_at"]),
            r["state"],
        )
    console.print(table)


@token_app.command("revoke")
def token_revoke(
    token_id: Annotated[int, typer.Argument(help="The token's id (see `openruimte token list`).")],
    db: DbOption = None,
) -> None:
    """Revoke a token: it stops working at once."""
    from openruimte.store import security

    store = _open(db)
    try:
        security.revoke_token(store, token_id, actor=_actor())
    except OpenRuimteError as err:
        raise _fail(str(err)) from None
    finally:
        store.close()
    console.print(f"token {token_id} revoked")


def _role(role: Role) -> Any:
    from openruimte.model.access import Role as StoreRole

    return StoreRole(role.value)
