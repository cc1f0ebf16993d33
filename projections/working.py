"""Working out what batches of notifications do to the views: the CPU half of a catch-up.

A catch-up reads a batch of notifications, works out its rows (``Worker.work``) and then
writes them with the tracking position (``views.py``). The working out takes the longer
part and needs no lock, so on a long catch-up helper processes work out the next
batches while the caller writes (``Helpers``), each a share of the people of every
batch, and the caller merges the shares: both halves run at once, on every core. The
helpers only read the store; every write, and so exactly-once, stays with the process
that called catch_up, which checks that each batch starts where it stands.
"""

from __future__ import annotations

import gc
import os
import pickle
import signal
import struct
import subprocess
import sys
import threading
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Iterator
from typing import Any, NamedTuple
from uuid import UUID

from eventsourcing.utils import get_topic
from sqlalchemy import Engine, select

from casetrail.domain.errors import StoreError
from casetrail.domain.events import (
    ABOUT_FACTS, FACT_TYPES, IDENTITY_EVENTS, Merged, PersonEvent, Registered, Retracted, SourceRegistered,
)
from casetrail.domain.person import identity
from casetrail.projections.engines import engines
from casetrail.projections.projector import Batch, Rows, groups_by_time, rows_of
from casetrail.domain.rules import Rules
from casetrail.projections.sealing import Sealer
from casetrail.projections.tables import people
from casetrail.projections.tuning import REMEMBERED
from casetrail.store.streams import earlier_events
from casetrail.domain.timeline import Timeline, timeline

PERSON_TOPICS = frozenset(get_topic(cls) for cls in (Registered, *ABOUT_FACTS, *IDENTITY_EVENTS, *FACT_TYPES.values()))
REGISTERED_TOPIC = get_topic(Registered)
_PEEK = 64  # notifications read at a time to find where the last save of a batch ends
SOURCE_TOPIC = get_topic(SourceRegistered)
WHO_CHANGES = (*IDENTITY_EVENTS, Retracted)  # what may change a person's row (a retraction: of a merge's pointer)


class Kept(NamedTuple):
    """A stream as the memory keeps it."""

    events: list[PersonEvent]
    rows: Rows  # the rows of the timeline of those events
    timeline: Timeline | None  # that timeline, for the next to go on from (None: no events)


class Memory:
    """The streams this process has applied lately: each one's events and the rows of its
    last timeline, so that a person's next save is not preceded by reading, decoding and
    folding their earlier events again (a person's later reports usually come in a later
    batch). Events never change once stored, so what is kept stays true whoever applies
    the batches. It is bounded by a number of events (``limit``: by default REMEMBERED,
    a catch-up's ``--memory``), the least recently used forgotten. It keeps each stream's last
    timeline too: the next one goes on from the last day its story begins the same."""

    def __init__(self, earlier: Callable[[UUID, int], list[PersonEvent]], rules: Rules,
                 limit: int = REMEMBERED, story: Callable[[list[PersonEvent]], list[PersonEvent]] = list) -> None:
        self.earlier = earlier  # (stream, version) -> the stream's events before that version
        self.story = story  # a stream's events -> what its timeline is made of (with the streams merged into it)
        self.rules = rules
        self.limit = limit
        self.streams: OrderedDict[UUID, Kept] = OrderedDict()
        self.held = 0  # events kept

    def holds(self, stream_id: UUID, version: int) -> bool:
        """Whether it keeps the stream's events up to just before ``version``."""
        kept = self.streams.get(stream_id)
        return kept is not None and len(kept.events) == version - 1

    def recall(self, stream_id: UUID, version: int, read: dict[UUID, list[PersonEvent]] | None = None) -> Kept:
        """The stream's events before ``version`` and the rows of their timeline (``read``: the
        events before it of streams already read from the store, by id)."""
        if self.holds(stream_id, version):
            self.streams.move_to_end(stream_id)
            return self.streams[stream_id]
        if read is not None and stream_id in read:
            history = read[stream_id]
        else:
            history = self.earlier(stream_id, version) if version > 1 else []
        if not history:
            return Kept(history, {}, None)
        told = timeline(self.story(history), self.rules)
        return Kept(history, rows_of(told)[0], told)

    def keep(self, stream_id: UUID, history: list[PersonEvent], rows: Rows, told: Timeline | None = None) -> None:
        old = self.streams.pop(stream_id, None)
        self.held += len(history) - (len(old.events) if old else 0)
        self.streams[stream_id] = Kept(history, rows, told)
        self._forget_beyond_limit()

    def limit_to(self, events: int) -> None:
        """Keep at most ``events`` from now on (a catch-up may ask for more or less)."""
        self.limit = events
        self._forget_beyond_limit()

    def _forget_beyond_limit(self) -> None:
        while self.held > self.limit:
            _, forgotten = self.streams.popitem(last=False)
            self.held -= len(forgotten.events)


