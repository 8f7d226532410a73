"""Loan tape parsing and validation (packages.tape): no app, no database."""
from __future__ import annotations

import csv
import hashlib
import importlib.util
import io
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
import xlsxwriter
from python_calamine import CalamineWorkbook

from packages.tape import (
    COLUMNS,
    ParsedTape,
    TapeError,
    read_tape,
    template_headers,
    write_template_csv,
    write_template_xlsx,
)

# bench/ is a folder of scripts, not an installed package: load the generator by path.
_SPEC = importlib.util.spec_from_file_location(
    "synthetic_tape", Path(__file__).resolve().parents[1] / "bench" / "synthetic_tape.py")
synthetic_tape = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(synthetic_tape)

BRANCHES = {"DY": 1, "YA": 2, "大瑶支行": 1, "永安支行": 2}
HEADER = ["借据号", "借款人", "身份证号", "支行", "乡镇/村", "本金余额", "表外欠息", "借款日期", "到期日期",
          "借款人死亡", "担保方式", "诉讼状态"]
GOOD = ["DY001", "张三", "430181198001011234", "DY", "大瑶镇新华村", "100,000.00", "5000", "2019-03-01",
        "2020-03-01", "否", "保证", "未起诉"]


def no_existing(candidates: set[str]) -> set[str]:
    return set()


def csv_bytes(*rows: list[str], header: list[str] = HEADER, encoding: str = "utf-8") -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def read_csv(*rows: list[str], header: list[str] = HEADER, **kwargs) -> ParsedTape:
    kwargs.setdefault("branches", BRANCHES)
    kwargs.setdefault("existing_loan_nos", no_existing)
    return read_tape(csv_bytes(*rows, header=header), "tape.csv", **kwargs)


def with_cell(column: str, value: str, base: list[str] = GOOD) -> list[str]:
    row = list(base)
    row[HEADER.index(column)] = value
    return row


def problems(parsed: ParsedTape) -> list[tuple[int | None, str | None]]:
    return [(e.row, e.column) for e in parsed.errors]


def xlsx_bytes(rows: list[list[object]]) -> bytes:
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = workbook.add_worksheet()
    day = workbook.add_format({"num_format": "yyyy-mm-dd"})
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if isinstance(value, (date, datetime)):
                sheet.write_datetime(r, c, value, day)
            elif value is not None:
                sheet.write(r, c, value)
    workbook.close()
    return buffer.getvalue()


EXPECTED_GOOD = {
    "loan_no": "DY001", "borrower": "张三", "id_number": "430181198001011234", "branch_id": 1,
    "township": "大瑶镇新华村", "principal_fen": 10_000_000, "interest_fen": 500_000,
    "start_date": date(2019, 3, 1), "due_date": date(2020, 3, 1), "last_repayment_date": None,
    "last_notice_date": None, "account": "108", "situation": None, "collateral": None, "guarantor": None,
    "loan_officer": None, "guarantee_type": "guarantee", "litigation_status": "not_sued",
    "borrower_deceased": False, "borrower_bankrupt": False, "borrower_convicted": False,
    "guarantor_unable": False, "enforcement_terminated": False,
}


# --- happy paths ------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "gbk"])
def test_reads_csv_in_every_encoding(encoding):
    data = csv_bytes(GOOD, with_cell("借据号", "DY002"), encoding=encoding)
    parsed = read_tape(data, "贷款清单.CSV", branches=BRANCHES, existing_loan_nos=no_existing)
    assert parsed.errors == []
    assert parsed.row_count == 2
    assert parsed.rows[0] == EXPECTED_GOOD
    assert parsed.checksum == hashlib.sha256(data).hexdigest()


