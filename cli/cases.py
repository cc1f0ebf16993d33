"""``casetrail case``: proceedings as their own streams, their facts, parties and verdicts."""

from __future__ import annotations

import inspect
from typing import Annotated, Any, Optional

import typer
from rich.text import Text

from casetrail.cli.context import store
from casetrail.cli.options import AsOf, KnownAt, record_time, valid_day
from casetrail.cli.record import CLAIMANT_HELP, _command, _option
from casetrail.cli.render import JsonFlag, console, emit_json, print_rows, visible, word_table
from casetrail.domain.case import CASE_FACT_TYPES, CaseFact
from casetrail.domain.events import FACT_TYPES, CaseRole, Fact
from casetrail.domain.facts import own_fields
from casetrail.domain.words import counted
from casetrail.rendering.shapes import case_event_shape, cases_shape, proceeding_shape

app = typer.Typer(help="Proceedings (criminal cases, investigations, civil claims), each its own stream, with parties.\n\n"
                       "Example: casetrail case add case-0042 --title \"Trial of officers\" --source rferl-omarov",
                  no_args_is_help=True)
record_app = typer.Typer(help="Append a cited fact to a case's stream, or a verdict on one accused (to their stream).\n\n"
                              "Example: casetrail case record case-0042 trial_started --on 2022-11 --source rferl-omarov",
                         no_args_is_help=True)
app.add_typer(record_app, name="record")

CaseKeyArg = Annotated[str, typer.Argument(metavar="CASE", help="The case, e.g. case-0042.")]
Source = Annotated[Optional[str], typer.Option("--source", help="A source key, or a URL. [required]")]


@app.command("add")
def add(
    ctx: typer.Context,
    case: CaseKeyArg,
    title: Annotated[str, typer.Option("--title", help="What the proceeding is, in words.")],
    source: Source = None,
    court: Annotated[Optional[str], typer.Option("--court", help="Which court.")] = None,
    article: Annotated[Optional[list[str]], typer.Option("--article", help="Article of the code (repeat).")] = None,
    note: Annotated[Optional[str], typer.Option("--note", help="Anything else worth keeping.")] = None,
    json: JsonFlag = False,
) -> None:
    """Register a proceeding as its own stream.

    Example: casetrail case add case-0042 --title "Trial of officers for torture" --court "Taldykorgan city court" --article 146 --source rferl-omarov
    """
    made = store(ctx).add_case(case, title, source or "", court, article or [], note)
    if json:
        emit_json({"case": made.key, "title": made.title, "court": made.court, "articles": made.articles,
                   "source": made.source})
    else:
        typer.echo(f"registered case {made.key}: {visible(made.title)}")


@app.command("party")
def party(
    ctx: typer.Context,
    case: CaseKeyArg,
    key: Annotated[Optional[str], typer.Argument(metavar="[KEY]", help="The person (or --unnamed N).")] = None,
    role: Annotated[str, typer.Option("--role", help="One of: " + ", ".join(r.value for r in CaseRole) + ".")] = "",
    source: Source = None,
    of: Annotated[Optional[str], typer.Option("--of", help="For a relative: whose (a person key).")] = None,
    on: Annotated[Optional[str], typer.Option("--on", help="Since when (default: the case's first fact's date).")] = None,
    unnamed: Annotated[Optional[int], typer.Option("--unnamed", help="How many people, counted but not named.")] = None,
    claimant: Annotated[Optional[str], typer.Option("--claimant", help=CLAIMANT_HELP)] = None,
    note: Annotated[Optional[str], typer.Option("--note", help="A remark.")] = None,
    json: JsonFlag = False,
) -> None:
    """Add a party: a registered person (their role is also written to their own stream) or people counted.

    Example: casetrail case party case-0042 person-a --role victim --on 2022-01 --source rferl-omarov
    """
    if not role:
        raise typer.BadParameter("give --role: " + ", ".join(r.value for r in CaseRole), param_hint="--role")
    if (key is None) == (unnamed is None):
        raise typer.BadParameter("give a person's KEY or --unnamed N (not both)", param_hint="KEY")
    fields = {k: v for k, v in {"source": source, "of": of, "on": on, "unnamed": unnamed, "claimant": claimant,
                                "note": note}.items() if v is not None}
    event = store(ctx).add_party(case, role, key, **fields)
    if json:
        emit_json({"case": case, "party": str(event.id), "person": event.person, "unnamed": event.unnamed,
                   "role": event.role.value, "of": event.of})
    else:
        typer.echo(event.id)


@app.command("show")
def show(ctx: typer.Context, case: CaseKeyArg, as_of: AsOf = None, known_at: KnownAt = None,
         json: JsonFlag = False) -> None:
    """Show a case at (V, K): its status, parties (each accused's verdict from their own stream) and facts.

    Example: casetrail case show case-0042 --as-of 2023-01-01 --json
    """
    made, folded, verdicts, records = store(ctx).case_answer(case, valid_day(as_of), record_time(known_at))
    shape = proceeding_shape(made, folded, verdicts, records)
    if json:
        emit_json(shape)
        return
    court = f", {made.court}" if made.court else ""
    console.print(Text.assemble((visible(made.title), "bold"), f" ({made.key}{court}) - status {shape['status']} "
                                f"on {shape['as_of']}" + (" (uncertain)" if folded.uncertain else "")))
    rows = [[_party_text(p), p["role"], p["of"] or "", _outcome_text(p["outcome"]),
             p["on"], p["id"][:8]] for p in shape["parties"]]
    people = sum(1 if p["person"] else p["unnamed"] for p in shape["parties"])
    console.print(word_table(["party", "role", "of", "outcome", "since", "id"], rows, counted(people, "party")))
    console.print(word_table(["date", "type", "details", "source", "id"],
                             [[e["on"], e["type"], _details(e), e["source"], e["id"][:8]] for e in shape["events"]],
                             counted(len(shape["events"]), "fact")))


