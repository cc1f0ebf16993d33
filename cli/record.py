"""``casetrail record KEY TYPE ...``: append one cited fact, one sub-command per event type.

The options of each type come from its pydantic model, so the CLI, the import
format and the JSON output name every field the same way and the model alone
validates them.
"""

from __future__ import annotations

import inspect
from typing import Annotated, Any, Callable, Optional

import typer
from typer.core import TyperGroup

from casetrail.cli.context import store
from casetrail.cli.render import emit_json, warn
from casetrail.domain.errors import BadInput
from casetrail.domain.events import CLAIMANTS, FACT_TYPES, Corroborated, Fact
from casetrail.domain.facts import FieldSpec, own_fields
from casetrail.domain.fold import short
from casetrail.rendering.shapes import event_shape

class RecordGroup(TyperGroup):
    """Points a user who tries to record a registration or a retraction to the right command."""

    ELSEWHERE = {
        "registered": "a person is registered with 'casetrail person add KEY --name ...', not recorded",
        "retracted": "a fact is retracted with 'casetrail retract KEY EVENT_ID --reason ...', not recorded",
        "named_in_case": "a party is added with 'casetrail case party CASE KEY --role R --source S': it is written "
                         "to the case and to the person",
    }

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        if args and args[0] in self.ELSEWHERE:
            raise BadInput(self.ELSEWHERE[args[0]])
        return super().resolve_command(ctx, args)


app = typer.Typer(cls=RecordGroup, help="Append a cited fact to a person's stream: casetrail record KEY TYPE --on DATE --source SRC ...\n\n"
                       "Example: casetrail record omarov-aslanbek detained --on 2022-01-09 --place Aqtobe --source rferl-omarov",
                  no_args_is_help=True)

@app.callback()
def record(key: Annotated[str, typer.Argument(metavar="KEY", help="The person, e.g. omarov-aslanbek.")]) -> None:
    """Append a cited fact to a person's stream. Run 'casetrail record KEY TYPE --help' for a type's fields.

    Example: casetrail record omarov-aslanbek detained --on 2022-01-09 --place Aqtobe --source rferl-omarov
    """


def _option(spec: FieldSpec) -> inspect.Parameter:
    flag = "--" + spec.name.replace("_", "-")
    help_text = spec.help
    if spec.choices:
        help_text += " One of: " + ", ".join(spec.choices) + "."
    if spec.required:
        help_text += " [required]"
    kind = Optional[list[str]] if spec.many else Optional[str]
    if spec.off:  # a yes-or-no field, as two flags: --alive or --dead
        kind, flag = Optional[bool], f"{flag}/--{spec.off}"
    annotation = Annotated[kind, typer.Option(flag, help=help_text.strip())]
    return inspect.Parameter(spec.name, inspect.Parameter.KEYWORD_ONLY, default=None, annotation=annotation)


Writer = Callable[[typer.Context, dict[str, Any]], tuple[str, Fact | Corroborated]]


def _to_person(ctx: typer.Context, options: dict[str, Any]) -> tuple[str, Fact | Corroborated]:
    key = ctx.parent.params["key"]
    return key, store(ctx).record(key, options.pop("type"), **options)


def _command(cls: type[Fact], write: Writer = _to_person, extra: tuple[inspect.Parameter, ...] = (),
             example: str | None = None) -> Any:
    """The command recording a fact of type ``cls``; ``write`` stores it (by default to the person KEY
    of ``record KEY TYPE``; ``case record CASE TYPE --accused KEY`` routes a verdict), ``extra`` options first."""
    params = [
        inspect.Parameter("ctx", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=typer.Context),
        *extra,
        inspect.Parameter("on", inspect.Parameter.KEYWORD_ONLY, default=None, annotation=Annotated[
            Optional[str], typer.Option("--on", help="When it happened: 2022-01-09, 2022-01, 2022, with ~ or ?. [required]")]),
        inspect.Parameter("source", inspect.Parameter.KEYWORD_ONLY, default=None, annotation=Annotated[
            Optional[str], typer.Option("--source", help="A source key, or a URL (registered on first use). [required]")]),
        *(_option(spec) for spec in own_fields(cls)),
        inspect.Parameter("note", inspect.Parameter.KEYWORD_ONLY, default=None, annotation=Annotated[
            Optional[str], typer.Option("--note", help="A remark, e.g. 'sentenced with 15 others'.")]),
        inspect.Parameter("group", inspect.Parameter.KEYWORD_ONLY, default=None, annotation=Annotated[
            Optional[str], typer.Option("--group", help="An id shared by one fact about several people.")]),
        inspect.Parameter("case", inspect.Parameter.KEYWORD_ONLY, default=None, annotation=Annotated[
            Optional[str], typer.Option("--case", help="The case it belongs to (registered with 'casetrail case add').")]),
        *_claim_options(),
        inspect.Parameter("json", inspect.Parameter.KEYWORD_ONLY, default=False, annotation=Annotated[
            bool, typer.Option("--json", help="Print the stored event as JSON.")]),
    ]

    def command(ctx: typer.Context, **options: Any) -> None:
        as_json = options.pop("json")
        key, event = write(ctx, {"type": cls.type, **{k: v for k, v in options.items() if v is not None}})
        if as_json:
            emit_json({"person": key, **event_shape(event)})
        elif isinstance(event, Corroborated):
            # Scripts keep the id of the fact: it is the one that counts.
            warn(f"the same as event {short(event.event_id)}, already recorded: {event.source} added to its sources")
            typer.echo(event.event_id)
        else:
            typer.echo(event.id)

    command.__signature__ = inspect.Signature(params)
    command.__annotations__ = {p.name: p.annotation for p in params}
    command.__name__ = cls.type
    command.__doc__ = (f"{cls.summary} Prints the new event's id.\n\n"
                       f"Example: {example or 'casetrail record omarov-aslanbek ' + cls.type + ' ' + cls.example}")
    return command


CLAIMANT_HELP = f"Who asserts it: {', '.join(CLAIMANTS)}, or other:TEXT."


def _claim_options() -> list[inspect.Parameter]:
    """What any fact may add as a claim: who says so, and how it stands to a like fact already recorded."""
    def option(name: str, kind: Any, default: Any, flag: str, help_text: str) -> inspect.Parameter:
        return inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default,
                                 annotation=Annotated[kind, typer.Option(flag, help=help_text)])
    return [
        option("claimant", Optional[str], None, "--claimant", CLAIMANT_HELP),
        option("disputes", Optional[str], None, "--disputes", "The id of a recorded fact this is another account of."),
        option("corroborates", Optional[str], None, "--corroborates",
               "The id of a recorded fact this confirms: its source is added to that fact, no new fact."),
        option("distinct", bool, False, "--distinct", "A different happening from a like fact on the same dates."),
    ]


def add_commands(group: typer.Typer) -> None:
    """One sub-command per registered fact type, its help read off the type's class."""
    for name, cls in FACT_TYPES.items():
        if name not in RecordGroup.ELSEWHERE:  # named_in_case is written by 'case party'
            group.command(name, short_help=cls.summary)(_command(cls))


add_commands(app)
