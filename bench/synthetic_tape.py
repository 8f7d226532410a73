"""Deterministic synthetic loan tapes (Chinese headers) for benchmarks and tests.

    .venv/bin/python bench/synthetic_tape.py --rows 100000 --out /tmp/tape.csv [--seed 1] [--encoding gb18030]
    .venv/bin/python bench/synthetic_tape.py --rows 100000 --out /tmp/tape.xlsx

The same (n, seed) always gives the same tape. Every row is valid for branches whose
codes are `branch_codes`, and loan numbers are unique within a tape.
"""
from __future__ import annotations

import argparse
import csv
import random
import sys
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from packages.tape import template_headers  # noqa: E402

HEADERS = template_headers("zh")
DATE_HEADERS = {"借款日期", "到期日期", "最后还款日期", "最后催收日期"}
AMOUNT_HEADERS = {"本金余额", "表外欠息"}
FACT_HEADERS = ("借款人死亡", "宣告破产", "触犯刑律", "担保人无力清偿", "法院裁定终结执行")

TOWNS = ["大瑶镇", "永安镇", "镇头镇", "沙市镇", "古港镇", "官渡镇", "文家市镇", "张坊镇"]
VILLAGES = ["新华村", "南山村", "杨花村", "白沙村", "枫林村", "石塘村", "金鸡村", "荷花村", "龙泉村", "双江村",
            "长兴村", "丰裕村", "高坪村", "桃源村", "黄花村", "清江村"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红春生海波林兰福祥德"
SITUATIONS = [
    "借款人外出务工，联系方式已变更",
    "借款人在本地经营小卖部，有一定还款能力",
    "借款人已去世，继承人下落不明",
    "担保人已迁居外地，无力清偿",
    "借款人承诺年底前归还部分本金",
    "抵押房屋已拆迁，补偿款去向待查",
    "借款人务农，收入微薄",
    "借款人企业已破产清算",
    "法院已判决，尚未执行",
    "借款人长期在外，家属愿意协商还款",
]
GUARANTEE = ["信用", "保证", "保证", "抵押", "质押"]
LITIGATION = ["未起诉"] * 5 + ["诉讼中", "已判决未执行", "执行中"]
COLLATERAL = ["房产一处", "宅基地及房屋", "林权证一份", "农用车一辆", "门面一间"]
LAST_DAY = date(2025, 12, 31)  # keeps every generated date in the past
_ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def _id_number(rng: random.Random, birth: date) -> str:
    body = f"4301{rng.randrange(81, 99):02d}{birth:%Y%m%d}{rng.randrange(1000):03d}"
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, _ID_WEIGHTS)) % 11]


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def _principal(rng: random.Random) -> Decimal:
    """Mostly small farm loans, a long tail of larger business loans (yuan, 2 decimals)."""
    yuan = int(rng.lognormvariate(10.3, 0.9)) // 100 * 100 + rng.choice((0, 0, 0, rng.randrange(100)))
    cents = rng.choice((0, 0, 0, rng.randrange(100)))
    return Decimal(max(yuan, 1000)) + Decimal(cents) / 100


def _loan(rng: random.Random, index: int, branch_codes: tuple[str, ...]) -> dict:
    code = branch_codes[index % len(branch_codes)]
    start = date(2003, 1, 1) + timedelta(days=rng.randrange(365 * 17))
    due = start + timedelta(days=365 * rng.choice((1, 1, 2, 3, 5)))
    guarantee = rng.choice(GUARANTEE)
    facts = {header: rng.random() < p for header, p in zip(FACT_HEADERS, (0.06, 0.03, 0.02, 0.08, 0.04))}
    facts["担保人无力清偿"] &= guarantee == "保证"
    litigation = "终结执行" if facts["法院裁定终结执行"] else rng.choice(LITIGATION)
    repaid = due - timedelta(days=rng.randrange(30, 300)) if rng.random() < 0.4 else None
    notice = min(due + timedelta(days=rng.randrange(200, 2500)), LAST_DAY) if rng.random() < 0.6 else None
    return {
        "借据号": f"{code}{start:%Y}{index + 1:07d}",
        "借款人": _name(rng),
        "身份证号": _id_number(rng, start - timedelta(days=365 * rng.randrange(22, 60))) if rng.random() < 0.9 else "",
        "支行": code,
        "乡镇/村": f"{rng.choice(TOWNS)}{rng.choice(VILLAGES)}",
        "本金余额": _principal(rng),
        "表外欠息": Decimal(rng.randrange(0, 800_000)) / 100,
        "借款日期": start,
        "到期日期": due,
        "最后还款日期": repaid,
        "最后催收日期": notice,
        "科目": rng.choice(("108", "108", "110")),
        "目前状况": rng.choice(SITUATIONS),
        "抵押物": rng.choice(COLLATERAL) if guarantee in ("抵押", "质押") else "",
        "担保人": _name(rng) if guarantee == "保证" else "",
        "信贷员": _name(rng),
        "担保方式": guarantee,
        "诉讼状态": litigation,
        **facts,
    }


