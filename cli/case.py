"""``show``, ``replay`` and ``retract``: read one case at (valid date, record time), and correct it."""

from __future__ import annotations

from typing import Annotated, Any, Optional

import typer
from rich.text import Text

from casetrail.cli.context import list_rules, store
from casetrail.cli.options import AsOf, Key, KnownAt, record_time, valid_day
from casetrail.cli.record import CLAIMANT_HELP
from casetrail.cli.render import (
    JsonFlag, console, details, dispute_text, emit_json, events_table, print_status, sources_text, stamp, visible,
    warn, when_text, word_table,
)
from casetrail.domain.fold import Folded, State, Step, short
from casetrail.domain.person import Person
from casetrail.domain.words import counted
from casetrail.domain.timeline import Moved, fact_by_fact
from casetrail.rendering.shapes import case_shape, compensation_shape, dispute_shape, event_shape, status_shape


def _case(ctx: typer.Context, key: str, as_of: str | None, known_at: str | None,
          what: str = "--as-of") -> tuple[Person, Folded]:
    day, moment = valid_day(as_of, what), record_time(known_at)
    person = store(ctx).person(key, known_at=moment)  # a merged key answers as itself before the merge
    return person, person.fold(day, moment)


def show(ctx: typer.Context, key: Key, as_of: AsOf = None, known_at: KnownAt = None, json: JsonFlag = False) -> None:
    """Show a person's status and the facts that count, in valid-time order.

    Example: casetrail show omarov-aslanbek --as-of 2022-06-01 --known-at 2024-09-01
    """
    person, folded = _case(ctx, key, as_of, known_at)
    heard = person.last_reported(list_rules(ctx), folded)
    if json:
        emit_json(case_shape(person.key, person.name, person.aliases, folded, heard))
        return
    console.print(Text.assemble((person.name, "bold"), f" ({person.key}) - {when_text(folded)}"))
    if person.aliases:
        console.print("also: " + "; ".join(person.aliases))
    print_status(folded.state, folded.days_in_custody)
    console.print(f"last reported: {f'{heard.on.text} ({heard.type} {short(heard.id)})' if heard else 'nothing yet'}")
    print_cases(ctx, folded.state)
    late = [e for e in folded.events if e.on.latest > folded.as_of]
    if late:
        console.print(Text.assemble(("uncertain: ", "yellow"), f"{len(late)} counted fact(s) may have happened "
                                    f"after {folded.as_of}: " + ", ".join(f"{e.type} {e.on}" for e in late)))
    if folded.state.release_reported is False:
        console.print(Text.assemble(("uncertain: ", "yellow"), "custody reads free because the term ended; "
                                    "no release is reported (record released or confirmed when a report says)"))
    _print_disputes(folded)
    console.print(events_table(folded.events, counted(len(folded.events), "fact"), folded.claims, folded.state.died))
    _warn_conflicts(folded)


def print_cases(ctx: typer.Context, state: State) -> None:
    """The cases a person is party to, each with its title and their role in it."""
    for case, role, of in state.case_roles:
        whose = f" of {of}" if of else ""
        console.print(f"case {case}: {visible(store(ctx).case(case).title)} ({role}{whose})", soft_wrap=True)


def replay(ctx: typer.Context, key: Key,
           to: Annotated[Optional[str], typer.Option("--to", help="Stop at valid date V, YYYY-MM-DD. Default: today.")] = None,
           known_at: KnownAt = None, json: JsonFlag = False) -> None:
    """Walk a case in valid-time order and show the status after each fact.

    Example: casetrail replay zhubanazarov-ruslanbek --known-at 2023-01-01
    """
    person, folded = _case(ctx, key, to, known_at, "--to")
    moved = fact_by_fact(folded.steps, list_rules(ctx))
    if json:
        emit_json({"person": person.key, "name": person.name, "to": folded.as_of.isoformat(),
                   "known_at": stamp(folded.known_at), "uncertain": folded.uncertain, "contested": folded.contested,
                   "disputes": [dispute_shape(d, folded.claims) for d in folded.disputes],
                   "steps": [_step_shape(m, folded) for m in moved]})
        return
    console.print(Text.assemble((person.name, "bold"), f" ({person.key}) - replay, {when_text(folded)}"))
    rows = [[m.step.event.on.text, f"{m.step.event.type} {short(m.step.event.id)}\n{details(m.step.event)}",
             sources_text(m.step.event, folded.claims), m.step.state.headline,
             "\n".join(_changed_lines(m)) or "(no change)"] for m in moved]
    console.print(word_table(["on", "event", "source", "status after", "what changed"], rows, show_lines=True))
    print_status(folded.state, folded.days_in_custody)
    _print_disputes(folded)
    _warn_conflicts(folded)


