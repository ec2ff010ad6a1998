"""Excel's floats as whole fen, for the integer fast paths of the cell functions.

A 100,000-row column is mostly floats that are whole fen (12345.67). Building a
Decimal for each costs more than the award itself, so the fast paths take the
integer ``k`` with ``parse_number(v) == k / 100`` and do exact integer arithmetic.

Why the shortcut equals ``parse_number``: for |v| < 10^13, ``k = round(v * 100)``
has at most 15 digits. If ``k / 100 == v`` (true division of integers is
correctly rounded), ``v`` is the double nearest to the decimal k/100. A decimal of
at most 15 significant digits survives the trip to a double and back
(DBL_DIG = 15), so ``format(v, ".15g")``, which ``parse_number`` reads, is that
very decimal. Anything else (text, dates, a value off the fen grid such as
0.1 + 0.2, huge values) gives None and the caller takes the reference path.
"""
from __future__ import annotations

from typing import Any

import numpy as np

ENABLED = True  # False: every row takes the reference Decimal path (the tests compare the two)
_MAX = 1e13  # 10^15 fen: the shortcut's proof needs at most 15 digits


def fen(v: Any) -> int | None:
    """``parse_number(v) * 100`` as an int when ``v`` is a float holding whole fen, else None."""
    if v.__class__ is not float or not -_MAX < v < _MAX:  # also refuses nan and inf
        return None
    k = round(v * 100.0)  # nearest integer; how a tie would go never matters: k is kept only if k / 100 == v exactly
    return k if k / 100 == v else None


def fen_column(values: list[Any], empty: Any = None) -> list[Any]:
    """``fen`` over a column; an empty cell (None) gives ``empty``. A column of floats and
    empty cells only (the usual one) is converted with NumPy, which does the same IEEE
    multiply, round-to-integer and division test for all rows at once."""
    if values and set(map(type, values)) <= _NUMERIC:
        a = np.array(values, dtype=np.float64)  # only floats and None here: None -> nan
        with np.errstate(over="ignore", invalid="ignore"):  # inf and nan are refused by the test below
            k = np.rint(a * 100.0)
            ok = (np.abs(a) < _MAX) & (k / 100 == a)
        out = np.where(ok, k, 0).astype(np.int64).tolist()
        if not ok.all():
            for j in np.flatnonzero(~ok).tolist():
                out[j] = empty if values[j] is None else None
        return out
    return [fen(v) if v is not None else empty for v in values]


_NUMERIC = frozenset({float, type(None)})
