"""XLSX exports of loan lists and packaging plans, built in memory with xlsxwriter.

Works on plain objects (ORM loans and packages or look-alikes); never queries the
database. Every cell is written with an explicitly typed call (write_string,
write_number, write_datetime): plain `write()` would turn tape text starting with
"=" into a formula and text that looks like a URL into a link.
"""
from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from xlsxwriter import Workbook
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from packages.grading import LoanClass, reason_labels
from packages.models import GuaranteeType, LitigationStatus
from packages.pricing import BASIS_POINTS

MONEY_FORMAT = "#,##0.00"
DATE_FORMAT = "yyyy-mm-dd"
PERCENT_FORMAT = "0.00%"
MAX_SHEET_NAME = 31
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


@dataclass(frozen=True)
class Column:
    header: str | LazyString
    width: float
    kind: str  # "text", "money" (int fen), "date", "int" or "percent" (int basis points)
    value: Callable[[Any], Any]


class _Formats:
    def __init__(self, workbook: Workbook) -> None:
        self.header: Format = workbook.add_format({"bold": True, "bottom": 1, "bg_color": "#EEEEEE",
                                                   "text_wrap": True, "valign": "top"})
        self.bold: Format = workbook.add_format({"bold": True})
        self.money: Format = workbook.add_format({"num_format": MONEY_FORMAT})
        self.date: Format = workbook.add_format({"num_format": DATE_FORMAT})
        self.percent: Format = workbook.add_format({"num_format": PERCENT_FORMAT})


# --- cell values --------------------------------------------------------------------


def yuan_number(fen: int) -> float:
    """Yuan as a spreadsheet number. Money is int fen everywhere else; xlsxwriter can only
    write numbers as floats, so the conversion happens here, at the display boundary only.
    Exact to the fen up to 10**13 fen (15 significant digits)."""
    return float(Decimal(fen) / 100)


def _label(enum_cls: type, value: Any) -> str:
    return str(enum_cls(value).label) if value else ""


def _memo(compute: Callable[[Any], str]) -> Callable[[Any], str]:
    """Translating a lazy label costs a locale lookup; an export repeats a handful of values."""
    cache: dict[Any, str] = {}

    def cached(value: Any) -> str:
        if value not in cache:
            cache[value] = compute(value)
        return cache[value]

    return cached


def _branch_code(loan: Any) -> str:
    branch = getattr(loan, "branch", None)
    return getattr(branch, "code", None) or ""


def _package_number(loan: Any) -> str:
    return getattr(getattr(loan, "package", None), "number", None) or ""


def _reasons_text(reasons: str | tuple[str, ...] | None) -> str:
    return ", ".join(reason_labels(reasons))


def _id_column_value(mask_ids: bool) -> Callable[[Any], str]:
    if not mask_ids:
        return lambda loan: loan.id_number or ""
    from packages.services import mask_id_number  # services imports much of the app; load late

    return lambda loan: mask_id_number(loan.id_number)


def loan_columns(*, mask_ids: bool) -> list[Column]:
    """The loan list's columns; labels are translated once per call, in the current locale."""
    grade = _memo(lambda value: _label(LoanClass, value))
    guarantee = _memo(lambda value: _label(GuaranteeType, value))
    litigation = _memo(lambda value: _label(LitigationStatus, value))
    reasons = _memo(_reasons_text)
    return [
        Column(_l("Loan number"), 18, "text", lambda loan: loan.loan_no),
        Column(_l("Borrower"), 14, "text", lambda loan: loan.borrower),
        Column(_l("ID number"), 21, "text", _id_column_value(mask_ids)),
        Column(_l("Branch"), 8, "text", _branch_code),
        Column(_l("Township / village"), 16, "text", lambda loan: loan.township),
        Column(_l("Principal"), 15, "money", lambda loan: loan.principal_fen),
        Column(_l("Off-balance interest owed"), 15, "money", lambda loan: loan.interest_fen),
        Column(_l("Price"), 14, "money", lambda loan: loan.price_fen),
        Column(_l("Class"), 16, "text", lambda loan: grade(loan.grade)),
        Column(_l("Grade reasons"), 30, "text", lambda loan: reasons(getattr(loan, "grade_reasons", None))),
        Column(_l("Loan date"), 11, "date", lambda loan: loan.start_date),
        Column(_l("Due date"), 11, "date", lambda loan: loan.due_date),
        Column(_l("Guarantee type"), 11, "text", lambda loan: guarantee(loan.guarantee_type)),
        Column(_l("Litigation"), 18, "text", lambda loan: litigation(loan.litigation_status)),
        Column(_l("Package"), 13, "text", _package_number),
    ]


