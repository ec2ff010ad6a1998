"""The KPI cell functions' column work: rows grouped by employee, and a fast path per group.

BB_KPI_SCORE / BB_KPI_COEF get the whole KPI table at once, 100,000 rows in the
benchmark. Building a typed row and a KpiResult for every row costs more than
the arithmetic, while the cells repeat a lot (a few weights, two kinds, scores
and ratios that recur). So each distinct weight cell and each distinct (kind,
target, actual, score) is parsed and scored once with the rule's own
``indicator_score``, and a group's S is ``kpi.weighted_sum`` over those values:
the same Decimal operations in the same order as ``kpi_score``. A group with
anything unusual (a blank or bad cell, weights not adding up to 100%, no band)
gets None and goes through ``kpi_score`` itself, which words the reason.

Remembering by cell value is only safe when values of different types never
compare equal (TRUE == 1 == 1.0 in Python but not to the parsers), so the fast
path is taken only when every cell is a float, text or empty, which is what
Excel sends for numbers and words.
"""
from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any, Callable

from workbook.cells import CellError, parse_number, parse_percent, parse_text
from workbook.rules.kpi import HUNDRED, ONE, KpiInputError, indicator_score, weight_total, weighted_sum
from workbook.tiers import NoBand, TierTable

from .shape import blank

_PLAIN = frozenset({float, str, type(None)})
VALUES = ("weight", "kind", "target", "actual", "score")


def plain(values: list[Any]) -> bool:
    """Only floats, text and empty cells: values that are equal only within one type."""
    return set(map(type, values)) <= _PLAIN


def groups(cols: dict[str, list[Any]]) -> dict[str, list[int]]:
    """Row indexes per employee (the trimmed ID text, "" for none), skipping rows with no
    KPI values; a bad ID cell raises ``CellError`` at the first such row, as before."""
    out: dict[str, list[int]] = defaultdict(list)
    ids: dict[Any, str] = {}
    memo = plain(cols["employee"])
    rest = [cols[k] for k in VALUES[1:]]
    for i, (who, w) in enumerate(zip(cols["employee"], cols["weight"])):
        if w.__class__ is not float and blank(w) and all(blank(c[i]) for c in rest):  # a number is never blank
            continue
        key = ids.get(who) if memo else None
        if key is None:
            key = "" if blank(who) else parse_text(who).strip()
            if memo:
                ids[who] = key
        out[key].append(i)
    return out


class _Memo(dict):
    """A dict that computes a missing entry once with ``fn``."""

    def __init__(self, fn: Callable[[Any], Any]) -> None:
        super().__init__()
        self.fn = fn

    def __missing__(self, key: Any) -> Any:
        value = self[key] = self.fn(key)
        return value


class FastScores:
    """Parsed weights and indicator scores per row (None: the reference must look), for
    :meth:`value` per group. ``usable`` is False when a column holds other types."""

    def __init__(self, cols: dict[str, list[Any]], kind: Callable[[Any], str], row_type, cap: Decimal, score_max: Decimal):
        self.usable = all(plain(cols[k]) for k in VALUES)
        if not self.usable:
            return

        def weight(w: Any) -> Decimal | None:
            if blank(w):
                return None
            try:
                d = parse_percent(w)
            except CellError:
                return None
            return None if d < 0 else d

        def number(v: Any) -> Decimal | None:
            return None if blank(v) else parse_number(v)

        def score(key: tuple) -> Decimal | None:
            k, t, a, s = key
            try:
                row = row_type(employee_id="", period=None, indicator="", weight=None, kind=kind(k),
                               target=number(t), actual=number(a), score=number(s), row=0)
                return indicator_score(row, cap, score_max)
            except (CellError, KpiInputError):
                return None

        self.weights = list(map(_Memo(weight).__getitem__, cols["weight"]))
        self.scores = list(map(_Memo(score).__getitem__, zip(cols["kind"], cols["target"], cols["actual"], cols["score"])))
        # rows the fast path cannot take; None would be compared with Decimals the slow way
        self.failed = {i for i, w in enumerate(self.weights) if w is None} | {i for i, s in enumerate(self.scores) if s is None}

    def value(self, idx: list[int], table: TierTable | None, want: str) -> float | None:
        """The group's S (``want`` "S") or k as a float, or None when ``kpi_score`` must answer."""
        if self.failed and not self.failed.isdisjoint(idx):
            return None
        ws = [self.weights[i] for i in idx]
        if weight_total(ws) != ONE:
            return None
        ss = [self.scores[i] for i in idx]
        s = weighted_sum(ws, ss)
        if table is None:
            k = s / HUNDRED
        else:
            try:
                k = table.lookup(s).value
            except NoBand:
                return None
        return float(s if want == "S" else k)
