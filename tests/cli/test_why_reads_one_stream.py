"""``why`` answers from the person's own stream and the sources it cites, as ``timeline KEY`` does:
it has no need to bring everyone's read models up to date first."""

from __future__ import annotations


def test_why_answers_without_bringing_the_read_models_up_to_date(omarov):
    omarov("record omarov-aslanbek detained --on 2022-01-09 --source rferl-omarov")
    omarov("projections catch-up")
    omarov("record omarov-aslanbek released --on 2022-01-12 --source rferl-omarov")
    before = omarov.json("projections status")

    answer = omarov.json("why omarov-aslanbek detained --as-of 2022-02-01")

    assert answer["member"] is True and answer["since"] == "2022-01-09"
    assert [h["url"] for h in answer["history"]] == [
        "https://www.rferl.org/a/kazakhstan-omarov-compensation/33000000.html"]
    assert omarov.json("projections status")["position"] == before["position"] < before["head"]


def test_why_and_timeline_refuse_a_record_time_before_the_person_was_registered(omarov, tmp_path):
    registered = omarov.json("person list")[0]["registered_at"][:19]
    refused = (f"Error: person omarov-aslanbek was not registered yet at 2020-01-01T23:59:59+00:00; the record "
               f"starts {registered}+00:00")

    assert omarov.error("why omarov-aslanbek detained --known-at 2020-01-01") == refused
    assert omarov.error(f"timeline omarov-aslanbek --known-at 2020-01-01 --html {tmp_path / 'page.html'}") == refused
    assert not (tmp_path / "page.html").exists()
