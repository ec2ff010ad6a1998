"""ADJ: Adjustments rows correct an already published period, paid in the current one."""
from __future__ import annotations

import csv
from decimal import Decimal as D

from conftest import book_from, emp
from lifecycle_data import CHECKER, data, write_book
from workbook import problems as P
from workbook.cli import main
from workbook.flows import calculate_flow
from workbook.rules import active_rules, adjustments


def adj(**kw) -> dict:
    base = {"employee_id": "E1", "item_code": "NC", "amount": "500", "reason": "漏算首单", "refers_to_period": "2026Q2"}
    base.update(kw)
    return base


def test_each_row_is_one_adj_line_naming_the_period_it_corrects():
    book = book_from("2026Q3", Employees=[emp("E1"), emp("E2")],
                     Adjustments=[adj(), adj(employee_id="E2", item_code="pn", amount="-200", reason="扣款重复", refers_to_period="2026Q1")])
    lines, probs = adjustments.compute(book)
    assert probs == [] and adjustments.check(book) == []
    assert [(l.employee_id, l.item_code, l.amount, l.pay_month) for l in lines] == [
        ("E1", "ADJ", D("500.00"), "2026-10"), ("E2", "ADJ", D("-200.00"), "2026-10")]
    assert "更正已发布期间 2026Q2 的 NC" in lines[0].basis and "补发 500" in lines[0].basis and "漏算首单" in lines[0].basis
    assert "2026Q1 的 PN" in lines[1].basis and "扣回 200" in lines[1].basis
    assert lines[0].inputs == ("Adjustments!R2",)


def test_adjustments_run_even_when_components_are_chosen():
    book = book_from("2026Q3", components=("SA",), Employees=[emp("E1")], Adjustments=[adj()])
    assert [r.code for r in active_rules(book)] == ["SA", "ADJ"]


def test_bad_rows_are_errors_at_the_cell():
    book = book_from("2026Q3", Employees=[emp("E1")],
                     Adjustments=[adj(refers_to_period="2026Q3"), adj(item_code="XX"), adj(employee_id="E9"), adj(amount="0")])
    found = {(p.severity, p.cell, p.column) for p in adjustments.check(book)}
    assert (P.ERROR, "E2", "refers_to_period") in found  # the current period is corrected by recalculating it
    assert (P.ERROR, "B3", "item_code") in found
    assert (P.ERROR, "A4", "employee_id") in found
    assert (P.WARNING, "C5", "amount") in found


def test_the_ledger_must_show_the_referred_period_published(tmp_path, capsys):
    q2 = write_book(tmp_path / "q2.xlsx", data(Settings=[dict(r, value="2026Q2") if r["key"] == "period" else r for r in data()["Settings"]]))
    assert calculate_flow(q2).ok and main(["lock", str(q2), "--by", CHECKER]) == 0
    q3 = write_book(tmp_path / "q3.xlsx", data(Adjustments=[adj(refers_to_period="2026Q2"), adj(refers_to_period="2025Q4", amount="100")]))
    res = calculate_flow(q3)
    assert not res.ok  # 2026Q2 is locked but not published: reopen it instead of adjusting
    assert any(p.severity == P.ERROR and p.column == "refers_to_period" and "尚未发布" in p.message for p in res.problems)
    assert main(["publish", str(q2)]) == 0
    res = calculate_flow(q3)
    assert res.ok
    # 2025Q4 predates the ledger: allowed, with a warning
    assert any(p.severity == P.WARNING and "不在账本中" in p.message for p in res.problems)
    assert main(["lock", str(q3), "--by", CHECKER]) == 0 and main(["publish", str(q3)]) == 0
    rows = list(csv.DictReader(open(tmp_path / "bonusbook-data" / "published" / "2026Q3" / "payout-2026Q3.csv", encoding="utf-8-sig")))
    adj_rows = [(r["employee_id"], r["item_code"], r["amount"]) for r in rows if r["item_code"] == "ADJ"]
    assert adj_rows == [("E1", "ADJ", "600.00")]  # 500 (for 2026Q2) + 100 (for 2025Q4), one row per employee and item
    basis = next(r["basis"] for r in rows if r["item_code"] == "ADJ")
    assert "2026Q2" in basis and "2025Q4" in basis
