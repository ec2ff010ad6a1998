"""Canonical hashes: the data, not the file; rows named by content, not position."""
from __future__ import annotations

import dataclasses
from decimal import Decimal as D

from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import book_from, emp
from workbook.canonical import SheetPrint, canon, diff, fingerprint, ranges


def deals(*amounts: str) -> list[dict]:
    return [{"deal_id": f"D{i}", "client_id": "C1", "employee_id": "E1", "share": "100%", "signed_on": "2026-07-01", "amount": a}
            for i, a in enumerate(amounts, start=1)]


def fp(*amounts: str, **kw):
    return fingerprint(book_from(Employees=[emp("E1")], Deals=deals(*amounts), **kw))


def test_the_same_value_typed_differently_hashes_the_same():
    assert fp("12000", "1.5万").input_sha256 == fp("12,000.00", "15000").input_sha256
    assert canon(D("12000.00")) == canon(D("1.2E+4")) == "12000" and canon(D("-0.00")) == "0"


def test_a_different_value_changes_the_hash_and_names_its_row():
    a, b = fp("12000", "15000"), fp("12000", "15000.01")
    assert a.input_sha256 != b.input_sha256 and a.policy_sha256 == b.policy_sha256
    (ch,) = diff(a.sheets, b.sheets)
    assert (ch.sheet_key, ch.modified, ch.added, ch.removed) == ("Deals", (3,), (), ())  # D2 is on sheet row 3


def test_policy_is_hashed_apart_from_the_inputs():
    a, b = fp("1"), fp("1", params={"pn_complaint_serious": D("0.25")})
    assert a.input_sha256 == b.input_sha256 and a.policy_sha256 != b.policy_sha256


def test_carried_state_is_part_of_the_inputs():
    a, b = fp("1"), fp("1", carried={"GR": {"E1": 1}})
    assert a.input_sha256 != b.input_sha256 and a.carried_sha256 != b.carried_sha256


def test_an_inserted_row_is_named_and_the_rows_below_it_are_not():
    old = SheetPrint("x", {"2": "aa", "3": "bb", "4": "cc"})
    new = SheetPrint("y", {"2": "aa", "3": "new", "4": "bb", "5": "cc"})
    (ch,) = diff({"Deals": old}, {"Deals": new})
    assert (ch.modified, ch.added, ch.removed) == ((), (3,), ())


def test_ranges_compress_runs():
    assert ranges([7, 2, 3, 4, 10, 11]) == "2–4、7、10–11"


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=10**9), min_size=1, max_size=8), st.randoms())
def test_row_order_never_changes_the_hash(amounts, rnd):
    book = book_from(Employees=[emp("E1")], Deals=deals(*map(str, amounts)))
    rows = book.tables["Deals"][:]
    rnd.shuffle(rows)  # the same rows (same sheet row numbers) in another order, as after a sort in Excel
    shuffled = dataclasses.replace(book, tables={**book.tables, "Deals": rows})
    assert fingerprint(shuffled).input_sha256 == fingerprint(book).input_sha256
    assert diff(fingerprint(book).sheets, fingerprint(shuffled).sheets) == []


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=50), min_size=1, max_size=10), st.integers(min_value=0, max_value=9),
       st.integers(min_value=51, max_value=99))
def test_diff_names_exactly_the_changed_row(amounts, pick, value):
    pick %= len(amounts)
    before = [str(a) for a in amounts]
    after = before[:pick] + [str(value)] + before[pick + 1:]
    changes = diff(fp(*before).sheets, fp(*after).sheets)
    assert [(c.sheet_key, c.modified + c.added + c.removed) for c in changes] == [("Deals", (pick + 2,))]


# sheet_row_bytes (column-wise, each distinct value once) must give the very bytes
# of row_bytes (one row at a time): a lock made by one is verified by the other.
def _cell_values():
    import datetime as dt

    return st.one_of(
        st.none(), st.booleans(), st.integers(-10**6, 10**6),
        st.decimals(allow_nan=False, allow_infinity=False, places=4, min_value=-10**9, max_value=10**9),
        st.sampled_from([D("1"), D("1.0"), D("1.00"), D("-0"), D("0.00"), D("1E+3"), D("2.5")]),
        st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2030, 12, 31)),
        st.tuples(st.integers(2020, 2030), st.integers(1, 12)),
        st.sampled_from(["E1", "客户 A", 'say "hi"', "back\\slash", "tab\there", "line\nbreak", "", "\x01"]),
        st.text(max_size=5),
    )


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(["Deals", "Employees", "KPI", "Clients"]), st.data())
def test_columnwise_row_bytes_equal_row_by_row(sheet, data):
    from workbook.canonical import row_bytes, sheet_row_bytes
    from workbook.tables import row_type

    t = row_type(sheet)
    n = data.draw(st.integers(0, 12))
    one_type = data.draw(st.booleans())  # the by-distinct-value path needs columns of one type
    columns = []
    for _ in t._fields:
        if one_type:
            kind = data.draw(st.sampled_from([st.text(max_size=4), st.decimals(allow_nan=False, allow_infinity=False, places=2, min_value=-100, max_value=100),
                                              st.sampled_from([None, D("1"), D("1.00")]), st.booleans()]))
            columns.append(data.draw(st.lists(kind, min_size=n, max_size=n)))
        else:
            columns.append(data.draw(st.lists(_cell_values(), min_size=n, max_size=n)))
    rows = [t._make(vals) for vals in zip(*columns)] if n else []
    assert sheet_row_bytes(sheet, rows) == [row_bytes(sheet, r) for r in rows]
