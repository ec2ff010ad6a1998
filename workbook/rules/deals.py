"""Deal facts the rules share: whole deals, credit by share, first deals.

The Deals sheet has one row per person on a deal, each repeating the whole deal
amount. These helpers turn that into whole deals (for "the client's first deal"
and period totals) and per-person credit (amount × share), once, so NC, MT and
TM count the same way.

Whole deals are only ever needed for a few clients (the new ones) or a few
deals (the split ones), so they are built for those alone: the rows are picked
by column masks (``deal_columns``) rather than grouping all 200,000 of them.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Iterable, NamedTuple
from decimal import Decimal

import numpy as np

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


def deals_of(book: Book, wanted: np.ndarray) -> list[Deal]:
    """The whole deals whose code is set in ``wanted`` (one flag per deal code), in
    order of first appearance; a deal's client, date and amount are its first row's."""
    cols = deal_columns(book)
    rows = book.rows("Deals")
    grouped: dict[str, list] = {}
    for i in np.flatnonzero(wanted[cols.deal]).tolist():
        r = rows[i]
        grouped.setdefault(r.deal_id, []).append(r)
    new = tuple.__new__  # what ``Deal(...)`` does, without its Python-level frame per deal
    return [new(Deal, (k, (first := rs[0]).client_id, first.signed_on, first.amount, tuple(rs))) for k, rs in grouped.items()]


def client_deals(book: Book, clients: Iterable[str]) -> dict[str, list[Deal]]:
    """Whole deals of each of ``clients`` that has any, keyed in order of the client's
    first appearance on a deal (a deal belongs to the client on its first row)."""
    cols = deal_columns(book)
    index = cols.client_codes
    chosen = np.zeros(len(cols.clients), bool)
    chosen[[index[c] for c in clients if c in index]] = True
    out: dict[str, list[Deal]] = {}
    for d in deals_of(book, chosen[cols.client[cols.first_row]]):
        out.setdefault(d.client_id, []).append(d)
    return out


def deal_first_dates(book: Book) -> dict[str, dt.date]:
    """Each client's earliest deal on the sheet (by deal first rows), in order of first appearance."""
    return book.memo("deal_first_dates", lambda: first_days(deal_columns(book)))


def first_dates(book: Book) -> dict[str, dt.date]:
    """Each client's first deal: the earlier of its first deal on the sheet and its
    recorded history (Clients.first_deal_date). Built once per book; NC, TM and AC read it."""
    def build() -> dict[str, dt.date]:
        out = dict(deal_first_dates(book))
        for c in book.rows("Clients"):
            if c.first_deal_date is not None and (c.client_id not in out or c.first_deal_date < out[c.client_id]):
                out[c.client_id] = c.first_deal_date
        return out
    return book.memo("first_dates", build)


def period_rows_by_employee(book: Book) -> dict[str, list]:
    """Each employee's Deals rows signed inside the run's quarter, in sheet order."""
    def build() -> dict[str, list]:
        rows = book.rows("Deals")
        out: dict[str, list] = defaultdict(list)
        for i in np.flatnonzero(deal_columns(book).between(book.period.start, book.period.end)).tolist():  # a quarter's rows, picked by the date column
            r = rows[i]
            out[r.employee_id].append(r)
        return dict(out)
    return book.memo("period_rows_by_employee", build)


def credit(row) -> Decimal:
    """One person's credited amount of a deal row."""
    return row.amount * row.share
