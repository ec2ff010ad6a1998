"""The 工作日历 (Calendar) sheet: HR supplies the State Council schedule for a year the
built-in calendar does not know, and may correct single days of a year it does.

Hand-worked dates (weekdays checked against a wall calendar):

- 2026Q3 ends Wed 2026-09-30. 2026 National Day (built in): 10-01..10-07 off,
  Sat 10-10 works. 7 working days after: 10-08 (1) Thu, 10-09 (2) Fri,
  10-10 (3) Sat 调休, 10-12 (4), 10-13 (5), 10-14 (6), 10-15 (7) → 2026-10-15.
- The same with 10-10 overridden to 放假: 10-08 (1), 10-09 (2), 10-12 (3),
  10-13 (4), 10-14 (5), 10-15 (6), 10-16 (7) → 2026-10-16.
- 2026Q4 ends Thu 2026-12-31. 2027 is not built in (chinesecalendar 1.11.0 stops
  at 2026); the sheet lists Fri 2027-01-01 放假 and Mon 2027-01-04 调休上班 (an
  ordinary Monday anyway). 01-01 off, 01-02/03 weekend, 01-04 (1), 01-05 (2),
  01-06 (3), 01-07 (4), 01-08 (5), 01-09/10 weekend, 01-11 (6), 01-12 (7)
  → 2027-01-12.
"""
from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import book_from, claim, client, deal, emp
from lifecycle_data import write_book
from workbook import problems as P
from workbook import workdays
from workbook.calculate import validate
from workbook.flows import calculate_flow
from workbook.rules import new_client
from workbook.rules.grades import review_flow
from workbook.schema import INPUT_BY_KEY
from workbook.template import build_template, sheet_title
from workbook.workdays import Calendar, CalendarUnknown

D = dt.date
CAL_2027 = [{"date": "2027-01-01", "kind": "holiday", "note": "元旦"}, {"date": "2027-01-04", "kind": "workday"}]


def q4_book(calendar=None, **sheets):
    sheets = {"Employees": [emp("E1")], "Clients": [client("C1")], "Deals": [deal("D1", "C1", "E1", "2026-11-10", "300000")],
              "Claims": [claim("Q1", "E1", "C1", submitted="2027-01-12", dept_on="2027-01-13", hr_on="2027-01-14")], **sheets}
    if calendar is not None:
        sheets["Calendar"] = calendar
    return book_from("2026Q4", components=("NC",), **sheets)


# ---- the deadline, through new_client.deadline ----------------------------------------------------
def test_2026_deadline_is_unchanged_without_a_calendar_sheet():
    assert new_client.deadline(book_from("2026Q3")) == D(2026, 10, 15)


def test_an_override_in_a_built_in_year_moves_the_deadline_and_warns():
    book = book_from("2026Q3", Calendar=[{"date": "2026-10-10", "kind": "holiday", "note": "公司统一放假"}])
    assert new_client.deadline(book) == D(2026, 10, 16)  # see the module docstring
    warns = [p for p in workdays.check(book) if p.severity == P.WARNING]
    assert len(warns) == 1 and "覆盖内置日历" in warns[0].message and warns[0].sheet == "Calendar" and warns[0].cell == "A2"


def test_a_row_that_agrees_with_the_built_in_calendar_says_nothing():
    book = book_from("2026Q3", Calendar=[{"date": "2026-10-01", "kind": "holiday"}, {"date": "2026-10-10", "kind": "workday"}])
    assert new_client.deadline(book) == D(2026, 10, 15) and workdays.check(book) == []


def test_2027_from_the_calendar_sheet_gives_the_hand_counted_deadline():
    assert new_client.deadline(q4_book(CAL_2027)) == D(2027, 1, 12)


def test_2027_holiday_on_a_weekday_counts_as_a_day_off():
    # Add Mon 01-11 as 放假 too: the 6th and 7th working days become Tue 01-12 and Wed 01-13.
    assert new_client.deadline(q4_book(CAL_2027 + [{"date": "2027-01-11", "kind": "holiday"}])) == D(2027, 1, 13)


