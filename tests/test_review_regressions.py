"""Regressions found by reviewing the rules against POLICY.md.

Each test pins one fault that was fixed: a path that crashed calculate, paid
money where it should have stopped, or paid a wrong amount. Expected amounts are
worked out by hand from POLICY.md; the arithmetic is in the comments.
"""
from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from decimal import Decimal as D
from pathlib import Path

import pytest

from conftest import book_from, claim, client, deal, emp
from workbook import problems as P
from workbook.calculate import compute, payout_rows, validate

ROOT = Path(__file__).resolve().parents[1]


def errors(probs):
    return [p for p in probs if p.severity == P.ERROR]


def warnings(probs):
    return [p for p in probs if p.severity == P.WARNING]


def paid(lines, code=None):
    return {(ln.employee_id, ln.item_code): ln.amount for ln in lines if ln.status == "paid" and (code is None or ln.item_code == code)}


# ---- a blank Policy value is an input error at its cell, never a crash ---------------------------
# Each case: the parameter left blank, and the smallest book that makes a rule read it.
BLANK_CASES = {
    "pn_monthly_cap": dict(Employees=[emp("E1")], Incidents=[{"incident_id": "I1", "employee_id": "E1", "date": "2026-08-05", "kind": "complaint", "severity": "serious"}]),
    "ka_task_rate": dict(Employees=[emp("E1", floating_wage="6000")], Targets=[{"employee_id": "E1", "period": "2026Q3", "target": "200000"}]),
    "kp_quant_cap": dict(Employees=[emp("E1", floating_wage="6000")], Targets=[{"employee_id": "E1", "period": "2026Q3", "target": "200000"}],
                         KPI=[{"employee_id": "E1", "period": "2026Q3", "indicator": "销售额", "weight": "100%", "kind": "quantitative", "target": "100", "actual": "90"}]),
    "kc_unit_rate": dict(Employees=[emp("E1")], Units=[{"employee_id": "E1", "month": "2026-07", "units": "3", "css": "985"}]),
    "sc_a_share": dict(Employees=[emp("E1")], Scorecard=[{"employee_id": "E1", "month": "2026-07", "sales_completion": "100%", "push_completion": "100%",
                                                          "collection_completion": "100%", "new_clients": "1", "leads": "5", "admin_score": "100"}]),
    "nc_claim_workdays": dict(Employees=[emp("E1")], Clients=[client("C1")], Deals=[deal("D1", "C1", "E1", "2026-07-10", "300000")], Claims=[claim("Q1", "E1", "C1")]),
    "nc_table": dict(Employees=[emp("E1")], Clients=[client("C1")], Deals=[deal("D1", "C1", "E1", "2026-07-10", "300000")], Claims=[claim("Q1", "E1", "C1")]),
}


@pytest.mark.parametrize("key", sorted(BLANK_CASES))
def test_blank_policy_value_is_an_error_at_its_cell_not_a_crash(key):
    # Before: validate passed and compute raised TypeError (None × Decimal) or KeyError (tier None).
    sheets = dict(BLANK_CASES[key])
    sheets["Policy"] = [{"key": key, "value": ""}]  # row 2 of the Policy sheet
    book = book_from(params={key: None}, **sheets)
    errs = [p for p in errors(validate(book)) if key in p.message]
    assert errs, f"blank {key} passed validation"
    assert errs[0].sheet == "Policy" and errs[0].cell == "B2"


@pytest.mark.parametrize("key", ["tm_rate", "tm_growth_threshold", "pp_tenure_step"])
def test_blank_annual_policy_value_is_an_error_in_q4(key):
    sheets = dict(Employees=[emp("E1")], Clients=[client("C1")], Deals=[deal("D1", "C1", "E1", "2026-05-01", "1000")],
                  Ratings=[{"employee_id": "E1", "year": "2026", "rating": "优秀", "tenure_years": "3"}])
    book = book_from("2026Q4", params={key: None, "pp_budget": D(1000)}, **sheets)
    assert any(key in p.message for p in errors(validate(book)))


