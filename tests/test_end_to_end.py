"""From a template filled by openpyxl to the Payout sheet, through the CLI.

The quarter (2026Q3) and its payouts, worked by hand from POLICY.md:
- C1 is new (first deal 2026-07-10, 300,000 → NC tier (100k, 500k] → 1,000), split
  E1 60% / E2 40% → 600 / 400. E1 claims on 10-15 (the 7th working day after
  National Day) → paid 600, plus a strategic uplift of 600 (cap 100% of 600);
  HR approved 10-16 → pay month 2026-11. E2 claims on 10-16 → late, rejected.
- C2 is new (500,000.01 → 2,000), E2 alone, approved by HR on 09-30 → pay month 2026-10.
- C3 has a first_deal_date in 2025 → not new, no claim.
- SA: E1 95% → 1,000; E2 89.99% → 0.
- PN: E2 serious complaint in September → 20% × 4,000 = −800.
Payout: E1 NC 600, E1 NC_UP 600, E1 SA 1,000, E2 NC 2,000, E2 PN −800; total 3,400.
"""
from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from decimal import Decimal as D
from pathlib import Path

import openpyxl
import pytest

from workbook.template import build_template, fill_book

ROOT = Path(__file__).resolve().parents[1]

DATA = {
    "Settings": [{"key": "period", "value": "2026Q3"}, {"key": "prepared_by", "value": "张人力"}],
    "Employees": [
        {"employee_id": "E1", "name": "王伟", "department": "销售一部", "team": "T1", "performance_bonus": 5000},
        {"employee_id": "E2", "name": "李娜", "department": "销售二部", "team": "T1", "performance_bonus": "4,000"},
    ],
    "Clients": [
        {"client_id": "C1", "name": "龙头集团", "strategic": "是"},
        {"client_id": "C2", "name": "新星公司"},
        {"client_id": "C3", "name": "老客户", "first_deal_date": dt.date(2025, 1, 1)},
    ],
    "Deals": [
        {"deal_id": "D1", "client_id": "C1", "employee_id": "E1", "share": 0.6, "signed_on": dt.date(2026, 7, 10), "amount": 300000},
        {"deal_id": "D1", "client_id": "C1", "employee_id": "E2", "share": "40%", "signed_on": "2026/7/10", "amount": "30万"},
        {"deal_id": "D2", "client_id": "C2", "employee_id": "E2", "share": 1, "signed_on": dt.date(2026, 8, 1), "amount": "500,000.01"},
        {"deal_id": "D3", "client_id": "C3", "employee_id": "E1", "share": 1, "signed_on": dt.date(2026, 8, 5), "amount": 50000},
    ],
    "Claims": [
        {"claim_id": "Q1", "employee_id": "E1", "client_id": "C1", "submitted_on": dt.date(2026, 10, 15), "dept_approver": "赵经理",
         "dept_approved_on": dt.date(2026, 10, 15), "hr_approver": "钱人力", "hr_approved_on": dt.date(2026, 10, 16),
         "uplift": 600, "uplift_reason": "行业龙头"},
        {"claim_id": "Q2", "employee_id": "E2", "client_id": "C1", "submitted_on": dt.date(2026, 10, 16), "dept_approver": "赵经理",
         "dept_approved_on": dt.date(2026, 10, 16), "hr_approver": "钱人力", "hr_approved_on": dt.date(2026, 10, 17)},
        {"claim_id": "Q3", "employee_id": "E2", "client_id": "C2", "submitted_on": dt.date(2026, 9, 28), "dept_approver": "赵经理",
         "dept_approved_on": dt.date(2026, 9, 29), "hr_approver": "钱人力", "hr_approved_on": dt.date(2026, 9, 30)},
    ],
    "Satisfaction": [{"employee_id": "E1", "period": "2026Q3", "satisfaction": "95%"},
                     {"employee_id": "E2", "period": "2026Q3", "satisfaction": 0.8999}],
    "Incidents": [{"incident_id": "I1", "employee_id": "E2", "date": dt.date(2026, 9, 10), "kind": "complaint", "severity": "serious"}],
}

