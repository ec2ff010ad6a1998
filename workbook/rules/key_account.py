"""KA: the key-account quarterly commission with base, shortfall make-up and carry (POLICY §6).

The rule is a pure function, :func:`quarter`: (opening state, one quarter's
inputs) -> (payout lines, closing state). Nothing else in a quarter depends on
history, so the lock step can store each employee's closing :class:`KAState`
in the ledger (:func:`closing_states`) and the next quarter starts from it; the
first quarter on the system starts from the OpeningBalances sheet instead.

The state is the list of open shortfalls, oldest first (each with its quarter,
its base B_k, its flat-rate counting revenue F_k and the amount still missing),
and the excess E carried in. The steps, in POLICY's words:

1. X = counting revenue + E; F = the flat-rate part of the counting revenue.
2. A new hire's first quarter: A = X, floating wage paid, no deduction, no
   shortfall, nothing carried.
3. X < B: no task commission, floating wage withheld, −D, a shortfall of B − X.
4. X ≥ B: the surplus X − B makes up the open shortfalls oldest first; each one
   fully made up earns its back-pay r × max(0, B_k − F_k). L is what is left,
   A = B + L; above target and below the carry threshold C the excess A − T
   moves to next quarter and A = T (at or above C, Decided: no carry). The
   floating wage is paid when B + L ≥ T.
5. Task commission r × max(0, A − F) + back-pays; flat commission 6% × every
   flat-rate revenue of the quarter, counting or not.
6. Payout = (task + flat) × (80% + 20% × k), k the quarter's KPI coefficient.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, Decimal, getcontext
from functools import cached_property
from typing import Callable

from .. import problems as P
from ..lines import RECORDED, Line, outcome
from ..model import Book
from ..money import ZERO, excel_fen, fen_half_up, fmt_plain, round_fen, scaled
from ..records import quick_init
from .ka_inputs import check as check_inputs
from .ka_inputs import gather
from .ka_state import KAState, QuarterInput, Shortfall

RULE = "POLICY §6 大客户部季度提成"
ONE = Decimal(1)


def _pct(x: Decimal) -> str:
    return fmt_plain(x * 100) + "%"


@dataclass(frozen=True)
class KAParams:
    rate: Decimal = Decimal("0.04")  # r
    base_ratio: Decimal = Decimal("0.5")  # β
    deduction: Decimal = Decimal(600)  # D
    carry_threshold: Decimal = Decimal(300000)  # C
    flat_rate: Decimal = Decimal("0.06")
    fixed_share: Decimal = Decimal("0.8")
    kpi_share: Decimal = Decimal("0.2")

    @cached_property
    def shown(self) -> dict[str, str]:
        """The parameters as the explanations write them: made once per run, not once per person."""
        return {"rate": _pct(self.rate), "base_ratio": _pct(self.base_ratio), "flat_rate": _pct(self.flat_rate),
                "fixed_share": _pct(self.fixed_share), "kpi_share": _pct(self.kpi_share), "carry_threshold": fmt_plain(self.carry_threshold)}

    @classmethod
    def from_policy(cls, policy) -> "KAParams":
        return cls(policy["ka_task_rate"], policy["ka_base_ratio"], policy["ka_deduction"], policy["ka_carry_threshold"],
                   policy["ka_flat_rate"], policy["ka_fixed_share"], policy["ka_kpi_share"])


@dataclass(frozen=True)
class Cleared:
    period: str
    used: Decimal  # surplus spent on this shortfall
    closed: bool
    back_pay: Decimal  # r × max(0, B_k − F_k) when closed, else 0
    left: Decimal  # still missing afterwards


@quick_init
@dataclass(frozen=True)
class Settlement:
    """Every number of one quarter's KA, for the line and for tests."""

    case: str  # "new_hire" | "below_base" | "at_or_above_base"
    X: Decimal
    B: Decimal
    T: Decimal
    E_in: Decimal
    F: Decimal
    surplus: Decimal = ZERO
    cleared: tuple[Cleared, ...] = ()
    L: Decimal = ZERO
    A: Decimal = ZERO
    carry: Decimal = ZERO
    task: Decimal = ZERO  # r × max(0, A − F)
    back_pay: Decimal = ZERO
    flat_revenue: Decimal = ZERO
    flat_commission: Decimal = ZERO
    factor: Decimal = ONE
    floating_wage_paid: bool = False
    deduction: Decimal = ZERO  # D when below base

    @property
    def commission(self) -> Decimal:
        return self.task + self.back_pay + self.flat_commission

    @property
    def payout(self) -> Decimal:
        return self.commission * self.factor


def kpi_factor(p: KAParams, k: Decimal) -> Decimal:
    """80% + 20% × k: what the quarter's commission is multiplied by (POLICY §6 step 6)."""
    return p.fixed_share + p.kpi_share * k


