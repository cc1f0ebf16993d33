"""Projections: catch-up throughput and query latency, beside baselines from the same run.

For each --people size, a store is filled with people whose stories vary (most
detained, charged and released, some sentenced to prison, some cleared and
compensated, bystanders designated accidental victims, about 1% dead, a few
false death reports and wrong designations retracted later). Every person has
8 events: a registration and 7 facts or retractions; the tried (two in three) are
also accused in proceedings of 16 (CASE_SIZE), a case stream each, which adds a
named_in_case fact to each accused. Written in two record-time phases:

  phase 1  ("first reports")  registration + the early facts, one save per person
  K        a record time between the phases: what the record knew then
  phase 2  ("later reports")  trials, deaths recorded late, compensation, and the
           retractions of the false reports of phase 1

so that answers "known at K" differ from answers now, and the read models hold
closed rows (``recorded_to < open``). Then:

Catch-up (the read models built from an empty start, ``Views(app, rules).catch_up()``),
each run in a fresh process (so peak memory is its own), beside baselines that
read the same notifications the same way, in pages of the same size:

  raw sqlite3 / psycopg read   SELECT the stored rows in pages (no decoding)
  + orjson.loads               ... and parse each event's JSON
  select_notifications +       eventsourcing's recorder in pages and casetrail's
    mapper.to_domain_event     pydantic mapper: every event decoded.  THE BASELINE.
  Worker.work only             decoding + the timelines and rows of every batch,
                               with nothing written, in one process, the collector paused
                               as in a catch-up (where the time goes)
  Views.catch_up, no helper    the same in one process (helpers=0: projections catch-up --helpers 0)
  Views.catch_up               THE TARGET: >= 20,000 events/s. Above 40,000 waiting events
                               helper processes (one per core, at most 4) each work out a share
                               of the people of every batch while this one writes; their CPU
                               time and peak memory are printed under the table, not in its
                               CPU s and peak MiB columns

Query latency (the read model after catch-up, one open connection, median of
--query-runs after one warm-up call) for ``casetrail lists --as-of V --known-at K``
(``queries.list_counts``) and ``casetrail list fatalities --as-of V --known-at K``
(``queries.list_members``; about 1,000 members at 100,000 people), beside:

  SELECT count(*)              over the whole list_periods table, and over one list
  fold every stream            the same answers computed without the read model:
                               read and decode every event, fold every person at
                               (V, K), test the list rules.  Checked equal to the
                               read model's answers.  Only up to --fold-max people.

Then how each query grows with the number of people (the ratio of medians for
each 10x step; linear growth is 10x).

Run:
  /tmp/venv/bin/python benchmarks/bench_projections.py --quick           # 1,000 people, 1 run
  /tmp/venv/bin/python benchmarks/bench_projections.py                   # 1,000 and 10,000 people
  /tmp/venv/bin/python benchmarks/bench_projections.py --people 1000,10000,100000 --keep /tmp/bench_stores
  /tmp/venv/bin/python benchmarks/bench_projections.py --people 10000 \\
      --db 'postgresql://127.0.0.1:5432/test?schema=bench_proj'       # PostgreSQL
  /tmp/venv/bin/python benchmarks/bench_projections.py --quick --profile # + cProfile of one catch-up

SQLite stores are files in a temp dir removed at the end, or in --keep DIR, kept
and reused by later runs (generating 100,000 people takes a few minutes). With
--db postgresql://..., each size gets its own schema (the URL's schema plus
``_<people>``), dropped and re-created before generation and dropped at the end
unless --keep is given: do not point it at a schema holding anything you want.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import cProfile
import json
import multiprocessing
import os
import random
import resource
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any, Callable
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import orjson
from sqlalchemy import event, func, select

from bench_append import Case, PostgresStores, clock, machine, make_cases, print_profile, since
from casetrail.store.application import Casetrail
from casetrail.domain.dates import today_utc
from casetrail.domain.fold import fold
from casetrail.domain.case import Case as Proceeding
from casetrail.domain.person import Person
from casetrail.projections import queries
from casetrail.domain.facets import facet_values
from casetrail.domain.rules import Rules, load_rules
from casetrail.projections.tables import list_periods, metadata, people as people_table
from casetrail.projections.times import RECORD_OPEN, At
from casetrail.projections.tuning import BATCH
from casetrail.projections.views import Views, _young_objects_only
from casetrail.projections.working import PERSON_TOPICS

EVENTS_PER_PERSON = 8  # registration + 7 facts or retractions, every story
SOURCE_KEY = "bench-src"
SOURCE_URL = "https://example.org/x"
V = date(2022, 6, 30)  # the valid date of every query: mid-story
LIST = "fatalities"  # the list whose members are fetched
SAVE_CHUNK = 500  # people per app.save(*people) during generation (setup only)
# The tried (trial and prison stories) are accused in proceedings of this many, as in the Aqtobe
# trial of 16: each case is a stream (registration, trial_started, a party per accused) and each
# accused gets a named_in_case fact, their sentence tied to the case (issue 13).
CASE_SIZE = 16
TARGET_RATE = 20_000
TARGET_MS = 50.0

Facts = list[tuple[str, dict[str, Any]]]


# -- stories: varied, deterministic, 8 events each ------------------------------------------------

@dataclass
class Story:
    case: Case  # who (key, name, aliases, born, place) from bench_append's generator
    kind: str
    first: Facts  # phase 1, with the registration
    later: Facts  # phase 2
    retract: int | None = None  # phase 2 first retracts first[retract]

    @property
    def events(self) -> int:
        return 1 + len(self.first) + len(self.later) + (self.retract is not None)


# (kind, share of people). Deaths ~1%, so the fatalities list is ~1,000 at 100,000 people.
KINDS = [("trial", 0.50), ("prison", 0.15), ("cleared", 0.15), ("bystander", 0.136), ("died", 0.008),
         ("died_late", 0.002), ("false_death", 0.004), ("wrong_designation", 0.05)]


def pick_kind(rng: random.Random) -> str:
    x = rng.random()
    for kind, share in KINDS:
        if x < share:
            return kind
        x -= share
    return KINDS[0][0]


def make_stories(people: int) -> list[Story]:
    return [story(case, random.Random(n * 7919 + 17)) for n, case in enumerate(make_cases(people))]


class Storyteller:
    """What every story of one person is told with: the January 2022 dates, the first
    detention and charge, the court. Made before the kind is picked (the random numbers
    are drawn in the same order as ever, so a store of N people is the same store)."""

    def __init__(self, case: Case, rng: random.Random) -> None:
        self.rng, self.src, self.city = rng, SOURCE_KEY, case.place
        self.d0 = date(2022, 1, 4) + timedelta(days=rng.randrange(10))  # the January 2022 events
        first_day = rng.random()  # the first fact's date: most exact, some approximate, some only the month
        detained_on = "2022-01~" if first_day < 0.10 else "2022-01" if first_day < 0.15 else self.day(0)
        self.detained = ("detained", dict(on=detained_on, source=self.src, place=self.city, by="police",
                                          facility=f"SIZO-1 {self.city}"))
        self.charged = ("charged", dict(on=self.day(3), source=self.src, charge="participation in mass riots",
                                        article="Criminal Code art. 272(2)"))
        self.court = f"{self.city} specialised inter-district criminal court"

    def day(self, n: int) -> str:
        return (self.d0 + timedelta(days=n)).isoformat()

    def month(self, text: str, share: float = 0.3) -> str:
        """A later event given as a day of that month, or (share of them) as just the month."""
        return text if self.rng.random() < share else f"{text}-{self.rng.randrange(10, 28):02d}"

    def noted(self, text: str) -> tuple[str, dict]:
        return "noted", dict(on=self.day(self.rng.randrange(1, 20)), source=self.src, text=text)

    def designated(self, on: str, designation: str = "accidental_victim", by: str | None = None) -> tuple[str, dict]:
        fields = dict(on=on, source=self.src, designation=designation)
        return "designated", fields if by is None else {**fields, "by": by}

    def compensated(self, on: str, amount: str, recipient: str) -> tuple[str, dict]:
        return "compensated", dict(on=on, source=self.src, amount=amount, currency="KZT",
                                   payer="Ministry of Finance", recipient=recipient)


Told = tuple[list, list, "int | None"]  # the first reports, the later ones, and which first one is retracted
OFFICE = "Prosecutor General's Office"


def _trial(f: Storyteller) -> Told:
    src, city = f.src, f.city
    first = [f.detained, f.charged,
             ("placed_under_house_arrest", dict(on=f.month("2022-02"), source=src, by=f"{city} district court")),
             ("released", dict(on=f.month("2022-04"), source=src, grounds="measure of restraint lifted"))]
    later = [("sentenced", dict(on=f.month("2022-09", 0.1), source=src, court=f.court, kind="restricted_freedom",
                                term_months=24 + f.rng.randrange(36), charges=["mass riots"])),
             ("appealed", dict(on="2022-10-20", source=src, court=f"{city} regional court", by="defence")),
             ("appeal_decided", dict(on="2022-12-12", source=src, court=f"{city} regional court", outcome="upheld"))]
    return first, later, None


def _prison(f: Storyteller) -> Told:
    src = f.src
    first = [f.detained, f.charged, f.noted("held in pre-trial detention"),
             ("allegation", dict(on=f.day(2), source=src, kind="torture", by="lawyer", against="police"))]
    later = [("sentenced", dict(on=f.month("2022-05", 0.1), source=src, court=f.court, kind="prison",
                                term_months=60 + f.rng.randrange(60), charges=["mass riots", "theft"])),
             ("appealed", dict(on="2022-07-04", source=src, court=f"{f.city} regional court", by="defence")),
             ("appeal_decided", dict(on="2022-08-15", source=src, outcome="upheld"))]
    return first, later, None


def _cleared(f: Storyteller) -> Told:
    first = [f.detained, f.charged, ("released", dict(on=f.day(10), source=f.src, grounds="bail")),
             f.noted("released after questioning")]
    later = [("charges_dropped", dict(on=f.month("2022-03"), source=f.src, reason="no evidence")),
             f.designated(f.month("2022-03"), by=OFFICE),
             f.compensated(f.month("2022-11"), str(500_000 + 1000 * f.rng.randrange(500)), "person")]
    return first, later, None


def _bystander(f: Storyteller) -> Told:
    first = [("injured", dict(on=f.day(1), source=f.src, cause="wounded", by="security forces")),
             f.noted("treated in hospital"), f.noted("interviewed by a journalist")]
    later = [f.designated(f.month("2022-02"), by=OFFICE), f.noted("applied for compensation"),
             f.compensated(f.month("2022-12"), "2000000", "person"), f.noted("compensation received")]
    return first, later, None


def _died(f: Storyteller, learnt_late: bool) -> Told:
    died = ("died", dict(on=f.day(1 + f.rng.randrange(3)), source=f.src, cause="gunshot wound", place=f.city))
    detained_exact = ("detained", dict(on=f.day(0), source=f.src, place=f.city, by="police"))
    after = [f.designated(f.month("2022-02"), by=OFFICE), f.compensated(f.month("2022-12"), "3000000", "family"),
             f.noted("family statement")]
    if not learnt_late:  # the death in the first reports
        first = [detained_exact, died, f.noted("reported by relatives"), f.noted("body returned to the family")]
        return first, after, None
    return [detained_exact, f.noted("missing after detention"), f.noted("family searching")], [died, *after], None


def _false_death(f: Storyteller) -> Told:
    """Reported dead, retracted later: on the fatalities list at K, not now."""
    first = [f.detained, f.charged, ("released", dict(on=f.day(7), source=f.src, grounds="bail")),
             ("died", dict(on=f.day(12), source=f.src, cause="unverified report"))]
    later = [("sentenced", dict(on=f.month("2022-09", 0.1), source=f.src, court=f.court, kind="suspended",
                                term_months=12, charges=["mass riots"])),
             ("appealed", dict(on="2022-10-20", source=f.src, by="defence"))]
    return first, later, 3


def _wrong_designation(f: Storyteller) -> Told:
    """An accidental victim at K, a participant now."""
    first = [f.detained, ("released", dict(on=f.day(5), source=f.src, grounds="bail")),
             f.designated(f.month("2022-02")), f.noted("named in a list of victims")]
    later = [f.designated(f.month("2022-02"), "participant"), f.noted("participant according to the court")]
    return first, later, 2


STORIES: dict[str, Callable[[Storyteller], Told]] = {
    "trial": _trial, "prison": _prison, "cleared": _cleared, "bystander": _bystander,
    "died": lambda f: _died(f, False), "died_late": lambda f: _died(f, True),
    "false_death": _false_death, "wrong_designation": _wrong_designation,
}


def story(case: Case, rng: random.Random) -> Story:
    facts = Storyteller(case, rng)
    kind = pick_kind(rng)
    s = Story(case, kind, *STORIES[kind](facts))
    assert s.events == EVENTS_PER_PERSON, (kind, s.events)
    return s


# -- generation (setup, not timed as a result) ---------------------------------------------------

@dataclass
class Generated:
    people: int
    events: int  # in the store, the source registration included
    known_at: str  # K, ISO
    seconds: float
    kinds: dict[str, int]

    @property
    def k(self) -> datetime:
        return datetime.fromisoformat(self.known_at)


def generate(url: str, people: int, log: Callable[[str], None]) -> Generated:
    """Phase 1, K, phase 2. Saves many people in one app.save (Person.register + record_many,
    as add_person does, without its per-fact source look-up: every fact cites bench-src)."""
    stories = make_stories(people)
    started = time.perf_counter()
    app = Casetrail(url, recorded_by="benchmark")
    try:
        app.add_source(SOURCE_KEY, url=SOURCE_URL)
        today = today_utc()
        persons: list[tuple[Person, list]] = []
        for n in range(0, people, SAVE_CHUNK):
            chunk = []
            for s in stories[n:n + SAVE_CHUNK]:
                c = s.case
                person = Person.register(c.key, c.name, c.aliases, c.born, c.place, today=today)
                facts = person.record_many(s.first, today)
                chunk.append(person)
                persons.append((person, facts))
            app.save(*chunk)
            if (n // SAVE_CHUNK) % 40 == 39:
                log(f"  phase 1: {n + SAVE_CHUNK} people, {time.perf_counter() - started:.0f}s")
        time.sleep(0.01)
        known_at = datetime.now(timezone.utc)
        time.sleep(0.01)
        cases: list[Proceeding] = []
        for n in range(0, people, SAVE_CHUNK):
            chunk, accused = [], 0
            for s, (person, facts) in zip(stories[n:n + SAVE_CHUNK], persons[n:n + SAVE_CHUNK]):
                if s.retract is not None:
                    person.retract(str(facts[s.retract].id), "the report was wrong", SOURCE_KEY)
                later = s.later
                if s.kind in ("trial", "prison"):
                    if accused % CASE_SIZE == 0:
                        cases.append(_proceeding(len(cases), today))
                    later = _accused(cases[-1], person, later, today)
                    accused += 1
                person.record_many(later, today)
                chunk.append(person)
            app.save(*chunk, *cases[len(cases) - (accused + CASE_SIZE - 1) // CASE_SIZE:])
            if (n // SAVE_CHUNK) % 40 == 39:
                log(f"  phase 2: {n + SAVE_CHUNK} people, {time.perf_counter() - started:.0f}s")
        events = app.recorder.max_notification_id() or 0
    finally:
        app.close()
    return Generated(people, events, known_at.isoformat(), time.perf_counter() - started,
                     dict(Counter(s.kind for s in stories)))


def _proceeding(number: int, today: date) -> Proceeding:
    case = Proceeding.register(f"bench-case-{number:05d}", f"Trial {number} of January 2022", SOURCE_KEY,
                               court="district court")
    case.record("trial_started", {"on": "2022-05~", "source": SOURCE_KEY}, today)
    return case


def _accused(case: Proceeding, person: Person, later: Facts, today: date) -> Facts:
    """The person made a party to ``case`` (their named_in_case recorded), their sentence tied to it."""
    sentenced = next(fields for type_name, fields in later if type_name == "sentenced")
    case.party("accused", {"on": sentenced["on"], "source": SOURCE_KEY}, today, person)
    return [(t, {**f, "case": case.key} if t == "sentenced" else f) for t, f in later]


# -- stores ---------------------------------------------------------------------------------------

class Store:
    """One store per size: an SQLite file or a PostgreSQL schema, with its generation facts beside it."""

    def __init__(self, kind: str, url: str, meta_path: str, pg: PostgresStores | None = None) -> None:
        self.kind, self.url, self.meta_path, self.pg = kind, url, meta_path, pg

    def load(self) -> Generated | None:
        if not os.path.exists(self.meta_path):
            return None
        if self.kind == "sqlite" and not os.path.exists(self.url):
            return None
        with open(self.meta_path) as f:
            return Generated(**json.load(f))

    def fresh(self) -> None:
        if self.pg:
            self.pg.reset()
        elif os.path.exists(self.url):
            for suffix in ("", "-wal", "-shm"):
                if os.path.exists(self.url + suffix):
                    os.remove(self.url + suffix)

    def save(self, generated: Generated) -> None:
        with open(self.meta_path, "w") as f:
            json.dump(generated.__dict__, f, indent=1)

    def drop(self) -> None:
        if self.pg:
            self.pg.close()

    @property
    def size_on_disk(self) -> str:
        if self.pg:
            return "-"
        total = sum(os.path.getsize(self.url + s) for s in ("", "-wal") if os.path.exists(self.url + s))
        return f"{total / 2**20:,.0f} MiB"


def pg_url(url: str, suffix: str) -> str:
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    query["schema"] = f"{query.get('schema', 'bench_proj')}_{suffix}"
    return urlunsplit(parts._replace(query=urlencode(query)))


# -- measurements run in a fresh process each (peak memory is then the measurement's own) ---------

def peak_mib() -> float:
    """This process's peak resident memory. VmHWM, not ru_maxrss: Linux carries ru_maxrss over
    exec from the parent, so a child spawned by a big parent would report the parent's peak."""
    try:
        with open("/proc/self/status") as f:
            return next(int(line.split()[1]) for line in f if line.startswith("VmHWM:")) / 1024
    except (OSError, StopIteration):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def in_child(function: Callable[..., dict], *args: Any) -> dict:
    context = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        return pool.submit(function, *args).result()


