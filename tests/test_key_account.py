"""KA (POLICY §6): the pure quarter rule, worked by hand, and the same rule read from a book.

Defaults throughout: r = 4%, β = 50%, D = 600, C = 300,000, flat rate 6%,
payout factor 80% + 20% × k.
"""
from __future__ import annotations

import json
from decimal import Decimal as D

from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import book_from, deal, emp
from workbook import problems as P
from workbook.lines import PAID, RECORDED
from workbook.rules import key_account as ka
from workbook.rules.ka_state import KAState, QuarterInput, Shortfall

PARAMS = ka.KAParams()


def q(period: str, counting, target="200000", flat_counting="0", flat_all="0", k="1", new_hire=False, fw="6000") -> QuarterInput:
    return QuarterInput("E1", period, D(target), D(counting), D(flat_counting), D(flat_all), D(k), new_hire,
                        D(fw) if fw is not None else None, "2026-04")


def amounts(lines) -> dict[str, D]:
    """Paid amount per item code (recorded lines count as 0)."""
    out: dict[str, D] = {}
    for ln in lines:
        out[ln.item_code] = out.get(ln.item_code, D(0)) + (ln.amount if ln.status == PAID else D(0))
    return out


# ---------------------------------------------------------------- POLICY §6 worked example

def test_policy_worked_example_four_quarters():
    """T = 200,000 each quarter (B = 100,000), software only, k = 1."""
    state = KAState()
    # Q1: X = 70,000 < B: shortfall 30,000 opened, −600, floating wage withheld, commission 0
    s1, state = ka.settle(state, q("2026Q1", "70000"), PARAMS)
    assert s1.case == "below_base" and s1.payout == 0 and s1.deduction == 600 and not s1.floating_wage_paid
    assert state == KAState((Shortfall("2026Q1", D(100000), D(0), D(30000)),), D(0))
    # Q2: X = 150,000: surplus 50,000 clears Q1 (back-pay 4% × 100,000 = 4,000); L = 20,000;
    # A = 120,000 → 4% × 120,000 = 4,800; total 8,800; floating wage withheld (120,000 < 200,000)
    s2, state = ka.settle(state, q("2026Q2", "150000"), PARAMS)
    assert (s2.surplus, s2.L, s2.A, s2.back_pay, s2.task) == (D(50000), D(20000), D(120000), D(4000), D(4800))
    assert s2.payout == D(8800) and not s2.floating_wage_paid
    assert state == KAState()
    # Q3: X = 260,000: L = 160,000, A = 260,000 > T and X < 300,000 → A = 200,000, carry 60,000;
    # 4% × 200,000 = 8,000; floating wage paid (B + L = 260,000 ≥ T)
    s3, state = ka.settle(state, q("2026Q3", "260000"), PARAMS)
    assert (s3.L, s3.A, s3.carry, s3.payout, s3.floating_wage_paid) == (D(160000), D(200000), D(60000), D(8000), True)
    assert state == KAState((), D(60000))
    # Q4: X = 90,000 + 60,000 = 150,000: L = 50,000, A = 150,000 → 6,000; floating wage withheld
    s4, state = ka.settle(state, q("2026Q4", "90000"), PARAMS)
    assert (s4.X, s4.L, s4.A, s4.payout, s4.floating_wage_paid) == (D(150000), D(50000), D(150000), D(6000), False)
    assert state == KAState()


def test_worked_example_lines_and_explanation():
    lines, state = ka.quarter(KAState((Shortfall("2026Q1", D(100000), D(0), D(30000)),)), q("2026Q2", "150000"), PARAMS)
    got = amounts(lines)
    assert got == {"KA": D("8800.00"), "KA_FW": D(0)}
    ka_line = next(ln for ln in lines if ln.item_code == "KA")
    for text in ("X = 本季计入任务 150,000 + 上季结转 0 = 150,000", "T = 200,000", "B = 50% × T = 100,000",
                 "2026Q1 补 30,000 已补足，补发 4% × (B_k − F_k) = 4,000", "L = 20,000", "A = B + L = 120,000",
                 "结转下季 0", "F = 0", "固定比例收入 0 × 6% = 0", "k = 1", "= 8,800.00"):
        assert text in ka_line.basis, text
    fw = next(ln for ln in lines if ln.item_code == "KA_FW")
    assert fw.status == RECORDED and "不发当季浮动工资" in fw.basis


