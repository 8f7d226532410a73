"""Demo data: one county bank with branches, staff of every role and a loan tape."""
from __future__ import annotations

import hashlib
import random
from datetime import date, timedelta

from sqlalchemy import func, select

from core import audit
from core.accounts import services
from core.accounts.models import EmploymentStatus, Position, User
from core.database import db

DEMO_PASSWORD = "demo-pass-2026"
CUTOFF = date(2026, 10, 31)

BRANCHES = [
    ("HQ", "总行营业部", "集里街道"),
    ("DY", "大瑶支行", "大瑶镇"),
    ("YA", "永安支行", "永安镇"),
    ("ZT", "镇头支行", "镇头镇"),
    ("SS", "沙市支行", "沙市镇"),
    ("GG", "古港支行", "古港镇"),
]
VILLAGES = ["新华村", "南山村", "杨花村", "白沙村", "枫林村", "石塘村", "金鸡村", "荷花村", "龙泉村", "双江村"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红春生海波林兰福祥德"
SITUATIONS = [
    "借款人外出务工，联系方式已变更",
    "借款人在本地经营小卖部，有一定还款能力",
    "借款人承诺年底前归还部分本金",
    "抵押房屋已拆迁，补偿款去向待查",
    "借款人务农，收入微薄",
    "借款人长期在外，家属愿意协商还款",
]
# The situation a loan officer writes when one of the hard-to-recover facts holds.
FACT_SITUATIONS = {
    "borrower_deceased": "借款人已去世，继承人下落不明",
    "borrower_bankrupt": "借款人企业已破产清算",
    "borrower_convicted": "借款人因犯罪正在服刑",
    "guarantor_unable": "担保人已迁居外地，无力清偿",
    "enforcement_terminated": "法院已裁定终结本次执行程序",
}

# (username, name, roles, position, status, branch)
STAFF = [
    ("admin", "周建国", "admin,employee", Position.STAFF, EmploymentStatus.ACTIVE, "HQ"),
    ("desk2", "罗志红", "admin,employee", Position.STAFF, EmploymentStatus.ACTIVE, "HQ"),
    ("leader", "陈德华", "committee,employee", Position.BRANCH_MANAGER, EmploymentStatus.ACTIVE, "HQ"),
    ("president", "刘国平", "committee", Position.PRESIDENT, EmploymentStatus.ACTIVE, "HQ"),
    ("auditor", "孙秀英", "auditor,employee", Position.STAFF, EmploymentStatus.ACTIVE, "HQ"),
    ("auditor2", "何春兰", "auditor,employee", Position.STAFF, EmploymentStatus.ACTIVE, "HQ"),
    ("areaaudit", "郭海波", "auditor", Position.AREA_AUDITOR, EmploymentStatus.ACTIVE, "DY"),
    ("finance", "曾桂英", "finance,employee", Position.STAFF, EmploymentStatus.ACTIVE, "HQ"),
    ("finance2", "谢丽娟", "finance,employee", Position.STAFF, EmploymentStatus.ACTIVE, "HQ"),
    ("retiree", "黄福祥", "employee", Position.STAFF, EmploymentStatus.RETIRED, "DY"),
    ("former", "吴明超", "employee", Position.STAFF, EmploymentStatus.LEFT, "YA"),
]
ROLE_SUMMARY = {
    "admin": "package desk administrator (资产保全部)",
    "desk2": "second package-desk administrator",
    "leader": "leadership group (领导小组), eligible to bid",
    "president": "bank president (行长): leadership group, NOT eligible to bid",
    "auditor": "audit department (稽核审计部)",
    "auditor2": "second auditor (four eyes)",
    "areaaudit": "area auditor (管片稽核员): NOT eligible to bid",
    "finance": "finance department (财务部)",
    "finance2": "second finance officer (four eyes)",
    "retiree": "retired employee, eligible to bid",
    "former": "left the bank: cannot sign in",
    "emp01": "employee / bidder (emp01 … emp24 alike)",
}


def _id_number(rng: random.Random, birth: date) -> str:
    body = f"430181{birth:%Y%m%d}{rng.randrange(1000):03d}"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    check = "10X98765432"[sum(int(d) * w for d, w in zip(body, weights)) % 11]
    return body + check


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def _create_staff(rng: random.Random) -> list[tuple[str, str]]:
    rows = list(STAFF)
    for i in range(1, 25):
        branch = BRANCHES[i % len(BRANCHES)][0]
        position = Position.LOAN_OFFICER if i % 3 == 0 else Position.STAFF
        rows.append((f"emp{i:02d}", _name(rng), "employee", position, EmploymentStatus.ACTIVE, branch))
    for n, (username, name, roles, position, status, branch) in enumerate(rows, start=1):
        services.create_user(services.UserData(
            username=username, name=name, password=DEMO_PASSWORD, roles=services.parse_roles(roles),
            branch_code=branch, position=position, status=status, employee_no=f"LY{n:04d}",
        ))
    return [(u, ROLE_SUMMARY[u]) for u in ROLE_SUMMARY]


def _create_loans(rng: random.Random, count: int, admin: User) -> None:
    from packages.models import GuaranteeType, ImportBatch, LitigationStatus
    from packages.services import bulk_insert_loans, grade_and_price, load_ratios

    branch_ids = {code: services.branch_by_code(code).id for code, _, _ in BRANCHES}
    officers = [_name(rng) for _ in range(12)]
    batch = ImportBatch(file_name="demo-tape.xlsx", checksum=hashlib.sha256(str(rng.random()).encode()).hexdigest(),
                        row_count=count, cutoff_date=CUTOFF, imported_by=admin)
    db.session.add(batch)
    db.session.flush()
    ratios, rows = load_ratios(), []
    for i in range(count):
        code, _, town = BRANCHES[1 + i % (len(BRANCHES) - 1)] if i % 7 else BRANCHES[0]
        start = date(2003, 1, 1) + timedelta(days=rng.randrange(365 * 16))
        due = start + timedelta(days=365 * rng.choice((1, 1, 2, 3)))
        guarantee = rng.choice(list(GuaranteeType))
        facts = {key: rng.random() < p for key, p in (
            ("borrower_deceased", 0.06), ("borrower_bankrupt", 0.03), ("borrower_convicted", 0.02),
            ("guarantor_unable", 0.08), ("enforcement_terminated", 0.04))}
        if guarantee != GuaranteeType.GUARANTEE:
            facts["guarantor_unable"] = False
        litigation = (LitigationStatus.ENFORCEMENT_TERMINATED if facts["enforcement_terminated"]
                      else rng.choice([LitigationStatus.NOT_SUED] * 4 + list(LitigationStatus)[1:4]))
        birth = start - timedelta(days=365 * rng.randrange(22, 60))
        rows.append(grade_and_price({
            "loan_no": f"{code}{start:%Y}{i + 1:05d}",
            "borrower": _name(rng),
            "id_number": _id_number(rng, birth),
            "branch_id": branch_ids[code],
            "township": f"{town}{rng.choice(VILLAGES)}",
            "principal_fen": rng.randrange(50, 3000) * 10_000 + rng.choice((0, 0, rng.randrange(100) * 100)),
            "interest_fen": rng.randrange(0, 800) * 10_000,
            "start_date": start,
            "due_date": due,
            "last_repayment_date": due - timedelta(days=rng.randrange(30, 300)) if rng.random() < 0.4 else None,
            "last_notice_date": due + timedelta(days=rng.randrange(200, 2500)) if rng.random() < 0.5 else None,
            "account": rng.choice(("108", "110")),
            "situation": next((FACT_SITUATIONS[f] for f, held in facts.items() if held), rng.choice(SITUATIONS)),
            "collateral": "房产一处" if guarantee == GuaranteeType.MORTGAGE else None,
            "guarantor": _name(rng) if guarantee == GuaranteeType.GUARANTEE else None,
            "loan_officer": rng.choice(officers),
            "guarantee_type": guarantee.value,
            "litigation_status": litigation.value,
            "batch_id": batch.id,
            **facts,
        }, ratios, CUTOFF))
    bulk_insert_loans(rows)
    audit.record("loans.import", batch, actor=admin,
                 after={"file_name": batch.file_name, "row_count": count, "cutoff_date": CUTOFF})


def _publish_demo_packages(admin: User) -> None:
    """Dayao's loans composed by the package desk and approved by the leadership group."""
    from packages.services import approve_plan, compose_plan

    leader = db.session.scalar(select(User).where(User.username == "leader"))
    plan = compose_plan(services.branch_by_code("DY"), admin, package_count=4)
    approve_plan(plan, leader)


def load_demo(*, loan_count: int = 300, seed: int = 2026) -> list[tuple[str, str]] | None:
    """Create the demo world; returns None (and changes nothing) if there are users already."""
    if db.session.scalar(select(func.count()).select_from(User)):
        return None
    rng = random.Random(seed)
    for code, name, _ in BRANCHES:
        services.create_branch(code, name)
    logins = _create_staff(rng)
    admin = db.session.scalar(select(User).where(User.username == "admin"))
    _create_loans(rng, loan_count, admin)
    if loan_count >= 40:
        _publish_demo_packages(admin)
    audit.record("demo.load", actor_label="system", after={"loans": loan_count, "seed": seed})
    return logins