def drop_views(app: Casetrail) -> None:
    """Empty read models, so the catch-up starts from the beginning (untimed)."""
    views = Views(app, load_rules())
    try:
        with views.writer.begin() as conn:
            metadata.drop_all(conn)
    finally:
        views.close()


def child_catch_up(url: str, batch: int, helpers: int | None = None) -> dict:
    """Views.catch_up from empty; ``helpers`` as its option (None: as it chooses itself)."""
    app = Casetrail(url, recorded_by="benchmark")
    try:
        drop_views(app)
        base = peak_mib()
        started = clock()
        helpers_before = resource.getrusage(resource.RUSAGE_CHILDREN)
        views = Views(app, load_rules())
        applied = views.catch_up(batch, helpers=helpers)
        wall, cpu = since(started)
        helpers_after = resource.getrusage(resource.RUSAGE_CHILDREN)  # helpers are waited for when done
        with views.engine.connect() as conn:
            rows = {t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
                    for t in (list_periods, people_table)}
            closed = conn.execute(select(func.count()).select_from(list_periods)
                                  .where(list_periods.c.recorded_to != RECORD_OPEN)).scalar_one()
        views.close()
        return {"wall": wall, "cpu": cpu, "events": applied, "peak_mib": peak_mib(), "start_mib": base,
                "list_rows": rows[list_periods.name], "closed_list_rows": closed,
                "helpers_cpu": (helpers_after.ru_utime + helpers_after.ru_stime
                                - helpers_before.ru_utime - helpers_before.ru_stime),
                "helpers_peak_mib": helpers_after.ru_maxrss / 1024}
    finally:
        app.close()


