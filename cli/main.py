"""The ``casetrail`` command: one sub-app per noun, the store chosen once here."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from casetrail.cli import case, person, record, source
from casetrail.cli.context import Context
from casetrail.cli.edge import EdgeGroup
from casetrail.domain.storage import ENV_URL

app = typer.Typer(
    cls=EdgeGroup,
    name="casetrail",
    help="Keep each person's legal and human history as an append-only, cited event stream.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


@app.callback()
def main(
    ctx: typer.Context,
    db: Annotated[Optional[str], typer.Option(
        "--db", envvar=ENV_URL, show_envvar=True,
        help="Store: a SQLite file (default ./casetrail.db), sqlite:///path, or postgresql://host:5432/dbname.",
    )] = None,
) -> None:
    """casetrail: who was detained, charged, sentenced, released, killed, relabelled, and who says so.

    Example: casetrail --db cases.db show omarov-aslanbek --as-of 2022-06-01
    """
    ctx.obj = Context(db)
    ctx.call_on_close(ctx.obj.close)


app.add_typer(person.app, name="person")
app.add_typer(source.app, name="source")
app.add_typer(record.app, name="record")
for command in (case.show, case.replay, case.retract):
    app.command()(command)


def run() -> None:
    app()


if __name__ == "__main__":  # pragma: no cover
    run()
