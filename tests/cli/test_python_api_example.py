"""examples/python_api.py, run as a user would run it, on a store of the test's own."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).parents[2] / "examples" / "python_api.py"


def test_the_python_api_example_tells_omarovs_case(tmp_path):
    store = tmp_path / "cases.db"

    run = subprocess.run([sys.executable, str(SCRIPT), str(store)], capture_output=True, text=True, timeout=300)

    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines[0] == f"store: {store}"
    assert store.exists()
    # Two valid dates: detained in February, under house arrest in July; the retracted designation is gone.
    assert "as of 2022-02-01: headline=detained custody=detained designation=- days_in_custody=23" in lines
    assert "as of 2022-07-01: headline=house_arrest custody=house_arrest designation=- days_in_custody=173" in lines
    # As recorded before the retraction, the wrong designation still counts.
    assert ("as of 2022-07-01, known at the wrong fact: headline=house_arrest custody=house_arrest "
            "designation=terrorist days_in_custody=173") in lines
    # 2022-05~ reaches past 15 May: the answer is uncertain.
    assert "as of 2022-05-15: headline=house_arrest custody=house_arrest designation=- days_in_custody=126 (uncertain)" \
        in lines
    # The read models, at two valid dates and at a record time before any fact (issue 13's four lists last).
    issue_13 = " died_in_custody=0 posthumously_prosecuted=0 torture_alleged=0 non_custodial_sentence=0"
    assert ("lists as of 2022-02-01: detained=1 in_custody=1 convicted=0 fatalities=0 accidental_victims=0 "
            "compensated=0" + issue_13) in lines
    assert ("lists as of 2024-09-01: detained=1 in_custody=0 convicted=0 fatalities=0 accidental_victims=0 "
            "compensated=1" + issue_13) in lines
    assert ("lists as of 2022-02-01, known at registration: detained=0 in_custody=0 convicted=0 fatalities=0 "
            "accidental_victims=0 compensated=0" + issue_13) in lines
    assert lines[-1] == "detained as of 2022-02-01: Aslanbek Omarov since 2022-01-09"
