"""ADJ: corrections of an already published period, paid in the current one.

A published period never changes; a mistake found later is corrected by a row
on the Adjustments (调整) sheet of a later quarter. Each row becomes one ADJ
line of this period, whose explanation names the period and item it corrects
and the reason, so finance can trace it back. The amount is signed as typed:
negative claws money back.

Whether the referred period really was published is a ledger question; the
lock/publish stage checks it (``lifecycle``), keeping this rule pure.
"""
from __future__ import annotations

from .. import problems as P
from ..lines import ITEM_NAMES, Line
from ..model import Book
from ..money import fmt_plain
from ..periods import Quarter, next_month

RULE = "已发布期间的更正（调整表）"


def check(book: Book) -> list[P.Problem]:
    probs = []
    emps = book.employees
    for r in book.rows("Adjustments"):
        if r.employee_id not in emps:
            probs.append(book.problem(P.ERROR, "Adjustments", r, "employee_id", f"工号 {r.employee_id} 不在 员工 (Employees) 表中", found=r.employee_id))
        if Quarter.parse(r.refers_to_period) >= book.period:
            probs.append(book.problem(P.ERROR, "Adjustments", r, "refers_to_period",
                                      f"调整只能更正以前已发布的期间；本期 {book.period} 的错误请直接修改输入后重新计算",
                                      expected=f"早于 {book.period} 的期间", found=r.refers_to_period))
        if r.item_code.strip().upper() not in ITEM_NAMES:
            probs.append(book.problem(P.ERROR, "Adjustments", r, "item_code", "未知的项目代码：请填写被更正的发放项目代码",
                                      expected=", ".join(ITEM_NAMES), found=r.item_code))
        if r.amount == 0:
            probs.append(book.problem(P.WARNING, "Adjustments", r, "amount", "调整金额为 0，不产生发放", found=r.amount))
        if not r.reason.strip():
            probs.append(book.problem(P.ERROR, "Adjustments", r, "reason", "调整必须写明原因", found="(空)"))
    return probs


def compute(book: Book) -> tuple[list[Line], list[P.Problem]]:
    lines = []
    pay = next_month(book.period.end)
    sheet = book.title("Adjustments")
    for r in book.rows("Adjustments"):
        if r.amount == 0:
            continue
        code = r.item_code.strip().upper()
        basis = (f"更正已发布期间 {r.refers_to_period} 的 {code} {ITEM_NAMES.get(code, '')}："
                 f"{'补发' if r.amount > 0 else '扣回'} {fmt_plain(abs(r.amount))}；原因：{r.reason.strip()}")
        lines.append(Line(r.employee_id, "ADJ", "ADJ", r.amount, basis, RULE, f"所属 {r.refers_to_period}",
                          (f"{sheet}!R{r.row}",), pay))
    return lines, []
