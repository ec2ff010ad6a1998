"""The column-wise deal sums agree with the plain row-by-row loops they replace.

MT's old-client sales, TM's new-client credit and the first-deal index are
worked out over NumPy columns (``rules/deal_columns.py``). The loops below are
the plain reference, written the obvious way from POLICY (§2 MT: clients the
person dealt with before 1 January; §4 TM: deals in the year of the client's
first deal). On random deal sheets (split deals, many-digit shares, deals in
several years, recorded first-deal dates, inconsistent split rows) both must
give the same totals, as the same Decimals, down to their written form.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import book_from, client, deal, emp
from workbook.money import ZERO
from workbook.rules import maintenance, team
from workbook.rules.deal_columns import deal_columns, picked
from workbook.rules.deals import client_deals, deals_of, first_dates, period_rows_by_employee


def plain_mt(book, year):
    existing: dict[str, set[str]] = defaultdict(set)
    rows = book.rows("Deals")
    for r in rows:
        if r.signed_on < dt.date(year, 1, 1):
            existing[r.employee_id].add(r.client_id)
    this: dict[str, Decimal] = defaultdict(lambda: ZERO)
    last: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for r in rows:
        if r.client_id not in existing.get(r.employee_id, ()):
            continue
        if r.signed_on.year == year and r.signed_on <= book.period.end:
            this[r.employee_id] += r.amount * r.share
        elif r.signed_on.year == year - 1:
            last[r.employee_id] += r.amount * r.share
    return {e: len(cs) for e, cs in existing.items()}, this, last


def plain_whole_deals(book):
    """Every deal's rows, grouped by deal id in order of first appearance."""
    grouped: dict[str, list] = defaultdict(list)
    for r in book.rows("Deals"):
        grouped[r.deal_id].append(r)
    return [(k, rs[0].client_id, rs[0].signed_on, rs[0].amount, tuple(rs)) for k, rs in grouped.items()]


def plain_deals_by_client(book):
    out: dict[str, list] = defaultdict(list)
    for d in plain_whole_deals(book):
        out[d[1]].append(d)
    return dict(out)


def plain_first_dates(book):
    out = {c: min(d[2] for d in ds) for c, ds in plain_deals_by_client(book).items()}
    for c in book.rows("Clients"):
        if c.first_deal_date is not None and (c.client_id not in out or c.first_deal_date < out[c.client_id]):
            out[c.client_id] = c.first_deal_date
    return out


def plain_tm(book, year):
    first_year = {c: day.year for c, day in plain_first_dates(book).items()}
    per: dict[int, dict[str, Decimal]] = {year: defaultdict(lambda: ZERO), year - 1: defaultdict(lambda: ZERO)}
    for r in book.rows("Deals"):
        y = r.signed_on.year
        if y in per and first_year.get(r.client_id) == y and r.signed_on <= book.period.end:
            per[y][r.employee_id] += r.amount * r.share
    return per


EDGES = [dt.date(y, m, d) for y in (2023, 2024, 2025, 2026) for m, d in ((1, 1), (6, 30), (7, 1), (12, 31))]  # year and quarter ends
SHARES = ["100%", "50%", "33.3333333333333%", "25%", "12.5%", "0.01%", "66.6666666666667%"]
AMOUNTS = ["0", "1", "0.01", "12,345.67", "99999999.99", "1.2万", "300000", "7.5"]


@st.composite
def deal_sheets(draw):
    n_emp, n_client = draw(st.integers(1, 6)), draw(st.integers(1, 8))
    rows = []
    for i in range(draw(st.integers(0, 40))):
        day = draw(st.one_of(st.dates(dt.date(2023, 11, 1), dt.date(2026, 2, 28)), st.sampled_from(EDGES)))
        cid = f"C{draw(st.integers(0, n_client - 1))}"
        amount = draw(st.sampled_from(AMOUNTS))
        for _ in range(draw(st.integers(1, 3))):  # split deals: one row per person, the whole amount repeated
            row = deal(f"D{i}", cid, f"E{draw(st.integers(0, n_emp - 1))}", day.isoformat(), amount, draw(st.sampled_from(SHARES)))
            if draw(st.integers(0, 9)) == 0:  # an inconsistent split row (validation's business, but the index must still agree)
                row["client_id"] = f"C{draw(st.integers(0, n_client - 1))}"
                row["signed_on"] = draw(st.dates(dt.date(2024, 1, 1), dt.date(2025, 12, 31))).isoformat()
            rows.append(row)
    rows = draw(st.permutations(rows))
    clients = [client(f"C{j}", **({"first_deal_date": draw(st.dates(dt.date(2023, 1, 1), dt.date(2026, 1, 1))).isoformat()}
                                  if draw(st.booleans()) else {})) for j in range(n_client)]
    period = draw(st.sampled_from(["2025Q4", "2025Q2", "2024Q4"]))
    return book_from(period, Employees=[emp(f"E{j}") for j in range(n_emp)], Clients=clients, Deals=rows)