def test_reads_xlsx_with_typed_cells():
    header = [*HEADER, "科目", "最后催收日期", "信贷员"]
    data = xlsx_bytes([
        header,
        ["DY001", "张三", "430181198001011234", "DY", "大瑶镇新华村", 100000.0, 12345.67,
         date(2019, 3, 1), datetime(2020, 3, 1, 0, 0), "否", "保证", "未起诉", 110.0, 20210105, "李四"],
        ["DY002", "李四", 430181800101123, "dy", None, 0.1 + 0.2, None,
         "2012/6/1", "2013年6月1日", True, None, None, None, None, 1234.0],
    ])
    parsed = read_tape(data, "tape.xlsx", branches=BRANCHES, existing_loan_nos=no_existing)
    assert parsed.errors == []
    first, second = parsed.rows
    assert first == {**EXPECTED_GOOD, "interest_fen": 1_234_567, "account": "110",
                     "last_notice_date": date(2021, 1, 5), "loan_officer": "李四"}
    assert second["id_number"] == "430181800101123"
    assert second["principal_fen"] == 30  # Excel's 0.30000000000000004 is 0.3 yuan
    assert (second["start_date"], second["due_date"]) == (date(2012, 6, 1), date(2013, 6, 1))
    assert second["borrower_deceased"] is True
    assert (second["guarantee_type"], second["litigation_status"], second["account"]) == ("credit", "not_sued", "108")
    assert second["loan_officer"] == "1234"


def test_reads_english_headers_friendly_and_snake_case():
    header = ["Loan number", "borrower", "ID Number", "Branch", "township", "Outstanding principal",
              "interest", "start_date", "Due date", "Borrower deceased", "guarantee_type", "Litigation status"]
    parsed = read_csv(["DY001", "Zhang San", "43018119800101123x", "YA", "", "¥800", "", "2015.3.1",
                       "20160301", "yes", "mortgage", "In suit"], header=header)
    assert parsed.errors == []
    row = parsed.rows[0]
    assert (row["id_number"], row["branch_id"], row["principal_fen"], row["interest_fen"]) == (
        "43018119800101123X", 2, 80_000, 0)
    assert (row["start_date"], row["due_date"]) == (date(2015, 3, 1), date(2016, 3, 1))
    assert (row["borrower_deceased"], row["guarantee_type"], row["litigation_status"]) == (True, "mortgage", "in_suit")


def test_header_matching_tolerates_spaces_widths_units_and_aliases():
    header = [" 贷款账号 ", "借款人", "身份证号", "网点", "乡镇 / 村", "本金余额（元）", "表外欠息(元)", "借款日期",
              "到期日期", "借款人死亡", "担保方式", "诉讼状态", "备注"]
    parsed = read_csv([*GOOD, "随便写"], header=header)
    assert parsed.errors == []
    assert parsed.rows[0]["loan_no"] == "DY001" and parsed.rows[0]["principal_fen"] == 10_000_000
    assert parsed.ignored_columns == ["备注"]


def test_principal_fen_header_is_not_taken_for_yuan():
    header = [h if h != "本金余额" else "principal_fen" for h in HEADER]
    parsed = read_csv(GOOD, header=header)
    assert problems(parsed) == [(None, "本金余额")]
    assert parsed.ignored_columns == ["principal_fen"]


def test_title_rows_above_the_header_and_blank_rows_keep_spreadsheet_row_numbers():
    data = xlsx_bytes([
        ["大瑶支行表外不良贷款明细表"],
        [],
        HEADER,
        GOOD,
        [None, "  "],
        with_cell("借据号", "DY002", with_cell("本金余额", "abc")),
    ])
    parsed = read_tape(data, "tape.xlsx", branches=BRANCHES, existing_loan_nos=no_existing)
    assert problems(parsed) == [(6, "本金余额")]
    assert parsed.row_count == 2


# --- several errors at once -------------------------------------------------------------------


