"""The Deals sheet as columns, for the rules that select and sum over every row.

MT, TM, the first-deal index and the Deals checks each ask the same questions
of all 200,000 rows of a big quarter (whose credit, which client, which year),
and a Python loop asking them costs a few tenths of a second per rule. Here the
rows are encoded once, as NumPy integer arrays (employee, client and deal codes
in order of first appearance, and day numbers); a rule picks its rows with a
mask and only the picked credits are summed, as exact Decimals, in sheet order,
so every total is the very one the row-by-row loop gives.
``tests/test_deal_columns.py`` checks that against the loops on random deals.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal, getcontext
from functools import cached_property
from operator import attrgetter, mul

import numpy as np

from ..model import Book
from ..money import ZERO
from ..tables import ExactForm, codes_of, columns_of, encode, exact_of


@dataclass(frozen=True)
class DealColumns:
    employees: list[str]  # employee code -> id
    emp: np.ndarray  # per row: employee code
    clients: list[str]
    client: np.ndarray
    deal: np.ndarray  # per row: deal code (deal ids in order of first appearance)
    day: np.ndarray  # per row: the signing date's proleptic ordinal
    year: np.ndarray
    amount: list[Decimal]  # per row: the whole deal's amount
    share: list[Decimal]  # per row: the person's share; amount × share is their credit
    first_row: np.ndarray  # per deal code: the deal's first row
    amount_exact: ExactForm | None = None  # the amounts and shares as whole numbers, when parsing could hold them so
    share_exact: ExactForm | None = None

    def sums(self, mask: np.ndarray, by: np.ndarray, names: list[str]) -> defaultdict[str, Decimal]:
        """Σ amount × share of the rows in ``mask``, per name of ``by``'s code; absent names read 0.

        Each sum adds its rows' products in sheet order starting from 0, as
        ``total += r.amount * r.share`` over the rows does, so even a sum that
        Decimal's context has to round comes out the same. When the amounts and
        shares have a whole-number form, the sums are made in it (``_exact_sums``):
        the very same Decimals, without a Decimal operation per row.
        """
        out: defaultdict[str, Decimal] = defaultdict(lambda: ZERO)
        rows = np.flatnonzero(mask)
        if not rows.size:
            return out
        keys = by[rows]
        order = np.argsort(keys, kind="stable")
        rows, keys = rows[order], keys[order]
        cuts = np.flatnonzero(keys[1:] != keys[:-1]) + 1
        starts = np.concatenate(([0], cuts))
        totals = self._exact_sums(rows, starts)
        if totals is not None:
            for code, total in zip(keys[starts].tolist(), totals):
                out[names[code]] = total
            return out
        rows, cuts = rows.tolist(), cuts.tolist()
        credit = list(map(mul, map(self.amount.__getitem__, rows), map(self.share.__getitem__, rows)))
        for code, a, b in zip(keys[[0] + cuts].tolist(), [0] + cuts, cuts + [len(rows)]):
            out[names[code]] = sum(credit[a:b], ZERO)
        return out

    def _exact_sums(self, rows: np.ndarray, starts: np.ndarray) -> list[Decimal] | None:
        """The sums of ``sums`` in whole numbers: None unless every one fits in 62 bits.

        A product a × s of coefficients carries the exponent e_a + e_s; a sum's
        exponent is the smallest of its terms' and 0 (ZERO's). With no negative
        value (so no negative zero) and every sum below 2**62 (19 digits, under
        Decimal's 28), no Decimal step rounds, so Decimal gives exactly
        Σ a·s·10^(e − low) × 10^low, which is what is returned.
        """
        if self.amount_exact is None or self.share_exact is None or getcontext().prec < 19:
            return None  # (a context that rounds at fewer digits than 2**62 has would round the row-by-row sums)
        a = self.amount_exact.coefficient[rows]
        s = self.share_exact.coefficient[rows]
        e = self.amount_exact.exponent[rows].astype(np.int64) + self.share_exact.exponent[rows]
        low = np.minimum(np.minimum.reduceat(e, starts), 0)
        shift = e - np.repeat(low, np.diff(np.append(starts, len(rows))))
        if shift.max() > 18:
            return None
        if np.add.reduceat(a.astype(float) * s * 10.0 ** shift, starts).max() >= 2.0**62:  # a float estimate, far enough from 2**63 to be safe
            return None
        totals = np.add.reduceat(a * s * 10 ** shift, starts)
        return [Decimal(t).scaleb(x) for t, x in zip(totals.tolist(), low.tolist())]

    @cached_property
    def employee_codes(self) -> dict[str, int]:
        """Employee id -> code; made once, as several rules ask."""
        return {e: i for i, e in enumerate(self.employees)}

    @cached_property
    def client_codes(self) -> dict[str, int]:
        """Client id -> code; made once (100,000 clients take a tenth of the time of a rule to index)."""
        return {c: i for i, c in enumerate(self.clients)}

    def of(self, people) -> np.ndarray:
        """Mask of the rows credited to anyone in ``people`` (employee ids)."""
        index = self.employee_codes
        return np.isin(self.emp, [index[e] for e in people if e in index])

    def between(self, first: dt.date, last: dt.date) -> np.ndarray:
        """Mask of the rows signed from ``first`` to ``last``, both included."""
        return (self.day >= first.toordinal()) & (self.day <= last.toordinal())


def picked(book: Book, mask: np.ndarray) -> list:
    """The Deals rows in ``mask``, in sheet order."""
    rows = book.rows("Deals")
    return [rows[i] for i in np.flatnonzero(mask).tolist()]


def deal_columns(book: Book) -> DealColumns:
    """The Deals rows of ``book`` as columns, built once per book."""
    return book.memo("deal_columns", lambda: _build(book.rows("Deals")))


def _build(rows: list) -> DealColumns:
    n = len(rows)
    parsed = columns_of(rows)
    column = parsed.__getitem__ if parsed is not None else (lambda name: list(map(attrgetter(name), rows)))  # kept from parsing: no pass over the rows
    kept = codes_of(rows)  # the key columns, encoded when parsing checked them for repeats

    def codes(name: str) -> tuple[list, np.ndarray, np.ndarray]:
        return kept[name] if name in kept else encode(column(name))

    employees, emp, _ = codes("employee_id")
    clients, client, _ = codes("client_id")
    dates = column("signed_on")
    ordinal = {d: d.toordinal() for d in set(dates)}
    day = np.fromiter(map(ordinal.__getitem__, dates), np.int32, n)
    years = {d: d.year for d in ordinal}
    year = np.fromiter(map(years.__getitem__, dates), np.int32, n)
    _, deal, first_row = codes("deal_id")
    exact = exact_of(rows)
    return DealColumns(employees, emp, clients, client, deal, day, year, column("amount"), column("share"), first_row,
                       exact.get("amount"), exact.get("share"))


def first_days(cols: DealColumns) -> dict[str, dt.date]:
    """Each client's earliest deal date on the sheet, as dated on each deal's first row.

    Keyed in order of the client's first appearance on a deal's first row, the
    order ``deals.client_deals`` keys its answer in too.
    """
    if not cols.first_row.size:
        return {}
    client, day = cols.client[cols.first_row], cols.day[cols.first_row]
    best = np.full(len(cols.clients), np.iinfo(np.int32).max, np.int32)
    np.minimum.at(best, client, day)
    seen, at = np.unique(client, return_index=True)
    order = seen[np.argsort(at)]
    dates = {d: dt.date.fromordinal(d) for d in set(best[order].tolist())}
    names = cols.clients
    return {names[c]: dates[d] for c, d in zip(order.tolist(), best[order].tolist())}
