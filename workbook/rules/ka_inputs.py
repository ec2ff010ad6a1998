"""KA's view of the book: who takes part, their measured quarter, their opening state.

Kept apart from the arithmetic in ``key_account`` so the rule stays a pure
function of (state, quarter). This module decides what counts:

- a participant is an employee with a Targets row for the run's quarter;
- a Deals row of the quarter counts only with a revenue type, and only when it
  is registered in the CRM (a blank ``in_crm`` is an input error, never a guess;
  ``N`` is excluded and the results say so);
- each line is measured by the revenue-type table (net amount, or gross margin
  for secondary development) and credited by the person's share;
- a new hire's first quarter is the quarter of their hire date (Decided);
- the opening state is the previous locked quarter's closing state from
  ``book.carried["KA"]`` when present, else the OpeningBalances sheet.
"""
from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from .. import problems as P
from ..lines import RECORDED, Line, outcome
from ..model import Book
from ..money import ZERO, fmt_plain
from ..periods import Quarter, next_month
from ..schema import REVENUE_TYPES
from .deals import period_rows_by_employee
from . import kpi
from .ka_state import KAState, QuarterInput, Shortfall

RULE = "POLICY §6 大客户部季度提成"
TYPE_PARAMS = ("ka_counting_types", "ka_flat_types", "ka_margin_types")


def type_sets(book: Book) -> dict[str, frozenset[str]]:
    """The revenue-type table from the Policy sheet: param key -> set of type keys."""
    return {k: frozenset(t.strip() for t in (book.policy[k] or "").replace("，", ",").split(",") if t.strip()) for k in TYPE_PARAMS}


def targets(book: Book) -> dict[str, object]:
    period = str(book.period)
    return {r.employee_id: r for r in book.rows("Targets") if r.period == period}


def opening_states(book: Book) -> dict[str, KAState]:
    """Opening state per employee: carried from the ledger, else OpeningBalances."""
    carried = book.carried.get("KA")
    if carried is not None:
        return {emp: st if isinstance(st, KAState) else KAState.from_dict(st) for emp, st in carried.items()}
    shortfalls: dict[str, list[Shortfall]] = defaultdict(list)
    excess: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for r in book.rows("OpeningBalances"):
        if r.kind == "shortfall":
            shortfalls[r.employee_id].append(Shortfall(r.period, r.base or ZERO, r.flat or ZERO, r.amount))
        else:
            excess[r.employee_id] += r.amount
    out = {}
    for emp in set(shortfalls) | set(excess):
        sfs = sorted(shortfalls.get(emp, ()), key=lambda s: Quarter.parse(s.period))
        out[emp] = KAState(tuple(sfs), excess.get(emp, ZERO))
    return out


def _period_deals(book: Book, people) -> dict[str, list]:
    index = period_rows_by_employee(book)
    return {e: index[e] for e in people if e in index}