def test_without_calendar_rows_the_unknown_year_is_an_error_telling_hr_what_to_fill():
    book = q4_book()
    with pytest.raises(CalendarUnknown):
        new_client.deadline(book)
    lines, probs = new_client.compute(book)
    assert lines == [] and len(probs) == 1 and probs[0].severity == P.ERROR
    msg = probs[0].message
    assert "2027" in msg and "工作日历 (Calendar)" in msg and "放假" in msg and "调休上班" in msg and "国务院办公厅" in msg


def test_a_row_of_another_year_does_not_make_2027_known():
    with pytest.raises(CalendarUnknown):
        new_client.deadline(q4_book([{"date": "2028-01-01", "kind": "holiday"}]))


# ---- the whole flow on a filled template ----------------------------------------------------------
def q4_sheets(calendar):
    # C1 new on 2026-11-10, 300,000 → NC band (100,000, 500,000] → 1,000 for E1 (100%).
    # C2 new too, but its claim comes on 2027-01-13, one day after the 2027-01-12 deadline.
    sheets = {
        "Settings": [{"key": "period", "value": "2026Q4"}, {"key": "company", "value": "测试公司"},
                     {"key": "prepared_by", "value": "制表人"}, {"key": "components", "value": "NC"}],
        "Employees": [{"employee_id": "E1", "name": "王伟", "department": "销售一部", "team": "T1", "performance_bonus": 5000}],
        "Clients": [{"client_id": "C1", "name": "龙头集团"}, {"client_id": "C2", "name": "新星公司"}],
        "Deals": [{"deal_id": "D1", "client_id": "C1", "employee_id": "E1", "share": 1, "signed_on": D(2026, 11, 10), "amount": 300000},
                  {"deal_id": "D2", "client_id": "C2", "employee_id": "E1", "share": 1, "signed_on": D(2026, 12, 1), "amount": 300000}],
        "Claims": [{"claim_id": q, "employee_id": "E1", "client_id": c, "submitted_on": day, "dept_approver": "赵经理",
                    "dept_approved_on": D(2027, 1, 14), "hr_approver": "钱人力", "hr_approved_on": D(2027, 1, 15)}
                   for q, c, day in (("Q1", "C1", D(2027, 1, 12)), ("Q2", "C2", D(2027, 1, 13)))],
    }
    if calendar:
        sheets["Calendar"] = [{"date": D(2027, 1, 1), "kind": "holiday", "note": "元旦"}, {"date": D(2027, 1, 4), "kind": "workday"}]
    return sheets


def test_calculate_a_2026q4_book_with_2027_calendar_rows(tmp_path):
    res = calculate_flow(write_book(tmp_path / "q4.xlsx", q4_sheets(calendar=True)))
    assert res.ok, res.errors
    nc = {ln.inputs[0]: ln for ln in res.lines if ln.component == "NC"}
    paid = [ln for ln in nc.values() if ln.status == "paid"]
    assert [(ln.employee_id, ln.amount, ln.pay_month) for ln in paid] == [("E1", 1000, "2027-02")]  # HR approved 2027-01-15 → next month
    late = [ln for ln in nc.values() if ln.status == "rejected"]
    assert len(late) == 1 and "逾期" in late[0].basis and "2027-01-12" in late[0].basis
    # 2027-01-04 is a Monday: listing it as 调休上班 changes nothing but is worth a second look
    assert any(p.severity == P.WARNING and p.sheet == sheet_title(INPUT_BY_KEY["Calendar"]) and "星期一" in p.message for p in res.problems)


def test_calculate_the_same_book_without_calendar_rows_stops_with_the_chinese_error(tmp_path):
    res = calculate_flow(write_book(tmp_path / "q4.xlsx", q4_sheets(calendar=False)))
    assert not res.ok
    assert any("2027" in p.message and "工作日历 (Calendar)" in p.message for p in res.errors)


