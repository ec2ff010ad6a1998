"""SC: the monthly key-account scorecard (POLICY §10), monthly.

Monthly pay = base salary + A-bonus + B-bonus ± other; this rule pays the two
bonuses (base salary and "other" belong to payroll and to PN/ADJ). The source
is cut off where it defines the percentage C, so the formula is Decided:

- A (performance, 60%): the sales-task and push-product completions;
- B (management, 40%): the collections completion, the client-development and
  leads points (50 per qualifying new client, 10 per new lead; the sheet's
  ``new_clients`` counts only clients with ≥ 2 signed deals totalling ≥ 3,000
  in the month, as HR assesses them), and the admin score out of 100;
- every completion is capped at 120%; points are divided by 100 and capped at 1.2;
- the A score and the B score are the means of their items;
- A-bonus = monthly performance pay × 60% × A; B-bonus = × 40% × B.

The monthly performance pay is the Employees sheet's ``performance_bonus``.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .. import problems as P
from ..lines import Line
from ..model import Book
from ..money import ZERO, fmt_plain
from ..periods import next_month

RULE = "POLICY §10 大客户部月度考核"


@dataclass(frozen=True)
class SCParams:
    a_share: Decimal = Decimal("0.6")
    b_share: Decimal = Decimal("0.4")
    completion_cap: Decimal = Decimal("1.2")
    per_client: Decimal = Decimal(50)
    per_lead: Decimal = Decimal(10)
    points_full: Decimal = Decimal(100)
    points_cap: Decimal = Decimal("1.2")

    @classmethod
    def from_policy(cls, pol) -> "SCParams":
        return cls(pol["sc_a_share"], pol["sc_b_share"], pol["sc_completion_cap"], pol["sc_points_per_client"],
                   pol["sc_points_per_lead"], pol["sc_points_full"], pol["sc_points_cap"])


@dataclass(frozen=True)
class ScoreResult:
    a_items: tuple[Decimal, Decimal]  # sales, push (capped)
    b_items: tuple[Decimal, Decimal, Decimal]  # collections, development points, admin (capped)
    points: Decimal  # raw development and leads points
    a_score: Decimal
    b_score: Decimal
    a_bonus: Decimal
    b_bonus: Decimal

    @property
    def amount(self) -> Decimal:
        return self.a_bonus + self.b_bonus


def score(sales: Decimal, push: Decimal, collection: Decimal, new_clients: int, leads: int, admin: Decimal,
          performance_pay: Decimal, p: SCParams = SCParams()) -> ScoreResult:
    """One month's A and B bonuses. Pure; inputs are assumed non-negative (``check`` says so)."""
    a_items = (min(sales, p.completion_cap), min(push, p.completion_cap))
    points = p.per_client * new_clients + p.per_lead * leads
    b_items = (min(collection, p.completion_cap), min(points / p.points_full, p.points_cap), min(admin / p.points_full, p.points_cap))
    a = sum(a_items, ZERO) / len(a_items)
    b = sum(b_items, ZERO) / len(b_items)
    return ScoreResult(a_items, b_items, points, a, b, performance_pay * p.a_share * a, performance_pay * p.b_share * b)


def period_rows(book: Book) -> list:
    months = set(book.period.months)
    return [r for r in book.rows("Scorecard") if tuple(r.month) in months]


def check(book: Book) -> list[P.Problem]:
    probs: list[P.Problem] = []
    emps = book.employees
    missing_pay = set()
    for r in period_rows(book):
        e = emps.get(r.employee_id)
        if e is None:
            probs.append(book.problem(P.ERROR, "Scorecard", r, "employee_id", f"工号 {r.employee_id} 不在 员工 (Employees) 表中", found=r.employee_id))
        elif e.performance_bonus is None and r.employee_id not in missing_pay:
            missing_pay.add(r.employee_id)
            probs.append(book.problem(P.ERROR, "Employees", e, "performance_bonus", f"员工 {r.employee_id} 有月度考核，须填写月绩效奖金（A/B 类奖金的基数）", expected="月绩效奖金", found="(空)"))
        for col in ("sales_completion", "push_completion", "collection_completion", "new_clients", "leads", "admin_score"):
            v = getattr(r, col)
            if v is not None and v < 0:
                probs.append(book.problem(P.ERROR, "Scorecard", r, col, "考核数据不能为负数", expected="≥ 0", found=v))
    return probs


def _pct(x: Decimal) -> str:
    return fmt_plain((x * 100).quantize(Decimal("0.01")).normalize()) + "%"


def compute(book: Book) -> tuple[list[Line], list[P.Problem]]:
    lines: list[Line] = []
    p = SCParams.from_policy(book.policy)
    pay = next_month(book.period.end)
    emps = book.employees
    for r in sorted(period_rows(book), key=lambda r: (r.employee_id, tuple(r.month))):
        e = emps.get(r.employee_id)
        if e is None or e.performance_bonus is None:
            continue  # reported by check
        res = score(r.sales_completion, r.push_completion, r.collection_completion, r.new_clients, r.leads, r.admin_score, e.performance_bonus, p)
        month = f"{r.month[0]:04d}-{r.month[1]:02d}"
        cap = _pct(p.completion_cap)
        basis = (f"{month}：A 类 = 平均(销售任务 {_pct(res.a_items[0])}，主推 {_pct(res.a_items[1])}) = {_pct(res.a_score)}（完成率封顶 {cap}）；"
                 f"B 类 = 平均(回款 {_pct(res.b_items[0])}，客户开拓及线索 {fmt_plain(res.points)} 分 → {_pct(res.b_items[1])}，"
                 f"行政评分 {fmt_plain(r.admin_score)} → {_pct(res.b_items[2])}) = {_pct(res.b_score)}；"
                 f"月绩效奖金 {fmt_plain(e.performance_bonus)} × ({_pct(p.a_share)} × A + {_pct(p.b_share)} × B) = "
                 f"{fmt_plain(res.a_bonus.quantize(Decimal('0.01')))} + {fmt_plain(res.b_bonus.quantize(Decimal('0.01')))}")
        band = f"A {_pct(res.a_score)} / B {_pct(res.b_score)}"
        lines.append(Line(r.employee_id, "SC", "SC", res.amount, basis, RULE, band, (f"{book.title('Scorecard')}!R{r.row}",), pay, month=month))
    return lines, []
