"""Reading and validating a loan tape (.xlsx or .csv): pure parsing, no database access.

`read_tape` returns every problem it finds (row, column, message), not just the first.
When `ParsedTape.errors` is not empty the caller must store nothing: `rows` then holds
whatever could be parsed and is only useful for diagnostics (all-or-nothing is the
caller's job, see `packages.services.import_tape`).

Amount columns are always in yuan (元), whatever the header says; headers such as
`principal_fen` are deliberately not recognised so that nobody imports fen as yuan.
"""
from __future__ import annotations

import csv
import hashlib
import io
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from itertools import chain, islice
from typing import Any

from flask_babel import lazy_gettext as _l

from core.money import MAX_FEN, MoneyError, parse_amount
from packages.models import GuaranteeType, LitigationStatus


@dataclass(frozen=True)
class TapeError:
    row: int | None  # row number as the user sees it (header = row 1); None for file-level problems
    column: str | None  # header text as it appears in the user's file
    message: str  # already translated


@dataclass
class ParsedTape:
    rows: list[dict]  # keys are Loan column names; only meaningful when `errors` is empty
    errors: list[TapeError]
    checksum: str  # sha256 hex of the uploaded bytes
    row_count: int  # non-empty data rows
    ignored_columns: list[str] = field(default_factory=list)


class _Invalid(Exception):
    """A cell's value is unacceptable; `message` is a lazy translatable string."""

    def __init__(self, message: Any) -> None:
        super().__init__(message)
        self.message = message


class _TooManyErrors(Exception):
    pass


# --- cell converters -------------------------------------------------------------------
# Each takes a raw cell (str from CSV; str/int/float/bool/date/datetime from xlsx) and
# returns the Loan column value or raises _Invalid. Plain strings take the fast path.

_EARLIEST = date(1950, 1, 1)  # core systems export 1900-01-01 / 0001-01-01 for "no date"
_DATE_RE = re.compile(
    r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
)


def _number_text(value: float | int) -> str:
    """An Excel number as the text Excel shows: 108.0 -> "108", 12345.67 -> "12345.67"."""
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        # Excel keeps 15 significant digits; this also drops float noise like 0.30000000000000004.
        text = f"{value:.15g}"
        if "e" in text:
            text = format(Decimal(text), "f")
        return text
    return str(value)


def _cell_text(raw: Any) -> str:
    if type(raw) is str:
        return raw.strip()
    if raw is None:
        return ""
    if isinstance(raw, bool):
        return "1" if raw else "0"
    if isinstance(raw, (int, float)):
        return _number_text(raw)
    if isinstance(raw, datetime):
        return raw.date().isoformat() if raw.time() == datetime.min.time() else raw.isoformat(sep=" ")
    if isinstance(raw, date):
        return raw.isoformat()
    return str(raw).strip()


def _text_converter(max_len: int | None, required: bool) -> Callable[[Any], str | None]:
    def convert(raw: Any) -> str | None:
        text = raw.strip() if type(raw) is str else _cell_text(raw)
        if not text:
            if required:
                raise _Invalid(_l("This cell is required."))
            return None
        if max_len is not None and len(text) > max_len:
            raise _Invalid(_l("Too long: at most %(max)d characters.", max=max_len))
        return text

    return convert


def _checked_date(value: date) -> date:
    if value < _EARLIEST:
        raise _Invalid(_l("Dates before 1950 are not accepted."))
    return value


def _parse_date_text(text: str) -> date:
    # Fast path: 2015-03-01 and 20150301 (fromisoformat also takes ISO week dates, so gate it).
    if (len(text) == 10 and text[4] == text[7] == "-") or (len(text) == 8 and text.isdigit()):
        try:
            return date.fromisoformat(text)
        except ValueError:
            pass
    match = _DATE_RE.fullmatch(text)
    if match is None:
        raise _Invalid(_l("Not a valid date; write it like 2015-03-01."))
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        raise _Invalid(_l("Not a valid date; write it like 2015-03-01.")) from None


def _date_converter(required: bool) -> Callable[[Any], date | None]:
    def convert(raw: Any) -> date | None:
        if isinstance(raw, datetime):
            return _checked_date(raw.date())
        if isinstance(raw, date):
            return _checked_date(raw)
        text = raw.strip() if type(raw) is str else _cell_text(raw)
        if not text:
            if required:
                raise _Invalid(_l("This cell is required."))
            return None
        return _checked_date(_parse_date_text(text))

    return convert


