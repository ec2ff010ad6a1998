"""The run pipeline: validate -> compute every active rule -> payout rows.

Calculate refuses while there are blocking errors; warnings pass through and are
shown. Rules are pure: they read the ``Book`` and return lines and problems.
The Payout view aggregates paid lines per employee, item and payroll month,
in the finance column order.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Callable

from . import problems as P
from .lines import ITEM_NAMES, PAID, Line
from .early import Early
from .load import gc_paused
from .model import Book
from .money import ZERO
from .records import quick_init
from .periods import next_month
from .rules import active_rules
from .validate import check_book

PAYOUT_COLUMNS = ("period", "pay_month", "employee_id", "employee_name", "department", "item_code", "item_name", "amount", "currency", "basis")


@quick_init
@dataclass(frozen=True)
class PayoutRow:
    period: str
    pay_month: str
    employee_id: str
    employee_name: str
    department: str
    item_code: str
    item_name: str
    amount: Decimal
    currency: str
    basis: str


def validate(book: Book, early: Early | None = None) -> list[P.Problem]:
    return check_book(book, early)


def compute(book: Book, progress: Callable[[str], None] | None = None, early: Early | None = None) -> tuple[list[Line], list[P.Problem]]:
    """Every active rule's lines, in registry order. Assumes a validated book.

    ``early`` holds the results of rules already computed while Deals loaded.
    """
    lines: list[Line] = []
    probs: list[P.Problem] = []
    with gc_paused():
        for rule in active_rules(book):
            if progress:
                progress(f"计算 {rule.code} {rule.name}")
            out, rprobs = early.compute(book, rule) if early is not None else rule.compute(book)
            lines.extend(out)
            probs.extend(rprobs)
    return lines, probs


def payout_rows(book: Book, lines: list[Line]) -> list[PayoutRow]:
    """One row per employee, item and payroll month; zero rows left out; sorted."""
    emps = book.employees
    sums: dict[tuple[str, str, str], Decimal] = defaultdict(lambda: ZERO)
    bases: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    default_month = next_month(book.period.end)
    for ln in lines:
        if ln.status != PAID:
            continue
        key = (ln.employee_id, ln.item_code, ln.pay_month or default_month)
        sums[key] += ln.amount
        bases[key].append(ln.basis)
    rows = []
    for (emp_id, code, month), amount in sums.items():
        if amount == 0:
            continue
        e = emps.get(emp_id)
        rows.append(PayoutRow(str(book.period), month, emp_id, e.name if e else "", e.department if e else "", code,
                              ITEM_NAMES.get(code, code), amount, "CNY", " | ".join(bases[(emp_id, code, month)])))
    rows.sort(key=lambda r: (r.employee_id, r.item_code, r.pay_month))
    return rows
