"""The demo's rows for KA, KP, KC, SC, PP, AC and SB, so ``bonusbook demo`` shows every component.

Who gets what story (2025Q4):

- 大客户部 team KA1 (E001–E005, and E037 below) takes part in KA. Their targets are set from
  what they actually sold this quarter, so each lands in the case it shows
  whatever the seeded deal history: E001 below base (−600, a new shortfall, flat
  revenue from implementation, maintenance and training still paid); E002 makes
  up one old shortfall fully (back-pay) and another partly, with a secondary-
  development line counted at its margin; E003 above target with a carried-in
  excess and, below 300,000, the excess carried on, plus a line not in the CRM;
  E004/E005 share a deal 60/40 and pass 300,000 (no carry); E037 joins the
  team in November as a new hire (no grade yet, so GR and SB leave them out).
  E001–E005 have KPI rows (k ≠ 1); E037 has none (k from ka_missing_kpi_k).
- 大客户部 team KA2 (E007–E012) has the monthly scorecard (SC).
- 市场部 (E013–E024) is rated for the annual pool (PP).
- 直营部 team DS1 (E025–E030) sells vehicles (KC), CSS 939 and 940 included.
- AC runs its campaign over 2025H2, so its end-of-campaign penalty falls in Q4;
  SB is switched on in Settings and warns about pay outside the grade's band.
"""
from __future__ import annotations

import datetime as dt
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import Any

PERIOD = "2025Q4"
Q_START, Q_END = dt.date(2025, 10, 1), dt.date(2025, 12, 31)
KA_CLIENT = {"client_id": "C0141", "name": "大客户项目集团有限公司", "class": "金牌", "important": "Y", "strategic": "否",
             "first_deal_date": dt.date(2020, 3, 1)}
COUNTING = {"software": False, "secondary_dev": True, "implementation": False}  # type -> measured at margin
POLICY = {"pp_budget": "120000", "ac_start": "2025-07-01", "ac_end": "2025-12-31"}
COMPONENTS = "NC,MT,SA,TM,PN,KA,KP,KC,AC,SC,PP,SB,GR"
NEW_HIRE = {"employee_id": "E037", "name": "新同事", "department": "大客户部", "team": "KA1", "role": "客户经理", "grade": "",
            "hire_date": dt.date(2025, 11, 3), "base_salary": 6000, "commission_rate": "4%", "performance_bonus": 3000, "floating_wage": 6000}


def _share(text: Any) -> Decimal:
    s = str(text)
    return Decimal(s[:-1]) / 100 if s.endswith("%") else Decimal(s)


def _round(x: Decimal, step: int, mode: str) -> Decimal:
    return (x / step).to_integral_value(rounding=mode) * step


