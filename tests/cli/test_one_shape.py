"""An event has one JSON shape (rendering/shapes.py): what --json prints is what export writes."""

from __future__ import annotations

import orjson


def test_show_json_and_export_give_each_event_the_same_shape(omarov):
    detained = omarov("record omarov-aslanbek detained --on 2022-01-09 --place Aqtobe --note 'held two days' "
                      "--source rferl-omarov").stdout.strip()
    omarov("record omarov-aslanbek sentenced --on 2023-02 --kind suspended --charges 'mass riots' "
           "--source rferl-omarov")
    shown = omarov.json("show omarov-aslanbek")["events"]
    retraction = omarov.json(f"retract omarov-aslanbek {detained} --reason 'wrong person' --source rferl-omarov")

    exported = [orjson.loads(line) for line in omarov("export").stdout.splitlines()]

    events = [r for r in exported if r["record"] == "event"]
    assert [{"person": e.pop("person"), **e} for e in events if e.pop("record")] == [
        {"person": "omarov-aslanbek", **event} for event in shown] + [retraction]