def test_below_base_lines():
    lines, _ = ka.quarter(KAState(), q("2026Q1", "70000"), PARAMS)
    got = {(ln.item_code, ln.status): ln.amount for ln in lines}
    # −600 deduction, commission 0 shown as a recorded line, floating wage withheld
    assert got == {("KA", RECORDED): D(0), ("KA_FW", RECORDED): D(0), ("KA_DED", PAID): D("-600.00")}


# ---------------------------------------------------------------- hand-worked cases of the issue

def test_two_shortfalls_cleared_partly_then_fully():
    """Opening: 2025Q3 missing 40,000 (B 100,000, F 10,000), 2025Q4 missing 30,000 (B 80,000, F 0)."""
    opening = KAState((Shortfall("2025Q3", D(100000), D(10000), D(40000)), Shortfall("2025Q4", D(80000), D(0), D(30000))))
    # 2026Q1, T = 200,000, X = 150,000: surplus 50,000 → 2025Q3 gets 40,000 (closed, back-pay
    # 4% × (100,000 − 10,000) = 3,600), 2025Q4 gets 10,000 (20,000 still missing). L = 0, A = 100,000,
    # task 4% × 100,000 = 4,000; total 7,600.
    s, state = ka.settle(opening, q("2026Q1", "150000"), PARAMS)
    assert [(c.period, c.used, c.closed, c.back_pay) for c in s.cleared] == [
        ("2025Q3", D(40000), True, D(3600)), ("2025Q4", D(10000), False, D(0))]
    assert (s.L, s.A, s.task, s.back_pay, s.payout) == (D(0), D(100000), D(4000), D(3600), D(7600))
    assert state == KAState((Shortfall("2025Q4", D(80000), D(0), D(20000)),))
    # 2026Q2, T = 200,000, X = 130,000: surplus 30,000 → 2025Q4 gets 20,000 (closed, back-pay
    # 4% × 80,000 = 3,200); L = 10,000, A = 110,000 → 4,400; total 7,600.
    s, state = ka.settle(state, q("2026Q2", "130000"), PARAMS)
    assert [(c.period, c.used, c.closed, c.back_pay) for c in s.cleared] == [("2025Q4", D(20000), True, D(3200))]
    assert (s.L, s.A, s.payout) == (D(10000), D(110000), D(7600))
    assert state == KAState()


def test_flat_rate_revenue_reaching_base():
    """Software 80,000 + implementation 40,000 count (X = 120,000 ≥ B = 100,000); maintenance 10,000
    and training 5,000 do not. F = 40,000. L = 20,000, A = 120,000; task 4% × (120,000 − 40,000)
    = 3,200; flat 6% × (40,000 + 10,000 + 5,000) = 3,300; total 6,500."""
    s, state = ka.settle(KAState(), q("2026Q2", "120000", flat_counting="40000", flat_all="55000"), PARAMS)
    assert (s.X, s.A, s.F, s.task, s.flat_commission, s.payout) == (D(120000), D(120000), D(40000), D(3200), D(3300), D(6500))
    assert state == KAState()


