"""The year-end review's fast paths give exactly what the plain code gives.

A Q4 run reviews thousands of managers, so the review reads each distinct cell
value once (``inputs_from_row``), shares criterion results between managers
with the same inputs (``Criteria``) and makes GradeDetail cells once per shared
result. The plain reference here is the original way: ``inputs_from`` on every
row, ``review_one`` without ``Criteria`` (every criterion evaluated afresh), and
the GradeDetail row built from ``show``/``required_text`` for every criterion.
Values are drawn from small pools written in several ways ("3", 3, 3.0,
Decimal("3.00"), "300%"…), so managers share values and sharing is exercised.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from types import SimpleNamespace

from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import book_from, emp
from workbook.outputs import grade_detail_table, grades_table
from workbook.rules import grade_checks, grades
from workbook.rules.grade_criteria import (CRITERION_ZH, Criteria, CriterionResult, columns_needed, evaluate_levels,
                                           missing_performance_columns, needed_columns, performance_review, required_text,
                                           show, specs_for)
from workbook.rules.grade_inputs import GradeInputError, ManagerInputs, inputs_from, inputs_from_row, parse_level
from workbook.schema import EDUCATION, LEVELS

AS_OF = dt.date(2026, 1, 12)


def as_text(v):
    return format(v, "f") if isinstance(v, D) else str(v)


def trailing_zero(v):
    return f"{as_text(v)}.0" if "." not in as_text(v) else f"{as_text(v)}0"


# How HR may write one value of each kind; the sheet's column parser turns each into the same typed value.
SPELLINGS = {
    "count": (int, str, float, trailing_zero),
    "years": (D, as_text, float, trailing_zero),
    "money": (D, as_text, lambda v: f"{v:,}", trailing_zero),
    "ratio": (D, as_text, float, lambda v: f"{as_text(v * 100)}%", trailing_zero),
    "text": (lambda v: v,),
}
# Raw cells only (no sheet parser in between): also the bools Python counts as 1 and 0.
RAW_SPELLINGS = {**SPELLINGS, "count": SPELLINGS["count"] + (lambda v: bool(v) if v in (0, 1) else v,)}


def pool(kind, *values):
    return st.sampled_from(["", None, *values]), kind


FIELDS = {
    "applied_level": pool("text", "初级", "中级", "高级"),
    "education": pool("text", *EDUCATION),
    "years_as_cm": pool("years", D(0), D("0.5"), D(1), D(3), D(5)),
    "years_in_grade": pool("years", D(0), D(1), D("1.5"), D(2)),
    "exam_level": pool("text", "无", "初级", "中级考试", "高级客户经理考试", "Senior", "特级"),
    "new_clients": pool("count", 0, 1, 4, 5, 6, 12),
    "prior_avg_new_clients": pool("years", D(0), D(5), D(10)),
    "lower_avg_new_clients": pool("years", D(0), D(5), D(10)),
    "annual_sales": pool("money", D(0), D(500000), D(2200000), D("2200000.5"), D(5000000)),
    "prior_year_sales": pool("money", D(0), D(450000), D(2000000)),
    "company_sales_share": pool("ratio", D(0), D("0.05"), D("0.06")),
    "satisfaction": pool("ratio", D("0.84"), D("0.85"), D("0.9"), D(1)),
    "complaint_rate": pool("ratio", D(0), D("0.05"), D("0.0499")),
    "key_clients": pool("count", 0, 1, 2),
    "long_term_ratio": pool("ratio", D("0.6"), D("0.5")),
    "major_projects": pool("count", 0, 1),
    "industry_influence": pool("text", "Y", "N", "是", True, False),
    "dept_review": pool("text", "Y", "N"),
    "committee_review": pool("text", "Y", "N"),
    "publicity_start": pool("text", "2025-12-29", "2026-01-05"),
    "publicity_end": pool("text", "2026-01-08", "2026-01-09"),
    "objection": pool("text", "Y", "N"),
    "prior_failed_years": pool("text", "0", "1", "2", "3"),
}


def spell(way, v):
    try:
        return way(v)
    except (ArithmeticError, ValueError):  # a malformed value ("2.5" as a count, NaN) stays as it is
        return v


@st.composite
def sheet_rows(draw, fields, spellings, max_rows):
    """Rows copied from one of a few base rows, a field redrawn now and then, every value spelled anew:
    managers share values, written differently, which is what the shared reads and results must get right."""
    bases = [{k: draw(values) for k, (values, _) in fields.items()} for _ in range(draw(st.integers(1, 3)))]
    rows = []
    for _ in range(draw(st.integers(1, max_rows))):
        base = draw(st.sampled_from(bases))
        row = {}
        for k, (values, kind) in fields.items():
            v = draw(values) if draw(st.integers(0, 4)) == 0 else base[k]
            row[k] = v if v is None or v == "" else spell(draw(st.sampled_from(spellings[kind])), v)
        rows.append(row)
    return rows


# GR's own limits the sheet's column types let through: negative counts, ratios over 100%, an unknown exam or grade
BAD = st.sampled_from([{}, {}, {}, {"new_clients": "-1"}, {"satisfaction": "120%"}, {"years_as_cm": "-2"}])
GRADE = st.sampled_from(["", "初级", "中级", "高级", "junior", "中级客户经理", "资深"])
PARAMS = st.sampled_from([{}, {"gr_honour_sales_ratio": None}, {"gr_junior_demotion": "stay"}, {"gr_middle_key_clients": None},
                          {"gr_senior_education": "硕士", "gr_junior_new_clients": 0}])


@st.composite
def books(draw):
    rows, emps = [], []
    for i, values in enumerate(draw(sheet_rows(FIELDS, SPELLINGS, 10))):
        eid = f"E{i}"
        emps.append(emp(eid, grade=draw(GRADE)))
        rows.append({"employee_id": eid, "year": "2025", **values, **draw(BAD)})
    if draw(st.booleans()):
        rows.append({**rows[0], "employee_id": "E99"})  # not an employee
    params = draw(PARAMS)
    carried = draw(st.sampled_from([None, {"GR": {"E0": 1, "E5": 2}}]))
    return lambda: book_from("2025Q4", params=params or None, carried=carried, Employees=emps, GradeReview=rows)


def plain_inputs(book, row) -> ManagerInputs:
    """The original manager_inputs: parse the Employees grade, then inputs_from on the whole row."""
    e = book.employees.get(row.employee_id)
    return inputs_from({**row._asdict(), "current_grade": parse_level(e.grade if e is not None else None, "grade")})


def plain_missing(inputs: ManagerInputs) -> list[str]:
    """The original missing_performance_columns."""
    if inputs.current_grade is None:
        return []
    cols = []
    for spec in specs_for(inputs.current_grade, performance_only=True):
        for col in needed_columns(spec, inputs):
            if getattr(inputs, col) is None and col not in cols:
                cols.append(col)
    return cols


def plain_review(book) -> list[grades.GradeOutcome]:
    """Every outcome, each manager's inputs read with inputs_from and every criterion evaluated afresh."""
    memo = book.memo("gr_manager_inputs", dict)
    out = []
    for row in grades.year_rows(book):
        if row.employee_id not in book.employees:
            continue
        try:
            memo[row.row] = plain_inputs(book, row)
            out.append(grades.review_one(book, row, AS_OF))
        except GradeInputError:
            continue
    return out


