"""Shares of one batch worked out by several helpers are merged into one batch, and only
while every helper read the same notifications."""

from __future__ import annotations

from casetrail.projections.projector import Batch
from casetrail.projections.working import Helpers, Worked


class FakeHelper:
    """Hands over the shares it was given, as a helper process would, and notes its closing."""

    def __init__(self, *shares) -> None:
        self.shares = shares
        self.closed = False

    def batches(self):
        yield from self.shares

    def close(self) -> None:
        self.closed = True


def share(start: int, end: int, person: int) -> tuple:
    batch = Batch()
    batch.inserts["facet"].append((person, f"row-{person}"))
    batch.closes["list"].append((1, person, f"old-{person}"))
    batch.updates[person] = {"p_person": person}
    return Worked(start, end, end - start, batch)


def test_the_shares_of_each_batch_are_merged_into_one_batch_of_everyone():
    first, second = FakeHelper(share(0, 10, 1), share(10, 20, 3)), FakeHelper(share(0, 10, 2), share(10, 20, 4))

    merged = list(Helpers([first, second]).batches())

    assert [(start, end, count) for start, end, count, _ in merged] == [(0, 10, 10), (10, 20, 10)]
    batch = merged[0][3]
    assert batch.inserts["facet"] == [(1, "row-1"), (2, "row-2")]
    assert batch.closes["list"] == [(1, 1, "old-1"), (1, 2, "old-2")]
    assert set(batch.updates) == {1, 2}


def test_helpers_that_read_different_batches_hand_over_nothing_from_there_on():
    # The log grew between two helpers' reads of its head: their last batches end apart.
    first, second = FakeHelper(share(0, 10, 1), share(10, 14, 3)), FakeHelper(share(0, 10, 2), share(10, 17, 4))

    merged = list(Helpers([first, second]).batches())

    assert [(start, end) for start, end, _, _ in merged] == [(0, 10)]


def test_a_helper_that_stops_early_ends_the_hand_over_and_closing_closes_every_helper():
    first, second = FakeHelper(share(0, 10, 1), share(10, 20, 3)), FakeHelper(share(0, 10, 2))

    with Helpers([first, second]) as helpers:
        merged = list(helpers.batches())

    assert [(start, end) for start, end, _, _ in merged] == [(0, 10)]
    assert first.closed and second.closed