def test_blank_value_of_a_component_not_in_use_does_not_block():
    # KC is not active (no Units rows), so a blank KC rate stops nothing.
    book = book_from(params={"kc_unit_rate": None}, Employees=[emp("E1")],
                     Satisfaction=[{"employee_id": "E1", "period": "2026Q3", "satisfaction": "95%"}])
    assert not errors(validate(book))


def test_blank_values_that_mean_off_are_allowed():
    # ac_start/ac_end both blank: no campaign; nc_scheme_start blank: no start limit.
    book = book_from(params={"ac_start": None, "ac_end": None, "nc_scheme_start": None}, Employees=[emp("E1")], Clients=[client("C1")],
                     Deals=[deal("D1", "C1", "E1", "2026-07-10", "300000")], Claims=[claim("Q1", "E1", "C1")])
    assert not errors(validate(book))
    lines, probs = compute(book)
    # NC: 300,000 is in (100,000, 500,000] → 1,000.
    assert paid(lines, "NC") == {("E1", "NC"): D("1000.00")}


def test_blank_policy_value_end_to_end_names_the_cell_and_never_crashes(tmp_path):
    from workbook.schema import INPUT_BY_KEY
    from workbook.template import build_template, fill_book, save_workbook, sheet_title

    wb = build_template()
    fill_book(wb, {
        "Settings": [{"key": "period", "value": "2026Q3"}, {"key": "company", "value": "测试"}, {"key": "prepared_by", "value": "制表人"}],
        "Employees": [{"employee_id": "E1", "name": "王伟", "department": "销售部", "performance_bonus": 5000}],
        "Incidents": [{"incident_id": "I1", "employee_id": "E1", "date": dt.date(2026, 8, 5), "kind": "complaint", "severity": "serious"}],
    })
    ws = wb[sheet_title(INPUT_BY_KEY["Policy"])]
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(row=r, column=1).value == "pn_monthly_cap")
    ws.cell(row=row, column=2).value = None
    path = tmp_path / "q.xlsx"
    save_workbook(wb, path)
    p = subprocess.run([sys.executable, "-m", "workbook.cli", "calculate", str(path), "--quiet"], capture_output=True, text=True, cwd=ROOT,
                       env={**os.environ, "PYTHONPATH": str(ROOT)})
    out = p.stdout + p.stderr
    assert p.returncode == 1, out
    assert "Traceback" not in out and "内部错误" not in out
    assert f"!B{row}" in out and "pn_monthly_cap" in out


# ---- SA: a Satisfaction row for someone not on Employees is an error, not a payout to nobody -------
def test_satisfaction_row_of_unknown_employee_is_an_error():
    # Before: E9 (a typo for E1) was paid SA 1,000 with a blank name and department.
    book = book_from(Employees=[emp("E1")], Satisfaction=[{"employee_id": "E9", "period": "2026Q3", "satisfaction": "96%"}])
    errs = errors(validate(book))
    assert [(p.sheet, p.cell) for p in errs] == [("Satisfaction", "A2")]
    assert "E9" in errs[0].message


def test_satisfaction_rows_of_other_periods_are_not_checked():
    # History rows of an employee who has left stop nothing this quarter.
    book = book_from(Employees=[emp("E1")], Satisfaction=[{"employee_id": "E9", "period": "2025Q3", "satisfaction": "96%"},
                                                          {"employee_id": "E1", "period": "2026Q3", "satisfaction": "90%"}])
    assert not errors(validate(book))
    lines, _ = compute(book)
    assert paid(lines) == {("E1", "SA"): D("500.00")}  # 90% is in [90%, 95%) → 500


