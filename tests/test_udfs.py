"""The cell functions, called the way desktop Excel calls them, and checked against
the rules that fill the Results sheet.

Excel-shaped input: numbers are floats, an empty cell is None, a date is a
datetime, a range is a list of rows, text may carry trailing spaces. Expected
amounts are worked by hand from POLICY §1–§3 in the comments.
"""
from __future__ import annotations

import datetime as dt
import inspect

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import udfs
from conftest import book_from, client, deal, emp
from udfs import BB_MT_AWARD, BB_NC_AWARD, BB_SA_AWARD, BB_TIER
from udfs.shape import ERROR_PREFIX
from workbook.lines import PAID
from workbook.rules import maintenance, new_client, satisfaction


def col(*values):
    return [[v] for v in values]


def flat(result):
    assert all(isinstance(r, list) and len(r) == 1 for r in result), result
    return [r[0] for r in result]


def is_error(v) -> bool:
    return isinstance(v, str) and v.startswith(ERROR_PREFIX)


# ---- NC (POLICY §1): ≤100,000 → 500; (100,000, 500,000] → 1,000; >500,000 → 2,000; boundaries to the lower tier
def test_nc_award_over_a_column_with_boundaries_blanks_and_text():
    got = flat(BB_NC_AWARD(col(100000.0, 100000.01, 500000.0, 500000.01, None, "1.2万 ", "12,000", 0.0)))
    assert got == [500.0, 1000.0, 1000.0, 2000.0, "", 500.0, 500.0, 0.0]  # 0: no first deal, nothing to pay


def test_single_cell_and_horizontal_range():
    assert BB_NC_AWARD(300000.0) == [[1000.0]]
    assert BB_SA_AWARD([[0.95, 0.9, 0.5]]) == [[1000.0], [500.0], [0.0]]  # one row read left to right


# ---- MT (POLICY §2): rate on g applied to the whole growth G
def test_mt_award_column():
    this = col(115000.0, 130000.0, 110000.0, 90000.0, 50000.0, None)
    last = col(100000.0, 100000.0, 100000.0, 100000.0, 0.0, None)
    got = flat(BB_MT_AWARD(this, last))
    assert got[0] == 300.0  # G 15,000, g 15% → 2% × 15,000
    assert got[1] == 900.0  # G 30,000, g 30% → 3% × 30,000
    assert got[2] == 100.0  # g exactly 10% belongs to the lower tier → 1% × 10,000
    assert got[3] == 0  # no growth: no award
    assert "上年销售额为 0" in got[4]  # growth undefined: the reason, not a number
    assert got[5] == ""


def test_mt_one_blank_side_is_an_error_in_that_cell_only():
    assert is_error(flat(BB_MT_AWARD(col(100.0, 120.0), col(None, 100.0)))[0])
    assert flat(BB_MT_AWARD(col(100.0, 120.0), col(None, 100.0)))[1] == 0.4  # g 20% is in (10%, 20%] → 2% × G 20


# ---- SA (POLICY §3): ≥95% → 1,000; ≥90% → 500; otherwise 0
def test_sa_award_column():
    got = flat(BB_SA_AWARD(col(0.95, 0.9499, 0.9, 0.8999, "95% ", "abc", 1.01)))
    assert got[:5] == [1000.0, 500.0, 500.0, 0.0, 1000.0]
    assert is_error(got[5]) and "百分比" in got[5]
    assert is_error(got[6]) and "没有覆盖" in got[6]  # above 100%: no band, never a silent 0


# ---- BB_TIER: by name, by inline bands, with the book's own tier range
def test_tier_by_name_and_inline_bands():
    assert flat(BB_TIER("nc_award", col(100000.0, 100001.0))) == [500.0, 1000.0]
    assert flat(BB_TIER([["mt_rate"]], col(0.1, "15%"))) == [0.01, 0.02]  # a percent table takes 15% as 0.15
    bands = [[0, "Y", 10, "N", 1], [10, "Y", None, None, 2]]
    assert flat(BB_TIER(bands, col(0.0, 9.99, 10.0, -1.0))) [:3] == [1.0, 1.0, 2.0]
    assert is_error(flat(BB_TIER(bands, col(-1.0)))[0])


