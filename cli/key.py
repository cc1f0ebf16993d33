"""``casetrail key``: make the key that encrypts a store at rest (CASETRAIL_KEY), and the keys that sign
its checkpoints (CASETRAIL_SIGNING_KEY)."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from casetrail.cli.context import store
from casetrail.domain.errors import BadInput
from casetrail.store.notes import ENV_SIGNING_KEY, Signer, parse_verifier
from casetrail.store.storage import ENV_KEY

app = typer.Typer(help=f"Make a key for encryption at rest (used from the {ENV_KEY} environment variable) or "
                       "for signing checkpoints.\n\n"
                       f"Example: export {ENV_KEY}=$(casetrail key new)",
                  no_args_is_help=True)


@app.command("new")
def new(
    signing: Annotated[bool, typer.Option("--signing", help="An Ed25519 key pair for signing checkpoints.")] = False,
    name: Annotated[Optional[str], typer.Option(
        "--name", help="With --signing: the signer's name, shown on every checkpoint it signs.")] = None,
) -> None:
    """Print a fresh random 256-bit AES key (base64) on stdout; advice goes to stderr. With --signing,
    an Ed25519 signing key (stdout) and its public key (stderr) to publish.

    Set it in the environment, never on the command line, before the store's first event:
    a store is encrypted from its first event or not at all. Keep it in a password manager:
    without it the store cannot be read by anyone, you included.

    Example: export CASETRAIL_KEY=$(casetrail key new)
    Example: export CASETRAIL_SIGNING_KEY=$(casetrail key new --signing --name aqtobe-desk)
    """
    if signing:
        signer = Signer.new(name or "")
        typer.echo(signer.text)
        typer.echo(f"public key (publish it; verify --trust takes it): {signer.verifier.text}\n"
                   f"Keep the signing key secret and set it with export {ENV_SIGNING_KEY}=...", err=True)
        return
    if name is not None:
        raise BadInput("--name goes with --signing: an encryption key has no name")
    from eventsourcing.cryptography import AESCipher  # imported only when a key is made

    typer.echo(AESCipher.create_key(32))
    typer.echo(f"Keep this key in a password manager: losing it loses the store. Use it with "
               f"export {ENV_KEY}=... (not as an option, so it stays out of shell history).", err=True)


@app.command("trust")
def trust(
    ctx: typer.Context,
    public_key: Annotated[str, typer.Argument(metavar="PUBKEY", help="NAME+KEYID+BASE64, as 'key new --signing' "
                                                                     "printed it.")],
) -> None:
    """List a public key in the store: verify then checks every checkpoint's signature against it.
    (Whoever can write the database can list their own too: a checker with a key of their own
    gives it with verify --trust.)

    Example: casetrail key trust aqtobe-desk+1a2b3c4d+AU3x...
    """
    verifier = parse_verifier(public_key)
    store(ctx).trust(verifier)
    typer.echo(f"trusted {verifier.name}")