# ---- NC: the additional award of one client is split by largest remainder, like the tier award ----
def test_additional_award_parts_add_up_to_the_clients_award():
    # One deal of 60,000 worked by three people at 33.333% / 33.333% / 33.334%; all three claim.
    # Tier award (nc_award): 60,000 ≤ 100,000 → 500. Credits 19,999.8 / 19,999.8 / 20,000.4.
    #   50,000 fen split: raw 16,666.5 / 16,666.5 / 16,667.0 → floors 16,666 / 16,666 / 16,667 (49,999),
    #   1 fen left → largest remainder .5, tie → the earlier (E1): 166.67 / 166.66 / 166.67 = 500.00.
    # Additional award: first deal 60,000 in (50,000, 100,000] → 200; period total 60,000 < 500,000 → 0; = 200.
    #   20,000 fen split: raw 6,666.6 / 6,666.6 / 6,666.8 → floors 6,666 × 3 (19,998), 2 fen left →
    #   remainders .8 (E3), .6 (E1), .6 (E2) → E3 and E1: 66.67 / 66.66 / 66.67 = 200.00.
    # Before: 200 × share per person, each rounded: 66.67 × 3 = 200.01 (a fen more than the award).
    people = ("E1", "E2", "E3")
    shares = ("33.333%", "33.333%", "33.334%")
    book = book_from(params={"nc_additional_enabled": True}, Employees=[emp(e) for e in people], Clients=[client("C1")],
                     Deals=[deal("D1", "C1", e, "2026-07-10", "60000", s) for e, s in zip(people, shares)],
                     Claims=[claim(f"Q{i}", e, "C1") for i, e in enumerate(people, 1)])
    assert not errors(validate(book))
    lines, probs = compute(book)
    assert not probs
    extra = {ln.employee_id: ln.amount for ln in lines if "追加" in ln.rule}
    assert extra == {"E1": D("66.67"), "E2": D("66.66"), "E3": D("66.67")}
    assert sum(extra.values()) == D("200.00")
    rows = {(r.employee_id, r.item_code): r.amount for r in payout_rows(book, lines)}
    assert rows == {("E1", "NC"): D("233.34"), ("E2", "NC"): D("233.32"), ("E3", "NC"): D("233.34")}  # 166.67+66.67, 166.66+66.66, 166.67+66.67
    assert sum(rows.values()) == D("700.00")


def test_additional_award_on_a_zero_first_deal_pays_nothing_and_does_not_crash():
    # Basis 0: the tier award is 0 (POLICY pays on a positive first deal), and nobody has credit to split by.
    book = book_from(params={"nc_additional_enabled": True}, Employees=[emp("E1")], Clients=[client("C1")],
                     Deals=[deal("D1", "C1", "E1", "2026-07-10", "0")], Claims=[claim("Q1", "E1", "C1")])
    lines, probs = compute(book)
    assert not probs and paid(lines) == {("E1", "NC"): D("0.00")}


# ---- NC: a first_deal_date inside the period with no deal on that date is an input error ----------
def test_first_deal_date_in_period_without_that_deal_is_an_error_at_the_cell():
    # C1 has no deal before the period and first_deal_date 2026-07-05, inside 2026Q3: it is new (POLICY §1),
    # but its first deal (the basis of the award) is not on Deals. Before: the claim was rejected as
    # "不是本期新客户", which is false, and the quarter calculated without a word.
    book = book_from(Employees=[emp("E1")], Clients=[client("C1", first_deal_date="2026-07-05")],
                     Deals=[deal("D1", "C1", "E1", "2026-07-10", "300000")], Claims=[claim("Q1", "E1", "C1")])
    errs = errors(validate(book))
    assert [(p.sheet, p.cell) for p in errs] == [("Clients", "F2")]
    assert "2026-07-05" in errs[0].message