def test_tier_inline_bands_with_a_gap_or_double_boundary_are_refused():
    assert "同时属于两档" in BB_TIER([[0, "Y", 10, "Y", 1], [10, "Y", None, None, 2]], 5.0)[0][0]
    assert "空档" in BB_TIER([[0, "Y", 10, "N", 1], [11, "Y", None, None, 2]], 5.0)[0][0]


def test_unknown_table_names_the_available_ones():
    msg = BB_TIER("nope", 1.0)[0][0]
    assert is_error(msg) and "sa_award" in msg


TIERS_RANGE = [  # tblTiers[#All] as Excel sends it: header row, floats, text Y/N, None for open ends
    ["表名 (table)", "下限 (lower)", "含下限 (lower_inclusive)", "上限 (upper)", "含上限 (upper_inclusive)", "取值 (value)", "说明 (note)"],
    ["sa_award", 0.0, "Y", 0.8, "N", 0.0, None],
    ["sa_award", 0.8, "Y", 1.0, "Y", 300.0, "公司自定"],
]


def test_book_tier_range_overrides_the_defaults():
    assert flat(BB_SA_AWARD(col(0.85, 0.79), TIERS_RANGE)) == [300.0, 0.0]  # 85% ≥ 80% → 300 under this book's table
    assert flat(BB_SA_AWARD(col(0.85), TIERS_RANGE[1:])) == [300.0]  # [#Data] without the header works too


def test_book_policy_range_picks_the_alternative_nc_table():
    policy = [["nc_table", "nc_award_alt", None]]
    assert flat(BB_NC_AWARD(col(1000.0, 1000.01, 20000.0), None, policy)) == [50.0, 200.0, 500.0]  # §1 alternative table


def test_broken_policy_range_is_one_readable_cell():
    bad = [["sa_award", 0.0, "Y", 0.8, "N", 0.0], ["sa_award", 0.9, "Y", 1.0, "Y", 300.0]]
    (msg,), = BB_SA_AWARD(col(0.85), bad)
    assert is_error(msg) and "空档" in msg


def test_shape_errors():
    assert "单列" in BB_SA_AWARD([[0.9, 0.9], [0.9, 0.9]])[0][0]
    assert "行数不一致" in BB_MT_AWARD(col(1.0, 2.0), col(1.0, 2.0, 3.0))[0][0]
    # a single value is repeated down the column: 1% × 10 and 2% × 20
    assert BB_MT_AWARD(col(110.0, 120.0), 100.0) == [[0.1], [0.4]]


def test_datetime_in_a_number_column_is_explained():
    (msg,), = BB_NC_AWARD(dt.datetime(2026, 7, 1))
    assert is_error(msg) and "日期" in msg


def test_udfs_are_excel_ready():
    for name in udfs.__all__:
        fn = getattr(udfs, name)
        assert fn.__name__ == name  # xlwings names the Excel function after the Python one
        assert fn.__doc__ and len(fn.__doc__) < 255  # Excel's function wizard shows at most 255 characters
        assert not inspect.get_annotations(fn), "xlwings treats annotations as converters"


excel_cell = st.one_of(
    st.none(), st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=8), st.booleans(),
    st.datetimes(min_value=dt.datetime(1900, 3, 1), max_value=dt.datetime(2100, 1, 1)),
    st.sampled_from(["12,000", "1.2万", "95%", " 0.9 ", "#N/A", "", "１２３"]),
)
excel_range = st.one_of(excel_cell, st.lists(st.lists(excel_cell, min_size=1, max_size=3), min_size=1, max_size=6))


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(a=excel_range, b=excel_range, c=excel_range)
def test_any_input_gives_a_column_never_an_exception(a, b, c):
    calls = (BB_TIER(a, b), BB_TIER("sa_award", a, b), BB_NC_AWARD(a, b, c), BB_MT_AWARD(a, b, c), BB_SA_AWARD(a, b),
             udfs.BB_KPI_SCORE(a, b, c, a, b, c), udfs.BB_KPI_COEF(c, a, b, c, a, b), udfs.BB_KC_PAY(a, b, c),
             udfs.BB_KA_SERIES(a, b, c), udfs.BB_GRADE_CHECK(a, b, c))
    for result in calls:
        assert isinstance(result, list) and result and all(isinstance(r, list) and len(r) == 1 for r in result)
        assert all(isinstance(r[0], (float, int, str)) for r in result)