def test_flat_rate_revenue_missing_base_then_made_up():
    """Software 50,000 + implementation 30,000 = X 80,000 < B 100,000; maintenance 20,000.
    Task 0; flat still paid: 6% × 50,000 = 3,000; −600; shortfall (B 100,000, F 30,000, 20,000)."""
    s, state = ka.settle(KAState(), q("2026Q1", "80000", flat_counting="30000", flat_all="50000"), PARAMS)
    assert (s.task, s.flat_commission, s.payout, s.deduction) == (D(0), D(3000), D(3000), D(600))
    assert state.shortfalls == (Shortfall("2026Q1", D(100000), D(30000), D(20000)),)
    # Next quarter: software 120,000: surplus 20,000 closes it, back-pay 4% × (100,000 − 30,000)
    # = 2,800; L = 0, A = 100,000 → 4,000; total 6,800.
    s, state = ka.settle(state, q("2026Q2", "120000"), PARAMS)
    assert (s.back_pay, s.task, s.payout) == (D(2800), D(4000), D(6800))
    assert state == KAState()


def test_at_or_above_carry_threshold_no_carry():
    # X = 350,000 ≥ 300,000: A = B + L = 350,000, all commissioned: 14,000; floating wage paid
    s, state = ka.settle(KAState(), q("2026Q2", "350000"), PARAMS)
    assert (s.A, s.carry, s.payout, s.floating_wage_paid) == (D(350000), D(0), D(14000), True)
    assert state == KAState()
    # exactly 300,000 is not below C: 4% × 300,000 = 12,000, nothing carried
    s, state = ka.settle(KAState(), q("2026Q2", "300000"), PARAMS)
    assert (s.A, s.carry, s.payout) == (D(300000), D(0), D(12000))
    # 299,999.99 is below C: A = T = 200,000 → 8,000; 99,999.99 carried
    s, state = ka.settle(KAState(), q("2026Q2", "299999.99"), PARAMS)
    assert (s.A, s.carry, s.payout) == (D(200000), D("99999.99"), D(8000))
    assert state == KAState((), D("99999.99"))


def test_carried_excess_counts_toward_threshold():
    # 250,000 + carried 60,000 = X 310,000 ≥ C: no carry, A = 310,000 → 12,400
    s, state = ka.settle(KAState((), D(60000)), q("2026Q2", "250000"), PARAMS)
    assert (s.X, s.A, s.carry, s.payout) == (D(310000), D(310000), D(0), D(12400))


def test_new_hire_first_quarter():
    """No task: A = X = 40,000 (software 30,000 + implementation 10,000), F = 10,000:
    task 4% × 30,000 = 1,200; flat 6% × 10,000 = 600; 1,800; floating wage paid; no −600, no shortfall."""
    lines, state = ka.quarter(KAState(), q("2026Q2", "40000", flat_counting="10000", flat_all="10000", new_hire=True), PARAMS)
    assert amounts(lines) == {"KA": D("1800.00"), "KA_FW": D("6000.00")}
    assert state == KAState()
    assert "新业务员入职当季不承担任务" in lines[0].basis


def test_kpi_factor_other_than_one():
    # commission 4% × 150,000 = 6,000; k = 0.91 → × (80% + 20% × 0.91) = 98.2% → 5,892.00
    lines, _ = ka.quarter(KAState(), q("2026Q2", "150000", k="0.91"), PARAMS)
    assert amounts(lines)["KA"] == D("5892.00")
    assert "98.2%" in lines[0].basis


def test_state_json_round_trip():
    state = KAState((Shortfall("2025Q4", D("80000"), D("0"), D("20000.50")), Shortfall("2025Q3", D(100000), D(10000), D(1))), D("0.01"))
    text = json.dumps(state.to_dict())
    back = KAState.from_dict(json.loads(text))
    assert [s.period for s in back.shortfalls] == ["2025Q3", "2025Q4"]  # oldest first
    assert back.excess == D("0.01") and back.shortfalls[1].missing == D("20000.50")
    assert json.loads(text)["excess"] == "0.01"


# ---------------------------------------------------------------- from a book

EMPS = [emp("E1", floating_wage="6000", hire_date="2020-01-01"), emp("E2", floating_wage="5000", hire_date="2020-01-01")]
CLIENTS = [{"client_id": "C1", "name": "甲"}, {"client_id": "C2", "name": "乙"}]


