"""``casetrail key``: make the key that encrypts a store at rest (set it as CASETRAIL_KEY)."""

from __future__ import annotations

import typer

from casetrail.store.storage import ENV_KEY

app = typer.Typer(help=f"Make a key for encryption at rest (used from the {ENV_KEY} environment variable).\n\n"
                       f"Example: export {ENV_KEY}=$(casetrail key new)",
                  no_args_is_help=True)


@app.command("new")
def new() -> None:
    """Print a fresh random 256-bit AES key (base64) on stdout; advice goes to stderr.

    Set it in the environment, never on the command line, before the store's first event:
    a store is encrypted from its first event or not at all. Keep it in a password manager:
    without it the store cannot be read by anyone, you included.

    Example: export CASETRAIL_KEY=$(casetrail key new)
    """
    from eventsourcing.cryptography import AESCipher  # imported only when a key is made

    typer.echo(AESCipher.create_key(32))
    typer.echo(f"Keep this key in a password manager: losing it loses the store. Use it with "
               f"export {ENV_KEY}=... (not as an option, so it stays out of shell history).", err=True)