def test_reports_every_error_with_row_and_column():
    parsed = read_csv(
        GOOD,
        ["DY001", "", "123", "ZZ", "", "-5", "1万", "2019-01-01", "2018-01-01", "也许", "担保", "已判决"],
        ["DY003", "王五", "", "大瑶支行", "", "abc", "", "2019-02-30", "2020-01-01", "", "", "诉讼"],
        existing_loan_nos=lambda candidates: {"DY003"} & candidates,
    )
    assert problems(parsed) == [
        (3, "借款人"), (3, "身份证号"), (3, "支行"), (3, "本金余额"), (3, "借款人死亡"),
        (3, "到期日期"), (3, "借据号"),
        (4, "本金余额"), (4, "借款日期"), (4, "诉讼状态"), (4, "借据号"),
    ]
    messages = {(e.row, e.column): e.message for e in parsed.errors}
    assert messages[(3, "借据号")] == "Loan number DY001 already appears on row 2."
    assert messages[(3, "本金余额")] == "Amount cannot be negative."
    assert messages[(3, "支行")] == 'Unknown branch "ZZ".'
    assert messages[(4, "借据号")] == "Loan number DY003 has already been imported."
    assert all(isinstance(e, TapeError) and isinstance(e.message, str) for e in parsed.errors)
    assert parsed.row_count == 3  # rows are still returned; the caller stores nothing


def test_existing_loan_numbers_are_looked_up_once_with_all_candidates():
    calls = []
    read_csv(GOOD, with_cell("借据号", "DY002"), existing_loan_nos=lambda c: calls.append(c) or set())
    assert calls == [{"DY001", "DY002"}]


def test_error_count_is_capped():
    rows = [with_cell("借据号", f"DY{i:03d}", with_cell("本金余额", "x")) for i in range(20)]
    parsed = read_csv(*rows, max_errors=5)
    assert len(parsed.errors) == 6
    assert parsed.errors[0] == TapeError(None, None, "Too many errors: only the first 5 are shown.")
    assert [e.row for e in parsed.errors[1:]] == [2, 3, 4, 5, 6]


# --- file-level problems -----------------------------------------------------------------


@pytest.mark.parametrize(("data", "filename", "message"), [
    (b"a,b\n1,2\n", "tape.txt", "Only .xlsx and .csv files can be imported."),
    (b"", "tape.csv", "The file is empty."),
    (b"not a zip", "tape.xlsx", "The file could not be read as an Excel workbook (.xlsx)."),
    ("甲,乙\n1,2\n".encode(), "tape.csv", "No header row was found"),
    (",".join(HEADER).encode() + b"\n,,\n", "tape.csv", "The file has a header row but no data rows."),
    (b"\xff\xfe\x00\x00\xff", "tape.csv", "neither UTF-8 nor GBK"),
])
def test_file_level_errors(data, filename, message):
    parsed = read_tape(data, filename, branches=BRANCHES, existing_loan_nos=no_existing)
    assert len(parsed.errors) == 1
    assert parsed.errors[0].row is None and message in parsed.errors[0].message
    assert parsed.rows == []


def test_missing_required_column_is_one_error_and_no_per_row_errors():
    header = [h for h in HEADER if h != "到期日期"]
    row = [v for h, v in zip(HEADER, GOOD) if h != "到期日期"]
    parsed = read_csv(row, row, header=header)
    assert [(e.row, e.column, e.message) for e in parsed.errors] == [
        (None, "到期日期", 'The required column "到期日期" is missing.'),
        (3, "借据号", "Loan number DY001 already appears on row 2."),
    ]


def test_missing_column_is_named_in_the_files_language():
    parsed = read_csv(["DY1", "x", "DY"], header=["Loan number", "Borrower", "Branch"])
    assert {e.column for e in parsed.errors} == {"Outstanding principal", "Start date", "Due date"}


def test_a_column_given_twice_is_refused():
    parsed = read_csv([*GOOD, "DY009"], header=[*HEADER, "合同号"])
    assert problems(parsed) == [(None, "合同号")]