EXPECTED = [
    ("2026-11", "E1", "NC", D("600.00")),
    ("2026-11", "E1", "NC_UP", D("600.00")),
    ("2026-10", "E1", "SA", D("1000.00")),
    ("2026-10", "E2", "NC", D("2000.00")),
    ("2026-10", "E2", "PN", D("-800.00")),
]


def cli(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "workbook.cli", *args], capture_output=True, text=True, env=env, timeout=120)


@pytest.fixture
def filled(tmp_path) -> Path:
    wb = build_template()
    fill_book(wb, DATA)
    path = tmp_path / "quarter.xlsx"
    wb.save(path)
    return path


def payout(path: Path, title_part: str = "Payout") -> list[tuple]:
    wb = openpyxl.load_workbook(path, read_only=True)
    ws = next(wb[t] for t in wb.sheetnames if title_part in t)
    rows = list(ws.iter_rows(values_only=True))
    head = rows[0]
    idx = {h: i for i, h in enumerate(head)}
    return [(r[idx["pay_month"]], r[idx["employee_id"]], r[idx["item_code"]], D(str(r[idx["amount"]])).quantize(D("0.01"))) for r in rows[1:]]


def test_template_to_payout_in_place(filled):
    res = cli("calculate", str(filled), "--quiet")
    assert res.returncode == 0, res.stdout + res.stderr
    assert "Traceback" not in res.stdout + res.stderr
    assert payout(filled) == EXPECTED
    wb = openpyxl.load_workbook(filled)
    results = next(wb[t] for t in wb.sheetnames if "Results" in t)
    texts = [" ".join(str(c) for c in r if c is not None) for r in results.iter_rows(values_only=True)]
    assert any("逾期提交" in t and "Q2" in t for t in texts)  # the late claim is shown, with its reason
    assert results.protection.sheet
    # inputs survive the write-back
    assert any("成交" in t for t in wb.sheetnames) and wb[next(t for t in wb.sheetnames if "Deals" in t)].max_row >= 5


def test_separate_results_workbook(filled, tmp_path):
    out = tmp_path / "results.xlsx"
    before = filled.read_bytes()
    res = cli("calculate", str(filled), "--out", str(out), "--quiet")
    assert res.returncode == 0, res.stderr
    assert filled.read_bytes() == before  # the input book is untouched
    assert payout(out) == EXPECTED


def test_blocking_error_refuses_with_location(filled):
    wb = openpyxl.load_workbook(filled)
    ws = wb[next(t for t in wb.sheetnames if "Deals" in t)]
    ws["B3"] = "C9"  # D1's second row names another client
    ws["D4"] = "#N/A"
    wb.save(filled)
    before = filled.read_bytes()
    res = cli("calculate", str(filled), "--quiet")
    assert res.returncode == 1
    assert "Traceback" not in res.stdout + res.stderr
    assert "成交 (Deals)!B3" in res.stdout and "未计算" in res.stdout
    assert filled.read_bytes() == before


def test_validate_write_and_exit_codes(filled, tmp_path):
    assert cli("validate", str(filled), "--quiet").returncode == 0
    missing = cli("validate", str(tmp_path / "nope.xlsx"))
    assert missing.returncode == 2 and "找不到" in missing.stderr and "Traceback" not in missing.stderr
    junk = tmp_path / "junk.xlsx"
    junk.write_text("hello")
    bad = cli("validate", str(junk))
    assert bad.returncode == 1 and "Traceback" not in bad.stdout + bad.stderr
    assert cli("no-such-verb").returncode == 2


def test_template_command_writes_a_loadable_template(tmp_path):
    out = tmp_path / "t.xlsx"
    assert cli("template", str(out)).returncode == 0
    wb = openpyxl.load_workbook(out)
    assert "政策参数 (Policy)" in wb.sheetnames and "档位表 (Tiers)" in wb.sheetnames