def _plain_fen(text: str) -> int | None:
    """Fen for "12345" or "12345.6" / "12345.67" without Decimal; None when not that simple."""
    whole, dot, cents = text.partition(".")
    if not (whole.isascii() and whole.isdigit()):
        return None
    if not dot:
        return int(whole) * 100
    if len(cents) > 2 or not (cents.isascii() and cents.isdigit()):
        return None
    return int(whole) * 100 + int(cents.ljust(2, "0"))


def _amount_converter(required: bool) -> Callable[[Any], int]:
    def convert(raw: Any) -> int:
        text = raw.strip() if type(raw) is str else _cell_text(raw)
        if not text:
            if required:
                raise _Invalid(_l("This cell is required."))
            return 0
        fen = _plain_fen(text)
        if fen is None or fen > MAX_FEN or (required and fen == 0):
            try:  # the slow path, and the source of every amount error message
                fen = parse_amount(text, allow_zero=not required)
            except MoneyError as exc:
                raise _Invalid(exc.message) from None
        return fen

    return convert


def _id_number(raw: Any) -> str | None:
    if isinstance(raw, float) and abs(raw) >= 1e15:
        # Excel keeps 15 significant digits, so an 18-digit ID typed as a number is already lost.
        raise _Invalid(_l("Excel stored this ID number as a number and lost its last digits; "
                          "format the column as text and enter it again."))
    text = (raw.strip() if type(raw) is str else _cell_text(raw)).upper()
    if not text:
        return None
    if len(text) == 18 and text[:17].isdigit() and (text[17].isdigit() or text[17] == "X") and text.isascii():
        return text
    if len(text) == 15 and text.isdigit() and text.isascii():
        return text
    raise _Invalid(_l("An ID number has 18 characters (17 digits, then a digit or X) or 15 digits."))


def _account(raw: Any) -> str:
    text = raw.strip() if type(raw) is str else _cell_text(raw)
    if not text:
        return "108"
    if text in ("108", "110"):
        return text
    raise _Invalid(_l("The off-balance account must be 108 or 110."))


