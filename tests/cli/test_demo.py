"""casetrail demo: the README's first command, in a folder of the test's own."""

from __future__ import annotations

import shutil
import subprocess

from typer.testing import CliRunner

from casetrail.cli.main import app


def test_demo_loads_the_dataset_and_shows_replay_a_case_audit_lists_and_a_timeline_page(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the user's own ./casetrail.db must stay untouched

    result = CliRunner().invoke(app, ["demo", "--folder", str(tmp_path / "demo")])

    assert result.exit_code == 0, result.output
    out = result.stdout
    sections = [line for line in out.splitlines() if line.startswith("== ")]
    assert len(sections) == 6
    trial = out.split("== The trial of 16 in Aqtobe")[1].split("\n== ")[0]
    assert "Trial of 16 people in Aqtobe (aqtobe-2023-02, Aqtobe court)" in trial and "16 parties" in trial
    assert "omarov-aslanbek" in trial and "15 unnamed" in trial and "sentenced 2023-02" in trial
    feb, apr = out.split("Who was on the accidental victims list on ")[1:3]
    assert "nurgeldin-faizulla" in feb and "1 member" in feb
    assert "nurgeldin-faizulla" not in apr and "0 members" in apr
    assert "custody: house_arrest -> free" in out and "accidental_victims" in out
    page = tmp_path / "demo" / "zhubanazarov-ruslanbek.html"
    assert f"Open {page}" in out and page.read_text().startswith("<!DOCTYPE html>")
    assert not (tmp_path / "casetrail.db").exists()


def test_demo_refuses_a_folder_that_already_holds_a_demo(tmp_path):
    runner = CliRunner()
    runner.invoke(app, ["demo", "--folder", str(tmp_path)])

    again = runner.invoke(app, ["demo", "--folder", str(tmp_path)])

    assert again.exit_code != 0
    assert "already holds a demo store" in again.stderr


def test_the_installed_command_runs_the_demo_from_the_packaged_dataset(tmp_path):
    command = shutil.which("casetrail")
    assert command, "casetrail is not installed on PATH (pip install .)"

    done = subprocess.run([command, "demo", "--folder", str(tmp_path)], capture_output=True, text=True, timeout=120)

    assert done.returncode == 0, done.stderr
    assert "Loaded the January 2022 dataset (7 person records" in done.stdout  # 6 people, one recorded twice, merged
