"""Benchmark: import one department's return (~50 rows) into a big master.

For each size a synthetic quarter (``bench.synth``) is the master; 大客户部's
template is generated from it and filled as a manager would (claims,
incidents, KPI lines), then ``import`` runs in a child process on a fresh copy
of the master, so each run's time and peak RSS stand alone. Best of N runs.
Usage: python bench/import_big.py [ROWS ...] [--runs N] [--openpyxl]
(default 20000 200000, 2 runs). ``--openpyxl`` also times the full openpyxl
rewrite (the fallback path, ``importer.USE_PATCH = False``) for comparison.
The time is the whole import: loading and checking the master and the file
(the engine's loader reads every sheet), then the write and its read-back.
"""
from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CHILD = r"""
import json, resource, sys, time
sys.path.insert(0, {root!r})
mode, master, returned = sys.argv[1:4]
if mode == "openpyxl":
    from workbook import importer
    importer.USE_PATCH = False  # the openpyxl rewrite
t = time.perf_counter()
from workbook.importer import import_files
res = import_files(master, [returned], by="bench")
info = {{"ok": res.ok, "rows": sum(sum(r.rows.values()) for r in res.records), "written_by": res.written_by,
        "seconds": time.perf_counter() - t, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}
print(json.dumps(info, ensure_ascii=False))
"""

DEPT = "大客户部"


def returned_file(master: Path, folder: Path) -> Path:
    """大客户部's template filled with 20 claims, 15 incidents and 15 KPI lines."""
    import openpyxl

    from workbook.flows import manager_template_flow
    from workbook.load import load_book
    from workbook.schema import INPUT_BY_KEY
    from workbook.template import fill, sheet_title

    template = folder / "template.xlsx"
    made = manager_template_flow(master, DEPT, template)
    assert made.ok, made.summary
    book, _ = load_book(master)
    staff = [e.employee_id for e in book.rows("Employees") if e.department == DEPT][:15]
    clients = sorted(book.clients)[:20]
    year = book.period.year
    rows = {
        "Claims": [{"claim_id": f"BQ{i:03d}", "employee_id": staff[i % len(staff)], "client_id": clients[i],
                    "submitted_on": dt.date(year + 1, 1, 5), "dept_approver": "赵经理", "dept_approved_on": dt.date(year + 1, 1, 6)}
                   for i in range(20)],
        "Incidents": [{"incident_id": f"BI{i:03d}", "employee_id": staff[i], "date": dt.date(year, 11, 1 + i),
                       "kind": "complaint", "severity": "minor", "note": f"备注 {i}"} for i in range(15)],
        "KPI": [{"employee_id": e, "period": str(book.period), "indicator": "导入测试", "weight": 0.1, "kind": "qualitative", "score": 80 + i}
                for i, e in enumerate(staff)],
    }
    wb = openpyxl.load_workbook(template)
    for key, values in rows.items():
        fill(wb[sheet_title(INPUT_BY_KEY[key])], INPUT_BY_KEY[key], values)
    out = folder / "return.xlsx"
    wb.save(out)
    return out


def child(mode: str, master: Path, returned: Path) -> dict:
    code = CHILD.format(root=str(ROOT))
    res = subprocess.run([sys.executable, "-c", code, mode, str(master), str(returned)], capture_output=True, text=True, check=True)
    return json.loads(res.stdout.strip().splitlines()[-1])


def main(sizes: list[int], runs: int, modes: list[str]) -> None:
    from bench.synth import make_quarter

    print(f"{'rows':>8} {'mode':>8} {'best s':>7} {'peak MB':>8}  notes")
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            folder = Path(tmp) / str(n)
            folder.mkdir()
            master0 = folder / "master0.xlsx"
            t = time.perf_counter()
            make_quarter(master0, n)
            returned = returned_file(master0, folder)
            gen = time.perf_counter() - t
            for mode in modes:
                best, peak = None, 0.0
                for _ in range(runs):
                    master = folder / "master.xlsx"
                    shutil.copy(master0, master)
                    got = child(mode, master, returned)
                    assert got["ok"], got
                    if best is None or got["seconds"] < best["seconds"]:
                        best = got
                    peak = max(peak, got["peak_mb"])
                print(f"{n:>8} {mode:>8} {best['seconds']:>7.2f} {peak:>8.0f}  "
                      f"{best['rows']} rows written by {best['written_by']} (master {master0.stat().st_size / 1e6:.1f} MB, set up in {gen:.1f}s)",
                      flush=True)


if __name__ == "__main__":
    args = sys.argv[1:]
    runs = int(args[args.index("--runs") + 1]) if "--runs" in args else 2
    if "--runs" in args:
        del args[args.index("--runs"):args.index("--runs") + 2]
    modes = ["patch", "openpyxl"] if "--openpyxl" in args else ["patch"]
    main([int(a) for a in args if a.isdigit()] or [20000, 200000], runs, modes)