def test_first_deal_date_matching_a_deal_in_period_is_fine():
    # first_deal_date 2026-07-10 = D1's date: C1 is new, basis 300,000 → (100,000, 500,000] → 1,000.
    book = book_from(Employees=[emp("E1")], Clients=[client("C1", first_deal_date="2026-07-10")],
                     Deals=[deal("D1", "C1", "E1", "2026-07-10", "300000")], Claims=[claim("Q1", "E1", "C1")])
    assert not errors(validate(book))
    lines, _ = compute(book)
    assert paid(lines) == {("E1", "NC"): D("1000.00")}


# ---- NC: the claim deadline parameter at 0 or below -------------------------------------------------
@pytest.mark.parametrize("submitted, status", [("2026-09-30", "paid"), ("2026-10-08", "rejected")])
def test_zero_claim_workdays_means_the_period_end_is_the_deadline(submitted, status):
    # 0 working days after 2026-09-30 is 2026-09-30 itself. Before: add_workdays raised ValueError (a crash).
    book = book_from(params={"nc_claim_workdays": 0}, Employees=[emp("E1")], Clients=[client("C1")],
                     Deals=[deal("D1", "C1", "E1", "2026-07-10", "300000")], Claims=[claim("Q1", "E1", "C1", submitted=submitted)])
    assert not errors(validate(book))
    lines, probs = compute(book)
    assert not probs and [ln.status for ln in lines] == [status]


def test_negative_claim_workdays_is_an_error_at_its_cell():
    book = book_from(params={"nc_claim_workdays": -3}, Policy=[{"key": "nc_claim_workdays", "value": "-3"}], Employees=[emp("E1")],
                     Clients=[client("C1")], Deals=[deal("D1", "C1", "E1", "2026-07-10", "300000")], Claims=[claim("Q1", "E1", "C1")])
    errs = errors(validate(book))
    assert [(p.sheet, p.cell) for p in errs] == [("Policy", "B2")]


# ---- KA: a zero quarterly target is not silently a quarter without commission -----------------------
def test_zero_target_warns_at_the_cell():
    # T = 0 → B = 0; X = 100,000 ≥ B, L = 100,000, A = 100,000 > T and X < C = 300,000 → A = T = 0 and
    # the whole 100,000 is carried: task commission 4% × 0 = 0, floating wage paid (B + L ≥ T).
    # The arithmetic is POLICY's, but a blank-looking quarter must not pass unnoticed: a warning at Targets!C2.
    book = book_from(Employees=[emp("E1", floating_wage="6000")], Clients=[client("C1")],
                     Targets=[{"employee_id": "E1", "period": "2026Q3", "target": "0"}],
                     KPI=[{"employee_id": "E1", "period": "2026Q3", "indicator": "销售额", "weight": "100%", "kind": "qualitative", "score": "100"}],
                     Deals=[deal("D1", "C1", "E1", "2026-07-10", "100000", revenue_type="software", in_crm="Y")])
    probs = validate(book)
    assert not errors(probs)
    assert [(p.sheet, p.cell) for p in warnings(probs)] == [("Targets", "C2")]
    lines, _ = compute(book)
    assert paid(lines) == {("E1", "KA_FW"): D("6000.00")}


def test_zero_target_of_a_new_hire_does_not_warn():
    # New hire's first quarter carries no task: A = X = 100,000 → 4% × 100,000 = 4,000 (k = 100/100 = 1).
    book = book_from(Employees=[emp("E1", floating_wage="6000", hire_date="2026-07-01")], Clients=[client("C1")],
                     Targets=[{"employee_id": "E1", "period": "2026Q3", "target": "0"}],
                     KPI=[{"employee_id": "E1", "period": "2026Q3", "indicator": "销售额", "weight": "100%", "kind": "qualitative", "score": "100"}],
                     Deals=[deal("D1", "C1", "E1", "2026-07-10", "100000", revenue_type="software", in_crm="Y")])
    assert not warnings(validate(book))
    lines, _ = compute(book)
    assert paid(lines) == {("E1", "KA"): D("4000.00"), ("E1", "KA_FW"): D("6000.00")}


