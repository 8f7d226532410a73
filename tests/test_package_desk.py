"""Package desk operations on the database: import, override, re-price, compose, approve."""
from datetime import date

import pytest
from sqlalchemy import func, select

from core.accounts import services as accounts
from core.audit import AuditEntry, verify_chain
from core.database import db
from packages import services
from packages.grading import LoanClass
from packages.models import ImportBatch, Loan, Package, PackageStatus, PlanStatus
from packages.pricing import AgeBand

HEADER = "借据号,借款人,身份证号,支行,乡镇/村,本金余额,表外欠息,借款日期,到期日期,借款人死亡,担保方式,诉讼状态\n"


def tape_csv(*rows: str, encoding: str = "utf-8") -> bytes:
    return (HEADER + "".join(r + "\n" for r in rows)).encode(encoding)


GOOD_ROWS = (
    "DY001,张三,430181198001011234,DY,大瑶镇新华村,\"100,000.00\",5000,2019-03-01,2020-03-01,否,保证,未起诉",
    "DY002,李四,,大瑶支行,大瑶镇南山村,5万,0,2012/6/1,2013/6/1,是,信用,终结执行",
    "DY003,王五,,DY,大瑶镇南山村,80000,0,2020-01-01,2021-01-01,,抵押,诉讼中",
)


@pytest.fixture
def desk(app, make_user):
    accounts.create_branch("DY", "大瑶支行")
    accounts.create_branch("YA", "永安支行")
    db.session.commit()
    return make_user("desk", "admin,employee")


def import_good(desk, cutoff=date(2026, 10, 31)):
    result = services.import_tape(tape_csv(*GOOD_ROWS), "tape.csv", cutoff_date=cutoff, user=desk)
    assert result.errors == []
    db.session.commit()
    return result.batch


def test_import_grades_prices_and_records_the_batch(desk):
    batch = import_good(desk)
    loans = {loan.loan_no: loan for loan in db.session.scalars(select(Loan))}
    assert set(loans) == {"DY001", "DY002", "DY003"}
    assert loans["DY001"].grade == LoanClass.POTENTIAL
    assert loans["DY001"].price_fen == 20_000_00  # 7 years: potential 5-10 years, 20%
    assert loans["DY002"].grade == LoanClass.HARD
    assert loans["DY002"].grade_reasons == "borrower_deceased"
    assert loans["DY002"].price_fen == 500_00  # 14 years: hard 10+ years, 1% of 50,000
    assert loans["DY003"].batch_id == batch.id
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "loans.import"))
    assert entry.after_data["row_count"] == 3 and entry.after_data["checksum"] == batch.checksum


def test_a_tape_with_errors_stores_nothing(desk):
    bad = tape_csv(GOOD_ROWS[0], "DY001,重复,,DY,大瑶镇,100,0,2019-01-01,2018-01-01,否,,", "DY009,某,,ZZ,,abc,0,2019-01-01,2020-01-01,也许,,")
    result = services.import_tape(bad, "bad.csv", cutoff_date=date(2026, 10, 31), user=desk)
    assert result.batch is None
    assert len(result.errors) >= 4
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Loan)) == 0
    assert db.session.scalar(select(func.count()).select_from(ImportBatch)) == 0


def test_importing_the_same_loans_twice_is_refused(desk):
    import_good(desk)
    result = services.import_tape(tape_csv(*GOOD_ROWS), "again.csv", cutoff_date=date(2026, 10, 31), user=desk)
    assert result.batch is None and len(result.errors) == 3


def test_future_cutoff_date_is_refused(desk):
    result = services.import_tape(tape_csv(*GOOD_ROWS), "t.csv", cutoff_date=date(2999, 1, 1), user=desk)
    assert result.batch is None


def test_override_keeps_the_rules_class_visible_and_reprices(desk):
    import_good(desk)
    loan = db.session.scalar(select(Loan).where(Loan.loan_no == "DY001"))
    services.override_grade(loan, LoanClass.HARD, "借款人已失联多年", desk)
    db.session.commit()
    assert (loan.grade, loan.auto_grade) == (LoanClass.HARD, LoanClass.POTENTIAL)
    assert loan.price_fen == 3_000_00  # 100,000 x 3% (hard, 5-10 years)
    services.clear_grade_override(loan)
    db.session.commit()
    assert loan.grade == LoanClass.POTENTIAL and loan.price_fen == 20_000_00
    assert verify_chain() == []


def test_override_needs_a_written_reason(desk):
    import_good(desk)
    loan = db.session.scalar(select(Loan).where(Loan.loan_no == "DY001"))
    with pytest.raises(services.PackagingError, match="written reason"):
        services.override_grade(loan, LoanClass.HARD, "  ", desk)


def test_ratio_edit_is_audited_and_reprice_skips_published_packages(desk, make_user):
    import_good(desk)
    plan = services.compose_plan(services_branch("DY"), desk, package_count=1)
    services.approve_plan(plan, make_user("leader", "committee"))
    db.session.commit()
    published_prices = {l.loan_no: l.price_fen for l in db.session.scalars(select(Loan))}
    services.set_ratios({(LoanClass.POTENTIAL, AgeBand.FROM_5_TO_10): 2500})
    assert services.reprice_loans(date(2026, 10, 31)) == 0
    db.session.commit()
    assert {l.loan_no: l.price_fen for l in db.session.scalars(select(Loan))} == published_prices
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "pricing.ratios_update"))
    assert entry.after_data["potential/5_to_10"] == 2500


