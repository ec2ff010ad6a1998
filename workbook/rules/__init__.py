"""The registry of components: an explicit, immutable tuple, in payout order.

Each rule is a small pure module with ``compute(book) -> (lines, problems)`` and,
where it has input checks of its own, ``check(book) -> problems``. A component
runs when ``Settings.components`` names it, or, when that is blank, when the
book has the data it needs.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from ..model import Book
from . import adjustments
from . import grade_checks, grades
from . import campaign, key_account, kpi, maintenance, new_client, penalty, pool, salary_bands, satisfaction, scorecard, team, unit_commission


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    compute: Callable
    check: Callable | None
    needs: tuple[str, ...]  # sheets whose rows switch the component on when components is blank


RULES: tuple[Rule, ...] = (
    Rule("NC", "新客户开发奖励", new_client.compute, new_client.check, ("Claims",)),
    Rule("MT", "客户维护奖励", maintenance.compute, None, ("Deals",)),
    Rule("SA", "客户满意度奖励", satisfaction.compute, satisfaction.check, ("Satisfaction",)),
    Rule("TM", "团队奖励", team.compute, None, ("Deals",)),
    Rule("PN", "惩罚扣款", penalty.compute, penalty.check, ("Incidents",)),
    Rule("KA", "大客户部季度提成", key_account.compute, key_account.check, ("Targets", "OpeningBalances")),
    Rule("KP", "KPI 考核系数", kpi.compute, kpi.check, ("KPI",)),
    Rule("KC", "关键客户台次绩效", unit_commission.compute, unit_commission.check, ("Units",)),
    Rule("AC", "A类客户开发奖惩", campaign.compute, campaign.check, ("Deals",)),
    Rule("SC", "月度考核奖金", scorecard.compute, scorecard.check, ("Scorecard",)),
    Rule("PP", "绩效工资分配", pool.compute, pool.check, ("Ratings",)),
    Rule("SB", "薪酬带校验", salary_bands.compute, salary_bands.check, ()),  # opt-in: only when Settings.components names it
    Rule("GR", "客户经理等级评审", grades.compute, grade_checks.check_grades, ("GradeReview",)),
    Rule("ADJ", "调整（更正已发布期间）", adjustments.compute, adjustments.check, ("Adjustments",)),
)
ALWAYS = ("ADJ",)  # not a component one switches on: rows on its sheet always pay


def active_rules(book: Book) -> tuple[Rule, ...]:
    return tuple(r for r in RULES if rule_is_active(book, r))


def rule_is_active(book: Book, rule: Rule) -> bool:
    """Whether ``rule`` runs for ``book``: named in Settings.components, or (blank) its sheets have rows."""
    chosen = book.settings.components
    if chosen:
        return rule.code in chosen or (rule.code in ALWAYS and any(book.rows(s) for s in rule.needs))
    return any(book.rows(s) for s in rule.needs)


def rule_active(book: Book, code: str) -> bool:
    """Whether the component ``code`` runs for ``book`` (reads only that component's sheets)."""
    return rule_is_active(book, next(r for r in RULES if r.code == code))
