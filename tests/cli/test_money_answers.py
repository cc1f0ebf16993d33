"""Money as a user records and reads it (issue 11, item 16): sums exact and printed in full,
no amount finer than its currency's ISO 4217 minor unit."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

COMPENSATED = "record omarov-aslanbek compensated --on 2024-08-31 --source rferl-omarov"
HUGE = "9999999999999999999999999999.99"  # 30 digits: past the 28 of Decimal's default context


def test_a_sum_of_large_amounts_is_kept_exact_and_shown_in_full(omarov):
    omarov(f"{COMPENSATED} --amount {HUGE} --currency KZT")
    omarov(f"{COMPENSATED} --amount 3500000 --currency KZT --distinct")  # a second award, not another account

    shown = omarov.json("show omarov-aslanbek")["compensation"]
    audit = omarov.json("audit omarov-aslanbek")["changes"]
    text = omarov.text("show omarov-aslanbek")

    assert shown == [{"currency": "KZT", "awarded": "10000000000000000000003499999.99", "claimed": "0"}]
    assert [c["to"] for c in audit if c["facet"] == "compensation"] == ["10,000,000,000,000,000,000,003,499,999.99 KZT"]
    assert "KZT 10,000,000,000,000,000,000,003,499,999.99 awarded" in text
    assert "E+" not in text


def test_a_compensation_is_shown_with_thousands_separators_in_the_audit_table(omarov):
    omarov(f"{COMPENSATED} --amount 3500000 --currency KZT --claimed 40000000")

    assert "none 3,500,000 KZT compensated" in omarov.text("audit omarov-aslanbek")
    assert "KZT 3,500,000 awarded of 40,000,000 claimed" in omarov.text("show omarov-aslanbek")


@pytest.mark.parametrize("options, message", [
    ("compensated --amount 0.0000001 --currency KZT",
     "compensated: amount 0.0000001 KZT has 7 decimals; KZT has 2 (ISO 4217): give it to at most 2 decimals"),
    ("compensated --amount 3500000 --claimed 40000000.001 --currency KZT",
     "compensated: claimed 40000000.001 KZT has 3 decimals; KZT has 2 (ISO 4217): give it to at most 2 decimals"),
    ("compensated --amount 1000.5 --currency JPY",
     "compensated: amount 1000.5 JPY has 1 decimal; JPY has none (ISO 4217): give a whole amount"),
    ("appealed --claim 40000000.505 --currency KZT",
     "appealed: claim 40000000.505 KZT has 3 decimals; KZT has 2 (ISO 4217): give it to at most 2 decimals"),
])
def test_an_amount_finer_than_its_currency_s_minor_unit_is_refused(omarov, options, message):
    command = f"record omarov-aslanbek {options} --on 2024-08-31 --source rferl-omarov"

    assert omarov.error(command) == f"Error: {message}"
    assert omarov.json("show omarov-aslanbek")["events"] == []


@pytest.mark.parametrize("amount, currency", [("3500000.50", "KZT"), ("3500000.500", "KZT"), ("1000", "JPY"),
                                              ("12.125", "KWD"), ("0.0001", "XAU")])
def test_an_amount_within_its_currency_s_minor_unit_is_accepted(omarov, amount, currency):
    omarov(f"{COMPENSATED} --amount {amount} --currency {currency}")

    assert omarov.json("show omarov-aslanbek")["compensation"][0]["awarded"] == amount


def test_an_import_with_an_amount_finer_than_the_minor_unit_is_refused_whole(omarov, tmp_path: Path):
    path = tmp_path / "cases.json"
    path.write_text(json.dumps([
        {"record": "person", "key": "mamay-zhanbolat", "name": "Zhanbolat Mamay"},
        {"record": "event", "person": "omarov-aslanbek", "type": "compensated", "on": "2024-08-31",
         "amount": "0.0000001", "currency": "KZT", "source": "rferl-omarov"},
    ]))

    error = omarov.error(f"import {path}")

    assert error == (f"Error: {path} line 1 (record #2): compensated of omarov-aslanbek: amount 0.0000001 KZT has 7 decimals; "
                     "KZT has 2 (ISO 4217): give it to at most 2 decimals; nothing was imported")
    assert [p["person"] for p in omarov.json("person list")] == ["omarov-aslanbek"]