def test_reprice_changes_unpackaged_loans(desk):
    import_good(desk)
    services.set_ratios({(LoanClass.POTENTIAL, AgeBand.FROM_5_TO_10): 2500})
    assert services.reprice_loans(date(2026, 10, 31)) == 2  # DY001 and DY003 are potential, 5-10 years
    db.session.commit()
    assert db.session.scalar(select(Loan.price_fen).where(Loan.loan_no == "DY001")) == 25_000_00
    assert db.session.scalar(select(Loan.price_fen).where(Loan.loan_no == "DY002")) == 500_00


def services_branch(code):
    return accounts.branch_by_code(code)


def test_compose_puts_every_loan_in_one_package(desk):
    import_good(desk)
    plan = services.compose_plan(services_branch("DY"), desk, package_count=2)
    db.session.commit()
    assert plan.status == PlanStatus.DRAFT
    assert sorted(len(p.loans) for p in plan.packages) == [1, 2]
    assert sum(p.reserve_fen for p in plan.packages) == db.session.scalar(select(func.sum(Loan.price_fen)))
    with pytest.raises(services.PackagingError, match="no unpackaged loans"):
        services.compose_plan(services_branch("DY"), desk, package_count=1)


def test_composer_cannot_approve_their_own_plan(desk, make_user):
    import_good(desk)
    desk_and_committee = make_user("both", "admin,committee")
    plan = services.compose_plan(services_branch("DY"), desk_and_committee, package_count=1)
    with pytest.raises(services.SelfApprovalError):
        services.approve_plan(plan, desk_and_committee)


def test_approval_numbers_freezes_and_publishes(desk, make_user):
    import_good(desk)
    plan = services.compose_plan(services_branch("DY"), desk, package_count=2)
    packages = services.approve_plan(plan, make_user("leader", "committee"))
    db.session.commit()
    year = date.today().year
    assert [p.number for p in packages] == [f"DY-{year}-01", f"DY-{year}-02"]
    assert all(p.status == PackageStatus.PUBLISHED for p in packages)
    loan = packages[0].loans[0]
    with pytest.raises(services.PackagingError, match="published package"):
        services.override_grade(loan, LoanClass.HARD, "reason", desk)
    with pytest.raises(services.PlanNotDraftError):
        services.move_loan(loan, packages[1], desk)
    with pytest.raises(services.PlanNotDraftError):
        services.discard_plan(plan, desk)


def test_numbers_continue_across_plans_of_a_year(desk, make_user):
    import_good(desk)
    leader = make_user("leader", "committee")
    services.approve_plan(services.compose_plan(services_branch("DY"), desk, package_count=1), leader)
    more = services.import_tape(tape_csv("DY010,赵六,,DY,大瑶镇,1000,0,2020-01-01,2021-01-01,否,,"), "more.csv",
                                cutoff_date=date(2026, 10, 31), user=desk)
    assert more.errors == []
    second = services.approve_plan(services.compose_plan(services_branch("DY"), desk, package_count=1), leader)
    assert second[0].number.endswith("-02")


def test_only_committee_members_approve(desk, make_user):
    import_good(desk)
    plan = services.compose_plan(services_branch("DY"), desk, package_count=1)
    with pytest.raises(services.PackagingError, match="leadership group"):
        services.approve_plan(plan, make_user("clerk", "admin"))


def test_move_loan_updates_reserves_and_refuses_emptying_a_package(desk):
    import_good(desk)
    plan = services.compose_plan(services_branch("DY"), desk, package_count=2)
    small, big = sorted(plan.packages, key=lambda p: len(p.loans))
    services.move_loan(big.loans[0], small, desk)
    db.session.commit()
    assert len(small.loans) == 2 and len(big.loans) == 1
    assert small.reserve_fen == sum(l.price_fen for l in small.loans)
    with pytest.raises(services.PackagingError, match="would be empty"):
        services.move_loan(big.loans[0], small, desk)


def test_discard_releases_the_loans(desk):
    import_good(desk)
    plan = services.compose_plan(services_branch("DY"), desk, package_count=2)
    services.discard_plan(plan, desk)
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Loan).where(Loan.package_id.is_(None))) == 3
    assert all(p.status == PackageStatus.DISCARDED for p in db.session.scalars(select(Package)))


def test_committee_sends_a_plan_back_with_a_reason_and_loans_are_released(desk, make_user):
    import_good(desk)
    leader = make_user("leader", "committee")
    plan = services.compose_plan(services_branch("DY"), desk, package_count=2)
    with pytest.raises(services.PackagingError, match="written reason"):
        services.reject_plan(plan, leader, " ")
    with pytest.raises(services.PackagingError, match="leadership group"):
        services.reject_plan(plan, desk, "not mine to reject")
    services.reject_plan(plan, leader, "大瑶镇的包太分散，请重新组包")
    db.session.commit()
    assert (plan.status, plan.decision_reason) == (PlanStatus.DISCARDED, "大瑶镇的包太分散，请重新组包")
    assert db.session.scalar(select(func.count()).select_from(Loan).where(Loan.package_id.is_(None))) == 3
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "plan.reject"))
    assert entry.actor_label == "leader" and entry.after_data["reason"].startswith("大瑶镇")