def ka_book(period="2026Q2", deals=(), targets=None, **kw):
    targets = targets if targets is not None else [{"employee_id": "E1", "period": period, "target": "200,000"}]
    return book_from(period, Employees=kw.pop("Employees", EMPS), Clients=CLIENTS, Deals=list(deals), Targets=targets, **kw)


def paid(book, item="KA"):
    lines, probs = ka.compute(book)
    assert not P.has_errors(probs), probs
    return {ln.employee_id: ln.amount for ln in lines if ln.item_code == item and ln.status == PAID}


def test_book_line_not_in_crm_is_excluded_and_reported():
    deals = [deal("D1", "C1", "E1", "2026-04-10", "120000", revenue_type="software", in_crm="Y"),
             deal("D2", "C2", "E1", "2026-05-10", "50000", revenue_type="software", in_crm="N")]
    book = ka_book(deals=deals)
    # X = 120,000 (D2 counts for nothing): L = 20,000, A = 120,000 → 4,800
    assert paid(book) == {"E1": D("4800.00")}
    lines, _ = ka.compute(book)
    rec = [ln for ln in lines if ln.status == RECORDED and "D2" in ln.basis]
    assert rec and "未录入 CRM" in rec[0].basis
    warns = [p for p in ka.check(book) if p.column == "in_crm"]
    assert warns and warns[0].severity == P.WARNING and warns[0].cell.endswith("3")


def test_book_blank_in_crm_is_an_error():
    book = ka_book(deals=[deal("D1", "C1", "E1", "2026-04-10", "120000", revenue_type="software")])
    errs = [p for p in ka.check(book) if p.severity == P.ERROR]
    assert [p.column for p in errs] == ["in_crm"]


def test_book_split_deal_and_secondary_dev_margin():
    """D1 200,000 software split E1 60% / E2 40%; D2 secondary_dev 100,000 with margin 30,000 (E1).
    E1: X = 120,000 + 30,000 = 150,000, T 200,000 → A 150,000 → 6,000.
    E2: X = 80,000, T 100,000 (B 50,000) → L 30,000, A 80,000 → 3,200."""
    deals = [deal("D1", "C1", "E1", "2026-04-10", "200000", "60%", revenue_type="software", in_crm="Y"),
             deal("D1", "C1", "E2", "2026-04-10", "200000", "40%", revenue_type="software", in_crm="Y"),
             deal("D2", "C2", "E1", "2026-06-30", "100000", revenue_type="secondary_dev", gross_margin="30000", in_crm="Y"),
             deal("D3", "C2", "E1", "2026-07-01", "999999", revenue_type="software", in_crm="Y")]  # next quarter
    targets = [{"employee_id": "E1", "period": "2026Q2", "target": "200000"}, {"employee_id": "E2", "period": "2026Q2", "target": "100000"},
               {"employee_id": "E1", "period": "2026Q3", "target": "1"}]
    assert paid(ka_book(deals=deals, targets=targets)) == {"E1": D("6000.00"), "E2": D("3200.00")}


def test_book_kpi_coefficient_feeds_ka():
    """S = 30%×90 + 25%×80 + 20%×100 + 15%×120 (150% capped) + 10%×60 = 91 → k = 0.91;
    4% × 150,000 = 6,000 × (80% + 20% × 0.91) = 5,892."""
    kpi = [
        {"employee_id": "E1", "period": "2026Q2", "indicator": "销售额", "weight": "30%", "kind": "quantitative", "target": "100", "actual": "90"},
        {"employee_id": "E1", "period": "2026Q2", "indicator": "新客户开发", "weight": "25%", "kind": "qualitative", "score": "80"},
        {"employee_id": "E1", "period": "2026Q2", "indicator": "客户满意度", "weight": "0.2", "kind": "qualitative", "score": "100"},
        {"employee_id": "E1", "period": "2026Q2", "indicator": "业绩增长率", "weight": "15%", "kind": "quantitative", "target": "10", "actual": "15"},
        {"employee_id": "E1", "period": "2026Q2", "indicator": "客户保持率", "weight": "10%", "kind": "qualitative", "score": "60"},
    ]
    deals = [deal("D1", "C1", "E1", "2026-04-10", "150000", revenue_type="software", in_crm="Y")]
    book = ka_book(deals=deals, KPI=kpi)
    assert paid(book) == {"E1": D("5892.00")}
    assert not [p for p in ka.check(book) if "KPI" in p.message]


