"""The integer and memoised fast paths of the cell functions equal the plain Decimal path.

BB_MT_AWARD, BB_KA_SERIES and BB_KPI_* take a fast path for ordinary columns
(udfs/fen.py, FenGrowth, FenSeries, udfs/kpi_groups.py). Each check here runs
the same call twice, with the fast paths on and off (``udfs.fen.ENABLED``), or
compares a kernel with the rule function it stands in for, on random inputs
including the awkward ones: band boundaries, negative amounts, text, blanks,
values off the fen grid, odd policy numbers. Equal means the same Python value
of the same type, and the same sign for a zero.
"""
from __future__ import annotations

import math
from decimal import Decimal as D
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from udfs import BB_KA_SERIES, BB_KPI_COEF, BB_KPI_SCORE, BB_MT_AWARD, fen
from udfs.fen import fen_column
from workbook.cells import parse_number
from workbook.money import excel_fen, excel_number, fen_half_up, round_fen, scaled
from workbook.policy import default_policy
from workbook.rules.ka_state import KAState, QuarterInput
from workbook.rules.key_account import FenSeries, KAParams, settle
from workbook.rules.maintenance import NOT_GROWN, FenGrowth, growth_award
from workbook.tiers import NoBand, make_table


def col(values):
    return [[v] for v in values]


