"""KC, SC, AC, PP and SB (POLICY §8–§12), worked by hand, with the boundaries of every table."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import book_from, deal, emp
from workbook import problems as P
from workbook.lines import PAID, RECORDED
from workbook.outputs import coefficients_table
from workbook.policy import default_policy
from workbook.rules import active_rules, campaign, pool, salary_bands, scorecard, unit_commission

POL = default_policy()


def paid(lines, item=None):
    """Paid amount per (employee, item, month), summed."""
    out: dict[tuple, D] = {}
    for ln in lines:
        if ln.status == PAID and (item is None or ln.item_code == item):
            key = (ln.employee_id, ln.item_code, ln.month)
            out[key] = out.get(key, D(0)) + ln.amount
    return out


# ---------------------------------------------------------------- KC

@pytest.mark.parametrize("css,coef", [("0", "0.6"), ("939", "0.6"), ("939.5", "0.6"), ("940", "0.8"), ("959.99", "0.8"), ("960", "1.0"),
                                      ("980", "1.0"), ("980.5", "1.0"), ("981", "1.1"), ("990", "1.1"), ("990.99", "1.1"), ("991", "1.2"), ("1000", "1.2")])
def test_kc_css_bands(css, coef):
    up = unit_commission.unit_pay(4, 0, D(css), POL.tier("kc_sales_coefficient"), POL.tier("kc_css_coefficient"))
    assert up.css_band.value == D(coef)
    # 4 units → 400 × 1.0 × CSS coefficient
    assert up.amount == D(400) * D(coef)


@pytest.mark.parametrize("units,coef", [(0, "0"), (1, "0.6"), (2, "0.8"), (3, "0.8"), (4, "1.0"), (5, "1.0"), (6, "1.1"), (9, "1.1"), (10, "1.2"), (25, "1.2")])
def test_kc_sales_bands(units, coef):
    up = unit_commission.unit_pay(units, 0, D(960), POL.tier("kc_sales_coefficient"), POL.tier("kc_css_coefficient"))
    assert up.sales_band.value == D(coef)
    assert up.amount == D(100) * units * D(coef)  # CSS 960 → 1.0


def kc_book(rows, **kw):
    return book_from("2026Q3", Employees=[emp("E1"), emp("E2")], Units=rows, **kw)


def test_kc_book_months_and_channel_units():
    rows = [
        # 5 direct + 2 channel = 7 units (6–9 → 1.1): 5 × 100 + 2 × 50 = 600; CSS 985 → 1.1: 600 × 1.1 × 1.1 = 726.00
        {"employee_id": "E1", "month": "2026-07", "units": "5", "channel_units": "2", "css": "985"},
        # 1 unit → 0.6; CSS 939 → 0.6: 100 × 0.6 × 0.6 = 36.00
        {"employee_id": "E1", "month": "2026-08", "units": "1", "css": "939"},
        # nothing sold: a recorded line, no money, CSS not needed
        {"employee_id": "E1", "month": "2026-09", "units": "0"},
        # outside the quarter: ignored
        {"employee_id": "E2", "month": "2026-06", "units": "10", "css": "999"},
    ]
    book = kc_book(rows)
    assert unit_commission.check(book) == []
    lines, probs = unit_commission.compute(book)
    assert probs == []
    assert paid(lines) == {("E1", "KC", "2026-07"): D("726.00"), ("E1", "KC", "2026-08"): D("36.00")}
    assert [ln.month for ln in lines if ln.status == RECORDED] == ["2026-09"]
    assert "5 × 100 + 渠道台次 2 × 50 = 600" in lines[0].basis and "CSS 985" in lines[0].basis


def test_kc_missing_css_is_an_error():
    book = kc_book([{"employee_id": "E1", "month": "2026-07", "units": "3"}, {"employee_id": "E1", "month": "2026-08", "units": "-1", "css": "960"}])
    got = {(p.cell, p.column) for p in unit_commission.check(book)}
    assert got == {("E2", "css"), ("C3", "units")}


def test_kc_coefficients_on_the_coefficients_sheet():
    book = kc_book([{"employee_id": "E1", "month": "2026-07", "units": "6", "css": "940"}])
    header, rows = coefficients_table(book)
    got = [(r[4], r[9]) for r in rows]
    assert got == [("2026-07 销售系数", D("1.1")), ("2026-07 CSS 系数", D("0.8"))]


def test_components_setting_switches_rules():
    book = kc_book([{"employee_id": "E1", "month": "2026-07", "units": "6", "css": "940"}], components=("KC",))
    assert [r.code for r in active_rules(book)] == ["KC"]
    off = kc_book([{"employee_id": "E1", "month": "2026-07", "units": "6", "css": "940"}], components=("NC",))
    assert "KC" not in [r.code for r in active_rules(off)]


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 60), st.integers(0, 20), st.decimals(min_value=0, max_value=1100, places=2))
def test_property_kc_coefficients_within_declared_ranges(units, channel, css):
    sales, css_table = POL.tier("kc_sales_coefficient"), POL.tier("kc_css_coefficient")
    up = unit_commission.unit_pay(units, channel, css, sales, css_table)
    assert D(0) <= up.sales_band.value <= D("1.2")
    assert up.css_band is None or D("0.6") <= up.css_band.value <= D("1.2")
    assert up.amount >= 0
    more = unit_commission.unit_pay(units + 1, channel, css, sales, css_table)
    assert more.amount >= up.amount  # one more vehicle never lowers the pay


# ---------------------------------------------------------------- SC

def sc_row(**kw):
    base = {"employee_id": "E1", "month": "2026-07", "sales_completion": "100%", "push_completion": "130%", "collection_completion": "90%",
            "new_clients": "1", "leads": "3", "admin_score": "95"}
    base.update(kw)
    return base


def test_sc_worked_month():
    """Performance pay 5,000. A = mean(100%, 130% → 120%) = 110%; B = mean(90%, (50 + 3 × 10) / 100 = 0.8,
    95 / 100 = 0.95) = 2.65 / 3. A-bonus = 5,000 × 60% × 1.1 = 3,300; B-bonus = 5,000 × 40% × 2.65 / 3
    = 1,766.666…; total 5,066.67."""
    book = book_from("2026Q3", Employees=[emp("E1", performance_bonus="5000")], Scorecard=[sc_row()])
    assert scorecard.check(book) == []
    lines, _ = scorecard.compute(book)
    assert paid(lines) == {("E1", "SC", "2026-07"): D("5066.67")}
    assert "A 类 = 平均(销售任务 100%，主推 120%) = 110%" in lines[0].basis


@pytest.mark.parametrize("kw,a,b", [
    ({"sales_completion": "120%", "push_completion": "120%"}, "1.2", None),  # exactly the cap
    ({"new_clients": "2", "leads": "5"}, None, (D("0.9") + D("1.2") + D("0.95")) / 3),  # 150 points → 1.5 → capped 1.2
    ({"new_clients": "0", "leads": "5"}, None, (D("0.9") + D("0.5") + D("0.95")) / 3),  # the 5-lead task → 0.5
    ({"admin_score": "130"}, None, (D("0.9") + D("0.8") + D("1.2")) / 3),  # admin capped at 1.2
])
def test_sc_caps(kw, a, b):
    r = sc_row(**kw)
    res = scorecard.score(*(D(r[k].rstrip("%")) / (100 if r[k].endswith("%") else 1) for k in ("sales_completion", "push_completion", "collection_completion")),
                          int(r["new_clients"]), int(r["leads"]), D(r["admin_score"]), D(1000))
    if a is not None:
        assert res.a_score == D(a) and res.a_bonus == D(1000) * D("0.6") * D(a)
    if b is not None:
        assert res.b_score == b


def test_sc_all_zero_and_errors():
    res = scorecard.score(D(0), D(0), D(0), 0, 0, D(0), D(5000))
    assert res.amount == 0
    book = book_from("2026Q3", Employees=[emp("E1", performance_bonus=None)], Scorecard=[sc_row(leads="-1")])
    got = {(p.sheet, p.column) for p in scorecard.check(book)}
    assert got == {("Employees", "performance_bonus"), ("Scorecard", "leads")}


# ---------------------------------------------------------------- AC

AC_PARAMS = {"ac_start": dt.date(2026, 1, 1), "ac_end": dt.date(2026, 6, 30), "ac_min_margin": D("0.15"),
             "ac_ds_monthly_sales": D(200000), "ac_ds_margin": D("0.15")}
AC_EMPS = [emp("K1", department="大客户部"), emp("K2", department="大客户部"), emp("K3", department="大客户部"),
           emp("K4", department="大客户部"), emp("K5", department="大客户部"), emp("M1", department="市场部"),
           emp("S1", department="直营部"), emp("O1", department="其他部")]
AC_CLIENTS = [{"client_id": c, "name": c} for c in "ABCDE"] + [{"client_id": "Z", "name": "老客户", "first_deal_date": "2025-01-01"}]


def gm(amount: int, pct: int = 20) -> str:
    return str(amount * pct // 100)


AC_DEALS = [
    # A (K1, 大客户部, 50,000): Jan 60,000, Feb 50,000, Mar 40,000 → avg 50,000, margin 20% → stages 1 and 2 in March
    deal("A1", "A", "K1", "2026-01-10", "60000", gross_margin=gm(60000)),
    deal("A2", "A", "K1", "2026-02-10", "50000", gross_margin=gm(50000)),
    deal("A3", "A", "K1", "2026-03-10", "40000", gross_margin=gm(40000)),
    # B (K2 60% / K1 40% on the first deal → K2 responsible): Feb 30,000, Mar 30,000, Apr 90,000 → avg 50,000 → both stages in April
    deal("B1", "B", "K2", "2026-02-15", "30000", "60%", gross_margin=gm(30000)),
    deal("B1", "B", "K1", "2026-02-15", "30000", "40%", gross_margin=gm(30000)),
    deal("B2", "B", "K2", "2026-03-15", "30000", gross_margin=gm(30000)),
    deal("B3", "B", "K2", "2026-04-15", "90000", gross_margin=gm(90000)),
    # C (M1, 市场部, 30,000): Jan 10,000, Feb 20,000, Mar 30,000 (avg 20,000: no stage 1), Apr 40,000 → Feb–Apr avg 30,000 → stage 2 in April
    deal("C1", "C", "M1", "2026-01-05", "10000", gross_margin=gm(10000)),
    deal("C2", "C", "M1", "2026-02-05", "20000", gross_margin=gm(20000)),
    deal("C3", "C", "M1", "2026-03-05", "30000", gross_margin=gm(30000)),
    deal("C4", "C", "M1", "2026-04-05", "40000", gross_margin=gm(40000)),
    # D (K1): 100,000 a month at 10% margin < 15% → never qualifies
    *[deal(f"D{m}", "D", "K1", f"2026-0{m}-01", "100000", gross_margin=gm(100000, 10)) for m in (3, 4, 5)],
    # S1 (直营部): Feb 150,000 + 60,000 = 210,000 at 15% → 3,000 once (March also reaches it: no second award)
    deal("S1", "Z", "S1", "2026-02-01", "150000", gross_margin=gm(150000, 15)),
    deal("S2", "Z", "S1", "2026-02-20", "60000", gross_margin=gm(60000, 15)),
    deal("S3", "Z", "S1", "2026-03-20", "250000", gross_margin=gm(250000, 15)),
    # K3: 100,000 in the window with an old client; K4: 130,000; K5: 10,000 and no targets
    deal("K3", "Z", "K3", "2026-05-01", "100000", gross_margin="1"),
    deal("K4", "Z", "K4", "2026-05-01", "130000", gross_margin="1"),
    deal("K5", "Z", "K5", "2026-05-01", "10000", gross_margin="1"),
]
AC_TARGETS = [{"employee_id": e, "period": p, "target": "100000"} for e in ("K3", "K4") for p in ("2026Q1", "2026Q2")]


def ac_book(period, deals=AC_DEALS, params=None):
    return book_from(period, params={**AC_PARAMS, **(params or {})}, Employees=AC_EMPS, Clients=AC_CLIENTS, Deals=list(deals),
                     Targets=AC_TARGETS, components=("AC",))


def test_ac_first_quarter():
    book = ac_book("2026Q1")
    assert campaign.check(book) == []
    lines, _ = campaign.compute(book)
    # A: 1,000 + 2,000 qualified in March; S1: 3,000 in February; no penalty before the campaign ends
    assert sorted(paid(lines).items()) == [(("K1", "AC", "2026-03"), D(3000)), (("S1", "AC", "2026-02"), D(3000))]
    assert sorted(ln.amount for ln in lines if ln.employee_id == "K1") == [D(1000), D(2000)]


def test_ac_second_quarter_with_penalties():
    lines, _ = campaign.compute(ac_book("2026Q2"))
    got = sorted((ln.employee_id, ln.item_code, ln.amount) for ln in lines)
    # B: 1,000 + 2,000 to K2 (April); C: stage 2 only, 2,000 to M1 (April); A and S1 were paid in Q1.
    # Penalty at the end (June): K3 sales 100,000 < 60% × task 200,000 = 120,000 → −500; K4 130,000 ≥ 120,000 → waived;
    # K5 no task → −500; K1 (A qualified), K2 (B), M1 (C) have qualifying clients; S1 and O1 are not in scope.
    assert got == [("K2", "AC", D(1000)), ("K2", "AC", D(2000)), ("K3", "AC_PEN", D(-500)), ("K5", "AC_PEN", D(-500)), ("M1", "AC", D(2000))]
    pen = next(ln for ln in lines if ln.employee_id == "K3")
    assert "未达任务 200,000 的 60%" in pen.basis and pen.month == "2026-06"


def test_ac_no_penalty_for_someone_hired_after_the_start():
    emps = [dict(e, hire_date="2026-02-01") if e["employee_id"] == "K5" else e for e in AC_EMPS]
    book = book_from("2026Q2", params=AC_PARAMS, Employees=emps, Clients=AC_CLIENTS, Deals=AC_DEALS, Targets=AC_TARGETS, components=("AC",))
    lines, _ = campaign.compute(book)
    assert [ln.employee_id for ln in lines if ln.item_code == "AC_PEN"] == ["K3"]


def test_ac_stage1_threshold_boundary():
    # A's first three months at 149,999 in total: avg 49,999.67 < 50,000 → no stage 1 and (no later months) no stage 2
    deals = [d for d in AC_DEALS if d["client_id"] != "A"] + [
        deal("A1", "A", "K1", "2026-01-10", "60000", gross_margin=gm(60000)),
        deal("A2", "A", "K1", "2026-02-10", "50000", gross_margin=gm(50000)),
        deal("A3", "A", "K1", "2026-03-10", "39999", gross_margin="8000")]
    lines, _ = campaign.compute(ac_book("2026Q1", deals))
    assert [ln.employee_id for ln in lines] == ["S1"]


def test_ac_core_product_share():
    # With 耗材 excluded, A's February is 50,000 of which 30,000 耗材: core 20,000 < 50% → Jan–Mar fails; Feb–Apr no sales → nothing
    deals = [dict(d, product="耗材") if d["deal_id"] == "A2" else d for d in AC_DEALS]
    lines, _ = campaign.compute(ac_book("2026Q1", deals, {"ac_ka_excluded_products": "耗材"}))
    assert [ln.employee_id for ln in lines] == ["S1"]
    # exactly 50% core in February (25,000 耗材 + 25,000 other) passes
    split = [d for d in AC_DEALS if d["deal_id"] != "A2"] + [deal("A2", "A", "K1", "2026-02-10", "25000", gross_margin="5000", product="耗材"),
                                                             deal("A2b", "A", "K1", "2026-02-11", "25000", gross_margin="5000", product="其他")]
    lines, _ = campaign.compute(ac_book("2026Q1", split, {"ac_ka_excluded_products": "耗材"}))
    assert sorted(ln.amount for ln in lines if ln.employee_id == "K1") == [D(1000), D(2000)]


def test_ac_market_series_only():
    # 市场部 counts only X系列: C's April 40,000 is another series → Feb–Apr avg (20,000 + 30,000) / 3 < 30,000: no award to M1
    deals = [dict(d, product="X系列") if d["client_id"] == "C" and d["deal_id"] != "C4" else d for d in AC_DEALS]
    lines, _ = campaign.compute(ac_book("2026Q2", deals, {"ac_mk_series": "X系列"}))
    assert not [ln for ln in lines if ln.employee_id == "M1" and ln.item_code == "AC"]
    # and now M1 has no qualifying client: penalised (no targets)
    assert [ln.amount for ln in lines if ln.employee_id == "M1"] == [D(-500)]


def test_ac_outside_campaign_and_errors():
    assert campaign.compute(ac_book("2027Q1")) == ([], [])
    no_margin = [dict(d, gross_margin=None) if d["deal_id"] == "A2" else d for d in AC_DEALS]
    assert [p.column for p in campaign.check(ac_book("2026Q1", no_margin))] == ["gross_margin"]
    bad = ac_book("2026Q1", params={"ac_end": dt.date(2025, 12, 31)})
    assert [p.column for p in campaign.check(bad)] == ["ac_end"]
    off = ac_book("2026Q1", params={"ac_start": None, "ac_end": None})
    assert campaign.check(off) == [] and campaign.compute(off) == ([], [])


# ---------------------------------------------------------------- PP

def test_pp_worked_split():
    """Budget 10,000. E1 优秀, 3.5 years → 3 full years → 1.06 → 1.5 × 1.06 = 1.59; E2 良好, 12 years → capped 10 → 1.2;
    E3 合格, 0 → 0.7. Σ = 3.49. Fen: 455,587.39…, 343,839.54…, 200,573.07… → floors 4,555.87 + 3,438.39 + 2,005.73
    = 9,999.99; the last fen goes to the largest remainder (E2, .5415) → 3,438.40."""
    ratings = [{"employee_id": "E1", "year": "2026", "rating": "优秀", "tenure_years": "3.5"},
               {"employee_id": "E2", "year": "2026", "rating": "良好", "tenure_years": "12"},
               {"employee_id": "E3", "year": "2026", "rating": "合格", "tenure_years": "0"},
               {"employee_id": "E3", "year": "2025", "rating": "优秀", "tenure_years": "0"}]
    book = book_from("2026Q4", params={"pp_budget": D(10000)}, Employees=[emp("E1"), emp("E2"), emp("E3")], Ratings=ratings)
    assert pool.check(book) == []
    lines, _ = pool.compute(book)
    assert {ln.employee_id: ln.amount for ln in lines} == {"E1": D("4555.87"), "E2": D("3438.40"), "E3": D("2005.73")}
    assert sum(ln.amount for ln in lines) == D(10000)
    assert pool.compute(book_from("2026Q3", params={"pp_budget": D(10000)}, Employees=[emp("E1")], Ratings=ratings[:1])) == ([], [])


def test_pp_needs_a_budget():
    ratings = [{"employee_id": "E1", "year": "2026", "rating": "优秀", "tenure_years": "-1"}]
    book = book_from("2026Q4", Employees=[emp("E1")], Ratings=ratings)
    assert {p.column for p in pool.check(book)} == {"pp_budget", "tenure_years"}


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 10**9), st.lists(st.tuples(st.sampled_from(["优秀", "良好", "合格"]), st.decimals(0, 40, places=1)), min_size=1, max_size=30))
def test_property_pp_parts_add_up_to_pool(fen, people):
    budget = D(fen) / 100
    shares = pool.split_pool(budget, [(f"E{i}", r, t) for i, (r, t) in enumerate(people)],
                             {"优秀": D("1.5"), "良好": D("1.0"), "合格": D("0.7")}, D("0.02"), 10)
    assert sum((s.amount for s in shares), D(0)) == budget
    assert all(s.amount >= 0 for s in shares)
    assert all(D(1) <= s.tenure_factor <= D("1.2") for s in shares)  # declared range: 1 .. 1 + 2% × 10


# ---------------------------------------------------------------- SB

@pytest.mark.parametrize("grade,base,rate,flagged", [
    ("初级", "5000", "3%", set()), ("初级", "8000", "5%", set()), ("初级", "4999.99", "3%", {"base_salary"}),
    ("初级", "8000.01", "5.01%", {"base_salary", "commission_rate"}), ("初级", "6000", "2.99%", {"commission_rate"}),
    ("中级", "8000", "8%", set()), ("中级", "12000.01", "5%", {"base_salary"}), ("高级", "20000", "12%", set()),
    ("高级", "11999", "12.5%", {"base_salary", "commission_rate"}), (" 高级 ", "12000", "8%", set()),
    ("", "1", "50%", set()), ("专家", "1", "50%", set()), ("初级", None, None, set()),
])
def test_sb_bands(grade, base, rate, flagged):
    book = book_from("2026Q3", Employees=[emp("E1", grade=grade, base_salary=base, commission_rate=rate)])
    probs = salary_bands.check(book)
    assert {p.column for p in probs} == flagged
    assert all(p.severity == P.WARNING and p.sheet == "Employees" for p in probs)
    assert salary_bands.compute(book) == ([], [])