def test_book_missing_kpi_uses_parameter_and_warns():
    deals = [deal("D1", "C1", "E1", "2026-04-10", "150000", revenue_type="software", in_crm="Y")]
    book = ka_book(deals=deals, params={"ka_missing_kpi_k": D("0.5")})
    # 6,000 × (80% + 20% × 0.5) = 5,400
    assert paid(book) == {"E1": D("5400.00")}
    assert any(p.severity == P.WARNING and "KPI" in p.message for p in ka.check(book))


def test_book_new_hire_by_hire_date():
    emps = [emp("E1", floating_wage="6000", hire_date="2026-05-10")]
    deals = [deal("D1", "C1", "E1", "2026-05-20", "30000", revenue_type="software", in_crm="Y")]
    book = ka_book(deals=deals, Employees=emps)
    # new hire: A = X = 30,000 → 1,200; floating wage 6,000; no deduction although X < B
    assert paid(book) == {"E1": D("1200.00")}
    assert paid(book, "KA_FW") == {"E1": D("6000.00")}
    assert paid(book, "KA_DED") == {}


def test_book_opening_balances_then_carried_state():
    opening = [{"employee_id": "E1", "kind": "shortfall", "period": "2026Q1", "base": "100000", "flat": "0", "amount": "30000"},
               {"employee_id": "E1", "kind": "excess", "period": "2026Q1", "amount": "10000"}]
    deals = [deal("D1", "C1", "E1", "2026-04-10", "140000", revenue_type="software", in_crm="Y")]
    book = ka_book(deals=deals, OpeningBalances=opening)
    # X = 140,000 + 10,000 = 150,000 → same as the worked example's Q2: 8,800
    assert paid(book) == {"E1": D("8800.00")}
    assert ka.closing_states(book) == {"E1": KAState()}
    # The carried state, when present, wins over the sheet (here: nothing open, nothing carried):
    # X = 140,000, L = 40,000, A = 140,000 → 5,600; and the sheet is reported as unused.
    carried = ka_book(deals=deals, OpeningBalances=opening, carried={"KA": {"E1": KAState().to_dict()}})
    assert paid(carried) == {"E1": D("5600.00")}
    assert any(p.sheet == "OpeningBalances" and p.severity == P.WARNING for p in ka.check(carried))


def test_book_opening_balance_errors():
    opening = [{"employee_id": "E1", "kind": "shortfall", "period": "2026Q1", "amount": "30000"},
               {"employee_id": "E1", "kind": "shortfall", "period": "2026Q2", "base": "10", "amount": "30000"}]
    errs = {(p.column, p.cell) for p in ka.check(ka_book(OpeningBalances=opening)) if p.severity == P.ERROR}
    # row 2: no base; row 3: not before 2026Q2, and missing 30,000 > base 10
    assert errs == {("base", "D2"), ("period", "C3"), ("amount", "F3")}


