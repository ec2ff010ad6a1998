"""Benchmark: the life of one big quarter, calculate → lock → verify → publish, in place.

Prints each step's wall time, and what the lock stores (the ledger entry's
payload size, which grows with the row digests that let verify name rows).
Usage: python bench/lifecycle.py [ROWS]   (default 100000)
"""
from __future__ import annotations

import sqlite3
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main(rows: int) -> None:
    from bench.synth import make_quarter
    from workbook.flows import calculate_flow, lock_flow, publish_flow, verify_flow

    with tempfile.TemporaryDirectory() as tmp:
        book = make_quarter(Path(tmp) / f"q{rows}.xlsx", rows)
        print(f"{rows} deal rows, file {book.stat().st_size / 1e6:.1f} MB")
        steps = (("calculate (in place)", lambda: calculate_flow(book)),
                 ("lock", lambda: lock_flow(book, "审批人")),
                 ("verify", lambda: verify_flow(book)),
                 ("publish", lambda: publish_flow(book, "财务")),
                 ("publish again (no-op)", lambda: publish_flow(book, "财务")))
        for name, step in steps:
            t = time.perf_counter()
            res = step()
            print(f"  {name:<24} {time.perf_counter() - t:7.2f} s  ok={res.ok}  {res.summary[0][:80] if res.summary else ''}", flush=True)
            if not res.ok:
                for p in res.errors[:5]:
                    print("   ", p.render())
                break
        db = Path(tmp) / "bonusbook-data" / "ledger.sqlite3"
        if db.exists():
            size = sqlite3.connect(db).execute("SELECT length(payload) FROM ledger WHERE kind = 'lock'").fetchone()
            print(f"  lock entry payload: {size[0] / 1e6:.1f} MB" if size else "  no lock entry")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