class Worker:
    """Reads batches of notifications from a store and works out their rows: all of them, or,
    as one of ``parts`` workers, the rows of its share of the people (and, for part 0, the
    sources). People are shared out by their id, so each person's saves stay with one worker."""

    def __init__(self, app: Any, rules: Rules, sealer: Sealer, part: int = 0, parts: int = 1,
                 reader: Engine | None = None, memory: int = REMEMBERED) -> None:
        self.app = app
        self.rules = rules
        self.sealer = sealer
        self.part, self.parts = part, parts
        self.memory = Memory(self._earlier, rules, memory, self.story)
        self._absorbed: dict[UUID, list[PersonEvent]] = {}  # a merge's id -> the other stream's events it took in
        # Each person's number (tables.py): the notification id of their registration, as this
        # worker has seen them; those registered before it began are looked up in the views.
        self.numbers: dict[UUID, int] = {}
        self.reader = reader  # the views' reading engine; made when first needed if None
        self._own_reader = False

    def close(self) -> None:
        if self._own_reader:
            self.reader.dispose()

    def read(self, start: int, size: int) -> list[Any]:
        """The notifications after position ``start``: ``size`` of them, or more to finish a save."""
        notifications = self.app.recorder.select_notifications(start + 1, size)
        if len(notifications) == size:
            notifications = self._whole_saves(notifications)
        return notifications

    def work(self, notifications: list[Any]) -> Batch:
        """The rows a batch of notifications adds and closes (worked out outside any transaction)."""
        batch = Batch(sealer=self.sealer)
        mapper = self.app.mapper
        streams: dict[UUID, list[PersonEvent]] = defaultdict(list)
        part, parts = self.part, self.parts
        for notification in notifications:
            topic, stream_id = notification.topic, notification.originator_id
            if topic in PERSON_TOPICS:
                if parts == 1 or stream_id.int % parts == part:
                    streams[stream_id].append(mapper.to_domain_event(notification))
                    if topic == REGISTERED_TOPIC:
                        self.numbers[stream_id] = notification.id
            elif topic == SOURCE_TOPIC and part == 0:
                batch.register_source(mapper.to_domain_event(notification))
        self._look_up([stream_id for stream_id in streams if stream_id not in self.numbers])
        read = self._read_earlier(streams)
        for stream_id, events in streams.items():
            person = self.numbers[stream_id]
            history, rows, last = self.memory.recall(stream_id, events[0].originator_version, read)
            for moment, group in groups_by_time(events):
                for recorded in group:
                    if isinstance(recorded, Registered):
                        batch.register(recorded, person)
                history = history + group
                if any(isinstance(recorded, WHO_CHANGES) for recorded in group):
                    batch.amend(person, identity(history))
                last = timeline(self.story(history), self.rules, after=last)
                rows = batch.apply(person, rows, last, moment)
            self.memory.keep(stream_id, history, rows, last)
        return batch

    def _whole_saves(self, notifications: list[Any]) -> list[Any]:
        """A full batch, extended to the end of the run of its last stream's events (a save's
        events are consecutive in the log). Events that share a record time must be applied
        together: split over two batches, the rows of the first part would open and close at
        that one time, and such a row opened again would repeat the table's key. (It peeks at
        the log in small pages: a save is rarely long, and reading a whole batch ahead to find
        its end doubled the reading.)"""
        notifications = list(notifications)
        while True:
            last = notifications[-1]
            more = self.app.recorder.select_notifications(last.id + 1, _PEEK)
            run = 0
            while (run < len(more) and more[run].originator_id == last.originator_id
                   and more[run].originator_version == last.originator_version + 1 + run):
                run += 1
            notifications.extend(more[:run])
            if run < _PEEK:
                return notifications

    def _look_up(self, stream_ids: list[UUID]) -> None:
        """The numbers of people registered before this worker began: their rows are written."""
        if not stream_ids:
            return
        if self.reader is None:
            self.reader, self._own_reader = engines(self.app.store)[0], True
        with self.reader.connect() as conn:
            for at in range(0, len(stream_ids), 500):
                wanted = [str(stream_id) for stream_id in stream_ids[at:at + 500]]
                found = conn.execute(select(people.c.person_id, people.c.person)
                                     .where(people.c.person_id.in_(wanted))).all()
                self.numbers.update((UUID(person_id), number) for person_id, number in found)
        missing = [stream_id for stream_id in stream_ids if stream_id not in self.numbers]
        if missing:
            raise StoreError(f"the views have no registration for person {missing[0]}, whose later events they "
                             f"are applying: rebuild them with 'casetrail projections rebuild'")

    def story(self, history: list[PersonEvent]) -> list[PersonEvent]:
        """A stream's events and, for each merge among them, the other stream's events it took in: the
        same story ``Casetrail.person`` gives the fold (those events never change, so they are kept)."""
        merges = [e for e in history if type(e) is Merged]
        if not merges:
            return history
        taken = []
        for merge in merges:
            if merge.id not in self._absorbed:
                self._absorbed[merge.id] = self.app.absorbed(merge)
            taken += self._absorbed[merge.id]
        return sorted(history + taken, key=lambda e: e.timestamp)

    def _read_earlier(self, streams: dict[UUID, list[PersonEvent]]) -> dict[UUID, list[PersonEvent]]:
        """The earlier events of the batch's streams that the memory does not hold, read together."""
        before = {stream_id: events[0].originator_version for stream_id, events in streams.items()
                  if events[0].originator_version > 1 and not self.memory.holds(stream_id, events[0].originator_version)}
        if len(before) < 2:
            return {}
        to_domain_event = self.app.mapper.to_domain_event
        return {stream_id: [to_domain_event(s) for s in stored]
                for stream_id, stored in earlier_events(self.app.recorder, before).items()}

    def _earlier(self, stream_id: UUID, version: int) -> list[PersonEvent]:
        """The events of a stream before ``version``, from the store."""
        stored = self.app.recorder.select_events(stream_id, lte=version - 1)
        return [self.app.mapper.to_domain_event(s) for s in stored]