def _lookup_key(text: str) -> str:
    """Case-, width- and punctuation-insensitive form of a short code like "Y" or "In suit"."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return re.sub(r"[\s,_\-/、()]+", "_", text).strip("_")


def _choice_converter(choices: Mapping[str, Any], default: Any, message: Callable[[str], Any]):
    def convert(raw: Any) -> Any:
        text = raw.strip() if type(raw) is str else _cell_text(raw)
        if not text:
            return default
        value = choices.get(text)
        if value is None:
            value = choices.get(_lookup_key(text))
            if value is None:
                raise _Invalid(message(text))
        return value

    return convert


def _choices(pairs: Iterable[tuple[Iterable[str], Any]]) -> dict[str, Any]:
    table: dict[str, Any] = {}
    for words, value in pairs:
        for word in words:
            table[word] = value
            table[_lookup_key(word)] = value
    return table


_YES_NO = _choices([
    (("是", "有", "Y", "yes", "true", "1", "√", "✓", "✔", "对"), True),
    (("否", "无", "没有", "N", "no", "false", "0", "×", "✗", "✘"), False),
])
_GUARANTEE = _choices([
    (("信用", "信用贷款", "credit", "Credit"), GuaranteeType.CREDIT.value),
    (("保证", "保证担保", "担保", "guarantee", "guaranteed"), GuaranteeType.GUARANTEE.value),
    (("抵押", "抵押担保", "mortgage"), GuaranteeType.MORTGAGE.value),
    (("质押", "质押担保", "pledge"), GuaranteeType.PLEDGE.value),
])
_LITIGATION = _choices([
    (("未起诉", "未诉讼", "not sued", "not_sued"), LitigationStatus.NOT_SUED.value),
    (("诉讼中", "已起诉", "in suit", "in_suit"), LitigationStatus.IN_SUIT.value),
    (("已判决未执行", "已判决", "judged, not enforced", "judged_not_enforced"),
     LitigationStatus.JUDGED_NOT_ENFORCED.value),
    (("执行中", "in enforcement", "in_enforcement"), LitigationStatus.IN_ENFORCEMENT.value),
    (("终结执行", "已终结执行", "法院裁定终结执行", "enforcement terminated", "enforcement_terminated"),
     LitigationStatus.ENFORCEMENT_TERMINATED.value),
])

_yes_no = _choice_converter(_YES_NO, False, lambda v: _l(
    'Unknown yes/no value "%(value)s"; use 是 or 否 (yes or no).', value=v))
_guarantee_type = _choice_converter(_GUARANTEE, GuaranteeType.CREDIT.value, lambda v: _l(
    'Unknown guarantee type "%(value)s"; use credit, guarantee, mortgage or pledge.', value=v))
_litigation_status = _choice_converter(_LITIGATION, LitigationStatus.NOT_SUED.value, lambda v: _l(
    'Unknown litigation status "%(value)s"; use not sued, in suit, judged not enforced, '
    "in enforcement or enforcement terminated.", value=v))


# --- columns ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    field: str  # Loan column name (branch_id: the converter is built per call from `branches`)
    zh: str  # header in the Chinese template
    en: str  # header in the English template
    aliases: tuple[str, ...] = ()
    required: bool = False
    convert: Callable[[Any], Any] | None = None
    default: Any = None


def _text(field_name: str, zh: str, en: str, aliases=(), *, max_len: int | None, required=False) -> Column:
    return Column(field_name, zh, en, aliases, required, _text_converter(max_len, required))


def _fact(field_name: str, zh: str, en: str, aliases=()) -> Column:
    return Column(field_name, zh, en, aliases, False, _yes_no, False)


COLUMNS: tuple[Column, ...] = (
    _text("loan_no", "借据号", "Loan number", ("贷款账号", "合同号", "借据编号", "贷款编号", "loan no",
                                                "loan number", "contract number"), max_len=40, required=True),
    _text("borrower", "借款人", "Borrower", ("借款人姓名", "客户名称", "borrower name"), max_len=80, required=True),
    Column("id_number", "身份证号", "ID number", ("身份证号码", "证件号码", "id no", "id card number"),
           convert=_id_number),
    Column("branch_id", "支行", "Branch", ("网点", "支行/网点", "branch code", "branch id"), required=True),
    _text("township", "乡镇/村", "Township/village", ("乡镇", "村", "乡镇村", "township", "village"), max_len=80),
    Column("principal_fen", "本金余额", "Outstanding principal", ("贷款余额", "欠款本金", "principal",
                                                                   "principal balance"),
           required=True, convert=_amount_converter(True)),
    Column("interest_fen", "表外欠息", "Off-balance interest owed", ("欠息", "interest", "interest owed",
                                                                      "off-balance interest"),
           convert=_amount_converter(False), default=0),
    Column("start_date", "借款日期", "Start date", ("放款日期", "发放日期", "loan date"),
           required=True, convert=_date_converter(True)),
    Column("due_date", "到期日期", "Due date", ("到期日", "maturity date"), required=True,
           convert=_date_converter(True)),
    Column("last_repayment_date", "最后还款日期", "Last repayment date", ("最后一次还款日期",),
           convert=_date_converter(False)),
    Column("last_notice_date", "最后催收日期", "Last collection notice date",
           ("最后一次催收时间", "最后催收时间", "last notice date", "last collection date"),
           convert=_date_converter(False)),
    Column("account", "科目", "Off-balance account", ("表外科目", "account"), convert=_account, default="108"),
    _text("situation", "目前状况", "Current situation", ("现状", "situation"), max_len=None),
    _text("collateral", "抵押物", "Collateral", ("抵质押物",), max_len=255),
    _text("guarantor", "担保人", "Guarantor", ("保证人",), max_len=120),
    _text("loan_officer", "信贷员", "Loan officer", ("管户信贷员", "客户经理", "officer"), max_len=80),
    Column("guarantee_type", "担保方式", "Guarantee type", ("guarantee",), convert=_guarantee_type,
           default=GuaranteeType.CREDIT.value),
    Column("litigation_status", "诉讼状态", "Litigation status", ("litigation",), convert=_litigation_status,
           default=LitigationStatus.NOT_SUED.value),
    _fact("borrower_deceased", "借款人死亡", "Borrower deceased", ("死亡", "deceased")),
    _fact("borrower_bankrupt", "宣告破产", "Declared bankrupt", ("借款人宣告破产", "破产", "bankrupt")),
    _fact("borrower_convicted", "触犯刑律", "Convicted", ("借款人触犯刑律", "convicted of a crime")),
    _fact("guarantor_unable", "担保人无力清偿", "Guarantor unable to pay", ("guarantor unable",)),
    _fact("enforcement_terminated", "法院裁定终结执行", "Court terminated enforcement",
          ("终结执行", "enforcement terminated")),
)
# Never inferred from a header such as "principal_fen": amounts on a tape are in yuan.
_NOT_HEADERS = {"principal_fen", "interest_fen"}


def _header_key(text: str) -> str:
    """Compare headers ignoring width, case, spaces, punctuation, a "*" mark and a "(元)" unit."""
    key = unicodedata.normalize("NFKC", text).casefold()
    key = re.sub(r"[\s_\-/*:()（）、.]+", "", key)
    for unit in ("元", "yuan", "cny"):
        if key.endswith(unit) and len(key) > len(unit) + 1:
            key = key[: -len(unit)]
    return key


def _header_table() -> dict[str, Column]:
    table: dict[str, Column] = {}
    for column in COLUMNS:
        names = (column.zh, column.en, *column.aliases)
        if column.field not in _NOT_HEADERS:
            names = (*names, column.field)
        for name in names:
            table.setdefault(_header_key(name), column)
    return table


_HEADERS = _header_table()


def template_headers(lang: str = "zh") -> list[str]:
    """The header row of the downloadable template, in Chinese ("zh") or English."""
    return [column.en if lang == "en" else column.zh for column in COLUMNS]


# --- reading files ----------------------------------------------------------------------------

Rows = Iterator[list[Any]]


def _csv_rows(data: bytes) -> Rows:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise _Invalid(_l("The CSV file is neither UTF-8 nor GBK/GB18030 text."))
    first_line = text[: text.find("\n")] if "\n" in text else text
    delimiter = "\t" if first_line.count("\t") > first_line.count(",") else ","
    return csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)


def _xlsx_rows(data: bytes) -> Rows:
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        # skip_empty_area=False keeps row numbers equal to Excel's.
        rows = workbook.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except Exception:  # calamine raises assorted errors for corrupt or foreign files
        raise _Invalid(_l("The file could not be read as an Excel workbook (.xlsx).")) from None
    return iter(rows)


def _file_rows(data: bytes, filename: str) -> Rows:
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if extension not in ("csv", "xlsx"):
        raise _Invalid(_l("Only .xlsx and .csv files can be imported."))
    if not data.strip():
        raise _Invalid(_l("The file is empty."))
    return _csv_rows(data) if extension == "csv" else _xlsx_rows(data)


# --- validation ---------------------------------------------------------------------------------


class _Errors:
    """Collects errors up to a cap; raises _TooManyErrors past it."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.items: list[TapeError] = []

    def add(self, row: int | None, column: str | None, message: Any) -> None:
        if len(self.items) >= self.limit:
            raise _TooManyErrors
        self.items.append(TapeError(row, column, str(message)))


