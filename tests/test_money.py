"""Rules for money: integer fen in, integer fen out, never a float."""

import random
import re
from decimal import ROUND_HALF_UP, Decimal

import pytest
from flask_babel.speaklater import LazyString
from werkzeug.datastructures import MultiDict
from wtforms import Form
from wtforms.validators import InputRequired, Optional

from core.fields import MoneyField
from core.money import (
    MAX_FEN,
    MoneyError,
    format_wan,
    format_yuan,
    parse_amount,
    parse_decimal_string,
    percent_of,
    round_half_up_to_yuan,
    to_decimal_string,
)

NOT_A_NUMBER = "Please enter the amount as a number, e.g. 12,345.67 or 1.5万."
TOO_MANY_DECIMALS = "Amount cannot have more than two decimal places."
NEGATIVE = "Amount cannot be negative."
NOT_A_JSON_AMOUNT = 'Amount must be a string such as "12345.67".'
ZERO = "Amount must be greater than zero."


def exactly(message: str) -> str:
    """Regex for pytest.raises(match=...) that matches only this exact message."""
    return f"^{re.escape(message)}$"


def _sample_fen(count: int = 3000) -> list[int]:
    """Edge values plus reproducible random amounts of every magnitude."""
    rng = random.Random(20240521)
    edges = [0, 1, 5, 9, 10, 49, 50, 99, 100, 101, 149, 150, 999, 1000, 99_999, 100_000, MAX_FEN]
    return edges + [rng.randrange(10 ** rng.randint(1, 13)) for _ in range(count)]


# --- parse_amount: what bank staff type --------------------------------------


@pytest.mark.parametrize(
    ("text", "fen"),
    [
        ("800", 80_000),
        ("0.5", 50),
        (".5", 50),
        ("0.05", 5),
        ("12345.67", 1_234_567),
        ("12,345.67", 1_234_567),
        ("1,234,567", 123_456_700),
        ("1.50", 150),
        ("1.500", 150),
        ("007", 700),
        ("  800  ", 80_000),
        ("\t800\n", 80_000),
        ("¥800", 80_000),
        ("￥800", 80_000),
        ("¥ 800", 80_000),
        ("800元", 80_000),
        ("800 元", 80_000),
        ("¥12,345.67元", 1_234_567),
        ("0", 0),
        ("0.00", 0),
        ("-0", 0),
    ],
)
def test_parse_accepts_common_bank_notations(text: str, fen: int) -> None:
    assert parse_amount(text) == fen


@pytest.mark.parametrize(
    ("text", "fen"),
    [
        ("１２３４５．６７", 1_234_567),
        ("１２，３４５．６７", 1_234_567),
        ("￥１，０００", 100_000),
        ("\u3000８００元\u3000", 80_000),  # ideographic spaces around
        ("１．５万", 1_500_000),
    ],
)
def test_parse_normalises_full_width_input(text: str, fen: int) -> None:
    assert parse_amount(text) == fen


@pytest.mark.parametrize(
    ("text", "fen"),
    [
        ("1万", 1_000_000),
        ("1.5万", 1_500_000),
        ("1.5万元", 1_500_000),
        ("1.5 万 元", 1_500_000),
        ("¥2万", 2_000_000),
        ("￥2万元", 2_000_000),
        ("12,345万", 12_345_000_000),
        ("1.23456万", 1_234_560),  # 12,345.60 yuan: two decimals after multiplying
        ("1.000001万", 1_000_001),  # 10,000.01 yuan
        ("0.000001万", 1),  # 0.01 yuan
        ("1.0000001万", None),  # 10,000.001 yuan
        ("0.0000001万", None),
    ],
)
def test_wan_suffix_multiplies_by_ten_thousand(text: str, fen: int | None) -> None:
    if fen is None:
        with pytest.raises(MoneyError, match=exactly(TOO_MANY_DECIMALS)):
            parse_amount(text)
    else:
        assert parse_amount(text) == fen


@pytest.mark.parametrize(
    ("text", "fen"),
    [
        ("1亿", 10_000_000_000),
        ("1.5亿元", 15_000_000_000),
        ("¥0.0000001亿", 1_000),  # 10 yuan
        ("0.0000000001亿", 1),  # 1 fen
    ],
)
def test_yi_suffix_multiplies_by_hundred_million(text: str, fen: int) -> None:
    assert parse_amount(text) == fen


@pytest.mark.parametrize("text", ["", "   ", "\u3000", "\n"])
def test_parse_rejects_empty_input(text: str) -> None:
    with pytest.raises(MoneyError, match=exactly("Please enter an amount.")):
        parse_amount(text)