class Worked(NamedTuple):
    """A batch worked out: what a helper hands over, and what the caller writes."""

    start: int  # the position the batch follows on from
    end: int  # the id of its last notification: the position once it is written
    count: int  # its notifications
    batch: Batch  # its rows

    def same_notifications(self, other: Worked) -> bool:
        return (self.start, self.end, self.count) == (other.start, other.end, other.count)


class Task(NamedTuple):
    """What a helper process is told: which store, from where, and its share of each batch."""

    url: str | None
    rules: Rules
    start: int
    size: int  # notifications per batch
    part: int
    parts: int
    memory: int  # events it keeps in its memory of streams


class Helper:
    """A process that works out the batches after ``task.start`` (its ``part`` of each, as one
    of ``parts`` helpers) and hands them over in order, each down a pipe as a length-prefixed
    pickle; the pipe holds about one batch, so it works at most a batch or two ahead. It opens
    the store itself, with the same URL and environment (so the same key). If this process
    dies, its next hand-over fails and it exits; if it dies or fails, ``batches`` just ends,
    and the caller carries on alone (and meets the same error itself, if there is one).

    Where this process runs a single thread (the command line), the helper is a fork of it:
    it starts at once, with every module already imported (a fresh interpreter spent 0.8 s of
    a core importing them, about a tenth of a catch-up of 10,000 people), and touches nothing
    of this process's own (its connections and pipes), ending with ``os._exit``. Where other
    threads run (a web server; PostgreSQL's pool), a fork could inherit a lock one of them
    holds, so the helper is a fresh interpreter (``python -m casetrail.projections.working``),
    told its task on stdin: nothing of this process crosses into it, not even the caller's own
    script, which multiprocessing's spawn would import again. It sends a plain tuple, as there
    this module's classes are ``__main__``'s, which the caller could not unpickle."""

    def __init__(self, task: Task, others: tuple[int, ...] = ()) -> None:
        self.process: subprocess.Popen | None = None
        if hasattr(os, "fork") and threading.active_count() == 1:
            self._fork(task, others)
        else:
            self._spawn(task)

    def _spawn(self, task: Task) -> None:
        self.process = subprocess.Popen([sys.executable, "-m", __name__], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self.pid, self.pipe = self.process.pid, self.process.stdout
        try:
            self.process.stdin.write(pickle.dumps(tuple(task)))
            self.process.stdin.close()
        except OSError:
            pass  # it died at once: batches() finds nothing

    def _fork(self, task: Task, others: tuple[int, ...]) -> None:
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the helper: whatever happens, it ends here, running none of the caller's exit handlers
            code = 1
            try:
                for fd in (read, *others):  # the caller's ends: the pipes close when the caller goes
                    os.close(fd)
                _quiet()
                _work_through(task, os.fdopen(write, "wb"))
                code = 0
            finally:
                os._exit(code)
        os.close(write)
        self.pid, self.pipe = pid, os.fdopen(read, "rb")

    def batches(self) -> Iterator[Worked]:
        pipe = self.pipe
        while True:
            head = pipe.read(_LENGTH.size)
            if len(head) < _LENGTH.size:
                return
            (length,) = _LENGTH.unpack(head)
            if length == 0:
                return  # done
            body = pipe.read(length)
            if len(body) < length:
                return
            yield Worked._make(pickle.loads(body))

    def close(self) -> None:
        if self.process is not None:
            if self.process.poll() is None:
                self.process.kill()
            self.process.wait(timeout=10)
        else:
            if os.waitpid(self.pid, os.WNOHANG) == (0, 0):
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
        self.pipe.close()

    def __enter__(self) -> Helper:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


class Helpers:
    """``parts`` helpers, each working out its share of the people of every batch: the
    batches they hand over are merged into one. If they ever read different batches (the
    log grew between their reads of its head), ``batches`` ends there."""

    def __init__(self, helpers: list[Helper]) -> None:
        self.helpers = helpers

    @classmethod
    def start(cls, task: Task) -> Helpers:
        """A helper for each of the ``task.parts`` shares."""
        helpers = cls([])
        try:
            for part in range(task.parts):
                others = tuple(helper.pipe.fileno() for helper in helpers.helpers)
                helpers.helpers.append(Helper(task._replace(part=part), others))
        except BaseException:
            helpers.close()
            raise
        return helpers

    def batches(self) -> Iterator[Worked]:
        for first, *others in zip(*(helper.batches() for helper in self.helpers)):
            if not all(first.same_notifications(share) for share in others):
                return
            for share in others:
                first.batch.merge(share.batch)
            yield first

    def close(self) -> None:
        for helper in self.helpers:
            helper.close()

    def __enter__(self) -> Helpers:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


_LENGTH = struct.Struct(">Q")


def _help() -> None:
    """The helper as a fresh interpreter: told its task on stdin, it sends the batches down its stdout."""
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # stray prints go to stderr, not into the pipe
    task = Task._make(pickle.loads(sys.stdin.buffer.read()))
    _work_through(task, out)


def _quiet() -> None:
    """A forked helper's stdin, stdout and stderr go nowhere, as a fresh one's stderr does."""
    nowhere = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(nowhere, fd)
    os.close(nowhere)


def _work_through(task: Task, out: Any) -> None:
    """Work out every batch after ``task.start`` and send each down ``out``, then a 0."""
    from casetrail.store.application import Casetrail

    gc.disable()  # as in views._young_objects_only: nothing here makes reference cycles to collect
    app = Casetrail(task.url, recorded_by=None)
    worker = Worker(app, task.rules, Sealer(app.mapper.cipher, app.store.shown), task.part, task.parts,
                    memory=task.memory)
    start = task.start
    try:
        while notifications := worker.read(start, task.size):
            batch = worker.work(notifications)
            batch.slim()
            worked = Worked(start, notifications[-1].id, len(notifications), batch)
            body = pickle.dumps(tuple(worked), protocol=pickle.HIGHEST_PROTOCOL)
            out.write(_LENGTH.pack(len(body)) + body)
            out.flush()
            start = worked.end
        out.write(_LENGTH.pack(0))
        out.flush()
    except BrokenPipeError:
        pass  # the caller has gone
    finally:
        worker.close()
        app.close()


if __name__ == "__main__":
    _help()