# ---- sheet checks ---------------------------------------------------------------------------------
def test_a_repeated_row_warns_and_a_clash_is_an_error():
    book = q4_book(CAL_2027 + [{"date": "2027-01-01", "kind": "holiday"}, {"date": "2027-02-20", "kind": "workday"},
                               {"date": "2027-02-20", "kind": "holiday"}])
    probs = workdays.check(book)
    # rows: 2 01-01, 3 01-04 (a Monday: warning), 4 01-01 again (warning), 5 02-20 Sat workday, 6 02-20 holiday (error)
    assert [(p.severity, p.cell) for p in probs] == [(P.WARNING, "A3"), (P.WARNING, "A4"), (P.ERROR, "B6")]
    assert any(p.severity == P.ERROR and p.sheet == "Calendar" for p in validate(book))


def test_a_holiday_on_a_weekend_of_an_unknown_year_is_normal():
    assert workdays.check(q4_book([{"date": "2027-01-02", "kind": "holiday"}])) == []  # Sat: the notice lists whole runs


def test_a_bad_cell_is_an_error_from_the_parser(tmp_path):
    from workbook.load import load_book
    sheets = q4_sheets(calendar=True)
    sheets["Calendar"].append({"date": "明年元旦", "kind": "休息"})
    book, probs = load_book(write_book(tmp_path / "bad.xlsx", sheets))
    bad = {p.column for p in probs if p.severity == P.ERROR}
    assert {"date", "kind"} <= bad


# ---- GR uses the book's calendar ------------------------------------------------------------------
def test_grade_posting_and_effective_date_use_the_calendar_sheet():
    # A posting Mon 2027-01-04 .. Fri 2027-01-08 is 5 working days; it ends, and the promotion
    # takes effect the next working day, Mon 2027-01-11 (Sat/Sun 01-09/10 off).
    class Row:
        dept_review = committee_review = True
        publicity_start, publicity_end, objection = D(2027, 1, 4), D(2027, 1, 8), False
    cal = q4_book(CAL_2027).calendar
    flow = review_flow(Row, D(2027, 1, 20), 5, cal)
    assert flow.status == "approved" and flow.effective == D(2027, 1, 11)
    # Mark Fri 01-08 放假: only 4 working days posted → pending
    cal2 = q4_book(CAL_2027 + [{"date": "2027-01-08", "kind": "holiday"}]).calendar
    assert review_flow(Row, D(2027, 1, 20), 5, cal2).status == "pending"
    with pytest.raises(CalendarUnknown):
        review_flow(Row, D(2027, 1, 20), 5)  # the package alone does not know 2027


# ---- the template ---------------------------------------------------------------------------------
def test_template_has_the_calendar_sheet_with_a_kind_dropdown():
    wb = build_template()
    ws = wb[sheet_title(INPUT_BY_KEY["Calendar"])]
    assert [c.value for c in ws[1]] == ["日期 (date)", "类型 (kind)", "说明 (note)"]
    lists = [dv for dv in ws.data_validations.dataValidation if dv.type == "list"]
    assert [(str(dv.sqref).split(":")[0], dv.formula1) for dv in lists] == [("B2", '"holiday,workday"')]
    assert "放假" in lists[0].prompt and "调休上班" in lists[0].prompt


# ---- invariants -----------------------------------------------------------------------------------
days_2026 = st.dates(D(2026, 1, 1), D(2026, 12, 1))  # + 15 working days stays in 2026


@settings(max_examples=60, deadline=None)
@given(days_2026, st.integers(1, 15))
def test_empty_calendar_matches_the_module_functions(start, n):
    assert Calendar().add_workdays(start, n) == workdays.add_workdays(start, n)


@settings(max_examples=60, deadline=None)
@given(days_2026, st.integers(1, 15), st.dates(D(2026, 1, 1), D(2026, 12, 31)))
def test_the_nth_workday_is_a_workday_with_n_workdays_in_between(start, n, off):
    cal = Calendar({off: False})
    end = cal.add_workdays(start, n)
    assert cal.is_workday(end) and cal.workdays_between(start + dt.timedelta(days=1), end) == n
    assert Calendar({off: False}).add_workdays(start, n) >= workdays.add_workdays(start, n)  # a day off never pulls a deadline earlier