def test_book_four_quarters_through_carried_json():
    """The worked example again, each quarter a separate book fed the previous closing state as JSON."""
    xs = {"2026Q1": "70000", "2026Q2": "150000", "2026Q3": "260000", "2026Q4": "90000"}
    expected = {"2026Q1": ({}, {"E1": D("-600.00")}), "2026Q2": ({"E1": D("8800.00")}, {}),
                "2026Q3": ({"E1": D("8000.00")}, {}), "2026Q4": ({"E1": D("6000.00")}, {})}
    carried = None
    for period, x in xs.items():
        deals = [deal("D" + period, "C1", "E1", f"{period[:4]}-{3 * int(period[-1]) - 1:02d}-15", x, revenue_type="software", in_crm="Y")]
        book = ka_book(period, deals=deals, carried={"KA": carried} if carried is not None else None)
        assert (paid(book), paid(book, "KA_DED")) == expected[period], period
        carried = json.loads(json.dumps({e: s.to_dict() for e, s in ka.closing_states(book).items()}))
    assert carried == {"E1": {"shortfalls": [], "excess": "0"}}


# ---------------------------------------------------------------- properties

money = st.integers(min_value=0, max_value=600_000).map(D)
shortfall = st.builds(lambda b, m, f: Shortfall("2025Q1", D(b), D(min(f, b)), D(min(m, b) or 1)),
                      st.integers(1, 200_000), st.integers(1, 200_000), st.integers(0, 50_000))


@settings(max_examples=300, deadline=None)
@given(sfs=st.lists(shortfall, max_size=4), excess=money, counting=money, extra=money, target=money,
       k=st.decimals(min_value=0, max_value=D("1.2"), places=4), new_hire=st.booleans())
def test_property_commission_never_negative(sfs, excess, counting, extra, target, k, new_hire):
    flat_counting = min(extra, counting)
    inp = QuarterInput("E1", "2026Q2", target, counting, flat_counting, flat_counting + extra, k, new_hire, D(6000), "2026-07")
    s, closing = ka.settle(KAState(tuple(sfs), excess), inp, PARAMS)
    assert s.payout >= 0 and s.task >= 0 and s.back_pay >= 0
    assert all(x.missing > 0 for x in closing.shortfalls) and closing.excess >= 0
    lines, _ = ka.quarter(KAState(tuple(sfs), excess), inp, PARAMS)
    assert all(ln.amount >= 0 for ln in lines if ln.item_code != "KA_DED")


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 400_000), st.integers(0, 100)), min_size=4, max_size=4))
def test_property_year_without_carry_or_shortfall_pays_rate_times_attainment(quarters):
    """With B ≤ X ≤ T every quarter there is no shortfall and no carry: the year pays Σ 4% × min(X, T)."""
    state, total, expect = KAState(), D(0), D(0)
    for i, (target, pct) in enumerate(quarters, start=1):
        T = D(target)
        X = (T / 2 + T / 2 * D(pct) / 100).quantize(D(1))  # between B and T, whole yuan
        X = max(X, (T / 2).to_integral_value(rounding="ROUND_CEILING"))
        lines, state = ka.quarter(state, q(f"2026Q{i}", X, target=T), PARAMS)
        assert state == KAState()
        total += sum((ln.amount for ln in lines if ln.item_code == "KA" and ln.status == PAID), D(0))
        expect += D("0.04") * min(X, T)
    assert total == expect


# ---------------------------------------------------------------- end to end: template → load_book → calculate

