"""GR: the yearly grade review, promotion flow and dynamic management (POLICY §13).

Runs in the Q4 run only, on the GradeReview rows of the run's year. Each row
gives one outcome:

* **Promotion needs the approved flow.** Eligibility alone never changes a
  grade. An eligible applicant is promoted only when the department review and
  the committee review have both passed, the public posting of
  ``gr_publicity_workdays`` PRC working days has ended (the run date is after
  ``publicity_end``) and no objection was raised. The promotion takes effect on
  the next working day after ``publicity_end``. Eligible with the flow still
  open (or an objection being handled) is ``pending``; not eligible, or turned
  down by a review, is ``keep``.
* **Dynamic management** checks the year's results against the performance
  items (业绩要求) of the *current* grade. Consecutive failing years come from
  the previous locked year (``book.carried["GR"]``) and, for a manager the
  ledger does not know yet, from the opening column ``prior_failed_years``.
  1 → warning with an improvement plan, 2 → demoted one level, 3 or more →
  dismissal review, each effective the first working day of the next year.
  A failing year also blocks a promotion that year. Demotion does not reset the
  count: a third failing year in a row leads to dismissal review.
* **Demoting a junior (Decided, ``gr_junior_demotion``).** 初级 is the lowest
  grade. ``revoke`` (default): the manager loses the client-manager grade
  (未定级) and must apply for 初级 again; a manager without a grade is not under
  dynamic management, so the count restarts at 0. ``stay``: the manager keeps
  初级 with a second warning, and the count goes on to dismissal review.
* **Honour.** A manager who meets every performance item of the current grade
  and whose sales reach ``gr_honour_sales_ratio`` (Example 150%) of that grade's
  sales requirement is a candidate for 优秀客户经理; blank disables it.

GR pays nothing. Its results are the Grades and GradeDetail tables (built by
``outputs`` from ``review``), and ``closing_states`` gives the lock step the
consecutive failing years to store in the ledger.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import NamedTuple

from .. import problems as P
from ..lines import Line
from ..model import Book
from ..money import fmt_plain
from ..schema import LEVELS
from ..workdays import PACKAGE, Calendar
from .grade_criteria import CRITERION_ZH, Criteria, CriterionResult, evaluate_levels, missing_performance_columns, performance_review
from .grade_inputs import GradeInputError, ManagerInputs, inputs_from_row, label, parse_level, rank

ACTIONS = ("promote", "pending", "keep", "warning", "demote", "dismissal_review", "honour")
ACTION_ZH = {"promote": "晋升", "pending": "待定", "keep": "维持", "warning": "警告", "demote": "降级",
             "dismissal_review": "辞退评审", "honour": "优秀客户经理候选"}
RULE = "POLICY §13 客户经理等级评审"


class Flow(NamedTuple):
    status: str  # approved / pending / refused
    reason: str
    effective: dt.date | None = None


@dataclass(frozen=True)
class GradeOutcome:
    employee_id: str
    name: str
    year: int
    current_grade: str | None
    applied_level: str | None
    eligible_level: str | None
    applied_eligible: bool | None  # None: no application
    failed_criteria: tuple[str, ...]  # of the applied level
    performance_failed: tuple[str, ...]  # of the current grade's performance items
    failed_years: int  # consecutive failing years after this year
    honour: bool
    action: str
    new_grade: str | None
    effective_date: dt.date | None
    basis: str
    details: tuple[tuple[str, str, CriterionResult], ...]  # (level, purpose, result)
    row: int = 0


def year_rows(book: Book) -> list:
    """The GradeReview rows of the run's year; empty outside a Q4 run."""
    if not book.period.is_year_end:
        return []
    return sorted((r for r in book.rows("GradeReview") if r.year == book.period.year), key=lambda r: r.employee_id)


def manager_inputs(book: Book, row) -> ManagerInputs:
    """The row's inputs with the current grade from Employees; raises GradeInputError.

    Read once per row and shared by the checks and the review (a Q4 run may
    review thousands of managers); each distinct cell value is read once.
    """
    cache = book.memo("gr_manager_inputs", dict)
    if row.row in cache:
        return cache[row.row]
    emp = book.employees.get(row.employee_id)
    grade = read_grade(book, emp.grade if emp is not None else None)
    cache[row.row] = inputs = inputs_from_row(row, grade, book.memo("gr_cell_reads", dict))
    return inputs


def read_grade(book: Book, value) -> str | None:
    """``parse_level(value, "grade")``, read once per distinct Employees grade text."""
    if type(value) is not str and value is not None:
        return parse_level(value, "grade")
    cache = book.memo("gr_grade_reads", dict)
    if value not in cache:
        cache[value] = parse_level(value, "grade")  # raises on an unknown grade: nothing is kept
    return cache[value]


