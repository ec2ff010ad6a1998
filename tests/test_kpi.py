"""KP (POLICY §7): indicator scores, the weighted score S and the coefficient k, worked by hand."""
from __future__ import annotations

from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import book_from, emp, typed_rows
from workbook import problems as P
from workbook.outputs import coefficients_table
from workbook.policy import default_policy
from workbook.rules import kpi
from workbook.rules.kpi import KpiInputError, indicator_score, kpi_score


def row(indicator="销售额", weight="100%", kind="quantitative", target=None, actual=None, score=None, eid="E1", period="2026Q2"):
    return {"employee_id": eid, "period": period, "indicator": indicator, "weight": weight, "kind": kind,
            "target": target, "actual": actual, "score": score}


DEFAULT_FIVE = [  # POLICY §7's default indicators and weights
    row("销售额", "30%", "quantitative", "1,000,000", "900,000"),  # 90
    row("新客户开发", "25%", "quantitative", "10", "13"),  # 130% → capped 120
    row("客户满意度", "20%", "qualitative", score="95"),  # 95
    row("业绩增长率", "15%", "qualitative", score="70"),  # 70
    row("客户保持率", "10%", "quantitative", "100", "-5"),  # negative → floor 0
]


def typed(rows):
    return typed_rows("KPI", rows)


def test_default_five_indicators():
    # S = 30%×90 + 25%×120 + 20%×95 + 15%×70 + 10%×0 = 27 + 30 + 19 + 10.5 + 0 = 86.5 → k = 0.865
    res = kpi_score(typed(DEFAULT_FIVE))
    assert [i.score for i in res.indicators] == [D(90), D(120), D(95), D(70), D(0)]
    assert res.score == D("86.5") and res.k == D("0.865")
    assert "k = 0.865" in res.explain()


@pytest.mark.parametrize("actual,score", [("0", 0), ("1", "0.1"), ("1000", 100), ("1200", 120), ("1200.01", 120), ("5000", 120), ("-1", 0)])
def test_quantitative_cap_and_floor(actual, score):
    (r,) = typed([row(target="1000", actual=actual)])
    assert indicator_score(r) == D(score)


@pytest.mark.parametrize("score,ok", [("0", True), ("120", True), ("120.01", False), ("-0.01", False), ("60.5", True)])
def test_qualitative_range(score, ok):
    (r,) = typed([row(kind="qualitative", score=score)])
    if ok:
        assert indicator_score(r) == D(score)
    else:
        with pytest.raises(KpiInputError):
            indicator_score(r)


@pytest.mark.parametrize("weights", [("30%", "25%", "20%", "15%", "9%"), ("30%", "25%", "20%", "15%", "10.01%"), ("0.3", "0.7", "0.0001")])
def test_weights_must_total_exactly_100(weights):
    rows = typed([row(f"指标{i}", w, "qualitative", score="100") for i, w in enumerate(weights)])
    with pytest.raises(KpiInputError) as e:
        kpi_score(rows)
    assert "100%" in e.value.message


def test_weights_as_text_and_fractions_total_100():
    rows = typed([row("a", "30%", "qualitative", score="100"), row("b", 0.7, "qualitative", score="50")])
    # S = 30 + 35 = 65
    assert kpi_score(rows).score == D(65)


def test_tier_table_maps_score_to_k():
    table = default_policy().tier("kp_coefficient")
    # S = 60 exactly → [60, 80) → 0.8; 59.99 → 0.6; 110 → 1.2; 91 → 1.0
    for s, k in (("60", "0.8"), ("59.99", "0.6"), ("110", "1.2"), ("91", "1.0"), ("0", "0.6")):
        res = kpi_score(typed([row(kind="qualitative", score=s)]), table)
        assert res.k == D(k), s
        assert res.band


def test_check_reports_every_bad_row_at_its_cell():
    book = book_from("2026Q2", Employees=[emp("E1")], KPI=[
        row("a", "50%", "quantitative", target=None, actual="10"),  # row 2: no target
        row("b", "30%", "quantitative", target="0", actual="10"),  # row 3: target 0
        row("c", "20%", "qualitative", score="130"),  # row 4: score > 120
        row("x", "60%", "qualitative", score="50", eid="E9"),  # row 5: E9 unknown and weights 60%
    ])
    got = {(p.cell, p.column) for p in kpi.check(book) if p.severity == P.ERROR}
    assert got == {("F2", "target"), ("F3", "target"), ("H4", "score"), ("A5", "employee_id"), ("D5", "weight")}


def test_check_other_periods_ignored_and_unknown_table():
    book = book_from("2026Q2", Employees=[emp("E1")], KPI=[row(weight="50%", kind="qualitative", score="1", period="2026Q1")])
    assert kpi.check(book) == []
    bad = book_from("2026Q2", params={"kp_table": "nope"}, Employees=[emp("E1")], KPI=[row(kind="qualitative", score="1")])
    assert [p.column for p in kpi.check(bad)] == ["kp_table"]


def test_coefficients_table_rows():
    book = book_from("2026Q2", Employees=[emp("E1")], KPI=DEFAULT_FIVE)
    header, rows = coefficients_table(book)
    assert header[:5] == ("employee_id", "name", "period", "component", "indicator")
    assert len(rows) == 6  # five indicators and the total row
    last = dict(zip(header, rows[-1]))
    assert (last["weighted_score"], last["coefficient"]) == (D("86.5"), D("0.865"))
    first = dict(zip(header, rows[0]))
    assert (first["indicator"], first["score"], first["weighted_score"]) == ("销售额", D(90), D(27))
    assert kpi.compute(book) == ([], [])


def test_no_coefficients_sheet_without_kpi():
    assert coefficients_table(book_from("2026Q2", Employees=[emp("E1")])) is None


# ---------------------------------------------------------------- properties

indicator = st.one_of(
    st.tuples(st.just("quantitative"), st.decimals(min_value=1, max_value=10**6, places=2), st.decimals(min_value=-10**6, max_value=10**7, places=2)),
    st.tuples(st.just("qualitative"), st.none(), st.decimals(min_value=0, max_value=120, places=2)),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(indicator, st.integers(1, 50)), min_size=1, max_size=6), st.booleans())
def test_property_coefficient_within_declared_range(items, use_table):
    total = sum(w for _, w in items)
    weights = [D(w) / D(total) for _, w in items]
    weights[-1] = D(1) - sum(weights[:-1], D(0))  # exactly 100%
    rows = []
    for i, ((kind, a, b), w) in enumerate(zip((it for it, _ in items), weights)):
        if kind == "quantitative":
            rows.append(typed([row(f"q{i}", w, kind, str(a), str(b))])[0])
        else:
            rows.append(typed([row(f"s{i}", w, kind, score=str(b))])[0])
    table = default_policy().tier("kp_coefficient") if use_table else None
    res = kpi_score(rows, table)
    assert D(0) <= res.score <= D(120) + D("1e-20")
    assert all(D(0) <= i.score <= D(120) for i in res.indicators)
    if use_table:
        assert D("0.6") <= res.k <= D("1.2")
    else:
        assert D(0) <= res.k <= D("1.2") + D("1e-22")
