"""One fresh template, filled with openpyxl, gives the same numbers three ways:
the cell functions (fed the sheet's columns as Excel would send them), the CLI
(``bonusbook calculate`` in a subprocess) and the Calculate macro's flow.

The year-end quarter 2025Q4, worked by hand from POLICY §1–§3 and §8:
- NC: C1 new, first deal 2025-10-15 of 120,000 → (100k, 500k] → 1,000 to E1; C2 new,
  600,000 → > 500k → 2,000 to E2. Claims approved by HR on 2026-01-07 → paid 2026-02.
- MT (annual): E1's existing client C3: 2024 100,000 → 2025 115,000, G 15,000, g 15% → 2% → 300.
  E2's C4: 200,000 → 260,000, G 60,000, g 30% → 3% → 1,800. E3's C5: 50,000 → 40,000, no growth → 0.
- SA: E1 96% → 1,000; E2 93% → 500; E3 85% → 0.
- KC (E3): Oct 6 units → B 1.1, CSS 985 → 1.1: 600 × 1.1 × 1.1 = 726; Nov 0 units → 0;
  Dec 2 + 1 channel = 3 → D 0.8, CSS 950 → 0.8: (200 + 50) × 0.8 × 0.8 = 160. KC total 886.
"""
from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
from decimal import Decimal as D
from pathlib import Path

import openpyxl

from macros import run_macro
from udfs import BB_KC_PAY, BB_MT_AWARD, BB_NC_AWARD, BB_SA_AWARD
from workbook.template import build_template, fill_book, save_workbook

ROOT = Path(__file__).resolve().parents[1]
PAYOUT = "发放表 (Payout)"


def d(y, m, day):
    return dt.date(y, m, day)


def deal(did, cid, eid, day, amount):
    return {"deal_id": did, "client_id": cid, "employee_id": eid, "share": 1, "signed_on": day, "amount": amount}


def claim(qid, eid, cid):
    return {"claim_id": qid, "employee_id": eid, "client_id": cid, "submitted_on": d(2026, 1, 5), "dept_approver": "部门经理",
            "dept_approved_on": d(2026, 1, 6), "hr_approver": "人力", "hr_approved_on": d(2026, 1, 7)}


DATA = {
    "Settings": [{"key": "period", "value": "2025Q4"}, {"key": "prepared_by", "value": "张人力"}, {"key": "components", "value": "NC,MT,SA,KC"}],
    "Employees": [{"employee_id": e, "name": n, "department": "销售部"} for e, n in (("E1", "王伟"), ("E2", "李娜"), ("E3", "赵强"))],
    "Clients": [{"client_id": f"C{i}", "name": f"客户{i}"} for i in range(1, 6)],
    "Deals": [
        deal("D1", "C1", "E1", d(2025, 10, 15), 120000), deal("D2", "C2", "E2", d(2025, 11, 3), 600000),
        deal("D3", "C3", "E1", d(2024, 5, 1), 100000), deal("D4", "C3", "E1", d(2025, 6, 1), 115000),
        deal("D5", "C4", "E2", d(2024, 3, 1), 200000), deal("D6", "C4", "E2", d(2025, 4, 1), 260000),
        deal("D7", "C5", "E3", d(2024, 2, 1), 50000), deal("D8", "C5", "E3", d(2025, 2, 1), 40000),
    ],
    "Claims": [claim("Q1", "E1", "C1"), claim("Q2", "E2", "C2")],
    "Satisfaction": [{"employee_id": e, "period": "2025Q4", "satisfaction": s} for e, s in (("E1", 0.96), ("E2", "93%"), ("E3", 0.85))],
    "Units": [{"employee_id": "E3", "month": m, "units": u, "channel_units": c, "css": s}
              for m, u, c, s in (("2025-10", 6, 0, 985), ("2025-11", 0, 0, None), ("2025-12", 2, 1, 950))],
}
EXPECTED = {
    ("E1", "NC", "2026-02"): D("1000"), ("E2", "NC", "2026-02"): D("2000"),
    ("E1", "MT", "2026-01"): D("300"), ("E2", "MT", "2026-01"): D("1800"),
    ("E1", "SA", "2026-01"): D("1000"), ("E2", "SA", "2026-01"): D("500"),
    ("E3", "KC", "2026-01"): D("886"),
}


def payout(rows) -> dict:
    rows = [list(r) for r in rows]
    head = rows[0]
    i = {k: head.index(k) for k in ("employee_id", "item_code", "pay_month", "amount")}
    return {(r[i["employee_id"]], r[i["item_code"]], r[i["pay_month"]]): D(str(r[i["amount"]])).quantize(D("0.01"))
            for r in rows[1:] if r[0]}


def column(ws, key: str) -> list[list]:
    """A column's data cells as desktop Excel passes a range: rows of one value, numbers as floats."""
    j = next(c.column for c in ws[1] if c.value and c.value.endswith(f"({key})"))
    cells = [ws.cell(row=r, column=j).value for r in range(2, ws.max_row + 1)]
    return [[float(v) if isinstance(v, int) and not isinstance(v, bool) else v] for v in cells]


def test_udfs_cli_and_macro_agree(tmp_path):
    wb = build_template()
    fill_book(wb, DATA)
    book = tmp_path / "q.xlsx"
    save_workbook(wb, book)
    cli_book, macro_book = tmp_path / "cli.xlsx", tmp_path / "macro.xlsx"
    shutil.copy(book, cli_book)
    shutil.copy(book, macro_book)

    done = subprocess.run([sys.executable, "-m", "workbook.cli", "calculate", str(cli_book), "--quiet"],
                          capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    cli = payout(openpyxl.load_workbook(cli_book)[PAYOUT].iter_rows(values_only=True))

    report = run_macro("calculate", macro_book)
    assert report.ok, report.message
    macro = payout(next(s for s in report.sheets if s.title == PAYOUT).rows)

    filled = openpyxl.load_workbook(book)
    sat, units = filled["满意度 (Satisfaction)"], filled["台次 (Units)"]
    sa = [r[0] for r in BB_SA_AWARD(column(sat, "satisfaction"))]
    kc = [r[0] for r in BB_KC_PAY(column(units, "units"), column(units, "channel_units"), column(units, "css"))]
    nc = [r[0] for r in BB_NC_AWARD([[120000.0], [600000.0]])]  # the first-deal amounts of the new clients C1, C2
    mt = [r[0] for r in BB_MT_AWARD([[115000.0], [260000.0], [40000.0]], [[100000.0], [200000.0], [50000.0]])]
    cells = {
        ("E1", "NC", "2026-02"): nc[0], ("E2", "NC", "2026-02"): nc[1],
        ("E1", "MT", "2026-01"): mt[0], ("E2", "MT", "2026-01"): mt[1],
        ("E1", "SA", "2026-01"): sa[0], ("E2", "SA", "2026-01"): sa[1],
        ("E3", "KC", "2026-01"): sum(kc),
    }
    assert sa[2] == 0 and mt[2] == 0  # E3: below 90% and no growth, so no payout rows
    udf = {k: D(str(v)).quantize(D("0.01")) for k, v in cells.items()}

    assert cli == EXPECTED
    assert macro == EXPECTED
    assert udf == EXPECTED
