"""Load on the web app: concurrent readers and writers against ``casetrail serve`` on 127.0.0.1 only.

Starts the app under uvicorn in this process (loopback, a free port), adds a viewer and an
editor with API tokens, then for --seconds runs --readers threads reading case pages,
list pages and the home page, and --writers threads posting ``noted`` facts through the
API (they never conflict with a timeline). It stops by itself (time and --most-requests),
then checks that every fact a writer was told was stored (201) is in the store, and prints
errors, lost writes and each page's p50/p95 server time (the Server-Timing header) beside
the same question asked in-process (the CLI's way: fold one person, read one list page, count
every list): the same-run baseline.

Run (the lead runs benchmarks; a store of N people from bench_projections.py --keep, or
--people N for a small synthetic one):
  python benchmarks/load_web.py --people 200 --seconds 10
  python benchmarks/load_web.py --db 'postgresql://127.0.0.1:5432/test?schema=bench_proj_10000' \\
      --readers 20 --writers 4 --seconds 60
"""

from __future__ import annotations

import argparse
import contextlib
import random
import shutil
import socket
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections import defaultdict
from datetime import date
from pathlib import Path

import httpx2 as httpx  # the client Starlette tests with (the httpx fork it requires)

from casetrail.domain.errors import AlreadyExists
from casetrail.projections.times import At
from casetrail.store.application import Casetrail
from casetrail.web.pages import PAGE_SIZE

PASSWORD = "load test password"
V = date(2022, 6, 30)


def synthetic_store(people: int, folder: str) -> str:
    """A small SQLite store of synthetic people (person-00001...), each detained once."""
    url = str(Path(folder) / "load.db")
    app = Casetrail(url, recorded_by="load-web")
    app.add_source("load-src", url="https://example.org/load")
    for n in range(1, people + 1):
        app.add_person(f"person-{n:05d}", f"Person {n}",
                       facts=[("detained", {"on": "2022-01-09", "source": "load-src"})])
    app.close()
    return url


def with_load_source(url: str) -> None:
    """The source the writers cite, in a store made elsewhere (bench_projections.py's) too."""
    app = Casetrail(url, recorded_by="load-web", create=False)
    try:
        with contextlib.suppress(AlreadyExists):
            app.add_source("load-src", url="https://example.org/load")
    finally:
        app.close()


def serve(url: str):
    """The app on a free loopback port: (base URL, site, a function that stops it)."""
    import uvicorn

    from casetrail.web.app import create_app

    web = create_app(url)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(web, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)

    def stop() -> None:
        server.should_exit = True
        thread.join(timeout=60)

    return f"http://127.0.0.1:{port}", web.state.site, stop


class Tally:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.times: dict[str, list[float]] = defaultdict(list)
        self.errors: list[str] = []
        self.written: list[tuple[str, str]] = []  # (person, event id) answered 201
        self.requests = 0

    def add(self, kind: str, answer: httpx.Response, wanted: int) -> None:
        timing = answer.headers.get("server-timing", "app;dur=0").split("dur=")[1]
        with self.lock:
            self.requests += 1
            if answer.status_code != wanted:
                self.errors.append(f"{kind} {answer.status_code}: {answer.text[:200]}")
            else:
                self.times[kind].append(float(timing))


def reader(base: str, token: str, keys: list[str], lists: list[str], until: float, most: int, tally: Tally) -> None:
    headers = {"authorization": f"Bearer {token}"}
    with httpx.Client(base_url=base, headers=headers, timeout=60) as client:
        while time.monotonic() < until and tally.requests < most:
            roll = random.random()
            if roll < 0.5:
                tally.add("case page", client.get(f"/people/{random.choice(keys)}", params={"as_of": V}), 200)
            elif roll < 0.9:
                tally.add("list page", client.get(f"/lists/{random.choice(lists)}", params={"as_of": V}), 200)
            else:
                tally.add("home page", client.get("/", params={"as_of": V}), 200)


def writer(base: str, token: str, keys: list[str], until: float, most: int, tally: Tally) -> None:
    headers = {"authorization": f"Bearer {token}"}
    with httpx.Client(base_url=base, headers=headers, timeout=60) as client:
        while time.monotonic() < until and tally.requests < most:
            key = random.choice(keys)
            # Each note says something new: the same note from the same source is one claim, refused again.
            answer = client.post(f"/api/people/{key}/facts", json={
                "type": "noted", "on": "2022-02", "source": "load-src", "text": f"load test note {uuid.uuid4().hex}"})
            tally.add("POST fact", answer, 201)
            if answer.status_code == 201:
                with tally.lock:
                    tally.written.append((key, answer.json()["id"]))


