"""Import throughput and memory: ``casetrail import`` of a JSONL file beside two baselines.

Writes N people x 8 events (registration + 7 facts, the cases of bench_append.py) as
a JSONL file, then, each in a fresh process and a fresh SQLite store, measures:

  raw sqlite3 executemany   the same number of rows, shaped like eventsourcing's
                            stored events, in one transaction (the storage limit);
  raw eventsourcing         a plain Application and Aggregate, 8 dataclass events
                            per person, ``app.save`` once per person (THE BASELINE);
  casetrail import          ``casetrail import FILE`` as a user runs it: parse,
                            validate every record, stage, check every timeline,
                            write (THE TARGET: at least 40% of the baseline,
                            peak memory at most 500 MB).

Then, over the store the import wrote: ``casetrail verify`` (every link of every
stream, target at least 50,000 events/s) beside a raw sqlite3 SELECT of every
state with orjson.loads.

Peak memory is each child process's maximum resident set size. Building the input
is not timed.

Run:
  /tmp/venv/bin/python benchmarks/bench_import.py                 # 100,000 people
  /tmp/venv/bin/python benchmarks/bench_import.py --people 10000
"""

from __future__ import annotations

import argparse
import os
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import orjson

# Peak memory is the child's ru_maxrss, which on Linux starts from the parent's peak
# (exec keeps the old high-water mark). So this parent stays small: it imports nothing
# heavy, and a child writes the input.
sys.path.insert(0, str(Path(__file__).parent))
EVENTS_PER_PERSON = 8


def write_dataset(path: Path, people: int) -> None:
    from bench_append import SOURCE_KEY, SOURCE_URL, make_cases

    cases = make_cases(people)
    with path.open("wb") as out:
        out.write(orjson.dumps({"record": "source", "key": SOURCE_KEY, "url": SOURCE_URL}) + b"\n")
        for case in cases:
            out.write(orjson.dumps({"record": "person", "key": case.key, "name": case.name,
                                    "aliases": case.aliases, "born": case.born, "place": case.place}) + b"\n")
            for type_name, fields in case.facts:
                out.write(orjson.dumps({"record": "event", "person": case.key, "type": type_name, **fields}) + b"\n")


def child(kind: str, people: int, work: Path) -> None:
    """Runs in its own process; prints (wall, cpu) seconds."""
    from bench_append import make_cases, make_rows, run_raw_eventsourcing, run_raw_sqlite

    if kind == "write":
        write_dataset(work / "cases.jsonl", people)
        print(orjson.dumps({"wall": 0, "cpu": 0}).decode())
        return
    if kind == "raw-read":
        started = time.perf_counter(), time.process_time()
        conn = sqlite3.connect(work / "ct.db")
        rows = 0
        for (state,) in conn.execute("SELECT state FROM stored_events ORDER BY rowid"):
            orjson.loads(state)
            rows += 1
        conn.close()
        print(orjson.dumps({"wall": time.perf_counter() - started[0], "cpu": time.process_time() - started[1],
                            "rows": rows}).decode())
        return
    if kind == "raw-sqlite":
        rows = make_rows(make_cases(people))
        wall, cpu = run_raw_sqlite(str(work / "raw.db"), rows, all_at_once=True)
    else:
        env = {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": str(work / "es.db")}
        wall, cpu = run_raw_eventsourcing(env, make_cases(people))
    print(orjson.dumps({"wall": wall, "cpu": cpu}).decode())


def measure(args: list[str]) -> tuple[float, bytes, float]:
    started = time.perf_counter()
    process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    out, err = process.stdout.read(), process.stderr.read()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(args[:4])} failed: {err.decode()[-2000:]}")
    return wall, out, usage.ru_maxrss / 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--child", choices=["write", "raw-sqlite", "raw-es", "raw-read"], help=argparse.SUPPRESS)
    parser.add_argument("--work", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child, args.people, Path(args.work))
        return 0

    events = args.people * EVENTS_PER_PERSON
    with tempfile.TemporaryDirectory(prefix="bench-import-") as folder:
        work = Path(folder)
        dataset = work / "cases.jsonl"
        me = [sys.executable, __file__, "--people", str(args.people), "--work", folder]
        measure([*me, "--child", "write"])
        machine = subprocess.run([sys.executable, "-c", "import bench_append; print(bench_append.machine())"],
                                 cwd=Path(__file__).parent, capture_output=True, text=True).stdout.strip()
        print(f"import benchmark: {args.people:,} people x {EVENTS_PER_PERSON} events = {events:,} events; {machine}")
        print(f"input: {dataset.stat().st_size / 2**20:,.0f} MiB of JSONL; this process "
              f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB (each child's peak starts there)")
        rows = []
        for label, command in [
            ("raw sqlite3 executemany (1 txn)", [*me, "--child", "raw-sqlite"]),
            ("raw eventsourcing app.save", [*me, "--child", "raw-es"]),
            ("casetrail import", [sys.executable, "-m", "casetrail.cli.main", "--db", str(work / "ct.db"),
                                  "import", str(dataset), "--json"]),
        ]:
            wall, out, peak = measure(command)
            if label.startswith("casetrail"):
                report = orjson.loads(out)
                assert report["events_added"] == args.people * (EVENTS_PER_PERSON - 1), report
                timed = wall  # the whole command, start-up and all, as a user waits for it
            else:
                timed = orjson.loads(out)["wall"]  # the append loop only, as bench_append times it
            rows.append((label, timed, peak))
            print(f"  {label:34} {events / timed:>9,.0f} events/s  {timed:7.1f} s  peak {peak:6.0f} MiB", flush=True)
        baseline = rows[1][1]
        print(f"casetrail import = {baseline / rows[2][1]:.0%} of raw eventsourcing (target >= 40%); "
              f"peak memory {rows[2][2]:.0f} MiB (target <= 500)")
        print("verify, over the store the import wrote:")
        wall, out, peak = measure([*me, "--child", "raw-read"])
        read = orjson.loads(out)
        print(f"  {'raw sqlite3 SELECT + orjson.loads':34} {read['rows'] / read['wall']:>9,.0f} events/s  "
              f"{read['wall']:7.1f} s  peak {peak:6.0f} MiB", flush=True)
        wall, out, peak = measure([sys.executable, "-m", "casetrail.cli.main", "--db", str(work / "ct.db"),
                                   "verify", "--json"])
        report = orjson.loads(out)
        assert report["sound"] and report["events"] == read["rows"], report
        print(f"  {'casetrail verify':34} {report['events'] / wall:>9,.0f} events/s  {wall:7.1f} s  "
              f"peak {peak:6.0f} MiB   (target >= 50,000 events/s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