def child_work_only(url: str, batch: int) -> dict:
    """Decoding and the timelines and rows of every batch, nothing written."""
    app = Casetrail(url, recorded_by="benchmark")
    try:
        views = Views(app, load_rules())
        started = clock()
        start, events, rows = 0, 0, 0
        with _young_objects_only():  # as in Views.catch_up: the collector paused
            while page := views.worker.read(start, batch):
                rows += views.worker.work(page).rows
                events += len(page)
                start = page[-1].id
        wall, cpu = since(started)
        views.close()
        return {"wall": wall, "cpu": cpu, "events": events, "peak_mib": peak_mib(), "rows": rows}
    finally:
        app.close()


def child_decode(url: str, batch: int) -> dict:
    """THE BASELINE: eventsourcing's select_notifications in pages + casetrail's mapper."""
    app = Casetrail(url, recorded_by="benchmark")
    try:
        started = clock()
        start, events = 1, 0
        to_domain_event = app.mapper.to_domain_event
        while page := app.recorder.select_notifications(start, batch):
            for note in page:
                to_domain_event(note)
            events += len(page)
            start = page[-1].id + 1
        wall, cpu = since(started)
        return {"wall": wall, "cpu": cpu, "events": events, "peak_mib": peak_mib()}
    finally:
        app.close()


