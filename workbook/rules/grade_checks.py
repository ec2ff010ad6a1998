"""GR input checks: what must be on the GradeReview sheet before the review can run.

Errors block calculate, so they are kept for what would make an outcome a
guess: an unreadable value, an unknown person or grade, a performance figure
missing for the current grade (a warning or a demotion must never rest on a
blank cell), dates the working-day calendar does not know. A figure missing only
for the level applied for is a warning: that criterion then fails, which can
only keep the grade as it is.
"""
from __future__ import annotations

import datetime as dt

from .. import problems as P
from ..model import Book
from ..policy_defaults import PARAMS
from ..schema import LEVELS
from ..workdays import CalendarUnknown
from .grade_criteria import columns_needed, specs_for
from .grade_inputs import GradeInputError, ManagerInputs, label, parse_level, rank
from .grades import manager_inputs, read_grade, year_rows

OPTIONAL_PARAMS = {"gr_honour_sales_ratio"}  # blank: no honour candidates
# The levels with a sales-growth criterion: all of them, or only the performance items.
_GROWTH_LEVELS = {p: frozenset(lvl for lvl in LEVELS if any(s.key == "sales_growth" for s in specs_for(lvl, p))) for p in (False, True)}


def _missing(book: Book, row, inputs: ManagerInputs, level: str, performance_only: bool, severity: str, why: str) -> list[P.Problem]:
    """A problem at each blank cell the level's criteria read (each column once), and at a 0 prior-year sales."""
    out, seen = [], set()
    for col in columns_needed(level, inputs.current_grade, performance_only):
        if getattr(inputs, col) is not None:
            continue
        seen.add(col)
        out.append(book.problem(severity, "GradeReview", row, col, f"{why}需要 {label(col)}：请填写", expected=label(col), found="(空)"))
    if level in _GROWTH_LEVELS[performance_only] and inputs.prior_year_sales == 0 and "prior_year_sales" not in seen:
        out.append(book.problem(P.WARNING, "GradeReview", row, "prior_year_sales", f"{why}要计算销售额增长率，上年销售额为 0 无法计算：该项按未达标处理", expected="> 0", found="0"))
    return out


def _row_checks(book: Book, row, inputs: ManagerInputs) -> list[P.Problem]:
    probs: list[P.Problem] = []
    current, applied = inputs.current_grade, row.applied_level
    if applied and rank(applied) <= rank(current):
        probs.append(book.problem(P.WARNING, "GradeReview", row, "applied_level", f"申请等级 {applied} 不高于现等级 {current}：按未申请处理", expected=f"高于 {current}", found=applied))
    if current is not None:
        # a warning, not an error: the quarter's payouts go on; this manager's review shows 待定 until it is filled
        probs += _missing(book, row, inputs, current, True, P.WARNING, f"现等级 {current} 的年度业绩考核（缺项时本年度考核待定）")
    if applied and rank(applied) > rank(current):
        probs += [p for p in _missing(book, row, inputs, applied, False, P.WARNING, f"申请 {applied} ")
                  if not any(q.cell == p.cell for q in probs)]
    carried = book.carried.get("GR") or {}
    if row.prior_failed_years is not None and row.prior_failed_years < 0:
        probs.append(book.problem(P.ERROR, "GradeReview", row, "prior_failed_years", "此前连续不达标年数不能为负数", expected="≥ 0", found=row.prior_failed_years))
    elif row.employee_id in carried and row.prior_failed_years is not None and int(carried[row.employee_id]) != row.prior_failed_years:
        probs.append(book.problem(P.WARNING, "GradeReview", row, "prior_failed_years", f"期初值与上年锁定记录（{carried[row.employee_id]} 年）不一致：以锁定记录为准", expected=str(carried[row.employee_id]), found=row.prior_failed_years))
    probs += _date_checks(book, row)
    return probs


def _date_checks(book: Book, row) -> list[P.Problem]:
    probs = []
    start, end = getattr(row, "publicity_start", None), row.publicity_end
    if start is None and end is not None and row.applied_level:
        days = book.policy["gr_publicity_workdays"]
        probs.append(book.problem(P.WARNING, "GradeReview", row, "publicity_start", f"未填写公示开始日，无法核对公示是否满 {days} 个工作日：请填写", expected="公示开始日", found="(空)"))
    if start is not None and end is not None and start > end:
        probs.append(book.problem(P.ERROR, "GradeReview", row, "publicity_start", "公示开始日晚于公示截止日", expected=f"≤ {end.isoformat()}", found=start.isoformat()))
    known = book.memo("gr_known_days", set)  # days the calendar answered for: most rows share a few posting dates
    for col, day in (("publicity_start", start), ("publicity_end", end)):
        if day is None or day in known:
            continue
        try:
            book.calendar.is_workday(day)
            book.calendar.next_workday(day)
        except CalendarUnknown as e:
            probs.append(book.problem(P.ERROR, "GradeReview", row, col, str(e), found=day.isoformat()))
            continue
        known.add(day)
    return probs


def _param_checks(book: Book) -> list[P.Problem]:
    return [P.error(book.title("Policy"), "", "value", f"参数 {p.key} 不能为空：等级评审需要它（{p.note}）", expected=p.default, found="(空)")
            for p in PARAMS if p.component == "GR" and p.key not in OPTIONAL_PARAMS and book.policy.params.get(p.key) is None]


def check_grades(book: Book) -> list[P.Problem]:
    if not book.period.is_year_end:
        return []
    rows = year_rows(book)
    year = book.period.year
    if not rows:
        if book.rows("GradeReview"):
            return [P.warning(book.title("GradeReview"), "", "year", f"等级评审 表没有 {year} 年的记录：本次不做等级评审", expected=str(year))]
        return []
    probs = _param_checks(book)
    try:
        book.calendar.next_workday(dt.date(year, 12, 31))
    except CalendarUnknown as e:
        probs.append(P.error(book.title("Settings"), "", "period", f"{e}（降级、警告等于次年第一个工作日生效）"))
    emps = book.employees
    for row in rows:
        emp = emps.get(row.employee_id)
        if emp is None:
            probs.append(book.problem(P.ERROR, "GradeReview", row, "employee_id", f"工号 {row.employee_id} 不在 员工 (Employees) 表中", found=row.employee_id))
            continue
        try:
            read_grade(book, emp.grade)
        except GradeInputError as e:
            probs.append(book.problem(P.ERROR, "Employees", emp, "grade", f"员工 {row.employee_id} 的等级无法识别：{e.message}（未定级请留空）", e.expected, e.found))
            continue
        try:
            inputs = manager_inputs(book, row)
        except GradeInputError as e:
            probs.append(book.problem(P.ERROR, "GradeReview", row, e.key, e.message, e.expected, e.found))
            continue
        probs += _row_checks(book, row, inputs)
    reviewed = {r.employee_id for r in rows}
    for emp in book.rows("Employees"):
        if emp.employee_id in reviewed:
            continue
        try:
            grade = parse_level(emp.grade, "grade")
        except GradeInputError:
            continue
        if grade is not None:
            probs.append(book.problem(P.WARNING, "Employees", emp, "grade", f"员工 {emp.employee_id} 现等级为 {grade}，但 等级评审 表没有 {year} 年记录：本年未做等级考核", expected=f"{year} 年等级评审记录", found="(无)"))
    return probs
