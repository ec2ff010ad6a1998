"""TM: the annual team award (POLICY §4), computed in Q4.

A team's new-client total for a year sums its members' credited amounts on deals
of that year with clients whose first deal fell in that year. Growth of at least
``tm_growth_threshold`` over last year earns ``tm_rate`` of this year's total,
split among members pro rata to their credit by the largest remainder (Decided).
Team membership is the current Employees sheet.
"""
from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

import numpy as np

from .. import problems as P
from ..lines import RECORDED, Line, outcome
from ..model import Book
from ..money import ZERO, fmt_plain, round_fen, split_largest_remainder
from ..periods import next_month
from .deal_columns import deal_columns
from .deals import first_dates

RULE = "POLICY §4 团队奖励"


def compute(book: Book) -> tuple[list[Line], list[P.Problem]]:
    if not book.period.is_year_end:
        return [], []
    year = book.period.year
    pay = next_month(book.period.end)
    team_of = {e.employee_id: e.team for e in book.rows("Employees") if e.team}
    per_member = _new_client_credit(book, year)
    by_team: dict[str, list[str]] = defaultdict(list)
    for e, t in team_of.items():
        by_team[t].append(e)
    lines: list[Line] = []
    probs: list[P.Problem] = []
    threshold, rate = book.policy["tm_growth_threshold"], book.policy["tm_rate"]
    for team in sorted(set(team_of.values())):
        members = sorted(by_team[team])
        now = sum((per_member[year][m] for m in members), ZERO)
        before = sum((per_member[year - 1][m] for m in members), ZERO)
        head = f"团队 {team}：{year} 年新客户业绩 {fmt_plain(now)}，{year - 1} 年 {fmt_plain(before)}"
        if before == 0:
            probs.append(P.warning(book.title("Employees"), "", "team", f"{head}，上年为 0，增长率无法计算，不发放团队奖励"))
            for m in members:
                lines.append(outcome(m, "TM", "TM", RECORDED, head + "，上年为 0，增长率无法计算，不发放", rule=RULE, pay_month=pay))
            continue
        g = (now - before) / before
        gtext = f"增长率 {fmt_plain((g * 100).quantize(Decimal('0.01')))}%"
        if g < threshold or now == 0:
            for m in members:
                lines.append(outcome(m, "TM", "TM", RECORDED, f"{head}，{gtext}，未达 {fmt_plain(threshold * 100)}%，不发放", rule=RULE, pay_month=pay))
            continue
        pool = round_fen(now * rate)
        parts = split_largest_remainder(pool, [per_member[year][m] for m in members])
        band = f"增长率 ≥ {fmt_plain(threshold * 100)}%"
        for m, part in zip(members, parts):
            basis = (f"{head}，{gtext}（{band}）；奖池 {fmt_plain(rate * 100)}% × {fmt_plain(now)} = {fmt_plain(pool)}，"
                     f"按本人新客户业绩 {fmt_plain(per_member[year][m])} 占比最大余额法分得")
            lines.append(Line(m, "TM", "TM", part, basis, RULE, band, (), pay))
    return lines, probs


def _new_client_credit(book: Book, year: int) -> dict[int, dict[str, Decimal]]:
    """Per year (this one up to the quarter end, and the last), each person's credit on
    deals with clients whose first deal fell in that same year, over whole columns."""
    cols = deal_columns(book)
    first = first_dates(book)
    first_year = np.array([first[c].year if c in first else -1 for c in cols.clients], np.int32)
    new = cols.year == first_year[cols.client]
    end = book.period.end.toordinal()
    return {year: cols.sums(new & (cols.year == year) & (cols.day <= end), cols.emp, cols.employees),
            year - 1: cols.sums(new & (cols.year == year - 1), cols.emp, cols.employees)}
