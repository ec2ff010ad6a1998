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
    from workbook.schema import COMPONENTS

    _sheet(wb, "Settings", [{"key": "period", "value": period}, {"key": "prepared_by", "value": "bench"},
                            {"key": "components", "value": ",".join(COMPONENTS)}], date_fmt)
    overrides = {"pp_budget": "1000000", "ac_start": f"{year}-07-01", "ac_end": f"{year}-12-31"}
    _sheet(wb, "Policy", [{"key": p.key, "value": overrides.get(p.key, p.default), "note": p.note} for p in PARAMS], date_fmt)
    tiers = []
    for t in TIER_DEFAULTS:
        for lo, li, up, ui, val in t.rows:
            tiers.append({"table": t.table, "lower": None if lo is None else float(lo), "lower_inclusive": "Y" if li else "N",
                          "upper": None if up is None else float(up), "upper_inclusive": "Y" if ui else "N", "value": float(val)})
    _sheet(wb, "Tiers", tiers, date_fmt)
    depts = ("大客户部", "市场部", "直营部", "关键客户部")
    grades = ("初级", "中级", "高级")
    _sheet(wb, "Employees", ({"employee_id": f"E{i:05d}", "name": f"员工{i}", "department": depts[i % 4], "team": f"T{i % 250}",
                              "role": "客户经理", "grade": grades[i % 3], "hire_date": dt.date(2015 + i % 10, 1 + i % 12, 1),
                              "performance_bonus": 3000 + i % 5 * 500, "base_salary": 6000 + i % 12 * 1000,
                              "commission_rate": 0.03 + (i % 10) / 100, "floating_wage": 6000}
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
                       "revenue_type": ("software", "software", "implementation", "maintenance", "secondary_dev")[d % 5],
                       "gross_margin": amount // 4, "in_crm": "N" if d % 97 == 0 else "Y", "delivered": "Y"}

    _sheet(wb, "Deals", deal_rows(), date_fmt)
    q = int(period[-1])
    after = dt.date(year + 1, 1, 1) if q == 4 else dt.date(year, 3 * q + 1, 1)  # the day after the quarter
    _sheet(wb, "Claims", ({"claim_id": f"Q{i:06d}", "employee_id": f"E{i % employees:05d}", "client_id": f"C{i:06d}",
                           "submitted_on": after + dt.timedelta(days=4),
                           "dept_approver": "经理", "dept_approved_on": after + dt.timedelta(days=5), "hr_approver": "人力",
                           "hr_approved_on": after + dt.timedelta(days=6)} for i in range(min(2000, clients))), date_fmt)
    _sheet(wb, "Incidents", ({"incident_id": f"I{i:05d}", "employee_id": f"E{i * 7 % employees:05d}", "date": dt.date(year, 3 * q - 2 + i % 3, 1 + i % 28),
                              "kind": ("complaint", "violation")[i % 2], "severity": ("serious", "minor")[i % 2] if i % 2 == 0 else None}
                             for i in range(500)), date_fmt)
    months = [(year, m) for m in range(3 * q - 2, 3 * q + 1)]
    emp_ids = [f"E{i:05d}" for i in range(employees)]
    _sheet(wb, "Targets", ({"employee_id": e, "period": period, "target": 200000 + i % 7 * 50000} for i, e in enumerate(emp_ids)), date_fmt)
    _sheet(wb, "OpeningBalances", ({"employee_id": e, "kind": "shortfall", "period": f"{year}Q{max(1, q - 1)}", "base": 100000, "flat": 0,
                                    "amount": 20000} for e in emp_ids[::10]), date_fmt)
    indicators = (("sales", 0.3, "quantitative"), ("new_clients", 0.25, "quantitative"), ("satisfaction", 0.2, "qualitative"),
                  ("growth", 0.15, "quantitative"), ("retention", 0.1, "qualitative"))
    _sheet(wb, "KPI", ({"employee_id": e, "period": period, "indicator": name, "weight": w, "kind": kind,
                        "target": 100 if kind == "quantitative" else None, "actual": 80 + i % 50 if kind == "quantitative" else None,
                        "score": None if kind == "quantitative" else 70 + i % 40}
                       for i, e in enumerate(emp_ids) for name, w, kind in indicators), date_fmt)
    _sheet(wb, "Units", ({"employee_id": e, "month": f"{y}-{m:02d}", "units": i % 12, "channel_units": i % 3, "css": 930 + i % 70}
                         for i, e in enumerate(emp_ids) if i % 4 == 3 for y, m in months), date_fmt)
    _sheet(wb, "Scorecard", ({"employee_id": e, "month": f"{y}-{m:02d}", "sales_completion": 0.8 + i % 5 / 10, "push_completion": 0.9,
                              "collection_completion": 1.0, "new_clients": i % 3, "leads": i % 7, "admin_score": 80 + i % 20}
                             for i, e in enumerate(emp_ids) if i % 4 == 0 for y, m in months), date_fmt)
    _sheet(wb, "Ratings", ({"employee_id": e, "year": year, "rating": ("优秀", "良好", "合格")[i % 3], "tenure_years": i % 15}
                           for i, e in enumerate(emp_ids)), date_fmt)
    _sheet(wb, "GradeReview", ({"employee_id": e, "year": year, "education": "本科", "years_as_cm": 2 + i % 8, "years_in_grade": 1 + i % 3,
                                "exam_level": ("初级", "中级", "高级")[i % 3], "new_clients": i % 12, "prior_avg_new_clients": 4,
                                "lower_avg_new_clients": 4, "annual_sales": 400000 + i % 40 * 100000, "prior_year_sales": 500000,
                                "company_sales_share": 0.01, "satisfaction": 0.9, "complaint_rate": 0.02, "key_clients": i % 4,
                                "long_term_ratio": 0.5, "major_projects": i % 2, "industry_influence": "N", "prior_failed_years": i % 3}
                               for i, e in enumerate(emp_ids)), date_fmt)
    _sheet(wb, "Satisfaction", ({"employee_id": f"E{i:05d}", "period": period, "satisfaction": 0.85 + (i % 15) / 100} for i in range(employees)), date_fmt)
    wb.close()
    return path
