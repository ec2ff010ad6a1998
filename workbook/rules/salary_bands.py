"""SB: salary bands by level (POLICY §12). It pays nothing; it warns.

An employee whose monthly base salary or commission rate lies outside the band
of their grade (初级 / 中级 / 高级, from the Employees sheet's ``grade``, which
the grade review GR maintains) gets a validation warning at the offending
cell. Bands include both ends (the source writes 5,000–8,000 and 8,000–12,000,
so 8,000 fits both junior and middle). A blank grade, salary or rate is not
checked: there is nothing to compare.

SB is opt-in: it runs only when ``Settings.components`` names it, because the
bands are one sample pay scheme that many companies do not follow, and a
warning on every employee would bury the warnings that matter.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .. import problems as P
from ..model import Book
from ..money import fmt_plain

LEVEL_KEYS = {"初级": "junior", "中级": "middle", "高级": "senior"}


@dataclass(frozen=True)
class Band:
    base_min: Decimal
    base_max: Decimal
    rate_min: Decimal
    rate_max: Decimal


def bands(policy) -> dict[str, Band]:
    return {level: Band(policy[f"sb_{k}_base_min"], policy[f"sb_{k}_base_max"], policy[f"sb_{k}_rate_min"], policy[f"sb_{k}_rate_max"])
            for level, k in LEVEL_KEYS.items()}


def outside(grade: str, base: Decimal | None, rate: Decimal | None, table: dict[str, Band]) -> list[tuple[str, str, Decimal]]:
    """(column, expected range, found) for each value outside the grade's band. Pure."""
    band = table.get((grade or "").strip())
    if band is None:
        return []
    out = []
    if base is not None and not (band.base_min <= base <= band.base_max):
        out.append(("base_salary", f"{fmt_plain(band.base_min)}–{fmt_plain(band.base_max)}", base))
    if rate is not None and not (band.rate_min <= rate <= band.rate_max):
        out.append(("commission_rate", f"{fmt_plain(band.rate_min * 100)}%–{fmt_plain(band.rate_max * 100)}%", rate))
    return out


def check(book: Book) -> list[P.Problem]:
    table = bands(book.policy)
    probs: list[P.Problem] = []
    for level, b in table.items():
        if b.base_min > b.base_max or b.rate_min > b.rate_max:
            probs.append(P.error(book.title("Policy"), "", f"sb_{LEVEL_KEYS[level]}_base_min", f"{level} 的薪酬带下限大于上限"))
    for e in book.rows("Employees"):
        for column, expected, found in outside(e.grade, e.base_salary, e.commission_rate, table):
            what = "月基本工资" if column == "base_salary" else "提成比例"
            shown = fmt_plain(found) if column == "base_salary" else f"{fmt_plain(found * 100)}%"
            probs.append(book.problem(P.WARNING, "Employees", e, column,
                                      f"员工 {e.employee_id} 等级 {e.grade.strip()} 的{what}超出该等级薪酬带：请核对等级或薪酬", expected, shown))
    return probs


def compute(book: Book) -> tuple[list, list[P.Problem]]:
    """SB pays nothing; its warnings come from ``check`` in the validation stage."""
    return [], []
