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

Then, over the store the import wrote, sealed first by ``casetrail checkpoint`` (an
Ed25519 key made with ``casetrail key new --signing``; timed, not a target) so that
verify compares every event's leaf with the one kept: ``casetrail verify --trust
PUBKEY`` (every link of every stream, every event's Merkle leaf against the sealed
one, the checkpoint's root and signature; target at least 50,000 events/s) beside,
in the same run and interleaved (--verify-runs times, median shown), two raw sqlite3
baselines: a SELECT of every state with orjson.loads, and a SELECT of every event
row (position, stream, version, topic, state) with its sealed leaf beside it, as
verify reads them, with orjson.loads and one SHA-256 per row.

Peak memory is each child process's maximum resident set size. Building the input
is not timed.

Run:
  /tmp/venv/bin/python benchmarks/bench_import.py                 # 100,000 people
  /tmp/venv/bin/python benchmarks/bench_import.py --people 10000
"""

from __future__ import annotations

import argparse
import hashlib
import statistics
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


def raw_states(conn: sqlite3.Connection) -> int:
    """Every stored state, JSON parsed: the floor of reading the events at all."""
    rows = 0
    for (state,) in conn.execute("SELECT state FROM stored_events ORDER BY rowid"):
        orjson.loads(state)
        rows += 1
    return rows


def raw_rows_and_leaves(conn: sqlite3.Connection) -> int:
    """Every event row with its sealed leaf beside it (what verify reads), JSON parsed and hashed once."""
    rows = 0
    leaves = conn.execute("SELECT position, leaf FROM casetrail_log_leaves ORDER BY idx")
    for (position, stream, version, topic, state), (sealed_at, leaf) in zip(
            conn.execute("SELECT rowid, originator_id, originator_version, topic, state FROM stored_events "
                         "ORDER BY rowid"), leaves):
        orjson.loads(state)
        hashlib.sha256(b"%d\n%s\n%d\n%s\n" % (position, stream.encode(), version, topic.encode()) + state)
        rows += 1
    return rows


RAW_READS = {"raw-read": raw_states, "raw-read-leaves": raw_rows_and_leaves}


def child(kind: str, people: int, work: Path) -> None:
    """Runs in its own process; prints (wall, cpu) seconds."""
    from bench_append import make_cases, make_rows, run_raw_eventsourcing, run_raw_sqlite

    if kind == "write":
        write_dataset(work / "cases.jsonl", people)
        print(orjson.dumps({"wall": 0, "cpu": 0}).decode())
        return
    if kind in RAW_READS:
        started = time.perf_counter(), time.process_time()
        conn = sqlite3.connect(work / "ct.db")
        rows = RAW_READS[kind](conn)
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


def measure(args: list[str]) -> tuple[float, bytes, float, float]:
    """(wall s, stdout, peak MiB, CPU s) of one child process."""
    started = time.perf_counter()
    process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    out, err = process.stdout.read(), process.stderr.read()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(args[:4])} failed: {err.decode()[-2000:]}")
    return wall, out, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime


def casetrail(work: Path, *command: str) -> list[str]:
    return [sys.executable, "-m", "casetrail.cli.main", "--db", str(work / "ct.db"), *command]


def seal(work: Path) -> str:
    """A signing key made and the whole store sealed by one checkpoint (timed); the public key."""
    made = subprocess.run(casetrail(work, "key", "new", "--signing", "--name", "bench"),
                          capture_output=True, text=True, check=True)
    public = made.stderr.split("verify --trust takes it): ")[1].split()[0]
    os.environ["CASETRAIL_SIGNING_KEY"] = made.stdout.strip()
    wall, _, peak, cpu = measure(casetrail(work, "checkpoint"))
    del os.environ["CASETRAIL_SIGNING_KEY"]
    print(f"  {'casetrail checkpoint (seal all)':34} {wall:7.1f} s wall {cpu:6.1f} s CPU  peak {peak:6.0f} MiB")
    return public


def measure_verify(me: list[str], work: Path, runs: int) -> None:
    """verify of the sealed store beside two raw reads of the same rows, interleaved, medians."""
    print("verify, over the store the import wrote, sealed by one checkpoint:")
    public = seal(work)
    plan = [("raw sqlite3 SELECT state + orjson.loads", [*me, "--child", "raw-read"]),
            ("raw SELECT rows + leaves, orjson, sha256", [*me, "--child", "raw-read-leaves"]),
            ("casetrail verify --trust PUBKEY", casetrail(work, "verify", "--trust", public, "--json"))]
    timed: dict[str, list[tuple[float, float, float, int]]] = {label: [] for label, _ in plan}
    for _ in range(runs):
        for label, command in plan:
            wall, out, peak, cpu = measure(command)
            report = orjson.loads(out)
            if label.startswith("casetrail"):
                assert report["sound"] and report["sealed"] == report["events"] and not report["unchecked"], report
                events = report["events"]
            else:
                wall, cpu, events = report["wall"], report["cpu"], report["rows"]  # the loop only
            timed[label].append((wall, cpu, peak, events))
    for label, results in timed.items():
        wall = statistics.median(r[0] for r in results)
        cpu = statistics.median(r[1] for r in results)
        events = results[0][3]
        spread = f"{min(r[0] for r in results):.1f}-{max(r[0] for r in results):.1f}"
        print(f"  {label:42} {events / wall:>9,.0f} events/s  {wall:6.1f} s wall ({spread})  {cpu:6.1f} s CPU  "
              f"peak {max(r[2] for r in results):5.0f} MiB", flush=True)
    print(f"  (medians of {runs} interleaved runs; verify is the whole command, start-up included; target >= 50,000 "
          "events/s)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--verify-runs", type=int, default=3, help="interleaved runs of verify and its baselines")
    parser.add_argument("--child", choices=["write", "raw-sqlite", "raw-es", *RAW_READS], help=argparse.SUPPRESS)
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
            wall, out, peak, cpu = measure(command)
            if label.startswith("casetrail"):
                report = orjson.loads(out)
                assert report["events_added"] == args.people * (EVENTS_PER_PERSON - 1), report
                timed = wall  # the whole command, start-up and all, as a user waits for it
            else:
                timed, cpu = orjson.loads(out)["wall"], orjson.loads(out)["cpu"]  # the loop only, as bench_append
            rows.append((label, timed, peak, cpu))
            print(f"  {label:34} {events / timed:>9,.0f} events/s  {timed:7.1f} s  {cpu:7.1f} s CPU  "
                  f"peak {peak:6.0f} MiB", flush=True)
        baseline, baseline_cpu = rows[1][1], rows[1][3]
        print(f"casetrail import = {baseline / rows[2][1]:.0%} of raw eventsourcing (target >= 40%), "
              f"{baseline_cpu / rows[2][3]:.0%} by CPU seconds (steadier on a shared machine); "
              f"peak memory {rows[2][2]:.0f} MiB (target <= 500)")
        measure_verify(me, work, args.verify_runs)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
