"""A small quarter, worked by hand, on disk: the fixture of the lock/publish tests.

2026Q3, components pinned to NC, SA and PN (so other components' data rules do
not move these numbers), prepared by 制表人:

- C1 is new: first deal D1 on 2026-07-10, 300,000 → NC tier (100,000, 500,000]
  → 1,000 for E1 (100%). Claim Q1 approved by HR on 2026-07-22, so the pay
  month is the month after max(2026-09-30, 2026-07-22) → 2026-10.
- SA: E1 95% → 1,000 (≥ 95%); E2 90% → 500 (≥ 90%).
- PN: E2 serious complaint on 2026-08-05 → 20% × 4,000 = −800.

Payout (sorted by employee, item): E1 NC 1,000.00; E1 SA 1,000.00;
E2 PN −800.00; E2 SA 500.00. Total 1,700.00.
"""
from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path
from typing import Any

import openpyxl

from workbook.schema import INPUT_BY_KEY, header_aliases, norm_header
from workbook.template import build_template, fill_book

PREPARER = "制表人"
CHECKER = "审批人"

DATA: dict[str, list[dict[str, Any]]] = {
    "Settings": [{"key": "period", "value": "2026Q3"}, {"key": "company", "value": "测试公司"},
                 {"key": "prepared_by", "value": PREPARER}, {"key": "components", "value": "NC,SA,PN"}],
    "Employees": [
        {"employee_id": "E1", "name": "王伟", "department": "销售一部", "team": "T1", "performance_bonus": 5000},
        {"employee_id": "E2", "name": "李娜", "department": "销售二部", "team": "T1", "performance_bonus": "4,000"},
    ],
    "Clients": [{"client_id": "C1", "name": "龙头集团"}, {"client_id": "C2", "name": "老客户", "first_deal_date": dt.date(2025, 1, 1)}],
    "Deals": [
        {"deal_id": "D1", "client_id": "C1", "employee_id": "E1", "share": 1, "signed_on": dt.date(2026, 7, 10), "amount": 300000},
        {"deal_id": "D2", "client_id": "C2", "employee_id": "E2", "share": 1, "signed_on": dt.date(2026, 8, 1), "amount": 80000},
    ],
    "Claims": [{"claim_id": "Q1", "employee_id": "E1", "client_id": "C1", "submitted_on": dt.date(2026, 7, 20),
                "dept_approver": "赵经理", "dept_approved_on": dt.date(2026, 7, 21), "hr_approver": "钱人力",
                "hr_approved_on": dt.date(2026, 7, 22)}],
    "Satisfaction": [{"employee_id": "E1", "period": "2026Q3", "satisfaction": "95%"},
                     {"employee_id": "E2", "period": "2026Q3", "satisfaction": "90%"}],
    "Incidents": [{"incident_id": "I1", "employee_id": "E2", "date": dt.date(2026, 8, 5), "kind": "complaint", "severity": "serious"}],
}

EXPECTED_CSV_ROWS = [
    ["2026Q3", "2026-10", "E1", "王伟", "销售一部", "NC", "新客户开发奖励", "1000.00", "CNY"],
    ["2026Q3", "2026-10", "E1", "王伟", "销售一部", "SA", "客户满意度奖励", "1000.00", "CNY"],
    ["2026Q3", "2026-10", "E2", "李娜", "销售二部", "PN", "惩罚扣款", "-800.00", "CNY"],
    ["2026Q3", "2026-10", "E2", "李娜", "销售二部", "SA", "客户满意度奖励", "500.00", "CNY"],
]


def data(**changes: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    out = copy.deepcopy(DATA)
    out.update(copy.deepcopy(changes))
    return out


def write_book(path: Path, sheets: dict[str, list[dict[str, Any]]] | None = None, suffix: str = ".xlsx") -> Path:
    wb = build_template()
    fill_book(wb, sheets if sheets is not None else DATA)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def sheet_of(wb: openpyxl.Workbook, key: str):
    schema = INPUT_BY_KEY[key]
    return next(ws for ws in wb.worksheets if norm_header(ws.title) in header_aliases(schema.key, schema.label))


def column_of(ws, key: str, sheet_key: str) -> int:
    col = INPUT_BY_KEY[sheet_key].column(key)
    aliases = header_aliases(col.key, col.label)
    return next(c.column for c in ws[1] if norm_header(c.value) in aliases)


def find_row(ws, col: int, value: Any) -> int:
    return next(r for r in range(2, ws.max_row + 1) if ws.cell(r, col).value == value)


def edit(path: Path, sheet_key: str, match: tuple[str, Any], column: str, value: Any) -> int:
    """Change one cell as HR would in Excel; returns the sheet row edited."""
    wb = openpyxl.load_workbook(path)
    ws = sheet_of(wb, sheet_key)
    row = find_row(ws, column_of(ws, match[0], sheet_key), match[1])
    ws.cell(row, column_of(ws, column, sheet_key)).value = value
    wb.save(path)
    return row


def append_row(path: Path, sheet_key: str, values: dict[str, Any]) -> int:
    wb = openpyxl.load_workbook(path)
    ws = sheet_of(wb, sheet_key)
    row = ws.max_row + 1
    for k, v in values.items():
        ws.cell(row, column_of(ws, k, sheet_key)).value = v
    wb.save(path)
    return row
