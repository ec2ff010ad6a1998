"""KC: the key-customer unit commission (POLICY §8), monthly.

Performance pay = unit commission × sales coefficient × CSS coefficient, for
each month of the quarter on the Units sheet. The unit commission is 100 per
vehicle plus 50 per channel vehicle; the Units sheet gives the two counts
separately (``units``: vehicles sold directly, ``channel_units``: vehicles sold
through channels), and the sales coefficient looks up the month's total of both.
The CSS coefficient uses continuous half-open bands, so 939 and 939.5 both fall
in the lowest band (the source's garbled table is read that way, Decided).

Both coefficient tables are tier tables HR can edit; a value that no band
covers is an error, never a silent 0.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .. import problems as P
from ..lines import RECORDED, Line, outcome
from ..model import Book
from ..money import fmt_plain
from ..periods import next_month
from ..tiers import Band, NoBand, TierTable

RULE = "POLICY §8 关键客户台次绩效"


@dataclass(frozen=True)
class UnitPay:
    units: int
    channel_units: int
    commission: Decimal  # unit rate × units + channel rate × channel units
    sales_band: Band
    css_band: Band | None  # None when there were no vehicles (the CSS does not matter)
    amount: Decimal

    @property
    def total(self) -> int:
        return self.units + self.channel_units


def unit_pay(units: int, channel_units: int, css: Decimal | None, sales: TierTable, css_table: TierTable,
             unit_rate: Decimal = Decimal(100), channel_rate: Decimal = Decimal(50)) -> UnitPay:
    """One month's performance pay. Pure; raises ``NoBand`` when a table misses the value,
    and ``ValueError`` when vehicles were sold but the CSS score is missing."""
    commission = unit_rate * units + channel_rate * channel_units
    band = sales.lookup(Decimal(units + channel_units))
    if units + channel_units == 0:
        return UnitPay(units, channel_units, commission, band, None, commission * band.value)
    if css is None:
        raise ValueError("css missing")
    cband = css_table.lookup(css)
    return UnitPay(units, channel_units, commission, band, cband, commission * band.value * cband.value)


def _month(ym: tuple[int, int]) -> str:
    return f"{ym[0]:04d}-{ym[1]:02d}"


def period_rows(book: Book) -> list:
    months = set(book.period.months)
    return [r for r in book.rows("Units") if tuple(r.month) in months]


def check(book: Book) -> list[P.Problem]:
    probs: list[P.Problem] = []
    emps = book.employees
    for r in period_rows(book):
        if r.employee_id not in emps:
            probs.append(book.problem(P.ERROR, "Units", r, "employee_id", f"工号 {r.employee_id} 不在 员工 (Employees) 表中", found=r.employee_id))
        if r.units < 0:
            probs.append(book.problem(P.ERROR, "Units", r, "units", "台次不能为负数", expected="≥ 0", found=r.units))
        if (r.channel_units or 0) < 0:
            probs.append(book.problem(P.ERROR, "Units", r, "channel_units", "渠道台次不能为负数", expected="≥ 0", found=r.channel_units))
        if r.units + (r.channel_units or 0) > 0 and r.css is None:
            probs.append(book.problem(P.ERROR, "Units", r, "css", f"{_month(r.month)} 有销量时必须填写 CSS 得分（满意度系数依据）", expected="CSS 得分", found="(空)"))
        if r.css is not None and r.css < 0:
            probs.append(book.problem(P.ERROR, "Units", r, "css", "CSS 得分不能为负数", expected="≥ 0", found=r.css))
    return probs


def pay_for(policy, units: int, channel_units: int, css: Decimal | None) -> UnitPay:
    """One month's pay under a policy's tables and rates; shared with the BB_KC_PAY cell function."""
    return unit_pay(units, channel_units, css, policy.tier("kc_sales_coefficient"), policy.tier("kc_css_coefficient"),
                    policy["kc_unit_rate"], policy["kc_channel_rate"])


def _pay_row(book: Book, r) -> UnitPay:
    return pay_for(book.policy, r.units, r.channel_units or 0, r.css)


def compute(book: Book) -> tuple[list[Line], list[P.Problem]]:
    lines: list[Line] = []
    probs: list[P.Problem] = []
    pay = next_month(book.period.end)
    unit_rate, channel_rate = book.policy["kc_unit_rate"], book.policy["kc_channel_rate"]
    for r in sorted(period_rows(book), key=lambda r: (r.employee_id, tuple(r.month))):
        month = _month(r.month)
        ref = (f"{book.title('Units')}!R{r.row}",)
        try:
            up = _pay_row(book, r)
        except NoBand as e:
            probs.append(book.problem(P.ERROR, "Units", r, "css" if e.table == "kc_css_coefficient" else "units", str(e), found=fmt_plain(e.x)))
            continue
        except ValueError:
            probs.append(book.problem(P.ERROR, "Units", r, "css", f"{month} 有销量时必须填写 CSS 得分", expected="CSS 得分", found="(空)"))
            continue
        head = (f"{month}：台次 {up.units} × {fmt_plain(unit_rate)} + 渠道台次 {up.channel_units} × {fmt_plain(channel_rate)} = {fmt_plain(up.commission)}；"
                f"总台次 {up.total}（{up.sales_band.label()}）销售系数 {fmt_plain(up.sales_band.value)}")
        if up.css_band is None:
            lines.append(outcome(r.employee_id, "KC", "KC", RECORDED, head + "；当月无销量，无台次绩效", rule=RULE, inputs=ref, pay_month=pay, month=month))
            continue
        basis = (head + f"；CSS {fmt_plain(r.css)}（{up.css_band.label()}）满意度系数 {fmt_plain(up.css_band.value)}；"
                 f"绩效工资 = {fmt_plain(up.commission)} × {fmt_plain(up.sales_band.value)} × {fmt_plain(up.css_band.value)}")
        band = f"销售系数 {fmt_plain(up.sales_band.value)} / CSS 系数 {fmt_plain(up.css_band.value)}"
        lines.append(Line(r.employee_id, "KC", "KC", up.amount, basis, RULE, band, ref, pay, month=month))
    return lines, probs


def coefficient_rows(book: Book) -> list[tuple]:
    """KC's monthly coefficients for the Coefficients sheet (same columns as KP's rows)."""
    emps = book.employees
    rows: list[tuple] = []
    for r in sorted(period_rows(book), key=lambda r: (r.employee_id, tuple(r.month))):
        try:
            up = _pay_row(book, r)
        except (NoBand, ValueError):
            continue
        name = emps[r.employee_id].name if r.employee_id in emps else ""
        month = _month(r.month)
        rows.append((r.employee_id, name, str(book.period), "KC", f"{month} 销售系数", "units", None, Decimal(up.total), None,
                     up.sales_band.value, f"总台次 {up.total}：{up.sales_band.label()}"))
        if up.css_band is not None:
            rows.append((r.employee_id, name, str(book.period), "KC", f"{month} CSS 系数", "css", None, r.css, None,
                         up.css_band.value, f"CSS {fmt_plain(r.css)}：{up.css_band.label()}"))
    return rows

