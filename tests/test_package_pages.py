"""The package desk in the browser and over the API."""
import io
import re
from datetime import date

import pytest
from python_calamine import CalamineWorkbook
from sqlalchemy import func, select

from core.database import db
from core.demo import DEMO_PASSWORD, load_demo
from packages.models import Loan, Package, PackageStatus, PackagingPlan, PlanStatus, PricingRatio

TAPE = ("借据号,借款人,支行,乡镇/村,本金余额,借款日期,到期日期,借款人死亡\n"
        "ZT900001,张三,ZT,镇头镇新华村,\"100,000\",2019-03-01,2020-03-01,否\n"
        "ZT900002,李四,镇头支行,镇头镇南山村,5万,2012-06-01,2013-06-01,是\n")


@pytest.fixture
def demo(app):
    load_demo(loan_count=60)
    db.session.commit()


@pytest.fixture
def signed_in(client, auth, demo):
    def sign_in(username):
        auth.logout()
        assert auth.login(username, DEMO_PASSWORD).status_code == 302
    return sign_in


def upload(client, content: bytes, name="tape.csv", cutoff="2026-10-31", **kwargs):
    return client.post("/packages/import", data={"file": (io.BytesIO(content), name), "cutoff_date": cutoff},
                       content_type="multipart/form-data", **kwargs)


def test_admin_imports_a_tape_in_the_browser(client, signed_in):
    signed_in("admin")
    response = upload(client, TAPE.encode("gb18030"))
    assert response.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Loan).where(Loan.loan_no.startswith("ZT9"))) == 2


def test_browser_upload_with_progress_gets_json_errors_and_stores_nothing(client, signed_in):
    signed_in("admin")
    bad = TAPE.replace("2019-03-01", "2019-13-01").replace("ZT,镇头", "XX,镇头")
    response = upload(client, bad.encode(), headers={"Accept": "application/json"})
    assert response.status_code == 422
    errors = response.json["errors"]
    assert {(e["row"], e["column"]) for e in errors} >= {(2, "借款日期"), (2, "支行")}
    assert db.session.scalar(select(func.count()).select_from(Loan).where(Loan.loan_no.startswith("ZT9"))) == 0


def test_import_page_lists_every_error_without_javascript(client, signed_in):
    signed_in("admin")
    bad = TAPE.replace("2019-03-01", "2019-13-01").replace("5万", "-5")
    page = upload(client, bad.encode()).get_data(as_text=True)
    assert "Nothing was imported" in page
    assert page.count("<tr><td>2</td>") + page.count("<tr><td>3</td>") >= 2


def test_import_refuses_a_wrong_file_type(client, signed_in):
    signed_in("admin")
    page = upload(client, b"hello", name="tape.pdf").get_data(as_text=True)
    assert "Only .xlsx and .csv files can be imported" in page


def test_templates_download_in_both_formats(client, signed_in):
    signed_in("admin")
    xlsx = client.get("/packages/template.xlsx")
    rows = CalamineWorkbook.from_filelike(io.BytesIO(xlsx.data)).get_sheet_by_index(0).to_python()
    assert "借据号" in rows[0]
    csv = client.get("/packages/template.csv")
    assert csv.data.startswith(b"\xef\xbb\xbf") and "借据号".encode() in csv.data


def test_committee_sees_masked_ids_in_the_excel_export(client, signed_in):
    signed_in("president")
    data = client.get("/packages/loans.xlsx", query_string={"branch": "DY"}).data
    rows = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()
    assert len(rows) > 1 and all("*" in str(row[2]) for row in rows[1:] if row[2])


def test_admin_overrides_a_class_with_a_reason(client, signed_in):
    signed_in("admin")
    loan = db.session.scalar(select(Loan).where(Loan.package_id.is_(None), Loan.grade == "potential").limit(1))
    page = client.post(f"/packages/loans/{loan.id}", data={"grade": "hard", "reason": ""}).get_data(as_text=True)
    assert "This field is required" in page
    response = client.post(f"/packages/loans/{loan.id}", data={"grade": "hard", "reason": "借款人失联"})
    assert response.status_code == 302
    db.session.refresh(loan)
    assert (loan.grade.value, loan.auto_grade.value, loan.grade_override_reason) == ("hard", "potential", "借款人失联")