@pytest.mark.parametrize(
    "text",
    [
        "abc",
        "¥",
        "元",
        "万",
        "1.2.3",
        "1e5",
        "1E5",
        "NaN",
        "nan",
        "Infinity",
        "inf",
        "0x10",
        "5.",
        "1_000",
        "+5",
        "12 345",
        "1,2345",  # separators only every three digits
        "12,34",
        ",123",
        "123,",
        "1,234.5,6",
        "1.5万万",
        "1万亿",
        "1.5元万",
        "5元元",
        "¥¥5",
        "5¥",
        "¥-5",
        "--5",
        "五百",
        "٥",  # Arabic-Indic five: a Unicode digit that is not 0-9
        "5 yuan",
    ],
)
def test_parse_rejects_things_that_are_not_numbers(text: str) -> None:
    with pytest.raises(MoneyError, match=exactly(NOT_A_NUMBER)):
        parse_amount(text)


@pytest.mark.parametrize("text", ["-5", "-0.01", "-¥1.50", "- 5", "-1.5万", "－5"])
def test_parse_rejects_negative_amounts(text: str) -> None:
    with pytest.raises(MoneyError, match=exactly(NEGATIVE)):
        parse_amount(text)


@pytest.mark.parametrize("text", ["0.001", "12,345.678", "1.005", "0.0000000000001亿"])
def test_parse_rejects_more_than_two_decimals(text: str) -> None:
    with pytest.raises(MoneyError, match=exactly(TOO_MANY_DECIMALS)):
        parse_amount(text)


def test_parse_rejects_absurdly_large_amounts_with_the_limit_in_the_message() -> None:
    assert parse_amount(to_decimal_string(MAX_FEN)) == MAX_FEN
    expected = exactly(f"Amount cannot exceed {format_yuan(MAX_FEN)}.")
    for text in [to_decimal_string(MAX_FEN + 1), "1001亿", "9" * 40, "9" * 5000]:
        with pytest.raises(MoneyError, match=expected):
            parse_amount(text)


def test_parse_honours_a_custom_limit() -> None:
    assert parse_amount("500", max_fen=50_000) == 50_000
    with pytest.raises(MoneyError, match=exactly("Amount cannot exceed ¥500.00.")):
        parse_amount("500.01", max_fen=50_000)
    with pytest.raises(MoneyError, match=exactly("Amount cannot exceed ¥500.00.")):
        parse_amount("1万", max_fen=50_000)


@pytest.mark.parametrize("text", ["0", "0.00", "¥0元", "0万", "-0"])
def test_parse_rejects_zero_only_when_asked(text: str) -> None:
    assert parse_amount(text) == 0
    with pytest.raises(MoneyError, match=exactly(ZERO)):
        parse_amount(text, allow_zero=False)
    assert parse_amount("0.01", allow_zero=False) == 1


def test_parse_results_are_plain_ints() -> None:
    assert type(parse_amount("1.5万")) is int
    assert type(parse_decimal_string("1.50")) is int
    assert type(parse_decimal_string(3)) is int


# --- error messages are translatable ---------------------------------------


def test_money_error_carries_a_lazy_message_that_reads_as_english_outside_an_app() -> None:
    with pytest.raises(MoneyError) as caught:
        parse_amount("abc")
    assert isinstance(caught.value, ValueError)
    assert isinstance(caught.value.message, LazyString)
    assert str(caught.value.message) == NOT_A_NUMBER
    assert str(caught.value) == NOT_A_NUMBER


# --- parse_decimal_string: strict JSON API input -----------------------------


@pytest.mark.parametrize(
    ("value", "fen"),
    [
        ("12345.67", 1_234_567),
        ("12345", 1_234_500),
        ("0.5", 50),
        ("0.05", 5),
        ("1.50", 150),
        ("0", 0),
        ("-0", 0),
        (12345, 1_234_500),
        (0, 0),
    ],
)
def test_json_amount_accepts_plain_decimal_strings_and_int_yuan(value: object, fen: int) -> None:
    assert parse_decimal_string(value) == fen


@pytest.mark.parametrize("value", [12.5, 1.0, 0.0, float("nan"), float("inf")])
def test_json_amount_rejects_float(value: float) -> None:
    with pytest.raises(MoneyError, match=exactly(NOT_A_JSON_AMOUNT)):
        parse_decimal_string(value)


@pytest.mark.parametrize(
    "value", [True, False, None, Decimal("1.50"), b"1.50", ["1.50"], {"yuan": 1}]
)
def test_json_amount_rejects_other_types(value: object) -> None:
    with pytest.raises(MoneyError, match=exactly(NOT_A_JSON_AMOUNT)):
        parse_decimal_string(value)


