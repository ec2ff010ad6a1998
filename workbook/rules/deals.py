"""Deal facts the rules share: whole deals, credit by share, first deals.

The Deals sheet has one row per person on a deal, each repeating the whole deal
amount. These helpers turn that into whole deals (for "the client's first deal"
and period totals) and per-person credit (amount × share), once, so NC, MT and
TM count the same way.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import NamedTuple
from decimal import Decimal

from ..model import Book
from ..money import ZERO
from .deal_columns import deal_columns, first_days


class Deal(NamedTuple):
    deal_id: str
    client_id: str
    signed_on: dt.date
    amount: Decimal
    rows: tuple  # the per-person rows of this deal

    @property
    def shares(self) -> dict[str, Decimal]:
        out: dict[str, Decimal] = defaultdict(lambda: ZERO)
        for r in self.rows:
            out[r.employee_id] += r.share
        return dict(out)


def whole_deals(book: Book) -> list[Deal]:
    def build() -> list[Deal]:
        grouped: dict[str, list] = defaultdict(list)
        for r in book.rows("Deals"):
            grouped[r.deal_id].append(r)
        new = tuple.__new__  # what ``Deal(...)`` does, without its Python-level frame per deal
        return [new(Deal, (k, (first := rs[0]).client_id, first.signed_on, first.amount, tuple(rs))) for k, rs in grouped.items()]
    return book.memo("whole_deals", build)


def deals_by_client(book: Book) -> dict[str, list[Deal]]:
    def build() -> dict[str, list[Deal]]:
        out: dict[str, list[Deal]] = defaultdict(list)
        for d in whole_deals(book):
            out[d.client_id].append(d)
        return dict(out)
    return book.memo("deals_by_client", build)


def first_dates(book: Book) -> dict[str, dt.date]:
    """Each client's first deal: the earlier of its first deal on the sheet and its
    recorded history (Clients.first_deal_date). Built once per book; NC, TM and AC read it."""
    def build() -> dict[str, dt.date]:
        out = first_days(deal_columns(book))
        for c in book.rows("Clients"):
            if c.first_deal_date is not None and (c.client_id not in out or c.first_deal_date < out[c.client_id]):
                out[c.client_id] = c.first_deal_date
        return out
    return book.memo("first_dates", build)


def period_rows_by_employee(book: Book) -> dict[str, list]:
    """Each employee's Deals rows signed inside the run's quarter, in sheet order."""
    def build() -> dict[str, list]:
        start, end = book.period.start, book.period.end
        out: dict[str, list] = defaultdict(list)
        for r in book.rows("Deals"):
            if start <= r.signed_on <= end:
                out[r.employee_id].append(r)
        return dict(out)
    return book.memo("period_rows_by_employee", build)


def credit(row) -> Decimal:
    """One person's credited amount of a deal row."""
    return row.amount * row.share
