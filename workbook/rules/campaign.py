"""AC: the A-class client campaign (POLICY §9): stage awards, 直营部 one-off, end-of-campaign penalty.

The campaign runs from ``ac_start`` to ``ac_end``. Each award is paid in the
quarter run that contains the month it qualified in, and each qualification is
recomputed from the deal history, so no state is carried: a stage that
qualified in an earlier quarter was paid then and is not paid again.

**Qualifying client** (大客户部 and 市场部, by the responsible salesperson's
department): its first deal ever falls inside the window. Its months are
counted from the month of the first order (month 1) to month 6. A window of
three consecutive counted months qualifies when the monthly average of the
client's sales is ≥ the department's threshold, the average gross margin point
(Σ margin / Σ sales) is ≥ ``ac_min_margin`` and, for 大客户部 when excluded
products are configured, in each of those months the other (core) products are
≥ ``ac_core_share`` of sales. For 市场部, when series are configured, only
those series count, for sales and margin alike.

- Stage 1 (``ac_stage1_award``): months 1–3 qualify; qualified in month 3.
- Stage 2 (``ac_stage2_award``): some window within months 1–6 qualifies (the
  first one counts); qualified in its last month. So the most is 3,000.

Decided where the source is silent: the responsible salesperson is the person
with the largest share of the client's first deal (ties: the lower employee
id); a client's months may run past the campaign end (the six months start
from its first order); a month without sales does not fail the core-share test.

**直营部:** a one-off ``ac_ds_award`` the first month inside the window when the
person's credited sales reach ``ac_ds_monthly_sales`` and their average margin
point reaches ``ac_ds_margin``.

**Penalty:** in the run containing ``ac_end``, each 大客户部/市场部 salesperson
responsible for no client that qualified for a stage by the campaign's last
month is charged −``ac_penalty``, waived when their credited sales inside the
window reached ``ac_waiver_ratio`` of their task (the Targets rows of the
quarters the window touches, each prorated by its months inside the window).
Someone hired after the campaign started is not charged (Decided): they could
not take part in the whole campaign.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from .. import problems as P
from ..lines import Line
from ..model import Book
from ..money import ZERO, fmt_plain
from ..periods import Quarter, next_month
from .deal_columns import deal_columns, picked
from .deals import client_deals, deal_first_dates, first_dates

RULE = "POLICY §9 A类客户开发奖惩"
Month = tuple[int, int]


def _index(m: Month) -> int:
    return m[0] * 12 + m[1] - 1


def _month(i: int) -> Month:
    return (i // 12, i % 12 + 1)


def _ym(m: Month) -> str:
    return f"{m[0]:04d}-{m[1]:02d}"


def _set(text: str | None) -> frozenset[str]:
    return frozenset(t.strip() for t in (text or "").replace("，", ",").split(",") if t.strip())


def _pct(x: Decimal) -> str:
    return fmt_plain((x * 100).quantize(Decimal("0.01")).normalize()) + "%"


@dataclass(frozen=True)
class MonthSales:
    month: Month
    sales: Decimal = ZERO
    margin: Decimal = ZERO
    core: Decimal = ZERO  # sales of core (not excluded) products


@dataclass(frozen=True)
class WindowCheck:
    months: tuple[MonthSales, ...]
    average: Decimal
    margin_rate: Decimal | None  # None: no sales
    core_ok: bool
    ok: bool

    @property
    def last(self) -> Month:
        return self.months[-1].month

    def describe(self, threshold: Decimal, min_margin: Decimal) -> str:
        span = f"{_ym(self.months[0].month)}–{_ym(self.last)}"
        margin = _pct(self.margin_rate) if self.margin_rate is not None else "无"
        return (f"{span} 月均 {fmt_plain(self.average.quantize(Decimal('0.01')))}（门槛 {fmt_plain(threshold)}），"
                f"平均毛利点 {margin}（≥ {_pct(min_margin)}）" + ("" if self.core_ok else "，核心产品占比不足"))


def check_window(months: tuple[MonthSales, ...], threshold: Decimal, min_margin: Decimal, core_share: Decimal | None) -> WindowCheck:
    """Whether three consecutive months qualify. Pure."""
    sales = sum((m.sales for m in months), ZERO)
    average = sales / len(months)
    rate = sum((m.margin for m in months), ZERO) / sales if sales else None
    core_ok = core_share is None or all(m.sales == 0 or m.core >= core_share * m.sales for m in months)
    ok = average >= threshold and rate is not None and rate >= min_margin and core_ok
    return WindowCheck(months, average, rate, core_ok, ok)


def stages(months: list[MonthSales], threshold: Decimal, min_margin: Decimal, core_share: Decimal | None,
           until: Month) -> tuple[WindowCheck | None, WindowCheck | None]:
    """(stage-1 window, first stage-2 window), counting only windows complete by ``until``. Pure."""
    windows = [check_window(tuple(months[i:i + 3]), threshold, min_margin, core_share)
               for i in range(0, len(months) - 2) if _index(months[i + 2].month) <= _index(until)]
    first = windows[0] if windows and windows[0].ok else None
    second = next((w for w in windows if w.ok), None)
    return first, second


@dataclass(frozen=True)
class NewClient:
    client_id: str
    first: dt.date
    responsible: str
    department: str
    threshold: Decimal
    months: tuple[MonthSales, ...]
    refs: tuple[str, ...]


def _dept_rules(book: Book) -> dict[str, tuple[str, Decimal]]:
    pol = book.policy
    return {pol["ac_dept_ka"]: ("ka", pol["ac_threshold_ka"]), pol["ac_dept_mk"]: ("mk", pol["ac_threshold_mk"])}


def new_clients(book: Book) -> list[NewClient]:
    """Clients first dealt inside the campaign window, with their six counted months (once per book: check and compute both ask)."""
    return book.memo("ac_new_clients", lambda: _new_clients(book))


def _new_clients(book: Book) -> list[NewClient]:
    pol = book.policy
    start, end = pol["ac_start"], pol["ac_end"]
    if start is None or end is None:
        return []
    emps = book.employees
    depts = _dept_rules(book)
    excluded, series = _set(pol["ac_ka_excluded_products"]), _set(pol["ac_mk_series"])
    out = []
    first_of = first_dates(book)
    for client_id, deals in sorted(client_deals(book, [c for c in deal_first_dates(book) if start <= first_of[c] <= end]).items()):
        first = first_of[client_id]
        firsts = [d for d in deals if d.signed_on == first]
        if not firsts:
            continue
        shares: dict[str, Decimal] = defaultdict(lambda: ZERO)
        for d in firsts:
            for r in d.rows:
                shares[r.employee_id] += r.share
        responsible = sorted(shares, key=lambda e: (-shares[e], e))[0]
        e = emps.get(responsible)
        kind, threshold = depts.get(e.department if e else "", (None, ZERO))
        if kind is None:
            continue
        m0 = _index((first.year, first.month))
        tally = {i: [ZERO, ZERO, ZERO] for i in range(m0, m0 + 6)}
        refs = []
        for d in deals:
            i = _index((d.signed_on.year, d.signed_on.month))
            if i not in tally:
                continue
            product = (getattr(d.rows[0], "product", None) or "").strip()
            if kind == "mk" and series and product not in series:
                continue
            margin = d.rows[0].gross_margin or ZERO
            tally[i][0] += d.amount
            tally[i][1] += margin
            if not (kind == "ka" and product in excluded):
                tally[i][2] += d.amount
            refs.extend(f"{book.title('Deals')}!R{r.row}" for r in d.rows[:1])
        months = tuple(MonthSales(_month(i), *tally[i]) for i in sorted(tally))
        out.append(NewClient(client_id, first, responsible, e.department, threshold, months, tuple(refs)))
    return out


def _core_share(book: Book, nc: NewClient) -> Decimal | None:
    is_ka = nc.department == book.policy["ac_dept_ka"]
    return book.policy["ac_core_share"] if is_ka and _set(book.policy["ac_ka_excluded_products"]) else None


def check(book: Book) -> list[P.Problem]:
    pol = book.policy
    start, end = pol["ac_start"], pol["ac_end"]
    if start is None and end is None:
        return []  # no campaign configured
    if start is None or end is None or end < start:
        return [P.error(book.title("Policy"), "", "ac_end", "A类客户活动的开始、结束日期须同时填写（或同时留空表示不开展），且结束不早于开始",
                        expected="ac_start ≤ ac_end", found=f"{start or '(空)'} / {end or '(空)'}")]
    probs = []
    by_client = client_deals(book, [nc.client_id for nc in new_clients(book)])
    for nc in new_clients(book):
        for d in by_client[nc.client_id]:
            i = _index((d.signed_on.year, d.signed_on.month))
            if _index(nc.months[0].month) <= i <= _index(nc.months[-1].month) and d.rows[0].gross_margin is None:
                probs.append(book.problem(P.ERROR, "Deals", d.rows[0], "gross_margin", f"A类客户活动：新客户 {nc.client_id} 的成交 {d.deal_id} 须填写毛利（平均毛利点的依据）", expected="毛利金额", found="(空)"))
    direct = {e.employee_id for e in book.rows("Employees") if e.department == pol["ac_dept_ds"]}
    cols = deal_columns(book)
    for r in picked(book, cols.of(direct) & cols.between(start, end)):
        if r.gross_margin is None:
            probs.append(book.problem(P.ERROR, "Deals", r, "gross_margin", f"A类客户活动：{pol['ac_dept_ds']} 活动期内的成交 {r.deal_id} 须填写毛利（平均毛利点的依据）", expected="毛利金额", found="(空)"))
    return probs


def _stage_lines(book: Book, months: set[Month], pay: str) -> tuple[list[Line], dict[str, bool]]:
    """Stage awards qualified inside the run's months; and who qualified by the campaign end."""
    pol = book.policy
    end_month = (pol["ac_end"].year, pol["ac_end"].month)
    lines, qualified = [], {}
    for nc in new_clients(book):
        core = _core_share(book, nc)
        s1, s2 = stages(list(nc.months), nc.threshold, pol["ac_min_margin"], core, book.period.months[-1])
        by_end = stages(list(nc.months), nc.threshold, pol["ac_min_margin"], core, end_month)
        qualified[nc.responsible] = qualified.get(nc.responsible, False) or any(by_end)
        head = f"新客户 {nc.client_id}（首单 {nc.first.isoformat()}，主责 {nc.responsible}，{nc.department}）："
        for name, win, amount in (("第一阶段（首三个月）", s1, pol["ac_stage1_award"]), ("第二阶段（六个月内连续三个月）", s2, pol["ac_stage2_award"])):
            if win is None or win.last not in months:
                continue
            basis = head + win.describe(nc.threshold, pol["ac_min_margin"]) + f"，{_ym(win.last)} 达标 → {name}奖励 {fmt_plain(amount)}"
            lines.append(Line(nc.responsible, "AC", "AC", amount, basis, RULE, name, nc.refs, pay, month=_ym(win.last)))
    return lines, qualified