@dataclass
class _Layout:
    """Where each known column sits in the file, found from the header row."""

    header_row: int  # 1-based
    columns: list[tuple[Column, int, str]]  # column, cell index, header text as written
    ignored: list[str]
    missing: list[Column]
    english: bool


def _is_blank(cells: list[Any]) -> bool:
    return all(_cell_text(cell) == "" for cell in cells)


def _find_layout(rows: Rows, errors: _Errors) -> tuple[_Layout, Rows] | None:
    """Find the header among the first rows (a title line may sit above it)."""
    head = list(islice(rows, 10))
    best: tuple[int, int] | None = None  # (matches, index)
    for index, cells in enumerate(head):
        matches = sum(_header_key(_cell_text(c)) in _HEADERS for c in cells)
        if matches and (best is None or matches > best[0]):
            best = (matches, index)
        if matches >= 3:
            break
    if best is None:
        errors.add(None, None, _l("No header row was found: the first rows name none of the tape's columns."))
        return None
    index = best[1]
    layout = _layout_from_header(head[index], index + 1, errors)
    return layout, chain(head[index + 1:], rows)


def _layout_from_header(header: list[Any], row_number: int, errors: _Errors) -> _Layout:
    found: dict[str, tuple[Column, int, str]] = {}
    ignored: list[str] = []
    english = 0
    for index, cell in enumerate(header):
        text = _cell_text(cell)
        if not text:
            continue
        column = _HEADERS.get(_header_key(text))
        if column is None:
            ignored.append(text)
        elif column.field in found:
            errors.add(None, text, _l('The column "%(column)s" appears twice; keep only one.', column=text))
        else:
            found[column.field] = (column, index, text)
            english += text.isascii()
    missing = [c for c in COLUMNS if c.required and c.field not in found]
    layout = _Layout(row_number, list(found.values()), ignored, missing, english * 2 > len(found))
    for column in missing:
        name = column.en if layout.english else column.zh
        errors.add(None, name, _l('The required column "%(column)s" is missing.', column=name))
    return layout