def prior_failed(book: Book, row) -> int:
    """Consecutive failing years before this year: the locked record first, else the opening column."""
    carried = book.carried.get("GR") or {}
    if row.employee_id in carried:
        return int(carried[row.employee_id])
    return int(row.prior_failed_years or 0)


def count_after(prior: int, inputs: ManagerInputs, passed: bool) -> int:
    if inputs.current_grade is None or passed:
        return 0
    return prior + 1


def review_flow(row, as_of: dt.date, days: int, calendar: Calendar = PACKAGE) -> Flow:
    """Where one application stands in the flow: department → committee → posting → no objection.

    With ``publicity_start`` filled, a posting shorter than ``days`` working days
    (both ends counted) keeps the application pending; without it the length
    cannot be checked and ``grade_checks`` warns.
    """
    if row.dept_review is False:
        return Flow("refused", "部门初审未通过")
    if row.dept_review is None:
        return Flow("pending", "待部门初审")
    if row.committee_review is False:
        return Flow("refused", "评审委员会未通过")
    if row.committee_review is None:
        return Flow("pending", "待评审委员会评审")
    end = row.publicity_end
    if end is None:
        return Flow("pending", f"评审已通过，待公示 {days} 个工作日")
    start = getattr(row, "publicity_start", None)
    if start is not None:
        posted = calendar.workdays_between(start, end)
        if posted < days:
            return Flow("pending", f"公示期 {start.isoformat()} 至 {end.isoformat()} 只有 {posted} 个工作日，不足 {days} 个：请补足公示")
    if as_of <= end:
        return Flow("pending", f"公示期至 {end.isoformat()}，截至评审基准日 {as_of.isoformat()} 尚未结束")
    if row.objection:
        return Flow("pending", "公示期内有异议：待评审委员会处理申诉（异议成立请将 评审委员会 填 N；不成立请将 有异议 填 N）")
    return Flow("approved", f"部门初审、评审委员会均通过，公示 {days} 个工作日至 {end.isoformat()} 无异议", calendar.next_workday(end))


def workdays_between(start: dt.date, end: dt.date, calendar: Calendar = PACKAGE) -> int:
    """PRC working days from start to end, both included."""
    return calendar.workdays_between(start, end)


def failing_action(count: int, current: str, junior_rule: str) -> tuple[str, str | None, str]:
    """(action, new grade, explanation) for the ``count``-th consecutive failing year."""
    if count >= 3:
        return "dismissal_review", current, f"连续 {count} 年未达到{current}业绩要求：提交辞退评审"
    if count == 2:
        if rank(current) > 1:
            lower = LEVELS[rank(current) - 2]
            return "demote", lower, f"连续 2 年未达到{current}业绩要求：降一级为{lower}"
        if junior_rule == "stay":
            return "warning", current, "连续 2 年未达到初级业绩要求：初级已是最低等级，保留初级并再次警告（gr_junior_demotion=stay）"
        return "demote", None, "连续 2 年未达到初级业绩要求：初级已是最低等级，降级即取消客户经理等级（未定级），须重新申报初级"
    return "warning", current, f"首次未达到{current}业绩要求：警告，须制定改进计划"


def honour_candidate(inputs: ManagerInputs, perf_passed: bool, params) -> bool:
    ratio = params["gr_honour_sales_ratio"]
    grade = inputs.current_grade
    if ratio is None or grade is None or not perf_passed or inputs.annual_sales is None:
        return False
    need = params[f"gr_{('junior', 'middle', 'senior')[rank(grade) - 1]}_annual_sales"]
    return need is not None and inputs.annual_sales >= ratio * need


def _failed(results: list[CriterionResult]) -> tuple[str, ...]:
    return tuple(r.key for r in results if not r.passed)


def _names(keys: tuple[str, ...]) -> str:
    return "、".join(CRITERION_ZH[k] for k in keys)


def _next_year_start(book: Book, year: int) -> dt.date:
    """The first working day after the year (when a warning or demotion takes effect), once per year."""
    cache = book.memo("gr_next_year_start", dict)
    if year not in cache:
        cache[year] = book.calendar.next_workday(dt.date(year, 12, 31))
    return cache[year]