def child_raw(url: str, batch: int, parse: bool) -> dict:
    """The stored rows read in pages by the bare driver (and their JSON parsed, with ``parse``)."""
    from casetrail.store.storage import StoreURL

    store = StoreURL.parse(url)
    loads = orjson.loads
    if store.kind == "postgres":
        import psycopg
        from psycopg import sql

        conn = psycopg.connect(**store.connect_kwargs())
        table = sql.Identifier(store.env["POSTGRES_SCHEMA"], "casetrail_events")
        statement = sql.SQL("SELECT notification_id, originator_id, originator_version, topic, state FROM {} "
                            "WHERE notification_id >= %s ORDER BY notification_id LIMIT %s").format(table)
        fetch = lambda start: conn.execute(statement, (start, batch)).fetchall()  # noqa: E731
    else:
        import sqlite3

        conn = sqlite3.connect(store.env["SQLITE_DBNAME"])
        statement = ("SELECT rowid, originator_id, originator_version, topic, state FROM stored_events "
                     "WHERE rowid >= ? ORDER BY rowid LIMIT ?")
        fetch = lambda start: conn.execute(statement, (start, batch)).fetchall()  # noqa: E731
    try:
        started = clock()
        start, events = 1, 0
        while rows := fetch(start):
            if parse:
                for row in rows:
                    loads(row[4])
            events += len(rows)
            start = rows[-1][0] + 1
        wall, cpu = since(started)
        return {"wall": wall, "cpu": cpu, "events": events, "peak_mib": peak_mib()}
    finally:
        conn.close()