# --- writing --------------------------------------------------------------------------


def _write_cell(sheet: Worksheet, row: int, col: int, kind: str, value: Any, formats: _Formats,
                cell_format: Format | None = None) -> None:
    if value is None or value == "":
        return
    if kind == "money":
        sheet.write_number(row, col, yuan_number(value), cell_format or formats.money)
    elif kind == "date":
        sheet.write_datetime(row, col, value, cell_format or formats.date)
    elif kind == "int":
        sheet.write_number(row, col, value, cell_format)
    elif kind == "percent":
        sheet.write_number(row, col, value / BASIS_POINTS, cell_format or formats.percent)
    else:
        sheet.write_string(row, col, str(value), cell_format)


def _write_header(sheet: Worksheet, columns: Sequence[Column], formats: _Formats) -> None:
    for col, column in enumerate(columns):
        sheet.write_string(0, col, str(column.header), formats.header)
        sheet.set_column(col, col, column.width)
    sheet.freeze_panes(1, 0)


def _write_table(sheet: Worksheet, columns: Sequence[Column], items: Iterable[Any], formats: _Formats) -> int:
    """Header, one row per item, autofilter; returns the number of rows written after the header."""
    _write_header(sheet, columns, formats)
    row = 0
    for row, item in enumerate(items, start=1):
        for col, column in enumerate(columns):
            _write_cell(sheet, row, col, column.kind, column.value(item), formats)
    sheet.autofilter(0, 0, row, len(columns) - 1)
    return row


def _new_workbook(buffer: io.BytesIO, title: str) -> tuple[Workbook, _Formats]:
    workbook = Workbook(buffer, {"in_memory": True})
    workbook.set_properties({"title": title})
    return workbook, _Formats(workbook)


def _close(workbook: Workbook, buffer: io.BytesIO) -> bytes:
    workbook.close()
    return buffer.getvalue()


class _SheetNames:
    """Excel sheet names: at most 31 characters, none of []:*?/\\, unique ignoring case."""

    def __init__(self) -> None:
        self._taken: set[str] = set()

    def make(self, wanted: str) -> str:
        base = _BAD_SHEET_CHARS.sub("_", wanted).strip().strip("'")[:MAX_SHEET_NAME] or "Sheet"
        name, n = base, 1
        while name.casefold() in self._taken:
            n += 1
            suffix = f" ({n})"
            name = base[:MAX_SHEET_NAME - len(suffix)] + suffix
        self._taken.add(name.casefold())
        return name


# --- loan list -------------------------------------------------------------------------


def loans_xlsx(loans: Iterable[Any], *, mask_ids: bool, title: str | LazyString) -> bytes:
    """One sheet named after `title`: a header row, then one row per loan."""
    buffer = io.BytesIO()
    workbook, formats = _new_workbook(buffer, str(title))
    sheet = workbook.add_worksheet(_SheetNames().make(str(title)))
    _write_table(sheet, loan_columns(mask_ids=mask_ids), loans, formats)
    return _close(workbook, buffer)


# --- packaging plan ------------------------------------------------------------------------


@dataclass(frozen=True)
class PackageSummary:
    label: str
    loan_count: int
    principal_fen: int
    reserve_fen: int
    township_count: int
    potential_share_bp: int  # share of the reserve from loans with recovery potential


def _package_label(package: Any) -> str:
    number = getattr(package, "number", None)
    return number or f"#{getattr(package, 'seq', '')}"


