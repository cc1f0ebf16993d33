"""A picture of people's stories: one self-contained HTML page with an SVG timeline.

Pure: stories in, text out (no SQL, no files). Every mark comes from the fold and the
timeline the read models are written from, at the same (as_of, known_at), so the
picture cannot disagree with ``show``, ``list`` or ``why``. The page loads nothing
(its Content-Security-Policy forbids it) and runs no script: tooltips are SVG
``<title>`` elements, which browsers show on hover by themselves.
"""

from __future__ import annotations

import calendar
import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from itertools import pairwise
from typing import Any, Protocol

from casetrail.domain.claims import Claims
from casetrail.domain.dates import FuzzyDate
from casetrail.domain.events import FACT_TYPES, Fact
from casetrail.domain.fold import Folded, Step, fold
from casetrail.domain.rules import Rules
from casetrail.rendering.story import Story
from casetrail.domain.timeline import Period, Timeline, timeline


class SourceLike(Protocol):
    """What a picture says about a cited source: the Source aggregate and SourceRegistered both fit."""

    @property
    def url(self) -> str | None: ...

    @property
    def outlet(self) -> str | None: ...

    @property
    def title(self) -> str | None: ...


# -- what both the picture and the TimelineJS export say about a story ----------------------------------------

@dataclass(frozen=True)
class Custody:
    """A stretch in custody as drawn: [start, end), cut at V or at the death."""

    kind: str
    start: date
    end: date
    cause: Fact
    until: Fact | None  # the fact that ended it; None when it still held on V


def esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def day_after(day: date) -> date:
    return day if day == date.max else day + timedelta(days=1)


def folded(story: Story, as_of: date, known_at: datetime | None) -> Folded:
    """The story at (V, K): its steps are the facts that count, nothing else is drawn."""
    return fold(story.history, as_of, known_at)


def custody_spans(result: Folded) -> list[Custody]:
    """The fold's custody periods, each with the fact that ended it."""
    changers = [s.event for s in result.steps
                if s.state.custody_event is not None and s.state.custody_event.id == s.event.id]
    next_of = {a.id: b for a, b in pairwise(changers)}
    stop = day_after(result.as_of)
    if result.state.died is not None:
        stop = min(stop, result.state.died.on.earliest)  # custody is not counted past a death
    return [Custody(p.kind, p.start, p.end if p.end is not None else max(p.start, stop), p.cause,
                    next_of.get(p.cause.id) if p.end is not None else None)
            for p in result.state.periods]


def _plain_words(on: FuzzyDate) -> str:
    return FuzzyDate.parse(on.text).words()  # as written: the story may have narrowed its bounds


def date_words(on: FuzzyDate) -> str:
    """'about May 2022', '2024 (uncertain)', '9 January 2022': a date as a reader says it."""
    words = _plain_words(on)
    if on.qualifier == "~":
        return f"about {words}"
    return f"{words} (uncertain)" if on.qualifier == "?" else words


def date_label(on: FuzzyDate) -> str:
    """The date as written, with words when they add something: '2022-05~ (about May 2022)',
    '2024? (2024, uncertain)'."""
    if on.exact:
        return on.text
    words = _plain_words(on)
    if on.qualifier == "?":
        return f"{on.text} ({words}, uncertain)"
    if on.qualifier == "~":
        return f"{on.text} (about {words})"
    return on.text if words == on.text else f"{on.text} ({words})"


def fact_lines(event: Fact) -> list[str]:
    """The fact's own fields, one 'name: value' each, then its group."""
    lines = []
    for name, value in event.fields().items():
        shown = "; ".join(str(v) for v in value) if isinstance(value, list) else value
        lines.append(f"{name.replace('_', ' ')}: {shown}")
    if event.group:
        lines.append(f"group: {event.group}")
    return lines


def reclassification(step: Step) -> str | None:
    """'terrorist → accidental_victim' for a designation that changed an existing one."""
    if step.reclassified_from is None:
        return None
    return f"{step.reclassified_from} → {step.state.designation}"


def source_text(key: str, sources: Mapping[str, SourceLike]) -> str:
    """The source as a reader cites it: outlet, title, address; the key when it is unknown."""
    source = sources.get(key)
    if source is None:
        return key
    parts = [source.outlet, f"“{source.title}”" if source.title else None, source.url]
    return ", ".join(p for p in parts if p) or key


