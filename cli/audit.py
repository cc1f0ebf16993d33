"""``audit`` and ``why``: every change with its cause and source, and the reasons for a list's answer."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Optional

import typer
from rich.text import Text

from casetrail.cli.context import cited_sources, list_rules, store, views
from casetrail.cli.options import AsOf, KnownAt, record_time, valid_day
from casetrail.cli.render import JsonFlag, console, dispute_text, emit_json, print_rows, stamp
from casetrail.cli.case import print_cases
from casetrail.domain.claims import Claims
from casetrail.domain.events import Fact
from casetrail.rendering.shapes import cited_shape, dispute_shape
from casetrail.domain.errors import BadInput
from casetrail.domain.fold import short
from casetrail.domain.corrections import corrections, with_fact_times
from casetrail.domain.explain import Explanation, explain
from casetrail.domain.timeline import Period
from casetrail.domain.words import counted
from casetrail.rendering.shapes import audit_shape, identity_shape


def audit(
    ctx: typer.Context,
    key: Annotated[Optional[str], typer.Argument(help="The person, e.g. omarov-aslanbek.")] = None,
    list_name: Annotated[Optional[str], typer.Option("--list", help="Audit a list instead: who entered and left it.")] = None,
    since: Annotated[Optional[str], typer.Option(
        "--since", help="With --list: only what was recorded after this record time (a date: end of that day).")] = None,
    known_at: KnownAt = None,
    json: JsonFlag = False,
) -> None:
    """Every change of a person's facets and list memberships, in story order, with cause and source,
    then every retracted fact; or, with --list, every entry to and exit from a list.

    A person's changes show when their cause was recorded; the facts retracted since are listed
    below them, each with its own record time, the retraction's, the reason, and what it changed
    while it was believed.

    Example: casetrail audit nurgeldin-faizulla
    Example: casetrail audit --list fatalities --since 2024-01-01
    """
    if key is None and list_name is None:
        if since:
            raise BadInput("--since needs a list: casetrail audit --list NAME --since 2024-01-01 "
                           "(for one person: casetrail audit KEY --known-at 2024-01-01)")
        raise BadInput("give a person (casetrail audit KEY) or a list (casetrail audit --list NAME)")
    if key is not None and list_name is not None:
        raise BadInput("give a person (casetrail audit KEY) or a list (casetrail audit --list NAME), not both")
    if list_name is None and since:
        raise BadInput("--since goes with --list; for one person use --known-at")
    if list_name is not None and known_at:
        raise BadInput("--known-at goes with a person; for a list use --since")
    if key is not None:
        _audit_person(ctx, key, record_time(known_at), json)
    else:
        _audit_list(ctx, list_name, record_time(since, "--since"), json)


def _audit_person(ctx: typer.Context, key: str, known_at: Any, json: bool) -> None:
    person = store(ctx).person(key, known_at=known_at)
    current = views(ctx)
    found = with_fact_times(current.person_changes(str(person.id), known_at), person.story)
    fixes = [fix.json() for fix in corrections(person.story, current.rules, known_at)]
    whole = person.fold(date.max, known_at)
    claims = whole.claims
    if json:
        emit_json(audit_shape(person.key, person.name, known_at, found, fixes, claims, whole.state, person.history))
        return
    console.print(Text.assemble((person.name, "bold"), f" ({person.key}) - audit, known at {stamp(known_at) or 'now'}: "
                                f"{counted(len(found), 'change')}"))
    print_cases(ctx, whole.state)
    print_rows("", ["valid on", "facet or list", "from", "to", "cause", "by", "source", "recorded"],
               [[c["valid_on"], c["facet"] or f"list {c['list']}", c["from"], c["to"],
                 f"{c['event_type']} {short(c['event_id'])}", c["by"], c["source"],
                 f"{_second(c['recorded_at'])}\nby {c['recorded_by']}"] for c in found])
    if fixes:
        print_rows(f"{len(fixes)} retracted {'fact' if len(fixes) == 1 else 'facts'}: believed, then taken back",
                   ["valid on", "fact", "source", "recorded", "retracted", "reason", "changed while believed"],
                   [[f["valid_on"], f"{f['event_type']} {short(f['event_id'])}", f["source"],
                     f"{_second(f['recorded_at'])}\nby {f['recorded_by']}",
                     f"{_second(f['retracted_at'])}\nby {f['retracted_by']}", f["reason"],
                     "; ".join(_believed(b) for b in f["believed"])] for f in fixes])
    for dispute in claims.disputes:
        console.print(f"contested: {dispute_text(dispute, claims)}", soft_wrap=True)
    for said in identity_shape(person.history, known_at):
        details = ", ".join(f"{k} {v}" for k, v in said.items() if k not in _NOT_SAID)
        console.print(f"{said['type']} {short(said['event_id'])} ({_second(said['recorded_at'])} by "
                      f"{said['recorded_by']}{', retracted' if said['retracted'] else ''}): {details}", soft_wrap=True)


_NOT_SAID = ("event_id", "type", "recorded_at", "recorded_by", "retracted", "merge_id")


def _second(moment: str) -> str:
    """A record time to the second, as --known-at takes it back (it then means the end of that second)."""
    return moment[:19] + "Z"


def _believed(change: dict[str, Any]) -> str:
    return f"{change['facet'] or 'list ' + change['list']} {change['from']} -> {change['to']}"


def _audit_list(ctx: typer.Context, name: str, since: Any, json: bool) -> None:
    current = views(ctx)
    rule = current.rules.get(name)
    found = current.list_changes(name, since)
    if json:
        emit_json({"list": name, "title": rule.title, "since": stamp(since), "changes": found})
        return
    scope = f"recorded since {stamp(since)}" if since else "as recorded now"
    console.print(Text.assemble((f"{name}: {rule.title}", "bold"), f" - entries and exits {scope}: {len(found)}"))
    print_rows("", ["valid on", "person", "name", "change", "cause", "source", "recorded", "withdrawn"],
               [[c["valid_on"], c["person"], c["name"], "entered" if c["to"] == "in" else "left",
                 f"{c['event_type']} {short(c['event_id'])}", c["source"], _second(c["recorded_at"]),
                 (c.get("withdrawn_at") or "")[:19]] for c in found])


def why(
    ctx: typer.Context,
    key: Annotated[str, typer.Argument(help="The person, e.g. nurgeldin-faizulla.")],
    list_name: Annotated[str, typer.Argument(metavar="LIST", help="The list, e.g. accidental_victims.")],
    as_of: AsOf = None,
    known_at: KnownAt = None,
    json: JsonFlag = False,
) -> None:
    """Why a person is on a list, or not, on a date: each test of the list's rule, the fact that decides it
    and its source, and every entry and exit.

    Example: casetrail why nurgeldin-faizulla accidental_victims --as-of 2022-04-01
    """
    day, moment = valid_day(as_of), record_time(known_at)
    person = store(ctx).person(key)
    person.check_registered_by(moment)
    # One person's lists come from their own stream: no need to bring the read models up to date.
    answer = explain(person.story, list_rules(ctx), list_name, day, moment)
    cited = [v.period.cause.source for v in answer.verdicts if v.period.cause] + [c.cause.source for c in answer.history]
    urls = {cited_key: source.url for cited_key, source in cited_sources(ctx, cited).items()}
    tests = [{"test": v.test.text(), "facet": v.test.facet, "value": v.period.value, "holds": v.holds,
              **_cause(v.period, urls, answer.claims)} for v in answer.verdicts]
    disputes = [dispute_shape(d, answer.claims) for d in answer.disputes]
    history = [{"change": "entered" if c.after == "in" else "left", "valid_on": c.cause.on.text,
                "event_id": str(c.cause.id), "event_type": c.cause.type, "source": c.cause.source,
                "url": urls.get(c.cause.source), "recorded_by": c.cause.author} for c in answer.history]
    on = answer.membership
    if json:
        emit_json({"person": key, "name": person.name, "list": list_name, "title": answer.rule.title,
                   "as_of": day.isoformat(), "known_at": stamp(moment), "member": answer.member,
                   "possibly": _possibly_shape(answer.possibly), "since": on.cause.on.text if on and on.cause else None,
                   "uncertain": bool(on and on.uncertain_on(day)), "contested": bool(disputes),
                   "rule": {"mode": answer.rule.mode, "tests": tests}, "history": history, "disputes": disputes})
        return
    console.print(Text.assemble((f"{person.name} ({key})", "bold"), f" {_verdict(answer)}, "
                                f"as of {day}, known at {stamp(moment) or 'now'}."), soft_wrap=True)
    console.print(f"{answer.rule.title}: {'all' if answer.rule.mode == 'all' else 'any'} of")
    for t in tests:
        mark = "yes" if t["holds"] else "no "
        cause = (f" since {t['since']}: {t['event_type']} {short(t['event_id'])}, sources {', '.join(t['sources'])}, "
                 f"recorded by {t['recorded_by']}") if t["event_id"] else " (nothing recorded changes it)"
        console.print(f"  {mark}  {t['test']} - it is {t['value']}{cause}", soft_wrap=True)
    if history:
        console.print("History on this list:")
        for h in history:
            console.print(f"  {h['valid_on']:<12} {h['change']:<8} {h['event_type']} {short(h['event_id'])}, "
                          f"source {h['source']}" + (f" ({h['url']})" if h["url"] else "") +
                          f", recorded by {h['recorded_by']}", soft_wrap=True)
    else:
        console.print("Never on this list.")
    for dispute in answer.disputes:
        console.print(f"contested: {dispute_text(dispute, answer.claims)}", soft_wrap=True)


def _verdict(answer: Explanation) -> str:
    """Whether they are on the list at V: "is on ... since", "is not on", or "is possibly still on"
    when the fact that took them off may not have happened by V (naming it)."""
    name, on, exit_ = answer.rule.name, answer.membership, answer.possibly
    if exit_ is not None:
        return (f"is possibly still on {name} (uncertain: {exit_.type} {short(exit_.id)} on {exit_.on.text}, "
                f"which took them off it, may not have happened yet)")
    if not answer.member:
        return f"is not on {name}"
    since = f" since {on.cause.on.text}" if on and on.cause else ""
    doubt = " (uncertain: that date may be later)" if on and on.uncertain_on(answer.as_of) else ""
    return f"is on {name}{since}{doubt}"


def _possibly_shape(exit_: Fact | None) -> dict[str, Any] | None:
    """``why --json``'s ``possibly``: the exit that may not have happened by V, or None."""
    return None if exit_ is None else {"event_id": str(exit_.id), "event_type": exit_.type, "on": exit_.on.text}


def _cause(period: Period, urls: dict[str, str], claims: Claims) -> dict[str, Any]:
    cause = period.cause
    if cause is None:
        return {"since": None, "event_id": None, "event_type": None, "source": None, "url": None, "sources": [],
                "contested": False, "recorded_by": None}
    return {"since": cause.on.text, "event_id": str(cause.id), "event_type": cause.type, "source": cause.source,
            "url": urls.get(cause.source), **cited_shape(cause, claims), "contested": period.contested,
            "recorded_by": cause.author}


