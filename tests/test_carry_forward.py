"""Carry-forward through the ledger: each quarter a separate workbook, nothing retyped.

KA numbers follow POLICY §6's worked example (T = 200,000, so B = 100,000;
software only; no KPI rows, so k = ka_missing_kpi_k = 1 and the factor
80% + 20% × 1 = 100%).
"""
from __future__ import annotations

import csv
import datetime as dt
import shutil
from decimal import Decimal as D

from conftest import book_from, emp
from lifecycle_data import CHECKER, write_book
from workbook.carry import closing_state, pn_window
from workbook.cli import main
from workbook.flows import calculate_flow
from workbook.status_sheet import read_status

SETTINGS = [{"key": "company", "value": "测试公司"}, {"key": "prepared_by", "value": "制表人"}]
EMPLOYEES = [{"employee_id": "E1", "name": "王伟", "department": "大客户部", "team": "KA1", "hire_date": dt.date(2020, 1, 1),
              "performance_bonus": 5000, "floating_wage": 6000}]
CLIENTS = [{"client_id": "C1", "name": "大客户集团", "first_deal_date": dt.date(2019, 1, 1)}]


def ka_quarter(period: str, amount: int, day: dt.date) -> dict:
    return {
        "Settings": [{"key": "period", "value": period}, {"key": "components", "value": "KA"}] + SETTINGS,
        "Employees": EMPLOYEES, "Clients": CLIENTS,
        "Deals": [{"deal_id": f"D{period}", "client_id": "C1", "employee_id": "E1", "share": 1, "signed_on": day, "amount": amount,
                   "revenue_type": "software", "in_crm": "Y", "delivered": "Y"}],
        "Targets": [{"employee_id": "E1", "period": period, "target": 200000}],
    }


def payout(res) -> dict[str, D]:
    return {r.item_code: r.amount for r in res.payout}


def test_ka_shortfall_carries_through_the_ledger_into_the_next_quarter(tmp_path, capsys):
    q1 = write_book(tmp_path / "q1.xlsx", ka_quarter("2026Q1", 70000, dt.date(2026, 2, 15)))
    res = calculate_flow(q1)
    # Q1: X = 70,000 < B = 100,000 → no commission, −600, floating wage withheld, shortfall 30,000 opened
    assert res.ok and payout(res) == {"KA_DED": D("-600.00")}
    assert main(["lock", str(q1), "--by", CHECKER]) == 0
    assert main(["publish", str(q1)]) == 0

    q2_data = ka_quarter("2026Q2", 150000, dt.date(2026, 5, 15))  # no OpeningBalances sheet: the ledger carries
    q2 = write_book(tmp_path / "q2.xlsx", q2_data)
    res = calculate_flow(q2)
    # Q2: X = 150,000; surplus 50,000 clears Q1's 30,000 → back-pay 4% × (100,000 − 0) = 4,000;
    # L = 20,000, A = B + L = 120,000 → 4% × 120,000 = 4,800; KA = (4,800 + 4,000) × 100% = 8,800;
    # B + L = 120,000 < T → floating wage withheld
    assert res.ok and payout(res) == {"KA": D("8800.00")}
    assert "2026Q1" in read_status(q2)["opening"]
    assert main(["lock", str(q2), "--by", CHECKER]) == 0
    assert main(["publish", str(q2)]) == 0
    rows = list(csv.DictReader(open(tmp_path / "bonusbook-data" / "published" / "2026Q2" / "payout-2026Q2.csv", encoding="utf-8-sig")))
    assert [(r["employee_id"], r["item_code"], r["amount"]) for r in rows] == [("E1", "KA", "8800.00")]

    # Control: the same Q2 book on a desk with no ledger history starts from nothing:
    # X = 150,000, L = 50,000, A = 150,000 → 4% × 150,000 = 6,000
    alone = tmp_path / "elsewhere" / "q2.xlsx"
    write_book(alone, q2_data)
    assert payout(calculate_flow(alone)) == {"KA": D("6000.00")}


