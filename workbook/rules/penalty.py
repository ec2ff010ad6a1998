"""PN: penalty deductions (POLICY §5), a percentage of that month's performance bonus.

Each incident in the period maps to a percentage from the Policy sheet. A client
is important when it is flagged important or strategic on the Clients sheet, or
(optional auto-classification, ``client_classes``) when it is a big client.
A violation is a warning the first time in the trailing window and a deduction
when repeated. The percentages of one month add up, capped at
``pn_monthly_cap`` (Decided), so a deduction never makes pay negative. Warnings
and trainings are recorded lines without money; the grade review counts them.
"""
from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from .. import problems as P
from ..carry import pn_history
from ..client_classes import is_important
from ..lines import RECORDED, Line, outcome
from ..model import Book
from ..money import ZERO, fmt_plain
from ..periods import months_back, next_month

RULE = "POLICY §5 惩罚机制"


def classify(book: Book, inc, history: list) -> tuple[str, str]:
    """(policy key, description) for one incident; history = the employee's earlier violations."""
    if inc.kind == "client_lost":
        client = book.clients.get(inc.client_id or "")
        if client is not None:
            important = is_important(book, client)
        else:
            important = inc.severity == "important"
        return ("pn_lost_important", "流失重要客户") if important else ("pn_lost_general", "流失一般客户")
    if inc.kind == "complaint":
        return ("pn_complaint_serious", "严重投诉") if inc.severity == "serious" else ("pn_complaint_minor", "轻微投诉（警告）")
    window = int(book.policy["pn_violation_window_months"])
    since = months_back(inc.date, window)
    prior = [h for h in history if since < h.date < inc.date or (h.date == inc.date and h.incident_id < inc.incident_id)]
    if prior:
        return "pn_violation_repeat", f"{window} 个月内再次违规（此前 {prior[-1].date.isoformat()}）"
    return "pn_violation_first", f"{window} 个月内首次违规（警告并培训）"


def check(book: Book) -> list[P.Problem]:
    probs = []
    emps, clients = book.employees, book.clients
    for inc in book.rows("Incidents"):
        if inc.employee_id not in emps:
            probs.append(book.problem(P.ERROR, "Incidents", inc, "employee_id", f"工号 {inc.employee_id} 不在 员工 (Employees) 表中", found=inc.employee_id))
        if inc.kind == "client_lost":
            client = clients.get(inc.client_id or "")
            if not inc.client_id:
                probs.append(book.problem(P.ERROR, "Incidents", inc, "client_id", "客户流失事件必须填写客户编号", found="(空)"))
            elif client is None:
                probs.append(book.problem(P.ERROR, "Incidents", inc, "client_id", f"客户 {inc.client_id} 不在 客户 (Clients) 表中", found=inc.client_id))
            else:
                important = is_important(book, client)
                if inc.severity == "important" and not important:
                    probs.append(book.problem(P.WARNING, "Incidents", inc, "severity", f"事件标为重要客户，但客户 {inc.client_id} 未标记为重要或战略客户：按一般客户扣款", found=inc.severity))
                if inc.severity == "general" and important:
                    probs.append(book.problem(P.WARNING, "Incidents", inc, "severity", f"事件标为一般客户，但客户 {inc.client_id} 是重要/战略客户：按重要客户扣款", found=inc.severity))
        if inc.kind == "complaint" and inc.severity not in ("minor", "serious"):
            probs.append(book.problem(P.ERROR, "Incidents", inc, "severity", "投诉事件的程度必须是 minor（轻微）或 serious（严重）", expected="minor / serious", found=inc.severity))
    return probs


def compute(book: Book) -> tuple[list[Line], list[P.Problem]]:
    lines: list[Line] = []
    probs: list[P.Problem] = []
    sheet = book.title("Incidents")
    emps = book.employees
    pol = book.policy
    violations: dict[str, list] = defaultdict(list)
    for inc in sorted(pn_history(book), key=lambda i: (i.date, i.incident_id)):  # this sheet + violations carried in via the ledger
        if inc.kind == "violation":
            violations[inc.employee_id].append(inc)
    by_month: dict[tuple[str, str], list] = defaultdict(list)
    for inc in book.rows("Incidents"):
        if book.period.contains(inc.date):
            by_month[(inc.employee_id, f"{inc.date.year:04d}-{inc.date.month:02d}")].append(inc)
    pay = next_month(book.period.end)
    cap = pol["pn_monthly_cap"]
    for (emp_id, month), incs in sorted(by_month.items()):
        total_pct = ZERO
        parts, refs = [], []
        for inc in sorted(incs, key=lambda i: (i.date, i.incident_id)):
            key, desc = classify(book, inc, violations.get(emp_id, []))
            pct: Decimal = pol[key]
            ref = f"{sheet}!R{inc.row}"
            if pct == 0:
                lines.append(outcome(emp_id, "PN", "PN", RECORDED, f"{inc.date.isoformat()} {desc}：记录，不扣款（事件 {inc.incident_id}）", rule=RULE, inputs=(ref,), month=month, pay_month=pay))
                continue
            total_pct += pct
            parts.append(f"{inc.date.isoformat()} {desc} {fmt_plain(pct * 100)}%（事件 {inc.incident_id}）")
            refs.append(ref)
        if not parts:
            continue
        emp = emps.get(emp_id)
        bonus = emp.performance_bonus if emp is not None else None
        if bonus is None:
            probs.append(book.problem(P.ERROR, "Employees", emp, "performance_bonus", f"员工 {emp_id} 有扣款事件，但没有填写月绩效奖金，无法计算扣款", expected="月绩效奖金", found="(空)"))
            continue
        applied = min(total_pct, cap)
        capped = "" if applied == total_pct else f"，合计 {fmt_plain(total_pct * 100)}% 封顶为 {fmt_plain(cap * 100)}%"
        basis = f"{month} 月绩效奖金 {fmt_plain(bonus)} × {fmt_plain(applied * 100)}%{capped}：" + "；".join(parts)
        lines.append(Line(emp_id, "PN", "PN", -(bonus * applied), basis, RULE, f"扣 {fmt_plain(applied * 100)}%", tuple(refs), pay, month=month))
    return lines, probs
