"""GR worked by hand from POLICY §13 with the Example defaults (policy_defaults, gr_*).

Thresholds used below (all "达到 X 以上" = actual ≥ X; complaint rate "低于" = actual < X):
- 初级: education ≥ 大专, ≥ 1 year as CM, junior exam, new clients ≥ 5, sales ≥ 500,000, satisfaction ≥ 85%.
- 中级: education ≥ 本科, ≥ 3 years as CM and ≥ 1 year as 初级, middle exam, new clients ≥ 1.2 × junior-years average,
  sales ≥ 2,000,000 and growth ≥ 10%, complaint rate < 5%, ≥ 2 key clients.
- 高级: education ≥ 本科, ≥ 5 years and ≥ 2 years as 中级, senior exam, industry influence, new clients ≥ 1.2 ×
  middle-years average, sales ≥ 5,000,000 and ≥ 5% of the company, long-term clients ≥ 60%, ≥ 1 major project.
Review year 2025 (run 2025Q4); the posting lasts 5 PRC working days.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import book_from, emp
from workbook import problems as P
from workbook.cells import CellError, parser_for
from workbook.outputs import GRADES_HEADER, grade_detail_table, grades_table
from workbook.policy import default_policy
from workbook.rules import grade_checks, grades
from workbook.rules.grade_criteria import eligibility, highest_eligible_level, performance_review
from workbook.rules.grade_inputs import GradeInputError, inputs_from, parse_exam
from workbook.schema import GRADE_REVIEW

PARAMS = default_policy().params

# Each profile sits exactly on every threshold of its level, so it passes only because ≥ includes X.
JUNIOR = {"current_grade": None, "education": "大专", "years_as_cm": "1", "exam_level": "初级", "new_clients": "5",
          "annual_sales": "500,000", "satisfaction": "85%"}
MIDDLE = {"current_grade": "初级", "education": "本科", "years_as_cm": "3", "years_in_grade": "1", "exam_level": "中级",
          "new_clients": "6", "prior_avg_new_clients": "5",  # 1.2 × 5 = 6
          "annual_sales": "2,200,000", "prior_year_sales": "2,000,000",  # (2.2M − 2M) / 2M = 10%
          "complaint_rate": "4.99%", "key_clients": "2"}
SENIOR = {"current_grade": "中级", "education": "本科", "years_as_cm": "5", "years_in_grade": "2", "exam_level": "高级",
          "industry_influence": "Y", "new_clients": "12", "prior_avg_new_clients": "10",  # 1.2 × 10 = 12
          "annual_sales": "5,000,000", "company_sales_share": "5%", "long_term_ratio": "60%", "major_projects": "1"}
PROFILES = {"初级": JUNIOR, "中级": MIDDLE, "高级": SENIOR}

# (level, criterion, change that still passes, change that fails just across the threshold)
THRESHOLDS = [
    ("初级", "education", {"education": "博士"}, {"education": "高中/中专"}),
    ("初级", "years_as_cm", {"years_as_cm": "1.5"}, {"years_as_cm": "0.99"}),
    ("初级", "exam_level", {"exam_level": "高级"}, {"exam_level": "无"}),  # a higher exam includes the junior one
    ("初级", "new_clients", {"new_clients": "6"}, {"new_clients": "4"}),
    ("初级", "annual_sales", {"annual_sales": "500,000.01"}, {"annual_sales": "499,999.99"}),
    ("初级", "satisfaction", {"satisfaction": "100%"}, {"satisfaction": "84.99%"}),
    ("中级", "education", {"education": "硕士"}, {"education": "大专"}),
    ("中级", "years_as_cm", {"years_as_cm": "10"}, {"years_as_cm": "2.9"}),
    ("中级", "years_in_grade", {"years_in_grade": "4"}, {"years_in_grade": "0.5"}),
    ("中级", "exam_level", {"exam_level": "高级考试"}, {"exam_level": "初级"}),
    ("中级", "new_clients", {"new_clients": "7"}, {"new_clients": "5"}),  # needs ≥ 6
    ("中级", "new_clients", {"prior_avg_new_clients": "4.5"}, {"prior_avg_new_clients": "5.01"}),  # 5.4 ≤ 6; 6.012 > 6
    ("中级", "annual_sales", {"annual_sales": "2,000,000", "prior_year_sales": "1,000,000"},
     {"annual_sales": "1,999,999.99", "prior_year_sales": "1,000,000"}),
    ("中级", "sales_growth", {"prior_year_sales": "1,999,999"}, {"prior_year_sales": "2,000,001"}),  # 10.00005% / 9.99995%
    ("中级", "complaint_rate", {"complaint_rate": "0%"}, {"complaint_rate": "5%"}),  # 低于 5%: 5% itself fails
    ("中级", "key_clients", {"key_clients": "3"}, {"key_clients": "1"}),
    ("高级", "education", {"education": "博士"}, {"education": "大专"}),
    ("高级", "years_as_cm", {"years_as_cm": "5.01"}, {"years_as_cm": "4.99"}),
    ("高级", "years_in_grade", {"years_in_grade": "3"}, {"years_in_grade": "1.99"}),
    ("高级", "exam_level", {"exam_level": "高级客户经理专业知识考试"}, {"exam_level": "中级"}),
    ("高级", "industry_influence", {"industry_influence": "是"}, {"industry_influence": "N"}),
    ("高级", "new_clients", {"new_clients": "13"}, {"new_clients": "11"}),
    ("高级", "annual_sales", {"annual_sales": "5,000,001"}, {"annual_sales": "4,999,999.99"}),
    ("高级", "company_sales_share", {"company_sales_share": "5.01%"}, {"company_sales_share": "4.99%"}),
    ("高级", "long_term_ratio", {"long_term_ratio": "61%"}, {"long_term_ratio": "59.99%"}),
    ("高级", "major_projects", {"major_projects": "2"}, {"major_projects": "0"}),
]


def test_every_profile_passes_exactly_on_its_thresholds():
    for level, profile in PROFILES.items():
        ok, results = eligibility(profile, level, PARAMS)
        assert ok, [r for r in results if not r.passed]


@pytest.mark.parametrize("level, key, passing, failing", THRESHOLDS, ids=[f"{t[0]}-{t[1]}-{i}" for i, t in enumerate(THRESHOLDS)])
def test_each_criterion_on_both_sides_of_its_threshold(level, key, passing, failing):
    ok, _ = eligibility({**PROFILES[level], **passing}, level, PARAMS)
    assert ok
    ok, results = eligibility({**PROFILES[level], **failing}, level, PARAMS)
    assert not ok
    assert [r.key for r in results if not r.passed] == [key]


def test_criterion_keys_cover_the_issue_list():
    keys = {r.key for lvl in PROFILES for r in eligibility(PROFILES[lvl], lvl, PARAMS)[1]}
    assert keys == {"education", "years_as_cm", "years_in_grade", "exam_level", "new_clients", "annual_sales", "sales_growth",
                    "satisfaction", "complaint_rate", "key_clients", "company_sales_share", "long_term_ratio", "major_projects",
                    "industry_influence"}


def test_results_carry_actual_and_required():
    _, results = eligibility(MIDDLE, "中级", PARAMS)
    by = {r.key: r for r in results}
    assert (by["new_clients"].actual, by["new_clients"].required) == (6, D("6.0"))  # (1 + 20%) × 5
    assert by["sales_growth"].actual == D("0.1")  # 200,000 / 2,000,000
    assert (by["complaint_rate"].comparison, by["complaint_rate"].required) == ("<", D("0.05"))


def test_never_held_the_grade_below_fails_the_tenure_and_baseline():
    # a junior applying straight for senior has 0 years as 中级 and no 中级-years average
    ok, results = eligibility({**SENIOR, "current_grade": "初级"}, "高级", PARAMS)
    assert not ok
    assert {r.key for r in results if not r.passed} == {"years_in_grade", "new_clients"}


def test_highest_eligible_level_each_level_on_its_own():
    assert highest_eligible_level(JUNIOR, PARAMS) == "初级"
    # MIDDLE lacks satisfaction, so 初级 fails while 中级 passes: levels stand on their own
    assert highest_eligible_level(MIDDLE, PARAMS) == "中级"
    assert highest_eligible_level({**JUNIOR, "education": "高中/中专"}, PARAMS) is None


@pytest.mark.parametrize("field, value", [
    ("education", "小学"), ("education", "本科以上"), ("exam_level", "特级"), ("exam_level", "3"),
    ("satisfaction", "120%"), ("new_clients", "-1"), ("new_clients", "2.5"), ("current_grade", "资深"),
    ("annual_sales", "abc"),
])
def test_malformed_values_are_rejected(field, value):
    with pytest.raises(GradeInputError) as err:
        eligibility({**JUNIOR, field: value}, "初级", PARAMS)
    assert err.value.key == field


def test_exam_is_ordinal_and_accepts_its_usual_spellings():
    assert [parse_exam(v) for v in ("", "无", "初级", "中级考试", "高级客户经理考试", "Senior")] == [0, 0, 1, 2, 3, 3]


def test_malformed_education_is_rejected_at_the_sheet_cell():
    with pytest.raises(CellError):
        parser_for(GRADE_REVIEW.column("education").kind)("小学")


# ------------------------------------------------------------------ the review on a Book

# row() sells 2,200,000 as a junior: ≥ 150% of 500,000, an honour candidate; switch that off where it is not the point
NO_HONOUR = {"gr_honour_sales_ratio": None}


def review_book(rows, grade="初级", period="2025Q4", carried=None, params=None, employees=None):
    emps = employees or [emp("E1", grade=grade)]
    return book_from(period, params=params, carried=carried, Employees=emps, GradeReview=rows)


def row(**kw):
    """A 2025 row for a junior who meets 初级 performance and 中级 in full (applying for 中级)."""
    base = {"employee_id": "E1", "year": "2025", "applied_level": "中级", **{k: v for k, v in MIDDLE.items() if k != "current_grade"},
            "satisfaction": "90%", "dept_review": "Y", "committee_review": "Y", "publicity_start": "2026-01-05",
            "publicity_end": "2026-01-09", "objection": "N"}
    base.update(kw)
    return base


def one(book, as_of=dt.date(2026, 1, 12)):
    probs = grade_checks.check_grades(book)
    assert not P.has_errors(probs), probs
    out = grades.review(book, as_of)
    assert len(out) == 1
    return out[0]


def test_promotion_needs_the_whole_flow_and_takes_effect_the_next_working_day():
    g = one(review_book([row()]))
    # posted Mon 2026-01-05 … Fri 01-09 = 5 working days; no objection; next working day Mon 01-12
    assert (g.action, g.new_grade, g.effective_date) == ("promote", "中级", dt.date(2026, 1, 12))
    assert g.applied_eligible and g.eligible_level == "中级" and g.failed_criteria == ()


def test_promotion_effective_date_follows_the_prc_calendar():
    # posting Mon 2025-12-22 … Fri 12-26 (5 days) then ends Wed 12-31; 2026-01-01..03 is the New Year holiday,
    # Sunday 01-04 is a make-up working day → effective 2026-01-04
    g = one(review_book([row(publicity_start="2025-12-25", publicity_end="2025-12-31")]))
    assert (g.action, g.effective_date) == ("promote", dt.date(2026, 1, 4))


@pytest.mark.parametrize("change, action, says", [
    ({"dept_review": ""}, "pending", "待部门初审"),
    ({"committee_review": ""}, "pending", "待评审委员会评审"),
    ({"publicity_start": "", "publicity_end": ""}, "pending", "待公示"),
    ({"objection": "Y"}, "pending", "有异议"),
    ({"dept_review": "N"}, "keep", "部门初审未通过"),
    ({"committee_review": "N"}, "keep", "评审委员会未通过"),
    # 2026-01-05 … 01-08 is only 4 working days
    ({"publicity_end": "2026-01-08"}, "pending", "只有 4 个工作日"),
    # 2025-12-29, 30, 31, (01-01..03 holiday), Sun 01-04 = 4 working days; 01-05 makes 5
    ({"publicity_start": "2025-12-29", "publicity_end": "2026-01-04"}, "pending", "只有 4 个工作日"),
    ({"publicity_start": "2025-12-29", "publicity_end": "2026-01-05"}, "promote", "无异议"),
])
def test_review_flow_steps(change, action, says):
    g = one(review_book([row(**change)], params=NO_HONOUR))
    assert g.action == action and says in g.basis
    assert g.new_grade == ("中级" if action == "promote" else "初级")


def test_posting_not_over_on_the_run_date_is_pending():
    g = one(review_book([row()]), as_of=dt.date(2026, 1, 9))  # the last posting day itself: objections may still come
    assert g.action == "pending" and "尚未结束" in g.basis
    assert one(review_book([row()]), as_of=dt.date(2026, 1, 10)).action == "promote"


def test_an_outstanding_applicant_is_also_marked_honour():
    g = one(review_book([row(dept_review="N")]))  # 2,200,000 ≥ 150% × 500,000 (the 初级 requirement)
    assert (g.action, g.honour, g.new_grade) == ("honour", True, "初级")
    assert one(review_book([row()])).honour  # promoted and still flagged


def test_eligibility_alone_never_changes_a_grade():
    blank_flow = {k: "" for k in ("dept_review", "committee_review", "publicity_start", "publicity_end", "objection")}
    g = one(review_book([row(**blank_flow)]))
    assert g.applied_eligible and (g.action, g.new_grade, g.effective_date) == ("pending", "初级", None)


def test_an_approved_flow_does_not_promote_an_ineligible_applicant():
    g = one(review_book([row(key_clients="1")], params=NO_HONOUR))
    assert (g.action, g.new_grade, g.applied_eligible, g.failed_criteria) == ("keep", "初级", False, ("key_clients",))
    assert "评审已通过但不符合条件" in g.basis


# ------------------------------------------------------------------ dynamic management

def middle_row(**kw):
    """A 中级 manager (no application) failing one performance item: complaint rate 5% (needs < 5%)."""
    base = {"employee_id": "E1", "year": "2025", "new_clients": "6", "lower_avg_new_clients": "5", "annual_sales": "2,200,000",
            "prior_year_sales": "2,000,000", "complaint_rate": "5%", "key_clients": "2"}
    base.update(kw)
    return base


@pytest.mark.parametrize("prior, action, new_grade, count", [
    ("0", "warning", "中级", 1),
    ("1", "demote", "初级", 2),
    ("2", "dismissal_review", "中级", 3),
    ("3", "dismissal_review", "中级", 4),
])
def test_consecutive_failing_years(prior, action, new_grade, count):
    book = review_book([middle_row(prior_failed_years=prior)], grade="中级")
    g = one(book)
    assert (g.action, g.new_grade, g.failed_years, g.performance_failed) == (action, new_grade, count, ("complaint_rate",))
    assert g.effective_date == dt.date(2026, 1, 4)  # first working day of 2026 (01-04, a make-up Sunday)
    assert grades.closing_states(book) == {"E1": count}


def test_a_passing_year_resets_the_count():
    book = review_book([middle_row(complaint_rate="4.99%", prior_failed_years="2")], grade="中级")
    g = one(book)
    assert (g.action, g.failed_years, g.effective_date) == ("keep", 0, None)
    assert grades.closing_states(book) == {"E1": 0}


def test_the_locked_record_wins_over_the_opening_column():
    book = review_book([middle_row(prior_failed_years="0")], grade="中级", carried={"GR": {"E1": 1}})
    probs = grade_checks.check_grades(book)
    assert [(p.severity, p.column) for p in probs] == [(P.WARNING, "prior_failed_years")]
    assert grades.review(book, dt.date(2026, 1, 12))[0].action == "demote"  # 1 carried + this year = 2


def test_the_opening_column_serves_managers_the_ledger_does_not_know():
    book = review_book([middle_row(prior_failed_years="1")], grade="中级", carried={"GR": {"E9": 2}})
    assert one(book).action == "demote"
    assert grades.closing_states(book) == {"E9": 2, "E1": 2}


def test_failing_the_current_grade_blocks_a_promotion():
    g = one(review_book([row(satisfaction="80%")]))  # 初级 needs satisfaction ≥ 85%
    assert (g.action, g.applied_eligible, g.new_grade) == ("warning", True, "初级")
    assert "不予晋升" in g.basis


def junior_row(prior):
    return {"employee_id": "E1", "year": "2025", "new_clients": "4", "annual_sales": "600,000", "satisfaction": "90%",
            "prior_failed_years": prior}


def test_demoting_a_junior_revokes_the_grade_by_default():
    g = one(review_book([junior_row("1")]))
    assert (g.action, g.new_grade, g.failed_years) == ("demote", None, 2)
    assert "取消客户经理等级" in g.basis
    assert grades_table([g])[1][0][GRADES_HEADER.index("new_grade")] == "未定级"


def test_a_manager_without_grade_is_not_under_dynamic_management():
    book = review_book([junior_row("2")], grade="")
    g = one(book)
    assert (g.action, g.failed_years, g.current_grade) == ("keep", 0, None)
    assert grades.closing_states(book) == {"E1": 0}


def test_junior_demotion_stay_keeps_the_grade_and_goes_on_to_dismissal():
    g = one(review_book([junior_row("1")], params={"gr_junior_demotion": "stay"}))
    assert (g.action, g.new_grade, g.failed_years) == ("warning", "初级", 2)
    g = one(review_book([junior_row("2")], params={"gr_junior_demotion": "stay"}))
    assert (g.action, g.new_grade) == ("dismissal_review", "初级")


@pytest.mark.parametrize("sales, action", [("3,000,000", "honour"), ("2,999,999.99", "keep")])
def test_honour_at_150_percent_of_the_grade_sales_requirement(sales, action):
    # 中级 sales requirement 2,000,000 × 150% = 3,000,000; growth vs 2,000,000 stays ≥ 10%
    g = one(review_book([middle_row(complaint_rate="1%", annual_sales=sales)], grade="中级"))
    assert g.action == action and g.honour == (action == "honour")


def test_honour_switched_off_by_a_blank_parameter():
    book = review_book([middle_row(complaint_rate="1%", annual_sales="9,000,000")], grade="中级", params={"gr_honour_sales_ratio": None})
    assert one(book).action == "keep"


# ------------------------------------------------------------------ checks, outputs, periods

def test_missing_performance_figure_of_the_current_grade_warns_and_leaves_the_review_pending():
    # A blank figure must not decide a warning or demotion, and must not stop the quarter's payouts:
    # the row is flagged at its cells, the review is 待定 (pending) and the failing-year count carries over.
    book = review_book([middle_row(key_clients="", lower_avg_new_clients="", prior_failed_years=1)], grade="中级")
    probs = grade_checks.check_grades(book)
    assert {(p.severity, p.column) for p in probs} == {(P.WARNING, "key_clients"), (P.WARNING, "lower_avg_new_clients")}
    assert all(p.sheet == "GradeReview" and p.cell.endswith("2") for p in probs)
    g = one(book)
    assert g.action == "pending" and g.new_grade == "中级" and "资料不全" in g.basis
    assert grades.closing_states(book) == {"E1": 1}  # neither reset nor increased


def test_malformed_exam_and_unknown_grade_are_errors_at_their_cells():
    probs = grade_checks.check_grades(review_book([row(exam_level="特级")]))
    assert [(p.severity, p.sheet, p.column) for p in probs] == [(P.ERROR, "GradeReview", "exam_level")]
    probs = grade_checks.check_grades(review_book([row()], grade="资深"))
    assert [(p.severity, p.sheet, p.column) for p in probs] == [(P.ERROR, "Employees", "grade")]


def test_other_check_findings():
    probs = grade_checks.check_grades(review_book([row(applied_level="初级", employee_id="E1"), row(employee_id="E2")],
                                                  employees=[emp("E1", grade="中级"), emp("E3", grade="初级")]))
    found = {(p.severity, p.column) for p in probs}
    assert (P.WARNING, "applied_level") in found  # applying for a level not above the current one
    assert (P.ERROR, "employee_id") in found  # E2 is not an employee
    assert (P.WARNING, "grade") in found  # E3 has a grade but no 2025 row


def test_missing_figure_only_for_the_applied_level_is_a_warning():
    probs = grade_checks.check_grades(review_book([row(key_clients="")]))
    assert [(p.severity, p.column) for p in probs] == [(P.WARNING, "key_clients")]


def test_posting_without_a_start_date_cannot_be_checked_and_warns():
    book = review_book([row(publicity_start="")])
    assert [(p.severity, p.column) for p in grade_checks.check_grades(book)] == [(P.WARNING, "publicity_start")]
    assert grades.review(book, dt.date(2026, 1, 12))[0].action == "promote"  # the end date is trusted


def test_a_blank_threshold_is_an_error_on_the_policy_sheet():
    probs = grade_checks.check_grades(review_book([row()], params={"gr_middle_key_clients": None}))
    assert [(p.severity, p.sheet, "gr_middle_key_clients" in p.message) for p in probs] == [(P.ERROR, "Policy", True)]


def test_gr_runs_only_in_q4():
    book = review_book([row()], period="2025Q3", carried={"GR": {"E1": 1}})
    assert grades.review(book, dt.date(2026, 1, 12)) == [] and grade_checks.check_grades(book) == []
    assert grades.closing_states(book) == {"E1": 1}  # carried through unchanged


def test_grades_and_detail_tables():
    g = one(review_book([row(key_clients="1", committee_review="")], params=NO_HONOUR))
    header, rows = grades_table([g])
    rec = dict(zip(header, rows[0]))
    assert {k: rec[k] for k in ("employee_id", "year", "current_grade", "applied_level", "eligible_level", "applied_eligible",
                                "failed_criteria", "action", "effective_date")} == {
        "employee_id": "E1", "year": 2025, "current_grade": "初级", "applied_level": "中级", "eligible_level": "初级",
        "applied_eligible": "N", "failed_criteria": "key_clients", "action": "keep", "effective_date": ""}
    header, rows = grade_detail_table([g])
    detail = {(r[3], r[5]): dict(zip(header, r)) for r in rows}
    assert len(rows) == 6 + 9 + 10  # every criterion of every level
    kc = detail[("中级", "key_clients")]
    assert (kc["actual"], kc["required"], kc["passed"], kc["purpose"]) == ("1", "≥ 2", "未通过", "申请等级")
    assert detail[("中级", "complaint_rate")]["required"] == "< 5%"


# ------------------------------------------------------------------ properties

ratio = st.decimals(min_value=0, max_value=1, places=4)
count = st.integers(min_value=0, max_value=30)
money = st.decimals(min_value=0, max_value=10_000_000, places=2)
inputs = st.fixed_dictionaries({
    "current_grade": st.sampled_from([None, "初级", "中级", "高级"]),
    "education": st.sampled_from(["高中/中专", "大专", "本科", "硕士", "博士"]),
    "years_as_cm": st.decimals(min_value=0, max_value=20, places=1), "years_in_grade": st.decimals(min_value=0, max_value=10, places=1),
    "exam_level": st.sampled_from(["", "初级", "中级", "高级"]), "new_clients": count,
    "prior_avg_new_clients": st.decimals(min_value=0, max_value=20, places=1), "lower_avg_new_clients": st.decimals(min_value=0, max_value=20, places=1),
    "annual_sales": money, "prior_year_sales": money, "company_sales_share": ratio, "satisfaction": ratio,
    "complaint_rate": ratio, "key_clients": count, "long_term_ratio": ratio, "major_projects": count,
    "industry_influence": st.booleans(),
})


@settings(max_examples=150, deadline=None)
@given(inputs)
def test_highest_level_passes_and_no_higher_one_does(data):
    top = highest_eligible_level(data, PARAMS)
    levels = ["初级", "中级", "高级"]
    for lvl in levels:
        ok, results = eligibility(data, lvl, PARAMS)
        assert ok == all(r.passed for r in results)
        if top is not None and levels.index(lvl) > levels.index(top):
            assert not ok
    if top is not None:
        assert eligibility(data, top, PARAMS)[0]


@settings(max_examples=150, deadline=None)
@given(inputs, st.decimals(min_value=0, max_value=1_000_000, places=2), st.integers(min_value=0, max_value=5))
def test_more_sales_and_clients_never_turn_a_pass_into_a_fail(data, more_sales, more_clients):
    better = {**data, "annual_sales": data["annual_sales"] + more_sales, "new_clients": data["new_clients"] + more_clients}
    for lvl in ("初级", "中级", "高级"):
        before = {r.key: r.passed for r in eligibility(data, lvl, PARAMS)[1]}
        after = {r.key: r.passed for r in eligibility(better, lvl, PARAMS)[1]}
        assert all(after[k] for k, ok in before.items() if ok)  # growth rises with sales too (prior year fixed)
    assert performance_review(better, PARAMS)[0] >= performance_review(data, PARAMS)[0]


def test_inputs_from_accepts_typed_rows_and_raw_cells_alike():
    assert inputs_from({"satisfaction": 0.85, "new_clients": 5.0}) == inputs_from({"satisfaction": "85%", "new_clients": "5"})
