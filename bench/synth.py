"""Synthetic, realistic quarter workbooks of any size, for the benchmarks.

Written with xlsxwriter in constant-memory mode so that generating a
200,000-deal book is quick and does not distort the measurement.
"""
from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import xlsxwriter

from workbook.policy_defaults import PARAMS, TIER_DEFAULTS
from workbook.schema import INPUT_BY_KEY


def _sheet(wb, key: str, rows, date_fmt):
    schema = INPUT_BY_KEY[key]
    ws = wb.add_worksheet(schema.header[:31])
    cols = [c.key for c in schema.columns]
    ws.write_row(0, 0, [c.header for c in schema.columns])
    for i, row in enumerate(rows, start=1):
        for j, k in enumerate(cols):
            v = row.get(k)
            if v is None:
                continue
            if isinstance(v, dt.date):
                ws.write_datetime(i, j, dt.datetime(v.year, v.month, v.day), date_fmt)
            elif isinstance(v, str):
                ws.write_string(i, j, v)
            else:
                ws.write_number(i, j, v)


def make_quarter(path: Path, deals: int, employees: int = 5000, period: str = "2025Q4", seed: int = 7) -> Path:
    rnd = random.Random(seed)
    year = int(period[:4])
    clients = max(1000, deals // 4)
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    _sheet(wb, "Settings", [{"key": "period", "value": period}, {"key": "prepared_by", "value": "bench"}], date_fmt)
    _sheet(wb, "Policy", [{"key": p.key, "value": p.default, "note": p.note} for p in PARAMS], date_fmt)
    tiers = []
    for t in TIER_DEFAULTS:
        for lo, li, up, ui, val in t.rows:
            tiers.append({"table": t.table, "lower": None if lo is None else float(lo), "lower_inclusive": "Y" if li else "N",
                          "upper": None if up is None else float(up), "upper_inclusive": "Y" if ui else "N", "value": float(val)})
    _sheet(wb, "Tiers", tiers, date_fmt)
    _sheet(wb, "Employees", ({"employee_id": f"E{i:05d}", "name": f"员工{i}", "department": f"部门{i % 20}", "team": f"T{i % 250}",
                              "performance_bonus": 3000 + i % 5 * 500, "base_salary": 8000, "floating_wage": 6000}
                             for i in range(employees)), date_fmt)
    _sheet(wb, "Clients", ({"client_id": f"C{i:06d}", "name": f"客户{i}", "important": "Y" if i % 9 == 0 else "N",
                            "strategic": "Y" if i % 31 == 0 else "N"} for i in range(clients)), date_fmt)
    start = dt.date(year - 1, 1, 1)
    span = (dt.date(year, 12, 31) - start).days

    def deal_rows():
        n = 0
        d = 0
        while n < deals:
            d += 1
            cid = f"C{rnd.randrange(clients):06d}"
            day = start + dt.timedelta(days=rnd.randrange(span))
            amount = rnd.randrange(1_000, 800_000, 10)
            people = [f"E{rnd.randrange(employees):05d}"]
            shares = [1.0]
            if d % 10 == 0:
                people.append(f"E{rnd.randrange(employees):05d}")
                shares = [0.6, 0.4]
                if people[0] == people[1]:
                    people, shares = people[:1], [1.0]
            for e, s in zip(people, shares):
                n += 1
                yield {"deal_id": f"D{d:07d}", "client_id": cid, "employee_id": e, "share": s, "signed_on": day, "amount": amount,
                       "revenue_type": "software", "in_crm": "Y", "delivered": "Y"}

    _sheet(wb, "Deals", deal_rows(), date_fmt)
    _sheet(wb, "Claims", ({"claim_id": f"Q{i:06d}", "employee_id": f"E{i % employees:05d}", "client_id": f"C{i:06d}",
                           "submitted_on": dt.date(year + 1, 1, 5) if period.endswith("Q4") else None,
                           "dept_approver": "经理", "dept_approved_on": dt.date(year + 1, 1, 6), "hr_approver": "人力",
                           "hr_approved_on": dt.date(year + 1, 1, 7)} for i in range(min(2000, clients))), date_fmt)
    _sheet(wb, "Incidents", ({"incident_id": f"I{i:05d}", "employee_id": f"E{i * 7 % employees:05d}", "date": dt.date(year, 10 + i % 3, 1 + i % 28),
                              "kind": ("complaint", "violation")[i % 2], "severity": ("serious", "minor")[i % 2] if i % 2 == 0 else None}
                             for i in range(500)), date_fmt)
    _sheet(wb, "Satisfaction", ({"employee_id": f"E{i:05d}", "period": period, "satisfaction": 0.85 + (i % 15) / 100} for i in range(employees)), date_fmt)
    wb.close()
    return path