E2E = {
    "Settings": [{"key": "period", "value": "2026Q2"}, {"key": "prepared_by", "value": "张人力"}],
    "Employees": [
        {"employee_id": "E1", "name": "王伟", "department": "大客户部", "hire_date": "2020-03-01", "floating_wage": "6,000"},
        {"employee_id": "E2", "name": "李娜", "department": "大客户部", "hire_date": "2021-03-01", "floating_wage": 5000},
    ],
    "Clients": [{"client_id": "C1", "name": "甲集团", "first_deal_date": "2020-01-01"}],
    "Deals": [
        {"deal_id": "D1", "client_id": "C1", "employee_id": "E1", "share": "60%", "signed_on": "2026-04-10", "amount": "100,000", "revenue_type": "software", "in_crm": "Y"},
        {"deal_id": "D1", "client_id": "C1", "employee_id": "E2", "share": 0.4, "signed_on": "2026-04-10", "amount": "10万", "revenue_type": "software", "in_crm": "是"},
        {"deal_id": "D2", "client_id": "C1", "employee_id": "E1", "share": 1, "signed_on": "2026-05-06", "amount": 50000, "revenue_type": "implementation", "in_crm": "Y"},
        {"deal_id": "D3", "client_id": "C1", "employee_id": "E1", "share": 1, "signed_on": "2026-05-07", "amount": 10000, "revenue_type": "maintenance", "in_crm": "Y"},
        {"deal_id": "D4", "client_id": "C1", "employee_id": "E1", "share": 1, "signed_on": "2026-06-01", "amount": 70000, "revenue_type": "software", "in_crm": "N"},
        {"deal_id": "D5", "client_id": "C1", "employee_id": "E1", "share": 1, "signed_on": "2026-06-20", "amount": 90000, "revenue_type": "secondary_dev", "gross_margin": "40,000", "in_crm": "Y"},
    ],
    "Targets": [{"employee_id": "E1", "period": "2026Q2", "target": "200,000"}, {"employee_id": "E2", "period": "2026q2", "target": 30000}],
    "OpeningBalances": [{"employee_id": "E1", "kind": "shortfall", "period": "2026Q1", "base": 100000, "flat": 0, "amount": 30000}],
    "KPI": [{"employee_id": "E1", "period": "2026Q2", "indicator": "综合评价", "weight": "100%", "kind": "qualitative", "score": 90}],
}


def test_end_to_end_from_filled_template(tmp_path):
    """E1: X = 60,000 (D1 share) + 50,000 (implementation) + 40,000 (D5 margin) = 150,000; D4 not in CRM.
    T 200,000, B 100,000; surplus 50,000 clears 2026Q1's 30,000 (back-pay 4% × 100,000 = 4,000); L 20,000,
    A 120,000, F 50,000 → task 4% × 70,000 = 2,800; flat 6% × (50,000 + 10,000) = 3,600; total 10,400;
    k = 0.9 → × 98% = 10,192.00. Floating wage withheld (120,000 < 200,000).
    E2: X = 40,000, T 30,000, B 15,000, L 25,000, A 40,000 > T and X < 300,000 → A = 30,000 → 1,200
    (no KPI: k = 1), 10,000 carried; floating wage 5,000 paid (40,000 ≥ 30,000)."""
    import openpyxl

    from workbook.flows import calculate_flow
    from workbook.load import load_book
    from workbook.template import build_template, fill_book

    wb = build_template()
    fill_book(wb, E2E)
    path = tmp_path / "ka.xlsx"
    wb.save(path)
    out = tmp_path / "results.xlsx"
    res = calculate_flow(path, out)
    assert res.ok, [p.render() for p in res.errors]
    got = sorted((r.employee_id, r.item_code, r.amount) for r in res.payout if r.item_code.startswith("KA"))
    assert got == [("E1", "KA", D("10192.00")), ("E2", "KA", D("1200.00")), ("E2", "KA_FW", D("5000.00"))]
    warned = {(p.sheet, p.column) for p in res.problems if p.severity == P.WARNING}
    assert any("Deals" in s and c == "in_crm" for s, c in warned) and any("Targets" in s for s, _ in warned)
    book, _ = load_book(path)
    assert {e: s.to_dict() for e, s in ka.closing_states(book).items()} == {
        "E1": {"shortfalls": [], "excess": "0"}, "E2": {"shortfalls": [], "excess": "10000"}}
    results = openpyxl.load_workbook(out, read_only=True)
    coeff = next(results[t] for t in results.sheetnames if "Coefficients" in t)
    rows = [r for r in coeff.iter_rows(values_only=True)]
    assert rows[-1][0] == "E1" and float(rows[-1][9]) == 0.9
