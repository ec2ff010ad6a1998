"""MT: the annual customer-maintenance award (POLICY §2), computed in Q4.

Existing clients are those the employee was credited with a deal before this
year. G = this year's credited sales to them − last year's; g = G / last year's.
The tier rate applies to the whole G. With no sales last year g is undefined:
no award, and a warning instead of a guess.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal, getcontext
from typing import NamedTuple

import numpy as np

from .. import problems as P
from ..lines import RECORDED, Line, outcome
from ..model import Book
from ..money import fen_half_up, fmt_plain, scaled
from ..periods import next_month
from ..tiers import Band, NoBand
from .deal_columns import deal_columns

RULE = "POLICY §2 客户维护奖励"


class Growth(NamedTuple):
    """One employee's MT outcome from two yearly totals: ``amount`` None means no award,
    and ``why`` says why (last year 0: growth undefined; no growth)."""

    growth: Decimal
    rate: Decimal | None  # g = growth / last; None when last year is 0
    band: Band | None
    amount: Decimal | None
    why: str = ""


def growth_award(policy, this_year: Decimal, last_year: Decimal) -> Growth:
    """MT for this year's and last year's sales to existing clients (POLICY §2): the tier
    rate on g applied to the whole growth. ``NoBand`` if the table does not cover g.
    Shared with the BB_MT_AWARD cell function, so a cell and the Results sheet agree."""
    growth = this_year - last_year
    if last_year == 0:
        return Growth(growth, None, None, None, "上年销售额为 0，增长率无法计算，不发放维护奖励")
    g = growth / last_year
    if growth <= 0:
        return Growth(growth, g, None, None, "未增长，不发放")
    band = policy.tier("mt_rate").lookup(g)
    return Growth(growth, g, band, band.value * growth)


NOT_GROWN = -1  # FenGrowth.award: no growth, growth_award's "未增长，不发放"


class FenGrowth:
    """:func:`growth_award` on whole fen, for a column of pairs (the BB_MT_AWARD cell function).

    A 100,000-row column cannot afford two Decimals and a quotient per row. Here g is
    placed in its band by integer cross-multiplication (growth × 10^p against the band
    end's digits × last year), and the award is the band's rate × growth rounded half
    up as :func:`round_fen` rounds it. ``growth_award`` compares the quotient rounded to
    the context's precision P instead; both put g on the same side of a band end e:
    if g ≠ e then |g − e| ≥ 1 / (|last| · 10^p), while rounding moves g by at most
    |growth| / |last| · 10^(1−P), which is smaller for |growth| < 2·10^15 fen and
    10^p ≤ 10^(P−17). Tables outside that range, or with a negative rate, are left
    to ``growth_award`` (``usable`` is False).
    """

    def __init__(self, policy) -> None:
        prec = getcontext().prec
        self.bands: list[tuple] = []
        self.usable = prec >= 28
        for b in policy.tier("mt_rate").bands:
            ends = []
            for end in (b.lower, b.upper):
                if end is None:
                    ends.append(None)
                    continue
                n, places = scaled(end)
                self.usable &= places <= prec - 17 and abs(n) < 10**prec
                ends.append((n, 10**places))
            value, places = scaled(b.value)
            self.usable &= not b.value.is_signed() and value < 10 ** (prec - 17)
            self.bands.append((ends[0], b.lower_inclusive, ends[1], b.upper_inclusive, value, places + 2))

    def award(self, this_fen: int, last_fen: int) -> int | None:
        """The award in whole fen, :data:`NOT_GROWN`, or None where ``growth_award`` must
        answer (last year 0, no band for g). Both amounts below 10^15 fen in size."""
        growth = this_fen - last_fen
        if last_fen == 0:
            return None
        if growth <= 0:
            return NOT_GROWN
        flip = last_fen < 0
        for lower, li, upper, ui, value, places in self.bands:
            if lower is not None:
                c = growth * lower[1] - lower[0] * last_fen  # sign of (g − lower) · sign(last)
                if flip:
                    c = -c
                if c < 0 or (c == 0 and not li):
                    continue
            if upper is not None:
                c = growth * upper[1] - upper[0] * last_fen
                if flip:
                    c = -c
                if c > 0 or (c == 0 and not ui):
                    continue
            return fen_half_up(value * growth, places)
        return None


def compute(book: Book) -> tuple[list[Line], list[P.Problem]]:
    if not book.period.is_year_end:
        return [], []
    year = book.period.year
    pay = next_month(book.period.end)
    existing, this, last = _old_client_sales(book, year)
    lines: list[Line] = []
    probs: list[P.Problem] = []
    for emp in sorted(existing):
        t, l = this[emp], last[emp]
        n = existing[emp]
        try:
            res = growth_award(book.policy, t, l)
        except NoBand as e:
            probs.append(P.error(book.title("Tiers"), "", "table", str(e)))
            continue
        if l == 0:
            msg = f"{n} 家老客户上年（{year - 1}）销售额为 0，增长率无法计算，不发放维护奖励"
            lines.append(outcome(emp, "MT", "MT", RECORDED, msg, rule=RULE, pay_month=pay))
            probs.append(P.warning(book.title("Deals"), "", "amount", f"员工 {emp}：{msg}"))
            continue
        head = f"{n} 家老客户：{year} 年 {fmt_plain(t)}，{year - 1} 年 {fmt_plain(l)}，增长额 {fmt_plain(res.growth)}"
        if res.amount is None:
            lines.append(outcome(emp, "MT", "MT", RECORDED, head + "，" + res.why, rule=RULE, pay_month=pay))
            continue
        label = res.band.label(percent=True)
        basis = f"{head}，增长率 {fmt_plain((res.rate * 100).quantize(Decimal('0.01')))}%（{label}）→ 比例 {fmt_plain(res.band.value * 100)}% × 增长额"
        lines.append(Line(emp, "MT", "MT", res.amount, basis, RULE, label, (), pay))
    return lines, probs


def _old_client_sales(book: Book, year: int) -> tuple[dict[str, int], dict[str, Decimal], dict[str, Decimal]]:
    """Per employee: how many old clients (dealt with before ``year``), and the credit
    on them this year up to the quarter end and last year.

    An old client is one *this employee* had a deal with before 1 January, so the
    rows are matched on (employee, client) pairs, over whole columns.
    """
    cols = deal_columns(book)
    width = max(len(cols.clients), 1)
    pair = cols.emp.astype(np.int64) * width + cols.client
    pairs, which = np.unique(pair, return_inverse=True)  # one sort; each row's pair as an index into ``pairs``
    is_old = np.zeros(len(pairs), bool)
    is_old[which[cols.day < dt.date(year, 1, 1).toordinal()]] = True
    people, counts = np.unique(pairs[is_old] // width, return_counts=True)
    existing = {cols.employees[e]: n for e, n in zip(people.tolist(), counts.tolist())}
    known = is_old[which]
    this = cols.sums(known & (cols.year == year) & (cols.day <= book.period.end.toordinal()), cols.emp, cols.employees)
    last = cols.sums(known & (cols.year == year - 1), cols.emp, cols.employees)
    return existing, this, last