def settle(opening: KAState, q: QuarterInput, p: KAParams) -> tuple[Settlement, KAState]:
    """The arithmetic of POLICY §6 for one quarter: (settlement, closing state). Pure."""
    E = opening.excess
    X = q.counting + E
    F = q.flat_counting
    T = q.target
    B = p.base_ratio * T
    factor = kpi_factor(p, q.k)
    flat_commission = p.flat_rate * q.flat_all
    common = dict(X=X, B=B, T=T, E_in=E, F=F, flat_revenue=q.flat_all, flat_commission=flat_commission, factor=factor)
    if q.new_hire:
        s = Settlement("new_hire", A=X, task=p.rate * max(ZERO, X - F), floating_wage_paid=True, **common)
        return s, KAState(opening.shortfalls, ZERO)
    if X < B:
        s = Settlement("below_base", deduction=p.deduction, **common)
        return s, KAState(opening.shortfalls + (Shortfall(q.period, B, F, B - X),), ZERO)
    surplus = left = X - B
    cleared: list[Cleared] = []
    still_open: list[Shortfall] = []
    for sf in opening.shortfalls:
        if left <= 0:
            still_open.append(sf)
            continue
        used = min(left, sf.missing)
        left -= used
        closed = used == sf.missing
        back = p.rate * max(ZERO, sf.base - sf.flat) if closed else ZERO
        cleared.append(Cleared(sf.period, used, closed, back, sf.missing - used))
        if not closed:
            still_open.append(Shortfall(sf.period, sf.base, sf.flat, sf.missing - used))
    L = left
    A = B + L
    carry = ZERO
    if A > T and X < p.carry_threshold:
        carry, A = A - T, T
    s = Settlement("at_or_above_base", surplus=surplus, cleared=tuple(cleared), L=L, A=A, carry=carry,
                   task=p.rate * max(ZERO, A - F), back_pay=sum((c.back_pay for c in cleared), ZERO),
                   floating_wage_paid=B + L >= T, **common)
    return s, KAState(tuple(still_open), carry)


