"""SIGKILL during an import, then import the same file again: nothing lost, nothing
duplicated, and every stream verifies. Real processes, on both stores.

The import writes its events in transactions of 5,000 (``importer.WRITE_BATCH``), the
file's source first on its own. The test watches the store's notification count from
outside and kills the process as soon as the first batch is in and before the last
one is, so one person's events are usually split between a committed batch and a lost
one. Importing again must add exactly what is missing and skip what is there.

The same for ``projections catch-up`` and ``projections rebuild`` lives in
test_projection_faults.py (killed part-way, run again, every event applied once, the
views equal a rebuild and the fold), whose final check also verifies the store.
"""

from __future__ import annotations

import signal
import time
from collections import Counter
from pathlib import Path

import orjson

from casetrail.store.application import Casetrail
from casetrail.store.importer import WRITE_BATCH
from tests.integration.views_support import run, start

PEOPLE = 3000  # about 13,000 stored events: the source, then three transactions of the import
SOURCE = "bulk-src"


def facts_of(i: int) -> list[dict]:
    """Three facts, and a fourth for every third person: people of four and five events (with
    the registration) do not line up with the transactions, so one is split between two."""
    key = f"bulk-{i:05d}"
    facts = [("detained", f"2022-01-{1 + i % 28:02d}"), ("noted", "2022-02"), ("released", "2022-03~")]
    if i % 3 == 0:
        facts.append(("noted", "2022-04"))
    records = []
    for n, (type_name, on) in enumerate(facts):
        fact = {"record": "event", "person": key, "type": type_name, "on": on, "source": SOURCE}
        fact["text" if type_name == "noted" else "note"] = f"{key} fact {n}"
        records.append(fact)
    return records


FACTS = sum(len(facts_of(i)) for i in range(PEOPLE))


def write_file(path: Path) -> Path:
    with path.open("wb") as out:
        out.write(orjson.dumps({"record": "source", "key": SOURCE, "url": "https://example.org/bulk"}) + b"\n")
        for i in range(PEOPLE):
            out.write(orjson.dumps({"record": "person", "key": f"bulk-{i:05d}", "name": f"Bulk Person {i}"}) + b"\n")
            for fact in facts_of(i):
                out.write(orjson.dumps(fact) + b"\n")
    return path


def stored(app: Casetrail) -> Counter:
    """Every stored event, by what it is: (stream, version) and (stream, label) both counted."""
    found: Counter = Counter()
    first = 1
    while page := app.recorder.select_notifications(first, 5000):
        for notification in page:
            event = app.mapper.to_domain_event(notification)
            found[("version", notification.originator_id, notification.originator_version)] += 1
            label = getattr(event, "text", None) or getattr(event, "note", None) or getattr(event, "key", None)
            found[("label", notification.originator_id, label)] += 1
        first = page[-1].id + 1
    return found


def test_an_import_killed_while_writing_is_finished_by_importing_the_same_file_again(store_url, tmp_path):
    path = write_file(tmp_path / "bulk.jsonl")
    total = 1 + PEOPLE + FACTS
    assert total > 2 * WRITE_BATCH + 1  # at least three transactions after the source's own
    app = Casetrail(store_url, recorded_by="tests")
    try:
        importer = start(store_url, "import", str(path), "--json")
        seen = 0
        deadline = time.monotonic() + 120
        while importer.poll() is None and time.monotonic() < deadline:
            seen = app.recorder.max_notification_id() or 0
            if 1 < seen < total:  # the first batch is in, the last is not
                importer.send_signal(signal.SIGKILL)
                break
            time.sleep(0.001)
        importer.wait(timeout=30)
        _, err = importer.communicate()
        at_kill = app.recorder.max_notification_id() or 0

        assert importer.returncode == -signal.SIGKILL, (
            f"the import was not killed part-way (exit {importer.returncode}, {seen} events seen): {err}")
        assert 1 < at_kill < total, at_kill
        assert (at_kill - 1) % WRITE_BATCH == 0, f"a transaction was cut in half: {at_kill} events stored"
        before = stored(app)
        facts_before = sum(1 for kind, _, label in before if kind == "label" and " fact " in str(label))
        versions_before = Counter(stream for kind, stream, _ in before if kind == "version")

        again = orjson.loads(run(store_url, "import", str(path), "--json", timeout=180).stdout)

        print(f"\nimport killed with {at_kill} of {total} events stored; the second run added "
              f"{again['people_added']} people and {again['events_added']} events, skipped {again['events_skipped']}")
        assert again["written"] is True and again["problems"] == []
        assert again["people_added"] + again["sources_added"] + again["events_added"] == total - at_kill, again
        assert again["events_added"] + again["events_skipped"] == FACTS, again
        assert again["events_skipped"] == facts_before, again
        assert again["sources_added"] == 0  # the source went in first, on its own

        after = stored(app)
        assert sum(n for (kind, *_), n in after.items() if kind == "version") == total
        assert max(after.values()) == 1, [k for k, n in after.items() if n > 1][:5]
        assert after.keys() >= before.keys()  # nothing written before the kill was lost or replaced
        versions_after = Counter(stream for kind, stream, _ in after if kind == "version")
        split = [s for s, n in versions_before.items() if n < versions_after[s]]
        assert len(split) == 1, "one person's events should have been split by the kill"  # and were finished
        labels = Counter(label for kind, _, label in after if kind == "label")
        assert all(labels[fact.get("note") or fact["text"]] == 1 for i in range(PEOPLE) for fact in facts_of(i))

        verification = app.verify()
        assert verification.sound, verification.breaks[:3]
        assert (verification.events, verification.streams) == (total, 1 + PEOPLE)
    finally:
        app.close()
