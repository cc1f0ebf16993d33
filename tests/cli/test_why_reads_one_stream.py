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