# -- queries ---------------------------------------------------------------------------------------

@dataclass
class Latency:
    times: list[float] = field(default_factory=list)  # seconds
    first: float = 0.0  # the warm-up call

    @property
    def median_ms(self) -> float:
        return 1000 * statistics.median(self.times)

    @property
    def spread(self) -> str:
        return f"{1000 * min(self.times):.1f}-{1000 * max(self.times):.1f}"


def time_query(call: Callable[[], Any], runs: int) -> tuple[Latency, Any]:
    latency = Latency()
    t = time.perf_counter()
    answer = call()
    latency.first = time.perf_counter() - t
    for _ in range(runs):
        t = time.perf_counter()
        call()
        latency.times.append(time.perf_counter() - t)
    return latency, answer


def fold_everyone(app: Casetrail, rules: Rules, at: At) -> tuple[dict[str, int], list[str]]:
    """The answers without a read model: read and decode every event, fold every person at
    (V, K), test the rules. Returns every list's count and the sorted keys on LIST."""
    streams: dict[Any, list] = defaultdict(list)
    start = 1
    while page := app.recorder.select_notifications(start, BATCH):
        for note in page:
            if note.topic in PERSON_TOPICS:
                streams[note.originator_id].append(app.mapper.to_domain_event(note))
        start = page[-1].id + 1
    counts = dict.fromkeys(rules.names, 0)
    members = []
    for events in streams.values():
        values = facet_values(fold(events, at.as_of, at.known_at).state)
        for rule in rules.lists:
            if rule.matches(values):
                counts[rule.name] += 1
                if rule.name == LIST:
                    members.append(events[0].key)
    return counts, sorted(members)


