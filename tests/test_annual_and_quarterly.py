"""SA, MT and TM worked by hand from POLICY §2–§4."""
from __future__ import annotations

from decimal import Decimal as D

import pytest

from conftest import book_from, client, deal, emp
from workbook import problems as P
from workbook.lines import PAID, RECORDED
from workbook.rules import maintenance, satisfaction, team


# ---- SA: ≥ 95% → 1,000; ≥ 90% → 500; otherwise 0 (only the highest tier) ----
@pytest.mark.parametrize("value, award", [
    ("95%", "1000"), ("0.95", "1000"), ("100%", "1000"),
    ("94.99%", "500"), ("90%", "500"),
    ("89.99%", "0"), ("0%", "0"),
])
def test_satisfaction_tiers(value, award):
    book = book_from(Employees=[emp("E1")], Satisfaction=[{"employee_id": "E1", "period": "2026Q3", "satisfaction": value}])
    lines, probs = satisfaction.compute(book)
    assert not probs
    assert [l.amount for l in lines] == [D(award)]
    assert lines[0].pay_month == "2026-10"


def test_satisfaction_above_100_percent_matches_no_band_and_is_an_error():
    book = book_from(Employees=[emp("E1")], Satisfaction=[{"employee_id": "E1", "period": "2026Q3", "satisfaction": "101%"}])
    lines, probs = satisfaction.compute(book)
    assert lines == [] and P.has_errors(probs)


def test_satisfaction_of_other_periods_is_ignored():
    book = book_from(Employees=[emp("E1")], Satisfaction=[{"employee_id": "E1", "period": "2026Q2", "satisfaction": "99%"}])
    assert satisfaction.compute(book) == ([], [])


# ---- MT (annual, Q4): rate × G on the whole growth; ≤10% → 1%, ≤20% → 2%, >20% → 3% ----
def mt_book(last: str, this: str, period: str = "2026Q4", share: str = "100%"):
    return book_from(period, Employees=[emp("E1"), emp("E2")], Clients=[client("C1")], Deals=[
        deal("D1", "C1", "E1", "2025-03-01", last, share),
        deal("D2", "C1", "E1", "2026-05-01", this, share),
    ])


@pytest.mark.parametrize("last, this, amount", [
    ("100000", "110000", "100.00"),   # G 10,000, g = 10% (boundary, lower tier) → 1% × 10,000
    ("100000", "110010", "200.20"),   # G 10,010, g = 10.01% → 2% × 10,010
    ("100000", "120000", "400.00"),   # g = 20% → 2% × 20,000
    ("100000", "120010", "600.30"),   # g = 20.01% → 3% × 20,010
    ("100000", "100001", "0.01"),     # G 1 → 1% × 1 = 0.01
    ("33333", "33334", "0.01"),       # G 1 → 0.01 (rate applies to G, not the total)
])
def test_maintenance_tiers(last, this, amount):
    lines, probs = maintenance.compute(mt_book(last, this))
    assert not probs
    assert [(l.status, l.amount) for l in lines] == [(PAID, D(amount))]


def test_maintenance_no_growth_is_recorded_without_money():
    lines, _ = maintenance.compute(mt_book("100000", "100000"))
    assert [(l.status, l.amount) for l in lines] == [(RECORDED, D("0"))]


def test_maintenance_zero_last_year_warns():
    book = book_from("2026Q4", Employees=[emp("E1")], Clients=[client("C1")], Deals=[
        deal("D1", "C1", "E1", "2024-03-01", "50000"), deal("D2", "C1", "E1", "2026-05-01", "80000")])
    lines, probs = maintenance.compute(book)
    assert [l.status for l in lines] == [RECORDED]
    assert [p.severity for p in probs] == [P.WARNING]


def test_maintenance_credits_by_share():
    # E1 holds 50%: last year 100,000, this year 120,000 → g 20% → 2% × 20,000 = 400
    book = book_from("2026Q4", Employees=[emp("E1"), emp("E2")], Clients=[client("C1")], Deals=[
        deal("D1", "C1", "E1", "2025-03-01", "200000", "50%"), deal("D1", "C1", "E2", "2025-03-01", "200000", "50%"),
        deal("D2", "C1", "E1", "2026-05-01", "240000", "50%"), deal("D2", "C1", "E2", "2026-05-01", "240000", "50%")])
    lines, _ = maintenance.compute(book)
    assert [(l.employee_id, l.amount) for l in lines] == [("E1", D("400")), ("E2", D("400"))]


def test_maintenance_only_in_q4():
    assert maintenance.compute(mt_book("100000", "120000", period="2026Q3")) == ([], [])


# ---- TM (annual, Q4): ≥ 10% growth of team new-client total → 1% of this year's total, pro rata ----
def tm_book(amounts_2026: dict[str, str], total_2025: str = "100000"):
    deals = [deal("D0", "C0", "E1", "2025-04-01", total_2025)]
    clients = [client("C0")]
    for i, (eid, amount) in enumerate(amounts_2026.items(), start=1):
        clients.append(client(f"C{i}"))
        deals.append(deal(f"D{i}", f"C{i}", eid, "2026-06-01", amount))
    # a 2026 deal with the 2025 client does not count: its first deal was in 2025
    deals.append(deal("D9", "C0", "E2", "2026-07-01", "999999"))
    return book_from("2026Q4", Employees=[emp("E1"), emp("E2"), emp("E3"), emp("X1", team="T2")], Clients=clients, Deals=deals)


def test_team_award_at_threshold_split_pro_rata():
    # 2026: 66,000 + 44,000 = 110,000 vs 100,000 → +10% (≥ 10%) → pool 1% × 110,000 = 1,100 → 660 / 440 / 0
    lines, probs = team.compute(tm_book({"E1": "66000", "E2": "44000"}))
    t1 = {l.employee_id: l.amount for l in lines if l.status == PAID}
    assert t1 == {"E1": D("660"), "E2": D("440"), "E3": D("0")}


def test_team_award_below_threshold():
    # 109,990 vs 100,000 → +9.99% → nothing
    lines, _ = team.compute(tm_book({"E1": "66000", "E2": "43990"}))
    assert all(l.status == RECORDED and l.amount == 0 for l in lines if l.employee_id.startswith("E"))


def test_team_split_adds_up_to_pool_by_largest_remainder():
    # 3,333 + 3,333 + 3,334 = 10,000 vs 9,000 → +11.1% → pool 100.00 → 33.33 + 33.33 + 33.34
    lines, _ = team.compute(tm_book({"E1": "3333", "E2": "3333", "E3": "3334"}, total_2025="9000"))
    paid = {l.employee_id: l.amount for l in lines if l.status == PAID}
    assert paid == {"E1": D("33.33"), "E2": D("33.33"), "E3": D("33.34")}


def test_team_with_no_last_year_warns():
    lines, probs = team.compute(tm_book({"E1": "1000"}, total_2025="0"))
    assert any(p.severity == P.WARNING and "T1" in p.message for p in probs)
    assert not [l for l in lines if l.status == PAID and l.amount]
