"""CL worked by hand from POLICY §14: flags, optional auto-classification, and the checks they feed.

Auto-classification (cl_auto_classify=Y): big when this year's purchases exceed 1,000,000 ("超过": 1,000,000
itself is not big) or the client's gross margin exceeds 10% of all margin in the same months.
Run period 2026Q3, so the year's window is 2026-01-01 … 2026-09-30.
"""
from __future__ import annotations

from decimal import Decimal as D

from conftest import book_from, claim, client, deal, emp
from workbook import problems as P
from workbook.client_classes import big_clients, check, is_important
from workbook.rules import new_client, penalty

AUTO = {"cl_auto_classify": True}


def classes_book(params=AUTO, **sheets):
    return book_from(params=params, Employees=[emp("E1"), emp("E2")],
                     Clients=sheets.pop("Clients", [client("C1"), client("C2"), client("C3"), client("C4")]), **sheets)


def test_purchases_over_the_limit_make_a_big_client():
    deals = [
        # C1: 600,000 split E1/E2 (counted once) + 400,000.01 = 1,000,000.01 > 1,000,000 → big
        deal("D1", "C1", "E1", "2026-02-01", "600,000", "50%"), deal("D1", "C1", "E2", "2026-02-01", "600,000", "50%"),
        deal("D2", "C1", "E1", "2026-09-30", "400,000.01"),
        # C2: exactly 1,000,000 → not big ("超过" excludes it)
        deal("D3", "C2", "E1", "2026-03-01", "1,000,000"),
        # C3: 2,000,000 but in 2025 → outside this year's window
        deal("D4", "C3", "E1", "2025-12-31", "2,000,000"),
    ]
    book = classes_book(Deals=deals)
    assert set(big_clients(book)) == {"C1"}
    assert is_important(book, book.clients["C1"]) and not is_important(book, book.clients["C2"])


def test_profit_share_over_the_limit_makes_a_big_client():
    deals = [  # total margin 1,000 + 1,001 + 7,999 = 10,000
        deal("D1", "C1", "E1", "2026-04-01", "5,000", gross_margin="1,000"),   # 10% exactly → not big
        deal("D2", "C2", "E1", "2026-04-02", "5,000", gross_margin="1,001"),   # 10.01% → big
        deal("D3", "C3", "E1", "2026-04-03", "90,000", gross_margin="7,999"),  # 79.99% → big
        deal("D4", "C4", "E1", "2026-04-04", "1,000"),                         # no margin: adds nothing
    ]
    assert set(big_clients(classes_book(Deals=deals))) == {"C2", "C3"}


def test_auto_classification_is_off_by_default():
    book = classes_book(params=None, Deals=[deal("D1", "C1", "E1", "2026-02-01", "5,000,000")])
    assert big_clients(book) == {} and not is_important(book, book.clients["C1"])
    assert check(book) == []


def test_big_client_counts_as_important_for_penalties_and_is_flagged_for_hr():
    deals = [deal("D1", "C1", "E1", "2026-02-01", "1,500,000")]
    incidents = [{"incident_id": "I1", "employee_id": "E1", "date": "2026-08-03", "kind": "client_lost", "severity": "important", "client_id": "C1"}]
    book = classes_book(Deals=deals, Incidents=incidents)
    lines, _ = penalty.compute(book)
    assert [l.amount for l in lines] == [D("-2500")]  # important: 50% × 5,000 (off: general 30% → −1,500)
    assert penalty.check(book) == []  # severity "important" agrees with the auto class
    probs = check(book)
    assert [(p.severity, p.column) for p in probs] == [(P.WARNING, "important")]
    off = classes_book(params=None, Deals=deals, Incidents=incidents)
    assert [l.amount for l in penalty.compute(off)[0]] == [D("-1500")]


def test_unknown_class_name_warns():
    book = classes_book(Clients=[client("C1", **{"class": "金牌"}), client("C2", **{"class": "a"}), client("C3", **{"class": "黄金"})])
    assert [(p.severity, p.column, p.found) for p in check(book)] == [(P.WARNING, "class", "黄金")]


def test_uplift_on_a_non_strategic_client_stays_an_error():
    book = book_from(Employees=[emp("E1")], Clients=[client("C1", important="Y")],
                     Deals=[deal("D1", "C1", "E1", "2026-07-10", "300,000")],
                     Claims=[claim("Q1", "E1", "C1", uplift="500", uplift_reason="重要客户")])
    assert [(p.severity, p.column) for p in new_client.check(book)] == [(P.ERROR, "uplift")]
