"""XLSX exports, read back with python-calamine (no app, no DB)."""
from __future__ import annotations

import io
import re
import zipfile
from datetime import date
from types import SimpleNamespace as NS

import pytest
from python_calamine import CalamineWorkbook

from packages import bundling
from packages.export import MAX_SHEET_NAME, loans_xlsx, plan_xlsx, yuan_number
from packages.grading import LoanClass
from packages.models import GuaranteeType, LitigationStatus

HEADER = [
    "Loan number", "Borrower", "ID number", "Branch", "Township / village", "Principal",
    "Off-balance interest owed", "Price", "Class", "Grade reasons", "Loan date", "Due date",
    "Guarantee type", "Litigation", "Package",
]


def make_loan(loan_no="DY0001", **overrides):
    fields = dict(
        loan_no=loan_no, borrower="张三", id_number="430124198001011234", township="永安镇",
        principal_fen=1_234_567, interest_fen=5, price_fen=370_000, grade=LoanClass.HARD,
        grade_reasons="borrower_deceased,guarantor_unable", guarantee_type=GuaranteeType.MORTGAGE,
        litigation_status=LitigationStatus.IN_SUIT, start_date=date(2015, 3, 1), due_date=date(2016, 2, 29),
        branch=NS(code="DY"), package=NS(number="DY-2026-01"),
    )
    return NS(**{**fields, **overrides})


def read_sheets(data: bytes) -> dict[str, list[list]]:
    workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
    return {name: workbook.get_sheet_by_name(name).to_python() for name in workbook.sheet_names}


def sheet_xml(data: bytes, number: int) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.read(f"xl/worksheets/sheet{number}.xml").decode()


# --- loans_xlsx ---------------------------------------------------------------------------


def test_masked_loan_list_round_trips_values_and_dates():
    data = loans_xlsx([make_loan()], mask_ids=True, title="Loans")
    sheets = read_sheets(data)
    assert list(sheets) == ["Loans"]
    header, row = sheets["Loans"]
    assert header == HEADER
    assert row == [
        "DY0001", "张三", "4301**********1234", "DY", "永安镇", 12345.67, 0.05, 3700.0,
        "Hard to recover", "Borrower deceased, Guarantor unable to pay",
        date(2015, 3, 1), date(2016, 2, 29), "Mortgage", "In suit", "DY-2026-01",
    ]


def test_every_id_number_is_masked_when_asked():
    loans = [make_loan("A", id_number="430124198001011234"), make_loan("B", id_number="1234567"),
             make_loan("C", id_number=None)]
    rows = read_sheets(loans_xlsx(loans, mask_ids=True, title="Loans"))["Loans"][1:]
    ids = [row[2] for row in rows]
    assert ids == ["4301**********1234", "*******", ""]
    assert all("*" in value for value in ids[:2])
    assert not any(re.search(r"\d{5,}", value) for value in ids)


def test_desk_export_shows_full_id_numbers():
    rows = read_sheets(loans_xlsx([make_loan()], mask_ids=False, title="Loans"))["Loans"]
    assert rows[1][2] == "430124198001011234"


def test_plain_objects_without_branch_package_or_reasons():
    loan = make_loan(branch=None, package=None, township=None, grade=LoanClass.POTENTIAL, grade_reasons="",
                     principal_fen=10**13 - 1, interest_fen=0, price_fen=0)
    del loan.branch, loan.package  # attributes may be missing altogether on plain objects
    row = read_sheets(loans_xlsx([loan], mask_ids=True, title="Loans"))["Loans"][1]
    assert row[3:10] == ["", "", 99999999999.99, 0.0, 0.0, "Has recovery potential", ""]
    assert row[14] == ""


def test_text_that_looks_like_a_formula_stays_text():
    loan = make_loan(loan_no="=HYPERLINK(\"http://x\")", borrower="+1", township="http://example.com")
    data = loans_xlsx([loan], mask_ids=True, title="Loans")
    assert read_sheets(data)["Loans"][1][:5:4] == ["=HYPERLINK(\"http://x\")", "http://example.com"]
    xml = sheet_xml(data, 1)
    assert "<f>" not in xml and "hyperlink" not in xml.lower()


def test_header_frozen_autofilter_widths_and_number_formats():
    data = loans_xlsx([make_loan("A"), make_loan("B")], mask_ids=True, title="Loans")
    xml = sheet_xml(data, 1)
    assert '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>' in xml
    assert '<autoFilter ref="A1:O3"/>' in xml
    width_ranges = re.findall(r'<col min="(\d+)" max="(\d+)" width="[\d.]+" customWidth="1"/>', xml)
    covered = {col for low, high in width_ranges for col in range(int(low), int(high) + 1)}
    assert covered == set(range(1, len(HEADER) + 1))
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        styles = archive.read("xl/styles.xml").decode()
    assert 'formatCode="#,##0.00"' in styles and 'formatCode="yyyy-mm-dd"' in styles


def test_empty_loan_list_has_the_header_only():
    data = loans_xlsx([], mask_ids=True, title="Loans")
    assert read_sheets(data)["Loans"] == [HEADER]
    assert '<autoFilter ref="A1:O1"/>' in sheet_xml(data, 1)