def test_committee_cannot_override(client, signed_in):
    signed_in("leader")
    loan = db.session.scalar(select(Loan).limit(1))
    assert client.post(f"/packages/loans/{loan.id}", data={"grade": "hard", "reason": "x"}).status_code == 403


def test_pricing_table_edit_validates_and_saves(client, signed_in):
    signed_in("admin")
    form = {f"ratio_{c}_{b}": v for c in ("potential", "hard") for b, v in
            zip(("under_5", "5_to_10", "10_plus"), ("30", "20", "10") if c == "potential" else ("6", "3", "1"))}
    page = client.post("/packages/pricing", data={**form, "ratio_hard_10_plus": "abc"}).get_data(as_text=True)
    assert "Enter a percentage" in page
    assert client.post("/packages/pricing", data={**form, "ratio_hard_10_plus": "1.5%"}).status_code == 302
    row = db.session.scalar(select(PricingRatio).where(PricingRatio.loan_class == "hard",
                                                       PricingRatio.age_band == "10_plus"))
    assert row.ratio_bp == 150
    response = client.post("/packages/pricing", data={"reprice-priced_on": date.today().isoformat()},
                           follow_redirects=True)
    assert "prices changed" in response.get_data(as_text=True)


def test_compose_in_the_browser_then_another_member_approves(client, signed_in):
    signed_in("admin")
    page = client.post("/packages/plans/new", data={"branch": "YA", "package_count": "2",
                                                    "target_reserve": "10万"}).get_data(as_text=True)
    assert "not both" in page
    response = client.post("/packages/plans/new", data={"branch": "YA", "package_count": "3"})
    assert response.status_code == 302
    plan_url = response.headers["Location"]
    page = client.get(plan_url).get_data(as_text=True)
    assert "Reserve spread" in page and "Townships per package" in page
    signed_in("leader")
    response = client.post(plan_url, data={"action": "approve"}, follow_redirects=True)
    assert "Approved and published 3 packages" in response.get_data(as_text=True)
    plan = db.session.scalar(select(PackagingPlan).order_by(PackagingPlan.id.desc()))
    assert plan.status == PlanStatus.APPROVED and plan.decided_by.username == "leader"


def test_employee_reads_the_notice_board_but_not_the_desk(client, signed_in):
    signed_in("emp01")
    board = client.get("/packages/board").get_data(as_text=True)
    numbers = re.findall(r"/packages/board/(DY-\d{4}-\d{2})", board)
    assert len(numbers) == 4
    page = client.get(f"/packages/board/{numbers[0]}").get_data(as_text=True)
    assert "Reserve price" in page and "By guarantee type" in page
    assert re.search(r"4301\*{10}\d{3}[\dX]", page) and not re.search(r"430181\d{11}[\dX]", page)
    assert client.get("/packages/").status_code == 403
    assert client.get("/packages/board/NOPE-1").status_code == 404


def test_stratification_page_shows_every_band(client, signed_in):
    signed_in("admin")
    page = client.get("/packages/stratification", query_string={"branch": "DY"}).get_data(as_text=True)
    assert "By age band" in page and "10 years or more" in page and "Under 10,000 yuan" in page


def test_plan_export_has_a_sheet_per_package(client, signed_in):
    signed_in("admin")
    plan = db.session.scalar(select(PackagingPlan))
    data = client.get(f"/packages/plans/{plan.id}.xlsx").data
    assert len(CalamineWorkbook.from_filelike(io.BytesIO(data)).sheet_names) == 1 + len(plan.packages)


# --- API --------------------------------------------------------------------------


