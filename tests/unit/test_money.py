"""Money: exact Decimal amounts and ISO 4217 currency codes, never floats."""

from __future__ import annotations

from decimal import Decimal

import pytest

from casetrail.domain.errors import BadInput
from casetrail.domain.money import amount_text, decimals, exact_sum, minor_units, parse_amount, parse_currency


@pytest.mark.parametrize("text, amount", [
    ("3500000", Decimal("3500000")),
    ("3 500 000", Decimal("3500000")),
    ("3\u00a0500\u00a0000", Decimal("3500000")),
    ("3,500,000.50", Decimal("3500000.50")),
    ("6500.50", Decimal("6500.50")),
    ("40_000_000", Decimal("40000000")),
    (" 7000000 ", Decimal("7000000")),
    (7000000, Decimal("7000000")),
    (Decimal("0.01"), Decimal("0.01")),
])
def test_an_amount_is_read_exactly(text, amount):
    parsed = parse_amount(text)

    assert parsed == amount
    assert isinstance(parsed, Decimal)


def test_an_amount_keeps_its_written_decimals():
    assert str(parse_amount("3,500,000.50")) == "3500000.50"


@pytest.mark.parametrize("value", ["0", "0.00", 0, "-0"])
def test_a_zero_amount_is_refused(value):
    with pytest.raises(BadInput) as refused:
        parse_amount(value)

    assert str(refused.value) == f"amount '{value}' must be greater than zero"


@pytest.mark.parametrize("value", ["-5", "-3 500 000", -1])
def test_a_negative_amount_is_refused(value):
    with pytest.raises(BadInput) as refused:
        parse_amount(value)

    assert str(refused.value) == f"amount '{value}' must be greater than zero"


@pytest.mark.parametrize("value", ["abc", "3.5 million", "", "$100", "1.2.3"])
def test_an_amount_that_is_not_a_number_is_refused(value):
    with pytest.raises(BadInput) as refused:
        parse_amount(value, "--amount")

    assert str(refused.value) == f"--amount '{value}' is not a number: give digits, e.g. 3500000 or 6500.50"


@pytest.mark.parametrize("value", ["NaN", "nan", "inf", "-Infinity", "Infinity", "sNaN"])
def test_nan_and_infinity_are_refused(value):
    with pytest.raises(BadInput, match="is not a number"):
        parse_amount(value)


@pytest.mark.parametrize("value", [3500000.0, 0.1, float("nan"), float("inf"), True])
def test_a_float_is_refused_because_it_has_already_lost_exactness(value):
    with pytest.raises(BadInput) as refused:
        parse_amount(value)

    assert str(refused.value) == f"amount {value!r} must be given as digits (a string or integer), not a float"


@pytest.mark.parametrize("value", ["1,5", "3 500 000,50", "3,50", "35,00,000"])
def test_a_decimal_comma_is_refused_rather_than_misread_as_thousands(value):
    with pytest.raises(BadInput) as refused:
        parse_amount(value)

    assert str(refused.value) == (f"amount '{value}' is ambiguous: write decimals with a point and use commas "
                                  "only between groups of three digits, e.g. 3500000.50 or 3,500,000.50")


@pytest.mark.parametrize("value, code", [("KZT", "KZT"), ("kzt", "KZT"), (" usd ", "USD"), ("eur", "EUR")])
def test_a_currency_is_an_upper_case_iso_code(value, code):
    assert parse_currency(value) == code


@pytest.mark.parametrize("value", ["XYZ", "dollars", "tenge", "", "KZ", "₸"])
def test_an_unknown_currency_is_refused(value):
    with pytest.raises(BadInput) as refused:
        parse_currency(value)

    assert str(refused.value) == (f"currency '{value}' is not an ISO 4217 code: use three letters such as "
                                  "KZT, USD or EUR")


@pytest.mark.parametrize("text", ["0.0000000000000000000001", "3500000", "3500000.10", "100000000000000000000000"])
def test_a_stored_amount_reads_back_as_the_same_amount(text):
    from datetime import datetime, timezone
    from uuid import uuid4

    from casetrail.domain.events import Compensated

    stored = Compensated(originator_id=uuid4(), originator_version=2, timestamp=datetime.now(timezone.utc),
                         on="2024-08-31", source="s", amount=text, currency="XAU", claimed=text)  # gold: any decimals

    again = Compensated.model_validate(stored.model_dump(mode="json"))

    assert stored.model_dump(mode="json")["amount"] == text
    assert again.amount == again.claimed == Decimal(text)


def test_a_sum_of_amounts_beyond_28_digits_is_exact():
    amounts = [Decimal("1234567890123456789012345678.9"), Decimal("0.1"), Decimal("3500000")]

    total = exact_sum(*amounts)

    assert format(total, "f") == "1234567890123456789015845679.0"


def test_an_amount_is_shown_with_every_digit_and_thousands_separators():
    assert amount_text(Decimal("10000000000000000000003499999.99")) == "10,000,000,000,000,000,000,003,499,999.99"
    assert amount_text(Decimal("0.0000001"), grouped=False) == "0.0000001"


@pytest.mark.parametrize("currency, units", [("KZT", 2), ("JPY", 0), ("KWD", 3), ("CLF", 4), ("HUF", 2),
                                             ("IQD", 3), ("XAU", None), ("XDR", None), ("BGN", 2)])
def test_minor_units_are_iso_4217_s(currency, units):
    assert minor_units(currency) == units


def test_trailing_zeros_do_not_count_as_decimals():
    assert decimals(Decimal("3500000.500")) == 1
    assert decimals(Decimal("3500000")) == 0