def web_url(key: str, sources: Mapping[str, SourceLike]) -> str | None:
    """The source's address, if it is one a link may point at (no javascript: or file: links)."""
    source = sources.get(key)
    url = source.url if source is not None else None
    return url if url and url.lower().startswith(("http://", "https://")) else None


def source_html(key: str, sources: Mapping[str, SourceLike]) -> str:
    url = web_url(key, sources)
    text = esc(source_text(key, sources))
    return f'<a href="{esc(url)}" rel="noreferrer">{text}</a>' if url else text


def when_text(as_of: date, known_at: datetime | None) -> str:
    known = "now" if known_at is None else known_at.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%SZ")
    return f"as of {as_of.isoformat()}, known at {known}"


def retracted_count(story: Story, result: Folded) -> int:
    """Facts taken back by K: they do not count and are not drawn."""
    return sum(1 for e in story.history if isinstance(e, Fact) and e.id in result.retracted)


# -- drawing ------------------------------------------------------------------------------------------------

WIDTH = 1040
PLOT_LEFT = 200  # the row labels sit left of it
PLOT_RIGHT = WIDTH - 30
AXIS_HEIGHT = 46
NAME_ROW, CUSTODY_ROW, FACT_ROW, LIST_ROW, LANE_GAP = 30, 20, 22, 18, 16
CHAR = 6.2  # the width of a character at 11px, for laying labels out without measuring them

CUSTODY_COLOURS = {"detained": "#e53935", "house_arrest": "#fb8c00", "imprisoned": "#6a1b9a"}
# The colour of each category a fact type declares (events.py); a category without one is grey.
CATEGORY_COLOURS = {"custody change": "#455a64", "court": "#1565c0", "designation": "#00897b", "death": "#111111",
                    "compensation": "#2e7d32", "allegation": "#c79100", "note": "#8d8d8d", "case": "#6a1b9a",
                    "harm": "#b71c1c"}
UNCOLOURED = "#8d8d8d"


def categories() -> dict[str, str]:
    """Each category of a registered fact type (legend words) and its colour, in the registry's order."""
    return {cls.category: CATEGORY_COLOURS.get(cls.category, UNCOLOURED) for cls in FACT_TYPES.values()}


RECLASSIFIED = "#c2185b"
LIST_COLOURS = ("#90caf9", "#a5d6a7", "#ffcc80", "#ce93d8", "#80cbc4", "#f48fb1", "#bcaaa4", "#b0bec5")


@dataclass(frozen=True)
class Scale:
    """Valid days [start, end) onto the plot's width."""

    start: date
    end: date

    def x(self, day: date) -> float:
        day = min(max(day, self.start), self.end)
        span = max(1, (self.end - self.start).days)
        return round(PLOT_LEFT + (day - self.start).days * (PLOT_RIGHT - PLOT_LEFT) / span, 1)

    def months(self) -> list[date]:
        found, day = [], self.start
        while day < self.end:
            found.append(day)
            day = _month_after(day)
        return found


def _month_after(day: date) -> date:
    if day.year == date.max.year and day.month == 12:
        return date.max
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def _scale(results: Sequence[Folded], as_of: date) -> Scale:
    """From the month of the first counted fact to V, or further when a fuzzy date reaches past V."""
    events = [s.event for r in results for s in r.steps]
    first = min((e.on.earliest for e in events), default=as_of)
    last = max([as_of, *(e.on.latest for e in events)])
    return Scale(date(first.year, first.month, 1), _month_after(last))


@dataclass(frozen=True)
class Page:
    html: str
    facts: int  # the facts drawn: those that count at (as_of, known_at)
    body: str = ""  # the picture, its legend and its tables without the page around them (the web app's case page)


def timeline_html(stories: Sequence[Story], sources: Mapping[str, SourceLike], rules: Rules, as_of: date,
                  known_at: datetime | None, title: str) -> str:
    return timeline_page(stories, sources, rules, as_of, known_at, title).html