def _ka_deals() -> list[dict[str, Any]]:
    def row(did, emp, day, amount, kind, share="100%", margin=None, crm="Y"):
        return {"deal_id": did, "client_id": KA_CLIENT["client_id"], "employee_id": emp, "share": share, "signed_on": day, "amount": amount,
                "revenue_type": kind, "gross_margin": margin if margin is not None else amount // 3, "in_crm": crm, "delivered": "Y"}

    return [
        row("K0001", "E001", dt.date(2025, 10, 20), 40_000, "implementation"),
        row("K0002", "E001", dt.date(2025, 11, 12), 12_000, "maintenance"),
        row("K0003", "E001", dt.date(2025, 12, 3), 5_000, "training"),
        row("K0004", "E002", dt.date(2025, 11, 18), 150_000, "secondary_dev", margin=60_000),
        row("K0005", "E003", dt.date(2025, 12, 8), 80_000, "software", crm="N"),
        row("K0006", "E004", dt.date(2025, 11, 25), 200_000, "software", share="60%"),
        row("K0006", "E005", dt.date(2025, 11, 25), 200_000, "software", share="40%"),
        row("K0007", NEW_HIRE["employee_id"], dt.date(2025, 12, 1), 90_000, "software"),
        row("K0008", NEW_HIRE["employee_id"], dt.date(2025, 12, 15), 30_000, "implementation"),
    ]


def _counted(deals: list[dict[str, Any]], emp: str) -> Decimal:
    total = Decimal(0)
    for r in deals:
        kind = r.get("revenue_type")
        if r["employee_id"] != emp or kind not in COUNTING or r.get("in_crm") != "Y" or not (Q_START <= r["signed_on"] <= Q_END):
            continue
        total += Decimal(r["gross_margin"] if COUNTING[kind] else r["amount"]) * _share(r["share"])
    return total


def _kpi(emp: str, i: int) -> list[dict[str, Any]]:
    scores = (("销售额", "30%", "quantitative", 1_000_000, 700_000 + 90_000 * i, None), ("新客户开发", "25%", "quantitative", 5, 3 + i, None),
              ("客户满意度", "20%", "qualitative", None, None, 80 + 5 * i), ("业绩增长率", "15%", "qualitative", None, None, 70 + 8 * i),
              ("客户保持率", "10%", "qualitative", None, None, 95))
    return [{"employee_id": emp, "period": PERIOD, "indicator": name, "weight": w, "kind": kind, "target": t, "actual": a, "score": s}
            for name, w, kind, t, a, s in scores]


def ka_rows(employees: list[dict[str, Any]], deals: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Targets, OpeningBalances, KPI and the extra KA deals; adds the new hire E037 to ``employees``."""
    extra = _ka_deals()
    all_deals = deals + extra
    x = {e: _counted(all_deals, e) for e in ("E001", "E002", "E003", "E004", "E005")}
    employees.append(dict(NEW_HIRE))
    excess_in = Decimal(20_000)
    targets = {
        "E001": _round(x["E001"] * Decimal("2.5"), 10_000, ROUND_CEILING),  # X < B = 1.25 X
        "E002": _round(x["E002"], 10_000, ROUND_CEILING),  # surplus ≈ X / 2 makes up the opening shortfalls
        "E003": _round((x["E003"] + excess_in) * Decimal("0.8"), 10_000, ROUND_FLOOR),  # A > T: carry if X < 300,000
        "E004": _round(x["E004"] / 2, 10_000, ROUND_FLOOR),
        "E005": _round(x["E005"] / 2, 10_000, ROUND_FLOOR),
        "E037": Decimal(300_000),  # a new hire carries no task this quarter
    }
    surplus = x["E002"] - targets["E002"] / 2
    first, second = _round(surplus / 5, 1_000, ROUND_FLOOR), _round(surplus, 1_000, ROUND_FLOOR)
    opening = [
        {"employee_id": "E002", "kind": "shortfall", "period": "2025Q2", "base": "150000", "flat": "20000", "amount": str(min(first, Decimal(150_000)))},
        {"employee_id": "E002", "kind": "shortfall", "period": "2025Q3", "base": str(max(second, Decimal(150_000))), "flat": "0", "amount": str(second)},
        {"employee_id": "E003", "kind": "excess", "period": "2025Q3", "amount": str(excess_in)},
    ]
    kpi = [row for i, emp in enumerate(("E001", "E002", "E003", "E004", "E005")) for row in _kpi(emp, i)]
    return {"Deals": extra, "Targets": [{"employee_id": e, "period": PERIOD, "target": str(t)} for e, t in targets.items()],
            "OpeningBalances": opening, "KPI": kpi}


def scheme_rows(employees: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Scorecard (KA2), Ratings (市场部) and Units (DS1) rows."""
    months = ("2025-10", "2025-11", "2025-12")
    ka2 = [e["employee_id"] for e in employees if e["team"] == "KA2"]
    mk = [e["employee_id"] for e in employees if e["department"] == "市场部"]
    ds1 = [e["employee_id"] for e in employees if e["team"] == "DS1"]
    scorecard = [{"employee_id": emp, "month": m, "sales_completion": f"{80 + 9 * i + 4 * j}%", "push_completion": f"{70 + 11 * i + 5 * j}%",
                  "collection_completion": f"{85 + 7 * i}%", "new_clients": (i + j) % 3, "leads": 2 + (i * j) % 5, "admin_score": 80 + 3 * i + j}
                 for i, emp in enumerate(ka2) for j, m in enumerate(months)]
    ratings = [{"employee_id": emp, "year": 2025, "rating": ("优秀", "良好", "良好", "合格")[i % 4], "tenure_years": str(Decimal(i * 7 % 13) + Decimal("0.5"))}
               for i, emp in enumerate(mk)]
    units = [(0, 0, None), (1, 0, 939), (2, 1, 940), (4, 0, 960), (5, 1, 981), (7, 2, 990), (9, 0, 991), (12, 3, 996)]
    unit_rows = [{"employee_id": emp, "month": m, "units": u, "channel_units": c, "css": css}
                 for i, emp in enumerate(ds1) for j, m in enumerate(months) for u, c, css in [units[(i + 3 * j) % len(units)]]]
    return {"Scorecard": scorecard, "Ratings": ratings, "Units": unit_rows}


def set_policy(wb, values: dict[str, str]) -> None:
    """Set some Policy (政策参数) values in a filled template, in place (the keys are prefilled)."""
    ws = next(ws for ws in wb.worksheets if ws.title.endswith("(Policy)"))
    head = {str(c.value): c.column for c in ws[1] if c.value}
    key_col = next(j for h, j in head.items() if h.endswith("(key)"))
    value_col = next(j for h, j in head.items() if h.endswith("(value)"))
    left = dict(values)
    for r in range(2, ws.max_row + 1):
        key = ws.cell(row=r, column=key_col).value
        if key in left:
            cell = ws.cell(row=r, column=value_col, value=left.pop(key))
            cell.data_type = "s"
    if left:
        raise KeyError(f"Policy has no rows for {sorted(left)}")
