"""What desktop Excel hands a UDF, made into plain columns, and what goes back.

Classic xlwings passes a single cell as a scalar and a range (with
``@xw.arg(ndim=2)``) as a list of rows; every number is a float, an empty cell
is None, a date is a datetime, and text may carry trailing spaces. A UDF here
takes one or more such columns, computes row by row, and returns a column (a
list of one-item rows) so one formula fills a whole table. Each bad row gets
a Chinese reason in its own cell; nothing ever raises into Excel, where a
traceback would be all HR sees.
"""
from __future__ import annotations

import functools
from decimal import Decimal
from operator import itemgetter
from typing import Any, Callable

from workbook.cells import CellError, is_blank
from workbook.money import round_fen
from workbook.tiers import NoBand

ERROR_PREFIX = "错误："


class UdfError(Exception):
    """A problem with a whole argument (shape, policy range); shown as one cell."""


def column(value: Any, name: str) -> list[Any]:
    """A scalar, a 1-D list, a single row or a single column as a flat list of cells."""
    if not isinstance(value, (list, tuple)):
        return [value]
    if not value:
        return []
    if not isinstance(value[0], (list, tuple)):
        return list(value)
    if len(value) == 1:
        return list(value[0])  # one row: a horizontal range reads left to right
    widths = set(map(len, value))
    if widths != {1}:
        raise UdfError(f"参数 {name} 应为单列区域，实际是 {len(value)} 行 × {max(widths)} 列：请只选择一列")
    return list(map(itemgetter(0), value))


def columns(**named: Any) -> tuple[int, dict[str, list[Any]]]:
    """Several column arguments lined up: equal lengths, or a single value repeated."""
    cols = {k: column(v, k) for k, v in named.items()}
    n = max((len(c) for c in cols.values()), default=0)
    for k, c in cols.items():
        if len(c) == 1 and n > 1:
            cols[k] = c * n
        elif len(c) != n:
            lengths = "、".join(f"{key} {len(col)} 行" for key, col in cols.items())
            raise UdfError(f"各列的行数不一致（{lengths}）：请选择同样多行的区域")
    return n, cols


def blank(v: Any) -> bool:
    if v is None:
        return True
    if v.__class__ is float:  # the common case: a number is never blank
        return False
    return is_blank(v)


def cell(v: Any) -> Any:
    """An engine value as Excel can hold it: Decimal -> float, everything else as is."""
    if isinstance(v, Decimal):
        return float(v)
    return v


_FEN: dict[Decimal, float] = {}


def money(amount: Decimal) -> float:
    """An amount rounded exactly as a payout line rounds it (``round_fen``), as a float.
    Tier awards take a handful of values, so the conversions are remembered."""
    value = _FEN.get(amount)
    if value is not None:
        return value
    value = float(round_fen(amount))
    if amount and len(_FEN) < 10_000:  # never zero: -0 equals 0 but keeps its sign in Excel's double
        _FEN[amount] = value
    return value


def err(message: str) -> str:
    return ERROR_PREFIX + message


def out(values: list[Any]) -> list[list[Any]]:
    """A column for Excel: one single-item row per value."""
    return [[cell(v)] for v in values] or [[""]]


def per_row(fn: Callable[..., Any], n: int, cols: dict[str, list[Any]]) -> list[list[Any]]:
    """Apply ``fn`` to each row's values; a blank row stays blank, a bad row gets its reason
    (a ``CellError`` from a parser, a ``UdfError``, or ``NoBand`` from a tier lookup).

    A single column repeats a lot (ratios, unit counts, the same amounts), so its
    results are remembered per distinct value within the call; the key carries the
    value's type, since TRUE, 1 and 1.0 are equal in Python but not to the cell
    parsers. These loops are the hot path of a 100,000-row call, hence their plain shape.
    """
    lists = list(cols.values())
    if len(lists) == 1:
        return _single(fn, lists[0])
    rows = list(zip(*lists))
    memo: dict = {}
    result: list[list[Any]] = []
    append = result.append
    for i, row in enumerate(rows):
        if i == PROBE and len(memo) > 0.9 * PROBE:  # nearly all distinct: stop remembering
            for row in rows[PROBE:]:
                append(["" if all(map(blank, row)) else call(fn, row)])
            break
        try:
            key = (tuple(map(type, row)), row)
            value = memo.get(key, memo)  # the dict itself: a sentinel no result can be
        except TypeError:  # an unhashable cell value: no memo for this row
            key, value = None, memo
        if value is memo:
            value = "" if all(map(blank, row)) else call(fn, row)
            if key is not None:
                memo[key] = value
        append([value])
    return result or [[""]]


PROBE = 4096  # values looked at before deciding whether remembering results pays


def _single(fn: Callable[..., Any], values: list[Any]) -> list[list[Any]]:
    memo: dict = {}
    result: list[list[Any]] = []
    append = result.append
    for v in values[:PROBE]:
        if v is None:
            append([""])
            continue
        cls = v.__class__
        try:
            value = memo.get((cls, v), memo)  # the dict itself: a sentinel no result can be
        except TypeError:  # unhashable: compute without the memo
            value = "" if blank(v) else call(fn, (v,))
        else:
            if value is memo:
                value = memo[(cls, v)] = "" if cls is not float and blank(v) else call(fn, (v,))
        append([value])
    if len(memo) > 0.9 * PROBE:  # nearly all distinct: a memo would cost more than it saves
        for v in values[PROBE:]:
            append([""] if v is None else ["" if v.__class__ is not float and blank(v) else call(fn, (v,))])
        return result or [[""]]
    for v in values[PROBE:]:
        if v is None:
            append([""])
            continue
        cls = v.__class__
        try:
            value = memo.get((cls, v), memo)
        except TypeError:
            value = "" if blank(v) else call(fn, (v,))
        else:
            if value is memo:
                value = memo[(cls, v)] = "" if cls is not float and blank(v) else call(fn, (v,))
        append([value])
    return result or [[""]]


def call(fn: Callable[..., Any], args: tuple) -> Any:
    """One row through ``fn``: its value for Excel, or the reason as an error cell."""
    try:
        value = fn(*args)
    except (CellError, NoBand, UdfError) as e:
        return err(str(e))
    return float(value) if value.__class__ is Decimal else value


def excel_safe(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Turn anything that escapes a UDF into one readable cell instead of a traceback."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except UdfError as e:
            return [[err(str(e))]]
        except CellError as e:
            return [[err(e.message)]]
        except Exception as e:  # a bug: still a cell, never a traceback
            return [[f"内部错误（请告知维护人员）：{type(e).__name__}: {e}"]]

    return wrapper