def timeline_page(stories: Sequence[Story], sources: Mapping[str, SourceLike], rules: Rules, as_of: date,
                  known_at: datetime | None, title: str) -> Page:
    """A self-contained HTML page: one lane per person, custody bars, fact markers, list bands."""
    results = [folded(story, as_of, known_at) for story in stories]
    stories_lists = [timeline(story.history, rules, known_at) for story in stories]
    scale = _scale(results, as_of)
    lanes, y = [], AXIS_HEIGHT
    for story, result, story_lists in zip(stories, results, stories_lists, strict=True):
        body, height = _lane(story, result, story_lists, rules, scale, sources)
        lanes.append(f'<g class="lane" data-person="{esc(story.key)}" transform="translate(0,{y})">{body}</g>')
        y += height
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" class="timeline" width="{WIDTH}" height="{y + 8}" '
           f'viewBox="0 0 {WIDTH} {y + 8}" role="img" aria-label="{esc(title)}">'
           f'{_axis(scale, y)}{_as_of_line(scale, as_of, y)}{"".join(lanes)}</svg>')
    drawn = sum(len(r.steps) for r in results)
    summary = (f"{when_text(as_of, known_at)} · {len(stories)} {'person' if len(stories) == 1 else 'people'}, "
               f"{drawn} counted {'fact' if drawn == 1 else 'facts'}")
    used = sorted({i for tl in stories_lists for i, _, _ in _list_spans(tl, rules, as_of)})
    tables = "".join(_facts_table(story, result, sources) for story, result in zip(stories, results, strict=True))
    body = svg + _legend(rules, used) + tables
    return Page(_page(title, summary, body), drawn, body)


# -- one person's lane ----------------------------------------------------------------------------------------

def _lane(story: Story, result: Folded, story_lists: Timeline, rules: Rules, scale: Scale,
          sources: Mapping[str, SourceLike]) -> tuple[str, int]:
    """The name, the custody row, the fact rows and one band row per list the person was on."""
    rows = _pack(result.steps, scale)
    fact_rows = max(rows, default=-1) + 1
    custody_y = NAME_ROW
    facts_y = custody_y + CUSTODY_ROW
    lists_y = facts_y + max(1, fact_rows) * FACT_ROW
    spans = _list_spans(story_lists, rules, result.as_of)
    list_rows = sorted({index for index, _, _ in spans})
    parts = [_lane_header(story, result), _row_label("custody", custody_y), _row_label("facts", facts_y)]
    parts += [_custody_bar(span, scale, custody_y) for span in custody_spans(result)]
    parts.append(_death_mark(result, scale, custody_y))
    parts += [_marker(step, scale, facts_y + row * FACT_ROW, sources, result.claims)
              for step, row in zip(result.steps, rows, strict=True)]
    for n, index in enumerate(list_rows):
        parts.append(_row_label(f"list {rules.lists[index].name}", lists_y + n * LIST_ROW))
    parts += [_list_band(index, period, closer, rules, scale, lists_y + list_rows.index(index) * LIST_ROW,
                         result.as_of) for index, period, closer in spans]
    cases_y = lists_y + len(list_rows) * LIST_ROW
    named = {case for case, _, _ in result.state.case_roles}
    drawn = [case for case in story.cases if case.key in named]
    for n, case in enumerate(drawn):
        parts.append(_case_lane(case, result, scale, cases_y + n * CASE_ROW, sources))
    return "".join(parts), cases_y + len(drawn) * CASE_ROW + LANE_GAP


# -- cases ----------------------------------------------------------------------------------------------------

CASE_ROW = 22


def _case_lane(case: Any, result: Folded, scale: Scale, y: float, sources: Mapping[str, SourceLike]) -> str:
    """One case the person is party to: a band from its first counted fact or party to V (or its closure),
    a marker for each of its facts, its parties in the band's tooltip. From the case's own stream."""
    told = case.fold(result.as_of, result.known_at)
    roles = [role + (f" of {of}" if of else "") for key, role, of in result.state.case_roles if key == case.key]
    dated = [e.on.earliest for e in (*told.facts, *told.parties)]
    start = min(dated, default=result.as_of)
    closed = next((f for f in reversed(told.facts) if f.sets == "closed"), None) if told.status == "closed" else None
    end = day_after(closed.on.latest if closed else result.as_of)
    parties = [f"{p.person or str(p.unnamed) + ' unnamed'}: {p.role.value}" for p in told.parties]
    tip = "\n".join([f"case {case.key}: {case.title}", f"{', '.join(roles)} · status {told.status}",
                     *(["court: " + case.court] if case.court else []), "parties:", *parties])
    x0, x1 = scale.x(start), scale.x(end)
    marks = [_case_mark(fact, scale, y, sources) for fact in told.facts]
    return (f'{_row_label("case " + case.key, y)}<g class="case-lane" data-case="{esc(case.key)}" '
            f'data-parties="{len(told.parties)}"><title>{esc(tip)}</title><rect x="{x0}" y="{y + 5}" '
            f'width="{max(2.0, x1 - x0)}" height="8" rx="4" fill="{CATEGORY_COLOURS["case"]}" fill-opacity="0.2"/>'
            f'</g>{"".join(marks)}')