def same(a: dict, b: dict) -> bool:
    """Equal keys with equal values, and the same Decimal text (exponent included)."""
    a, b = {k: v for k, v in a.items() if v != 0 or str(v) != "0"}, {k: v for k, v in b.items() if v != 0 or str(v) != "0"}
    return a.keys() == b.keys() and all(str(a[k]) == str(b[k]) for k in a)


@settings(max_examples=300, deadline=None)
@given(deal_sheets())
def test_first_dates_agree_with_the_whole_deal_loop(book):
    fast, plain = first_dates(book), plain_first_dates(book)
    assert list(fast.items()) == list(plain.items())  # same dates, same key order


@settings(max_examples=300, deadline=None)
@given(deal_sheets())
def test_old_client_sales_agree_with_the_row_loop(book):
    year = book.period.year
    existing, this, last = maintenance._old_client_sales(book, year)
    p_existing, p_this, p_last = plain_mt(book, year)
    assert existing == p_existing
    assert same(this, p_this) and same(last, p_last)
    for e in existing:
        assert str(this[e]) == str(p_this[e]) and str(last[e]) == str(p_last[e])


@settings(max_examples=300, deadline=None)
@given(deal_sheets())
def test_new_client_credit_agrees_with_the_row_loop(book):
    year = book.period.year
    fast, plain = team._new_client_credit(book, year), plain_tm(book, year)
    assert fast.keys() == plain.keys()
    assert all(same(fast[y], plain[y]) for y in plain)


@settings(max_examples=200, deadline=None)
@given(deal_sheets())
def test_a_quarters_rows_by_person_agree_with_the_row_loop(book):
    """KA's rows of the quarter, picked by the date column: the same rows, in the same order, keyed alike."""
    plain: dict[str, list] = defaultdict(list)
    for r in book.rows("Deals"):
        if book.period.start <= r.signed_on <= book.period.end:
            plain[r.employee_id].append(r)
    assert list(period_rows_by_employee(book).items()) == list(plain.items())


def test_hand_worked_sums():
    """Two people on one split deal, one old client each (POLICY §2): credit is amount × share."""
    book = book_from("2025Q4", Employees=[emp("E1"), emp("E2")], Clients=[client("C1"), client("C2")], Deals=[
        deal("D1", "C1", "E1", "2024-05-01", "1000"),                       # E1's old client C1
        deal("D2", "C1", "E1", "2025-03-01", "10,000", "60%"),              # this year, split 60/40
        deal("D2", "C1", "E2", "2025-03-01", "10,000", "40%"),              # C1 is not E2's old client
        deal("D3", "C1", "E1", "2024-11-30", "500"),                        # last year: counts for E1
        deal("D4", "C2", "E2", "2026-01-05", "700"),                        # after the quarter end
    ])
    existing, this, last = maintenance._old_client_sales(book, 2025)
    assert existing == {"E1": 1}
    assert this["E1"] == Decimal("6000") and this["E2"] == 0
    assert last["E1"] == Decimal("1500")
    cols = deal_columns(book)
    assert cols.employees == ["E1", "E2"] and cols.clients == ["C1", "C2"]
    assert cols.first_row.tolist() == [0, 1, 3, 4]


def test_the_quarter_end_day_counts_and_the_next_day_does_not():
    """TM (POLICY §4) and MT (§2) count deals up to and including the quarter's last day."""
    book = book_from("2025Q4", Employees=[emp("E1")], Clients=[client("C1"), client("C2")], Deals=[
        deal("D0", "C2", "E1", "2024-12-31", "50"),    # C2: old for E1; first deal in 2024
        deal("D1", "C1", "E1", "2025-12-31", "100"),   # C1's first deal, on the last day of 2025Q4
        deal("D2", "C2", "E1", "2025-12-31", "30"),
        deal("D3", "C1", "E1", "2026-01-01", "999"),   # after the quarter
    ])
    per = team._new_client_credit(book, 2025)
    assert per[2025]["E1"] == Decimal("100") and per[2024]["E1"] == Decimal("50")
    _, this, last = maintenance._old_client_sales(book, 2025)
    assert this["E1"] == Decimal("30") and last["E1"] == Decimal("50")


@settings(max_examples=200, deadline=None)
@given(deal_sheets(), st.sets(st.sampled_from([f"E{j}" for j in range(8)])), st.dates(dt.date(2023, 6, 1), dt.date(2026, 3, 1)),
       st.integers(0, 500))
