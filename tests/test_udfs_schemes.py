"""KPI, KC, KA and GR cell functions: Excel-shaped calls, hand-worked numbers from
POLICY §6–§8 and §13, and hypothesis checks that the cell equals the rule."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import book_from, emp
from udfs import BB_GRADE_CHECK, BB_KA_SERIES, BB_KC_PAY, BB_KPI_COEF, BB_KPI_SCORE
from udfs.shape import ERROR_PREFIX
from workbook.lines import PAID
from workbook.policy import default_policy
from workbook.rules import grades, kpi, unit_commission
from workbook.rules.grade_criteria import CRITERION_ZH
from workbook.rules.ka_state import KAState, QuarterInput
from workbook.rules.key_account import KAParams, quarter


def col(*values):
    return [[v] for v in values]


def flat(result):
    return [r[0] for r in result]


def is_error(v) -> bool:
    return isinstance(v, str) and v.startswith(ERROR_PREFIX)


# ---- KA (POLICY §6 worked example): T = 200,000 each quarter, B = 100,000, software only, k = 1
def test_ka_series_reproduces_the_policy_example():
    got = flat(BB_KA_SERIES(200000.0, col(70000.0, 150000.0, 260000.0, 90000.0), 0.0))
    # Q1 70,000 < B: nothing (shortfall 30,000 opened)
    # Q2 150,000: surplus 50,000 clears Q1 (back-pay 4% × 100,000 = 4,000); A = 120,000 → 4,800 + 4,000
    # Q3 260,000: A = 260,000 > T and X < 300,000 → A = T, 60,000 carried → 8,000
    # Q4 90,000 + 60,000 = 150,000: A = 150,000 → 6,000
    assert got == [0.0, 8800.0, 8000.0, 6000.0]


def test_ka_series_kpi_factor_and_new_hire():
    # Q2 with k = 0.9: 8,800 × (80% + 20% × 0.9) = 8,800 × 0.98 = 8,624
    assert flat(BB_KA_SERIES(200000.0, col(70000.0, 150000.0), 0.0, None, col(1.0, 0.9)))[1] == 8624.0
    # a new hire's first quarter carries no task: A = X = 50,000 → 4% = 2,000
    assert flat(BB_KA_SERIES(200000.0, 50000.0, 0.0, None, None, "Y")) == [2000.0]
    # flat-rate revenue: F = 20,000 of X = 150,000 (no shortfall): 4% × (150,000 − 20,000) + 6% × 20,000 = 5,200 + 1,200
    assert flat(BB_KA_SERIES(200000.0, 150000.0, 20000.0)) == [6400.0]


def test_ka_series_error_breaks_the_chain_with_a_reason():
    got = flat(BB_KA_SERIES(200000.0, col(70000.0, "abc", 90000.0), 0.0))
    assert got[0] == 0.0 and is_error(got[1]) and "第 2 行" in got[2]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 400_000), st.integers(0, 50_000), st.sampled_from(["0.8", "1", "1.15"])), min_size=1, max_size=6))
def test_ka_series_equals_the_rules_quarter_chain(quarters):
    params, state, expected = KAParams.from_policy(default_policy()), KAState(), []
    for i, (x, f, k) in enumerate(quarters):
        f = min(f, x)
        lines, state = quarter(state, QuarterInput("E1", f"Q{i}", D(200000), D(x), D(f), D(f), D(k)), params)
        expected.append(float(sum((l.amount for l in lines if l.item_code == "KA" and l.status == PAID), D(0))))
    got = flat(BB_KA_SERIES(200000.0, col(*[float(x) for x, _, _ in quarters]),
                            col(*[float(min(f, x)) for x, f, _ in quarters]), None, col(*[float(k) for _, _, k in quarters])))
    assert got == expected


# ---- KP (POLICY §7): quantitative min(actual/target, 120%) × 100; S = Σ w × score; k = S / 100
KPI_ROWS = dict(
    weight=col(0.3, 0.25, 0.2, 0.15, 0.1),
    kind=col("quantitative", "quantitative", "qualitative", "quantitative ", "qualitative"),
    target=col(100.0, 10.0, None, 1.0, None), actual=col(130.0, 8.0, None, 1.1, None), score=col(None, None, 90.0, None, 110.0),
)


def test_kpi_score_and_coefficient():
    # 0.3 × 120 (130/100 capped at 120%) + 0.25 × 80 + 0.2 × 90 + 0.15 × 110 + 0.1 × 110 = 36 + 20 + 18 + 16.5 + 11 = 101.5
    assert flat(BB_KPI_SCORE(None, **KPI_ROWS)) == [101.5] * 5
    assert flat(BB_KPI_COEF(None, **KPI_ROWS)) == [1.015] * 5
    # with kp_table = kp_coefficient: S 101.5 is in [100, 110) → 1.1
    assert flat(BB_KPI_COEF(None, **KPI_ROWS, policy=[["kp_table", "kp_coefficient", None]])) == [1.1] * 5


def test_kpi_groups_by_employee_and_explains_a_bad_group():
    got = flat(BB_KPI_COEF(col("E1", "E1", "E2", "E2"), col(0.5, 0.5, 0.5, 0.4), col(*["qualitative"] * 4), None, None,
                           col(100.0, 80.0, 100.0, 100.0)))
    assert got[:2] == [0.9, 0.9]  # E1: 0.5 × 100 + 0.5 × 80 = 90 → 0.9
    assert is_error(got[2]) and got[2] == got[3] and "90%" in got[2]  # E2's weights add up to 90%


@settings(max_examples=30, deadline=None)
@given(st.lists(st.lists(st.tuples(st.integers(1, 60), st.booleans(), st.integers(1, 200), st.integers(0, 250), st.integers(0, 120)),
                         min_size=1, max_size=4), min_size=1, max_size=3))
def test_kpi_udf_equals_rule(people):
    rows = []
    for e, indicators in enumerate(people):
        weights = [w for w, *_ in indicators]
        shares = [D(w) * 100 // sum(weights) for w in weights]
        shares[-1] += 100 - sum(shares)  # whole percents adding up to exactly 100%
        for j, ((_, quant, target, actual, score), share) in enumerate(zip(indicators, shares)):
            rows.append({"employee_id": f"E{e}", "period": "2026Q3", "indicator": f"I{j}", "weight": f"{share}%",
                         "kind": "quantitative" if quant else "qualitative", "target": target if quant else None,
                         "actual": actual if quant else None, "score": None if quant else score})
    book = book_from(Employees=[emp(f"E{e}") for e in range(len(people))], KPI=rows)
    results, probs = kpi.coefficients(book)
    assert not probs
    got = flat(BB_KPI_COEF(col(*[r["employee_id"] for r in rows]), col(*[float(D(r["weight"][:-1]) / 100) for r in rows]),
                           col(*[r["kind"] for r in rows]), col(*[r["target"] and float(r["target"]) for r in rows]),
                           col(*[r["actual"] if r["actual"] is None else float(r["actual"]) for r in rows]),
                           col(*[r["score"] if r["score"] is None else float(r["score"]) for r in rows])))
    assert got == [float(results[r["employee_id"]].k) for r in rows]


# ---- KC (POLICY §8): (100 × units + 50 × channel) × sales coefficient × CSS coefficient
def test_kc_pay():
    got = flat(BB_KC_PAY(col(10.0, 1.0, 0.0, 3.0, -1.0, 4.0), col(2.0, None, 0.0, 0.0, 0.0, 1.0), col(991.0, 939.0, None, None, 950.0, 990.99)))
    assert got[0] == 1584.0  # 12 in total → A 1.2; (1,000 + 100) × 1.2 × CSS 991 → 1.2
    assert got[1] == 36.0  # 1 → E 0.6; 100 × 0.6 × CSS 939 → lowest band 0.6
    assert got[2] == 0.0  # no vehicles: nothing, whatever the CSS
    assert "CSS" in got[3] and "负数" in got[4]
    assert got[5] == 495.0  # 5 → C 1.0; (400 + 50) × 1.0 × CSS 990.99 in [981, 991) → 1.1


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 14), st.integers(0, 4), st.integers(900, 1000)), min_size=1, max_size=3))
def test_kc_udf_equals_rule(months):
    units = [{"employee_id": "E1", "month": f"2026-0{7 + i}", "units": u, "channel_units": c, "css": s} for i, (u, c, s) in enumerate(months)]
    book = book_from(Employees=[emp("E1")], Units=units)
    lines, probs = unit_commission.compute(book)
    assert not probs
    by_month = {l.month: float(l.amount) for l in lines}
    got = flat(BB_KC_PAY(col(*[float(u) for u, _, _ in months]), col(*[float(c) for _, c, _ in months]), col(*[float(s) for *_, s in months])))
    assert got == [by_month[f"2026-0{7 + i}"] for i in range(len(months))]


# ---- GR (POLICY §13, Example thresholds for 初级: 大专, 1 year, junior exam, 5 new clients, 500,000, 85%)
HEAD = ["学历 (education)", "客户经理年限 (years_as_cm)", "通过考试等级 (exam_level)", "新客户数 (new_clients)",
        "年销售额 (annual_sales)", "满意度 (satisfaction)", "申请等级 (applied_level)"]


def test_grade_check_passes_lists_failures_and_explains_bad_rows():
    m = [HEAD, ["本科", 2.0, "初级", 6.0, 600000.0, 0.9, "初级"], ["高中/中专", 0.5, "无", 5.0, 500000.0, 0.85, None],
         [None] * 7, ["本科 ", 2.0, "初级", -1.0, 600000.0, 0.9, "初级"]]
    got = flat(BB_GRADE_CHECK("初级", m))
    assert got[0] == "符合"
    assert got[1] == "不符合：学历、客户经理年限、专业知识考试"  # 高中/中专 < 大专, 0.5 < 1 year, no exam
    assert got[2] == "" and is_error(got[3]) and "负数" in got[3]
    assert is_error(flat(BB_GRADE_CHECK(None, m))[1])  # no level given and no applied level on that row
    assert "表头" in BB_GRADE_CHECK("初级", [[1, 2], [3, 4]])[0][0]


@settings(max_examples=30, deadline=None)
@given(st.sampled_from(["高中/中专", "大专", "本科"]), st.integers(0, 4), st.sampled_from(["无", "初级", "中级"]),
       st.integers(0, 10), st.integers(0, 3_000_000), st.integers(60, 100), st.sampled_from(["初级", "中级"]))
def test_grade_check_equals_the_review(edu, years, exam, new, sales, sat, applied):
    row = {"employee_id": "E1", "year": 2025, "applied_level": applied, "education": edu, "years_as_cm": years,
           "years_in_grade": years, "exam_level": exam, "new_clients": new, "prior_avg_new_clients": 4,
           "annual_sales": sales, "prior_year_sales": 1_000_000, "satisfaction": f"{sat}%", "complaint_rate": "2%", "key_clients": 2}
    current = "初级" if applied == "中级" else None  # an application one level above the current grade
    book = book_from("2025Q4", Employees=[emp("E1", grade=current)], GradeReview=[row])
    (outcome,) = grades.review(book, dt.date(2026, 1, 31))
    head = ["现等级 (current_grade)"] + list(row)  # the bare keys are accepted headers too
    values = [current] + [float(v) if isinstance(v, int) else v for v in row.values()]
    (got,), = BB_GRADE_CHECK(applied, [head, values])
    if outcome.applied_eligible:
        assert got == "符合"
    else:
        assert got == "不符合：" + "、".join(CRITERION_ZH[k] for k in outcome.failed_criteria)
