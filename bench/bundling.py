"""Benchmark the package planner on a deterministic synthetic branch.

    .venv/bin/python bench/bundling.py [--loans 100000] [--packages 250] [--seed 1]

Prints one JSON object. The same (loans, seed) always gives the same loans. peak_memory_mib is
the process's peak resident size (generation included), from getrusage.
"""
from __future__ import annotations

import argparse
import json
import math
import random
import resource
import sys
import time
from pathlib import Path

if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from packages.bundling import BundleLoan, plan_metrics, plan_packages, random_township_baseline  # noqa: E402

TOWNS = ["大瑶镇", "永安镇", "镇头镇", "沙市镇", "古港镇", "官渡镇", "文家市镇", "张坊镇"]
VILLAGES = ["新华村", "南山村", "杨花村", "白沙村", "枫林村", "石塘村", "金鸡村", "荷花村",
            "龙泉村", "双江村", "长兴村", "丰裕村", "高坪村", "桃源村", "黄花村", "清江村"]
MIN_PRICE_FEN, MAX_PRICE_FEN = 300_00, 150_000_00


def synthetic_loans(n: int, seed: int = 1, villages_per_town: int = 5) -> list[BundleLoan]:
    """~40 townships ("X镇Y村") under 8 towns, of uneven size; log-normal prices; ~80% potential."""
    rng = random.Random(seed)
    townships = [town + village for town in TOWNS for village in rng.sample(VILLAGES, villages_per_town)]
    sizes = [rng.uniform(0.4, 1.6) for _ in townships]
    potential_rate = [min(0.95, max(0.6, rng.gauss(0.8, 0.05))) for _ in townships]
    picks = rng.choices(range(len(townships)), weights=sizes, k=n)
    loans = []
    for loan_id, t in enumerate(picks, start=1):
        price = round(math.exp(rng.gauss(math.log(8_000_00), 1.1)))
        price = min(MAX_PRICE_FEN, max(MIN_PRICE_FEN, price))
        loans.append(BundleLoan(loan_id, price, townships[t], rng.random() < potential_rate[t]))
    return loans


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loans", type=int, default=100_000)
    parser.add_argument("--packages", type=int, default=250)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    loans = synthetic_loans(args.loans, args.seed)
    started = time.perf_counter()
    packages = plan_packages(loans, package_count=args.packages)
    seconds = time.perf_counter() - started
    metrics = plan_metrics(packages)
    print(json.dumps({
        "loans": args.loans,
        "packages": metrics.package_count,
        "seed": args.seed,
        "seconds": round(seconds, 3),
        "peak_memory_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "spread": round(metrics.spread, 6),
        "mean_townships": round(metrics.mean_townships, 3),
        "random_baseline_townships": round(random_township_baseline(loans, args.packages, args.seed), 3),
        "max_mix_deviation_pp": round(metrics.max_mix_deviation_pp, 3),
        "count_spread": round(metrics.count_spread, 4),
    }, ensure_ascii=False))


if __name__ == "__main__":
    main()
