"""``user``: the web app's accounts (``casetrail serve``): add, list, disable, and API tokens."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from casetrail.cli.context import store
from casetrail.cli.render import JsonFlag, emit_json, print_rows
from casetrail.domain.errors import BadInput

app = typer.Typer(help="The web app's accounts: viewers read, editors record, admins also import and manage.\n\n"
                       "Example: casetrail user add aigerim --role editor", no_args_is_help=True)

Name = Annotated[str, typer.Argument(help="The user's name: lower-case letters, digits, '.', '_' or '-'.")]


def _accounts(ctx: typer.Context):
    # Imported here: the web app's libraries load only for the commands that need them.
    from casetrail.projections.engines import engines
    from casetrail.web.accounts import Accounts

    reader, writer = engines(store(ctx).store)
    return Accounts(reader, writer)


@app.command()
def add(ctx: typer.Context, name: Name,
        role: Annotated[str, typer.Option("--role", help="viewer, editor or admin.")] = "viewer",
        password_stdin: Annotated[bool, typer.Option("--password-stdin",
                                                     help="Read the password from the first line of stdin.")] = False,
        ) -> None:
    """Add a user of the web app; the password is asked for (twice) unless given on stdin.

    Example: casetrail user add aigerim --role editor
    """
    from casetrail.web.accounts import ROLES, check_name, check_password

    check_name(name)
    if role not in ROLES:
        raise BadInput(f"--role '{role}' is not one of: {', '.join(ROLES)}")
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("password", hide_input=True, confirmation_prompt=True)
    check_password(password)
    _accounts(ctx).add(name, role, password)
    typer.echo(f"added {name} ({role})")


@app.command("list")
def list_(ctx: typer.Context, json: JsonFlag = False) -> None:
    """Every user with their role, and whether they are disabled.

    Example: casetrail user list
    """
    users = _accounts(ctx).listed()
    if json:
        emit_json({"users": users})
        return
    print_rows(f"{len(users)} {'user' if len(users) == 1 else 'users'}", ["name", "role", "disabled", "created"],
               [[u["name"], u["role"], "yes" if u["disabled"] else "", u["created"]] for u in users])


@app.command()
def disable(ctx: typer.Context, name: Name) -> None:
    """Disable a user: their sessions end at once, their password and tokens stop working.

    Example: casetrail user disable aigerim
    """
    _accounts(ctx).disable(name)
    typer.echo(f"disabled {name}; their sessions and tokens are ended")


@app.command()
def token(ctx: typer.Context, name: Name) -> None:
    """A new API token for the user (Authorization: Bearer TOKEN), shown this once: only its hash is kept.

    Example: casetrail user token aigerim
    """
    typer.echo(_accounts(ctx).new_token(name))