# --- one rule at a time -------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["2015-03-01", "2015/3/1", "2015.3.1", "20150301", "2015年3月1日",
                                  "2015-3-1", " 2015/03/01 ", "2015/3/1 0:00", "2015-03-01 00:00:00"])
def test_accepts_date_formats(text):
    parsed = read_csv(with_cell("借款日期", text))
    assert parsed.errors == [] and parsed.rows[0]["start_date"] == date(2015, 3, 1)


@pytest.mark.parametrize(("text", "message"), [
    ("3/1/2015", "Not a valid date"), ("2015-02-30", "Not a valid date"), ("2015-W10-1", "Not a valid date"),
    ("42064", "Not a valid date"), ("昨天", "Not a valid date"), ("1900-01-01", "before 1950"),
])
def test_rejects_dates(text, message):
    parsed = read_csv(with_cell("借款日期", text))
    assert problems(parsed) == [(2, "借款日期")] and message in parsed.errors[0].message


def test_rejects_due_date_before_start_date():
    parsed = read_csv(with_cell("到期日期", "2019-02-28"))
    assert [(e.row, e.column, e.message) for e in parsed.errors] == [
        (2, "到期日期", "The due date is before the start date.")]


def test_due_date_equal_to_start_date_is_accepted():
    assert read_csv(with_cell("到期日期", "2019-03-01")).errors == []


def test_rejects_future_dates():
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    row = with_cell("借款日期", tomorrow, with_cell("到期日期", "2999-01-01"))
    assert problems(read_csv(row)) == [(2, "借款日期")]
    header = [*HEADER, "最后催收日期"]
    assert problems(read_csv([*GOOD, tomorrow], header=header)) == [(2, "最后催收日期")]
    assert read_csv(with_cell("借款日期", date.today().isoformat(), with_cell("到期日期", "2999-01-01"))).errors == []


@pytest.mark.parametrize(("text", "fen"), [
    ("12345.67", 1_234_567), ("12,345.67", 1_234_567), ("1.5万", 1_500_000), ("¥800", 80_000),
    ("１００", 10_000), (" 100.5 ", 10_050), ("100000000000", 10_000_000_000_000),
])
def test_accepts_amounts(text, fen):
    parsed = read_csv(with_cell("本金余额", text))
    assert parsed.errors == [] and parsed.rows[0]["principal_fen"] == fen


@pytest.mark.parametrize(("text", "message"), [
    ("abc", "Please enter the amount as a number"), ("-100", "cannot be negative"),
    ("100000000001", "cannot exceed"), ("1.234", "more than two decimal places"),
    ("0", "greater than zero"), ("", "required"),
])
def test_rejects_principal(text, message):
    parsed = read_csv(with_cell("本金余额", text))
    assert problems(parsed) == [(2, "本金余额")] and message in parsed.errors[0].message


def test_zero_or_empty_interest_is_fine():
    assert read_csv(with_cell("表外欠息", "0")).rows[0]["interest_fen"] == 0
    assert read_csv(with_cell("表外欠息", "")).rows[0]["interest_fen"] == 0


def test_duplicate_loan_number_names_the_first_row():
    parsed = read_csv(GOOD, with_cell("借据号", "DY002"), GOOD)
    assert [(e.row, e.column, e.message) for e in parsed.errors] == [
        (4, "借据号", "Loan number DY001 already appears on row 2.")]


def test_loan_number_already_in_the_database():
    parsed = read_csv(GOOD, existing_loan_nos=lambda c: {"DY001"})
    assert [(e.row, e.message) for e in parsed.errors] == [(2, "Loan number DY001 has already been imported.")]


@pytest.mark.parametrize(("text", "branch_id"), [("DY", 1), ("dy", 1), (" Dy ", 1), ("大瑶支行", 1), ("永安支行", 2)])
def test_branch_by_code_or_name(text, branch_id):
    assert read_csv(with_cell("支行", text)).rows[0]["branch_id"] == branch_id


