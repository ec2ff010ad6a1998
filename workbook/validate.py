"""Cross-sheet validation: the checks no single cell can make.

Cell-level parsing happens in ``tables``; this stage checks relations between
rows and sheets (split deals that add up, references that exist) and asks each
active rule for its own input checks. It returns problems only, never raises.
"""
from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

import numpy as np

from . import client_classes, workdays
from . import problems as P
from .model import Book
from .policy_defaults import PARAMS
from .rules import active_rules

if TYPE_CHECKING:
    from .early import Early

ONE = Decimal(1)
# Parameters whose blank value is itself a setting: no campaign, no honour list, an empty
# revenue-type list. Every other parameter a running rule reads must be filled in.
BLANK_MEANS_OFF = frozenset({"ac_start", "ac_end", "gr_honour_sales_ratio", "ka_counting_types", "ka_flat_types", "ka_margin_types"})
NUMERIC_KINDS = ("money", "percent", "number", "int")
READS = {"KA": ("KA", "KP")}  # KA reads the KPI parameters for its factor even when KP is not listed


def check_deals(book: Book) -> list[P.Problem]:
    """References, shares and amounts of every Deals row; split deals consistent and at 100%.

    Written over whole columns (``deal_columns``, which the rules share), and
    whole deals are built only for the split ones that ``_settled`` cannot
    pass at once, because a quarter can hold 200,000 rows.
    """
    from .rules.deal_columns import deal_columns
    from .rules.deals import deals_of

    probs: list[P.Problem] = []
    rows = book.rows("Deals")
    cols = deal_columns(book)
    emps, clients = book.employees, book.clients
    bad_emp = set(cols.employees) - emps.keys()
    bad_client = set(cols.clients) - clients.keys()
    shares, amounts = cols.share, cols.amount
    one = cols.share_exact.against_one() if cols.share_exact is not None else None  # whole-number forms hold no negative value
    if not rows:
        in_range = True
    elif one is not None and cols.amount_exact is not None:
        in_range = bool((cols.share_exact.coefficient > 0).all() and (one <= 0).all())
    else:
        in_range = min(shares) > 0 and max(shares) <= ONE and min(amounts) >= 0
    all_fine = not bad_emp and not bad_client and in_range
    for r in () if all_fine else rows:  # the row loop only runs to name the rows that are wrong
        if r.employee_id in bad_emp:
            probs.append(book.problem(P.ERROR, "Deals", r, "employee_id", f"工号 {r.employee_id} 不在 员工 (Employees) 表中", found=r.employee_id))
        if r.client_id in bad_client:
            probs.append(book.problem(P.ERROR, "Deals", r, "client_id", f"客户 {r.client_id} 不在 客户 (Clients) 表中", found=r.client_id))
        if not (0 < r.share <= ONE):
            probs.append(book.problem(P.ERROR, "Deals", r, "share", "分成比例必须大于 0 且不超过 100%", expected="0% < share ≤ 100%", found=r.share))
        if r.amount < 0:
            probs.append(book.problem(P.ERROR, "Deals", r, "amount", "成交金额不能为负数", expected="≥ 0", found=r.amount))
    split = np.bincount(cols.deal, minlength=len(cols.first_row)) > 1  # a single row at 100% is fine; every other deal is checked
    split[cols.deal[one != 0 if one is not None else np.fromiter(map(ONE.__ne__, shares), bool, len(shares))]] = True
    for deal in deals_of(book, split & ~_settled(cols, split)):
        if len(deal.rows) == 1:
            probs.append(_share_total(book, deal.deal_id, deal.rows[0], deal.rows[0].share))
            continue
        first = deal.rows[0]
        for r in deal.rows[1:]:
            for col in ("client_id", "signed_on", "amount"):
                if getattr(r, col) != getattr(first, col):
                    probs.append(book.problem(P.ERROR, "Deals", r, col, f"同一成交 {deal.deal_id} 的各行 {col} 不一致（第 {first.row} 行为 {getattr(first, col)}）：多人成交每行须重复相同的客户、日期和整单金额", expected=str(getattr(first, col)), found=getattr(r, col)))
        total = sum((r.share for r in deal.rows), Decimal(0))
        if total != ONE:
            probs.append(_share_total(book, deal.deal_id, first, total))
    return probs


MAX_PLACES = 15  # share decimals the whole-number test below takes; finer shares go the row-by-row way


