"""NC: the new-client development award (POLICY §1).

A client is new when its first deal falls inside the period, with no earlier
deal on the sheet and no earlier ``first_deal_date``. The award is a tier on the
first deal's amount (same-day first deals summed), split among the people on
those first deals by credit with the largest remainder, and paid to each person
only on their own approved claim. A late or otherwise ineligible claim is a
business outcome: it shows as rejected with its reason, and the quarter still
calculates. Uplift on a strategic client must meet its conditions, or it is an
input error.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from .. import problems as P
from ..lines import PENDING, REJECTED, Line, outcome
from ..model import Book
from ..money import ZERO, fmt_plain, split_largest_remainder
from ..periods import next_month
from ..tiers import Band, NoBand, TierTable
from ..workdays import CalendarUnknown
from .deals import Deal, client_deals, credit, deal_first_dates, first_dates

RULE = "POLICY §1 新客户开发奖励"
NC_TABLES = ("nc_award", "nc_award_alt")  # the award tables nc_table may choose between


class NewClient:
    """A client whose first deal is in the period, with its first-deal facts."""

    def __init__(self, client_id: str, first: list[Deal], period_deals: list[Deal], deals_title: str = "Deals"):
        self.client_id = client_id
        self.deals_title = deals_title
        self.first = first
        self.date = first[0].signed_on
        self.basis = sum((d.amount for d in first), ZERO)
        self.period_total = sum((d.amount for d in period_deals), ZERO)
        weights: dict[str, Decimal] = defaultdict(lambda: ZERO)
        for d in first:
            for r in d.rows:
                weights[r.employee_id] += credit(r)
        self.credit = dict(weights)

    @property
    def refs(self) -> tuple[str, ...]:
        return tuple(f"{self.deals_title}!R{r.row}" for d in self.first for r in d.rows)


def new_clients(book: Book) -> dict[str, NewClient]:
    return book.memo("new_clients", lambda: _new_clients(book))


def _new_clients(book: Book) -> dict[str, NewClient]:
    period = book.period
    start, end = period.start, period.end
    first_of = first_dates(book)
    out = {}
    candidates = [c for c in deal_first_dates(book) if start <= first_of[c] <= end]
    for client_id, deals in client_deals(book, candidates).items():
        first = first_of[client_id]
        firsts = sorted((d for d in deals if d.signed_on == first), key=lambda d: d.deal_id)
        if not firsts:
            continue  # first_deal_date in period but no deal row that day: nothing to pay on
        in_period = [d for d in deals if period.contains(d.signed_on)]
        out[client_id] = NewClient(client_id, firsts, in_period, book.title("Deals"))
    return out


def deadline(book: Book) -> dt.date:
    """The last day to submit: ``nc_claim_workdays`` working days after the period end (0: the end itself)."""
    n = int(book.policy["nc_claim_workdays"])
    return book.period.end if n <= 0 else book.calendar.add_workdays(book.period.end, n)


def client_award(policy, basis: Decimal) -> tuple[TierTable, Band, Decimal]:
    """The NC tier table in force, the band of a first-deal basis and the whole client's
    award before the split (0 for a basis that is not positive). ``NoBand`` if the table
    does not cover the basis. BB_NC_AWARD calls this too, so a cell and Results agree."""
    table = policy.tier(policy["nc_table"])
    band = table.lookup(basis)
    return table, band, (band.value if basis > 0 else ZERO)


def _award_parts(book: Book, nc: NewClient) -> tuple[dict[str, Decimal], str]:
    table, band, pool = client_award(book.policy, nc.basis)
    people = sorted(nc.credit)
    parts = split_largest_remainder(pool, [nc.credit[p] for p in people]) if nc.basis > 0 else [ZERO] * len(people)
    return dict(zip(people, parts)), f"{table.name}: {band.label()} → {fmt_plain(band.value)}"


def _additional(book: Book, nc: NewClient) -> tuple[Decimal, str]:
    init = book.policy.tier("nc_additional_initial").lookup(nc.basis)
    total = book.policy.tier("nc_additional_total").lookup(nc.period_total)
    text = (f"首单 {fmt_plain(nc.basis)}（{init.label()}）→ {fmt_plain(init.value)}；"
            f"期内累计 {fmt_plain(nc.period_total)}（{total.label()}）→ {fmt_plain(total.value)}")
    return init.value + total.value, text


def check(book: Book) -> list[P.Problem]:
    """Input errors in claims: uplift conditions, and unknown people or clients."""
    probs: list[P.Problem] = []
    emps, clients = book.employees, book.clients
    ncs = new_clients(book)
    cap = book.policy["nc_uplift_cap"]
    table = book.policy["nc_table"]
    if table in book.policy.tiers and table not in NC_TABLES:  # a missing table is reported when the policy loads
        row = next((r for r in book.rows("Policy") if str(r.key).strip() == "nc_table"), None)
        probs.append(book.problem(P.ERROR, "Policy", row, "value", f"参数 nc_table 须是新客户奖励档位表 {' 或 '.join(NC_TABLES)}", expected=" / ".join(NC_TABLES), found=table))
    claimed = sorted({c.client_id for c in book.rows("Claims")})
    by_client = client_deals(book, claimed)
    for cid in claimed:
        client = clients.get(cid)
        day = client.first_deal_date if client is not None else None
        if day is None or not book.period.contains(day) or cid in ncs:
            continue
        if all(d.signed_on > day for d in by_client.get(cid, ())):  # new this period, but its first deal is not on Deals
            probs.append(book.problem(P.ERROR, "Clients", client, "first_deal_date",
                                      f"客户 {cid} 的首次成交日期 {day.isoformat()} 在本期 {book.period} 内，但 成交 (Deals) 表没有该日的成交：新客户奖励以首单金额为基数，请补录首单或更正首次成交日期",
                                      expected="成交表中首单的日期", found=day.isoformat()))
    for c in book.rows("Claims"):
        if c.employee_id not in emps:
            probs.append(book.problem(P.ERROR, "Claims", c, "employee_id", f"工号 {c.employee_id} 不在 员工 (Employees) 表中", found=c.employee_id))
        if c.client_id not in clients:
            probs.append(book.problem(P.ERROR, "Claims", c, "client_id", f"客户 {c.client_id} 不在 客户 (Clients) 表中", found=c.client_id))
        if not c.uplift:
            continue
        client = clients.get(c.client_id)
        if c.uplift < 0:
            probs.append(book.problem(P.ERROR, "Claims", c, "uplift", "上浮金额不能为负数", expected="≥ 0", found=c.uplift))
        if client is not None and not client.strategic:
            probs.append(book.problem(P.ERROR, "Claims", c, "uplift", f"客户 {c.client_id} 未标记为战略客户，不能申请上浮：请在 客户 表标记 strategic 或删除上浮金额", found=c.uplift))
        if not c.uplift_reason:
            probs.append(book.problem(P.ERROR, "Claims", c, "uplift_reason", "申请上浮必须填写理由", expected="上浮理由", found="(空)"))
        nc = ncs.get(c.client_id)
        if nc is not None and c.employee_id in nc.credit:
            try:
                parts, _ = _award_parts(book, nc)
            except NoBand:
                continue
            limit = cap * parts.get(c.employee_id, ZERO)
            if c.uplift > limit:
                probs.append(book.problem(P.ERROR, "Claims", c, "uplift", "上浮金额超过上限（nc_uplift_cap × 本人档位奖励）", expected=f"≤ {fmt_plain(limit)}", found=fmt_plain(c.uplift)))
    return probs


def compute(book: Book) -> tuple[list[Line], list[P.Problem]]:
    lines: list[Line] = []
    probs: list[P.Problem] = []
    if not book.rows("Claims"):
        return lines, probs  # nothing is paid without a claim, so no deadline (and no calendar year) is needed
    ncs = new_clients(book)
    try:
        due = deadline(book)
    except CalendarUnknown as e:
        return [], [P.error(book.title("Settings"), "", "period", str(e))]
    emps = book.employees
    pol = book.policy
    seen: set[tuple[str, str]] = set()
    for c in book.rows("Claims"):
        ref = (f"{book.title('Claims')}!R{c.row}",)
        key = (c.employee_id, c.client_id)

        def reject(reason: str, status: str = REJECTED) -> None:
            lines.append(outcome(c.employee_id, "NC", "NC", status, f"申请 {c.claim_id}（客户 {c.client_id}）：{reason}", rule=RULE, inputs=ref))

        nc = ncs.get(c.client_id)
        emp = emps.get(c.employee_id)
        names = {c.employee_id} | ({emp.name} if emp is not None else set())
        if key in seen:
            reject("同一员工对同一新客户重复申请；每个新客户只奖励一次")
            continue
        seen.add(key)
        if nc is None:
            reject(f"不是本期新客户（首次成交不在 {book.period} 内，或之前已有成交）")
            continue
        if c.employee_id not in nc.credit:
            reject("申请人不在该客户首单的成交人员中")
            continue
        if c.submitted_on > due:
            reject(f"逾期提交：{c.submitted_on.isoformat()} 晚于截止日 {due.isoformat()}（季度结束后 {pol['nc_claim_workdays']} 个工作日）")
            continue
        if pol["nc_scheme_start"] and nc.date < pol["nc_scheme_start"]:
            reject(f"首单日期 {nc.date.isoformat()} 早于方案开始日 {pol['nc_scheme_start'].isoformat()}")
            continue
        if pol["nc_require_delivered"] and not all(r.delivered for d in nc.first for r in d.rows):
            reject("订单尚未交付（已启用“须交付”条件）")
            continue
        if (c.dept_approver or "").strip() in names or (c.hr_approver or "").strip() in names:
            reject("审批人不得为申请人本人")
            continue
        if c.dept_approved_on is None or not c.dept_approver:
            reject("待部门经理审批", PENDING)
            continue
        if c.hr_approved_on is None or not c.hr_approver:
            reject("待人力资源部终审", PENDING)
            continue
        if c.dept_approved_on < c.submitted_on:
            reject(f"部门审批日期 {c.dept_approved_on.isoformat()} 早于提交日期 {c.submitted_on.isoformat()}：请核对日期")
            continue
        if c.hr_approved_on < c.dept_approved_on:
            reject("人力资源部审批日期早于部门审批日期：应先部门审批再人力终审")
            continue
        try:
            parts, band = _award_parts(book, nc)
        except NoBand as e:
            probs.append(P.error(book.title("Tiers"), "", "table", str(e)))
            continue
        pay_month = next_month(max(book.period.end, c.hr_approved_on))
        share = nc.credit[c.employee_id] / nc.basis if nc.basis else ZERO
        basis = (f"新客户 {c.client_id} 首单 {nc.date.isoformat()} 金额 {fmt_plain(nc.basis)}，档位 {band}；"
                 f"本人分成 {fmt_plain(share * 100)}%，最大余额法分得 {fmt_plain(parts[c.employee_id])}；申请 {c.claim_id}")
        lines.append(Line(c.employee_id, "NC", "NC", parts[c.employee_id], basis, RULE, band, ref + nc.refs, pay_month))
        if pol["nc_additional_enabled"]:
            try:
                extra, text = _additional(book, nc)
            except NoBand as e:
                probs.append(P.error(book.title("Tiers"), "", "table", str(e)))
                continue
            people = sorted(nc.credit)  # one award per client, split like the tier award so the parts add up to it
            amount = dict(zip(people, split_largest_remainder(extra, [nc.credit[p] for p in people])))[c.employee_id] if extra and nc.basis > 0 else ZERO
            lines.append(Line(c.employee_id, "NC", "NC", amount, f"追加奖励：{text}；本人分成 {fmt_plain(share * 100)}%，最大余额法分得 {fmt_plain(amount)}", RULE + " 追加奖励", text, ref + nc.refs, pay_month))
        if c.uplift:
            lines.append(Line(c.employee_id, "NC", "NC_UP", c.uplift, f"战略客户 {c.client_id} 上浮：{c.uplift_reason}", RULE + " 特殊优质客户上浮", "", ref, pay_month))
    return lines, probs


