"""The catch-up's memory of streams: a person's next save is applied from what was kept,
and from the store only when what was kept does not end just before it."""

from __future__ import annotations

from casetrail.projections.projector import rows_of
from casetrail.domain.rules import load_rules
from casetrail.domain.timeline import timeline
from casetrail.projections.working import Memory

from .builders import new_person, rec

RULES = load_rules()


class FakeStore:
    """The store's events of each stream, counting the reads the memory falls back to."""

    def __init__(self, *people) -> None:
        self.streams = {person.id: list(person.pending_events) for person in people}
        self.reads: list[tuple] = []

    def earlier(self, stream_id, version):
        self.reads.append((stream_id, version))
        return self.streams[stream_id][: version - 1]


def detained_and_charged(key: str):
    person = new_person(key)
    rec(person, "detained", "2022-01-06")
    rec(person, "charged", "2022-01-10", charge="mass riots")
    return person


def test_a_stream_kept_up_to_the_version_before_is_recalled_without_reading_the_store():
    person = detained_and_charged("kept")
    store = FakeStore(person)
    memory = Memory(store.earlier, RULES)
    history = store.streams[person.id]
    told = timeline(history, RULES)
    rows = rows_of(told)[0]
    memory.keep(person.id, history, rows, told)

    recalled = memory.recall(person.id, len(history) + 1)

    assert recalled == (history, rows, told)
    assert store.reads == []


def test_a_stream_kept_past_the_version_asked_for_is_read_again_from_the_store():
    # Another process applied a shorter batch first: the next batch starts inside what was kept.
    person = detained_and_charged("raced")
    store = FakeStore(person)
    memory = Memory(store.earlier, RULES)
    history = store.streams[person.id]
    memory.keep(person.id, history, rows_of(timeline(history, RULES))[0])

    recalled_history, recalled_rows, recalled_timeline = memory.recall(person.id, 3)

    assert recalled_history == history[:2]
    assert recalled_rows == rows_of(timeline(history[:2], RULES))[0]
    assert recalled_timeline == timeline(history[:2], RULES)
    assert store.reads == [(person.id, 3)]


def test_a_new_stream_is_recalled_empty_without_reading_the_store():
    person = detained_and_charged("new")
    store = FakeStore(person)

    assert Memory(store.earlier, RULES).recall(person.id, 1) == ([], {}, None)
    assert store.reads == []


def test_the_least_recently_used_streams_are_forgotten_beyond_the_limit():
    first, second, third = (detained_and_charged(key) for key in ("first", "second", "third"))
    store = FakeStore(first, second, third)
    memory = Memory(store.earlier, RULES, limit=6)  # two streams of three events
    for person in (first, second):
        memory.keep(person.id, store.streams[person.id], {})
    memory.recall(first.id, 4)  # first is now the most recently used

    memory.keep(third.id, store.streams[third.id], {})

    assert list(memory.streams) == [first.id, third.id]
    assert memory.held == 6


def test_the_memory_keeps_100000_events_unless_told_otherwise():
    assert Memory(FakeStore().earlier, RULES).limit == 100_000


def test_a_smaller_limit_forgets_the_least_recently_used_streams_at_once():
    first, second = (detained_and_charged(key) for key in ("first", "second"))
    store = FakeStore(first, second)
    memory = Memory(store.earlier, RULES)
    for person in (first, second):
        memory.keep(person.id, store.streams[person.id], {})

    memory.limit_to(3)

    assert list(memory.streams) == [second.id]
    assert memory.held == 3