@dataclass
class QueryResult:
    people: int
    list_rows: int
    counts_k: dict[str, int]
    counts_now: dict[str, int]
    members_k: int
    lat: dict[str, Latency]  # name -> latency
    fold_seconds: float | None = None
    fold_matches: bool | None = None


def query_plan(conn: Any, call: Callable[[], Any]) -> list[str]:
    """The database's plan for the statement ``call`` runs (its last one)."""
    seen: list[tuple[str, Any]] = []

    def capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _many: bool) -> None:
        seen.append((statement, parameters))

    event.listen(conn, "before_cursor_execute", capture)
    try:
        call()
    finally:
        event.remove(conn, "before_cursor_execute", capture)
    statement, parameters = seen[-1]
    if conn.dialect.name == "sqlite":
        return [row[-1] for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)]
    return [row[0].strip() for row in conn.exec_driver_sql("EXPLAIN " + statement, parameters)]


def measure_queries(url: str, people: int, k: datetime, runs: int, fold_max: int) -> QueryResult:
    rules = load_rules()
    app = Casetrail(url, recorded_by="benchmark")
    views = Views(app, rules)
    at_k, at_now = At(V, k), At(V, None)
    try:
        views.catch_up()  # up to date already: a no-op
        with views.engine.connect() as conn:
            lat = {}
            lat["lists (V, K)"], counts_k = time_query(lambda: queries.list_counts(conn, rules, at_k), runs)
            lat["lists (V, now)"], counts_now = time_query(lambda: queries.list_counts(conn, rules, at_now), runs)
            lat[f"list {LIST} (V, K)"], members = time_query(lambda: queries.list_members(conn, LIST, at_k), runs)
            lat[f"list {LIST} (V, now)"], _ = time_query(lambda: queries.list_members(conn, LIST, at_now), runs)
            lat["SELECT count(*) all list rows"], list_rows = time_query(
                lambda: conn.execute(select(func.count()).select_from(list_periods)).scalar_one(), runs)
            lat[f"SELECT count(*) {LIST} rows"], _ = time_query(
                lambda: conn.execute(select(func.count()).select_from(list_periods)
                                     .where(list_periods.c.list == LIST)).scalar_one(), runs)
            for name, call in (("lists", lambda: queries.list_counts(conn, rules, at_k)),
                               (f"list {LIST}", lambda: queries.list_members(conn, LIST, at_k))):
                print(f"    plan of {name}: {' / '.join(query_plan(conn, call))}", file=sys.stderr)
        result = QueryResult(people, list_rows, counts_k, counts_now, len(members), lat)
        if people <= fold_max:
            started = time.perf_counter()
            folded_counts, folded_members = fold_everyone(app, rules, at_k)
            result.fold_seconds = time.perf_counter() - started
            result.fold_matches = folded_counts == counts_k and folded_members == [m["person"] for m in members]
            if not result.fold_matches:
                print(f"    MISMATCH: fold {folded_counts} vs read model {counts_k}", file=sys.stderr)
        return result
    finally:
        views.close()
        app.close()


# -- printing ---------------------------------------------------------------------------------------

def table(cols: list[tuple[str, int, str]], rows: list[list[str]]) -> None:
    print("| " + " | ".join(f"{name:{align}{width}}" for name, width, align in cols) + " |")
    print("|" + "|".join("-" * (width + 2) for _, width, _ in cols) + "|")
    for cells in rows:
        print("| " + " | ".join(f"{c:{align}{width}}" for c, (_, width, align) in zip(cells, cols)) + " |")


def profile_catch_up(url: str, batch: int) -> None:
    app = Casetrail(url, recorded_by="benchmark")
    try:
        drop_views(app)
        views = Views(app, load_rules())
        profiler = cProfile.Profile()
        profiler.enable()
        views.catch_up(batch)
        profiler.disable()
        views.close()
    finally:
        app.close()
    print_profile(profiler, "catch-up")


def revision() -> str:
    """The commit measured, and whether projections/ differed from it."""
    import subprocess

    here = os.path.dirname(os.path.abspath(__file__))
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=here, capture_output=True, text=True,
                                check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "../projections", "../domain"], cwd=here,
                               capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "an unknown commit"
    return commit + (" with uncommitted changes in projections/ or domain/" if dirty else "")


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", default="1000,10000",
                        help="comma-separated sizes, each a separate store (default 1000,10000)")
    parser.add_argument("--db", default=None,
                        help="postgresql://host:5432/db?schema=bench_x to measure on PostgreSQL (default: SQLite)")
    parser.add_argument("--runs", type=int, default=3,
                        help="catch-up runs per size, median shown (default 3; 1 above 200,000 events)")
    parser.add_argument("--query-runs", type=int, default=21, help="timed calls per query, median shown (default 21)")
    parser.add_argument("--batch", type=int, default=BATCH, help=f"notifications per page/batch (default {BATCH})")
    parser.add_argument("--fold-max", type=int, default=10_000,
                        help="fold every stream as a query baseline up to this many people (default 10000)")
    parser.add_argument("--keep", metavar="DIR", default=None,
                        help="keep the stores (SQLite files in DIR; PostgreSQL schemas not dropped) and reuse them")
    parser.add_argument("--quick", action="store_true", help="1,000 people, one catch-up run, 5 query runs")
    parser.add_argument("--profile", action="store_true", help="profile one catch-up of the first size (cProfile)")
    parser.add_argument("--queries-only", action="store_true",
                        help="skip the catch-up measurements (with --keep: query stores already caught up)")
    args = parser.parse_args(argv)
    if args.quick:
        args.people, args.runs, args.query_runs = "1000", 1, 5
    args.sizes = [int(x.replace("_", "")) for x in args.people.split(",")]
    args.pg = bool(args.db) and args.db.lower().startswith("postgres")
    if args.db and not args.pg:
        sys.exit("--db takes a postgresql:// URL; SQLite stores are temp files (or in --keep DIR)")
    return args