def _case_mark(fact: Any, scale: Scale, y: float, sources: Mapping[str, SourceLike]) -> str:
    x0, x1 = scale.x(fact.on.earliest), scale.x(day_after(fact.on.latest))
    said = [f"{k.replace('_', ' ')}: {v}" for k, v in fact.fields().items()]
    tip = "\n".join([f"{fact.type} · {date_label(fact.on)}", *said, f"source: {source_text(fact.source, sources)}"])
    return (f'<g class="case-fact" data-type="{fact.type}" data-on="{esc(fact.on.text)}"><title>{esc(tip)}</title>'
            f'<rect x="{x0}" y="{y + 3}" width="{max(6.0, x1 - x0)}" height="12" rx="3" '
            f'fill="{CATEGORY_COLOURS["case"]}"/></g>')


def _lane_header(story: Story, result: Folded) -> str:
    gone = retracted_count(story, result)
    note = f" · {gone} retracted, not drawn" if gone else ""
    counted = len(result.steps)
    return (f'<line class="lane-rule" x1="8" x2="{WIDTH - 8}" y1="2" y2="2"/>'
            f'<text class="name" x="10" y="20">{esc(story.name)}</text>'
            f'<text class="meta" x="{WIDTH - 10}" y="20" text-anchor="end">{esc(story.key)} · {counted} counted '
            f'{"fact" if counted == 1 else "facts"}{note}</text>')


def _row_label(text: str, y: float) -> str:
    return f'<text class="row-label" x="{PLOT_LEFT - 8}" y="{y + 12}" text-anchor="end">{esc(text)}</text>'


def _custody_bar(span: Custody, scale: Scale, y: float) -> str:
    """A stretch in custody; one whose term ran out with no release reported ends in a dashed, open end."""
    x0, x1 = scale.x(span.start), scale.x(span.end)
    assumed = span.until is not None and span.until.assumed
    if assumed:
        until = f" until about {date_label(span.until.on)}: the term ended, no release reported"
    else:
        until = f" until {date_label(span.until.on)} ({span.until.type})" if span.until else " (still on the date shown)"
    tip = f"{span.kind.replace('_', ' ')} from {date_label(span.cause.on)} ({span.cause.type}){until}"
    end = (f'<line class="uncertain-end" x1="{x1}" x2="{x1}" y1="{y}" y2="{y + 18}" stroke="#212121" '
           f'stroke-dasharray="2 2"/>' if assumed else "")
    return (f'<g class="custody{" assumed-end" if assumed else ""}" data-kind="{span.kind}" data-from="{span.start}" '
            f'data-to="{span.end}"><title>{esc(tip)}</title><rect x="{x0}" y="{y + 2}" width="{max(2.0, x1 - x0)}" '
            f'height="14" rx="2" fill="{CUSTODY_COLOURS[span.kind]}"/>{end}</g>')


def _death_mark(result: Folded, scale: Scale, y: float) -> str:
    """A death reads as a death in the custody row: a cross and the words, held or not."""
    died = result.state.died
    if died is None:
        return ""
    x = scale.x(died.on.earliest)
    words = f"† died {date_label(died.on)}" + (" in custody" if result.state.died_in_custody else "")
    return (f'<g class="death-mark" data-on="{esc(died.on.text)}"><title>{esc(words)}</title>'
            f'<text x="{x + 3}" y="{y + 14}" fill="{CATEGORY_COLOURS["death"]}">{esc(words)}</text></g>')


# -- facts ----------------------------------------------------------------------------------------------------