def _branch_converter(branches: Mapping[str, int]) -> Callable[[Any], int]:
    lookup = {key.strip().upper(): branch_id for key, branch_id in branches.items()}

    def convert(raw: Any) -> int:
        text = raw.strip() if type(raw) is str else _cell_text(raw)
        if not text:
            raise _Invalid(_l("This cell is required."))
        branch_id = lookup.get(text.upper())
        if branch_id is None:
            raise _Invalid(_l('Unknown branch "%(value)s".', value=text))
        return branch_id

    return convert


# Columns with few distinct values: remembering each distinct cell's result skips most
# converter calls (the loop runs over millions of cells). Results are immutable.
_REPEATING = {"branch_id", "township", "start_date", "due_date", "last_repayment_date", "last_notice_date",
              "account", "guarantee_type", "litigation_status", "borrower_deceased", "borrower_bankrupt",
              "borrower_convicted", "guarantor_unable", "enforcement_terminated"}
_MISS = object()


class _Validator:
    def __init__(self, layout: _Layout, branches: Mapping[str, int], errors: _Errors) -> None:
        self.errors = errors
        branch = _branch_converter(branches)
        # (field, cell index, converter, header, cache of successful results or None)
        self.plan = [(c.field, index, branch if c.field == "branch_id" else c.convert, header,
                      {} if c.field in _REPEATING else None) for c, index, header in layout.columns]
        present = {c.field for c, _, _ in layout.columns}
        self.defaults = {c.field: c.default for c in COLUMNS if c.field not in present and not c.required}
        self.headers = {c.field: header for c, _, header in layout.columns}
        self.first_row: dict[str, int] = {}  # loan_no -> row it first appeared on
        self.today = date.today()

    def row(self, number: int, cells: list[Any]) -> dict:
        values = dict(self.defaults)
        width = len(cells)
        for field_name, index, convert, header, cache in self.plan:
            raw = cells[index] if index < width else ""
            if cache is not None:
                value = cache.get(raw, _MISS)
                if value is not _MISS:
                    values[field_name] = value
                    continue
            try:
                value = convert(raw)
            except _Invalid as exc:
                self.errors.add(number, header, exc.message)
                continue
            if cache is not None:
                cache[raw] = value
            values[field_name] = value
        self._cross_checks(number, values)
        return values

    def _cross_checks(self, number: int, values: dict) -> None:
        start, due = values.get("start_date"), values.get("due_date")
        for field_name in ("start_date", "last_repayment_date", "last_notice_date"):
            value = values.get(field_name)
            if value is not None and value > self.today:
                self.errors.add(number, self.headers[field_name], _l("The date cannot be in the future."))
        if start is not None and due is not None and due < start:
            self.errors.add(number, self.headers["due_date"], _l("The due date is before the start date."))
        loan_no = values.get("loan_no")
        if loan_no is not None:
            first = self.first_row.setdefault(loan_no, number)
            if first != number:
                self.errors.add(number, self.headers["loan_no"], _l(
                    "Loan number %(loan_no)s already appears on row %(row)d.", loan_no=loan_no, row=first))

    def check_existing(self, existing_loan_nos: Callable[[set[str]], set[str]]) -> None:
        if not self.first_row:
            return
        for loan_no in sorted(existing_loan_nos(set(self.first_row)), key=self.first_row.__getitem__):
            self.errors.add(self.first_row[loan_no], self.headers["loan_no"], _l(
                "Loan number %(loan_no)s has already been imported.", loan_no=loan_no))