@pytest.mark.parametrize(
    "value",
    [
        "",
        " 12.50",
        "12.50 ",
        "1.5万",
        "¥12.50",
        "12.50元",
        "12,345.67",
        "１２．５０",
        ".5",
        "5.",
        "1e5",
        "NaN",
        "Infinity",
        "+5",
        "abc",
    ],
)
def test_json_amount_rejects_human_notations(value: str) -> None:
    with pytest.raises(MoneyError, match=exactly(NOT_A_JSON_AMOUNT)):
        parse_decimal_string(value)


@pytest.mark.parametrize("value", ["0.001", "1.500", "12345.678"])
def test_json_amount_rejects_more_than_two_decimals(value: str) -> None:
    with pytest.raises(MoneyError, match=exactly(TOO_MANY_DECIMALS)):
        parse_decimal_string(value)


@pytest.mark.parametrize("value", ["-5", "-0.01", -1, -12345])
def test_json_amount_rejects_negatives(value: object) -> None:
    with pytest.raises(MoneyError, match=exactly(NEGATIVE)):
        parse_decimal_string(value)


@pytest.mark.parametrize(
    "value",
    [
        to_decimal_string(MAX_FEN + 1),
        MAX_FEN // 100 + 1,
        pytest.param(10**5000, id="int-with-5001-digits"),
        pytest.param("9" * 5000, id="str-with-5000-digits"),
    ],
)
def test_json_amount_rejects_absurdly_large(value: object) -> None:
    with pytest.raises(MoneyError, match=exactly(f"Amount cannot exceed {format_yuan(MAX_FEN)}.")):
        parse_decimal_string(value)


def test_json_amount_honours_limit_and_zero_options() -> None:
    assert parse_decimal_string("500.00", max_fen=50_000) == 50_000
    with pytest.raises(MoneyError, match=exactly("Amount cannot exceed ¥500.00.")):
        parse_decimal_string(501, max_fen=50_000)
    with pytest.raises(MoneyError, match=exactly(ZERO)):
        parse_decimal_string("0.00", allow_zero=False)


# --- formatting -----------------------------------------------------------


@pytest.mark.parametrize(
    ("fen", "text"),
    [
        (1_234_567, "12345.67"),
        (5, "0.05"),
        (50, "0.50"),
        (0, "0.00"),
        (100, "1.00"),
        (-310, "-3.10"),
        (-5, "-0.05"),
        (MAX_FEN, "100000000000.00"),
    ],
)
def test_decimal_string_always_has_two_decimals(fen: int, text: str) -> None:
    assert to_decimal_string(fen) == text


@pytest.mark.parametrize(
    ("fen", "text"),
    [
        (1_234_567, "¥12,345.67"),
        (0, "¥0.00"),
        (5, "¥0.05"),
        (99_999, "¥999.99"),
        (100_000, "¥1,000.00"),
        (123_456_789_012, "¥1,234,567,890.12"),
        (-150, "-¥1.50"),
        (-123_456_789, "-¥1,234,567.89"),
    ],
)
def test_format_yuan_uses_currency_sign_and_thousands_separators(fen: int, text: str) -> None:
    assert format_yuan(fen) == text


@pytest.mark.parametrize(
    ("fen", "text"),
    [
        (1_230_000, "1.23万元"),
        (1_234_567, "1.23万元"),  # 1.2345万 rounds down
        (1_235_000, "1.24万元"),  # exactly half rounds up
        (1_234_999, "1.23万元"),
        (12_345_678_900, "12,345.68万元"),
        (1_000_000, "1.00万元"),
        (5_000, "0.01万元"),  # 50 yuan is half of 0.01万
        (4_999, "0.00万元"),
        (0, "0.00万元"),
        (-1_234_567, "-1.23万元"),
        (-1_235_000, "-1.24万元"),  # half away from zero
        (-4_999, "0.00万元"),  # no "-0.00"
    ],
)
def test_format_wan_rounds_half_up_to_two_decimals(fen: int, text: str) -> None:
    assert format_wan(fen) == text


@pytest.mark.parametrize(
    "func", [to_decimal_string, format_yuan, format_wan, round_half_up_to_yuan]
)
@pytest.mark.parametrize("value", [1.5, 100.0, True, False, Decimal("1.50"), "150", None])
def test_formatters_refuse_anything_but_int_fen(func, value: object) -> None:
    with pytest.raises(TypeError):
        func(value)


# --- rounding ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("fen", "numerator", "denominator", "expected"),
    [
        (1_000_000, 5, 100, 50_000),  # 5% bond of 10,000 yuan
        (12_345, 5, 100, 617),  # 617.25 fen rounds down
        (12_350, 5, 100, 618),  # 617.5 fen rounds up
        (10, 1, 4, 3),  # 2.5 -> 3
        (10, 1, 3, 3),  # 3.33 -> 3
        (20, 1, 3, 7),  # 6.67 -> 7
        (0, 5, 100, 0),
        (1_000, 0, 100, 0),
        (-10, 1, 4, -3),  # half away from zero
        (10, -1, 4, -3),
        (10, 1, -4, -3),
        (-10, -1, 4, 3),
        (MAX_FEN, 999_999, 1_000_000, 9_999_990_000_000),
    ],
)
def test_percent_of_rounds_half_up_to_whole_fen(
    fen: int, numerator: int, denominator: int, expected: int
) -> None:
    assert percent_of(fen, numerator, denominator) == expected


