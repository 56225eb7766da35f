"""RMB amounts in capital numerals (大写金额), written and checked with cn2an.

cn2an's "rmb" mode writes the conventional form for the amounts these forms carry
(100500 -> 壹拾万零伍佰元整, 1000005 -> 壹佰万零伍元整). Where a run of zeros ends just
before a 仟 digit after 万 or 亿, it omits the 零 (101000 -> 壹拾万壹仟元整,
100005000 -> 壹亿伍仟元整). The PBOC rules for writing amounts on vouchers allow both
with and without that 零, so checking accepts both spellings; writing keeps cn2an's.
Likewise 零 before 角 when the 元 digit is zero is optional (壹拾元零伍角 / 壹拾元伍角).
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from enum import StrEnum

import cn2an

CAPITAL_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_UNITS = "拾佰仟万亿"
_LOWER = "〇一二两三四五六七八九十百千"
# Text that may stand around the numerals in a cell: prefix, punctuation, blanks to fill.
_NOISE = re.compile(r"[\s_＿:：,，。.()（）]|人民币|大写")
# The 零 is optional only when the 仟 digit closes the section (no 万 follows before 元).
_OPTIONAL_ZERO = re.compile(rf"([万亿])零?([{CAPITAL_DIGITS[1:]}]仟)(?=[^万]*元|[^万]*$)")
_OPTIONAL_ZERO_JIAO = re.compile(rf"([{_UNITS}])元零?([{CAPITAL_DIGITS[1:]}]角)")


class CapitalVerdict(StrEnum):
    """How a written capital amount compares with the amount in digits."""

    OK = "ok"
    NONSTANDARD = "nonstandard"  # same value, but not written as the rules ask
    MISMATCH = "mismatch"  # a different amount
    UNREADABLE = "unreadable"  # not capital numerals at all
    EMPTY = "empty"


def _as_decimal(amount: int | float | Decimal) -> Decimal:
    value = Decimal(str(amount)).quantize(Decimal("0.01"))
    if value < 0:
        raise ValueError("amount must not be negative")
    return value


def capital_amount(amount: int | float | Decimal) -> str:
    """Capital numerals for an RMB amount: 100500 -> '壹拾万零伍佰元整'."""
    value = _as_decimal(amount)
    number: int | float = int(value) if value == value.to_integral_value() else float(value)
    return str(cn2an.an2cn(number, "rmb"))


def clean_capital(text: str) -> str:
    """Drop prefixes, punctuation and fill-in blanks around the numerals; 正 -> 整.

    A county that writes 伍佰元整 into 大写_____元 leaves the printed 元 behind it: that
    trailing 元 is dropped.
    """
    cleaned = _NOISE.sub("", text).replace("正", "整").replace("圆", "元")
    return re.sub(r"(元整?)元$", r"\1", cleaned)


def _with_optional_zeros(written: str) -> str:
    """One spelling for both forms the rules allow: always drop the optional 零."""
    written = _OPTIONAL_ZERO.sub(r"\1\2", written)
    return _OPTIONAL_ZERO_JIAO.sub(r"\1元\2", written)


def parse_capital(text: str) -> Decimal | None:
    """The amount a capital-numeral text stands for, or None when it is not one."""
    cleaned = _with_optional_zeros(clean_capital(text))
    # Lower-case numerals (五百元) are read too, so that a wrong spelling of the right
    # amount is told apart from a wrong amount.
    if not cleaned or not re.fullmatch(rf"[{CAPITAL_DIGITS}{_UNITS}{_LOWER}元角分整]+", cleaned):
        return None
    try:
        value = cn2an.cn2an(cleaned, "normal")
    except (ValueError, KeyError, IndexError):
        return None
    try:
        return _as_decimal(value)
    except (InvalidOperation, ValueError):
        return None


def check_capital(text: str, amount: int | float | Decimal) -> CapitalVerdict:
    """Compare a written capital amount with the amount in digits.

    The form prints 元 after the blank (大写_____元), so a written text without 元整 is
    read as whole yuan, and 整 may be left out.
    """
    cleaned = clean_capital(text)
    if cleaned in ("", "元", "元整", "整"):  # only the form's printed 元 around a blank
        return CapitalVerdict.EMPTY
    expected = capital_amount(amount)
    candidates = {cleaned, cleaned + "元", cleaned + "元整", cleaned + "整"}
    wanted = {_with_optional_zeros(expected)}
    if any(_with_optional_zeros(c) in wanted for c in candidates):
        return CapitalVerdict.OK
    value = parse_capital(cleaned)
    if value is None:
        return CapitalVerdict.UNREADABLE
    return CapitalVerdict.NONSTANDARD if value == _as_decimal(amount) else CapitalVerdict.MISMATCH
