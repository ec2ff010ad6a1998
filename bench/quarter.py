"""Benchmark: one quarter from file, against python-calamine's bare read.

Prints, for each size: the bare calamine read of every sheet, our read +
validate + calculate + write of a separate results workbook, the ratio, and the
peak RSS of the engine run (measured in a child process so sizes don't mix).
Usage: python bench/quarter.py [ROWS ...] [--inplace] [--runs=N] [--period=2025Q3]
(default 20000 100000 200000, 3 runs, 2025Q4: the year end, when the annual
rules and the grade review run too, so the heaviest quarter).
``--inplace`` also times the slower path that writes the output sheets back
into the big input workbook itself, reported on its own line. Timings on a
shared or virtual machine vary by ±0.3 s from run to run, so each figure is
the median of ``--runs`` runs, bare read and engine taken in turn.
"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from statistics import median

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CHILD = r"""
import json, resource, sys, time
sys.path.insert(0, {root!r})
mode, path, out = sys.argv[1:4]
t = time.perf_counter()
if mode == "calamine":
    import python_calamine as pc
    wb = pc.CalamineWorkbook.from_path(path)
    n = sum(len(wb.get_sheet_by_name(s).to_python()) for s in wb.sheet_names)
    info = {{"rows": n}}
else:
    from workbook.flows import calculate_flow
    res = calculate_flow(path, out=None if mode == "inplace" else out)
    info = {{"ok": res.ok, "lines": len(res.lines), "payout": len(res.payout), "errors": len(res.errors)}}
info["seconds"] = time.perf_counter() - t
info["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(info))
"""


def child(mode: str, path: Path, out: Path) -> dict:
    code = CHILD.format(root=str(ROOT))
    res = subprocess.run([sys.executable, "-c", code, mode, str(path), str(out)], capture_output=True, text=True, check=True)
    return json.loads(res.stdout.strip().splitlines()[-1])


def main(sizes: list[int], inplace: bool, runs: int, period: str) -> None:
    import compileall

    from bench.synth import make_quarter

    # An installed copy runs from bytecode; compiling our sources on every run is not what a user waits for.
    compileall.compile_dir(str(ROOT / "workbook"), quiet=1)

    print(f"period {period}; median of {runs} run(s) each, bare read and engine interleaved; the spread is min-max")
    print(f"{'rows':>8} {'calamine s':>11} {'engine s':>9} {'ratio':>6} {'peak MB':>8}  notes")
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            path = Path(tmp) / f"q{n}.xlsx"
            t = time.perf_counter()
            make_quarter(path, n, period=period)
            gen = time.perf_counter() - t
            bare, eng = [], []
            for _ in range(runs):
                bare.append(child("calamine", path, Path(tmp) / "unused.xlsx"))
                eng.append(child("engine", path, Path(tmp) / f"r{n}.xlsx"))
            b, e = median(r["seconds"] for r in bare), median(r["seconds"] for r in eng)
            last = eng[-1]
            print(f"{n:>8} {b:>11.2f} {e:>9.2f} {e / b:>6.2f} {max(r['peak_mb'] for r in eng):>8.0f}  "
                  f"ok={last['ok']} lines={last['lines']} payout={last['payout']} (file {path.stat().st_size / 1e6:.1f} MB, generated in {gen:.1f}s; "
                  f"spread bare {spread(bare)}, engine {spread(eng)})", flush=True)
            if inplace:
                back = []
                for _ in range(runs):  # each run writes into a fresh copy of the input book
                    copy = Path(tmp) / f"copy{n}.xlsx"
                    shutil.copyfile(path, copy)
                    back.append(child("inplace", copy, copy))
                k = median(r["seconds"] for r in back)
                print(f"{'':>8} {'':>11} {k:>9.2f} {k / b:>6.2f} {max(r['peak_mb'] for r in back):>8.0f}  "
                      f"in-place write-back into the input workbook (package patch; other parts keep their bytes; spread {spread(back)})", flush=True)


def spread(results: list[dict]) -> str:
    times = [r["seconds"] for r in results]
    return f"{min(times):.2f}-{max(times):.2f}"


if __name__ == "__main__":
    args = sys.argv[1:]
    runs = next((int(a.split("=", 1)[1]) for a in args if a.startswith("--runs=")), 3)
    period = next((a.split("=", 1)[1] for a in args if a.startswith("--period=")), "2025Q4")
    main([int(a) for a in args if a.isdigit()] or [20000, 100000, 200000], "--inplace" in args, runs, period)