def plain_closing(book) -> dict[str, int]:
    state = {k: int(v) for k, v in (book.carried.get("GR") or {}).items()}
    for row in grades.year_rows(book):
        try:
            inputs = plain_inputs(book, row)
        except GradeInputError:
            continue
        if plain_missing(inputs):
            state[row.employee_id] = grades.prior_failed(book, row)
            continue
        passed, _ = performance_review(inputs, book.policy)
        state[row.employee_id] = grades.count_after(grades.prior_failed(book, row), inputs, passed)
    return state


def plain_detail(outcomes) -> list[tuple]:
    return [(o.employee_id, o.name, o.year, level, purpose, r.key, CRITERION_ZH[r.key], "业绩" if r.performance else "任职资格",
             show(r.key, r.actual), required_text(r), "通过" if r.passed else "未通过", r.note)
            for o in outcomes for level, purpose, r in o.details]


def problems(probs) -> list[tuple]:
    return [(p.severity, p.sheet, p.cell, p.column, p.message, p.expected, p.found) for p in probs]


@settings(max_examples=80, deadline=None)
@given(books())
def test_review_tables_checks_and_closing_match_the_plain_code(make):
    fast_book = make()
    fast_probs = problems(grade_checks.check_grades(fast_book))  # as in a run: the checks first, then the review
    fast, plain = grades.review(fast_book, AS_OF), plain_review(make())
    assert repr(fast) == repr(plain)  # repr also tells 6.0 from 6
    assert grades_table(fast) == grades_table(plain)
    assert grade_detail_table(fast)[1] == plain_detail(plain)
    assert grades.closing_states(fast_book) == plain_closing(make())
    # the same problems as on a book whose inputs were all read the plain way
    checked = make()
    memo = checked.memo("gr_manager_inputs", dict)
    for row in grades.year_rows(checked):
        try:
            memo[row.row] = plain_inputs(checked, row)
        except GradeInputError:
            pass
    assert problems(grade_checks.check_grades(checked)) == fast_probs


