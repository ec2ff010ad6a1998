"""The user-facing operations, shared by the CLI and the Excel macros.

Each flow takes a workbook path and returns a ``Outcome`` (ok, problems, a short
summary). Printing, exit codes and message boxes belong to the callers; this
module only sequences the stages: load -> validate -> compute -> write.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Callable

from . import problems as P
from .calculate import compute, payout_rows, validate
from .lines import Line
from .early import Early, attempt, start
from .load import gc_paused, load_book
from .model import Book
from .money import ZERO
from .outputs import coefficients_table
from .outputs import grade_detail_table, grades_table, payout_table, results_table, validation_table
from .rules import rule_active
from .rules.grades import ACTION_ZH, GradeOutcome, review
from .writer import ForeignSheet, prerender, write_into_book, write_results_book

Progress = Callable[[str], None] | None


@dataclass
class Outcome:
    ok: bool
    problems: list[P.Problem] = field(default_factory=list)
    summary: list[str] = field(default_factory=list)
    book: Book | None = None
    lines: list[Line] = field(default_factory=list)
    payout: list = field(default_factory=list)
    grades: list[GradeOutcome] = field(default_factory=list)

    @property
    def errors(self) -> list[P.Problem]:
        return [p for p in self.problems if p.severity == P.ERROR]


def validate_flow(path: str | Path, write: bool = False, progress: Progress = None, gate: Callable | None = None) -> Outcome:
    """``gate(book) -> (book, refusal, problems)`` runs before validation (calculate's ledger gate)."""
    with gc_paused():  # see calculate_flow
        return _validate_flow(path, write, progress, gate)[0]


def _validate_flow(path: str | Path, write: bool, progress: Progress, gate: Callable | None,
                   meanwhile: Callable[[Book, Early], None] | None = None) -> tuple[Outcome, Early | None]:
    """Load, gate and validate. With ``meanwhile``, the pieces that need no deal
    start while Deals loads (see ``early``) and come back as the ``Early``."""
    started: list[Early] = []

    def early_start(book: Book, loading: Callable[[], bool]) -> Book:
        book, early = start(book, gate, meanwhile, loading)
        started.append(early)
        return book

    book, probs = load_book(path, progress, early_start if meanwhile is not None else None)
    early = started[0] if started and book is not None else None
    if book is not None and gate is not None:
        if early is not None and early.gate is not None:
            _, refusal, gprobs = early.gate  # ``book`` already is the book the gate returned
        else:
            book, refusal, gprobs = gate(book)
        probs += gprobs
        if refusal:
            return Outcome(False, probs, [refusal], book), early
    if book is not None:
        probs += validate(book, early)
    if write and book is not None:
        try:
            write_into_book(path, {"Validation": validation_table(probs)})
        except ForeignSheet as e:
            return _foreign(e, probs, book), early
    ok = not P.has_errors(probs)
    summary = [f"{'通过' if ok else '未通过'}：{len([p for p in probs if p.severity == P.ERROR])} 个错误，{len([p for p in probs if p.severity == P.WARNING])} 个警告"]
    return Outcome(ok, probs, summary, book), early


def calculate_flow(path: str | Path, out: str | Path | None = None, progress: Progress = None, ledger_url: str | None = None) -> Outcome:
    """Validate, refuse on errors, compute, and write Results/Payout/Validation.

    ``out`` None: into the book itself (atomically). ``out`` given: a separate
    results workbook holding only the output sheets.

    The cyclic garbage collector is paused for the whole run: a 200,000-row
    book is millions of small objects without reference cycles, and each full
    collection would rescan all of them (over a second in total) to free
    nothing. Reference counting still frees everything as usual.
    """
    with gc_paused():
        return _calculate_flow(path, out, progress, ledger_url)


def _calculate_flow(path: str | Path, out: str | Path | None, progress: Progress, ledger_url: str | None) -> Outcome:
    from .approval import CalculateGate

    gate = CalculateGate(path, ledger_url)  # refuses a locked period; carries the previous quarter's state in
    res, early = _validate_flow(path, False, progress, gate, partial(_early_outputs, render=out is not None))
    early = early or Early()
    if not res.ok or res.book is None:
        if not gate.refusal:  # a refused transition already says its rule in one line
            res.summary.append("存在阻断性错误，未计算：请先修正上面列出的错误")
        return res
    book = res.book
    lines, probs = compute(book, progress, early)
    res.problems += probs
    if P.has_errors(probs):
        res.ok = False
        res.summary.append("计算中发现错误，未写出结果")
        return res
    rows = payout_rows(book, lines)
    tables = {"Results": results_table(book, lines), "Payout": payout_table(rows)}
    grades = early.part("grades", lambda: grade_review(book))
    if grades is not None:
        tables["Grades"], tables["GradeDetail"] = early.part("grade_tables", lambda: (grades_table(grades), grade_detail_table(grades)))
    tables["Validation"] = validation_table(res.problems)
    if out is None:  # the state belongs to the book itself
        tables["Status"] = gate.status(book, rows)
    coefficients = early.part("coefficients", lambda: coefficients_table(book))
    if coefficients is not None:
        tables["Coefficients"] = coefficients
    if progress:
        progress("写出结果")
    if out is None:
        try:
            write_into_book(path, tables)
        except ForeignSheet as e:
            return _foreign(e, res.problems, book)
    else:
        write_results_book(out, tables, early.parts.get("rendered"))
    res.lines, res.payout, res.grades = lines, rows, grades or []
    total = sum((r.amount for r in rows), ZERO)
    res.summary = [f"{book.period}：{len(lines)} 条计算明细，{len(rows)} 条发放记录，合计 {total:,.2f} 元"] + _by_item(rows) + _grade_summary(grades)
    return res


def _early_outputs(book: Book, early: Early, render: bool = False) -> None:
    """The output tables that need no deal, worked out while Deals loads; with
    ``render``, also their sheets' XML for the results book (``writer.prerender``)."""
    ok, grades = attempt(lambda: grade_review(book))
    if not ok:
        return
    early.parts["grades"] = grades
    tables = {}
    if grades is not None:
        ok, both = attempt(lambda: (grades_table(grades), grade_detail_table(grades)))
        if ok:
            early.parts["grade_tables"] = both
            tables["Grades"], tables["GradeDetail"] = both
        else:
            render = False
    ok, coefficients = attempt(lambda: coefficients_table(book))
    if ok:
        early.parts["coefficients"] = coefficients
        if coefficients is not None:
            tables["Coefficients"] = coefficients
    else:
        render = False
    if render:  # only with every deal-free table in hand: the rest are rendered at the end, numbering after these
        ok, ready = attempt(lambda: prerender(tables, ahead=early.loading))
        if ok:
            early.parts["rendered"] = ready


def _foreign(e: ForeignSheet, probs: list[P.Problem], book: Book) -> Outcome:
    """A user's sheet under an output title: refused, the book untouched."""
    found = [P.error(t, "A1", "", e.message, expected="本程序写出的输出表（受保护）", found="未保护、有内容的工作表") for t in e.titles]
    return Outcome(False, probs + found, ["未写入结果：原工作簿未改动，请把上面列出的工作表改名后再计算"], book)


def grade_review(book: Book, as_of: dt.date | None = None) -> list[GradeOutcome] | None:
    """The year's grade review (GR) in a Q4 run, else None. ``as_of`` (default: Settings.as_of, else today) decides whether a posting has ended."""
    if not book.period.is_year_end or not rule_active(book, "GR"):
        return None
    return review(book, as_of or book.settings.as_of or dt.date.today())


def _grade_summary(grades: list[GradeOutcome] | None) -> list[str]:
    if grades is None:
        return []
    counts = {a: sum(1 for g in grades if g.action == a) for a in ACTION_ZH}
    return [f"等级评审：{len(grades)} 人（" + "，".join(f"{ACTION_ZH[a]} {n}" for a, n in counts.items() if n) + "）"]


def _by_item(rows: list) -> list[str]:
    sums: dict[str, Decimal] = {}
    for r in rows:
        sums[r.item_code] = sums.get(r.item_code, ZERO) + r.amount
    return [f"  {code:7s} {amount:>14,.2f}" for code, amount in sorted(sums.items())]


# ---- the approval transitions (lock, reopen, verify, publish), for the CLI and the macros ----
def lock_flow(path: str | Path, by: str, ledger_url: str | None = None) -> Outcome:
    from .approval import lock_flow as run

    with gc_paused():  # see calculate_flow
        return run(path, by, ledger_url)


def reopen_flow(path: str | Path, by: str, reason: str, ledger_url: str | None = None) -> Outcome:
    from .approval import reopen_flow as run

    with gc_paused():  # see calculate_flow
        return run(path, by, reason, ledger_url)


def verify_flow(path: str | Path, ledger_url: str | None = None) -> Outcome:
    from .release import verify_flow as run

    with gc_paused():  # see calculate_flow
        return run(path, ledger_url)


def publish_flow(path: str | Path, by: str = "", ledger_url: str | None = None) -> Outcome:
    from .release import publish_flow as run

    with gc_paused():  # see calculate_flow
        return run(path, by, ledger_url)


# ---- department templates and their import, for the CLI and the import macro ----
def manager_template_flow(path: str | Path, department: str, out: str | Path, sheets: list[str] | None = None) -> Outcome:
    """Write ``department``'s template from the master at ``path``; refuses an unreadable master or unknown department."""
    from .manager_template import UnknownDepartment, department as find, write_manager_template

    book, probs = load_book(path)
    if book is None:
        return Outcome(False, probs, ["主工作簿无法读取，未生成部门模板"])
    try:
        dept = find(book, department, sheets)
    except (UnknownDepartment, ValueError) as e:  # an unknown department, or an unknown sheet in ``sheets``
        return Outcome(False, [P.error("", "", "department", getattr(e, "message", str(e)), found=department)], ["未生成部门模板"], book)
    write_manager_template(book, dept, out)
    names = "、".join(book.title(k) for k in dept.sheets)
    return Outcome(True, [], [f"已生成 {dept.name} 的部门模板 {out}：{len(dept.employees)} 名员工，工作表 {names}"], book)


def import_flow(path: str | Path, files: list[str | Path], by: str | None = None, progress: Progress = None) -> Outcome:
    """Check each returned department file fully and import those that pass (see ``importer``).

    ``ok`` only when every file was imported; ``book`` is None when the master itself could not be read.
    """
    from .importer import import_files, qualified, report_lines

    with gc_paused():  # see calculate_flow
        res = import_files(path, files, by=by, progress=progress)
    return Outcome(res.ok, qualified(res), report_lines(res), res.book)