def test_api_import_compose_approve_and_list(client, api_token, demo):
    desk = api_token("desk9", roles="admin")
    response = client.post("/api/v1/loans/import", headers=desk, content_type="multipart/form-data",
                           data={"file": (io.BytesIO(TAPE.encode()), "t.csv"), "cutoff_date": "2026-10-31"})
    assert response.status_code == 201 and response.json["row_count"] == 2
    loans = client.get("/api/v1/loans", headers=desk, query_string={"branch": "ZT", "unpackaged": "1",
                                                                     "class": "hard"}).json
    assert [l["loan_no"] for l in loans["items"] if l["loan_no"].startswith("ZT9")] == ["ZT900002"]
    assert loans["items"][0]["grade_reasons"] and isinstance(loans["items"][0]["price"], str)
    plan = client.post("/api/v1/packaging/plans", headers=desk, json={"branch": "ZT", "target_reserve": "20000.00"})
    assert plan.status_code == 201, plan.json
    self_approval = client.post(f"/api/v1/packaging/plans/{plan.json['id']}/approve", headers=desk)
    assert self_approval.status_code == 403
    boss = api_token("boss9", roles="committee")
    approved = client.post(f"/api/v1/packaging/plans/{plan.json['id']}/approve", headers=boss)
    assert approved.status_code == 200 and approved.json["status"] == "approved"
    employee = api_token("emp9", roles="employee")
    listed = client.get("/api/v1/packages", headers=employee).json["items"]
    assert {p["number"] for p in listed} >= {p["number"] for p in approved.json["packages"]}


def test_api_import_with_errors_is_422_and_lists_them(client, api_token, demo):
    desk = api_token("desk9", roles="admin")
    response = client.post("/api/v1/loans/import", headers=desk, content_type="multipart/form-data",
                           data={"file": (io.BytesIO(TAPE.replace("5万", "abc").encode()), "t.csv"),
                                 "cutoff_date": "2026-10-31"})
    assert response.status_code == 422
    assert response.json["error"]["details"]["errors"][0]["row"] == 3


@pytest.mark.parametrize(
    ("body", "field"),
    [({"branch": "ZZ", "package_count": 2}, "branch"),
     ({"branch": "DY", "package_count": 0}, "package_count"),
     ({"branch": "DY", "target_reserve": 100.5}, "target_reserve"),
     ({"branch": "DY"}, None)],
)
def test_api_compose_refuses_bad_input(client, api_token, demo, body, field):
    desk = api_token("desk9", roles="admin")
    response = client.post("/api/v1/packaging/plans", headers=desk, json=body)
    assert response.status_code == 400
    assert response.json["error"]["details"].get("field") == field


def test_cli_imports_a_tape_and_reports_errors(app, demo, tmp_path):
    good, bad = tmp_path / "good.csv", tmp_path / "bad.csv"
    good.write_text(TAPE, encoding="utf-8-sig")
    bad.write_text(TAPE.replace("5万", "abc"), encoding="utf-8")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["loans", "import", str(bad), "--cutoff", "2026-10-31"])
    assert result.exit_code == 1 and "row 3" in result.output and "nothing was imported" in result.output
    result = runner.invoke(args=["loans", "import", str(good), "--cutoff", "2026-10-31", "--user", "admin"])
    assert result.exit_code == 0, result.output
    assert "imported 2 loans" in result.output


def test_leader_sends_a_draft_back_in_the_browser(client, signed_in):
    signed_in("admin")
    plan_url = client.post("/packages/plans/new", data={"branch": "ZT", "package_count": "2"}).headers["Location"]
    signed_in("leader")
    page = client.post(plan_url, data={"action": "reject", "reject-reason": ""}).get_data(as_text=True)
    assert "This field is required" in page
    page = client.post(plan_url, data={"action": "reject", "reject-reason": "请按乡镇重新组包"},
                       follow_redirects=True).get_data(as_text=True)
    assert "sent back to the package desk" in page and "请按乡镇重新组包" in page


def test_api_packages_refuses_an_unknown_status(client, api_token, demo):
    employee = api_token("emp9", roles="employee")
    assert client.get("/api/v1/packages", headers=employee, query_string={"status": "draft"}).status_code == 403
    response = client.get("/api/v1/packages", headers=employee, query_string={"status": "sold"})
    assert response.status_code == 400 and response.json["error"]["details"]["field"] == "status"