def same(a, b) -> bool:
    """Equal values of the same type; floats bit for bit (so -0.0 is not 0.0)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, float):
        return a == b and math.copysign(1, a) == math.copysign(1, b) or (a != a and b != b)
    return a == b


def fast_and_plain(call):
    """(result with the fast paths, result with the plain path) of one call."""
    assert fen.ENABLED
    fast = call()
    fen.ENABLED = False
    try:
        plain = call()
    finally:
        fen.ENABLED = True
    return fast, plain


def assert_same(fast, plain):
    assert len(fast) == len(plain)
    for i, (f, p) in enumerate(zip(fast, plain)):
        assert same(f[0], p[0]), (i, f[0], p[0])


fen_amounts = st.integers(-10**14, 10**14).map(lambda k: k / 100)
excel_number_cell = st.one_of(
    fen_amounts, st.integers(0, 500_000).map(float),
    st.floats(min_value=-1e16, max_value=1e16, allow_nan=False), st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0.1 + 0.2, -0.0, 1e13, 9999999999999.99, 0.005, 1.005]),
)


# ---- the pieces: Excel floats as fen, integer rounding, scaled policy numbers ----
@settings(max_examples=300, deadline=None)
@given(excel_number_cell)
def test_fen_is_parse_number_in_fen(v):
    k = fen.fen(v)
    if k is not None:
        assert D(k) / 100 == parse_number(v)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.one_of(excel_number_cell, st.none(), st.sampled_from(["12,000", "", " ", "abc"]), st.booleans()), max_size=20))
def test_fen_column_is_fen_per_cell(values):
    for empty in (None, 0):
        assert fen_column(values, empty) == [empty if v is None else fen.fen(v) for v in values]
    floats = [v for v in values if v is None or type(v) is float]  # the NumPy path
    assert fen_column(floats, "E") == ["E" if v is None else fen.fen(v) for v in floats]


@settings(max_examples=300, deadline=None)
@given(st.integers(-10**20, 10**20), st.integers(0, 9))
def test_integer_rounding_is_round_fen(n, places):
    amount = D(n).scaleb(-places)
    got = excel_fen(fen_half_up(n, places), n < 0)
    assert same(got, excel_number(amount))
    assert D(fen_half_up(n, places)) / 100 == round_fen(amount)


def test_rounding_half_up_at_the_half_fen_and_keeps_negative_zero():
    assert fen_half_up(5, 3) == 1 and fen_half_up(-5, 3) == -1 and fen_half_up(4, 3) == 0  # 0.005 → 0.01
    assert same(excel_fen(fen_half_up(-4, 3), True), excel_number(D("-0.004")))  # -0.0, as float(Decimal("-0.00"))


@given(st.decimals(allow_nan=False, allow_infinity=False, places=None).filter(lambda d: abs(d.adjusted()) < 30))
def test_scaled_is_exact(d):
    n, places = scaled(d)
    assert places >= 0 and Fraction(n, 10**places) == Fraction(d)


# ---- MT: FenGrowth against growth_award ----
def _policy_with_mt(bands):
    pol = default_policy()
    return type(pol)(pol.params, {**pol.tiers, "mt_rate": make_table("mt_rate", bands, percent=True)})


ODD_MT = _policy_with_mt([("-0.5", True, "0", True, "0"), ("0", False, "0.123", False, "0.0125"),
                          ("0.123", True, "1.5", True, "0.035"), ("1.5", False, "7", False, "0.0333")])  # no band from 700%


@pytest.mark.parametrize("policy", [default_policy(), ODD_MT], ids=["default", "odd"])
@settings(max_examples=200, deadline=None)
@given(last=st.integers(-10**14, 10**14), how=st.one_of(st.integers(-10**14, 10**14).map(lambda t: ("abs", t)),
                                                         st.sampled_from(["0.1", "0.2", "0.123", "1.5", "7", "-0.5"]).map(lambda g: ("at", g))),
       nudge=st.integers(-2, 2))
def test_fen_growth_equals_growth_award(policy, last, how, nudge):
    this = how[1] if how[0] == "abs" else int(last + (D(last) * D(how[1])).to_integral_value()) + nudge  # g on or near a band end
    this = max(-10**15 + 1, min(10**15 - 1, this))
    fast = FenGrowth(policy)
    assert fast.usable
    got = fast.award(this, last)
    try:
        res = growth_award(policy, D(this) / 100, D(last) / 100)
    except NoBand:
        assert got is None
        return
    if res.amount is None:
        assert got == (None if res.rate is None else NOT_GROWN)
    else:
        assert got == round_fen(res.amount) * 100


def test_fen_growth_declines_tables_it_cannot_prove():
    assert not FenGrowth(_policy_with_mt([("0", False, "0.1234567890123", True, "0.01"), ("0.1234567890123", False, None, False, "0.02")])).usable
    assert not FenGrowth(_policy_with_mt([("0", False, None, False, "-0.01")])).usable  # a negative rate


mt_cell = st.one_of(excel_number_cell, st.none(), st.sampled_from(["12,000", "1.2万", "abc", "", 0.0]), st.booleans())


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(mt_cell, mt_cell), min_size=1, max_size=12), st.sampled_from([None, "odd"]))
def test_mt_udf_fast_equals_plain(pairs, tiers):
    rng = None if tiers is None else [["mt_rate", b[0], "Y" if b[1] else "N", b[2], "Y" if b[3] else "N", b[4]]
                                      for b in [("-0.5", True, "0", True, "0"), ("0", False, "0.123", False, "0.0125"),
                                                ("0.123", True, None, False, "0.035")]]
    fast, plain = fast_and_plain(lambda: BB_MT_AWARD(col([t for t, _ in pairs]), col([l for _, l in pairs]), rng))
    assert_same(fast, plain)


# ---- KA: FenSeries against settle, quarter by quarter ----
ka_params = st.sampled_from([
    KAParams.from_policy(default_policy()),
    KAParams(D("0.035"), D("0.55"), D(600), D("250000.5"), D("0.065"), D("0.75"), D("0.25")),
    KAParams(D("0.04"), D("0.333"), D(600), D(0), D(0), D("0.8"), D("0.2")),
])
quarter = st.tuples(
    st.one_of(st.integers(0, 40_000_000), st.sampled_from([20_000_000, 19_999_999, 0])),  # target, fen
    st.one_of(st.integers(-5_000_000, 60_000_000), st.integers(-10**14, 10**14),  # counting, fen; sometimes huge
              st.sampled_from([7_000_000, 13_000_000, 10_000_000, 9_999_999, 10_000_001, 30_000_000, 29_999_999, 20_000_000, 0])),
    st.integers(-1_000_000, 3_000_000),  # flat counting
    st.integers(-1_000_000, 5_000_000),  # flat all
    st.sampled_from(["1", "0.8", "1.15", "0", "-5", "0.123456789"]),  # k
    st.sampled_from([False, False, False, True]),  # new hire, now and then
)


@settings(max_examples=150, deadline=None)
@given(ka_params, st.lists(quarter, min_size=1, max_size=15))
def test_fen_series_equals_settle(p, quarters):
    fast, state = FenSeries(p), KAState()
    assert fast.usable and fast.load(state)
    for i, (t, c, f, fa, k, hire) in enumerate(quarters):
        q = QuarterInput("", f"Q{i}", D(t) / 100, D(c) / 100, D(f) / 100, D(fa) / 100, D(k), hire)
        s, state = settle(state, q, p)
        got = fast.run([(t, c, f, fa, FenSeries.factor(p, D(k)), hire)], 0, lambda _: q.period)
        if got:
            assert same(got[0], excel_number(s.payout))
            assert fast.state().to_dict() == state.to_dict()
        elif not fast.load(state):  # outside the exact range: settle took it; hand the state back
            return


def test_fen_series_on_a_grid_of_edge_quarters():
    # every 4-quarter run over amounts on the edges: X = B, X = C, a shortfall closed to the fen, new hires
    edges = [(7_000_000, 0, False), (9_999_999, 0, False), (10_000_001, 500_000, False), (13_000_000, 0, False),
             (30_000_000, 0, False), (29_999_999, 1_000_000, False), (20_000_000, 0, True)]
    for p in (KAParams.from_policy(default_policy()), KAParams(D("0.035"), D("0.55"), D(600), D("250000.5"), D("0.065"), D("0.75"), D("0.25"))):
        factor = FenSeries.factor(p, D("0.9"))
        for a in edges:
            for b in edges:
                for c in edges:
                    for d in edges[:4]:
                        fast, state, want = FenSeries(p), KAState(), []
                        for i, (x, f, hire) in enumerate((a, b, c, d)):
                            s, state = settle(state, QuarterInput("", str(i), D(200000), D(x) / 100, D(f) / 100, D(f) / 100, D("0.9"), hire), p)
                            want.append(excel_number(s.payout))
                        got = fast.run([(20_000_000, x, f, f, factor, hire) for x, f, hire in (a, b, c, d)], 0, str)
                        assert got == want and fast.state().to_dict() == state.to_dict(), (a, b, c, d)


ka_number = st.one_of(fen_amounts.filter(lambda v: abs(v) < 1e9), st.integers(0, 400_000).map(float),
                      st.floats(min_value=-1e6, max_value=1e6, allow_nan=False))
ka_cell = st.one_of(ka_number, ka_number, ka_number, st.none(), st.sampled_from(["1.2万", "abc", "", 1e14]))


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(ka_cell, ka_cell, ka_cell, ka_cell, st.one_of(st.none(), st.sampled_from([1.0, 0.9, 1.15, "1", True])),
                          st.one_of(st.none(), st.sampled_from(["Y", "N", "否", "", 1.0, True]))), min_size=1, max_size=12),
       st.booleans())
def test_ka_udf_fast_equals_plain(rows, optional):
    cols = [col([r[j] for r in rows]) for j in range(6)]
    args = cols if optional else cols[:3]
    fast, plain = fast_and_plain(lambda: BB_KA_SERIES(*args))
    assert_same(fast, plain)


def test_ka_series_hands_the_state_over_both_ways():
    # row 2 is text: settle takes it, then the integer path takes the carried shortfall back
    counting = [70000.0, "15万", 260000.0, 90000.0, 70000.0, 330000.0]
    fast, plain = fast_and_plain(lambda: BB_KA_SERIES(200000.0, col(counting), 0.0))
    assert_same(fast, plain)
    assert [r[0] for r in fast[:4]] == [0.0, 8800.0, 8000.0, 6000.0]  # POLICY §6 example, as in test_udfs_schemes


def test_ka_series_long_run_matches_the_plain_path():
    import random
    rnd = random.Random(3)
    n = 3000
    target = col([float(rnd.choice([0, 150000, 200000, 2e6])) for _ in range(n)])
    counting = col([float(rnd.randrange(-10000, 400000)) for _ in range(n)])
    flat = col([rnd.randrange(0, 2000000) / 100 for _ in range(n)])
    k = col([rnd.choice([1.0, 0.85, 1.2, None]) for _ in range(n)])
    fast, plain = fast_and_plain(lambda: BB_KA_SERIES(target, counting, flat, None, k))
    assert_same(fast, plain)


# ---- KPI: the memoised groups against kpi_score ----
kpi_weight = st.sampled_from([0.5, 0.3, 0.2, 0.25, 0.1, 0.7, -0.1, None, "30%", "abc", True, 1.0])
kpi_kind = st.sampled_from(["quantitative", "qualitative", "quantitative ", "定量", None, 1.0])
kpi_number = st.one_of(st.none(), st.integers(-5, 150).map(float), st.sampled_from([0.0, 100.0, 1.1, "12", "x", True]))


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["E1", "E2", " E1", None, 1001.0, "E3"]), kpi_weight, kpi_kind, kpi_number,
                          kpi_number, kpi_number), min_size=1, max_size=14),
       st.sampled_from([None, [["kp_table", "kp_coefficient", None]]]))
def test_kpi_udf_fast_equals_plain(rows, policy):
    cols = [col([r[j] for r in rows]) for j in range(6)]
    for fn in (BB_KPI_SCORE, BB_KPI_COEF):
        fast, plain = fast_and_plain(lambda: fn(*cols, policy))
        assert_same(fast, plain)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 3), st.booleans(), st.integers(1, 200), st.integers(0, 250), st.integers(0, 120)),
                min_size=1, max_size=20),
       st.lists(st.tuples(st.integers(0, 40), st.integers(1, 5), st.sampled_from(["x", "", None, True, -0.4, 1.4, 0.0, -1.0, 121.0, "55%"])),
                max_size=2))
def test_kpi_fast_groups_with_whole_weights(rows, faults):
    # employees of two indicators each, 40% + 60%: mostly valid groups, so the fast path answers;
    # ``faults`` then spoils a cell or two (text, blanks, a negative weight, a score out of range)
    people = sorted({e for e, *_ in rows})
    table = []
    for e in people:
        mine = [r for r in rows if r[0] == e][:2]
        for j, (_, quant, target, actual, score) in enumerate(mine):
            w = 1.0 if len(mine) == 1 else (0.4, 0.6)[j]
            table.append([f"E{e}", w, "quantitative" if quant else "qualitative", float(target) if quant else None,
                          float(actual) if quant else None, None if quant else float(score)])
    for i, j, v in faults:
        table[i % len(table)][j] = v
    if len(table) >= 2 and faults and faults[0][2] == -0.4:  # weights 1.4 and -0.4 add up to 100%
        table[0][0] = table[1][0]
        table[0][1], table[1][1] = 1.4, -0.4
    cols = [col([r[j] for r in table]) for j in range(6)]
    for fn in (BB_KPI_SCORE, BB_KPI_COEF):
        fast, plain = fast_and_plain(lambda: fn(*cols))
        assert_same(fast, plain)