def _direct_sales_lines(book: Book, months: set[Month], pay: str) -> list[Line]:
    pol = book.policy
    start, end = pol["ac_start"], pol["ac_end"]
    dept = pol["ac_dept_ds"]
    people = {e.employee_id for e in book.rows("Employees") if e.department == dept}
    tally: dict[str, dict[int, list[Decimal]]] = defaultdict(lambda: defaultdict(lambda: [ZERO, ZERO]))
    cols = deal_columns(book)
    for r in picked(book, cols.of(people) & cols.between(start, min(end, book.period.end))):
        t = tally[r.employee_id][_index((r.signed_on.year, r.signed_on.month))]
        t[0] += r.amount * r.share
        t[1] += (r.gross_margin or ZERO) * r.share
    lines = []
    for emp in sorted(tally):
        for i in sorted(tally[emp]):
            sales, margin = tally[emp][i]
            if sales >= pol["ac_ds_monthly_sales"] and sales and margin / sales >= pol["ac_ds_margin"]:
                if _month(i) in months:
                    basis = (f"{dept} {_ym(_month(i))}：本人销售额 {fmt_plain(sales)} ≥ {fmt_plain(pol['ac_ds_monthly_sales'])}，"
                             f"平均毛利点 {_pct(margin / sales)} ≥ {_pct(pol['ac_ds_margin'])} → 活动期内一次性奖励 {fmt_plain(pol['ac_ds_award'])}")
                    lines.append(Line(emp, "AC", "AC", pol["ac_ds_award"], basis, RULE, "直营部一次性奖励", (), pay, month=_ym(_month(i))))
                break  # one-off: only the first month that reaches both thresholds
    return lines