@pytest.mark.parametrize("text", ["ZZ", "大瑶", ""])
def test_rejects_unknown_or_missing_branch(text):
    assert problems(read_csv(with_cell("支行", text))) == [(2, "支行")]


@pytest.mark.parametrize(("text", "value"), [
    ("是", True), ("有", True), ("Y", True), ("y", True), ("yes", True), ("TRUE", True), ("1", True),
    ("√", True), ("ｙｅｓ", True), ("否", False), ("无", False), ("N", False), ("no", False), ("false", False),
    ("0", False), ("×", False), ("", False), (" 是 ", True),
])
def test_yes_no_values(text, value):
    parsed = read_csv(with_cell("借款人死亡", text))
    assert parsed.errors == [] and parsed.rows[0]["borrower_deceased"] is value


@pytest.mark.parametrize("text", ["也许", "2", "不详", "x"])
def test_rejects_unknown_yes_no_value(text):
    parsed = read_csv(with_cell("借款人死亡", text))
    assert problems(parsed) == [(2, "借款人死亡")] and "Unknown yes/no value" in parsed.errors[0].message


@pytest.mark.parametrize(("text", "value"), [
    ("信用", "credit"), ("保证", "guarantee"), ("抵押", "mortgage"), ("质押", "pledge"), ("", "credit"),
    ("Pledge", "pledge"), ("GUARANTEE", "guarantee"), ("抵押担保", "mortgage"),
])
def test_guarantee_types(text, value):
    assert read_csv(with_cell("担保方式", text)).rows[0]["guarantee_type"] == value


@pytest.mark.parametrize(("text", "value"), [
    ("未起诉", "not_sued"), ("诉讼中", "in_suit"), ("已起诉", "in_suit"), ("已判决未执行", "judged_not_enforced"),
    ("已判决", "judged_not_enforced"), ("执行中", "in_enforcement"), ("终结执行", "enforcement_terminated"),
    ("", "not_sued"), ("in_enforcement", "in_enforcement"), ("Judged, not enforced", "judged_not_enforced"),
])
def test_litigation_statuses(text, value):
    assert read_csv(with_cell("诉讼状态", text)).rows[0]["litigation_status"] == value


@pytest.mark.parametrize(("column", "text"), [("担保方式", "连带"), ("诉讼状态", "调解")])
def test_rejects_unknown_codes(column, text):
    parsed = read_csv(with_cell(column, text))
    assert problems(parsed) == [(2, column)] and text in parsed.errors[0].message


@pytest.mark.parametrize(("text", "value"), [("108", "108"), ("110", "110"), ("", "108"), ("109", None)])
def test_account(text, value):
    parsed = read_csv([*GOOD, text], header=[*HEADER, "科目"])
    if value is None:
        assert problems(parsed) == [(2, "科目")]
    else:
        assert parsed.rows[0]["account"] == value


@pytest.mark.parametrize(("text", "value"), [
    ("430181198001011234", "430181198001011234"), ("43018119800101123x", "43018119800101123X"),
    ("430181800101123", "430181800101123"), ("", None),
    ("4301811980010112", False), ("43018119800101123Y", False), ("4301811980010112345", False),
    ("X30181198001011234", False), ("4.30181E+17", False),
])
def test_id_numbers(text, value):
    parsed = read_csv(with_cell("身份证号", text))
    if value is False:
        assert problems(parsed) == [(2, "身份证号")]
    else:
        assert parsed.errors == [] and parsed.rows[0]["id_number"] == value


def test_an_18_digit_id_typed_as_an_excel_number_is_refused():
    data = xlsx_bytes([HEADER, with_cell("身份证号", 430181198001011234)])
    parsed = read_tape(data, "t.xlsx", branches=BRANCHES, existing_loan_nos=no_existing)
    assert problems(parsed) == [(2, "身份证号")] and "format the column as text" in parsed.errors[0].message


