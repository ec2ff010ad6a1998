"""SA: the quarterly satisfaction award (POLICY §3). Only the highest tier pays."""
from __future__ import annotations

from decimal import Decimal

from .. import problems as P
from ..lines import Line
from ..model import Book
from ..money import fmt_plain
from ..periods import next_month
from ..tiers import Band, NoBand

RULE = "POLICY §3 客户满意度奖励"


def award_band(policy, satisfaction: Decimal) -> Band:
    """The SA band (its value is the award) for one satisfaction ratio; ``NoBand`` if uncovered.
    Shared with the BB_SA_AWARD cell function."""
    return policy.tier("sa_award").lookup(satisfaction)


def check(book: Book) -> list[P.Problem]:
    """A row of the run's period must name someone on Employees: a typo would pay nobody."""
    emps, period = book.employees, str(book.period)
    return [book.problem(P.ERROR, "Satisfaction", r, "employee_id", f"工号 {r.employee_id} 不在 员工 (Employees) 表中", found=r.employee_id)
            for r in book.rows("Satisfaction") if r.period == period and r.employee_id not in emps]


def compute(book: Book) -> tuple[list[Line], list[P.Problem]]:
    lines, probs = [], []
    sheet = book.title("Satisfaction")
    pay = next_month(book.period.end)
    for r in book.rows("Satisfaction"):
        if r.period != str(book.period):
            continue
        try:
            band = award_band(book.policy, r.satisfaction)
        except NoBand as e:
            probs.append(book.problem(P.ERROR, "Satisfaction", r, "satisfaction", str(e), found=r.satisfaction))
            continue
        label = band.label(percent=True)
        basis = f"满意度 {fmt_plain(r.satisfaction * 100)}%，档位 {label} → {fmt_plain(band.value)}"
        lines.append(Line(r.employee_id, "SA", "SA", band.value, basis, RULE, label, (f"{sheet}!R{r.row}",), pay))
    return lines, probs
