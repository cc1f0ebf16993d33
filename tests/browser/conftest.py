"""Browser fixtures: headless Chromium and the TimelineJS package, or a skip that says how to get them.

Set CASETRAIL_REQUIRE_BROWSER=1 (CI does) to make a missing browser or package a failure:
a skipped test proves nothing.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import pytest

from tests.browser.browser import REQUIRE, Chromium, find_chromium
from tests.cli.conftest import Cli
from tests.cli.test_views_commands import record_script

HERE = Path(__file__).parent
TIMELINEJS = HERE / "node_modules" / "@knight-lab" / "timelinejs" / "dist"


def unavailable(reason: str) -> None:
    if os.environ.get(REQUIRE) == "1":
        pytest.fail(f"{reason} ({REQUIRE}=1 forbids skipping)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def chromium(tmp_path_factory) -> Chromium:
    binary = find_chromium()
    if binary is None:
        unavailable("headless Chromium not found (/usr/bin/chromium, or set CASETRAIL_CHROMIUM); "
                    "install it with: apt-get install -y chromium")
    return Chromium(binary, tmp_path_factory.mktemp("chromium"))


@pytest.fixture(scope="session")
def timelinejs() -> Path:
    """The dist folder of the pinned @knight-lab/timelinejs."""
    if not (TIMELINEJS / "js" / "timeline.js").is_file():
        unavailable(f"TimelineJS is not installed in {HERE / 'node_modules'}; run: npm ci --prefix tests/browser")
    return TIMELINEJS


@dataclass(frozen=True)
class Recorded:
    """The three Aqtobe cases of examples/january2022.sh, and one person whose every text is hostile."""

    cli: Cli
    url: str
    retracted: str  # the id of the hostile person's retracted release
    before_retraction: str  # a --known-at at which that release still counted


HOSTILE_NAME = "<script>alert(1)</script> & Co"
HOSTILE_NOTE = "<img src=x onerror=alert(2)>"


@pytest.fixture(scope="session")
def recorded(tmp_path_factory) -> Recorded:
    url = str(tmp_path_factory.mktemp("aqtobe") / "cases.db")
    cli = record_script(Cli(url))
    cli(["source", "add", "hostile-source", "--url", "https://example.org/report?a=1&b=<2>",
         "--outlet", "Outlet & <Co>", "--title", 'A "quoted" <i>title</i>'])
    cli(["person", "add", "hostile-text", "--name", HOSTILE_NAME])
    cli(["record", "hostile-text", "detained", "--on", "2022-01-06", "--place", "<b>Almaty</b>",
         "--source", "hostile-source", "--note", HOSTILE_NOTE])
    released = cli(["record", "hostile-text", "released", "--on", "2022-01-20", "--source", "hostile-source"])
    event_id = released.stdout.split()[-1]
    time.sleep(0.01)
    before = datetime.now(timezone.utc).isoformat(timespec="microseconds").replace("+00:00", "")
    time.sleep(0.01)
    cli(["retract", "hostile-text", event_id, "--reason", "wrong date"])
    return Recorded(cli, url, event_id, before)
