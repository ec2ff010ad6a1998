"""The Deals sheet's cross-row checks, worked by hand (SPEC: one row per person,
shares of a deal add up to exactly 100%, each row repeats the whole deal)."""
from __future__ import annotations

from workbook.validate import check_deals

from tests.conftest import book_from, client, deal, emp


def problems(*deals):
    book = book_from(Employees=[emp("E1"), emp("E2")], Clients=[client("C1"), client("C2")], Deals=list(deals))
    return [(p.cell, p.column, p.message) for p in check_deals(book)]


def test_whole_and_evenly_split_deals_pass():
    assert problems(deal("D1", "C1", "E1", "2026-07-01", "1000"),
                    deal("D2", "C2", "E1", "2026-07-02", "500", "50%"), deal("D2", "C2", "E2", "2026-07-02", "500", "50%")) == []


def test_a_single_row_below_100_percent_is_named_with_its_total():
    (cell, column, message), = problems(deal("D1", "C1", "E1", "2026-07-01", "1000", "60%"))
    assert (cell, column) == ("D2", "share") and "60" in message and "100%" in message


def test_split_shares_that_do_not_add_up_are_named_at_the_first_row():
    (cell, column, message), = problems(deal("D1", "C1", "E1", "2026-07-01", "1000", "50%"), deal("D1", "C1", "E2", "2026-07-01", "1000", "40%"))
    assert (cell, column) == ("D2", "share") and "90" in message


def test_rows_of_one_deal_must_repeat_client_date_and_amount():
    found = problems(deal("D1", "C1", "E1", "2026-07-01", "1000", "50%"), deal("D1", "C2", "E2", "2026-07-03", "900", "50%"))
    assert [(c, col) for c, col, _ in found] == [("B3", "client_id"), ("E3", "signed_on"), ("F3", "amount")]


def test_unknown_people_and_clients_bad_shares_and_negative_amounts():
    found = problems(deal("D1", "C9", "E9", "2026-07-01", "-5", "100%"), deal("D2", "C1", "E1", "2026-07-01", "10", "120%"))
    columns = [col for _, col, _ in found]
    assert columns.count("employee_id") == 1 and columns.count("client_id") == 1 and columns.count("amount") == 1
    assert ("D3", "share") in [(c, col) for c, col, _ in found]  # 120% is out of range (and not 100%)


def test_share_problems_are_listed_in_deal_order():
    found = problems(deal("D1", "C1", "E1", "2026-07-01", "1000", "50%"), deal("D1", "C1", "E2", "2026-07-01", "1000", "40%"),
                     deal("D2", "C2", "E1", "2026-07-02", "500", "60%"))
    assert [c for c, _, _ in found] == ["D2", "D4"]


def test_an_out_of_range_share_never_passes_as_part_of_a_whole_deal():
    """60% + 50% + 150% is 260%, not 100% (the fast test counts in tenths: 6 + 5 and a marker for 150% must not make 10)."""
    book = book_from(Employees=[emp("E1"), emp("E2"), emp("E3")], Clients=[client("C1")],
                     Deals=[deal("D1", "C1", "E1", "2026-07-01", "1000", "60%"), deal("D1", "C1", "E2", "2026-07-01", "1000", "50%"),
                            deal("D1", "C1", "E3", "2026-07-01", "1000", "150%")])
    found = [(p.cell, p.column, p.message) for p in check_deals(book)]
    assert [(c, col) for c, col, _ in found] == [("D4", "share"), ("D2", "share")]
    assert "合计为 260.0%" in found[1][2]
