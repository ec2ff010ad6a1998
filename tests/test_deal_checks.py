"""The Deals sheet's cross-row checks, worked by hand (SPEC: one row per person,
shares of a deal add up to exactly 100%, each row repeats the whole deal)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import book_from, client, deal, emp
from tests.test_deal_columns import parsed_book
from workbook.tables import _exact_answers
from workbook.validate import check_deals


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


# The same checks on sheets as Excel hands them over (floats, parsed as a whole sheet),
# where shares and amounts are compared in their whole-number form: the very problems
# a plain list of the same rows gives.


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 6), st.sampled_from(["C0", "C1", "C9"]), st.sampled_from(["E0", "E1", "E9"]),
                          st.sampled_from([1000.0, 500.0, 0.0, 12.5, -5.0]), st.sampled_from([1.0, 0.5, 0.6, 0.4, 1.2, 0.0, 1 / 3, 2 / 3, 1e-20])),
                min_size=1, max_size=14))
def test_float_sheets_get_the_problems_of_the_row_by_row_checks(cells):
    deals, seen = [], set()
    for d, c, e, amount, share in cells:
        if (d, e) not in seen:  # a repeated deal and person is the parse's to report
            seen.add((d, e))
            deals.append([f"D{d}", c, e, dt.date(2026, 7, 1 + d), amount, share])
    book, plain = parsed_book("2026Q3", deals, 2, 2)

    def found(b):
        return [(p.cell, p.column, p.message) for p in check_deals(b)]
    assert found(book) == found(plain)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.decimals(min_value=0, max_value=10**6, allow_nan=False, allow_infinity=False, places=None), min_size=1, max_size=20))
def test_whole_number_forms_compare_with_one_as_decimal_does(values):
    values = values + [Decimal("1E+1"), Decimal("0E+2"), Decimal("1.000"), Decimal("1E-30")]  # exponents of both signs, and far below
    form = _exact_answers(values, limit=100)
    if form is None:
        return  # an 18-plus-digit or a negative-zero value: no whole-number form, the Decimal way is taken
    assert form.against_one().tolist() == [(v > 1) - (v < 1) for v in values]
    back = [Decimal(int(c)).scaleb(int(e)) for c, e in zip(form.coefficient, form.exponent)]
    assert [str(b) for b in back] == [str(v) for v in values] or back == values