def posthumous(event: Fact, died: Fact | None) -> bool:
    """After the death: its earliest day is past the death's latest (the death itself is not)."""
    return died is not None and event.on.earliest > died.on.latest

def _extent(step: Step, scale: Scale) -> tuple[float, float]:
    """The pixels a marker and its label take, so markers on one row never overlap."""
    on = step.event.on
    x0, x1 = scale.x(on.earliest), scale.x(day_after(on.latest))
    if on.exact:
        middle = (x0 + x1) / 2
        x0, x1 = middle - 6, middle + 6
    label = reclassification(step)
    return x0 - 1, max(x1, x0 + 8) + (len(label) * CHAR + 10 if label else 0) + 1


def _pack(steps: Sequence[Step], scale: Scale) -> list[int]:
    """A row for each marker: the first row whose markers all end before it starts."""
    ends: list[float] = []
    rows = []
    for step in steps:
        start, end = _extent(step, scale)
        row = next((n for n, last in enumerate(ends) if last <= start), len(ends))
        if row == len(ends):
            ends.append(end)
        ends[row] = end
        rows.append(row)
    return rows


def _marker(step: Step, scale: Scale, y: float, sources: Mapping[str, SourceLike], claims: Claims) -> str:
    """A point for an exact day, a bar from earliest to latest day for a fuzzy one; a reclassification
    in its own colour, with a diamond and its label."""
    event, label = step.event, reclassification(step)
    colour = RECLASSIFIED if label else CATEGORY_COLOURS.get(event.category, UNCOLOURED)
    after = posthumous(event, step.state.died)
    classes = ("event" + ("" if event.on.exact else " fuzzy") + (" reclassification" if label else "")
               + (" posthumous" if after else ""))
    x0, x1 = scale.x(event.on.earliest), scale.x(day_after(event.on.latest))
    middle, centre = (x0 + x1) / 2, y + 11
    if event.on.exact:
        # A posthumous fact is a ring: the person was dead when it happened.
        fill = f'fill="#fff" stroke="{colour}" stroke-width="2"' if after else f'fill="{colour}"'
        shape = f'<circle cx="{middle}" cy="{centre}" r="5" {fill}/>'
    else:
        dashed = ' stroke-dasharray="3 2"' if event.on.qualifier else ""
        shape = (f'<rect class="range" x="{x0}" y="{centre - 4}" width="{max(6.0, x1 - x0)}" height="8" rx="3" '
                 f'fill="{colour}" fill-opacity="0.35" stroke="{colour}"{dashed}/>')
    if label:
        at = middle if event.on.exact else x0
        shape += (f'<path d="M{at} {centre - 7}L{at + 7} {centre}L{at} {centre + 7}L{at - 7} {centre}Z" '
                  f'fill="{colour}" stroke="#fff"/><text class="reclassified" x="{max(x1, at + 8) + 4}" '
                  f'y="{centre + 4}" fill="{colour}">{esc(label)}</text>')
    return (f'<g class="{classes}" data-event-id="{event.id}" data-type="{event.type}" '
            f'data-on="{esc(event.on.text)}" data-earliest="{event.on.earliest}" data-latest="{event.on.latest}">'
            f'<title>{esc(_tooltip(step, sources, claims))}</title>{shape}</g>')


def _tooltip(step: Step, sources: Mapping[str, SourceLike], claims: Claims) -> str:
    event, label = step.event, reclassification(step)
    lines = [f"{event.type} · {date_label(event.on)}"]
    if posthumous(event, step.state.died):
        lines.append("posthumous: after the death")
    if event.derived:
        lines.append("derived: the term ran out; not recorded, no release reported")
    if label:
        lines.append(f"reclassified: {label}")
    lines += fact_lines(event)
    if event.note:
        lines.append(f"note: {event.note}")
    lines += [f"source: {source_text(c.source, sources)}" + (f" ({c.claimant})" if c.claimant else "")
              for c in claims.sources(event)]
    if event.id in claims.disputed:
        lines.append("contested: another account of it is recorded")
    lines.append(f"event {event.id}")
    return "\n".join(lines)


# -- lists ----------------------------------------------------------------------------------------------------