# ---- a table parameter must name a table of its own component -------------------------------------
def test_kp_table_naming_another_components_table_is_an_error():
    # kp_table = nc_award: S = 90 falls in (0, 100,000] → k = 500, and KA would pay × (80% + 20% × 500) = × 100.8.
    book = book_from(params={"kp_table": "nc_award"}, Policy=[{"key": "kp_table", "value": "nc_award"}], Employees=[emp("E1")],
                     KPI=[{"employee_id": "E1", "period": "2026Q3", "indicator": "销售额", "weight": "100%", "kind": "qualitative", "score": "90"}])
    errs = errors(validate(book))
    assert [(p.sheet, p.cell) for p in errs] == [("Policy", "B2")] and "kp_table" in errs[0].message


def test_nc_table_naming_another_components_table_is_an_error():
    # nc_table = mt_rate: 300,000 falls in (20%, ∞) → an "award" of 0.03 yuan.
    book = book_from(params={"nc_table": "mt_rate"}, Policy=[{"key": "nc_table", "value": "mt_rate"}], Employees=[emp("E1")], Clients=[client("C1")],
                     Deals=[deal("D1", "C1", "E1", "2026-07-10", "300000")], Claims=[claim("Q1", "E1", "C1")])
    errs = errors(validate(book))
    assert [(p.sheet, p.cell) for p in errs] == [("Policy", "B2")] and "nc_table" in errs[0].message


def test_alternative_nc_table_pays_its_tier():
    # nc_award_alt: 5,000 is in (1,000, 10,000] → 200.
    book = book_from(params={"nc_table": "nc_award_alt"}, Employees=[emp("E1")], Clients=[client("C1")],
                     Deals=[deal("D1", "C1", "E1", "2026-07-10", "5000")], Claims=[claim("Q1", "E1", "C1")])
    assert not errors(validate(book))
    assert paid(compute(book)[0]) == {("E1", "NC"): D("200.00")}


# ---- NC without claims needs no claim deadline ------------------------------------------------------
def test_nc_without_claims_does_not_need_the_working_day_calendar():
    # NC listed in Settings.components but no Claims: nothing to pay and no deadline to compute. Before:
    # the deadline was computed first, so a year the calendar does not know (here 2099; in practice
    # 2026Q4, whose deadline falls in January 2027) failed the whole quarter.
    book = book_from("2099Q3", components=("NC", "SA"), Employees=[emp("E1")],
                     Satisfaction=[{"employee_id": "E1", "period": "2099Q3", "satisfaction": "95%"}])
    assert not errors(validate(book))
    lines, probs = compute(book)
    assert not probs and paid(lines) == {("E1", "SA"): D("1000.00")}  # 95% is in [95%, 100%] → 1,000


def test_nc_claims_in_a_year_the_calendar_does_not_know_are_still_an_error():
    book = book_from("2099Q3", Employees=[emp("E1")], Clients=[client("C1")], Deals=[deal("D1", "C1", "E1", "2099-07-10", "300000")],
                     Claims=[claim("Q1", "E1", "C1", submitted="2099-10-09", dept_on="2099-10-10", hr_on="2099-10-12")])
    _, probs = compute(book)
    assert [p.sheet for p in errors(probs)] == ["Settings"] and "2099" in errors(probs)[0].message


# ---- PP: the budget is split exactly, so it must itself be a fen amount -----------------------------
def test_pool_budget_below_the_fen_is_an_error():
    # 1,000.005 cannot be paid out exactly: the parts used to add up to 1,000.01, a budget nobody set.
    book = book_from("2026Q4", params={"pp_budget": D("1000.005")}, Policy=[{"key": "pp_budget", "value": "1000.005"}], Employees=[emp("E1")],
                     Ratings=[{"employee_id": "E1", "year": "2026", "rating": "良好", "tenure_years": "1"}], components=("PP",))
    errs = errors(validate(book))
    assert [(p.sheet, p.cell) for p in errs] == [("Policy", "B2")]


