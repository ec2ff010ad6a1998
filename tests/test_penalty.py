"""PN worked by hand from POLICY §5 (period 2026Q3; E1's monthly performance bonus 5,000)."""
from __future__ import annotations

from decimal import Decimal as D

import pytest

from conftest import book_from, client, emp
from workbook import problems as P
from workbook.lines import PAID, RECORDED
from workbook.rules import penalty


def inc(iid, date, kind, severity="", client_id="", eid="E1"):
    return {"incident_id": iid, "employee_id": eid, "date": date, "kind": kind, "severity": severity, "client_id": client_id}


def pn(*incidents, clients=None):
    book = book_from(Employees=[emp("E1", performance_bonus="5,000")], Clients=clients or [
        client("CI", important="Y"), client("CS", strategic="是"), client("CG")], Incidents=list(incidents))
    probs = penalty.check(book)
    lines, more = penalty.compute(book)
    return lines, probs + more


@pytest.mark.parametrize("incident, amount", [
    (inc("I1", "2026-07-10", "client_lost", "important", "CI"), "-2500"),   # 50% × 5,000
    (inc("I1", "2026-07-10", "client_lost", "general", "CG"), "-1500"),     # 30% × 5,000
    (inc("I1", "2026-07-10", "complaint", "serious"), "-1000"),             # 20% × 5,000
])
def test_single_deductions(incident, amount):
    lines, probs = pn(incident)
    assert not P.has_errors(probs)
    assert [(l.status, l.amount) for l in lines] == [(PAID, D(amount))]
    assert lines[0].month == "2026-07" and lines[0].pay_month == "2026-10"


def test_strategic_client_counts_as_important_and_severity_mismatch_warns():
    lines, probs = pn(inc("I1", "2026-07-10", "client_lost", "general", "CS"))
    assert [l.amount for l in lines] == [D("-2500")]
    assert [p.severity for p in probs] == [P.WARNING]


def test_warnings_are_recorded_without_money():
    lines, _ = pn(inc("I1", "2026-07-10", "complaint", "minor"), inc("I2", "2026-08-10", "violation"))
    assert [(l.status, l.amount) for l in lines] == [(RECORDED, D("0")), (RECORDED, D("0"))]
    assert "警告并培训" in lines[1].basis


@pytest.mark.parametrize("prior, amount, status", [
    ("2025-08-02", "-500", PAID),      # within 12 months before 2026-08-01 → repeat → 10% × 5,000
    ("2025-08-01", "0", RECORDED),     # exactly 12 months earlier is outside the window → first → warning
    ("2025-07-31", "0", RECORDED),
])
def test_violation_repeat_window(prior, amount, status):
    lines, _ = pn(inc("I0", prior, "violation"), inc("I1", "2026-08-01", "violation"))
    assert [(l.status, l.amount) for l in lines] == [(status, D(amount))]


def test_same_month_percentages_add_up_and_cap_at_100():
    # 50% + 50% + 20% = 120% → capped at 100% → −5,000
    lines, _ = pn(inc("I1", "2026-07-01", "client_lost", "important", "CI"),
                  inc("I2", "2026-07-15", "client_lost", "important", "CS"),
                  inc("I3", "2026-07-20", "complaint", "serious"))
    assert [l.amount for l in lines] == [D("-5000")]
    assert "封顶" in lines[0].basis


def test_months_are_capped_separately():
    lines, _ = pn(inc("I1", "2026-07-01", "client_lost", "important", "CI"), inc("I2", "2026-08-15", "client_lost", "general", "CG"))
    assert [(l.month, l.amount) for l in lines] == [("2026-07", D("-2500")), ("2026-08", D("-1500"))]


def test_missing_performance_bonus_is_an_error_not_a_zero():
    book = book_from(Employees=[emp("E1", performance_bonus="")], Clients=[client("CG")],
                     Incidents=[inc("I1", "2026-07-10", "client_lost", "general", "CG")])
    lines, probs = penalty.compute(book)
    assert lines == [] and P.has_errors(probs)
    assert probs[0].column == "performance_bonus"


def test_incident_input_errors():
    probs = penalty.check(book_from(Employees=[emp("E1")], Clients=[client("CG")], Incidents=[
        inc("I1", "2026-07-10", "client_lost"), inc("I2", "2026-07-10", "complaint", "important"), inc("I3", "2026-07-10", "violation", eid="E9")]))
    assert sorted(p.column for p in probs if p.severity == P.ERROR) == ["client_id", "employee_id", "severity"]