def _list_spans(story_lists: Timeline, rules: Rules, as_of: date) -> list[tuple[int, Period, Fact | None]]:
    """Each stay on a list that began by V, in list order, with the fact that ended it by V (if any)."""
    spans = []
    for index, rule in enumerate(rules.lists):
        for period in story_lists.periods:
            if period.kind == "list" and period.name == rule.name and period.value == "in" and period.valid_from <= as_of:
                spans.append((index, period, _closer(story_lists, period, as_of)))
    return spans


def _closer(story_lists: Timeline, period: Period, as_of: date) -> Fact | None:
    if period.valid_to > as_of:
        return None
    return next((c.cause for c in story_lists.changes if c.kind == period.kind and c.name == period.name
                 and c.before == period.value and c.valid_from == period.valid_to), None)


def _list_band(index: int, period: Period, closer: Fact | None, rules: Rules, scale: Scale, y: float,
               as_of: date) -> str:
    rule = rules.lists[index]
    end = min(period.valid_to, day_after(as_of))
    x0, x1 = scale.x(period.valid_from), scale.x(end)
    since = f"from {date_label(period.cause.on)} ({period.cause.type})" if period.cause else "from the start"
    until = f" until {date_label(closer.on)} ({closer.type})" if closer else " (still on it on the date shown)"
    tip = f"on list {rule.name}: {rule.title}\n{since}{until}"
    colour = LIST_COLOURS[index % len(LIST_COLOURS)]
    return (f'<g class="list-band" data-list="{esc(rule.name)}" data-from="{period.valid_from}" data-to="{end}">'
            f'<title>{esc(tip)}</title><rect x="{x0}" y="{y + 3}" width="{max(2.0, x1 - x0)}" height="12" '
            f'rx="6" fill="{colour}"/></g>')


# -- axis, legend, page ---------------------------------------------------------------------------------------

def _axis(scale: Scale, bottom: float) -> str:
    """Year lines across every lane, month ticks; month names only when there is room for them."""
    months = scale.months()
    room = (PLOT_RIGHT - PLOT_LEFT) / max(1, len(months))
    parts = [f'<line class="axis" x1="{PLOT_LEFT}" x2="{PLOT_RIGHT}" y1="{AXIS_HEIGHT - 6}" y2="{AXIS_HEIGHT - 6}"/>']
    for month in months:
        x = scale.x(month)
        if month.month == 1 or month == scale.start:
            parts.append(f'<line class="year-line" x1="{x}" x2="{x}" y1="{AXIS_HEIGHT - 30}" y2="{bottom}"/>'
                         f'<text class="year" x="{x + 3}" y="{AXIS_HEIGHT - 20}">{month.year}</text>')
        parts.append(f'<line class="month-tick" x1="{x}" x2="{x}" y1="{AXIS_HEIGHT - 12}" y2="{AXIS_HEIGHT - 6}"/>')
        if room >= 26:
            parts.append(f'<text class="month" x="{x + 2}" y="{AXIS_HEIGHT - 9}">'
                         f'{calendar.month_abbr[month.month]}</text>')
    return "".join(parts)


def _as_of_line(scale: Scale, as_of: date, bottom: float) -> str:
    x = scale.x(day_after(as_of))
    return (f'<line class="as-of" x1="{x}" x2="{x}" y1="{AXIS_HEIGHT - 40}" y2="{bottom}"/>'
            f'<text class="as-of-label" x="{x - 3}" y="{AXIS_HEIGHT - 34}" text-anchor="end">as of {as_of}</text>')


def _legend(rules: Rules, used_lists: Sequence[int]) -> str:
    def swatch(style: str, words: str) -> str:
        return f'<li><span class="swatch {style}"></span>{esc(words)}</li>'

    items = [swatch(f"bar {kind}", kind.replace("_", " ")) for kind in CUSTODY_COLOURS]
    for words, colour in categories().items():
        items.append(f'<li><span class="swatch dot" style="background:{colour}"></span>{esc(words)}</li>')
    items.append(swatch("range", "date known only roughly: a bar from its earliest to its latest day "
                                 "(dashed: approximate ~ or uncertain ?)"))
    items.append(swatch("diamond", "reclassification: a designation that replaced another"))
    items.append(swatch("ring", "posthumous: a fact after the person's death"))
    items.append(swatch("open-end", "a term that ran out with no release reported (dashed end)"))
    items += [f'<li><span class="swatch band" style="background:{LIST_COLOURS[i % len(LIST_COLOURS)]}"></span>'
              f'list {esc(rules.lists[i].name)}: {esc(rules.lists[i].title)}</li>' for i in used_lists]
    items.append(swatch("as-of", "the date shown (as of)"))
    return f'<ul class="legend">{"".join(items)}</ul>'


