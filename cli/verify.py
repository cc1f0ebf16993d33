"""``verify``, ``checkpoint`` and ``prove``: prove the store was not altered behind casetrail's back."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Optional

import typer

from casetrail.cli.context import list_rules, store
from casetrail.cli.render import JsonFlag, emit_json, progress
from casetrail.domain.errors import BadInput
from casetrail.domain.words import counted
from casetrail.store.notes import ENV_SIGNING_KEY, Checkpoint, parse_checkpoint, parse_signer, parse_verifier
from casetrail.store.proofs import check_proof
from casetrail.store.verify import Break

Trust = Annotated[Optional[list[str]], typer.Option(
    "--trust", metavar="PUBKEY", help="A public key (NAME+KEYID+BASE64, as 'key new --signing' printed it) whose "
                                      "signatures on checkpoints count; repeat for several.")]


def verify(
    ctx: typer.Context,
    against: Annotated[Optional[str], typer.Option(
        "--against", help="A checkpoint file kept elsewhere (as 'casetrail checkpoint' printed it), or a stamp "
                          "an earlier verify printed (POSITION:DIGEST): also prove that every event it covers, "
                          "the newest included, is unchanged.")] = None,
    trust: Trust = None,
    proof: Annotated[Optional[Path], typer.Option(
        "--proof", help="Check an inclusion proof file ('casetrail prove EVENT_ID --json'); needs no store.")] = None,
    views: Annotated[bool, typer.Option(
        "--views", help="Also make the read models again from the events and name every row that differs.")] = False,
    json: JsonFlag = False,
) -> None:
    """Check each event's link to the one before in its stream, every event against the checkpoints that
    sealed it and their signatures; exit 1 if anything is wrong.

    Events stored after the latest checkpoint are named "not yet sealed": run 'casetrail checkpoint' and
    keep its output somewhere else (an email to your lawyer, a published note); verify --against that
    file later also catches a changed, removed or rolled-back newest event.

    Example: casetrail verify --trust aqtobe-desk+1a2b3c4d+AU3x... --against checkpoint-2025-01.txt
    Example: casetrail verify --views
    """
    trusted = [parse_verifier(text) for text in trust or []]
    if proof is not None:
        _verify_proof(proof, trusted, json)
        return
    kept, stamp = _against(against)
    app = store(ctx)
    head = app.recorder.max_notification_id() or 0
    with progress("verifying", 0, head, quiet_below=100_000) as report:
        result = app.verify(stamp, report, trusted, kept)
    if views:
        from casetrail.projections.checking import view_differences  # SQLAlchemy only when asked

        result.breaks.extend(Break(f"view {d.table}", 0, (f"({d.person}) " if d.person else "") + d.problem)
                             for d in view_differences(app, list_rules(ctx)))
    if json:
        emit_json({"sound": result.sound, "events": result.events, "streams": result.streams,
                   "stamp": result.stamp, "checkpoints": result.checkpoints, "sealed": result.sealed,
                   "not_yet_sealed": result.unsealed, "unchecked": result.unchecked,
                   "breaks": [b.as_dict() for b in result.breaks]})
    else:
        for found in result.breaks:
            where = "the store" if found.stream == "*" else (
                found.stream if found.version == 0 else f"{found.stream} version {found.version}")
            typer.echo(f"BROKEN {where}: {found.problem}", err=True)
        for note in result.unchecked:
            typer.echo(f"Note: {note}", err=True)
        verdict = "sound" if result.sound else counted(len(result.breaks), "problem")
        typer.echo(f"verified {counted(result.events, 'event')} in {counted(result.streams, 'stream')}: {verdict}")
        typer.echo(f"sealed by {counted(result.checkpoints, 'checkpoint')}: {result.sealed}; "
                   f"not yet sealed: {result.unsealed}")
        typer.echo(f"stamp {result.stamp}")
    if not result.sound:
        raise typer.Exit(1)


def _against(against: str | None) -> tuple[Checkpoint | None, str | None]:
    """A checkpoint file, or an older stamp."""
    if against is None:
        return None, None
    if ":" in against and not os.path.exists(against):
        return None, against
    return parse_checkpoint(_read(against, "--against"), f"--against {against}"), None


def _read(path: str | Path, option: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise BadInput(f"{option} {path}: cannot read it ({error.__class__.__name__}): give the file's path") from None


def _verify_proof(path: Path, trusted: list, json: bool) -> None:
    result = check_proof(_read(path, "--proof"), trusted, f"--proof {path}")
    if json:
        emit_json({"sound": result.sound, "size": result.size, "signers": result.signers,
                   "problems": result.problems, "unchecked": result.unchecked})
    else:
        for problem in result.problems:
            typer.echo(f"BROKEN {problem}", err=True)
        for note in result.unchecked:
            typer.echo(f"Note: {note}", err=True)
        verdict = "holds" if result.sound else "does not hold"
        typer.echo(f"proof {verdict}: the event is in the checkpoint of size {result.size} signed by "
                   f"{', '.join(result.signers)}" if result.sound else f"proof {verdict}")
    if not result.sound:
        raise typer.Exit(1)


def checkpoint(ctx: typer.Context, json: JsonFlag = False) -> None:
    """Seal every event stored so far: a checkpoint (size, root hash, time) signed with
    CASETRAIL_SIGNING_KEY, kept in the store and printed as a C2SP signed note.

    Keep the printed note elsewhere (publish it, mail it): 'verify --against FILE' checks the store
    against it later, and 'prove' shows an event is in it.

    Example: casetrail checkpoint > checkpoint-2025-01.txt
    """
    text = os.environ.get(ENV_SIGNING_KEY, "").strip()
    if not text:
        raise BadInput(f"set {ENV_SIGNING_KEY} to a signing key: make one with 'casetrail key new --signing "
                       "--name NAME' and keep it secret")
    made = store(ctx).checkpoint(parse_signer(text))
    if json:
        emit_json({"size": made.size, "root": made.root.hex(), "time": made.time.isoformat() if made.time else None,
                   "signers": made.signers, "note": made.note})
    else:
        typer.echo(made.note, nl=False)


def prove(
    ctx: typer.Context,
    event_id: Annotated[str, typer.Argument(help="The event's id, or a unique prefix (at least 4 hex digits).")],
    json: JsonFlag = False,
) -> None:
    """Print what a third party needs to check that one event is in the latest checkpoint: the event, its
    leaf's audit path and the signed checkpoint. 'casetrail verify --proof FILE' checks it without the store.

    Example: casetrail prove 3f2a9c1b --json > proof.json
    """
    found = store(ctx).prove(event_id)
    if json:
        emit_json(found)
        return
    event = found["event"]
    typer.echo(f"event at position {event['position']} (stream {event['stream']} version {event['version']}) is "
               f"leaf {found['index']} of the checkpoint of size {found['size']}:")
    typer.echo(found["checkpoint"], nl=False)
    typer.echo("give --json to write the proof to a file for 'casetrail verify --proof'", err=True)
