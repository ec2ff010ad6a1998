"""The output tables (Results, Payout, Validation) as header + rows of plain values.

Kept separate from any file format so the in-book writer, the separate results
workbook and the Excel macros all show exactly the same cells.
"""
from __future__ import annotations

from decimal import Decimal
from operator import attrgetter
from typing import Iterable

from . import problems as P
from .calculate import PAYOUT_COLUMNS, PayoutRow
from .lines import ITEM_NAMES, STATUS_ZH, Line
from .model import Book
from .rules.grade_criteria import CRITERION_ZH, PERCENT_KEYS, show
from .rules.grades import ACTION_ZH, GradeOutcome
from .rules import kpi, rule_active, unit_commission

RESULTS_HEADER = ("employee_id", "name", "component", "item_code", "item_name", "status", "month", "pay_month", "amount", "basis", "rule", "band", "inputs")
VALIDATION_HEADER = ("severity", "sheet", "cell", "column", "message", "expected", "found")
GRADES_HEADER = ("employee_id", "name", "year", "current_grade", "applied_level", "eligible_level", "applied_eligible", "failed_criteria",
                 "performance_failed", "failed_years", "honour", "action", "action_zh", "new_grade", "effective_date", "basis")
GRADE_DETAIL_HEADER = ("employee_id", "name", "year", "level", "purpose", "criterion", "criterion_name", "performance", "actual", "required", "passed", "note")


def results_table(book: Book, lines: Iterable[Line]) -> tuple[tuple[str, ...], list[tuple]]:
    emps = book.employees
    rows = []
    for ln in sorted(lines, key=attrgetter("employee_id", "component", "item_code", "month", "pay_month")):
        e = emps.get(ln.employee_id)
        rows.append((ln.employee_id, e.name if e else "", ln.component, ln.item_code, ITEM_NAMES.get(ln.item_code, ln.item_code),
                     STATUS_ZH.get(ln.status, ln.status), ln.month, ln.pay_month, ln.amount, ln.basis, ln.rule, ln.band, " ".join(ln.inputs)))
    return RESULTS_HEADER, rows


def payout_table(rows: Iterable[PayoutRow]) -> tuple[tuple[str, ...], list[tuple]]:
    return PAYOUT_COLUMNS, list(map(attrgetter(*PAYOUT_COLUMNS), rows))


def validation_table(problems: Iterable[P.Problem]) -> tuple[tuple[str, ...], list[tuple]]:
    sev = {P.ERROR: "错误 error", P.WARNING: "警告 warning"}
    return VALIDATION_HEADER, [(sev[p.severity], p.sheet, p.cell, p.column, p.message, p.expected, p.found) for p in problems]


def coefficients_table(book: Book) -> tuple[tuple[str, ...], list[tuple]] | None:
    """The Coefficients sheet: each KPI indicator's score, the weighted score S and k,
    and KC's monthly sales and CSS coefficients.

    None when no coefficient-producing component is active, so the sheet is
    only written for books that use it.
    """
    kp, kc = rule_active(book, "KP"), rule_active(book, "KC")  # not active_rules: those would ask for Deals
    if not kp and not kc:
        return None
    rows = kpi.table_rows(book) if kp else []
    if kc:
        rows += unit_commission.coefficient_rows(book)
    return kpi.COEFFICIENTS_HEADER, rows


def as_cell(v):
    """Plain cell values for openpyxl: a Decimal becomes the double Excel stores."""
    if isinstance(v, Decimal):
        return float(v)  # display only (also coefficients and scores, so not rounded to the fen); exact text is in the CSV and the lines
    return v

def _yn(flag) -> str:
    return "" if flag is None else ("Y" if flag else "N")


def grades_table(outcomes: Iterable[GradeOutcome]) -> tuple[tuple[str, ...], list[tuple]]:
    """The Grades sheet: one row per manager reviewed (POLICY §13)."""
    rows = [(o.employee_id, o.name, o.year, o.current_grade or "未定级", o.applied_level or "", o.eligible_level or "", _yn(o.applied_eligible),
             ",".join(o.failed_criteria), ",".join(o.performance_failed), o.failed_years, _yn(o.honour), o.action, ACTION_ZH[o.action],
             o.new_grade or "未定级", o.effective_date.isoformat() if o.effective_date else "", o.basis) for o in outcomes]
    return GRADES_HEADER, rows


def grade_detail_table(outcomes: Iterable[GradeOutcome]) -> tuple[tuple[str, ...], list[tuple]]:
    """The GradeDetail sheet: every criterion of every level, actual vs required.

    Managers share criterion results (``grade_criteria.Criteria``), so each
    result's cells are made once and kept by ``id``; the entry holds the result
    itself, so no other object can take that id while the table is built.
    """
    rows = []
    append = rows.append
    cells: dict[int, tuple] = {}
    shown: dict = {}
    for o in outcomes:
        head = (o.employee_id, o.name, o.year)
        for level, purpose, r in o.details:
            got = cells.get(id(r))
            if got is None:
                got = cells[id(r)] = (r, _detail_cells(r, shown))
            append(head + (level, purpose) + got[1])
    return GRADE_DETAIL_HEADER, rows


def _detail_cells(r, shown: dict) -> tuple:
    """The criterion's cells of a GradeDetail row, from criterion to note."""
    return (r.key, CRITERION_ZH[r.key], "业绩" if r.performance else "任职资格", _show(r.key, r.actual, shown),
            f"{r.comparison} {_show(r.key, r.required, shown)}", "通过" if r.passed else "未通过", r.note)


_SHOWN_TYPES = frozenset({Decimal, int, str, bool, type(None)})


def _show(key: str, value, shown: dict) -> str:
    """``show`` once per distinct value: its text depends on the number only, not on how it is
    written (1.0 and 1 show alike), except a signed zero, which is left to ``show`` each time."""
    t = type(value)
    if t not in _SHOWN_TYPES or (t is Decimal and not value):
        return show(key, value)
    k = (key in PERCENT_KEYS, t, value)
    text = shown.get(k)
    if text is None:
        text = shown[k] = show(key, value)
    return text
