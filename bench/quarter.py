"""Benchmark: one quarter from file, against python-calamine's bare read.

Prints, for each size: the bare calamine read of every sheet, our read +
validate + calculate + write of a separate results workbook, the ratio, and the
peak RSS of the engine run (measured in a child process so sizes don't mix).
Usage: python bench/quarter.py [ROWS ...] [--inplace]   (default 20000 100000 200000)
``--inplace`` also times the slower path that writes the output sheets back
into the big input workbook itself, reported on its own line.
"""
from __future__ import annotations

import json
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


def main(sizes: list[int], inplace: bool) -> None:
    from bench.synth import make_quarter

    print(f"{'rows':>8} {'calamine s':>11} {'engine s':>9} {'ratio':>6} {'peak MB':>8}  notes")
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            path = Path(tmp) / f"q{n}.xlsx"
            t = time.perf_counter()
            make_quarter(path, n)
            gen = time.perf_counter() - t
            bare = child("calamine", path, Path(tmp) / "unused.xlsx")
            eng = child("engine", path, Path(tmp) / f"r{n}.xlsx")
            ratio = eng["seconds"] / bare["seconds"]
            print(f"{n:>8} {bare['seconds']:>11.2f} {eng['seconds']:>9.2f} {ratio:>6.2f} {eng['peak_mb']:>8.0f}  "
                  f"ok={eng['ok']} lines={eng['lines']} payout={eng['payout']} (file {path.stat().st_size / 1e6:.1f} MB, generated in {gen:.1f}s)", flush=True)
            if inplace:
                back = child("inplace", path, path)
                print(f"{'':>8} {'':>11} {back['seconds']:>9.2f} {back['seconds'] / bare['seconds']:>6.2f} {back['peak_mb']:>8.0f}  "
                      "in-place write-back into the input workbook (package patch; other parts keep their bytes)", flush=True)


if __name__ == "__main__":
    args = sys.argv[1:]
    inplace = "--inplace" in args
    main([int(a) for a in args if a.isdigit()] or [20000, 100000, 200000], inplace)