RAW = {**FIELDS, "current_grade": pool("text", "初级", "中级", "高级", "senior", "资深"),
       "education": pool("text", *EDUCATION, " 本科 ", "小学", 3),
       "new_clients": pool("count", 0, 1, 2, "2.5", -1, float("nan"), D("NaN"), D("sNaN"), D("-0"), "abc"),
       "satisfaction": pool("text", D("0.9"), D("0.900"), 0.9, "90%", "120%", -0.0, True, "¥5")}


def outcome(f):
    try:
        return "ok", repr(f())
    except GradeInputError as e:
        return "error", e.key, e.message, e.expected, e.found


@settings(max_examples=60, deadline=None)
@given(sheet_rows(RAW, RAW_SPELLINGS, 12))
def test_cached_reads_match_inputs_from_on_raw_cells(rows):
    cache: dict = {}
    for raw in rows:
        row = SimpleNamespace(**{k: v for k, v in raw.items() if k != "current_grade"})
        assert outcome(lambda: inputs_from_row(row, raw["current_grade"], cache)) == outcome(lambda: inputs_from(raw))


@settings(max_examples=60, deadline=None)
@given(sheet_rows({**FIELDS, "current_grade": pool("text", "初级", "中级", "高级")}, SPELLINGS, 12), PARAMS)
def test_shared_criterion_results_match_evaluating_afresh(rows, overrides):
    params = book_from("2025Q4", params=overrides or None).policy
    criteria = Criteria(params)
    for raw in rows:
        try:
            inputs = inputs_from(raw)
        except GradeInputError:
            continue
        levels = criteria.levels(inputs)
        assert repr(levels) == repr(evaluate_levels(inputs, params))
        assert repr(criteria.performance(inputs, levels)) == repr(performance_review(inputs, params))
        assert repr(criteria.performance_review(inputs)) == repr(performance_review(inputs, params))
        assert missing_performance_columns(inputs) == plain_missing(inputs)


def test_needed_columns_once_per_level_and_grade():
    for level in LEVELS:
        for current in (None, *LEVELS):
            probe = ManagerInputs(current_grade=current)
            for perf in (False, True):
                cols: list[str] = []
                for spec in specs_for(level, performance_only=perf):
                    cols += [c for c in needed_columns(spec, probe) if c not in cols]
                assert columns_needed(level, current, perf) == tuple(cols)


decimals = st.decimals(allow_nan=False, allow_infinity=False, min_value=-10**9, max_value=10**9).flatmap(
    lambda d: st.sampled_from([d, d.normalize(), d.quantize(D("0.0001")) if abs(d) < 10**6 else d, -d]))
values = st.one_of(st.none(), st.booleans(), st.integers(-5, 5), st.sampled_from(["中级", "无", "本科"]), decimals,
                   st.sampled_from([D("0"), D("-0"), D("0.00"), D("-0.00"), D("0.9"), D("0.90"), D("0.005"), D("-0.005")]))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(sorted(CRITERION_ZH)), values, values, st.booleans()), min_size=1, max_size=30))
def test_detail_cells_match_show_for_any_written_value(items):
    # equal values written differently (0.9 / 0.90, 0 / -0, 5 / True) each show as show() shows them
    def outcomes():  # made on the fly: a result no longer referenced must not lend its id to the next one
        for i, (key, actual, required, passed) in enumerate(items):
            r = CriterionResult(key, actual, required, passed, "初级", "≥", "", i % 2 == 0)
            yield grades.GradeOutcome(f"E{i}", "", 2025, None, None, None, None, (), (), 0, False, "keep", None, None, "",
                                      (("初级", "", r), ("中级", "申请等级", r)))
    assert grade_detail_table(outcomes())[1] == plain_detail(outcomes())