def test_percent_of_refuses_floats_and_zero_denominator() -> None:
    with pytest.raises(TypeError):
        percent_of(100, 0.05, 1)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        percent_of(100.0, 5, 100)  # type: ignore[arg-type]
    with pytest.raises(ZeroDivisionError):
        percent_of(100, 5, 0)


@pytest.mark.parametrize(
    ("fen", "expected"),
    [
        (0, 0),
        (49, 0),
        (50, 100),
        (149, 100),
        (150, 200),
        (12_345, 12_300),
        (12_350, 12_400),
        (-49, 0),
        (-50, -100),
        (-150, -200),
        (-12_349, -12_300),
    ],
)
def test_round_half_up_to_yuan(fen: int, expected: int) -> None:
    assert round_half_up_to_yuan(fen) == expected


# --- properties over many amounts -------------------------------------------------------


def _decimal_half_up(fen: int, step: int) -> int:
    """Oracle: round fen to a multiple of step using Decimal, half away from zero."""
    return int((Decimal(fen) / step).quantize(Decimal(1), rounding=ROUND_HALF_UP)) * step


def test_round_trips_hold_for_thousands_of_amounts() -> None:
    for fen in _sample_fen():
        assert parse_amount(format_yuan(fen)) == fen
        assert parse_amount(to_decimal_string(fen)) == fen
        assert parse_decimal_string(to_decimal_string(fen)) == fen
        # 万元 display keeps 0.01万 = 10,000 fen of precision, rounded half-up.
        assert parse_amount(format_wan(fen)) == _decimal_half_up(fen, 10_000)
        assert round_half_up_to_yuan(fen) == _decimal_half_up(fen, 100)
        assert round_half_up_to_yuan(-fen) == -_decimal_half_up(fen, 100)
        assert to_decimal_string(-fen) == ("-" if fen else "") + to_decimal_string(fen)


def test_percent_of_matches_decimal_arithmetic_for_thousands_of_amounts() -> None:
    rng = random.Random(7)
    for fen in _sample_fen(2000):
        numerator, denominator = rng.randint(0, 1000), rng.randint(1, 1000)
        exact = Decimal(fen * numerator) / Decimal(denominator)
        expected = int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))
        assert percent_of(fen, numerator, denominator) == expected
        assert percent_of(-fen, numerator, denominator) == -expected


# --- MoneyField -----------------------------------------------------------------


class BidForm(Form):
    amount = MoneyField("Amount", [InputRequired()], allow_zero=False)
    bond = MoneyField("Bond", [Optional()], max_fen=1_000_000)


def _form(**data: str) -> BidForm:
    return BidForm(formdata=MultiDict(data))


@pytest.mark.parametrize(
    ("typed", "fen"),
    [("12,345.67", 1_234_567), ("1.5万", 1_500_000), ("￥８００元", 80_000), (" 0.01 ", 1)],
)
def test_money_field_data_is_int_fen(typed: str, fen: int) -> None:
    form = _form(amount=typed)
    assert form.validate(), form.errors
    assert form.amount.data == fen
    assert type(form.amount.data) is int
    assert form.bond.data is None


@pytest.mark.parametrize(
    ("typed", "error"),
    [
        ("abc", NOT_A_NUMBER),
        ("0.001", TOO_MANY_DECIMALS),
        ("-5", NEGATIVE),
        ("0", ZERO),
    ],
)
def test_money_field_shows_parse_errors_and_keeps_what_was_typed(typed: str, error: str) -> None:
    form = _form(amount=typed)
    assert not form.validate()
    assert form.amount.data is None
    assert form.amount.errors == [error]
    assert form.amount._value() == typed


def test_money_field_passes_max_fen_on() -> None:
    form = _form(amount="1", bond="10001")
    assert not form.validate()
    assert form.errors == {"bond": ["Amount cannot exceed ¥10,000.00."]}
    assert _form(amount="1", bond="1万").validate()


def test_money_field_blank_input_is_left_to_required_and_optional_validators() -> None:
    form = _form(amount="", bond="  ")
    assert not form.validate()
    assert form.errors == {"amount": ["This field is required."]}
    assert form.bond.data is None


def test_money_field_renders_stored_fen_as_plain_decimal() -> None:
    form = BidForm(amount=1_234_567)
    assert form.amount._value() == "12345.67"
    assert 'value="12345.67"' in form.amount()
    assert BidForm().amount._value() == ""