def _validate(rows: Rows, errors: _Errors, parsed: ParsedTape, branches: Mapping[str, int],
              existing_loan_nos: Callable[[set[str]], set[str]]) -> None:
    found = _find_layout(rows, errors)
    if found is None:
        return
    layout, data_rows = found
    parsed.ignored_columns = layout.ignored
    validator = _Validator(layout, branches, errors)
    loan_no_index = next((index for c, index, _ in layout.columns if c.field == "loan_no"), 0)
    for number, cells in enumerate(data_rows, start=layout.header_row + 1):
        if not any(cells):
            continue
        # Only rows without a loan number can be blank-but-for-spaces; check those alone.
        key = cells[loan_no_index] if loan_no_index < len(cells) else ""
        if (not key or (type(key) is str and not key.strip())) and _is_blank(cells):
            continue
        parsed.rows.append(validator.row(number, cells))
    parsed.row_count = len(parsed.rows)
    if not parsed.rows:
        errors.add(None, None, _l("The file has a header row but no data rows."))
    else:
        validator.check_existing(existing_loan_nos)


def read_tape(data: bytes, filename: str, *, branches: Mapping[str, int],
              existing_loan_nos: Callable[[set[str]], set[str]], max_errors: int = 1000) -> ParsedTape:
    """Parse and validate a loan tape.

    `branches` maps branch codes (matched case-insensitively) and names to branch ids;
    `existing_loan_nos(candidates)` returns the candidates already in the database and is
    called at most once. Store nothing unless `errors` is empty.
    """
    parsed = ParsedTape(rows=[], errors=[], checksum=hashlib.sha256(data).hexdigest(), row_count=0)
    errors = _Errors(max_errors)
    try:
        _validate(_file_rows(data, filename), errors, parsed, branches, existing_loan_nos)
    except _Invalid as exc:
        errors.items.append(TapeError(None, None, str(exc.message)))
    except _TooManyErrors:
        errors.items.append(TapeError(None, None, str(_l(
            "Too many errors: only the first %(n)d are shown.", n=max_errors))))
    except csv.Error as exc:
        errors.items.append(TapeError(None, None, str(_l("The CSV file could not be read: %(error)s", error=exc))))
    parsed.errors = sorted(errors.items, key=lambda e: -1 if e.row is None else e.row)
    parsed.row_count = len(parsed.rows)
    return parsed


# --- templates ------------------------------------------------------------------------------------

_TEMPLATE_LISTS = {
    "zh": {"yes_no": ["是", "否"], "guarantee_type": ["信用", "保证", "抵押", "质押"],
           "litigation_status": ["未起诉", "诉讼中", "已判决未执行", "执行中", "终结执行"]},
    "en": {"yes_no": ["yes", "no"], "guarantee_type": [t.value for t in GuaranteeType],
           "litigation_status": [s.value for s in LitigationStatus]},
}
_DATE_FIELDS = {"start_date", "due_date", "last_repayment_date", "last_notice_date"}
_TEMPLATE_ROWS = 10_000  # rows that carry formats and drop-down lists


def write_template_csv(lang: str = "zh") -> bytes:
    """The header row as CSV, UTF-8 with a BOM so that Excel detects the encoding."""
    out = io.StringIO(newline="")
    csv.writer(out).writerow(template_headers(lang))
    return out.getvalue().encode("utf-8-sig")


def write_template_xlsx(lang: str = "zh") -> bytes:
    """A workbook with the header row, text/date formats and drop-down lists for coded columns."""
    import xlsxwriter

    lang = "en" if lang == "en" else "zh"
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = workbook.add_worksheet("loans" if lang == "en" else "贷款清单")
    required = workbook.add_format({"bold": True, "bg_color": "#FCE4D6", "border": 1})
    optional = workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    text = workbook.add_format({"num_format": "@"})
    day = workbook.add_format({"num_format": "yyyy-mm-dd"})
    money = workbook.add_format({"num_format": "#,##0.00"})
    lists = _TEMPLATE_LISTS[lang]
    for index, (column, header) in enumerate(zip(COLUMNS, template_headers(lang))):
        sheet.write_string(0, index, header, required if column.required else optional)
        cell_format = (day if column.field in _DATE_FIELDS
                       else money if column.field.endswith("_fen") else text)
        sheet.set_column(index, index, max(12, len(header.encode("gbk")) + 2), cell_format)
        choices = lists.get(column.field) or (lists["yes_no"] if column.convert is _yes_no else None)
        if column.field == "account":
            choices = ["108", "110"]
        if choices:
            sheet.data_validation(1, index, _TEMPLATE_ROWS, index,
                                  {"validate": "list", "source": choices, "ignore_blank": True})
    sheet.freeze_panes(1, 0)
    workbook.close()
    return buffer.getvalue()