def log(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def make_stores(args: argparse.Namespace, root: str) -> dict[int, Store]:
    stores: dict[int, Store] = {}
    for n in args.sizes:
        if args.pg:
            url = pg_url(args.db, str(n))
            stores[n] = Store("postgres", url, os.path.join(root, f"{schema_of(url)}.json"), PostgresStores(url))
        else:
            stores[n] = Store("sqlite", os.path.join(root, f"people-{n}.db"), os.path.join(root, f"people-{n}.json"))
    return stores


def generated_store(store: Store, n: int, keep: bool) -> Generated:
    """The store of ``n`` people: generated now, or (with --keep) as an earlier run left it."""
    generated = store.load() if keep else None
    if generated is not None:
        log(f"reusing {store.url} ({generated.events:,} events, K = {generated.known_at})")
        return generated
    log(f"generating {n:,} people into {store.url} ...")
    store.fresh()
    generated = generate(store.url, n, log)
    store.save(generated)
    log(f"  generated {generated.events:,} events in {generated.seconds:.1f}s "
        f"({generated.events / generated.seconds:,.0f} events/s), K = {generated.known_at}")
    return generated


# The catch-up's rows, each measured in a fresh process: (name, the label in the table, what it runs).
CATCH_UP_PLAN = [
    ("raw read", "raw {driver} read in pages", lambda url, batch: in_child(child_raw, url, batch, False)),
    ("raw read + orjson", "raw {driver} read + orjson.loads", lambda url, batch: in_child(child_raw, url, batch, True)),
    ("decode", "select_notifications + to_domain_event", lambda url, batch: in_child(child_decode, url, batch)),
    ("work", "Worker.work (decode + timelines, no writes)", lambda url, batch: in_child(child_work_only, url, batch)),
    ("catch-up alone", "Views.catch_up, no helper process",
     lambda url, batch: in_child(child_catch_up, url, batch, 0)),
    ("catch-up", "Views.catch_up", lambda url, batch: in_child(child_catch_up, url, batch)),
]


def measure_catch_up(store: Store, n: int, batch: int, runs: int) -> dict[str, list[dict]]:
    measured: dict[str, list[dict]] = defaultdict(list)
    for run in range(runs):  # interleaved, so drift hits every row alike
        for name, _, measure in CATCH_UP_PLAN:
            result = measure(store.url, batch)
            measured[name].append(result)
            log(f"  {n:,} people, run {run + 1}: {name} {result['wall']:.2f}s wall "
                f"{result['cpu']:.2f}s CPU, peak {result['peak_mib']:.0f} MiB")
    return measured


def catch_up_rows(n: int, events: int, measured: dict[str, list[dict]], pg: bool) -> list[list[str]]:
    """The table's rows for one size, the medians of the runs."""
    def med(name: str, key: str = "wall") -> float:
        return statistics.median(r[key] for r in measured[name])

    base = events / med("decode")
    rows = []
    for name, label, _ in CATCH_UP_PLAN:
        rate = events / med(name)
        walls = [r["wall"] for r in measured[name]]
        rows.append([f"{n:,}", label.format(driver="psycopg" if pg else "sqlite3"), f"{events:,}",
                     str(len(walls)), f"{med(name):.2f}", f"{rate:,.0f}", f"{100 * rate / base:.0f}%",
                     f"{med(name, 'cpu'):.2f}", f"{max(r['peak_mib'] for r in measured[name]):,.0f}",
                     f"{min(walls):.2f}-{max(walls):.2f}"])
    return rows


def print_catch_up(catch_rows: list[list[str]]) -> None:
    print("\n### Catch-up from empty (median of the runs, each in a fresh process)\n")
    table([("people", 7, ">"), ("reader", 43, "<"), ("events", 7, ">"), ("runs", 4, ">"), ("seconds", 7, ">"),
           ("events/s", 8, ">"), ("% of decode", 11, ">"), ("CPU s", 6, ">"), ("peak MiB", 8, ">"),
           ("runs min-max s", 14, ">")], catch_rows)
    for row in catch_rows:
        if row[1] == "Views.catch_up":
            rate = float(row[5].replace(",", ""))
            print(f"target at {row[0]} people: catch-up >= {TARGET_RATE:,} events/s: {rate:,.0f} "
                  f"({row[6]} of decode) -> {'meets' if rate >= TARGET_RATE else 'MISSES'}")


def print_queries(query_results: dict[int, QueryResult], sizes: list[int], runs: int) -> None:
    print(f"\n### Query latency (one open connection; median of {runs} calls after a warm-up call; "
          f"V = {V}, K between the two phases)\n")
    names = list(next(iter(query_results.values())).lat)
    qrows = []
    for n, r in query_results.items():
        for name in names:
            lat = r.lat[name]
            qrows.append([f"{n:,}", name, f"{lat.median_ms:.2f}", lat.spread, f"{1000 * lat.first:.1f}"])
        if r.fold_seconds is not None:
            qrows.append([f"{n:,}", "fold every stream (both answers)", f"{1000 * r.fold_seconds:,.0f}", "1 run",
                          "equal" if r.fold_matches else "DIFFERENT"])
    table([("people", 7, ">"), ("query", 34, "<"), ("median ms", 9, ">"), ("min-max ms", 12, ">"),
           ("first call ms", 13, ">")], qrows)
    print("\nanswers (list: members at (V, K) / at (V, now)):")
    for n, r in query_results.items():
        shown = ", ".join(f"{k} {r.counts_k[k]:,}/{r.counts_now[k]:,}" for k in r.counts_k)
        print(f"  {n:,} people, {r.list_rows:,} list rows: {shown}; list {LIST} at (V, K): {r.members_k:,} rows")
    print_growth(query_results, sizes, names[:4])


def print_growth(query_results: dict[int, QueryResult], sizes: list[int], names: list[str]) -> None:
    if len(sizes) > 1:
        print("\ngrowth (ratio of medians for each step; linear growth is the ratio of people):")
        for a, b in zip(sizes, sizes[1:]):
            ra, rb = query_results[a], query_results[b]
            for name in names:
                ratio = rb.lat[name].median_ms / ra.lat[name].median_ms
                verdict = "no faster than linear" if ratio <= b / a else "FASTER THAN LINEAR"
                print(f"  {name}: {a:,} -> {b:,} people (x{b / a:g}): x{ratio:.1f} ({verdict})")
    for n, r in query_results.items():
        for name in names:
            if "(V, K)" in name:
                ms = r.lat[name].median_ms
                print(f"target at {n:,} people: {name} <= {TARGET_MS:.0f} ms: {ms:.1f} ms -> "
                      f"{'meets' if ms <= TARGET_MS else 'MISSES'}")


def main(argv: list[str] | None = None) -> int:
    args = parse_arguments(argv)
    root = os.path.abspath(args.keep) if args.keep else tempfile.mkdtemp(prefix="bench_projections_")
    os.makedirs(root, exist_ok=True)
    stores = make_stores(args, root)
    print(f"bench_projections: {', '.join(f'{n:,}' for n in args.sizes)} people x {EVENTS_PER_PERSON} events (and cases of {CASE_SIZE} accused) on "
          f"{'PostgreSQL' if args.pg else 'SQLite'}; batches of {args.batch}; V = {V}")
    print(machine())
    print(f"casetrail at {revision()}")
    catch_rows, query_results, gens = [], {}, {}
    try:
        for n in args.sizes:
            store = stores[n]
            gens[n] = generated = generated_store(store, n, bool(args.keep))
            runs = 0 if args.queries_only else args.runs if generated.events <= 200_000 else 1
            measured = measure_catch_up(store, n, args.batch, runs)
            if args.profile and n == args.sizes[0]:
                profile_catch_up(store.url, args.batch)
            log(f"  queries on {n:,} people ...")
            query_results[n] = measure_queries(store.url, n, generated.k, args.query_runs, args.fold_max)
            if not runs:
                continue
            catch_rows += catch_up_rows(n, generated.events, measured, args.pg)
            cu = measured["catch-up"][-1]
            log(f"  catch-up's helpers: {cu['helpers_cpu']:.2f} s CPU in all, the largest peaking at "
                f"{cu['helpers_peak_mib']:,.0f} MiB")
            log(f"  catch-up wrote {cu['list_rows']:,} list rows ({cu['closed_list_rows']:,} closed); "
                f"store {store.size_on_disk}")
        if catch_rows:
            print_catch_up(catch_rows)
        print_queries(query_results, args.sizes, args.query_runs)
        print("\ngeneration (setup): " + "; ".join(
            f"{n:,} people {g.seconds:.0f}s ({g.events / g.seconds:,.0f} events/s)" for n, g in gens.items()))
        print(f"peak memory of this process (generation, queries, folds): {peak_mib():,.0f} MiB")
    finally:
        if not args.keep:
            for store in stores.values():
                store.drop()
            shutil.rmtree(root, ignore_errors=True)
    return 0


def schema_of(url: str) -> str:
    return parse_qs(urlsplit(url).query)["schema"][0]


if __name__ == "__main__":
    raise SystemExit(main())