EventId = Annotated[str, typer.Argument(help="The fact's id, or a unique prefix of it (at least 4 hex digits).")]


def retract(
    ctx: typer.Context,
    key: Key,
    event_id: EventId,
    reason: Annotated[str, typer.Option("--reason", help="Why the fact no longer holds.")],
    source: Annotated[Optional[str], typer.Option("--source", help="A source key or URL for the correction.")] = None,
    json: JsonFlag = False,
) -> None:
    """Retract a wrong fact (or a source added by corroborate, or a prefer). It stays in the stream and in
    every view of the past (--known-at before now).

    Example: casetrail retract omarov-aslanbek 3f2a9c1b --reason "wrong person, see correction" --source rferl-omarov
    """
    retraction = store(ctx).retract(key, event_id, reason, source)
    _answer(key, retraction, json, f"retracted {short(retraction.event_id)} as {retraction.id}")


def corroborate(
    ctx: typer.Context,
    key: Key,
    event_id: EventId,
    source: Annotated[str, typer.Option("--source", help="Another source key or URL that says the same.")],
    claimant: Annotated[Optional[str], typer.Option("--claimant", help=CLAIMANT_HELP)] = None,
    note: Annotated[Optional[str], typer.Option("--note", help="A remark on what this source adds.")] = None,
    json: JsonFlag = False,
) -> None:
    """Add a source to a recorded fact (another report of the same): it still counts once.

    Example: casetrail corroborate omarov-aslanbek 3f2a9c1b --source https://rferl.org/amp/kazakhstan-compensation-aqtobe-man-jaunuary-/32573146.html --claimant media
    """
    event = store(ctx).corroborate(key, event_id, source, claimant, note)
    _answer(key, event, json, f"{short(event.event_id)} now also cites {event.source} ({event.id})")


def prefer(
    ctx: typer.Context,
    key: Key,
    event_id: Annotated[str, typer.Argument(help="The account that counts: its id or a unique prefix of it.")],
    reason: Annotated[str, typer.Option("--reason", help="Why the team prefers this account.")],
    source: Annotated[Optional[str], typer.Option("--source", help="A source key or URL the choice rests on.")] = None,
    json: JsonFlag = False,
) -> None:
    """Choose which of the disputed accounts of one happening counts; a later prefer changes it.

    Example: casetrail prefer omarov-aslanbek 3f2a9c1b --reason "his pretrial detention ran to May 2022"
    """
    choice = store(ctx).prefer(key, event_id, reason, source)
    _answer(key, choice, json, f"preferred {short(choice.event_id)} as {choice.id}")


def _answer(key: str, event: Any, json: bool, line: str) -> None:
    """What a command that names a fact prints: the stored event with --json, else one line."""
    if json:
        emit_json({"person": key, **event_shape(event)})
    else:
        typer.echo(line)


def _print_disputes(folded: Folded) -> None:
    for dispute in folded.disputes:
        console.print(Text.assemble(("contested: ", "magenta"), dispute_text(dispute, folded.claims)))


def _step_shape(moved: Moved, folded: Folded) -> dict[str, Any]:
    step = moved.step
    status = status_shape(step.state, step.state.days_in_custody(step.event.on.earliest))
    status["compensation"] = compensation_shape(step.state)
    return {"event": event_shape(step.event, folded.claims), "status": status,
            "changes": {name: list(pair) for name, pair in moved.facets.items()},
            "entered": list(moved.entered), "left": list(moved.left), "reclassification": _reclassification(step)}


def _changed_lines(moved: Moved) -> list[str]:
    lines = [f"{name}: {was} -> {now}" for name, (was, now) in moved.facets.items() if name != "headline"]
    lines += [f"entered {name}" for name in moved.entered] + [f"left {name}" for name in moved.left]
    r = _reclassification(moved.step)
    if r:
        lines.insert(0, f"RECLASSIFIED {r['from']} -> {r['to']}" + (f" by {r['by']}" if r["by"] else ""))
    return lines


def _reclassification(step: Step) -> dict[str, Any] | None:
    if step.reclassified_from is None:
        return None
    event = step.event
    return {"from": step.reclassified_from, "to": step.state.designation, "by": getattr(event, "by", None),
            "source": event.source, "on": event.on.text}


def _warn_conflicts(folded: Folded) -> None:
    for conflict in folded.conflicts:
        warn(f"left out {conflict.event.type} {short(conflict.event.id)}: {conflict.message}")