def test_results_calculated_before_the_predecessor_locked_are_stale(tmp_path):
    q1 = write_book(tmp_path / "q1.xlsx", ka_quarter("2026Q1", 70000, dt.date(2026, 2, 15)))
    q2 = write_book(tmp_path / "q2.xlsx", ka_quarter("2026Q2", 150000, dt.date(2026, 5, 15)))
    assert calculate_flow(q1).ok
    early = calculate_flow(q2)  # the ledger is still empty: "first quarter on the system", no shortfall
    assert payout(early) == {"KA": D("6000.00")}
    assert main(["lock", str(q1), "--by", CHECKER]) == 0
    assert main(["lock", str(q2), "--by", CHECKER]) == 1  # its opening state has changed since: stale
    assert payout(calculate_flow(q2)) == {"KA": D("8800.00")}
    assert main(["lock", str(q2), "--by", CHECKER]) == 0


def pn_quarter(period: str, incidents: list[dict]) -> dict:
    return {
        "Settings": [{"key": "period", "value": period}, {"key": "components", "value": "PN"}] + SETTINGS,
        "Employees": EMPLOYEES, "Incidents": incidents,
    }


def test_pn_violation_history_comes_from_the_ledger(tmp_path):
    q1 = write_book(tmp_path / "q1.xlsx", pn_quarter("2026Q1", [{"incident_id": "I1", "employee_id": "E1", "date": dt.date(2026, 2, 1), "kind": "violation"}]))
    res = calculate_flow(q1)
    assert res.ok and res.payout == []  # first violation in 12 months: warning and training, no money
    assert main(["lock", str(q1), "--by", CHECKER]) == 0
    q2_data = pn_quarter("2026Q2", [{"incident_id": "I7", "employee_id": "E1", "date": dt.date(2026, 5, 10), "kind": "violation"}])
    q2 = write_book(tmp_path / "q2.xlsx", q2_data)  # I1 is not on this sheet
    res = calculate_flow(q2)
    # repeat within 12 months of 2026-02-01 (known only from the ledger) → −10% × 5,000 = −500
    assert payout(res) == {"PN": D("-500.00")}
    assert "2026-02-01" in res.payout[0].basis
    alone = tmp_path / "elsewhere" / "q2.xlsx"
    write_book(alone, q2_data)
    assert calculate_flow(alone).payout == []  # without the ledger it would look like a first violation


def test_pn_window_keeps_only_what_a_later_quarter_can_count():
    rows = [{"incident_id": f"I{i}", "employee_id": "E1", "date": d, "kind": "violation"}
            for i, d in enumerate(("2025-09-30", "2025-10-01", "2026-03-31", "2026-04-01"))]
    book = book_from("2026Q3", Employees=[emp("E1")], Incidents=rows)
    # Q3 ends 2026-09-30; the earliest later incident is on 2026-10-01, whose 12-month window
    # reaches back to 2025-10-01: 2025-09-30 can never count again and is dropped; 2025-10-01
    # (the boundary, kept to be safe: PN itself decides) and everything after it is kept
    assert [r.date.isoformat() for r in pn_window(book)] == ["2025-10-01", "2026-03-31", "2026-04-01"]


def test_a_component_that_did_not_run_passes_its_state_through():
    from workbook.rules.ka_state import KAState, Shortfall

    ka = {"E1": KAState((Shortfall("2026Q1", D("100000"), D("0"), D("30000")),), D("0"))}
    gr = {"E1": 1}
    # 2026Q2 without Targets (KA idle) and without GradeReview (GR runs in Q4 only)
    book = book_from("2026Q2", Employees=[emp("E1")], carried={"KA": ka, "GR": gr})
    state = closing_state(book)
    assert state["KA"] == ka and state["GR"] == gr


def test_demo_second_quarter_starts_from_the_first(tmp_path, capsys):
    """The demo's 2026Q1 makes E001's 2025Q4 shortfall up and charges E011/E012's repeat violations."""
    from workbook.demo import run_demo

    assert run_demo(tmp_path) == 0
    out = capsys.readouterr().out
    assert "上一季度 2025Q4 锁定时的期末状态" in out
    # E011: performance bonus 3,500 × 10% = 350, repeat of I006 (2025-12-12, only in the 2025Q4 book)
    assert "E011 PN        -350.00" in out and "此前 2025-12-12" in out
    assert "E005 ADJ        500.00" in out and "更正已发布期间 2025Q4" in out
    pub = tmp_path / "bonusbook-data" / "published"
    assert sorted(p.name for p in pub.iterdir()) == ["2025Q4", "2026Q1"]
    shutil.rmtree(tmp_path / "bonusbook-data")