def gather(book: Book) -> tuple[dict[str, QuarterInput], dict[str, KAState], list[Line], list[P.Problem]]:
    """(quarter inputs, opening states, lines for excluded deals, problems) of the run."""
    sets = type_sets(book)
    counting, flat, margin = sets["ka_counting_types"], sets["ka_flat_types"], sets["ka_margin_types"]
    tgt = targets(book)
    emps = book.employees
    pay = next_month(book.period.end)
    deals_title = book.title("Deals")
    results, _ = kpi.coefficients(book)
    scored = kpi.groups(book, str(book.period))
    default_k = book.policy["ka_missing_kpi_k"]
    by_emp = _period_deals(book, tgt)
    period = str(book.period)
    targets_title = book.title("Targets")
    probs: list[P.Problem] = []
    lines: list[Line] = []
    inputs: dict[str, QuarterInput] = {}
    for emp in tgt:
        if (emp, period) in scored and emp not in results:
            probs.append(book.problem(P.ERROR, "KPI", scored[(emp, period)][0], "weight", f"员工 {emp} 的 KPI 无法计算，大客户提成需要其 KPI 系数：请先修正 KPI 表"))
            continue
        counted = flat_counted = flat_total = ZERO  # the three tallies, each added up in row order
        refs = [f"{targets_title}!R{tgt[emp].row}"]
        for r in by_emp.get(emp, ()):
            kind = r.revenue_type
            if kind is None:
                continue
            ref = f"{deals_title}!R{r.row}"
            if r.in_crm is not True:
                lines.append(outcome(emp, "KA", "KA", RECORDED, f"成交 {r.deal_id}（客户 {r.client_id}，{kind}，金额 {fmt_plain(r.amount)}）未录入 CRM：不计提奖金、不计入销售任务额", rule=RULE, inputs=(ref,), pay_month=pay))
                continue
            base = r.gross_margin if kind in margin else r.amount
            if base is None:
                probs.append(book.problem(P.ERROR, "Deals", r, "gross_margin", f"{kind} 收入以毛利计入，毛利不能为空", expected="毛利金额", found="(空)"))
                continue
            credited = base * r.share
            refs.append(ref)
            if kind in flat:
                flat_total += credited
                if kind in counting:
                    counted += credited
                    flat_counted += credited
            elif kind in counting:
                counted += credited
        e = emps.get(emp)
        new_hire = _new_hire(book, e)
        res = results.get(emp)
        if res is not None:
            k, ktext = res.k, f"KPI 系数 k = {kpi.show(res.k)}（加权得分 {kpi.show(res.score)}）"
        else:
            k, ktext = default_k, f"无 KPI 考核记录，按参数 ka_missing_kpi_k 取 k = {fmt_plain(default_k)}"
        inputs[emp] = QuarterInput(emp, period, tgt[emp].target, counted, flat_counted, flat_total,
                                   k, new_hire, getattr(e, "floating_wage", None), pay, tuple(refs), ktext)
    return inputs, opening_states(book), lines, probs


def _new_hire(book: Book, employee) -> bool:
    """The quarter of the hire date is the new hire's first quarter, which carries no task (Decided)."""
    hire = getattr(employee, "hire_date", None)
    return bool(book.policy["ka_new_hire_no_task"]) and hire is not None and book.period.contains(hire)


def _check_types(book: Book) -> list[P.Problem]:
    probs = []
    for key, values in type_sets(book).items():
        bad = sorted(values - set(REVENUE_TYPES))
        if bad:
            probs.append(P.error(book.title("Policy"), "", key, f"参数 {key} 含未知收入类型 {', '.join(bad)}", expected=", ".join(REVENUE_TYPES), found=book.policy[key]))
    return probs


def _check_openings(book: Book) -> list[P.Problem]:
    rows = book.rows("OpeningBalances")
    if "KA" in book.carried:
        if rows:
            return [P.warning(book.title("OpeningBalances"), "", "employee_id", "已从上一锁定季度带入大客户提成的期末状态，期初余额 (OpeningBalances) 表本期不再使用")]
        return []
    probs: list[P.Problem] = []
    emps = book.employees
    seen: dict[tuple, int] = {}
    for r in rows:
        if r.employee_id not in emps:
            probs.append(book.problem(P.ERROR, "OpeningBalances", r, "employee_id", f"工号 {r.employee_id} 不在 员工 (Employees) 表中", found=r.employee_id))
        if Quarter.parse(r.period) >= book.period:
            probs.append(book.problem(P.ERROR, "OpeningBalances", r, "period", f"期初余额的期间必须早于本期 {book.period}", expected=f"< {book.period}", found=r.period))
        key = (r.employee_id, r.kind, r.period if r.kind == "shortfall" else "")
        if key in seen:
            what = f"{r.period} 的欠额" if r.kind == "shortfall" else "结转额"
            probs.append(book.problem(P.ERROR, "OpeningBalances", r, "kind", f"员工 {r.employee_id} 的{what}重复（第 {seen[key]} 行已有）", found=r.kind))
        seen.setdefault(key, r.row)
        if r.amount < 0:
            probs.append(book.problem(P.ERROR, "OpeningBalances", r, "amount", "金额不能为负数", expected="≥ 0", found=r.amount))
        if r.kind == "shortfall":
            if r.base is None:
                probs.append(book.problem(P.ERROR, "OpeningBalances", r, "base", "欠额行必须填写该季度的基数 B", expected="基数金额", found="(空)"))
            elif r.amount > r.base:
                probs.append(book.problem(P.ERROR, "OpeningBalances", r, "amount", "欠额不能大于该季度的基数", expected=f"≤ {fmt_plain(r.base)}", found=r.amount))
            if r.amount == 0:
                probs.append(book.problem(P.ERROR, "OpeningBalances", r, "amount", "欠额为 0 的季度已补足，请删除该行", expected="> 0", found=r.amount))
            if r.flat is not None and r.flat < 0:
                probs.append(book.problem(P.ERROR, "OpeningBalances", r, "flat", "固定费率收入不能为负数", expected="≥ 0", found=r.flat))
    return probs


