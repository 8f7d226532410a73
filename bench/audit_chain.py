"""Benchmark: audit-trail write rate and full-chain verification time.

    .venv/bin/python bench/audit_chain.py [--entries 20000] [--database-url URL]

Prints JSON. Uses a temporary SQLite file unless a database URL is given.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=20000)
    parser.add_argument("--per-commit", type=int, default=1, help="audit rows per transaction")
    parser.add_argument("--database-url")
    args = parser.parse_args()

    workdir = tempfile.mkdtemp(prefix="bench-audit-")
    os.environ.setdefault("SECRET_KEY", "bench")
    os.environ["INSTANCE_PATH"] = workdir
    url = args.database_url or f"sqlite:///{workdir}/bench.db"

    from flask_migrate import upgrade

    from core import audit, create_app
    from core.database import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade()
        start = time.perf_counter()
        for i in range(args.entries):
            audit.record("bench.change", object_type="thing", object_id=i,
                         before={"state": "a", "amount_fen": i}, after={"state": "b", "amount_fen": i + 1})
            if (i + 1) % args.per_commit == 0:
                db.session.commit()
        db.session.commit()
        write_seconds = time.perf_counter() - start
        start = time.perf_counter()
        problems = audit.verify_chain()
        verify_seconds = time.perf_counter() - start
    print(json.dumps({
        "benchmark": "audit_chain",
        "backend": url.split(":", 1)[0],
        "entries": args.entries,
        "rows_per_commit": args.per_commit,
        "write_entries_per_second": round(args.entries / write_seconds),
        "verify_seconds": round(verify_seconds, 3),
        "verify_entries_per_second": round(args.entries / verify_seconds),
        "chain_intact": not problems,
    }))


if __name__ == "__main__":
    main()