class FenSeries:
    """:func:`settle` for a run of quarters in exact integers (the BB_KA_SERIES cell function).

    A 100,000-row series cannot afford a Settlement of Decimals per row. Amounts here
    are integers in units of 10^-a yuan (a covers the fen, β's and C's decimals), and
    rates carry their own power of ten, so every step is the same arithmetic as
    ``settle`` without rounding. ``settle`` computes in Decimal with the context's
    precision P, which is exact whenever a result has at most P significant digits;
    :meth:`run` checks that bound on the results that can grow (X, B, the task and
    back-pay amounts, the commission and the payout) and declines a quarter outside
    it, so the caller settles that one with ``settle``. Sums and differences of two
    or three checked amounts stay below 10^P because amounts are held below 10^(P−1).

    Payouts come back as the double ``excel_number`` gives, negative zero included:
    with r ≥ 0 the commission is never −0, so the payout's sign is the commission's
    sign times the factor's, as in Decimal.
    """

    def __init__(self, p: KAParams) -> None:
        ctx = getcontext()
        self.prec = ctx.prec
        self.rate, self.rate_places = scaled(p.rate)
        beta, beta_places = scaled(p.base_ratio)
        threshold, threshold_places = scaled(p.carry_threshold)
        self.flat_rate, flat_places = scaled(p.flat_rate)
        a = max(2 + beta_places, threshold_places)
        self.a = a
        self.up = 10 ** (a - 2)  # fen -> amount units
        self.beta = beta * 10 ** (a - 2 - beta_places)  # B = beta · T in fen
        self.threshold = threshold * 10 ** (a - threshold_places)
        self.unit = max(a + self.rate_places, 2 + flat_places)  # the commission's decimal places
        self.task_up = 10 ** (self.unit - a - self.rate_places)
        self.flat_up = 10 ** (self.unit - 2 - flat_places)
        self.limit = 10**self.prec
        self.amount_limit = 10 ** (self.prec - 1)
        self.usable = (self.prec >= 28 and a <= self.prec - 18 and ctx.rounding != ROUND_FLOOR
                       and not p.rate.is_signed())
        self.shortfalls: list[list] = []  # [period, base, flat, missing], oldest first
        self.excess = 0

    def load(self, state: KAState) -> bool:
        """Take ``state`` over; False (and nothing changed) when it is not whole amount units."""
        try:
            values = [[s.period, *(_units(v, self.a, self.amount_limit) for v in (s.base, s.flat, s.missing))] for s in state.shortfalls]
            excess = _units(state.excess, self.a, self.amount_limit)
        except ValueError:
            return False
        self.shortfalls, self.excess = values, excess
        return True

    def state(self) -> KAState:
        """The carried state as ``settle`` holds it."""
        a = -self.a
        return KAState(tuple(Shortfall(p, Decimal(b).scaleb(a), Decimal(f).scaleb(a), Decimal(m).scaleb(a)) for p, b, f, m in self.shortfalls),
                       Decimal(self.excess).scaleb(a))

    @staticmethod
    def factor(p: KAParams, k: Decimal) -> tuple[int, int, bool]:
        """:func:`kpi_factor` as :meth:`run` takes it: digits, decimal places, sign."""
        f = kpi_factor(p, k)
        return (*scaled(f), f.is_signed())

    def run(self, rows: list, start: int, label: Callable[[int], str]) -> list[float]:
        """Quarters ``rows[start]``, ``rows[start + 1]``, … in order, for as long as each is
        given (not None) and inside the exact range: their payouts as Excel's doubles.

        A row is (target, counting, flat, flat_all, factor, new_hire), the amounts in
        whole fen below 10^15 in size and ``factor`` from :meth:`factor`; ``label(i)``
        names row i's quarter when it opens a shortfall. The run stops before the first
        row it cannot take, with the state as after the last row it took, so the caller
        can settle that row with ``settle`` (see :meth:`state`, :meth:`load`).
        """
        up, rate, beta, threshold = self.up, self.rate, self.beta, self.threshold
        flat_rate, task_up, flat_up, unit = self.flat_rate, self.task_up, self.flat_up, self.unit
        limit, big = self.limit, self.amount_limit
        shortfalls, excess = self.shortfalls, self.excess
        out: list[float] = []
        append = out.append
        for i in range(start, len(rows)):
            r = rows[i]
            if r is None:
                break
            target, counting, flat, flat_all, (n, places, signed), new_hire = r
            X = counting * up + excess
            F = flat * up
            B = beta * target
            if not (-big < X < big and -big < B < big):
                break
            back = 0
            opened = still = None
            if new_hire:
                d = X - F
                task = rate * d if d > 0 else 0
                carry = 0
            elif X < B:
                task = carry = 0
                opened = [label(i), B, F, B - X]
            else:
                left = X - B
                still = []
                for j, sf in enumerate(shortfalls):
                    if left <= 0:
                        still += shortfalls[j:]
                        break
                    missing = sf[3]
                    used = left if left < missing else missing
                    left -= used
                    if used == missing:
                        d = sf[1] - sf[2]
                        if d > 0:
                            back += rate * d
                    else:
                        still.append([sf[0], sf[1], sf[2], missing - used])
                A = B + left
                T = target * up
                carry = 0
                if A > T and X < threshold:
                    carry, A = A - T, T
                d = A - F
                task = rate * d if d > 0 else 0
            task_back = task + back
            flat_commission = flat_rate * flat_all
            commission = task_back * task_up + flat_commission * flat_up
            payout = commission * n
            if not (task_back < limit and -limit < flat_commission < limit and -limit < commission < limit and -limit < payout < limit):
                break
            if opened is not None:
                shortfalls.append(opened)
            elif still is not None:
                shortfalls = still
            excess = carry
            append(excel_fen(fen_half_up(payout, unit + places), (commission < 0) != signed))
        self.shortfalls, self.excess = shortfalls, excess
        return out


def _units(v: Decimal, a: int, limit: int) -> int:
    """``v`` in whole units of 10^-a, or ValueError."""
    n = v.scaleb(a)
    if not n.is_finite() or n != n.to_integral_value() or not -limit < n < limit:
        raise ValueError(v)
    return int(n)


