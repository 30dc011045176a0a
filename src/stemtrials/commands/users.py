"""``stemtrials user …``: accounts (reader, curator, admin), their passwords and API tokens.

Whoever can run the CLI on the database is its administrator, so these commands need no account; each change is
written to the audit log as ``cli:<OS user>``.
"""

from __future__ import annotations

import getpass
import json
import sys
from enum import StrEnum
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import Engine

from ..store import accounts

users_app = typer.Typer(help="Accounts for curation: add, list, set a role or password, issue or revoke API tokens.",
                        no_args_is_help=True)
err = Console(stderr=True)


class RoleName(StrEnum):
    reader = "reader"
    curator = "curator"
    admin = "admin"


def _engine() -> Engine:
    from ..cli import _engine as open_cli_engine  # the --db of the main command

    return open_cli_engine()


def _actor() -> str:
    return f"cli:{getpass.getuser()}"


def _fail(exc: Exception) -> typer.Exit:
    err.print(f"[red]error:[/] {exc}", highlight=False)
    return typer.Exit(1)


def _read_password(from_stdin: bool) -> str | None:
    """The new password: stdin's first line with --password-stdin; a prompt (typed twice) on a terminal; else none."""
    if from_stdin:
        line = sys.stdin.readline()
        password = line.rstrip("\r\n")
        if not password:
            err.print("[red]error:[/] --password-stdin: no password on standard input", highlight=False)
            raise typer.Exit(2)
        return password
    if sys.stdin.isatty():
        return typer.prompt("Password", hide_input=True, confirmation_prompt=True)  # type: ignore[no-any-return]
    return None


@users_app.command("add")
def add(
    name: Annotated[str, typer.Argument(metavar="NAME", help="Account name (letters, digits, . _ @ -).")],
    role: Annotated[RoleName, typer.Option("--role", help="reader, curator or admin.")],
    password_stdin: Annotated[bool, typer.Option(
        "--password-stdin", help="Read the password from standard input (its first line).")] = False,
) -> None:
    """Add an account. Asks for a password on a terminal; without one the account can only use API tokens."""
    password = _read_password(password_stdin)
    try:
        account = accounts.create_user(_engine(), name, role.value, password, _actor())
    except accounts.AccountError as exc:
        raise _fail(exc) from exc
    typer.echo(f"added {account.name} ({account.role})" + ("" if password else
                                                          "; no password: it can sign in with API tokens only"))


@users_app.command("list")
def list_users(as_json: Annotated[bool, typer.Option("--json", help="Print JSON (with token ids).")] = False) -> None:
    """List the accounts: role, whether a password is set, active API tokens."""
    users = accounts.list_users(_engine())
    if as_json:
        typer.echo(json.dumps(users, ensure_ascii=False, indent=2))
        return
    table = Table("name", "role", "password", "active token ids", "created", box=None, title_justify="left")
    for u in users:
        table.add_row(u["name"], u["role"], "yes" if u["password"] else "no",
                      ", ".join(str(t["id"]) for t in u["tokens"] if t["revoked_at"] is None) or "—", u["created_at"])
    Console().print(table) if users else typer.echo("no accounts")


@users_app.command("token")
def token(
    name: Annotated[str, typer.Argument(metavar="NAME", help="Account name.")],
    revoke: Annotated[Optional[int], typer.Option(  # noqa: UP045 — typer needs Optional
        "--revoke", metavar="TOKEN_ID", help="Revoke this token of the account instead of issuing one.")] = None,
) -> None:
    """Issue a new API token for the account (printed once: store it now), or revoke one by its id."""
    engine = _engine()
    try:
        if revoke is not None:
            accounts.revoke_token(engine, name, revoke, _actor())
            typer.echo(f"revoked token {revoke} of {name}")
            return
        token_id, secret = accounts.issue_token(engine, name, _actor())
    except accounts.AccountError as exc:
        raise _fail(exc) from exc
    err.print(f"token {token_id} for {name} — shown only now; send it as 'Authorization: Bearer <token>':",
              highlight=False)
    typer.echo(secret)


@users_app.command("role")
def role(name: Annotated[str, typer.Argument(metavar="NAME", help="Account name.")],
         new_role: Annotated[RoleName, typer.Argument(metavar="ROLE", help="reader, curator or admin.")]) -> None:
    """Change an account's role (takes effect at once, for its tokens and web sessions)."""
    try:
        account = accounts.set_role(_engine(), name, new_role.value, _actor())
    except accounts.AccountError as exc:
        raise _fail(exc) from exc
    typer.echo(f"{account.name} is now {account.role}")


@users_app.command("password")
def password(
    name: Annotated[str, typer.Argument(metavar="NAME", help="Account name.")],
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="Read it from standard input.")] = False,
) -> None:
    """Set an account's password (its open web sessions end)."""
    new = _read_password(password_stdin)
    if new is None:
        err.print("[red]error:[/] no password: run on a terminal, or pass --password-stdin", highlight=False)
        raise typer.Exit(2)
    try:
        accounts.set_password(_engine(), name, new, _actor())
    except accounts.AccountError as exc:
        raise _fail(exc) from exc
    typer.echo(f"password of {name} changed")