@pytest.mark.parametrize(("column", "limit"), [
    ("loan_no", 40), ("borrower", 80), ("township", 80), ("collateral", 255), ("guarantor", 120),
    ("loan_officer", 80),
])
def test_text_length_limits(column, limit):
    header = [*HEADER, "抵押物", "担保人", "信贷员"]
    names = dict(loan_no="借据号", borrower="借款人", township="乡镇/村", collateral="抵押物", guarantor="担保人",
                 loan_officer="信贷员")
    at_limit = [*GOOD, "房", "李", "王"]
    at_limit[header.index(names[column])] = "长" * limit
    assert read_csv(at_limit, header=header).rows[0][column] == "长" * limit
    too_long = list(at_limit)
    too_long[header.index(names[column])] = "长" * (limit + 1)
    parsed = read_csv(too_long, header=header)
    assert problems(parsed) == [(2, names[column])] and f"at most {limit}" in parsed.errors[0].message


@pytest.mark.parametrize("column", ["借据号", "借款人", "借款日期", "到期日期"])
def test_rejects_missing_required_cell(column):
    parsed = read_csv(with_cell(column, "  "))
    assert [(e.row, e.column, e.message) for e in parsed.errors] == [(2, column, "This cell is required.")]


def test_text_cells_are_trimmed_and_empty_optional_cells_are_none():
    parsed = read_csv(with_cell("借款人", "\u3000张三 ", with_cell("乡镇/村", "  ")))
    assert (parsed.rows[0]["borrower"], parsed.rows[0]["township"]) == ("张三", None)


# --- templates and the synthetic generator ------------------------------------------------------


def test_template_headers():
    assert template_headers("zh")[:3] == ["借据号", "借款人", "身份证号"]
    assert template_headers("en")[:3] == ["Loan number", "Borrower", "ID number"]
    assert len(template_headers()) == len(COLUMNS) == 23


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_csv_template_round_trips(lang):
    data = write_template_csv(lang)
    assert data.startswith(b"\xef\xbb\xbf")
    parsed = read_tape(data, "template.csv", branches=BRANCHES, existing_loan_nos=no_existing)
    assert [e.message for e in parsed.errors] == ["The file has a header row but no data rows."]
    assert parsed.ignored_columns == []


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_xlsx_template_round_trips(lang):
    data = write_template_xlsx(lang)
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0)
    assert sheet.to_python()[0] == template_headers(lang)
    parsed = read_tape(data, "template.xlsx", branches=BRANCHES, existing_loan_nos=no_existing)
    assert [e.message for e in parsed.errors] == ["The file has a header row but no data rows."]


def test_synthetic_generator_is_deterministic():
    first = list(synthetic_tape.generate_rows(50, seed=7))
    assert first == list(synthetic_tape.generate_rows(50, seed=7))
    assert first != list(synthetic_tape.generate_rows(50, seed=8))
    assert set(first[0]) == set(template_headers("zh"))


@pytest.mark.parametrize(("name", "encoding"), [("t.csv", "utf-8-sig"), ("t.csv", "gb18030"), ("t.xlsx", None)])
def test_synthetic_tapes_parse_cleanly(tmp_path, name, encoding):
    path = tmp_path / name
    if encoding:
        synthetic_tape.write_csv(path, 300, seed=3, encoding=encoding)
    else:
        synthetic_tape.write_xlsx(path, 300, seed=3)
    parsed = read_tape(path.read_bytes(), name, branches={"DY": 1, "YA": 2, "ZT": 3}, existing_loan_nos=no_existing)
    assert parsed.errors == [] and parsed.row_count == 300
    expected = list(synthetic_tape.generate_rows(300, seed=3))
    assert [r["loan_no"] for r in parsed.rows] == [r["借据号"] for r in expected]
    assert [r["principal_fen"] for r in parsed.rows] == [int(r["本金余额"] * 100) for r in expected]
    assert [r["start_date"] for r in parsed.rows] == [r["借款日期"] for r in expected]
