"""Where the time of one quarter goes: each stage of ``calculate_flow``, timed.

Prints, for one synthetic book (or a book you name), the wall time of each
stage in the order it ran and when it finished, so a regression shows up as a
stage, not just as a total; each component's check and compute are listed
(indented) inside the stage that runs them. Stages that start while Deals is still loading
(see ``workbook/early.py``) finish *inside* the load: their end time is then
earlier than the load's.

Usage:  .venv/bin/python -m bench.stages [ROWS | BOOK.xlsx]   (default 200000)
"""
from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

STAGES = ("load_book", "validate", "compute", "payout_rows", "results_table", "payout_table", "grade_review",
          "grades_table", "grade_detail_table", "validation_table", "coefficients_table", "write_results_book")


def timed(book: Path) -> None:
    t0 = time.perf_counter()
    import workbook.flows as flows

    print(f"{'imports':22s} {time.perf_counter() - t0:6.2f}")
    for name in STAGES:
        wrap(flows, name, t0)
    wrap_rules(t0)
    res = flows.calculate_flow(book, out=book.with_name("results.xlsx"))
    print(f"{'total':22s} {time.perf_counter() - t0:6.2f}   ok={res.ok} lines={len(res.lines)} payout={len(res.payout)}")


def wrap(module, name: str, t0: float) -> None:
    inner = getattr(module, name)

    def run(*args, **kwargs):
        t = time.perf_counter()
        out = inner(*args, **kwargs)
        now = time.perf_counter()
        print(f"{name:22s} {now - t:6.2f}   (ends at {now - t0:5.2f})", flush=True)
        return out

    setattr(module, name, run)


def wrap_rules(t0: float) -> None:
    """Each component's check and compute as stages of their own ("check KA", "compute MT")."""
    import dataclasses

    import workbook.rules as rules

    def timer(inner, label: str):
        def run(book):
            t = time.perf_counter()
            out = inner(book)
            now = time.perf_counter()
            print(f"  {label:20s} {now - t:6.2f}   (ends at {now - t0:5.2f})", flush=True)
            return out
        return run

    rules.RULES = tuple(dataclasses.replace(r, compute=timer(r.compute, f"compute {r.code}"),
                                            check=timer(r.check, f"check {r.code}") if r.check else None) for r in rules.RULES)


def main(arg: str) -> None:
    if arg.endswith((".xlsx", ".xlsm")):
        timed(Path(arg))
        return
    from bench.synth import make_quarter

    with tempfile.TemporaryDirectory() as tmp:
        book = make_quarter(Path(tmp) / f"q{arg}.xlsx", int(arg))
        timed(book)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "200000")
