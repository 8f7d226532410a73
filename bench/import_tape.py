"""Benchmark: import a synthetic 100,000-loan tape (validate, grade, price, store).

    .venv/bin/python bench/import_tape.py [--rows 100000] [--format csv|xlsx] [--database-url URL]

Generates the tape with bench/synthetic_tape.py in a child process first, so the
peak memory reported is the import's own. Prints one JSON object.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--format", choices=("csv", "xlsx"), default="csv")
    parser.add_argument("--encoding", default="utf-8-sig", choices=("utf-8-sig", "gb18030"))
    parser.add_argument("--database-url")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="bench-import-"))
    tape_path = workdir / f"tape.{args.format}"
    generate = [sys.executable, str(ROOT / "bench" / "synthetic_tape.py"), "--rows", str(args.rows),
                "--out", str(tape_path)]
    if args.format == "csv":
        generate += ["--encoding", args.encoding]
    subprocess.run(generate, check=True, capture_output=True)

    os.environ.setdefault("SECRET_KEY", "bench")
    os.environ["INSTANCE_PATH"] = str(workdir)
    url = args.database_url or f"sqlite:///{workdir}/bench.db"

    from flask_migrate import upgrade
    from sqlalchemy import func, select

    from core import create_app
    from core.accounts.services import create_branch
    from core.database import db
    from packages import services
    from packages.models import Loan

    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade()
        for code, name in (("DY", "大瑶支行"), ("YA", "永安支行"), ("ZT", "镇头支行")):
            create_branch(code, name)
        db.session.commit()
        data = tape_path.read_bytes()
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        start = time.perf_counter()
        result = services.import_tape(data, tape_path.name, cutoff_date=date(2026, 10, 31), user=None)
        db.session.commit()
        seconds = time.perf_counter() - start
        stored = db.session.scalar(select(func.count()).select_from(Loan))
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({
        "benchmark": "import_tape",
        "format": args.format,
        "encoding": args.encoding if args.format == "csv" else None,
        "backend": url.split(":", 1)[0],
        "rows": args.rows,
        "file_mib": round(len(data) / 2**20, 1),
        "errors": len(result.errors),
        "stored": stored,
        "seconds": round(seconds, 2),
        "peak_memory_mib": round(peak_mib),
        "memory_before_import_mib": round(rss_before / 1024),
    }))


if __name__ == "__main__":
    main()
