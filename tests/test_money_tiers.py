"""Money rounding, the largest-remainder split, tier tables and the policy checks."""
from __future__ import annotations

from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import typed_rows
from workbook import problems as P
from workbook.money import round_fen, split_largest_remainder
from workbook.policy import default_policy, load_policy
from workbook.policy_defaults import PARAMS, TIER_DEFAULTS
from workbook.tiers import Band, NoBand, check_bands, make_table


@pytest.mark.parametrize("raw, fen", [("0.005", "0.01"), ("0.015", "0.02"), ("0.025", "0.03"), ("2.675", "2.68"),
                                      ("-0.005", "-0.01"), ("1.004999", "1.00")])
def test_round_half_up_not_bankers(raw, fen):
    assert round_fen(D(raw)) == D(fen)


def test_round_refuses_float():
    with pytest.raises(TypeError):
        round_fen(0.1)  # type: ignore[arg-type]


money = st.decimals(min_value=D("-1000000"), max_value=D("1000000"), places=2)
weights = st.lists(st.decimals(min_value=D("0"), max_value=D("1000000"), places=3), min_size=1, max_size=30)


@given(money, weights)
def test_pool_parts_add_up_exactly(pool, ws):
    if sum(ws) == 0:
        with pytest.raises(ValueError):
            split_largest_remainder(pool, ws)
        return
    parts = split_largest_remainder(pool, ws)
    assert sum(parts) == pool
    assert all(p == round_fen(p) for p in parts)
    for w, p in zip(ws, parts):
        if w == 0:
            assert p == 0
        exact = pool * w / sum(ws)
        assert abs(p - exact) < D("0.01")  # never more than one fen from the exact share


def test_pool_split_worked_example():
    # 100.00 in thirds: 33.333.. each → floors 33.33 ×3 = 99.99; the leftover fen goes to the first largest remainder
    assert split_largest_remainder(D("100"), [D(1), D(1), D(1)]) == [D("33.34"), D("33.33"), D("33.33")]


def nc():
    return make_table("nc", [("0", True, "100000", True, "500"), ("100000", False, "500000", True, "1000"), ("500000", False, None, False, "2000")])


@given(st.decimals(min_value=0, max_value=10**9, places=2), st.decimals(min_value=0, max_value=10**9, places=2))
def test_monotone_table_never_pays_less_for_more(a, b):
    t = nc()
    lo, hi = sorted((a, b))
    assert t.value(lo) <= t.value(hi)


def test_lookup_outside_every_band_raises():
    with pytest.raises(NoBand):
        nc().lookup(D("-1"))


def band(lo, li, up, ui, v="1", row=None):
    return Band(None if lo is None else D(lo), li, None if up is None else D(up), ui, D(v), row)


@pytest.mark.parametrize("bands, needle", [
    ([band("0", True, "10", True), band("10", True, None, False)], "同时属于两档"),
    ([band("0", True, "10", False), band("10", False, None, False)], "不属于任何一档"),
    ([band("0", True, "10", True), band("11", False, None, False)], "空档"),
    ([band("0", True, "10", True), band("5", False, None, False)], "重叠"),
    ([band("0", True, None, False), band("5", False, "9", True)], "只有最后一档"),
    ([band("10", True, "5", True)], "下限大于上限"),
    ([], "没有任何档位"),
])
def test_table_faults_are_errors(bands, needle):
    probs = check_bands("t", bands)
    assert probs and all(p.severity == P.ERROR for p in probs)
    assert any(needle in p.message for p in probs)


def test_every_default_table_is_valid():
    for t in TIER_DEFAULTS:
        table = make_table(t.table, t.rows)
        assert check_bands(t.table, table.bands) == [], t.table


def test_defaults_parse():
    pol = default_policy()
    assert pol["nc_uplift_cap"] == D("1") and pol["pn_lost_important"] == D("0.5")
    assert set(pol.params) == {p.key for p in PARAMS}


def test_user_table_with_gap_is_reported_with_its_row():
    rows = typed_rows("Tiers", [
        {"table": "sa_award", "lower": "0", "lower_inclusive": "Y", "upper": "0.9", "upper_inclusive": "N", "value": "0"},
        {"table": "sa_award", "lower": "0.91", "lower_inclusive": "Y", "upper": "1", "upper_inclusive": "Y", "value": "500"},
    ])
    _, probs = load_policy(None, rows)
    errs = [p for p in probs if p.severity == P.ERROR]
    assert len(errs) == 1 and errs[0].cell == "A3" and "空档" in errs[0].message


def test_bound_without_inclusivity_is_an_error():
    rows = typed_rows("Tiers", [{"table": "sa_award", "lower": "0", "lower_inclusive": "", "upper": None, "value": "0"}])
    _, probs = load_policy(None, rows)
    assert any(p.severity == P.ERROR and "是否包含" in p.message for p in probs)


def test_policy_sheet_overrides_and_bad_values():
    rows = typed_rows("Policy", [{"key": "pn_lost_general", "value": "35%"}, {"key": "nc_claim_workdays", "value": "seven"},
                                 {"key": "no_such", "value": "1"}])
    pol, probs = load_policy(rows, None)
    assert pol["pn_lost_general"] == D("0.35")
    assert any(p.severity == P.ERROR and p.cell == "B3" for p in probs)
    assert any(p.severity == P.WARNING and "no_such" in p.message for p in probs)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.decimals(allow_nan=False, allow_infinity=False, min_value=-10**9, max_value=10**9, places=4), min_size=1, max_size=8))
def test_remembered_explanation_numbers_read_as_if_worked_out_afresh(values):
    """``fmt_plain`` remembers texts by value: 1.5, 1.50 and 1.500 must still read the same, and -0 stays -0."""
    from workbook.money import _fmt_plain, fmt_plain

    for v in values + [v.quantize(D("0.0001")) for v in values] + [D("-0"), D("0.00")]:
        assert fmt_plain(v) == _fmt_plain(v)
