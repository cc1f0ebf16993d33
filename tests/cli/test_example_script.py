"""examples/january2022.sh, end to end through the installed `casetrail` command."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.cli.conftest import Cli

SCRIPT = Path(__file__).parents[2] / "examples" / "january2022.sh"


def test_the_example_script_records_the_three_aqtobe_cases(store_url):
    env = {**os.environ, "CASETRAIL_DB": store_url,
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}

    run = subprocess.run(["bash", str(SCRIPT)], env=env, capture_output=True, text=True, timeout=300)

    assert run.returncode == 0, run.stderr
    assert "RECLASSIFIED" in run.stdout and "Faizulla Nurgeldin" in run.stdout
    assert "accidental_victims: Accidental victims (alive) - as of 2022-02-01, known at now - 1 member" in run.stdout
    assert "accidental_victims: Accidental victims (alive) - as of 2022-04-01, known at now - 0 members" in run.stdout
    assert "Faizulla Nurgeldin (nurgeldin-faizulla) is not on accidental_victims, as of 2022-04-01" in run.stdout
    cli = Cli(store_url)
    omarov = cli.json("show omarov-aslanbek")
    assert omarov["status"] == {"custody": "free", "legal": "convicted", "appeal_pending": False, "vital": "alive",
                                "designation": None, "headline": "released", "days_in_custody": 265,
                                # Issue 13: the report gives no kind of sentence; his release was reported.
                                "sentence": "unknown", "release_reported": True, "died_in_custody": False,
                                "posthumous": False, "allegation": "torture"}
    assert omarov["compensation"] == [{"currency": "KZT", "awarded": "3500000", "claimed": "40000000"}]
    assert [e["type"] for e in omarov["events"]] == [
        # Issue 12 item 7: the charge (2022-01) and the allegation (2022-01~) are told after the
        # detention on 9 January that their dates overlap.
        "detained", "charged", "allegation", "placed_under_house_arrest", "released", "sentenced", "appealed",
        "appeal_decided", "compensated"]
    assert {e["source"] for e in omarov["events"]} == {"rferl-omarov"}
    in_house_arrest = cli.json("show omarov-aslanbek --as-of 2022-07-01")["status"]
    assert in_house_arrest["headline"] == "house_arrest"

    reclassified = [s["reclassification"] for s in cli.json("replay zhubanazarov-ruslanbek")["steps"]
                    if s["reclassification"]]
    assert [(r["from"], r["to"], r["by"], r["source"]) for r in reclassified] == [
        ("terrorist", "accidental_victim", "court", "rferl-omarov")]

    february = cli.json("show nurgeldin-faizulla --as-of 2022-02-01")["status"]
    april = cli.json("show nurgeldin-faizulla --as-of 2022-04-01")["status"]
    assert (february["designation"], february["vital"]) == ("accidental_victim", "alive")
    assert (april["designation"], april["vital"]) == ("accidental_victim", "deceased")