def test_pool_budget_split_adds_up():
    # 1,000.00 over 优秀 (1.5 × (1 + 2% × 3) = 1.59) and 合格 (0.7 × (1 + 2% × 0) = 0.7), total 2.29:
    # 100,000 fen × 1.59 / 2.29 = 69,432.31… → 69,432; × 0.7 / 2.29 = 30,567.68… → 30,567; 1 fen left →
    # the larger remainder (.68, E2): 694.32 + 305.68 = 1,000.00.
    book = book_from("2026Q4", params={"pp_budget": D("1000")}, Employees=[emp("E1"), emp("E2")], components=("PP",),
                     Ratings=[{"employee_id": "E1", "year": "2026", "rating": "优秀", "tenure_years": "3.9"},
                              {"employee_id": "E2", "year": "2026", "rating": "合格", "tenure_years": "0.5"}])
    assert not errors(validate(book))
    assert paid(compute(book)[0]) == {("E1", "PP"): D("694.32"), ("E2", "PP"): D("305.68")}


# ---- Employees' pay figures are never negative: a deduction must stay a deduction -------------------
@pytest.mark.parametrize("column, cell", [("performance_bonus", "J2"), ("floating_wage", "K2"), ("base_salary", "H2"), ("commission_rate", "I2")])
def test_negative_pay_figure_on_employees_is_an_error_at_the_cell(column, cell):
    # Before: performance_bonus −5,000 and a serious complaint paid PN −(−5,000 × 20%) = +1,000;
    # floating_wage −6,000 paid KA_FW −6,000.
    book = book_from(Employees=[emp("E1", **{column: "-5000" if column != "commission_rate" else "-5%"})],
                     Satisfaction=[{"employee_id": "E1", "period": "2026Q3", "satisfaction": "95%"}])
    errs = errors(validate(book))
    assert [(p.sheet, p.cell, p.column) for p in errs] == [("Employees", cell, column)]


def test_penalty_is_negative():
    # performance_bonus 5,000, serious complaint 20% → −1,000.
    book = book_from(Employees=[emp("E1", performance_bonus="5000")],
                     Incidents=[{"incident_id": "I1", "employee_id": "E1", "date": "2026-08-01", "kind": "complaint", "severity": "serious"}])
    assert not errors(validate(book))
    assert paid(compute(book)[0]) == {("E1", "PN"): D("-1000.00")}


# ---- a deduction typed as a negative parameter must not turn into a payment -------------------------
@pytest.mark.parametrize("key, value, sheets", [
    ("ka_deduction", D(-600), dict(Employees=[emp("E1", floating_wage="6000")], Targets=[{"employee_id": "E1", "period": "2026Q3", "target": "200000"}])),
    ("pn_complaint_serious", D("-0.2"), BLANK_CASES["pn_monthly_cap"]),
])
def test_negative_policy_value_is_an_error_at_its_cell(key, value, sheets):
    # Before: ka_deduction −600 paid KA_DED −(−600) = +600 to someone below base;
    # pn_complaint_serious −20% paid PN −(5,000 × −20%) = +1,000 for a serious complaint.
    book = book_from(params={key: value}, Policy=[{"key": key, "value": str(value)}], **sheets)
    errs = [p for p in errors(validate(book)) if key in p.message]
    assert [(p.sheet, p.cell) for p in errs] == [("Policy", "B2")]


def test_campaign_parameters_may_be_blank_when_there_is_no_campaign():
    # ac_start and ac_end blank switch AC off; its other parameters are then not read.
    sheets = dict(Employees=[emp("E1")], Clients=[client("C1")], Deals=[deal("D1", "C1", "E1", "2026-07-10", "1000")])
    off = book_from(params={"ac_start": None, "ac_end": None, "ac_min_margin": None}, **sheets)
    assert not errors(validate(off))
    on = book_from(params={"ac_min_margin": None}, **sheets)
    assert any("ac_min_margin" in p.message for p in errors(validate(on)))