def test_row_picks_and_window_sums_agree_with_plain_filters(book, people, first, days):
    """AC's selections: whose rows, signed inside a window (both ends included), summed per person."""
    last = first + dt.timedelta(days=days)
    cols = deal_columns(book)
    rows = book.rows("Deals")
    assert picked(book, cols.of(people) & cols.between(first, last)) == [r for r in rows if r.employee_id in people and first <= r.signed_on <= last]
    plain: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for r in rows:
        if first <= r.signed_on <= last:
            plain[r.employee_id] += r.amount * r.share
    assert same(cols.sums(cols.between(first, last), cols.emp, cols.employees), plain)


@settings(max_examples=300, deadline=None)
@given(deal_sheets(), st.data())
def test_whole_deals_of_some_clients_and_some_deals_agree_with_grouping_all_rows(book, data):
    everything = plain_deals_by_client(book)
    wanted = data.draw(st.sets(st.sampled_from([f"C{j}" for j in range(10)])))
    assert {c: [tuple(d) for d in ds] for c, ds in client_deals(book, wanted).items()} == {c: ds for c, ds in everything.items() if c in wanted}
    assert list(client_deals(book, wanted)) == [c for c in everything if c in wanted]  # same key order
    whole = plain_whole_deals(book)
    flags = np.array(data.draw(st.lists(st.booleans(), min_size=len(whole), max_size=len(whole))), bool)
    assert [tuple(d) for d in deals_of(book, flags)] == [d for d, f in zip(whole, flags) if f]


def plain_check_deals(book):
    """Validation's Deals checks, row by row over every whole deal (the reference)."""
    one = Decimal(1)
    probs = []
    for r in book.rows("Deals"):
        if r.employee_id not in book.employees:
            probs.append(("employee_id", r.row))
        if r.client_id not in book.clients:
            probs.append(("client_id", r.row))
        if not (0 < r.share <= one):
            probs.append(("share", r.row))
        if r.amount < 0:
            probs.append(("amount", r.row))
    for deal_id, _, _, _, rows in plain_whole_deals(book):
        if len(rows) == 1 and rows[0].share == one:
            continue
        for r in rows[1:]:
            for col in ("client_id", "signed_on", "amount"):
                if getattr(r, col) != getattr(rows[0], col):
                    probs.append((col, r.row))
        if sum((r.share for r in rows), Decimal(0)) != one:
            probs.append(("share-total", rows[0].row))
    return probs