def lost(url: str, written: list[tuple[str, str]]) -> int:
    app = Casetrail(url, recorded_by=None, create=False)
    try:
        stored: dict[str, set[str]] = {}
        for key in {k for k, _ in written}:
            stored[key] = {str(e.id) for e in app.person(key).history}
        return sum(1 for key, event_id in written if event_id not in stored[key])
    finally:
        app.close()


def baseline(site, keys: list[str], lists: list[str], rounds: int = 50) -> dict[str, list[float]]:
    """The same questions in-process, as the CLI asks them (milliseconds): one person folded, the
    first page of a list (the CLI's ``list`` gives the whole list), every list counted."""
    times: dict[str, list[float]] = defaultdict(list)
    at = At(V)
    for _ in range(rounds):
        for kind, ask in (("case page", lambda: site.store.person(random.choice(keys)).fold(V)),
                          ("list page", lambda: site.views.members(random.choice(lists), at, PAGE_SIZE)),
                          ("home page", lambda: site.views.counts(at))):
            started = time.perf_counter()
            ask()
            times[kind].append((time.perf_counter() - started) * 1000)
    return times


def p(values: list[float], share: float) -> float:
    return statistics.quantiles(values, n=100)[int(share * 100) - 1] if len(values) > 1 else (values or [0])[0]


def run(args: argparse.Namespace) -> dict[str, object]:
    folder = tempfile.mkdtemp(prefix="casetrail-load-")
    url = args.db or synthetic_store(args.people, folder)
    with_load_source(url)
    base, site, stop = serve(url)
    try:
        for name, role in (("load-viewer", "viewer"), ("load-editor", "editor")):
            with contextlib.suppress(AlreadyExists):  # a store loaded before
                site.accounts.add(name, role, PASSWORD)
        read_token, write_token = site.accounts.new_token("load-viewer"), site.accounts.new_token("load-editor")
        site.caught_up()
        keys = [p["person"] for p in site.views.registered_people()][: args.sample]
        lists = list(site.rules.names)
        tally, until = Tally(), time.monotonic() + args.seconds
        threads = [threading.Thread(target=reader, args=(base, read_token, keys, lists, until, args.most_requests,
                                                         tally)) for _ in range(args.readers)]
        threads += [threading.Thread(target=writer, args=(base, write_token, keys, until, args.most_requests, tally))
                    for _ in range(args.writers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        inside = baseline(site, keys, lists)
    finally:
        stop()
    try:
        missing = lost(url, tally.written)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return {"requests": tally.requests, "errors": tally.errors, "written": len(tally.written),
            "lost": missing, "times": dict(tally.times), "baseline": dict(inside)}


def report(result: dict) -> None:
    print(f"{result['requests']} requests, {len(result['errors'])} errors, {result['written']} facts written, "
          f"{result['lost']} lost")
    for error in result["errors"][:10]:
        print("  error:", error)
    print(f"{'page':<12} {'n':>6} {'p50 ms':>8} {'p95 ms':>8} {'in-process p95 ms':>18}")
    for kind, values in sorted(result["times"].items()):
        inside = result["baseline"].get(kind, [])
        print(f"{kind:<12} {len(values):>6} {p(values, .5):>8.1f} {p(values, .95):>8.1f} "
              f"{p(inside, .95) if inside else float('nan'):>18.1f}")


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", help="an existing store (its users are left in it); default: a synthetic one")
    parser.add_argument("--people", type=int, default=200, help="people in the synthetic store")
    parser.add_argument("--readers", type=int, default=20)
    parser.add_argument("--writers", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--most-requests", type=int, default=200_000, help="stop after this many, whatever the time")
    parser.add_argument("--sample", type=int, default=5_000, help="people the readers and writers choose among")
    args = parser.parse_args(argv)
    result = run(args)
    report(result)
    return result


if __name__ == "__main__":
    outcome = main()
    sys.exit(1 if outcome["errors"] or outcome["lost"] else 0)
