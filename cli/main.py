"""The ``casetrail`` command: one sub-app per noun, the store chosen once here."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from casetrail.cli import audit, case, cases, changes, demo, lists, person, projections, record, source, timeline, transfer, verify
from casetrail.cli import key, serve, user
from casetrail.cli.context import ENV_USER, Context, recorder
from casetrail.cli.edge import EdgeGroup
from casetrail.cli.render import fit_width
from casetrail.store.storage import ENV_URL
from casetrail.domain.rules import ENV_LISTS

app = typer.Typer(
    cls=EdgeGroup,
    name="casetrail",
    help="Keep each person's legal and human history as an append-only, cited event stream.\n\n"
         "Example: casetrail --db cases.db show omarov-aslanbek --as-of 2022-06-01",
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
    lists_file: Annotated[Optional[str], typer.Option(
        "--lists", envvar=ENV_LISTS, show_envvar=True,
        help="A TOML file of list rules. Default: the official lists of 2022 that ship with casetrail.",
    )] = None,
    as_: Annotated[Optional[str], typer.Option(
        "--as", envvar=ENV_USER, show_envvar=True, metavar="NAME",
        help="Who records: stored with every event written. Default: your login name.",
    )] = None,
) -> None:
    """casetrail: who was detained, charged, sentenced, released, killed, relabelled, and who says so.
    (The help users see is the app's, above.)"""
    fit_width()
    ctx.obj = Context(db, lists_file, recorder(as_))
    ctx.call_on_close(ctx.obj.close)


app.add_typer(person.app, name="person")
app.add_typer(source.app, name="source")
app.add_typer(record.app, name="record")
app.add_typer(cases.app, name="case")
app.add_typer(projections.app, name="projections")
app.add_typer(key.app, name="key")
app.add_typer(user.app, name="user")
for command in (case.show, case.replay, case.retract, case.corroborate, case.prefer, lists.lists, lists.people, audit.audit, audit.why):
    app.command()(command)
app.command("list")(lists.list_)
app.command()(timeline.timeline)
app.command()(changes.changes)
app.command("import")(transfer.import_)
app.command()(transfer.export)
app.command()(demo.demo)
app.command()(verify.verify)
app.command()(verify.checkpoint)
app.command()(verify.prove)
app.command()(serve.serve)


def run() -> None:
    app()


if __name__ == "__main__":  # pragma: no cover
    run()
