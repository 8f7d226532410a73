"""Money helpers: amounts are integer fen (1 yuan = 100 fen), never floats."""

import re
import unicodedata
from decimal import MAX_EMAX, MAX_PREC, MIN_EMIN, Context, Decimal

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

MAX_FEN = 100_000_000_000_00  # 10**13 fen = 100 billion yuan (1,000亿): rejects absurd input

# Shifting a Decimal's exponent must never round, whatever the number of digits.
_EXACT = Context(prec=MAX_PREC, Emax=MAX_EMAX, Emin=MIN_EMIN)

_UNIT_SHIFT = {"": 0, "万": 4, "亿": 8}  # powers of ten

# Input is NFKC-normalised first, so "￥", "，", "．" and full-width digits arrive as ASCII.
_NUMBER = r"(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?|\.[0-9]+"
_AMOUNT_RE = re.compile(
    rf"(?P<minus>-)?\s*¥?\s*(?P<number>{_NUMBER})\s*(?P<unit>[万亿]?)\s*元?"
)
_STRICT_RE = re.compile(r"(?P<minus>-)?(?P<number>[0-9]+(?:\.(?P<fraction>[0-9]+))?)")


class MoneyError(ValueError):
    """Invalid amount; `message` is a lazy translatable string."""

    def __init__(self, message: LazyString | str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return str(self.message)


def parse_amount(text: str, *, max_fen: int = MAX_FEN, allow_zero: bool = True) -> int:
    """Parse what a person typed ("¥12,345.67", "1.5万元", "８００") into fen."""
    text = unicodedata.normalize("NFKC", text).strip()
    if not text:
        raise MoneyError(_l("Please enter an amount."))
    match = _AMOUNT_RE.fullmatch(text)
    if match is None:
        raise MoneyError(_l("Please enter the amount as a number, e.g. 12,345.67 or 1.5万."))
    yuan = Decimal(match["number"].replace(",", ""))
    fen = yuan.scaleb(2 + _UNIT_SHIFT[match["unit"]], context=_EXACT)
    return _checked_fen(fen, bool(match["minus"]), max_fen=max_fen, allow_zero=allow_zero)


def parse_decimal_string(
    value: object, *, max_fen: int = MAX_FEN, allow_zero: bool = True
) -> int:
    """Parse a JSON API amount: a plain decimal string in yuan or an int of yuan."""
    # bool is an int subclass and float is never exact enough for money.
    if isinstance(value, int) and not isinstance(value, bool):
        fen = Decimal(abs(value)).scaleb(2, context=_EXACT)
        return _checked_fen(fen, value < 0, max_fen=max_fen, allow_zero=allow_zero)
    if not isinstance(value, str):
        raise MoneyError(_l('Amount must be a string such as "12345.67".'))
    match = _STRICT_RE.fullmatch(value)
    if match is None:
        raise MoneyError(_l('Amount must be a string such as "12345.67".'))
    if len(match["fraction"] or "") > 2:
        raise MoneyError(_l("Amount cannot have more than two decimal places."))
    fen = Decimal(match["number"]).scaleb(2, context=_EXACT)
    return _checked_fen(fen, bool(match["minus"]), max_fen=max_fen, allow_zero=allow_zero)


def _checked_fen(fen: Decimal, negative: bool, *, max_fen: int, allow_zero: bool) -> int:
    """Validate a non-negative Decimal count of fen; `negative` is the sign typed."""
    if negative and fen:
        raise MoneyError(_l("Amount cannot be negative."))
    if fen != fen.to_integral_value():
        raise MoneyError(_l("Amount cannot have more than two decimal places."))
    if fen > max_fen:
        raise MoneyError(_l("Amount cannot exceed %(max)s.", max=format_yuan(max_fen)))
    if not fen and not allow_zero:
        raise MoneyError(_l("Amount must be greater than zero."))
    return int(fen)


def to_decimal_string(fen: int) -> str:
    """Yuan with exactly two decimals for JSON: 1234567 -> "12345.67"."""
    sign, yuan, cents = _split(fen, 100)
    return f"{sign}{yuan}.{cents:02d}"


def format_yuan(fen: int) -> str:
    """Display form: 1234567 -> "¥12,345.67", -150 -> "-¥1.50"."""
    sign, yuan, cents = _split(fen, 100)
    return f"{sign}¥{yuan:,}.{cents:02d}"


def format_wan(fen: int) -> str:
    """Display in 万元 rounded half-up to 2 decimals: 1234500 -> "1.23万元"."""
    _require_int(fen)
    # One hundredth of a 万元 is 100 yuan = 10,000 fen.
    sign, wan, hundredths = _split(_div_half_up(fen, 10_000), 100)
    return f"{sign}{wan:,}.{hundredths:02d}万元"


def percent_of(fen: int, numerator: int, denominator: int) -> int:
    """fen * numerator / denominator, rounded half away from zero to whole fen."""
    for n in (fen, numerator, denominator):
        _require_int(n)
    return _div_half_up(fen * numerator, denominator)


def round_half_up_to_yuan(fen: int) -> int:
    """Round to a whole yuan (multiple of 100 fen), half away from zero."""
    _require_int(fen)
    return _div_half_up(fen, 100) * 100


def _require_int(value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"money amounts must be int fen, not {type(value).__name__}")


def _div_half_up(numerator: int, denominator: int) -> int:
    """Integer division rounding half away from zero (so -2.5 -> -3, like 2.5 -> 3)."""
    if denominator == 0:
        raise ZeroDivisionError("denominator must not be zero")
    quotient = (2 * abs(numerator) + abs(denominator)) // (2 * abs(denominator))
    return -quotient if (numerator < 0) != (denominator < 0) else quotient


def _split(fen: int, unit: int) -> tuple[str, int, int]:
    """Split into (sign, whole units, remainder) of the absolute value."""
    _require_int(fen)
    whole, rest = divmod(abs(fen), unit)
    return ("-" if fen < 0 else ""), whole, rest
