"""MT: the annual customer-maintenance award (POLICY §2), computed in Q4.

Existing clients are those the employee was credited with a deal before this
year. G = this year's credited sales to them − last year's; g = G / last year's.
The tier rate applies to the whole G. With no sales last year g is undefined:
no award, and a warning instead of a guess.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from .. import problems as P
from ..lines import RECORDED, Line, outcome
from ..model import Book
from ..money import ZERO, fmt_plain
from ..periods import next_month
from ..tiers import NoBand
from .deals import credit

RULE = "POLICY §2 客户维护奖励"


def compute(book: Book) -> tuple[list[Line], list[P.Problem]]:
    if not book.period.is_year_end:
        return [], []
    year = book.period.year
    start = dt.date(year, 1, 1)
    pay = next_month(book.period.end)
    existing: dict[str, set[str]] = defaultdict(set)
    for r in book.rows("Deals"):
        if r.signed_on < start:
            existing[r.employee_id].add(r.client_id)
    this: dict[str, Decimal] = defaultdict(lambda: ZERO)
    last: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for r in book.rows("Deals"):
        if r.client_id not in existing.get(r.employee_id, ()):
            continue
        if r.signed_on.year == year and r.signed_on <= book.period.end:
            this[r.employee_id] += credit(r)
        elif r.signed_on.year == year - 1:
            last[r.employee_id] += credit(r)
    lines: list[Line] = []
    probs: list[P.Problem] = []
    table = book.policy.tier("mt_rate")
    for emp in sorted(existing):
        t, l = this[emp], last[emp]
        n = len(existing[emp])
        if l == 0:
            msg = f"{n} 家老客户上年（{year - 1}）销售额为 0，增长率无法计算，不发放维护奖励"
            lines.append(outcome(emp, "MT", "MT", RECORDED, msg, rule=RULE, pay_month=pay))
            probs.append(P.warning(book.title("Deals"), "", "amount", f"员工 {emp}：{msg}"))
            continue
        growth = t - l
        g = growth / l
        head = f"{n} 家老客户：{year} 年 {fmt_plain(t)}，{year - 1} 年 {fmt_plain(l)}，增长额 {fmt_plain(growth)}"
        if growth <= 0:
            lines.append(outcome(emp, "MT", "MT", RECORDED, head + "，未增长，不发放", rule=RULE, pay_month=pay))
            continue
        try:
            band = table.lookup(g)
        except NoBand as e:
            probs.append(P.error(book.title("Tiers"), "", "table", str(e)))
            continue
        label = band.label(percent=True)
        basis = f"{head}，增长率 {fmt_plain((g * 100).quantize(Decimal('0.01')))}%（{label}）→ 比例 {fmt_plain(band.value * 100)}% × 增长额"
        lines.append(Line(emp, "MT", "MT", band.value * growth, basis, RULE, label, (), pay))
    return lines, probs