def _party_text(party: dict[str, Any]) -> str:
    if not party["person"]:
        return f"{party['unnamed']} unnamed"
    return party["person"] + (f" (added as {party['added_as']})" if "added_as" in party else "")


def _outcome_text(found: dict[str, Any] | None) -> str:
    if found is None:
        return ""
    said = ", ".join(f"{k} {v}" for k, v in found.items() if k not in ("type", "id", "on"))
    return f"{found['type']} {found['on']}" + (f": {said}" if said else "")


def _details(shape: dict[str, Any]) -> str:
    common = {"type", "id", "on", "source", "recorded_at", "recorded_by"}
    return ", ".join(f"{k} {v}" for k, v in shape.items() if k not in common)


@app.command("list")
def list_(ctx: typer.Context, json: JsonFlag = False) -> None:
    """List every registered case, in the order they were registered.

    Example: casetrail case list --json
    """
    shape = cases_shape(store(ctx).cases())
    if json:
        emit_json(shape)
        return
    print_rows(counted(len(shape["cases"]), "case"), ["case", "title", "court"],
               [[c["case"], c["title"], c["court"] or ""] for c in shape["cases"]])


@app.command("retract")
def retract(
    ctx: typer.Context,
    case: CaseKeyArg,
    event_id: Annotated[str, typer.Argument(metavar="EVENT_ID", help="The id (or a prefix) that case show printed.")],
    reason: Annotated[str, typer.Option("--reason", help="Why it is taken back.")],
    source: Annotated[Optional[str], typer.Option("--source", help="Where the correction comes from.")] = None,
    json: JsonFlag = False,
) -> None:
    """Take back a case fact or a party (a person's role in the case goes with it); it stays in the stream.

    Example: casetrail case retract case-0042 3f2a9c1b --reason "wrong hearing date"
    """
    event = store(ctx).retract_case(case, event_id, reason, source)
    if json:
        emit_json({"case": case, "type": event.type, "id": str(event.id), "event_id": str(event.event_id)})
    else:
        typer.echo(event.id)


@record_app.callback()
def record(case: CaseKeyArg) -> None:
    """Append a cited fact to a case, or a verdict (--accused KEY). 'casetrail case record CASE TYPE --help' lists fields.

    Example: casetrail case record case-0042 hearing --on 2022-12-01 --status postponed --source rferl-omarov
    """


def _case_command(cls: type[CaseFact]) -> Any:
    def option(name: str, flag: str, help_text: str) -> inspect.Parameter:
        return inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=None,
                                 annotation=Annotated[Optional[str], typer.Option(flag, help=help_text)])
    params = [inspect.Parameter("ctx", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=typer.Context),
              option("on", "--on", "When: 2022-01-09, 2022-01, 2022, with ~ or ?. [required]"),
              option("source", "--source", "A source key, or a URL. [required]"),
              *(_flagged(_option(spec)) for spec in own_fields(cls, CaseFact)),
              option("note", "--note", "A remark."), option("claimant", "--claimant", CLAIMANT_HELP),
              inspect.Parameter("json", inspect.Parameter.KEYWORD_ONLY, default=False, annotation=Annotated[
                  bool, typer.Option("--json", help="Print the stored event as JSON.")])]

    def command(ctx: typer.Context, **options: Any) -> None:
        as_json = options.pop("json")
        case = ctx.parent.params["case"]
        event = store(ctx).record_case(case, cls.type, **{k: v for k, v in options.items() if v is not None})
        if as_json:
            emit_json({"case": case, **case_event_shape(event)})
        else:
            typer.echo(event.id)

    command.__signature__ = inspect.Signature(params)
    command.__annotations__ = {p.name: p.annotation for p in params}
    command.__name__ = cls.type
    command.__doc__ = f"{cls.summary} Prints the new event's id.\n\nExample: casetrail case record case-0042 " \
                      f"{cls.type} {cls.example}"
    return command


_SHORTER = {"--from-charge": "--from", "--to-charge": "--to"}


def _flagged(param: inspect.Parameter) -> inspect.Parameter:
    """A field's option under its shorter name where it has one (--from, --to)."""
    option = param.annotation.__metadata__[0]
    flag = "--" + param.name.replace("_", "-")
    if flag not in _SHORTER:
        return param
    return param.replace(annotation=Annotated[Optional[str], typer.Option(_SHORTER[flag], help=option.help)])


def _to_accused(ctx: typer.Context, options: dict[str, Any]) -> tuple[str, Fact]:
    accused = options.pop("accused", None)
    if not accused:
        raise typer.BadParameter("a verdict is about one accused: give --accused KEY", param_hint="--accused")
    case = ctx.parent.params["case"]
    return accused, store(ctx).record_verdict(case, accused, options.pop("type"), **options)


ACCUSED = inspect.Parameter("accused", inspect.Parameter.KEYWORD_ONLY, default=None, annotation=Annotated[
    Optional[str], typer.Option("--accused", help="The accused the verdict is about (a person key). [required]")])

for _name, _cls in CASE_FACT_TYPES.items():
    record_app.command(_name, short_help=_cls.summary)(_case_command(_cls))
for _name, _cls in FACT_TYPES.items():
    if _cls.verdict:
        record_app.command(_name, short_help=f"A verdict on one accused, written to their own stream: {_cls.summary}")(
            _command(_cls, _to_accused, (ACCUSED,), f"casetrail case record case-0042 {_name} --accused person-a "
                                                    f"{_cls.example}"))