def check(book: Book) -> list[P.Problem]:
    """KA's input errors and warnings: types, targets, opening balances, the quarter's deals, KPI."""
    probs = _check_types(book)
    tgt = targets(book)
    emps = book.employees
    for emp, r in tgt.items():
        if emp not in emps:
            probs.append(book.problem(P.ERROR, "Targets", r, "employee_id", f"工号 {emp} 不在 员工 (Employees) 表中", found=emp))
        elif emps[emp].floating_wage is None:
            probs.append(book.problem(P.WARNING, "Employees", emps[emp], "floating_wage", f"员工 {emp} 参与大客户提成但未填写季度浮动工资：达标时无法发放", expected="季度浮动工资", found="(空)"))
        if r.target < 0:
            probs.append(book.problem(P.ERROR, "Targets", r, "target", "季度任务额不能为负数", expected="≥ 0", found=r.target))
        elif r.target == 0 and not _new_hire(book, emps.get(emp)):
            probs.append(book.problem(P.WARNING, "Targets", r, "target",
                                      f"员工 {emp} 的季度任务额为 0：基数 B = 0，完成额低于 {fmt_plain(book.policy['ka_carry_threshold'])} 时超出目标的部分全部转入下季，本季不计提任务奖金；请核对任务额",
                                      expected="> 0", found=r.target))
    probs += _check_openings(book)
    margin = type_sets(book)["ka_margin_types"]
    for emp, deals in _period_deals(book, tgt).items():
        for r in deals:
            if r.revenue_type is None:
                probs.append(book.problem(P.WARNING, "Deals", r, "revenue_type", f"员工 {emp} 参与大客户提成，成交 {r.deal_id} 未填写收入类型：不计入大客户提成", expected=", ".join(REVENUE_TYPES), found="(空)"))
                continue
            if r.in_crm is None:
                probs.append(book.problem(P.ERROR, "Deals", r, "in_crm", f"成交 {r.deal_id} 须注明是否已录入 CRM（未录入的不计提奖金、不计入任务）", expected="Y 或 N", found="(空)"))
            elif not r.in_crm:
                probs.append(book.problem(P.WARNING, "Deals", r, "in_crm", f"成交 {r.deal_id} 未录入 CRM：不计提大客户奖金、不计入销售任务额", found="N"))
            if r.revenue_type in margin and r.gross_margin is None:
                probs.append(book.problem(P.ERROR, "Deals", r, "gross_margin", f"{r.revenue_type} 收入以毛利计入销售额，毛利不能为空", expected="毛利金额", found="(空)"))
    comps = book.settings.components
    if comps and "KP" not in comps:
        probs += kpi.check(book)
    have_kpi = {emp for emp, _ in kpi.groups(book, str(book.period))}
    for emp, r in tgt.items():
        if emp in emps and emp not in have_kpi:
            probs.append(book.problem(P.WARNING, "Targets", r, "employee_id", f"员工 {emp} 本期没有 KPI 考核记录，大客户提成按 KPI 系数 {fmt_plain(book.policy['ka_missing_kpi_k'])} 计算", expected="KPI 表中的考核行", found="(无)"))
    return probs
