"""The load script runs, stops by itself and finds every fact it wrote (a few seconds on 127.0.0.1, not a
benchmark: the lead runs it at size)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[2] / "benchmarks"))

import load_web  # noqa: E402


def test_a_short_bounded_load_has_no_errors_and_loses_no_write(tmp_path):
    result = load_web.main(["--people", "3", "--readers", "2", "--writers", "1", "--seconds", "2",
                            "--most-requests", "200"])

    assert result["errors"] == [] and result["lost"] == 0
    assert result["written"] > 0 and result["requests"] <= 200 + 3
    assert {"case page", "list page", "POST fact"} <= set(result["times"])