@settings(max_examples=300, deadline=None)
@given(deal_sheets(), st.data())
def test_deal_checks_find_what_the_row_loop_finds(book, data):
    from workbook.validate import check_deals

    if data.draw(st.booleans()):  # unknown people and clients, negative amounts, shares out of range
        rows = book.rows("Deals")
        for i in data.draw(st.sets(st.integers(0, max(len(rows) - 1, 0)))) if rows else ():
            field, value = data.draw(st.sampled_from([("employee_id", "E99"), ("client_id", "C99"), ("amount", Decimal(-1)),
                                                      ("share", Decimal(0)), ("share", Decimal("1.5"))]))
            rows[i] = rows[i]._replace(**{field: value})
    got = [(p.column if "合计" not in p.message else "share-total", int(p.cell[1:].lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")))
           for p in check_deals(book)]
    assert got == plain_check_deals(book)


# Sheets as Excel hands them over: amounts and shares are floats, parsed as a whole
# sheet (``parse_table``), so the deal columns take the parsed columns, the key codes
# and the whole-number form of amounts and shares. A plain list of the same rows has
# none of these and goes the Decimal way; both must give the very same Decimals.
FLOAT_AMOUNTS = [0.0, 1.0, 0.01, 7.5, 12345.67, 99999999.99, 300000.0, 1e14, 123456789012.0, 0.1 + 0.2]
FLOAT_SHARES = [1.0, 0.5, 1 / 3, 0.25, 0.125, 0.0001, 2 / 3, 0.6, 0.4, 1e-12]


def parsed_book(period: str, deals: list[list], n_emp: int, n_client: int):
    from workbook.reader import RawTable
    from workbook.schema import INPUT_SHEETS
    from workbook.tables import parse_table

    schema = next(s for s in INPUT_SHEETS if s.key == "Deals")
    keys = ["deal_id", "client_id", "employee_id", "signed_on", "amount", "share"]
    rows, probs = parse_table(RawTable(schema, "Deals", 0, {k: j for j, k in enumerate(keys)}, [(i + 1, r) for i, r in enumerate(deals)]))
    assert not [p for p in probs if p.severity == "error" and "重复" not in p.message]
    book = book_from(period, Employees=[emp(f"E{j}") for j in range(n_emp)], Clients=[client(f"C{j}") for j in range(n_client)])
    book.tables["Deals"] = rows
    plain = book_from(period, Employees=[emp(f"E{j}") for j in range(n_emp)], Clients=[client(f"C{j}") for j in range(n_client)])
    plain.tables["Deals"] = list(rows)
    return book, plain


@st.composite
def float_sheets(draw, amounts=st.sampled_from(FLOAT_AMOUNTS)):
    n_emp, n_client = draw(st.integers(1, 5)), draw(st.integers(1, 6))
    rows = []
    for i in range(draw(st.integers(1, 40))):
        day = draw(st.one_of(st.dates(dt.date(2023, 11, 1), dt.date(2026, 2, 28)), st.sampled_from(EDGES)))
        cid, amount = f"C{draw(st.integers(0, n_client - 1))}", draw(amounts)
        people = draw(st.lists(st.integers(0, n_emp - 1), min_size=1, max_size=3, unique=True))
        for e in people:
            rows.append([f"D{i}", cid, f"E{e}", day, amount, draw(st.sampled_from(FLOAT_SHARES))])
    return draw(st.sampled_from(["2025Q4", "2025Q2"])), draw(st.permutations(rows)), n_emp, n_client


def same_text(a: dict, b: dict) -> bool:
    return {k: str(v) for k, v in a.items()} == {k: str(v) for k, v in b.items()}


def texts(x):
    """Dicts (and tuples of them) with every Decimal as its text: the written form, exponent included."""
    if isinstance(x, tuple):
        return tuple(texts(v) for v in x)
    if isinstance(x, dict):
        return {k: texts(v) for k, v in x.items()}
    return str(x)


@settings(max_examples=300, deadline=None)
@given(float_sheets(amounts=st.one_of(st.sampled_from(FLOAT_AMOUNTS), st.integers(0, 10**9).map(float))), st.data())
def test_sums_in_whole_numbers_give_the_very_decimals_of_the_row_by_row_sums(sheet, data):
    book, plain = parsed_book(*sheet)
    fast, slow = deal_columns(book), deal_columns(plain)
    assert fast.amount_exact is not None and fast.share_exact is not None and slow.amount_exact is None
    for _ in range(3):
        mask = np.array(data.draw(st.lists(st.booleans(), min_size=len(fast.emp), max_size=len(fast.emp))), bool)
        for by, names in ((fast.emp, fast.employees), (fast.client, fast.clients)):
            got = fast.sums(mask, by, names)
            want = slow.sums(mask, by, names)
            assert same_text(got, want)
            reference: dict[str, Decimal] = defaultdict(lambda: ZERO)
            for i in np.flatnonzero(mask).tolist():
                r = book.rows("Deals")[i]
                reference[names[by[i]]] += r.amount * r.share
            assert same_text(got, reference)
    year = book.period.year
    for f in (lambda b: maintenance._old_client_sales(b, year), lambda b: team._new_client_credit(b, year)):
        assert texts(f(book)) == texts(f(plain))


def test_many_distinct_amounts_take_the_sorted_path_and_still_sum_exactly():
    """Over 64 distinct amounts in the first rows: parsing sorts them (``_float_column``), whole
    yuan and yuan with fen alike; the whole-number sums still equal the row-by-row ones."""
    rng = np.random.default_rng(7)
    for cents in (False, True):
        deals = []
        for i in range(700):
            amount = float(rng.integers(0, 10**7)) + (float(rng.integers(0, 100)) / 100 if cents else 0.0)
            for e, share in (((i % 5, 1.0),) if i % 3 else ((i % 5, 0.6), ((i + 1) % 5, 0.4))):
                deals.append([f"D{i}", f"C{i % 37}", f"E{e}", dt.date(2024 + i % 2, 1 + i % 12, 1 + i % 28), amount, share])
        book, plain = parsed_book("2025Q4", deals, 5, 37)
        fast, slow = deal_columns(book), deal_columns(plain)
        assert (fast.amount_exact is not None) == (not cents)  # fen among thousands of distinct amounts: no whole-number form
        mask = np.ones(len(fast.emp), bool)
        assert same_text(fast.sums(mask, fast.emp, fast.employees), slow.sums(mask, slow.emp, slow.employees))
        assert texts(maintenance._old_client_sales(book, 2025)) == texts(maintenance._old_client_sales(plain, 2025))


def test_a_context_that_rounds_early_leaves_the_sums_to_decimal():
    """At 5 digits the row-by-row sums round each step; whole numbers would not: they must not be used."""
    from decimal import localcontext

    deals = [["D1", "C0", "E0", dt.date(2025, 3, 1), 12345.0, 1.0]] + [[f"D{i}", "C0", "E0", dt.date(2025, 3, 1), 4.0, 0.1] for i in range(2, 5)]
    book, plain = parsed_book("2025Q4", deals, 1, 1)
    fast, slow = deal_columns(book), deal_columns(plain)
    mask = np.ones(4, bool)
    with localcontext() as ctx:
        ctx.prec = 5
        assert same_text(fast.sums(mask, fast.emp, fast.employees), slow.sums(mask, slow.emp, slow.employees))
