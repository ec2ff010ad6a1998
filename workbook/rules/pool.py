"""PP: the annual performance-pay pool (POLICY §11), computed in Q4.

Each person on the Ratings sheet for the year gets a weight = rating weight ×
tenure factor, where the tenure factor is 1 + step × full years (capped). The
budget ``pp_budget`` is split in proportion to the weights by the largest
remainder, so the parts add up to the budget exactly to the fen. The weights
and the tenure factor are Example values (the source gives none).
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal

from .. import problems as P
from ..lines import Line
from ..model import Book
from ..money import ZERO, fmt_plain, round_fen, split_largest_remainder
from ..periods import next_month

RULE = "POLICY §11 绩效工资分配"
RATING_PARAMS = {"优秀": "pp_weight_excellent", "良好": "pp_weight_good", "合格": "pp_weight_pass"}


@dataclass(frozen=True)
class Share:
    employee_id: str
    rating: str
    rating_weight: Decimal
    years: int  # full years counted (after the cap)
    tenure_factor: Decimal
    weight: Decimal
    amount: Decimal


def tenure_factor(tenure_years: Decimal, step: Decimal, cap_years: int) -> tuple[int, Decimal]:
    """(full years counted, 1 + step × those years)."""
    years = min(int(tenure_years.to_integral_value(rounding=ROUND_FLOOR)), cap_years)
    return years, 1 + step * years


def split_pool(budget: Decimal, people: list[tuple[str, str, Decimal]], rating_weights: dict[str, Decimal],
               step: Decimal, cap_years: int) -> list[Share]:
    """Split ``budget`` over (employee_id, rating, tenure_years). Pure; parts add up to the budget.

    Raises ``ValueError`` when every weight is zero (nobody to pay)."""
    rows = []
    for emp, rating, tenure in people:
        years, factor = tenure_factor(tenure, step, cap_years)
        rows.append((emp, rating, rating_weights[rating], years, factor, rating_weights[rating] * factor))
    parts = split_largest_remainder(budget, [r[5] for r in rows])
    return [Share(*r, amount) for r, amount in zip(rows, parts)]


def year_rows(book: Book) -> list:
    return [r for r in book.rows("Ratings") if r.year == book.period.year]


def check(book: Book) -> list[P.Problem]:
    if not book.period.is_year_end:
        return []
    rows = year_rows(book)
    if not rows:
        return []
    probs: list[P.Problem] = []
    budget = book.policy["pp_budget"]
    if budget is None or budget <= 0:
        probs.append(P.error(book.title("Policy"), "", "pp_budget", f"{book.period.year} 年有绩效评级，须在 政策参数 填写绩效工资总预算 pp_budget", expected="> 0", found=budget))
    elif budget != round_fen(budget):  # the parts add up to the budget exactly, so it must be whole fen
        row = next((r for r in book.rows("Policy") if str(r.key).strip() == "pp_budget"), None)
        probs.append(P.error(book.title("Policy"), book.cell("Policy", row, "value"), "pp_budget", "绩效工资总预算 pp_budget 须精确到分（最多两位小数）",
                             expected=fmt_plain(round_fen(budget)), found=fmt_plain(budget)))
    emps = book.employees
    for r in rows:
        if r.employee_id not in emps:
            probs.append(book.problem(P.ERROR, "Ratings", r, "employee_id", f"工号 {r.employee_id} 不在 员工 (Employees) 表中", found=r.employee_id))
        if r.tenure_years < 0:
            probs.append(book.problem(P.ERROR, "Ratings", r, "tenure_years", "司龄不能为负数", expected="≥ 0", found=r.tenure_years))
    for rating, key in RATING_PARAMS.items():
        w = book.policy[key]
        if w is None or w < 0:
            probs.append(P.error(book.title("Policy"), "", key, f"评级 {rating} 的权重必须 ≥ 0", expected="≥ 0", found=w))
    if not probs and all(book.policy[RATING_PARAMS[r.rating]] == 0 for r in rows):
        probs.append(P.error(book.title("Policy"), "", "pp_weight_excellent", "所有人的分配权重都为 0，绩效工资无法分配"))
    return probs


def compute(book: Book) -> tuple[list[Line], list[P.Problem]]:
    if not book.period.is_year_end:
        return [], []
    rows = sorted(year_rows(book), key=lambda r: r.employee_id)
    budget = book.policy["pp_budget"]
    if not rows or budget is None:
        return [], []
    weights = {rating: book.policy[key] for rating, key in RATING_PARAMS.items()}
    step, cap = book.policy["pp_tenure_step"], int(book.policy["pp_tenure_cap_years"])
    try:
        shares = split_pool(budget, [(r.employee_id, r.rating, r.tenure_years) for r in rows], weights, step, cap)
    except ValueError as e:
        return [], [P.error(book.title("Ratings"), "", "rating", f"绩效工资无法分配：{e}")]
    total_w = sum((s.weight for s in shares), ZERO)
    pay = next_month(book.period.end)
    lines = []
    for r, s in zip(rows, shares):
        basis = (f"{book.period.year} 年绩效工资总预算 {fmt_plain(budget)}；评级 {s.rating} 权重 {fmt_plain(s.rating_weight)} × "
                 f"司龄系数 (1 + {fmt_plain(step * 100)}% × {s.years} 年) = {fmt_plain(s.weight)}；全员权重合计 {fmt_plain(total_w)}；"
                 f"按权重比例最大余额法分得 {fmt_plain(s.amount)}")
        lines.append(Line(s.employee_id, "PP", "PP", s.amount, basis, RULE, f"{s.rating} × {fmt_plain(s.tenure_factor)}",
                          (f"{book.title('Ratings')}!R{r.row}",), pay))
    return lines, []
