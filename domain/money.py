"""Money: exact decimal amounts with an ISO 4217 currency code. Never a float."""

from __future__ import annotations

import re
from decimal import MAX_EMAX, MAX_PREC, MIN_EMIN, Context, Decimal, Inexact
from typing import Annotated, Any

from pydantic import BeforeValidator, PlainSerializer

from casetrail.domain.errors import BadInput

# Active ISO 4217 codes (list one, as amended in 2024), plus the fund and
# precious-metal codes a court or fund may name.
CURRENCIES = frozenset("""
AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BOV BRL BSD BTN BWP BYN BZD
CAD CDF CHE CHF CHW CLF CLP CNY COP COU CRC CUC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP
GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR
LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP
PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SLL SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP
TRY TTD TWD TZS UAH UGX USD USN UYI UYU UYW UZS VED VES VND VUV WST XAF XAG XAU XBA XBB XBC XBD XCD XCG XDR XOF XPD
XPF XPT XSU XUA YER ZAR ZMW ZWG ZWL
""".split())


def parse_amount(value: Any, what: str = "amount") -> Decimal:
    """A positive exact amount: '3500000', '3 500 000', '3,500,000.50'."""
    if isinstance(value, bool) or isinstance(value, float):
        # A float has already lost exactness: ask for the digits instead.
        raise BadInput(f"{what} {value!r} must be given as digits (a string or integer), not a float")
    if isinstance(value, Decimal):
        value = format(value, "f")  # str() would write a tiny amount as '1E-22'
    compact = str(value).strip().replace(" ", "").replace("\u00a0", "").replace("_", "")
    if "," in compact and not re.fullmatch(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?", compact):
        # '1,5' or '3 500 000,50' (a decimal comma) must not become 15 or 350000050.
        raise BadInput(f"{what} '{value}' is ambiguous: write decimals with a point and use commas only "
                       "between groups of three digits, e.g. 3500000.50 or 3,500,000.50")
    text = compact.replace(",", "")
    if not re.fullmatch(r"[+-]?[0-9]+(?:\.[0-9]+)?", text):
        # Plain ASCII digits only: no exponents ('1e3'), no other scripts' digits, no 'NaN'.
        raise BadInput(f"{what} '{value}' is not a number: give digits, e.g. 3500000 or 6500.50")
    amount = Decimal(text)
    if amount <= 0:
        raise BadInput(f"{what} '{value}' must be greater than zero")
    return amount


def parse_currency(value: Any) -> str:
    code = str(value).strip().upper()
    if code not in CURRENCIES:
        raise BadInput(f"currency '{value}' is not an ISO 4217 code: use three letters such as KZT, USD or EUR")
    return code


# Minor units of the codes above that ISO has withdrawn since (list three), so the
# iso4217 package, which follows the current list one, no longer names them.
_WITHDRAWN_MINOR_UNITS = {"ANG": 2, "BGN": 2, "CUC": 2, "SLL": 2, "ZWL": 2}


def minor_units(currency: str) -> int | None:
    """The decimals ISO 4217 gives a currency (KZT 2, JPY 0, KWD 3); None for the codes
    it gives none (gold, special drawing rights), whose amounts may have any."""
    from iso4217 import Currency  # parses ISO's table (50 ms): only when an amount is given

    try:
        return Currency(currency).exponent
    except ValueError:
        return _WITHDRAWN_MINOR_UNITS.get(currency, 2)


def decimals(amount: Decimal) -> int:
    """The decimals an amount needs: 3500000.50 two, 3500000.500 two as well."""
    return len(format(amount, "f").partition(".")[2].rstrip("0"))


def check_minor_units(amount: Decimal | None, currency: str | None, what: str) -> None:
    """Refuse an amount finer than its currency's smallest unit (0.0000001 KZT)."""
    if amount is None or currency is None:
        return
    allowed, needed = minor_units(currency), decimals(amount)
    if allowed is not None and needed > allowed:
        fix = f"give it to at most {_decimals(allowed)}" if allowed else "give a whole amount"
        raise ValueError(f"{what} {amount_text(amount, grouped=False)} {currency} has {_decimals(needed)}; "
                         f"{currency} has {allowed or 'none'} (ISO 4217): {fix}")


def _decimals(count: int) -> str:
    return f"{count} decimal" + ("" if count == 1 else "s")


# Sums of amounts are exact whatever their size: the default context keeps 28 digits
# and would round a large total (1.234567890123456789012345679E+28). Inexact is a trap,
# so a sum that could not be exact fails loudly instead of being rounded.
_EXACT = Context(prec=MAX_PREC, Emax=MAX_EMAX, Emin=MIN_EMIN, traps=[Inexact])


def exact_sum(*amounts: Decimal | int) -> Decimal:
    total = Decimal(0)
    for amount in amounts:
        total = _EXACT.add(total, amount)
    return total


def amount_text(amount: Decimal, grouped: bool = True) -> str:
    """Every digit, in fixed point (never 1E+28), with thousands separators when ``grouped``."""
    return format(amount, ",f" if grouped else "f")


def _amount(value: Any) -> Decimal:
    try:
        return parse_amount(value, "amount")
    except BadInput as error:
        raise ValueError(str(error)) from None


def _currency(value: Any) -> str:
    try:
        return parse_currency(value)
    except BadInput as error:
        raise ValueError(str(error)) from None


# Stored and shown as strings, so JSON keeps every digit; in fixed point, because str()
# writes 0.0000000000000000000001 as '1E-22', which the parser (digits only) refuses.
Amount = Annotated[Decimal, BeforeValidator(_amount),
                   PlainSerializer(lambda d: amount_text(d, grouped=False), return_type=str)]
Currency = Annotated[str, BeforeValidator(_currency)]