def _settled(cols, split: np.ndarray) -> np.ndarray:
    """Per deal code: among ``split``, the deals the row-by-row check would find nothing in.

    That is, every row repeats the first row's client, date and amount, and the
    shares, each in (0, 1], add up to exactly 1: they are added as whole
    numbers of 10^-K (K their most decimal places), which is exact. Only a deal
    not settled here is built and checked row by row, so a clean quarter's
    20,000 split deals cost a few NumPy passes; a False only means "look".
    """
    settled = np.zeros(len(split), bool)
    rows = np.flatnonzero(split[cols.deal])
    if not rows.size:
        return settled
    deal = cols.deal[rows]
    first = cols.first_row[deal]
    at, to = rows.tolist(), first.tolist()
    amount, share = cols.amount, cols.share
    same = (cols.client[rows] == cols.client[first]) & (cols.day[rows] == cols.day[first])
    same &= np.fromiter(map(Decimal.__eq__, map(amount.__getitem__, at), map(amount.__getitem__, to)), bool, rows.size)
    picked = list(map(share.__getitem__, at))
    places = {s: -s.as_tuple().exponent for s in set(picked) if s.is_finite() and 0 < s <= ONE}
    k = max(places.values(), default=0)
    counts = np.bincount(deal, minlength=len(split))
    if k > MAX_PLACES or int(counts.max()) * 10**k >= 2**62:
        return settled
    whole = {s: int(s.scaleb(k)) for s in places}
    scaled = np.fromiter((whole.get(s, -1) for s in picked), np.int64, rows.size)  # -1: a share outside (0, 1]
    totals = np.zeros(len(split), np.int64)
    np.add.at(totals, deal, scaled)
    bad = np.zeros(len(split), bool)
    bad[deal[~same | (scaled < 0)]] = True
    settled[split] = (totals[split] == 10**k) & ~bad[split]
    return settled


def _share_total(book: Book, deal_id: str, first, total: Decimal) -> P.Problem:
    return book.problem(P.ERROR, "Deals", first, "share", f"成交 {deal_id} 的分成比例合计为 {total * 100:f}%，必须正好是 100%", expected="100%", found=f"{total * 100:f}%")


PAY_COLUMNS = {"base_salary": "基本工资", "commission_rate": "提成比例", "performance_bonus": "月绩效奖金", "floating_wage": "季度浮动工资"}


def check_employees(book: Book) -> list[P.Problem]:
    """Pay figures are never negative: a negative 绩效奖金 would turn a PN deduction into a payment."""
    return [book.problem(P.ERROR, "Employees", e, col, f"员工 {e.employee_id} 的{zh}不能为负数", expected="≥ 0", found=getattr(e, col))
            for e in book.rows("Employees") for col, zh in PAY_COLUMNS.items()
            if getattr(e, col, None) is not None and getattr(e, col) < 0]


def check_params(book: Book) -> list[P.Problem]:
    """A blank (or negative) Policy value of a running component is an error at its cell.

    A blank cell reads as None; a rule multiplying by it would crash calculate, and
    a guessed default would pay on a number HR did not choose. GR reports its own
    (``grade_checks``); parameters whose default is blank are optional by design.
    """
    running = {r.code for r in active_rules(book)} - {"GR"}
    components = {c for code in running for c in READS.get(code, (code,))}
    if book.policy.params.get("ac_start") is None and book.policy.params.get("ac_end") is None:
        components.discard("AC")  # both dates blank: no campaign, so its other parameters are not read
    rows = {str(r.key).strip(): r for r in book.rows("Policy")}
    probs = [book.problem(P.ERROR, "Policy", rows.get(p.key), "value", f"参数 {p.key} 不能为空（{p.note}）：请填写，默认值为 {p.default}",
                          expected=p.default, found="(空)")
             for p in PARAMS
             if p.component in components and p.default != "" and p.key not in BLANK_MEANS_OFF and book.policy.params.get(p.key) is None]
    # Rates, amounts and counts are never negative: deductions are typed as positive amounts and
    # the rules give them their sign, so "-600" would pay a below-base deduction as +600.
    probs += [book.problem(P.ERROR, "Policy", rows.get(p.key), "value", f"参数 {p.key} 不能为负数（{p.note}）：扣款、比例均填正数，扣款由系统记为负数",
                           expected="≥ 0", found=book.policy.params[p.key])
              for p in PARAMS
              if p.component in components and p.kind in NUMERIC_KINDS and isinstance(book.policy.params.get(p.key), (int, Decimal))
              and book.policy.params[p.key] < 0]
    return probs


def check_book(book: Book, early: "Early | None" = None) -> list[P.Problem]:
    """Every check, in a fixed order; ``early`` holds rule checks already run while Deals loaded."""
    bad_params = check_params(book)
    probs = bad_params + check_employees(book) + check_deals(book) + client_classes.check(book) + workdays.check(book)
    if bad_params:
        return probs  # the rules' own checks read these parameters too
    for rule in active_rules(book):
        if rule.check is not None:
            probs.extend(early.check(book, rule) if early is not None else rule.check(book))
    return probs