def generate_rows(n: int, seed: int = 1, branch_codes: tuple[str, ...] = ("DY", "YA", "ZT")) -> Iterator[dict]:
    """n loans as header-keyed dicts: dates as date, amounts as Decimal yuan, facts as bool, rest str."""
    rng = random.Random(seed)
    for index in range(n):
        yield _loan(rng, index, tuple(branch_codes))


def _csv_value(header: str, value: object, variant: int) -> str:
    """Vary the spellings a real tape mixes: date separators, thousands commas, 万, 是/否 vs blank."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else ("否" if variant % 3 else "")
    if header in DATE_HEADERS:
        return value.isoformat() if variant % 4 else f"{value.year}/{value.month}/{value.day}"
    if header in AMOUNT_HEADERS:
        if variant % 5 == 0:
            return f"{value:,.2f}"
        if variant % 7 == 0 and value % 100 == 0:
            return f"{value / 10000}万"
        return str(value)
    return str(value)


def write_csv(path: str | Path, n: int, seed: int = 1, encoding: str = "utf-8-sig",
              branch_codes: tuple[str, ...] = ("DY", "YA", "ZT")) -> None:
    with open(path, "w", newline="", encoding=encoding) as f:
        writer = csv.writer(f)
        writer.writerow(HEADERS)
        for index, row in enumerate(generate_rows(n, seed, branch_codes)):
            writer.writerow([_csv_value(h, row[h], index) for h in HEADERS])


def write_xlsx(path: str | Path, n: int, seed: int = 1, branch_codes: tuple[str, ...] = ("DY", "YA", "ZT")) -> None:
    """Typed cells like a real export: date cells, float amounts, 是/否 text."""
    import xlsxwriter

    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = workbook.add_worksheet("贷款清单")
    day = workbook.add_format({"num_format": "yyyy-mm-dd"})
    money = workbook.add_format({"num_format": "#,##0.00"})
    sheet.write_row(0, 0, HEADERS)
    for r, row in enumerate(generate_rows(n, seed, branch_codes), start=1):
        for c, header in enumerate(HEADERS):
            value = row[header]
            if value is None or value == "":
                continue
            if header in DATE_HEADERS:
                sheet.write_datetime(r, c, value, day)
            elif header in AMOUNT_HEADERS:
                sheet.write_number(r, c, float(value), money)
            elif isinstance(value, bool):
                sheet.write_string(r, c, "是" if value else "否")
            else:
                sheet.write_string(r, c, value)
    workbook.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", required=True, help="file name ending in .csv or .xlsx")
    parser.add_argument("--encoding", default="utf-8-sig", choices=("utf-8-sig", "utf-8", "gb18030"))
    parser.add_argument("--branches", default="DY,YA,ZT", help="comma-separated branch codes")
    args = parser.parse_args()
    codes = tuple(code.strip() for code in args.branches.split(",") if code.strip())
    if args.out.lower().endswith(".xlsx"):
        write_xlsx(args.out, args.rows, args.seed, codes)
    elif args.out.lower().endswith(".csv"):
        write_csv(args.out, args.rows, args.seed, args.encoding, codes)
    else:
        parser.error("--out must end in .csv or .xlsx")


if __name__ == "__main__":
    main()