def _split_package(item: Any) -> tuple[Any, list[Any]]:
    """Accept a package with `.loans` or a (package, loans) pair."""
    if isinstance(item, tuple):
        package, loans = item
        return package, list(loans)
    return item, list(item.loans)


def summarise(label: str, loans: Sequence[Any]) -> PackageSummary:
    reserve = sum(loan.price_fen for loan in loans)
    potential = sum(loan.price_fen for loan in loans if loan.grade == LoanClass.POTENTIAL)
    townships = {(loan.township or "").strip() for loan in loans}
    share = (2 * potential * BASIS_POINTS + reserve) // (2 * reserve) if reserve else 0
    return PackageSummary(label, len(loans), sum(loan.principal_fen for loan in loans), reserve,
                          len(townships), share)


SUMMARY_COLUMNS = [
    Column(_l("Package"), 14, "text", lambda s: s.label),
    Column(_l("Loans"), 8, "int", lambda s: s.loan_count),
    Column(_l("Principal"), 16, "money", lambda s: s.principal_fen),
    Column(_l("Reserve price"), 16, "money", lambda s: s.reserve_fen),
    Column(_l("Townships"), 10, "int", lambda s: s.township_count),
    Column(_l("Share of reserve with recovery potential"), 16, "percent", lambda s: s.potential_share_bp),
]


def plan_xlsx(packages_with_loans: Iterable[Any], metrics_rows: Sequence[Any] | None = None,
              *, mask_ids: bool = True) -> bytes:
    """A "Summary" sheet (one row per package, then a total) and one sheet per package.

    `packages_with_loans`: packages with a `.loans` list, or (package, loans) pairs.
    `metrics_rows`: the planner's per-package figures in the same order (anything with
    `loan_count`, `reserve_fen`, `township_count`, `potential_share_bp`, such as
    `bundling.PackageMetrics`); without them the figures are computed from the loans.
    """
    pairs = [_split_package(item) for item in packages_with_loans]
    if metrics_rows is not None and len(metrics_rows) != len(pairs):
        raise ValueError(f"{len(metrics_rows)} metrics rows for {len(pairs)} packages")
    rows = metrics_rows if metrics_rows is not None else [None] * len(pairs)
    summaries = [_summary(_package_label(package), loans, metrics)
                 for (package, loans), metrics in zip(pairs, rows, strict=True)]
    buffer = io.BytesIO()
    workbook, formats = _new_workbook(buffer, str(_l("Packaging plan")))
    names = _SheetNames()
    summary_sheet = workbook.add_worksheet(names.make(str(_l("Summary"))))
    last_row = _write_table(summary_sheet, SUMMARY_COLUMNS, summaries, formats)
    _write_total(summary_sheet, last_row + 1, [loan for _, loans in pairs for loan in loans], formats)
    columns = loan_columns(mask_ids=mask_ids)
    for row, (summary, (_, loans)) in enumerate(zip(summaries, pairs, strict=True), start=1):
        sheet_name = names.make(summary.label)
        _write_table(workbook.add_worksheet(sheet_name), columns, loans, formats)
        quoted = sheet_name.replace("'", "''")
        summary_sheet.write_url(row, 0, f"internal:'{quoted}'!A1", string=summary.label)
    return _close(workbook, buffer)


def _summary(label: str, loans: Sequence[Any], metrics: Any | None) -> PackageSummary:
    if metrics is None:
        return summarise(label, loans)
    principal = sum(loan.principal_fen for loan in loans)  # the planner does not track principal
    return PackageSummary(label, metrics.loan_count, principal, metrics.reserve_fen,
                          metrics.township_count, metrics.potential_share_bp)


def _write_total(sheet: Worksheet, row: int, loans: Sequence[Any], formats: _Formats) -> None:
    total = summarise(str(_l("Total")), loans)
    for col, column in enumerate(SUMMARY_COLUMNS):
        fmt = formats.bold if column.kind in ("text", "int") else None
        _write_cell(sheet, row, col, column.kind, column.value(total), formats, fmt)