def test_title_becomes_a_valid_sheet_name():
    data = loans_xlsx([make_loan()], mask_ids=True, title="Loans: DY/2026 [all branches] * ? and more text")
    (name,) = read_sheets(data)
    assert name == "Loans_ DY_2026 _all branches_ _"
    assert len(name) <= MAX_SHEET_NAME


def test_yuan_number_is_exact_to_the_fen():
    assert yuan_number(1) == 0.01
    assert yuan_number(1_234_567) == 12345.67
    assert yuan_number(10**13 - 1) == 99999999999.99


# --- plan_xlsx ---------------------------------------------------------------------------------


def plan_packages():
    first = NS(number="DY-2026-01", seq=1, loans=[
        make_loan("A", price_fen=300_000, grade=LoanClass.POTENTIAL, township="永安镇"),
        make_loan("B", price_fen=100_000, grade=LoanClass.HARD, township="古港镇"),
    ])
    second = NS(number=None, seq=2, loans=[
        make_loan("C", price_fen=250_000, grade=LoanClass.POTENTIAL, township="永安镇", id_number="4301241990"),
    ])
    return [first, second]


def test_plan_has_a_summary_and_a_sheet_per_package():
    data = plan_xlsx(plan_packages(), None)
    sheets = read_sheets(data)
    assert list(sheets) == ["Summary", "DY-2026-01", "#2"]
    assert sheets["Summary"] == [
        ["Package", "Loans", "Principal", "Reserve price", "Townships", "Share of reserve with recovery potential"],
        ["DY-2026-01", 2.0, 24691.34, 4000.0, 2.0, 0.75],
        ["#2", 1.0, 12345.67, 2500.0, 1.0, 1.0],
        ["Total", 3.0, 37037.01, 6500.0, 2.0, 0.8462],  # 5,500 / 6,500 = 84.62%
    ]
    assert [row[0] for row in sheets["DY-2026-01"]] == ["Loan number", "A", "B"]
    assert sheets["#2"][0] == HEADER
    assert sheets["#2"][1][:3] == ["C", "张三", "4301**1990"]


def test_summary_shows_the_planners_metrics_when_given():
    metrics = [NS(loan_count=2, reserve_fen=400_000, township_count=5, potential_share_bp=1234),
               NS(loan_count=1, reserve_fen=250_000, township_count=1, potential_share_bp=10_000)]
    summary = read_sheets(plan_xlsx(plan_packages(), metrics))["Summary"]
    assert summary[1] == ["DY-2026-01", 2.0, 24691.34, 4000.0, 5.0, 0.1234]
    assert summary[2] == ["#2", 1.0, 12345.67, 2500.0, 1.0, 1.0]


def test_planner_metrics_agree_with_the_loans():
    packages = plan_packages()
    metrics = [bundling.package_metrics(
        bundling.BundleLoan(i, loan.price_fen, loan.township or "", loan.grade == LoanClass.POTENTIAL)
        for i, loan in enumerate(package.loans)) for package in packages]
    with_metrics = read_sheets(plan_xlsx(packages, metrics))["Summary"]
    assert with_metrics == read_sheets(plan_xlsx(packages, None))["Summary"]


def test_plan_masks_id_numbers_unless_told_otherwise():
    masked = read_sheets(plan_xlsx(plan_packages(), None))["DY-2026-01"]
    assert [row[2] for row in masked[1:]] == ["4301**********1234"] * 2
    full = read_sheets(plan_xlsx(plan_packages(), None, mask_ids=False))["DY-2026-01"]
    assert [row[2] for row in full[1:]] == ["430124198001011234"] * 2


def test_plan_accepts_package_and_loans_pairs():
    pairs = [(NS(number="DY-2026-07", seq=7), [make_loan("X")])]
    sheets = read_sheets(plan_xlsx(pairs, None))
    assert list(sheets) == ["Summary", "DY-2026-07"]
    assert sheets["DY-2026-07"][1][0] == "X"


def test_plan_sheet_names_are_short_and_unique():
    long = "BRANCH-WITH-A-VERY-LONG-CODE-2026-01"
    packages = [NS(number=long, seq=1, loans=[make_loan("A")]),
                NS(number=long.lower(), seq=2, loans=[make_loan("B")]),
                NS(number="Summary", seq=3, loans=[make_loan("C")])]
    names = list(read_sheets(plan_xlsx(packages, None)))
    assert names == ["Summary", long[:31], long.lower()[:27] + " (2)", "Summary (2)"]
    assert all(len(name) <= MAX_SHEET_NAME for name in names)


def test_plan_with_no_packages_has_only_the_summary():
    sheets = read_sheets(plan_xlsx([], []))
    assert list(sheets) == ["Summary"]
    assert sheets["Summary"][-1] == ["Total", 0.0, 0.0, 0.0, 0.0, 0.0]


def test_metrics_rows_must_line_up_with_packages():
    with pytest.raises(ValueError):
        plan_xlsx(plan_packages(), [object()])