def _facts_table(story: Story, result: Folded, sources: Mapping[str, SourceLike]) -> str:
    """The counted facts in words, with their sources as links, for readers and for print."""
    rows = []
    for step in result.steps:
        event, label = step.event, reclassification(step)
        what = event.type + (f" (reclassified {label})" if label else "")
        details = "<br>".join(esc(line) for line in fact_lines(event) + ([f"note: {event.note}"] if event.note else []))
        rows.append(f"<tr><td>{esc(date_label(event.on))}</td><td>{esc(what)}</td><td>{details}</td>"
                    f"<td>{'<br>'.join(source_html(c.source, sources) for c in result.claims.sources(event))}"
                    f"</td></tr>")
    body = "".join(rows) or '<tr><td colspan="4">no facts count on this date</td></tr>'
    return (f'<section class="facts"><h2>{esc(story.name)} <small>{esc(story.key)}</small></h2>'
            f'<table><thead><tr><th>when</th><th>what</th><th>details</th><th>source</th></tr></thead>'
            f'<tbody>{body}</tbody></table></section>')


CSS = """
body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",sans-serif;color:#212121;margin:24px;background:#fff}
h1{font-size:22px;margin:0 0 4px}h2{font-size:16px;margin:24px 0 6px}h2 small{color:#757575;font-weight:normal}
.summary{color:#616161;margin:0 0 16px}
svg.timeline{max-width:100%;height:auto;display:block}
svg text{font:11px system-ui,sans-serif;fill:#424242}
svg text.name{font-size:15px;font-weight:600;fill:#212121}svg text.meta{fill:#757575}
svg text.year{font-weight:600}svg text.month{fill:#9e9e9e;font-size:10px}
svg text.reclassified{font-weight:700}svg text.as-of-label{fill:#c62828}
.lane-rule{stroke:#e0e0e0}.axis{stroke:#9e9e9e}.month-tick{stroke:#bdbdbd}
.year-line{stroke:#eeeeee}.as-of{stroke:#c62828;stroke-dasharray:4 3}
g.event{cursor:help}g.event:hover circle,g.event:hover rect,g.event:hover path{stroke:#000;stroke-width:2}
ul.legend{list-style:none;padding:0;margin:12px 0;display:flex;flex-wrap:wrap;gap:6px 18px;color:#424242}
.swatch{display:inline-block;width:18px;height:10px;margin-right:6px;vertical-align:middle;border-radius:2px}
.swatch.dot{width:10px;border-radius:50%}.swatch.bar.detained{background:#e53935}
.swatch.bar.house_arrest{background:#fb8c00}.swatch.bar.imprisoned{background:#6a1b9a}
.swatch.range{background:rgba(21,101,192,.35);border:1px dashed #1565c0;border-radius:4px}
.swatch.diamond{width:10px;height:10px;background:#c2185b;transform:rotate(45deg);border-radius:0}
.swatch.ring{width:8px;height:8px;border:2px solid #1565c0;border-radius:50%;background:#fff}
.swatch.open-end{width:0;height:14px;border-left:2px dashed #212121;border-radius:0}
.swatch.band{border-radius:5px}.swatch.as-of{width:0;height:14px;border-left:2px dashed #c62828;border-radius:0}
table{border-collapse:collapse;width:100%;font-size:13px}
th,td{border-bottom:1px solid #e0e0e0;padding:4px 8px;text-align:left;vertical-align:top}
th{color:#616161;font-weight:600}
"""


def _page(title: str, summary: str, body: str) -> str:
    # The policy forbids every fetch and every script: the page is whole as written.
    policy = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f'<meta http-equiv="Content-Security-Policy" content="{policy}">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<meta name="generator" content="casetrail"><title>{esc(title)}</title><style>{CSS}</style></head>'
            f'<body><h1>{esc(title)}</h1><p class="summary">{esc(summary)}</p>{body}</body></html>\n')