def explain(s: Settlement, q: QuarterInput, p: KAParams) -> str:
    """The KA line's basis: X, B, T, shortfalls cleared, L, A, carry, F, flat amount and k."""
    f = fmt_plain
    shown = p.shown
    head = f"{q.period}：完成额 X = 本季计入任务 {f(q.counting)} + 上季结转 {f(s.E_in)} = {f(s.X)}"
    if s.case == "new_hire":
        body = f"；新业务员入职当季不承担任务：计提额 A = X = {f(s.A)}，不扣款、不形成欠额、不结转"
    else:
        body = f"；目标 T = {f(s.T)}，基数 B = {shown['base_ratio']} × T = {f(s.B)}"
        if s.case == "below_base":
            body += f"；X < B：不计提任务奖金，扣发固定工资 {f(s.deduction)}，形成欠额 B − X = {f(s.B - s.X)} 待以后季度补足"
        else:
            body += f"；超出基数 X − B = {f(s.surplus)}"
            if s.cleared:
                parts = []
                for c in s.cleared:
                    if c.closed:
                        parts.append(f"{c.period} 补 {f(c.used)} 已补足，补发 {shown['rate']} × (B_k − F_k) = {f(c.back_pay)}")
                    else:
                        parts.append(f"{c.period} 补 {f(c.used)} 仍欠 {f(c.left)}")
                body += "，先补以前未完成基数的季度：" + "；".join(parts)
            body += f"；余额 L = {f(s.L)}，计提额 A = B + L = {f(s.B + s.L)}"
            if s.carry:
                body += f"；A > T 且 X < {shown['carry_threshold']}：A 取 T = {f(s.A)}，超出 {f(s.carry)} 转入下季"
            elif s.B + s.L > s.T:
                body += f"；X ≥ {shown['carry_threshold']}：全额当季计提，不结转"
            else:
                body += "；结转下季 0"
    if s.case == "below_base":
        money = f"；实施收入 F = {f(s.F)}；任务奖金 0"
    else:
        money = f"；实施收入 F = {f(s.F)}；任务奖金 {shown['rate']} × max(0, A − F) = {f(s.task)}"
    if s.back_pay:
        money += f" + 补发 {f(s.back_pay)}"
    money += f"；固定比例收入 {f(s.flat_revenue)} × {shown['flat_rate']} = {f(s.flat_commission)}"
    kpi = q.kpi_text or f"KPI 系数 k = {f(q.k)}"
    factor = f(s.factor * 100)
    money += (f"；{kpi}，× ({shown['fixed_share']} + {shown['kpi_share']} × k) = {factor}%"
              f"；计提奖金合计 {f(s.commission)} × {factor}% = {round_fen(s.payout):,.2f}")
    return head + body + money


def quarter(opening: KAState, q: QuarterInput, p: KAParams) -> tuple[list[Line], KAState]:
    """One employee's quarter: (payout lines, closing state). Pure: no book, no I/O."""
    s, closing = settle(opening, q, p)
    lines: list[Line] = []
    basis = explain(s, q, p)
    band = {"new_hire": "新业务员首季", "below_base": "X < B", "at_or_above_base": "X ≥ B"}[s.case]
    kw = dict(rule=RULE, band=band, inputs=q.inputs, pay_month=q.pay_month)
    if s.payout:
        lines.append(Line(q.employee_id, "KA", "KA", s.payout, basis, **kw))
    else:
        lines.append(outcome(q.employee_id, "KA", "KA", RECORDED, basis, **kw))
    fw_kw = dict(rule=RULE, band=band, pay_month=q.pay_month)
    if s.floating_wage_paid:
        if q.floating_wage:
            why = "新业务员入职当季" if s.case == "new_hire" else f"B + L = {fmt_plain(s.B + s.L)} ≥ T = {fmt_plain(s.T)}"
            lines.append(Line(q.employee_id, "KA", "KA_FW", q.floating_wage, f"{q.period}：{why}，发放当季浮动工资 {fmt_plain(q.floating_wage)}", **fw_kw))
        else:
            lines.append(outcome(q.employee_id, "KA", "KA_FW", RECORDED, f"{q.period}：应发浮动工资，但员工表未填写季度浮动工资", **fw_kw))
    else:
        why = "完成额低于基数" if s.case == "below_base" else f"B + L = {fmt_plain(s.B + s.L)} < T = {fmt_plain(s.T)}"
        lines.append(outcome(q.employee_id, "KA", "KA_FW", RECORDED, f"{q.period}：{why}，不发当季浮动工资", **fw_kw))
    if s.deduction:
        lines.append(Line(q.employee_id, "KA", "KA_DED", -s.deduction,
                          f"{q.period}：完成额 X = {fmt_plain(s.X)} 低于基数 B = {fmt_plain(s.B)}，扣发当季固定工资 {fmt_plain(s.deduction)}", **kw))
    return lines, closing


@dataclass
class Run:
    lines: list[Line] = field(default_factory=list)
    problems: list[P.Problem] = field(default_factory=list)
    states: dict[str, KAState] = field(default_factory=dict)


def run(book: Book) -> Run:
    """Every KA participant's quarter, from the book's inputs and opening states."""
    out = Run()
    params = KAParams.from_policy(book.policy)
    inputs, openings, extra_lines, probs = gather(book)
    out.lines.extend(extra_lines)
    out.problems.extend(probs)
    for emp, q in sorted(inputs.items()):
        lines, closing = quarter(openings.get(emp, KAState()), q, params)
        out.lines.extend(lines)
        out.states[emp] = closing
    for emp, state in openings.items():
        out.states.setdefault(emp, state)  # no target this quarter: the state waits unchanged
    return out


def compute(book: Book) -> tuple[list[Line], list[P.Problem]]:
    r = run(book)
    return r.lines, r.problems


def closing_states(book: Book) -> dict[str, KAState]:
    """Each employee's closing state of this quarter, for the ledger at lock time."""
    return run(book).states


def check(book: Book) -> list[P.Problem]:
    return check_inputs(book)