# ---- UDF == engine: the cell and the Results sheet agree on random inputs ----
amounts = st.decimals(min_value=0, max_value=3_000_000, places=2, allow_nan=False, allow_infinity=False)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(min_value=0, max_value=1, allow_nan=False).map(lambda x: round(x, 4)), min_size=1, max_size=8))
def test_sa_udf_equals_rule(values):
    book = book_from(Employees=[emp(f"E{i}") for i in range(len(values))],
                     Satisfaction=[{"employee_id": f"E{i}", "period": "2026Q3", "satisfaction": v} for i, v in enumerate(values)])
    lines, probs = satisfaction.compute(book)
    assert not probs
    assert flat(BB_SA_AWARD(col(*values))) == [float(l.amount) for l in lines]


@settings(max_examples=30, deadline=None)
@given(st.lists(amounts, min_size=1, max_size=6))
def test_nc_udf_equals_rule(bases):
    n = len(bases)
    book = book_from(
        Employees=[emp(f"E{i}") for i in range(n)], Clients=[client(f"C{i}") for i in range(n)],
        Deals=[deal(f"D{i}", f"C{i}", f"E{i}", "2026-07-10", float(b)) for i, b in enumerate(bases)],
        Claims=[{"claim_id": f"Q{i}", "employee_id": f"E{i}", "client_id": f"C{i}", "submitted_on": "2026-10-09",
                 "dept_approver": "部门经理", "dept_approved_on": "2026-10-10", "hr_approver": "人力", "hr_approved_on": "2026-10-12"}
                for i in range(n)])
    lines, probs = new_client.compute(book)
    assert not probs
    paid = {l.employee_id: float(l.amount) for l in lines if l.status == PAID}
    assert flat(BB_NC_AWARD(col(*[float(b) for b in bases]))) == [paid.get(f"E{i}", 0.0) for i in range(n)]


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(amounts, amounts), min_size=1, max_size=5))
def test_mt_udf_equals_rule(pairs):
    deals = []
    for i, (last, this) in enumerate(pairs):
        deals.append(deal(f"H{i}", f"C{i}", f"E{i}", "2024-03-01", 1000.0))  # an existing client since 2024
        if last:
            deals.append(deal(f"L{i}", f"C{i}", f"E{i}", "2025-05-01", float(last)))
        if this:
            deals.append(deal(f"T{i}", f"C{i}", f"E{i}", "2026-05-01", float(this)))
    book = book_from("2026Q4", Employees=[emp(f"E{i}") for i in range(len(pairs))],
                     Clients=[client(f"C{i}") for i in range(len(pairs))], Deals=deals)
    lines, probs = maintenance.compute(book)
    assert not [p for p in probs if p.severity == "error"]
    by_emp = {l.employee_id: l for l in lines}
    got = flat(BB_MT_AWARD(col(*[float(t) for _, t in pairs]), col(*[float(l) for l, _ in pairs])))
    for i, (last, this) in enumerate(pairs):
        line = by_emp[f"E{i}"]
        if last == 0:
            assert line.status != PAID and "上年销售额为 0" in got[i]
        else:
            assert got[i] == float(line.amount)


def test_a_remembered_zero_never_changes_the_sign_of_another_zero():
    """-0 equals 0, but Excel's double keeps the sign the payout line has: zero is never remembered."""
    import math
    from decimal import Decimal

    from udfs.shape import money

    assert math.copysign(1, money(Decimal("0"))) == 1
    assert math.copysign(1, money(Decimal("-0"))) == -1
    assert math.copysign(1, money(Decimal("0.00"))) == 1