def review_one(book: Book, row, as_of: dt.date, criteria: Criteria | None = None) -> GradeOutcome:
    """The outcome of one GradeReview row. Raises GradeInputError on unreadable input.

    ``criteria`` (built once for a whole review) shares the criterion results
    between managers; without it every criterion is evaluated afresh (the plain
    reference the fast path is tested against).
    """
    params = book.policy
    inputs = manager_inputs(book, row)
    current = inputs.current_grade
    levels = criteria.levels(inputs) if criteria is not None else evaluate_levels(inputs, params)
    eligible = next((lvl for lvl in reversed(LEVELS) if levels[lvl][0]), None)
    applied = row.applied_level if row.applied_level and rank(row.applied_level) > rank(current) else None
    ok_applied, applied_results = levels[applied] if applied else (None, [])
    perf_passed, perf_results = criteria.performance(inputs, levels) if criteria is not None else performance_review(inputs, params)
    missing = missing_performance_columns(inputs)
    count = prior_failed(book, row) if missing else count_after(prior_failed(book, row), inputs, perf_passed)
    honour = not missing and honour_candidate(inputs, perf_passed, params)
    effective, new_grade, parts = None, current, []
    if applied:
        failed = _failed(applied_results)
        parts.append(f"申请{applied}：" + ("符合全部条件" if ok_applied else f"不符合（{_names(failed)}）"))
    if current is None:
        parts.append("未定级，不做业绩考核")
    elif missing:
        parts.append(f"资料不全（缺少 {'、'.join(label(c) for c in missing)}）：本年度{current}业绩考核待补齐后重新计算，连续不达标年数暂不变")
    elif perf_passed:
        parts.append(f"本年度达到{current}业绩要求")
    else:
        parts.append(f"本年度未达到{current}业绩要求（{_names(_failed(perf_results))}）")
    if missing:
        action = "pending"
    elif current is not None and not perf_passed:
        action, new_grade, text = failing_action(count, current, params["gr_junior_demotion"])
        parts.append(text)
        effective = _next_year_start(book, row.year)
        if applied and ok_applied:
            parts.append("本年度业绩未达标，不予晋升")
    elif applied and ok_applied:
        flow = review_flow(row, as_of, int(params["gr_publicity_workdays"]), book.calendar)
        parts.append(flow.reason)
        if flow.status == "approved":
            action, new_grade, effective = "promote", applied, flow.effective
            parts.append(f"晋升为{applied}，{flow.effective.isoformat()}（公示结束后次一工作日）起生效")
        else:
            action = "pending" if flow.status == "pending" else "keep"
    else:
        action = "keep"
        if applied and row.committee_review:
            parts.append("注意：评审已通过但不符合条件，等级不变")
    if honour and action == "keep":
        action = "honour"
    if honour:
        parts.append(f"年度销售额 {fmt_plain(inputs.annual_sales)} 达到现等级要求的 {fmt_plain(params['gr_honour_sales_ratio'] * 100)}%：优秀客户经理候选")
    emp = book.employees.get(row.employee_id)
    purposes = _purposes(current, applied)
    details = tuple((lvl, purpose, r) for lvl, purpose in zip(LEVELS, purposes) for r in levels[lvl][1])
    return GradeOutcome(
        row.employee_id, emp.name if emp is not None else "", row.year, current, applied, eligible,
        ok_applied, _failed(applied_results), _failed(perf_results), count, honour, action, new_grade,
        effective, "；".join(parts), details, row.row,
    )


_PURPOSES: dict = {}


def _purposes(current: str | None, applied: str | None) -> tuple[str, ...]:
    """``_purpose`` of each level, worked out once per (current, applied) pair."""
    key = (current, applied)
    got = _PURPOSES.get(key)
    if got is None:
        got = _PURPOSES[key] = tuple(_purpose(lvl, current, applied) for lvl in LEVELS)
    return got


def _purpose(level: str, current: str | None, applied: str | None) -> str:
    tags = []
    if level == applied:
        tags.append("申请等级")
    if level == current:
        tags.append("现等级（业绩项用于年度考核）")
    return "、".join(tags)


def review(book: Book, as_of: dt.date) -> list[GradeOutcome]:
    """Every outcome of the year, by employee. ``as_of``: the run date (has the posting ended?).

    Assumes a checked book: a row whose input cannot be read is left out here
    (``check`` reports it as an error, which stops calculate anyway).
    """
    out = []
    criteria = Criteria(book.policy)
    for row in year_rows(book):
        if row.employee_id not in book.employees:
            continue
        try:
            out.append(review_one(book, row, as_of, criteria))
        except GradeInputError:
            continue
    return out


def closing_states(book: Book) -> dict[str, int]:
    """employee_id -> consecutive failing years, to store in the ledger at lock.

    Outside Q4 the carried state passes through unchanged; in Q4 the year's
    reviews update it.
    """
    state = {k: int(v) for k, v in (book.carried.get("GR") or {}).items()}
    criteria = Criteria(book.policy)
    for row in year_rows(book):
        try:
            inputs = manager_inputs(book, row)
        except GradeInputError:
            continue
        if missing_performance_columns(inputs):  # not reviewed this year: the count carries over unchanged
            state[row.employee_id] = prior_failed(book, row)
            continue
        passed, _ = criteria.performance_review(inputs)
        state[row.employee_id] = count_after(prior_failed(book, row), inputs, passed)
    return state


def compute(book: Book) -> tuple[list[Line], list[P.Problem]]:
    """GR makes no money lines: its tables come from ``review`` (see flows)."""
    return [], []