def _task(book: Book, emp: str) -> Decimal | None:
    """The employee's task over the window: each touched quarter's target × its months inside / 3."""
    start, end = book.policy["ac_start"], book.policy["ac_end"]
    inside = set(range(_index((start.year, start.month)), _index((end.year, end.month)) + 1))
    total, found = ZERO, False
    for r in book.memo("targets_by_employee", lambda: _group(book.rows("Targets"))).get(emp, ()):
        q = Quarter.parse(r.period)
        n = sum(1 for m in q.months if _index(m) in inside)
        if n:
            total += r.target * n / 3
            found = True
    return total if found else None


def _group(rows) -> dict[str, list]:
    out: dict[str, list] = {}
    for r in rows:
        out.setdefault(r.employee_id, []).append(r)
    return out


def _penalty_lines(book: Book, qualified: dict[str, bool], pay: str) -> list[Line]:
    pol = book.policy
    start, end = pol["ac_start"], pol["ac_end"]
    depts = _dept_rules(book)
    cols = deal_columns(book)
    sales = cols.sums(cols.between(start, end), cols.emp, cols.employees)
    lines = []
    for e in sorted(book.rows("Employees"), key=lambda e: e.employee_id):
        if e.department not in depts or qualified.get(e.employee_id) or (e.hire_date is not None and e.hire_date > start):
            continue
        task = _task(book, e.employee_id)
        head = f"A类客户活动 {start.isoformat()} 至 {end.isoformat()} 结束：主责的新客户无一达标；活动期销售额 {fmt_plain(sales[e.employee_id])}"
        if task is not None and task > 0 and sales[e.employee_id] >= pol["ac_waiver_ratio"] * task:
            continue  # waived: nothing to pay or deduct
        why = "无任务额，不能免罚" if task is None else f"未达任务 {fmt_plain(task.quantize(Decimal('0.01')))} 的 {_pct(pol['ac_waiver_ratio'])}"
        lines.append(Line(e.employee_id, "AC", "AC_PEN", -pol["ac_penalty"], f"{head}，{why} → 处罚 {fmt_plain(pol['ac_penalty'])}",
                          RULE, "未完成开发任务", (), pay, month=_ym((end.year, end.month))))
    return lines


def compute(book: Book) -> tuple[list[Line], list[P.Problem]]:
    pol = book.policy
    if pol["ac_start"] is None or pol["ac_end"] is None:
        return [], []
    window = set(range(_index((pol["ac_start"].year, pol["ac_start"].month)), _index((pol["ac_end"].year, pol["ac_end"].month)) + 6))
    months = set(book.period.months)
    if not any(_index(m) in window for m in months):
        return [], []  # the campaign does not touch this quarter
    pay = next_month(book.period.end)
    lines, qualified = _stage_lines(book, months, pay)
    lines += _direct_sales_lines(book, months, pay)
    if book.period.contains(pol["ac_end"]):
        lines += _penalty_lines(book, qualified, pay)
    return lines, []
